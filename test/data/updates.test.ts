import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, freshDatabase, type DialectName, type TestDatabase } from '../support/databases.js';
import {
  commitObjects,
  createIdGenerator,
  createObject,
  openDatabase,
  retrieveByIds,
  syncSchema,
  type Database,
  type IdGenerator,
} from '../../src/data/index.js';
import type { CompiledModel } from '../../src/model/compiled/types.js';
import { setValue } from '../../src/objects/mx-object.js';
import { modelOf, quietLog } from './support.js';

// Updates are grouped by the set of columns that changed: with more columns
// than fit the bits of the grouping key, the grouping takes its other path.
const WIDE = 34;
const MODEL = `
entities:
  Wide:
    attributes:
      Name: String(50)
${Array.from({ length: WIDE }, (_, i) => `      A${i}: Integer`).join('\n')}
`;

describe.each(DIALECTS)('updates of an entity with %s columns past the grouping bits', (dialect) => {
  const s = synced(dialect, MODEL);

  it('writes only the changed columns, one statement per set of them (one per object on SQLite), and reads back exactly', async () => {
    const { db, model, ids, captured } = s;
    const objs: Awaited<ReturnType<typeof createObject>>[] = [];
    for (let k = 0; k < 6; k++) {
      const o = await createObject(model, 'T.Wide', ids);
      setValue(o, 'Name', `w${k}`);
      for (let i = 0; i < WIDE; i++) setValue(o, `A${i}`, k * 100 + i);
      objs.push(o);
    }
    await db.transaction((tx) => commitObjects(tx, model, objs));
    const loaded = await retrieveByIds(
      db,
      model,
      'T.Wide',
      objs.map((o) => o.id),
    );
    for (const o of loaded.slice(0, 3)) {
      setValue(o, 'A32', -1);
      setValue(o, 'A1', -2);
    }
    for (const o of loaded.slice(3, 5)) setValue(o, 'A33', -3);
    setValue(loaded[5]!, 'Name', 'renamed');
    setValue(loaded[5]!, 'A0', -4);
    captured.length = 0;
    await db.transaction((tx) => commitObjects(tx, model, loaded));
    const updates = captured.filter((s) => s.startsWith('UPDATE'));
    expect(updates).toHaveLength(dialect === 'sqlite' ? 6 : 3);
    for (const u of updates) expect(u).not.toMatch(/"a2"|"a31"/);

    const back = await retrieveByIds(
      db,
      model,
      'T.Wide',
      objs.map((o) => o.id),
    );
    const row = (k: number) => [
      back[k]!.values.get('Name'),
      back[k]!.values.get('A0'),
      back[k]!.values.get('A1'),
      back[k]!.values.get('A2'),
      back[k]!.values.get('A32'),
      back[k]!.values.get('A33'),
    ];
    expect(back.map((_, k) => row(k))).toEqual([
      ['w0', 0, -2, 2, -1, 33],
      ['w1', 100, -2, 102, -1, 133],
      ['w2', 200, -2, 202, -1, 233],
      ['w3', 300, 301, 302, 332, -3],
      ['w4', 400, 401, 402, 432, -3],
      ['renamed', -4, 501, 502, 532, 533],
    ]);
  });

  it('writes nothing when one object of a batch holds a value its column refuses', async () => {
    const { db, model, ids } = s;
    const objs: Awaited<ReturnType<typeof createObject>>[] = [];
    for (let k = 0; k < 3; k++) {
      const o = await createObject(model, 'T.Wide', ids);
      setValue(o, 'A5', k);
      objs.push(o);
    }
    await db.transaction((tx) => commitObjects(tx, model, objs));
    const loaded = await retrieveByIds(
      db,
      model,
      'T.Wide',
      objs.map((o) => o.id),
    );
    setValue(loaded[0]!, 'A5', 50);
    setValue(loaded[1]!, 'A5', 2 ** 31);
    setValue(loaded[2]!, 'A5', 52);
    await expect(db.transaction((tx) => commitObjects(tx, model, loaded))).rejects.toThrow('is not a 32-bit integer');
    const back = await retrieveByIds(
      db,
      model,
      'T.Wide',
      objs.map((o) => o.id),
    );
    expect(back.map((o) => o.values.get('A5'))).toEqual([0, 1, 2]);
  });
});

// The UPDATE of one object is compiled once per table and set of changed columns, then reused:
// each set gets its own text, the same set the same text, and two tables (of a generalization
// and its specialization, whose columns are numbered alike) never share one.
const NARROW = `
entities:
  Person:
    attributes:
      Name: String(50)
      Age: Integer
      City: String(50)
  Worker:
    generalization: Person
    attributes:
      Title: String(50)
      Level: Integer
`;

describe.each(DIALECTS)('updates of one object at a time on %s', (dialect) => {
  const s = synced(dialect, NARROW);

  it('sets only the changed columns of each table, whichever changed before, and reads back exactly', async () => {
    const { db, model, ids, captured } = s;
    const w = await createObject(model, 'T.Worker', ids);
    setValue(w, 'Name', 'Ann');
    setValue(w, 'Age', 30);
    setValue(w, 'City', 'Delft');
    setValue(w, 'Title', 'Cook');
    setValue(w, 'Level', 1);
    await db.transaction((tx) => commitObjects(tx, model, [w]));
    const steps: [Record<string, string | number>, string[]][] = [
      [{ Name: 'Bea' }, ['"name"']],
      [{ Age: 31, Level: 2 }, ['"age"', '"level"']],
      [{ Name: 'Cas' }, ['"name"']],
      [{ City: 'Ede', Title: 'Chef' }, ['"city"', '"title"']],
      [{ Age: 32, Level: 3 }, ['"age"', '"level"']],
    ];
    const texts = new Map<string, string[]>();
    for (const [set, columns] of steps) {
      const [o] = await retrieveByIds(db, model, 'T.Worker', [w.id]);
      for (const [k, v] of Object.entries(set)) setValue(o!, k, v);
      captured.length = 0;
      await db.transaction((tx) => commitObjects(tx, model, [o!]));
      const updates = captured.filter((s) => s.startsWith('UPDATE'));
      // Each UPDATE names the columns of its own table only.
      const named = updates.flatMap((u) => u.match(/"(name|age|city|title|level)"/g) ?? []).sort();
      expect(named).toEqual([...columns].sort());
      const key = Object.keys(set).join();
      if (texts.has(key)) expect(updates).toEqual(texts.get(key));
      else texts.set(key, updates);
      const [back] = await retrieveByIds(db, model, 'T.Worker', [w.id]);
      for (const [k, v] of Object.entries(set)) expect(back!.values.get(k)).toBe(v);
    }
    const [last] = await retrieveByIds(db, model, 'T.Worker', [w.id]);
    expect(['Name', 'Age', 'City', 'Title', 'Level'].map((k) => last!.values.get(k))).toEqual(['Cas', 32, 'Ede', 'Chef', 3]);
  });
});

/** A fresh database of `dialect` synchronised with the model text, for the suite that calls it; its statements captured. */
function synced(dialect: DialectName, modelText: string): { db: Database; model: CompiledModel; ids: IdGenerator; readonly captured: string[] } {
  let t: TestDatabase | undefined;
  const s = { captured: [] as string[] } as { db: Database; model: CompiledModel; ids: IdGenerator; captured: string[] };
  beforeAll(async () => {
    t = await freshDatabase(dialect);
    s.model = await modelOf(modelText);
    s.db = await openDatabase(t.url, { log: quietLog });
    await syncSchema(s.db, s.model, { allowDestructive: false, log: quietLog });
    s.ids = await createIdGenerator(s.db, s.model);
    s.db.onStatement((sql) => s.captured.push(sql));
  });
  afterAll(async () => {
    await s.db?.close();
    await t?.drop();
  });
  return s;
}
