// Loaded with `node --import`: records every module the process resolves
// (ESM imports through the hooks below; CommonJS files from require.cache at
// exit) in the file named by KILN_MODULE_LOG, one URL or path a line.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const out = process.env.KILN_MODULE_LOG;
if (out) {
  register('./hooks.mjs', import.meta.url, { data: { out } });
  const require = createRequire(import.meta.url);
  process.on('exit', () =>
    appendFileSync(
      out,
      Object.keys(require.cache)
        .map((f) => `${f}\n`)
        .join(''),
    ),
  );
}
