import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT, runKiln } from '../support/cli.js';

const HOOK = pathToFileURL(join(ROOT, 'test', 'support', 'module-log', 'register.mjs')).href;
const DRIVERS = ['pg', 'mysql2', 'better-sqlite3'] as const;

/** Runs the built `kiln` with a hook recording every module it loads; returns the drivers among them. */
async function driversLoadedBy(args: string[]): Promise<string[]> {
  const log = join(mkdtempSync(join(tmpdir(), 'kiln-modules-')), 'modules.txt');
  const r = await runKiln(args, { NODE_OPTIONS: `--import ${HOOK}`, KILN_MODULE_LOG: log });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  const loaded = readFileSync(log, 'utf8').split('\n');
  // The hook works: the CLI's own modules are in the list.
  expect(loaded.some((m) => /\/dist\/(cli\/main\.js|bundle\/main\.cjs)$/.test(m))).toBe(true);
  return DRIVERS.filter((d) => loaded.some((m) => m.includes(`/node_modules/${d}/`)));
}

/** Database drivers are imported by a dialect's `open`, when a database of that kind is opened. */
describe('database drivers', () => {
  it('are not loaded by kiln check', async () => {
    expect(await driversLoadedBy(['check', 'examples/employees'])).toEqual([]);
  });

  it('are loaded one at a time: the one of the database opened', async () => {
    expect(await driversLoadedBy(['ddl', 'examples/employees', '--db', 'sqlite::memory:'])).toEqual(['better-sqlite3']);
  });
});
