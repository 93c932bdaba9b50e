#!/usr/bin/env node
// The package is built by `npm install` (prepare); this shim only loads the compiled CLI: the
// bundle of scripts/bundle.mjs (one file instead of ~1,200 modules: a faster start) when it was
// made from the current dist/ (tsc rewrites dist/cli/main.js at every build), else tsc's output.
import { statSync } from 'node:fs';

const mtime = (path) => statSync(new URL(path, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? -1;
const bundle = mtime('../dist/bundle/main.js');
const entry = bundle >= 0 && bundle >= mtime('../dist/cli/main.js') ? '../dist/bundle/main.js' : '../dist/cli/main.js';

import(entry)
  .then((m) => m.main(process.argv.slice(2)))
  .then(
    (code) => {
      if (typeof code === 'number') process.exitCode = code;
    },
    (err) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    },
  );
