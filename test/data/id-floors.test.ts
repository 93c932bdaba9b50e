import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, freshDatabase, type TestDatabase } from '../support/databases.js';
import { commitObjects, createIdGenerator, createObject, openDatabase, quoteIdentifier, syncSchema, type Database } from '../../src/data/index.js';
import type { CompiledModel } from '../../src/model/compiled/types.js';
import { ID_SEQUENCE_BITS } from '../../src/objects/values.js';
import { setValue } from '../../src/objects/mx-object.js';
import { modelOf, quietLog } from './support.js';

/** Three entities with an AutoNumber each, and one more without objects. */
const MODEL = `
entities:
  A: { attributes: { Num: AutoNumber, Name: String } }
  B: { attributes: { Num: AutoNumber } }
  C: { attributes: { Num: AutoNumber } }
  Empty: { attributes: { Num: AutoNumber } }
`;

/**
 * At start the id generator raises each entity's id counter and each AutoNumber counter to the
 * highest value stored, so a reservation lost with a rolled-back transaction never hands out a
 * value twice. It reads those maxima for all entities in one statement.
 */
describe.each(DIALECTS)('id and AutoNumber counters at start on %s', (dialect) => {
  let t: TestDatabase;
  let db: Database;
  let model: CompiledModel;

  beforeAll(async () => {
    t = await freshDatabase(dialect);
    model = await modelOf(MODEL);
    db = await openDatabase(t.url, { log: quietLog });
    await syncSchema(db, model, { allowDestructive: false, log: quietLog });
  });
  afterAll(async () => {
    await db?.close();
    await t?.drop();
  });

  it('start above the highest stored values even when the counters were set back, with one statement for the maxima', async () => {
    const ids = await createIdGenerator(db, model);
    const made: Record<string, { id: bigint; num: bigint }[]> = { A: [], B: [], C: [] };
    for (const [name, n] of [
      ['A', 5],
      ['B', 2],
      ['C', 1],
    ] as const) {
      const objs = [];
      for (let i = 0; i < n; i++) objs.push(await createObject(model, `T.${name}`, ids));
      if (name === 'A') for (const o of objs) setValue(o, 'Name', 'x');
      await commitObjects(db, model, objs);
      made[name] = objs.map((o) => ({ id: o.id, num: o.values.get('Num') as bigint }));
    }
    // A reservation lost (as a rolled-back transaction on SQLite loses it): the counters go back to 0.
    const quote = (n: string) => quoteIdentifier(db.dialect, n);
    await db.execute(`UPDATE ${quote('mendixsystem$entityidentifier')} SET ${quote('object_sequence')} = 0`, []);
    await db.execute(`UPDATE ${quote('mendixsystem$sequence')} SET ${quote('current_value')} = 0`, []);

    const statements: string[] = [];
    const off = db.onStatement((sql) => statements.push(sql));
    const again = await createIdGenerator(db, model);
    off();
    expect(statements.filter((s) => /MAX\(/i.test(s))).toHaveLength(2);

    const mask = (1n << ID_SEQUENCE_BITS) - 1n;
    for (const name of ['A', 'B', 'C'] as const) {
      const next = await createObject(model, `T.${name}`, again);
      const prev = made[name]!;
      expect(next.id & mask).toBe((prev[prev.length - 1]!.id & mask) + 1n);
      expect(next.values.get('Num')).toBe(prev[prev.length - 1]!.num + 1n);
    }
    const empty = await createObject(model, 'T.Empty', again);
    expect(empty.id & mask).toBe(1n);
    expect(empty.values.get('Num')).toBe(1n);
  });
});
