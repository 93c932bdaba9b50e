import { readdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { importExternal } from '../core/import-external.js';
import { UserError } from '../model/diagnostics.js';
import type { MxObject } from '../objects/mx-object.js';
import type { UserContext } from '../security/user-context.js';
import type { Value } from './expressions/runtime.js';
import type { LoadedAction } from './engine/host.js';
import type { Run } from './engine/run.js';

/**
 * The context a TypeScript action gets: the extension point in place of
 * Mendix's Java actions. Everything runs in the calling microflow's session
 * and transaction, with its event handlers and validation rules.
 */
export interface ActionContext {
  readonly user: UserContext;
  /** Objects of an entity from the database, optionally constrained (`[Status = 'Open']`) with $variables. */
  retrieve(entity: string, xpath?: string, variables?: Readonly<Record<string, unknown>>): Promise<MxObject[]>;
  /** A new object with its defaults, after its create events (as the create activity). */
  create(entity: string): Promise<MxObject>;
  /** An attribute value (empty = null) or an association's object id(s). */
  get(object: MxObject, member: string): Value;
  /** Sets an attribute (checked against its type) or an association (objects). Not committed. */
  set(object: MxObject, member: string, value: unknown): void;
  commit(objects: MxObject | readonly MxObject[], options?: { events?: boolean }): Promise<void>;
  delete(objects: MxObject | readonly MxObject[]): Promise<void>;
  /** New objects are forgotten, others get their committed values back (rollback events run). */
  rollback(objects: MxObject | readonly MxObject[]): Promise<void>;
  callMicroflow(name: string, params?: Readonly<Record<string, Value>>): Promise<Value>;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
  /** The contents of a committed FileDocument (or Image, ...), streamed; undefined when it has none. */
  readFile(file: MxObject): Promise<Readable | undefined>;
  /** The whole contents in memory (small files). */
  readFileBytes(file: MxObject): Promise<Buffer | undefined>;
  /**
   * Stores new contents of a committed FileDocument (a stream is never held in memory
   * whole), recorded in the microflow's transaction; `name` replaces its Name. Sets
   * Size, HasContents (and Name) on the object in hand too.
   */
  writeFile(file: MxObject, contents: Readable | Uint8Array | string, name?: string): Promise<void>;
}

/** What an action file exports as its default: a function, or an object with declared types. */
export interface ActionDefinition {
  /** Parameter name -> type (Boolean, Integer, Long, Decimal, String, DateTime, Module.Entity, List of ...); checked by kiln at start-up. */
  readonly parameters?: Readonly<Record<string, string>>;
  readonly returns?: string;
  // biome-ignore lint/suspicious/noConfusingVoidType: an action that returns nothing must fit without a `return undefined`
  run(args: Readonly<Record<string, Value>>, ctx: ActionContext): Promise<Value | void> | Value | void;
}

/** Typed helper for action files: `export default defineAction({ parameters, returns, run })`. @public */
export function defineAction(def: ActionDefinition): ActionDefinition {
  return def;
}

export type ContextFactory = (caller: Run) => ActionContext;

/**
 * Loads `<app>/actions/*.{ts,js}` (name = file name) and
 * `<app>/modules/<Module>/actions/*.{ts,js}` (name = Module.FileName) once at
 * start-up. TypeScript files are loaded through tsx when it is installed.
 */
export async function loadActions(appDir: string, modules: readonly string[], contextFor: ContextFactory): Promise<Map<string, LoadedAction>> {
  const out = new Map<string, LoadedAction>();
  const dirs: [string, string | undefined][] = [
    [join(appDir, 'actions'), undefined],
    ...modules.map((m) => [join(appDir, 'modules', m, 'actions'), m] as [string, string]),
  ];
  for (const [dir, module] of dirs) {
    let files: string[];
    try {
      files = await readdir(dir);
    } catch {
      continue;
    }
    for (const f of files.sort()) {
      const ext = extname(f);
      if (!['.ts', '.js', '.mjs', '.mts'].includes(ext) || f.endsWith('.d.ts') || f.includes('.test.')) continue;
      const name = module ? `${module}.${basename(f, ext)}` : basename(f, ext);
      const mod = await importFile(join(dir, f), ext);
      const def = toDefinition(mod, join(dir, f));
      if (out.has(name)) throw new UserError(`two TypeScript actions are named '${name}'`);
      out.set(name, {
        name,
        ...(def.parameters ? { parameters: def.parameters } : {}),
        ...(def.returns ? { returns: def.returns } : {}),
        async run(args, caller) {
          const r = await def.run(args, contextFor(caller));
          return r === undefined ? null : r;
        },
      });
    }
  }
  return out;
}

async function importFile(file: string, ext: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  if (ext === '.js' || ext === '.mjs') return await importExternal<Record<string, unknown>>(url);
  let api: { tsImport(specifier: string, parent: string): Promise<unknown> };
  try {
    api = await importExternal<typeof api>('tsx/esm/api');
  } catch {
    throw new UserError(`cannot load the TypeScript action ${file}: compile it to .js or install tsx`);
  }
  return (await api.tsImport(url, import.meta.url)) as Record<string, unknown>;
}

function toDefinition(raw: Record<string, unknown>, file: string): ActionDefinition {
  let mod = raw;
  // A TypeScript file loaded as CommonJS (no "type": "module" nearby) arrives as { default: exports }.
  const inner = mod.default as Record<string, unknown> | undefined;
  if (inner && typeof inner === 'object' && typeof inner.run !== 'function' && 'default' in inner) mod = inner;
  const d = (mod.default ?? mod) as unknown;
  if (typeof d === 'function') {
    return {
      run: d as ActionDefinition['run'],
      ...(mod.parameters ? { parameters: mod.parameters as Record<string, string> } : {}),
      ...(typeof mod.returns === 'string' ? { returns: mod.returns } : {}),
    };
  }
  if (d && typeof d === 'object' && typeof (d as ActionDefinition).run === 'function') return d as ActionDefinition;
  throw new UserError(`the action file ${file} must export a default function or { run, parameters?, returns? }`);
}
