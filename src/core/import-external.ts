/**
 * `import()` of a module outside Kiln's own code: a package left out of the CLI bundle (sharp,
 * esbuild, tsx) or an app's file (a Java/JavaScript action). bin/kiln.js compiles the bundle
 * with V8's code cache, and on Node 20 functions compiled from a code cache lose the script's
 * dynamic-import callback ("A dynamic import callback was not specified"), so inside the bundle
 * such an import goes through the importer bin/kiln.js passes in (`__kilnHostImport`, a
 * parameter of the bundle's function, see scripts/bundle.mjs), whose own code is not cached.
 * Run from tsc's output or the sources (tests), there is no such parameter and the module
 * imports it itself. scripts/bundle.mjs fails the build when an `import()` of an external
 * module is left in the bundle outside this function.
 */
declare const __kilnHostImport: ((specifier: string) => Promise<unknown>) | undefined;

export function importExternal<T>(specifier: string): Promise<T> {
  return (typeof __kilnHostImport === 'function' ? __kilnHostImport(specifier) : import(specifier)) as Promise<T>;
}
