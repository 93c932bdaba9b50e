import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { clusterApp } from '../cluster/app.js';
import { ROOT, runKiln, startKiln } from '../support/cli.js';
import { freshDatabase } from '../support/databases.js';

const CHECKED = 'Employees: 1 entity, 1 microflow, 2 pages; no errors';

/** The code cache files bin/kiln.js keeps under a cache home. */
const cacheFiles = (home: string): string[] => {
  const dir = join(home, 'kiln', 'code');
  return existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : [];
};

/**
 * bin/kiln.js compiles the CLI bundle with V8's code cache of an earlier start of the same
 * command (kept under $XDG_CACHE_HOME/kiln/code), unless KILN_CODE_CACHE=0. A cache never
 * changes what the CLI does: a missing, used, foreign or damaged one gives the same output, and
 * modules outside the bundle (an app's action files, esbuild) are imported from a start whose
 * code came from the cache as from one without.
 */
describe.skipIf(!existsSync(join(ROOT, 'dist', 'bundle', 'main.cjs')))('the CLI bundle’s code cache', () => {
  it('is made by the first start, used by the next, and made anew when it is damaged', async () => {
    const home = mkdtempSync(join(tmpdir(), 'kiln-code-cache-'));
    const env = { XDG_CACHE_HOME: home };

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
    await runKiln(['check', 'examples/employees'], { XDG_CACHE_HOME: home });
    const schema = await runKiln(['schema', mkdtempSync(join(tmpdir(), 'kiln-schema-'))], { XDG_CACHE_HOME: home });
    expect(schema.code, schema.stderr).toBe(0);
    expect(cacheFiles(home)).toHaveLength(2);

    // A file where the cache folder should be: nothing can be written, the check still runs.
    const blocked = mkdtempSync(join(tmpdir(), 'kiln-code-cache-'));
    writeFileSync(join(blocked, 'kiln'), 'not a folder');
    const r = await runKiln(['check', 'examples/employees'], { XDG_CACHE_HOME: blocked });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(CHECKED);
  });

  it('is not used for another build of the bundle (V8 would take it: it checks only the length), and is replaced in the same file', async () => {
    const home = mkdtempSync(join(tmpdir(), 'kiln-code-cache-'));
    const env = { XDG_CACHE_HOME: home };
    expect((await runKiln(['check', 'examples/employees'], env)).code).toBe(0);
    const [file] = cacheFiles(home);
    const made = readFileSync(file!);
    // The first line names the build (the bundle's size and time): another one, of the same length.
    const eol = made.indexOf(10);
    const stamp = made.subarray(0, eol).toString('latin1');
    expect(stamp).toMatch(/^kiln-code-cache \d+ [\d.]+$/);
    const other = stamp.replace(/\d(?=\s|$)/, (d) => String((Number(d) + 1) % 10));
    expect(other).not.toBe(stamp);
    writeFileSync(file!, Buffer.concat([Buffer.from(other, 'latin1'), made.subarray(eol)]));
    const r = await runKiln(['check', 'examples/employees'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(CHECKED);
    expect(cacheFiles(home)).toEqual([file]);
    expect(readFileSync(file!).subarray(0, eol).toString('latin1')).toBe(stamp);
  });

  it('is not made with KILN_CODE_CACHE=0', async () => {
    const home = mkdtempSync(join(tmpdir(), 'kiln-code-cache-'));
    const r = await runKiln(['check', 'examples/employees'], { XDG_CACHE_HOME: home, KILN_CODE_CACHE: '0' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(CHECKED);
    expect(cacheFiles(home)).toEqual([]);
  });

  it("lets a restart from the cache import an app's action file and compile its TypeScript JavaScript action", async () => {
    const home = mkdtempSync(join(tmpdir(), 'kiln-code-cache-'));
    const db = await freshDatabase('postgres');
    // The cluster app: its after-startup microflow calls the action modules/MyFirstModule/actions/Sleep.mjs
    // (imported at start-up) and then records an Employee "startup".
    const app = clusterApp();
    const js = join(app.dir, 'modules', 'MyFirstModule', 'javascript');
    mkdirSync(js, { recursive: true });
    // Compiled for the browser with esbuild (imported from its package) at start-up.
    writeFileSync(join(js, 'Shout.ts'), 'export default function shout(args: { Text: string }): string {\n  return args.Text.toUpperCase();\n}\n');
    const deployments = mkdtempSync(join(tmpdir(), 'kiln-code-cache-run-'));
    const start = (n: number, env: Record<string, string>) =>
      startKiln([app.dir, '--db', db.url, '--deployment-dir', join(deployments, `d${n}`)], { XDG_CACHE_HOME: home, ...env });
    try {
      const first = await start(1, {});
      expect(await first.stop()).toBe(0);
      const [file, ...more] = cacheFiles(home);
      expect(more).toEqual([]);
      const made = readFileSync(file!);

      // KILN_CODE_CACHE=1 (the former opt-in) is not taken for an unknown setting.
      const second = await start(2, { KILN_CODE_CACHE: '1' });
      expect(await second.stop(), second.output()).toBe(0);
      expect(second.output()).not.toContain('dynamic import');
      // The second start used the cache (V8 accepted it: it was not made anew).
      expect(readFileSync(file!).equals(made)).toBe(true);

      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        const { rows } = await c.query(`SELECT COUNT(*)::int AS n FROM "myfirstmodule$employee" WHERE "lastname" = 'startup'`);
        expect(rows[0].n).toBe(2);
      } finally {
        await c.end();
      }
    } finally {
      app.remove();
      rmSync(deployments, { recursive: true, force: true });
      await db.drop();
    }
  }, 120_000);
});
