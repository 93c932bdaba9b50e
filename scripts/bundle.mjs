// Bundles the compiled CLI (dist/cli/main.js, from tsc) into dist/bundle/, which bin/kiln.js
// runs when it is at least as new as dist/cli/main.js. Why: Node 20 loads an ES module graph
// file by file (resolve, stat, read, compile, link), and `kiln run` imports about 1,200 files
// (Kysely and TypeBox alone ship 500 ES modules): 0.4-0.6 s of a 0.9 s start-up. One bundle
// with a chunk per lazily imported module keeps those imports lazy and starts in a fraction.
//
// The bundle sits two folders below the package root, as every dist/<component>/ file does, so
// paths made from import.meta.url (client/dist, package.json) still resolve. Packages stay
// external when they are native (better-sqlite3, sharp), run code in worker threads by file
// (pino's transports, bcryptjs for the hash pool), are database drivers (imported by a dialect
// when its database is opened) or are loaded only when a feature is switched on. esbuild runs its
// own binary found from its package folder (JavaScript actions are compiled with it at start-up):
// bundled, its API is not there (`transform is not a function`).
import { build } from 'esbuild';

const EXTERNAL = [
  'better-sqlite3',
  'sharp',
  'pg',
  'pg-native',
  'mysql2',
  'bcryptjs',
  'pino',
  'thread-stream',
  'bson',
  'tsx',
  'tsx/*',
  '@aws-sdk/*',
  '@opentelemetry/*',
  'prom-client',
  'esbuild',
];

await build({
  entryPoints: ['dist/cli/main.js'],
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  sourcemap: true,
  // CommonJS packages inside the bundle call require() for Node's modules.
  banner: { js: "import { createRequire as __kilnCreateRequire } from 'node:module'; const require = __kilnCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
