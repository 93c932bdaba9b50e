// Bundles the compiled CLI (dist/cli/main.js, from tsc) into dist/bundle/main.cjs, which
// bin/kiln.js runs when it is at least as new as dist/cli/main.js. Why: Node 20 loads an ES
// module graph file by file (resolve, stat, read, compile, link), and `kiln run` imports about
// 1,200 files (Kysely and TypeBox alone ship 500 ES modules): 0.4-0.6 s of a 0.9 s start-up.
//
// One CommonJS script rather than ES modules, because Node 20 can keep V8's compiled code of a
// script (vm.Script's code cache) but not of an ES module (module.enableCompileCache came with
// Node 22): bin/kiln.js compiles the bundle with the code cache of the previous start, which
// holds the bytecode of every function that start ran, so a restart neither parses 5 MB of
// JavaScript nor compiles its functions again. Lazily imported modules stay lazy: esbuild turns
// `import('./x.js')` into a call that evaluates the module on first use.
//
// The file is a function expression (banner and footer below) taking CommonJS's arguments and
// the bundle's URL, which stands for `import.meta.url` (the bundle sits two folders below the
// package root, as every dist/<component>/ file does, so paths made from it still resolve). Its
// text is ASCII only (comments are left out, strings escaped) so that the loader reads it as a
// one-byte string: UTF-8 text with a single other character would be held in memory at twice
// the size. Packages stay external when they are native (better-sqlite3, sharp), run code in
// worker threads by file (pino's transports through thread-stream, bcryptjs for the hash pool),
// or are loaded only when a feature is switched on (mysql2, the S3 client, OpenTelemetry). pg and
// pino are bundled: every `kiln run` on PostgreSQL loads them, and from node_modules they were
// 61 files resolved, read and compiled at each start (the code cache now keeps them); bundled,
// a package is still evaluated only when first required (esbuild's lazy module wrappers).
// esbuild runs its own binary found from its package folder (JavaScript actions are compiled
// with it at start-up): bundled, its API is not there (`transform is not a function`).
//
// No `import()` of an external module may stay in the bundle: bin/kiln.js compiles it with a code
// cache, and on Node 20 functions compiled from a code cache lose the dynamic-import callback
// ("A dynamic import callback was not specified" on the second start). Such imports go through
// src/core/import-external.ts, which calls the importer bin/kiln.js passes as the bundle
// function's `__kilnHostImport`; the build fails when esbuild reports another one.
import { readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const EXTERNAL = [
  'better-sqlite3',
  'sharp',
  'pg-native',
  'mysql2',
  'bcryptjs',
  'thread-stream',
  'bson',
  'esbuild',
  'tsx',
  'tsx/*',
  '@aws-sdk/*',
  '@opentelemetry/*',
  'prom-client',
  'esbuild',
];

const OUT = 'dist/bundle/main.cjs';
rmSync('dist/bundle', { recursive: true, force: true });
const result = await build({
  entryPoints: ['dist/cli/main.js'],
  outfile: OUT,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  sourcemap: true,
  // Whitespace and comments out (a smaller text to keep and hash), names kept (stack traces).
  minifyWhitespace: true,
  legalComments: 'none',
  charset: 'ascii',
  define: { 'import.meta.url': '__kilnImportMetaUrl' },
  banner: { js: '(function (exports, require, module, __filename, __dirname, __kilnImportMetaUrl, __kilnHostImport) {' },
  footer: { js: '})' },
  logLevel: 'warning',
  metafile: true,
});

const dynamic = result.metafile.outputs[OUT].imports.filter((i) => i.kind === 'dynamic-import' && i.external).map((i) => i.path);
if (dynamic.length) {
  throw new Error(`${OUT} imports external modules with import(): ${dynamic.join(', ')}; load them with importExternal (src/core/import-external.ts)`);
}

const text = readFileSync(OUT);
const at = text.findIndex((b) => b > 0x7f);
if (at >= 0) throw new Error(`${OUT} is not ASCII at byte ${at}: bin/kiln.js reads it as Latin-1`);
