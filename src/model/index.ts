export * from './diagnostics.js';
export * from './compiled/types.js';
export type { CompileResult, CompileOptions } from './compiled/compile.js';

import { loadAppFolder } from './load/load-app.js';
import { compileApp, type CompileOptions, type CompileResult } from './compiled/compile.js';

/** Loads and checks an app folder in one step. */
export async function loadModel(dir: string, options: CompileOptions = {}): Promise<CompileResult> {
  return compileApp(await loadAppFolder(dir), options);
}
