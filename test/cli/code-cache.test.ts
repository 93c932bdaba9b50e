import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runKiln } from '../support/cli.js';

const CHECKED = 'Employees: 1 entity, 1 microflow, 2 pages; no errors';

/** The code cache files bin/kiln.js keeps under a cache home. */
const cacheFiles = (home: string): string[] => {
  const dir = join(home, 'kiln', 'code');
  return existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : [];
};

/**
 * bin/kiln.js compiles the CLI bundle with V8's code cache of an earlier start of the same
 * command (kept under $XDG_CACHE_HOME/kiln/code). A cache never changes what the CLI does:
 * a missing, used, foreign or damaged one gives the same output.
 */
describe.skipIf(!existsSync(join(ROOT, 'dist', 'bundle', 'main.cjs')))('the CLI bundle’s code cache', () => {
  it('is made by the first start, used by the next, and made anew when it is damaged', async () => {
    const home = mkdtempSync(join(tmpdir(), 'kiln-code-cache-'));
    const env = { XDG_CACHE_HOME: home, KILN_CODE_CACHE: '1' };

    const first = await runKiln(['check', 'examples/employees'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(CHECKED);
    const [file, ...more] = cacheFiles(home);
    expect(more).toEqual([]);
    expect(statSync(file!).mode & 0o777).toBe(0o600);
    const made = readFileSync(file!);
    expect(made.length).toBeGreaterThan(100_000);
    const { ino } = statSync(file!);

    // Used, not written again.
    const second = await runKiln(['check', 'examples/employees'], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(CHECKED);
    expect(readFileSync(file!).equals(made)).toBe(true);
    expect(statSync(file!).ino).toBe(ino); // a new cache is written to a new file and renamed

    // Damaged (V8 rejects it): the CLI compiles without it, works, and writes a good one.
    writeFileSync(file!, Buffer.alloc(made.length, 7));
    const third = await runKiln(['check', 'examples/employees'], env);
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).toContain(CHECKED);
    const remade = readFileSync(file!);
    expect(remade.every((b) => b === 7)).toBe(false);
    expect(remade.length).toBeGreaterThan(100_000);
  });

  it('is kept per command, and a cache folder that cannot be written only goes without', async () => {
    const home = mkdtempSync(join(tmpdir(), 'kiln-code-cache-'));
    await runKiln(['check', 'examples/employees'], { XDG_CACHE_HOME: home, KILN_CODE_CACHE: '1' });
    const schema = await runKiln(['schema', mkdtempSync(join(tmpdir(), 'kiln-schema-'))], { XDG_CACHE_HOME: home, KILN_CODE_CACHE: '1' });
    expect(schema.code, schema.stderr).toBe(0);
    expect(cacheFiles(home)).toHaveLength(2);

    // A file where the cache folder should be: nothing can be written, the check still runs.
    const blocked = mkdtempSync(join(tmpdir(), 'kiln-code-cache-'));
    writeFileSync(join(blocked, 'kiln'), 'not a folder');
    const r = await runKiln(['check', 'examples/employees'], { XDG_CACHE_HOME: blocked, KILN_CODE_CACHE: '1' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(CHECKED);
  });
});
