import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/data/index.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { quietLog } from './support.js';

/**
 * PostgreSQL's data statements run as named prepared statements whose row shape is learnt
 * from the first execution on each connection: later executions send no Describe (and get no
 * RowDescription back). What the caller sees must not change: the same rows, typed the same,
 * row counts, errors, and a statement that stays usable after a failure.
 */
describe('PostgreSQL prepared statements without a Describe per execution', () => {
  let t: TestDatabase;
  let db: Database;
  // Every Describe any pg connection of this test file sends (the real connection's own method, counted).
  let describes = 0;
  const describe0 = pg.Connection.prototype.describe;

  beforeAll(async () => {
    pg.Connection.prototype.describe = function (this: pg.Connection, ...args: Parameters<typeof describe0>) {
      describes++;
      return describe0.apply(this, args);
    };
    t = await freshDatabase('postgres');
    db = await openDatabase(t.url, { log: quietLog, poolSize: 1 });
    await db.execute('CREATE TABLE tv (id BIGINT PRIMARY KEY, n NUMERIC(20,4), ts TIMESTAMP, b BOOLEAN, s VARCHAR(50), i INT, bin BYTEA)', []);
    await db.execute('INSERT INTO tv (id, n, ts, b, s, i, bin) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      9007199254740993n,
      '12.5',
      new Date(Date.UTC(2026, 11, 5, 4, 30, 1, 250)),
      true,
      'één',
      42,
      Buffer.from([0, 1, 254]),
    ]);
    await db.execute('INSERT INTO tv (id, n, ts, b, s, i, bin) VALUES ($1, $2, $3, $4, $5, $6, $7)', [2n, null, null, false, null, -7, null]);
  });
  afterAll(async () => {
    pg.Connection.prototype.describe = describe0;
    await db?.close();
    await t?.drop();
  });

  const SELECT_ALL = 'SELECT id, n, ts, b, s, i, bin FROM tv WHERE id >= $1 ORDER BY id';
  const EXPECTED = [
    { id: '2', n: null, ts: null, b: false, s: null, i: -7, bin: null },
    {
      id: '9007199254740993',
      n: '12.5000',
      ts: new Date(Date.UTC(2026, 11, 5, 4, 30, 1, 250)),
      b: true,
      s: 'één',
      i: 42,
      bin: Buffer.from([0, 1, 254]),
    },
  ];

  it('answers the same rows, typed the same, on the first and the later executions, describing once per connection', async () => {
    const before = describes;
    const first = await db.query(SELECT_ALL, [1]);
    const afterFirst = describes;
    const later = [await db.query(SELECT_ALL, [1]), await db.query(SELECT_ALL, [1]), await db.transaction((tx) => tx.query(SELECT_ALL, [1]))];
    expect(afterFirst - before).toBe(1);
    expect(describes).toBe(afterFirst);
    expect(first).toEqual(EXPECTED);
    for (const rows of later) expect(rows).toEqual(EXPECTED);
    // No rows is an empty list, with the shape known.
    expect(await db.query(SELECT_ALL, [10n ** 17n])).toEqual([]);
  });

  it('counts the rows of statements without rows, described once (no RowDescription to learn from)', async () => {
    const update = 'UPDATE tv SET s = $1 WHERE id = $2';
    const before = describes;
    expect(await db.execute(update, ['a', 2n])).toEqual({ affectedRows: 1 });
    expect(await db.execute(update, ['b', 3n])).toEqual({ affectedRows: 0 });
    expect(await db.execute('UPDATE tv SET i = i + $1 WHERE id >= $2', [0, 1])).toEqual({ affectedRows: 2 });
    expect(await db.execute('UPDATE tv SET i = i + $1 WHERE id >= $2', [0, 1])).toEqual({ affectedRows: 2 });
    expect(describes - before).toBe(2);
    expect((await db.query<{ s: string }>('SELECT s FROM tv WHERE id = $1', [2n]))[0]!.s).toBe('a');
  });

  it('reads columns named as Object.prototype members as data, the same on later executions', async () => {
    const sql = 'SELECT s AS "__proto__", i AS "constructor", i AS "toString" FROM tv WHERE id = $1';
    for (let k = 0; k < 2; k++) {
      const [row] = await db.query<Record<string, unknown>>(sql, [2n]);
      expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
      expect(Object.keys(row!)).toEqual(['__proto__', 'constructor', 'toString']);
      expect(Object.getOwnPropertyDescriptor(row, '__proto__')?.value).toBe('a');
    }
  });

  it('reads the rows a write returns (RETURNING)', async () => {
    const sql = 'UPDATE tv SET i = i + $1 WHERE id = $2 RETURNING id, i';
    expect(await db.query(sql, [1, 2n])).toEqual([{ id: '2', i: -6 }]);
    expect(await db.query(sql, [1, 2n])).toEqual([{ id: '2', i: -5 }]);
  });

  it('keeps a statement usable after it failed (unique violation), and fails with the database error', async () => {
    const insert = 'INSERT INTO tv (id, s) VALUES ($1, $2)';
    await db.execute(insert, [100n, 'x']);
    await expect(db.execute(insert, [100n, 'again'])).rejects.toThrow(/unique|duplicate/i);
    await db.execute(insert, [101n, 'y']);
    expect(await db.query('SELECT id, s FROM tv WHERE id IN ($1, $2) ORDER BY id', [100n, 101n])).toEqual([
      { id: '100', s: 'x' },
      { id: '101', s: 'y' },
    ]);
  });

  it('fails once when the result type of a statement changed under it (never read with the old shape), then reads the new type', async () => {
    // In transactions: a connection that saw a statement fail stays in the pool (a pooled
    // statement's failure drops its connection, so a new one would parse the statement anew).
    const sql = 'SELECT i FROM tv WHERE id = $1';
    const read = () => db.transaction((tx) => tx.query(sql, [2n]));
    expect(await read()).toEqual([{ i: -5 }]);
    await db.execute('ALTER TABLE tv ALTER COLUMN i TYPE VARCHAR(20)', []);
    await expect(read()).rejects.toThrow(/result type/);
    expect(await read()).toEqual([{ i: '-5' }]);
    expect(await read()).toEqual([{ i: '-5' }]);
  });
});
