import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { UserError } from '../model/diagnostics.js';
import { envName, NON_SETTING_ENV, SETTINGS, type SettingName } from './settings-registry.js';

type SettingValue<N extends SettingName> = (typeof SETTINGS)[N]['type'] extends 'integer'
  ? number
  : (typeof SETTINGS)[N]['type'] extends 'boolean'
    ? boolean
    : string;

/** Resolved settings; `get` is typed by the setting's declared type. */
export class Settings {
  constructor(private readonly values: ReadonlyMap<string, string | number | boolean>) {}

  get<N extends SettingName>(name: N): SettingValue<N> | undefined {
    return (this.values.get(name) ?? SETTINGS[name].default) as SettingValue<N> | undefined;
  }

  require<N extends SettingName>(name: N): SettingValue<N> {
    const v = this.get(name);
    if (v === undefined) throw new UserError(`setting ${name} is required`);
    return v;
  }

  /** Every setting with its effective value (for the admin API and diagnostics). */
  entries(): [string, string | number | boolean | undefined][] {
    return Object.keys(SETTINGS).map((k) => [k, this.get(k as SettingName)]);
  }
}

export interface SettingsSources {
  /** From app.yaml `settings`. */
  readonly app?: Record<string, unknown>;
  /** Path of a YAML/JSON settings file. */
  readonly file?: string;
  readonly env?: Record<string, string | undefined>;
  /** Command-line flags, winning over everything. */
  readonly cli?: Record<string, unknown>;
}

/** Layers app.yaml, then the settings file, then the environment, then command-line flags. */
export async function resolveSettings(src: SettingsSources): Promise<Settings> {
  const values = new Map<string, string | number | boolean>();
  const apply = (origin: string, name: string, raw: unknown) => {
    if (!Object.hasOwn(SETTINGS, name)) {
      throw new UserError(`unknown setting '${name}' in ${origin} (known settings: see docs/settings.md)`);
    }
    if (raw === undefined) return;
    values.set(name, coerce(origin, name as SettingName, raw));
  };
  for (const [k, v] of Object.entries(src.app ?? {})) apply('app.yaml settings', k, v);
  if (src.file) {
    const text = await readFile(src.file, 'utf8').catch(() => {
      throw new UserError(`settings file not found: ${src.file}`);
    });
    let data: unknown;
    try {
      data = parse(text);
    } catch (e) {
      throw new UserError(`settings file ${src.file} is malformed: ${(e as Error).message.split('\n')[0]}`);
    }
    if (data !== null && (typeof data !== 'object' || Array.isArray(data)))
      throw new UserError(`settings file ${src.file} must hold a mapping of setting names to values`);
    for (const [k, v] of Object.entries((data ?? {}) as Record<string, unknown>)) apply(`settings file ${src.file}`, k, v);
  }
  const byEnv = new Map(Object.keys(SETTINGS).map((k) => [envName(k), k]));
  for (const [k, v] of Object.entries(src.env ?? {})) {
    if (!k.startsWith('KILN_') || NON_SETTING_ENV.has(k)) continue;
    const name = byEnv.get(k);
    if (!name) throw new UserError(`unknown setting in environment variable ${k} (known settings: see docs/settings.md)`);
    apply(`environment variable ${k}`, name, v);
  }
  for (const [k, v] of Object.entries(src.cli ?? {})) apply('command line', k, v);
  return new Settings(values);
}

function coerce(origin: string, name: SettingName, raw: unknown): string | number | boolean {
  const spec = SETTINGS[name];
  switch (spec.type) {
    case 'integer': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(n)) throw new UserError(`setting ${name} in ${origin} must be a whole number, got ${JSON.stringify(raw)}`);
      return n;
    }
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      throw new UserError(`setting ${name} in ${origin} must be true or false, got ${JSON.stringify(raw)}`);
    default:
      if (typeof raw === 'string') return raw;
      if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
      throw new UserError(`setting ${name} in ${origin} must be a string`);
  }
}
