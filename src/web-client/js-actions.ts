import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { importExternal } from '../core/import-external.js';
import { UserError } from '../model/diagnostics.js';
import type { CompiledModel } from '../model/compiled/types.js';
import { nanoflowActivities } from '../model/compiled/nanoflow-activities.js';
import type { StaticFile } from './static-files.js';

/**
 * JavaScript actions of nanoflows, written in TypeScript (or JavaScript):
 * `modules/<Module>/javascript/<Name>.ts`, an ES module whose default export is the
 * action. Read and compiled for the browser once at start-up (esbuild strips the
 * types; nothing is bundled: an action imports nothing but what the browser has) and
 * served at `/js-actions/<Module>.<Name>.<hash>.js`, cached for a year.
 */
export interface JsActions {
  /** URL path -> file. */
  readonly files: ReadonlyMap<string, StaticFile>;
  /** Module.Name -> URL path. */
  readonly urls: ReadonlyMap<string, string>;
}

export async function loadJsActions(appDir: string, model: CompiledModel): Promise<JsActions> {
  const files = new Map<string, StaticFile>();
  const urls = new Map<string, string>();
  for (const module of model.app.modules) {
    const dir = join(appDir, 'modules', module, 'javascript');
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const f of names.sort()) {
      const ext = extname(f);
      if (!['.ts', '.mts', '.js', '.mjs'].includes(ext) || f.endsWith('.d.ts')) continue;
      const source = await readFile(join(dir, f), 'utf8');
      let code = source;
      if (ext === '.ts' || ext === '.mts') {
        const { transform } = await importExternal<typeof import('esbuild')>('esbuild');
        try {
          code = (await transform(source, { loader: 'ts', format: 'esm', target: 'es2022', sourcefile: f })).code;
        } catch (e) {
          throw new UserError(`the JavaScript action modules/${module}/javascript/${f} does not compile: ${(e as Error).message}`);
        }
      }
      const name = `${module}.${basename(f, ext)}`;
      const body = Buffer.from(code);
      const hash = createHash('sha256').update(body).digest('base64url').slice(0, 16);
      const url = `/js-actions/${name}.${hash}.js`;
      files.set(url, { body, type: 'text/javascript; charset=utf-8', etag: `"${hash}"`, cacheControl: 'public, max-age=31536000, immutable' });
      urls.set(name, url);
    }
  }
  // A nanoflow naming an action that is not there does not start (as a microflow's TypeScript action).
  for (const nf of model.nanoflows.values()) {
    for (const { a, key, path } of nanoflowActivities(nf.def.body, ['body'])) {
      if (key !== 'action') continue;
      const n = String((a.action as { name?: unknown }).name);
      const q = n.includes('.') ? n : `${nf.module}.${n}`;
      if (!urls.has(q))
        throw new UserError(
          `${nf.source.file.relPath} ${[...path, 'action', 'name'].join('.')}: unknown JavaScript action '${n}' (expected modules/${q.split('.')[0]}/javascript/${q.split('.')[1]}.ts)`,
        );
    }
  }
  return { files, urls };
}
