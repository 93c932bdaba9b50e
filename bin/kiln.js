#!/usr/bin/env node
// The package is built by `npm install` (prepare); this shim only loads the compiled CLI: the
// bundle of scripts/bundle.mjs (one script instead of ~1,200 modules: a faster start) when it was
// made from the current dist/ (tsc rewrites dist/cli/main.js at every build), else tsc's output.
//
// The bundle is compiled with V8's code cache of an earlier start of the same command (kept in
// the user's cache folder, `$XDG_CACHE_HOME/kiln/code` or `~/.cache/kiln/code`, private to the
// user): the bytecode of every function that start ran, so a restart skips parsing and compiling
// them (about a third of `kiln run`'s CPU time before it serves). The cache's name holds the
// bundle's path, Node's version and the command, its first line the bundle's size and time; V8
// rejects a cache made by other V8 flags, and a cache that does not fit is not used: the bundle
// then compiles as without one and the cache is made anew, in the same file. A cache that cannot be read or written is not used; KILN_CODE_CACHE=0 turns it off.
//
// On Node 20 functions compiled from a code cache lose the script's dynamic-import callback, so
// the bundle has no `import()` of its own (scripts/bundle.mjs checks): it imports modules outside
// it through `hostImport` below, this file's own `import()`, which is not compiled from the cache.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { Module } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';

const stat = (path) => statSync(fileURLToPath(new URL(path, import.meta.url)), { throwIfNoEntry: false });
const bundle = stat('../dist/bundle/main.cjs');
const useBundle = bundle !== undefined && bundle.mtimeMs >= (stat('../dist/cli/main.js')?.mtimeMs ?? -1);
const args = process.argv.slice(2);

(useBundle ? Promise.resolve(runBundle(bundle)) : import('../dist/cli/main.js'))
  .then((m) => m.main(args))
  .then(
    (code) => {
      if (typeof code === 'number') process.exitCode = code;
    },
    (err) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    },
  );

/** Compiles and evaluates dist/bundle/main.cjs as a CommonJS module (with the code cache, when there is one); returns its exports. */
function runBundle(st) {
  const filename = fileURLToPath(new URL('../dist/bundle/main.cjs', import.meta.url));
  const cache = codeCacheFile(filename, st);
  const cacheFile = cache?.file;
  let cachedData;
  try {
    const data = cacheFile ? readFileSync(cacheFile) : undefined;
    // Made for this very bundle (its size and time, in the file's first bytes): else as none.
    if (data?.subarray(0, cache.stamp.length).equals(cache.stamp)) cachedData = data.subarray(cache.stamp.length);
  } catch {
    // No cache yet.
  }
  // ASCII (checked by scripts/bundle.mjs): Latin-1 reads it as a one-byte string, without decoding.
  const script = new vm.Script(readFileSync(filename, 'latin1'), {
    filename,
    ...(cachedData ? { cachedData } : {}),
  });
  const mod = new Module(filename);
  mod.filename = filename;
  mod.paths = Module._nodeModulePaths(dirname(filename));
  Module._cache[filename] = mod;
  script.runInThisContext()(mod.exports, Module.createRequire(filename), mod, filename, dirname(filename), pathToFileURL(filename).href, hostImport);
  mod.loaded = true;
  if (cacheFile && (!cachedData || script.cachedDataRejected)) {
    // Made once start-up's functions have run: after 5 s (a server's start), or at exit (a command's end).
    let saved = false;
    const save = () => {
      if (saved) return;
      saved = true;
      try {
        mkdirSync(dirname(cacheFile), { recursive: true, mode: 0o700 });
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, Buffer.concat([cache.stamp, script.createCachedData()]), { mode: 0o600 });
        renameSync(tmp, cacheFile);
      } catch {
        // A read-only or full cache folder: the next start compiles without a cache.
      }
    };
    setTimeout(save, 5000).unref();
    process.once('exit', save);
  }
  return mod.exports;
}

/** The bundle's `import()` (src/core/import-external.ts): specifiers are package names or absolute file URLs, which resolve the same from here. */
function hostImport(specifier) {
  return import(specifier);
}

function codeCacheFile(filename, st) {
  if (process.env.KILN_CODE_CACHE === '0' || process.env.KILN_CODE_CACHE === 'false') return undefined;
  const base = process.env.XDG_CACHE_HOME || (homedir() ? join(homedir(), '.cache') : undefined);
  if (!base) return undefined;
  // One file per bundle path, command and Node: a rebuilt bundle's cache replaces the old one
  // instead of adding a file. The bundle's size and time head the file: V8 itself checks only
  // the source's length, so a cache of another build of the same length must not be given to it.
  const key = [filename, process.version, process.arch, args[0] ?? ''].join('\0');
  return {
    file: join(base, 'kiln', 'code', `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.bin`),
    stamp: Buffer.from(`kiln-code-cache ${st.size} ${st.mtimeMs}\n`, 'latin1'),
  };
}
