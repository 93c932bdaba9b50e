import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveSettings, type Settings } from '../core/settings.js';
import { UserError } from '../model/diagnostics.js';

/** What `kiln run` and `kiln dev` take from their command line. */
export interface RunFlags {
  /** The app folder (checked to exist). */
  readonly dir: string;
  /** The flags that are settings (`--db`, `--port`, `--host`, `--deployment-dir`), by setting name. */
  readonly settingFlags: Readonly<Record<string, unknown>>;
  /** `--settings FILE`. */
  readonly settingsFile: string | undefined;
  /** `--accept-destructive` (kiln dev only: apply schema changes that lose data without asking). */
  readonly acceptDestructive: boolean;
}

/**
 * Parses the flags `kiln run` and `kiln dev` share; `command` names the command in
 * the error messages. `--accept-destructive` is only known to `kiln dev`.
 */
export async function parseRunFlags(command: 'run' | 'dev', args: string[]): Promise<RunFlags> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      db: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'deployment-dir': { type: 'string' },
      settings: { type: 'string' },
      ...(command === 'dev' ? { 'accept-destructive': { type: 'boolean' as const } } : {}),
    },
  });
  const dir = positionals[0];
  if (!dir) throw new UserError(`missing app folder: kiln ${command} <app>`);
  if (!(await stat(dir).catch(() => undefined))?.isDirectory()) throw new UserError(`app folder not found: ${dir}`);
  const port = values.port;
  if (typeof port === 'string' && !/^\d+$/.test(port)) throw new UserError(`--port must be a number, got '${port}'`);
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const db = str(values.db);
  const host = str(values.host);
  const deploymentDir = str(values['deployment-dir']);
  return {
    dir,
    settingFlags: {
      ...(db !== undefined ? { DatabaseUrl: db } : {}),
      ...(port !== undefined ? { Port: Number(port) } : {}),
      ...(host !== undefined ? { Host: host } : {}),
      ...(deploymentDir !== undefined ? { DeploymentDir: resolve(deploymentDir) } : {}),
    },
    settingsFile: str(values.settings),
    acceptDestructive: (values as Record<string, unknown>)['accept-destructive'] === true,
  };
}

/**
 * The settings of a run: the app's (`app.yaml`, with `appDefaults` under them), the
 * settings file, the environment, then `received` (what the m2ee admin API sent),
 * then the command-line flags, which win.
 */
export function runSettings(
  flags: RunFlags,
  app: Readonly<Record<string, unknown>>,
  received: Readonly<Record<string, unknown>> = {},
  appDefaults: Readonly<Record<string, unknown>> = {},
): Promise<Settings> {
  return resolveSettings({
    app: { ...appDefaults, ...app },
    ...(flags.settingsFile ? { file: flags.settingsFile } : {}),
    env: process.env,
    cli: { ...received, ...flags.settingFlags },
  });
}
