import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { modelChecks } from '../../src/app/model-checks.js';
import { loadModel } from '../../src/model/index.js';
import { writeApp } from '../support/app-folder.js';

const DOMAIN = (attr: string) => `moduleRoles: [User]
entities:
  Order:
    attributes:
      ${attr}: Decimal
`;
const FLOW = `parameters: { Order: M.Order }
returns: Boolean
body:
  # the check below points into this expression
  - return: "$Order/Total >= 0"
`;

/**
 * kiln check, run and dev keep each model file's parsed data in a cache keyed by the file's text
 * (src/model/load/parse-cache.ts) and parse only what changed; a problem in an unchanged file is
 * still reported where it is.
 */
describe('the parse cache', () => {
  const app = () =>
    writeApp({
      'app.yaml': 'name: T\nversion: 1.0.0\nmodules: [M]\n',
      'modules/M/domain-model.yaml': DOMAIN('Total'),
      'modules/M/microflows/Check.yaml': FLOW,
    });
  const load = (dir: string, cacheDir?: string) =>
    loadModel(dir, { checks: modelChecks(), ...(cacheDir ? { parseCache: { dir: cacheDir, minBytes: 0 } } : {}) });

  it('reports a problem in an unchanged, cached file at the same place as a full parse', async () => {
    const dir = app();
    const cacheDir = mkdtempSync(join(tmpdir(), 'kiln-cache-'));
    expect((await load(dir, cacheDir)).diagnostics).toEqual([]);
    expect(readdirSync(cacheDir)).toHaveLength(1);
    // The domain model changes; the microflow's file does not, and now refers to a missing attribute.
    writeFileSync(join(dir, 'modules/M/domain-model.yaml'), DOMAIN('Amount'));
    const cached = await load(dir, cacheDir);
    const full = await load(dir);
    expect(cached.diagnostics.length).toBeGreaterThan(0);
    expect(cached.diagnostics).toEqual(full.diagnostics);
    expect(cached.diagnostics.find((d) => d.file === 'modules/M/microflows/Check.yaml')).toMatchObject({ line: 5 });
  });

  it('takes an unchanged file from the cache and parses a changed one', async () => {
    const dir = app();
    const cacheDir = mkdtempSync(join(tmpdir(), 'kiln-cache-'));
    await load(dir, cacheDir);
    // What the cache holds for the microflow is what a load uses while the text is unchanged:
    // here, data changed behind the loader's back (the cache is the user's own folder).
    const file = join(cacheDir, readdirSync(cacheDir)[0]!);
    const stored = deserialize(readFileSync(file)) as { entries: Record<string, { data: { body: unknown[] } }> };
    stored.entries['modules/M/microflows/Check.yaml']!.data.body = [{ return: '$Order/Nothing >= 0' }];
    writeFileSync(file, serialize(stored));
    const fromCache = await load(dir, cacheDir);
    expect(fromCache.diagnostics.map((d) => d.message).join('\n')).toMatch(/Nothing/);
    // A change to the text (a comment) is a new hash: parsed again.
    writeFileSync(join(dir, 'modules/M/microflows/Check.yaml'), `# changed\n${FLOW}`);
    expect((await load(dir, cacheDir)).diagnostics).toEqual([]);
  });

  it('keeps no cache for a small app by default', async () => {
    const dir = app();
    const cacheDir = mkdtempSync(join(tmpdir(), 'kiln-cache-'));
    await loadModel(dir, { checks: modelChecks(), parseCache: { dir: cacheDir } });
    expect(readdirSync(cacheDir)).toEqual([]);
  });
});
