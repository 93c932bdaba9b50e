export * from './diagnostics.js';
export * from './compiled/types.js';
export { compileApp, type ModelCheck, type CompileResult, type CompileOptions } from './compiled/compile.js';
export { qualify, tableName } from './compiled/compile-domain.js';
export { loadAppFolder, type LoadedApp } from './load/load-app.js';
export { SourceFile } from './load/source-file.js';
export { SYSTEM_MODULE } from './system-module.js';

import { loadAppFolder } from './load/load-app.js';
import { compileApp, type CompileOptions, type CompileResult } from './compiled/compile.js';

/** Loads and checks an app folder in one step. */
export async function loadModel(dir: string, options: CompileOptions = {}): Promise<CompileResult> {
  return compileApp(await loadAppFolder(dir), options);
}
