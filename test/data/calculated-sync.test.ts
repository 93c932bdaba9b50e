import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, freshDatabase, type TestDatabase } from '../support/databases.js';
import { openDatabase, syncSchema, type Database } from '../../src/data/index.js';
import { loadModel } from '../../src/model/index.js';
import type { CompiledModel } from '../../src/model/compiled/types.js';
import { writeApp } from '../support/app-folder.js';
import { quietLog } from './support.js';

/**
 * Schema synchronisation and calculated attributes (issue 22): a calculated
 * attribute gets no column; one that was stored before keeps its column and
 * data (nothing dropped, nothing reported lost), and becomes stored again
 * without a change.
 */
async function model(total: string, version: string): Promise<CompiledModel> {
  const { model: m, diagnostics } = await loadModel(
    writeApp({
      'app.yaml': `name: T\nversion: ${version}\nmodules: [T]\n`,
      'modules/T/domain-model.yaml': `entities:\n  Line:\n    attributes:\n      Quantity: Integer\n      Total: ${total}\n      Extra: { type: String, calculated: Line_Extra }\n`,
      'modules/T/microflows/Line_Total.yaml': 'parameters: { Line: T.Line }\nreturns: Integer\nbody:\n  - return: $Line/Quantity * 2\n',
      'modules/T/microflows/Line_Extra.yaml': 'parameters: { Line: T.Line }\nreturns: String\nbody:\n  - return: "\'x\'"\n',
    }),
  );
  if (!m) throw new Error(diagnostics.map((d) => `${d.path}: ${d.message}`).join('\n'));
  return m;
}

describe.each(DIALECTS)('calculated attributes and schema synchronisation on %s', (dialect) => {
  let t: TestDatabase;
  let db: Database;
  const sync = async (m: CompiledModel) => {
    await db.close();
    db = await openDatabase(t.url, { log: quietLog });
    return syncSchema(db, m, { allowDestructive: false, log: quietLog });
  };
  const columns = async () => Object.keys((await db.query<Record<string, unknown>>('SELECT * FROM "t$line"', []))[0]!).sort();

  beforeAll(async () => {
    t = await freshDatabase(dialect);
    db = await openDatabase(t.url, { log: quietLog });
  });
  afterAll(async () => {
    await db?.close();
    await t?.drop();
  });

  it('creates no column for a calculated attribute, and leaves the column of one that was stored before', async () => {
    const first = await sync(await model('Integer', '1.0.0'));
    expect(first.summary.join('\n')).not.toContain('extra');
    await db.execute('INSERT INTO "t$line" ("id", "quantity", "total") VALUES (1, 3, 42)', []);
    expect(await columns()).toEqual(['id', 'quantity', 'total']);

    const calc = await sync(await model('{ type: Integer, calculated: Line_Total }', '2.0.0'));
    expect(calc.summary.filter((s) => s.includes('total'))).toEqual([]);
    expect(await columns()).toEqual(['id', 'quantity', 'total']);
    const again = await sync(await model('{ type: Integer, calculated: Line_Total }', '2.0.0'));
    expect(again.statements).toEqual([]);

    const stored = await sync(await model('Integer', '3.0.0'));
    expect(stored.summary.filter((s) => s.includes('total'))).toEqual([]);
    const rows = await db.query<Record<string, unknown>>('SELECT "total" FROM "t$line"', []);
    expect(Number(rows[0]!.total)).toBe(42);
  });
});
