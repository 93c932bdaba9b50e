export * from './diagnostics.js';
export * from './compiled/types.js';
export type { CompileResult, CompileOptions } from './compiled/compile.js';

import { loadAppFolder, type LoadOptions } from './load/load-app.js';
import { compileApp, type CompileOptions, type CompileResult } from './compiled/compile.js';

/**
 * Loads and checks an app folder in one step. The files' YAML trees (kept for the positions of
 * problems) are let go once the model is checked; a later problem parses its file again.
 */
export async function loadModel(dir: string, options: CompileOptions & LoadOptions = {}): Promise<CompileResult> {
  const loaded = await loadAppFolder(dir, options);
  const result = compileApp(loaded, options);
  for (const f of loaded.files) f.releaseTree();
  loaded.app?.releaseTree();
  return result;
}
