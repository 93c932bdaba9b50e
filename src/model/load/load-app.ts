import { readdirSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import { UserError } from '../diagnostics.js';
import type { FileKind } from '../schema/index.js';
import { ParseCache } from './parse-cache.js';
import { SourceFile } from './source-file.js';

export interface LoadedApp {
  readonly root: string;
  readonly app: SourceFile | undefined;
  readonly files: readonly SourceFile[];
  readonly diagnostics: Diagnostic[];
  /** Module folders found under modules/, whether or not their files parsed. */
  readonly moduleFolders: ReadonlySet<string>;
}

const MODEL_EXT = /\.(ya?ml|json)$/i;
const CACHE_MIN_BYTES = 64 * 1024;
/** Code that a model may carry (TypeScript actions); not model files. */
const CODE_EXT = /\.(ts|mts|js|mjs)$/i;

export interface LoadOptions {
  /**
   * Keep the parsed files in the user's cache folder (or in `dir`) and take unchanged files from
   * there at the next load (parse-cache.ts), for apps of at least `minBytes` of model text (default
   * 64 KiB: a small app parses in a few milliseconds and leaves no cache file behind). The CLI's
   * commands do; tests and embedders need not.
   */
  readonly parseCache?: boolean | { readonly dir?: string; readonly minBytes?: number };
}

/**
 * Reads every model file of an app folder. Problems are collected, never thrown,
 * so that `kiln check` reports all of them at once; only a missing folder throws.
 */
export async function loadAppFolder(root: string, opts: LoadOptions = {}): Promise<LoadedApp> {
  const st = await stat(root).catch(() => undefined);
  if (!st) throw new UserError(`app folder not found: ${root}`);
  if (!st.isDirectory()) throw new UserError(`not an app folder (a directory is expected): ${root}`);

  const diagnostics: Diagnostic[] = [];
  const files: SourceFile[] = [];
  let app: SourceFile | undefined;

  const entries = walk(root);
  const appFiles = entries.filter((f) => /^app\.(ya?ml|json)$/i.test(f));
  if (appFiles.length === 0) {
    diagnostics.push({
      severity: 'error',
      file: 'app.yaml',
      line: 0,
      path: '',
      message: 'app.yaml is missing: an app folder starts with app.yaml (name, modules, security)',
    });
  } else if (appFiles.length > 1) {
    diagnostics.push({ severity: 'error', file: appFiles[1]!, line: 0, path: '', message: `duplicate app file: ${appFiles.join(' and ')}` });
  }

  // Read synchronously: a model's files are small and many (400 for 200 entities), and a promise
  // per file (open, stat, read, close on the thread pool) cost more than the reads themselves.
  const texts = new Map<string, string | Error>();
  let size = 0;
  for (const rel of entries) {
    if (!MODEL_EXT.test(rel)) continue;
    try {
      const text = readFileSync(join(root, rel), 'utf8');
      texts.set(rel, text);
      size += text.length;
    } catch (e) {
      texts.set(rel, e as Error);
    }
  }
  const want = opts.parseCache === true ? {} : opts.parseCache || undefined;
  const cache = want && size >= (want.minBytes ?? CACHE_MIN_BYTES) ? await ParseCache.open(root, want.dir) : undefined;
  const seenUnits = new Map<string, string>();
  for (const rel of entries) {
    if (!MODEL_EXT.test(rel)) continue;
    // m2ee-tools' app_base holds the Mendix deployment's own folders (model/metadata.json names the
    // runtime version it starts); they are not model files of the app.
    if (/^(model|web|data)\//.test(rel)) continue;
    const cls = classify(rel);
    if (!cls) {
      if (CODE_EXT.test(rel)) continue;
      diagnostics.push({
        severity: 'error',
        file: rel,
        line: 0,
        path: '',
        message: UNKNOWN_KIND,
      });
      continue;
    }
    const unitKey = `${cls.kind}:${cls.module ?? ''}.${cls.unit ?? ''}`;
    const prev = seenUnits.get(unitKey);
    if (prev) {
      diagnostics.push({
        severity: 'error',
        file: rel,
        line: 0,
        path: '',
        message: `duplicate ${cls.kind} '${cls.module ? `${cls.module}.` : ''}${cls.unit ?? cls.kind}': also defined in ${prev}`,
      });
      continue;
    }
    seenUnits.set(unitKey, rel);
    const text = texts.get(rel)!;
    if (typeof text !== 'string') throw text;
    const hash = cache ? ParseCache.hash(text) : '';
    const known = cache?.get(rel, hash);
    let sf: SourceFile | undefined;
    if (known !== undefined) sf = SourceFile.fromData(rel, cls.kind, cls.module, cls.unit, text, known);
    else {
      const before = diagnostics.length;
      sf = SourceFile.parse(rel, cls.kind, cls.module, cls.unit, text, diagnostics);
      // Only a file that parsed without a problem is kept: the problems are reported at every load.
      if (sf && cache && diagnostics.length === before) cache.set(rel, hash, sf.data);
    }
    if (!sf) continue;
    if (cls.kind === 'app') app = sf;
    else files.push(sf);
  }
  if (cache) {
    cache.retain(new Set(entries));
    await cache.save();
  }
  const moduleFolders = new Set(entries.filter((e) => e.startsWith('modules/')).map((e) => e.split('/')[1]!));
  return { root, app, files, diagnostics, moduleFolders };
}

/** The folders of a module whose files are one unit each, and the kind of those files. */
const UNIT_FOLDERS: Readonly<Record<string, FileKind>> = {
  microflows: 'microflow',
  nanoflows: 'nanoflow',
  pages: 'page',
  layouts: 'layout',
  snippets: 'snippet',
  rest: 'rest-service',
  odata: 'odata-service',
  'scheduled-events': 'scheduled-event',
  'task-queues': 'task-queue',
  'json-structures': 'json-structure',
  mappings: 'mapping',
};

const UNKNOWN_KIND = `file of unknown kind: model files are app.yaml, modules/<Module>/domain-model.yaml${Object.keys(UNIT_FOLDERS)
  .map((f, i, all) => `${i === all.length - 1 ? ' and' : ','} modules/<Module>/${f}/<Name>.${f === 'json-structures' ? 'json' : 'yaml'}`)
  .join('')}`;

function classify(rel: string): { kind: FileKind; module?: string; unit?: string } | undefined {
  const parts = rel.split('/');
  const base = (name: string) => name.replace(MODEL_EXT, '');
  if (parts.length === 1 && /^app\.(ya?ml|json)$/i.test(parts[0]!)) return { kind: 'app' };
  if (parts[0] !== 'modules' || parts.length < 3) return undefined;
  const module = parts[1]!;
  if (parts.length === 3 && /^domain-model\.(ya?ml|json)$/i.test(parts[2]!)) return { kind: 'domain-model', module, unit: 'domain-model' };
  const kind = parts.length === 4 && Object.hasOwn(UNIT_FOLDERS, parts[2]!) ? UNIT_FOLDERS[parts[2]!] : undefined;
  if (kind) return { kind, module, unit: base(parts[3]!) };
  return undefined;
}

function walk(root: string): string[] {
  const out: string[] = [];
  function rec(dir: string): void {
    const items = readdirSync(dir, { withFileTypes: true });
    for (const it of items) {
      if (it.name.startsWith('.') || it.name === 'node_modules') continue;
      const full = join(dir, it.name);
      if (it.isDirectory()) rec(full);
      else if (it.isFile()) out.push(relative(root, full).split(sep).join('/'));
    }
  }
  rec(root);
  return out.sort();
}
