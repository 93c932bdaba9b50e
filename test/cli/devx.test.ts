import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { modelChecks } from '../../src/app/model-checks.js';
import { createLogger, prettyStream } from '../../src/core/logger.js';
import { formatDiagnostic, loadModel } from '../../src/model/index.js';
import { ROOT, startKiln } from '../support/cli.js';

/** A copy of examples/sales with app.yaml / the domain model edited. */
function salesWith(edit: { app?: (t: string) => string; domain?: (t: string) => string }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-sales-'));
  cpSync(join(ROOT, 'examples', 'sales'), dir, { recursive: true });
  for (const [file, fn] of [
    ['app.yaml', edit.app],
    ['modules/Sales/domain-model.yaml', edit.domain],
  ] as const) {
    if (!fn) continue;
    const before = readFileSync(join(dir, file), 'utf8');
    const after = fn(before);
    if (after === before) throw new Error(`the edit of ${file} changed nothing`);
    writeFileSync(join(dir, file), after);
  }
  return dir;
}

const problems = async (dir: string) => (await loadModel(dir, { checks: modelChecks() })).diagnostics.map(formatDiagnostic);
const demo = (entity: string) => (t: string) =>
  t.replace('  passwordPolicy:', `  demoUsers: [{ name: demo_customer, password: "Demo1234", roles: [Customer], entity: ${entity} }]\n  passwordPolicy:`);

describe('model gaps', () => {
  it('XPath accepts the short association names the rest of the model accepts', async () => {
    const dir = salesWith({
      domain: (t) => t.replace('xpath: "[Sales.Order_Customer = \'[%CurrentUser%]\']"', 'xpath: "[Order_Customer = \'[%CurrentUser%]\']"'),
    });
    expect(await problems(dir)).toEqual([]);
  });

  it('demo users may be of an app entity specialising System.User; others are refused', async () => {
    expect(await problems(salesWith({ app: demo('Sales.Customer') }))).toEqual([]);
    expect(await problems(salesWith({ app: demo('Sales.Order') }))).toEqual([
      expect.stringContaining('security.demoUsers.0.entity: Sales.Order does not specialise System.User'),
    ]);
    expect(await problems(salesWith({ app: demo('Sales.Custmer') }))).toEqual([
      expect.stringContaining("unknown entity 'Sales.Custmer' (did you mean 'Sales.Customer'?)"),
    ]);
  });

  it('kiln run creates such a demo user as that entity, and --host sets the listening address', async () => {
    const dir = salesWith({ app: demo('Sales.Customer') });
    const dep = mkdtempSync(join(tmpdir(), 'kiln-dep-'));
    // KILN_HOST=0.0.0.0 would be refused (default administrator password): the flag wins.
    const k = await startKiln([dir, '--deployment-dir', dep, '--host', '127.0.0.1'], { KILN_HOST: '0.0.0.0', KILN_HASH_ALGORITHM_COST: '4' });
    try {
      expect(k.output()).toContain('demo user created');
    } finally {
      expect(await k.stop()).toBe(0);
    }
    const file = readdirSync(dep, { recursive: true, encoding: 'utf8' }).find((f) => /\.(db|sqlite3?)$/.test(f));
    expect(file).toBeDefined();
    const db = new Database(join(dep, file!), { readonly: true });
    try {
      const row = db.prepare('SELECT u.id AS id FROM "system$user" u JOIN "sales$customer" c ON c.id = u.id WHERE u.name = ?').get('demo_customer');
      expect(row).toBeDefined();
    } finally {
      db.close();
    }
  });
});

describe('readable logs', () => {
  it('formats pino lines for a terminal: time, level, node, message, fields', async () => {
    const sink = new PassThrough();
    let text = '';
    sink.on('data', (d) => {
      text += d;
    });
    const log = createLogger('info', prettyStream(sink, false));
    log.child({ node: 'Jetty' }).info({ port: 8080 }, 'listening');
    await new Promise((r) => setTimeout(r, 20));
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: Jetty: listening \{"port":8080\}\n$/);
  });
});
