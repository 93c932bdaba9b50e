import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The dependency direction of docs/architecture.md, enforced: a folder of src/
 * may import only folders on a lower floor (or its own). A new import that runs
 * back up, or a new folder not placed on a floor, fails here.
 */
const FLOORS: readonly (readonly string[])[] = [
  // The ground floor, in three steps: the model, values and objects, then logging, settings and the component contract.
  ['model'],
  ['objects'],
  ['core'],
  ['data', 'http', 'import'],
  ['security'],
  ['query'],
  ['logic', 'client-api', 'files'],
  ['web-client', 'cluster', 'admin'],
  ['integration', 'background'], // published and consumed services: uses the engine, the client API's rules, and the client's page policy
  ['app'], // the composition root: the only folder that knows every component
  ['cli'],
];

const SRC = resolve(__dirname, '../../src');
const floorOf = new Map<string, number>();
FLOORS.forEach((names, i) => {
  for (const n of names) floorOf.set(n, i);
});

function* tsFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* tsFiles(p);
    else if (p.endsWith('.ts')) yield p;
  }
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)|declare module '(\.[^']+)'/g;

function folderOf(file: string): string {
  return relative(SRC, file).split(sep)[0]!;
}

function edges(): { from: string; to: string; file: string }[] {
  const out: { from: string; to: string; file: string }[] = [];
  for (const file of tsFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(SRC + sep)) continue;
      const from = folderOf(file);
      const to = folderOf(target);
      if (from !== to) out.push({ from, to, file: relative(SRC, file) });
    }
  }
  return out;
}

describe('layers of src/', () => {
  it('places every folder of src/ on a floor', () => {
    const folders = readdirSync(SRC).filter((n) => statSync(join(SRC, n)).isDirectory());
    expect(folders.filter((f) => !floorOf.has(f))).toEqual([]);
  });

  it('has no import from a folder to one on its own floor or above (so no cycle)', () => {
    const upward = edges()
      .filter((e) => floorOf.get(e.to)! >= floorOf.get(e.from)!)
      .map((e) => `${e.file} imports ${e.to}/`);
    expect(upward).toEqual([]);
  });

  it('recognises an upward import (the check itself works)', () => {
    const text = "import { x } from '../app/runtime.js';\nexport { y } from './z.js';";
    const found = [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3]);
    expect(found).toEqual(['../app/runtime.js', './z.js']);
  });
});
