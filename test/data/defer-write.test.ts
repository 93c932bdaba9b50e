import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, TransactionAbortedError, UniqueViolationError, type Database } from '../../src/data/index.js';
import { DIALECTS, endServerProcess, freshDatabase, type DialectName, type TestDatabase } from '../support/databases.js';
import { quietLog } from './support.js';

/**
 * TransactionOptions.deferWrite (the client API's Save): the first write is held until the
 * callback's next statement or its end, and a transaction that is only that write sends it
 * alone. Whatever is sent, the transaction's contract holds: all or nothing, nothing when the
 * callback throws or the signal aborts first, the write's failure thrown by `transaction`.
 */
describe.each(DIALECTS)('a transaction that defers its write (%s)', (dialect) => {
  let t: TestDatabase;
  let db: Database;
  const seen: string[] = [];
  let n = 0;
  const insert = () => `INSERT INTO dw (id, v) VALUES (${db.dialect.placeholder(1)}, ${db.dialect.placeholder(2)})`;
  const write = (tx: { write?: (sql: string, p: readonly unknown[]) => Promise<void> }, id: number, v = 'x') => tx.write!(insert(), [id, v]);
  const rows = async (id: number) => (await db.query<{ v: string }>(`SELECT v FROM dw WHERE id = ${db.dialect.placeholder(1)}`, [id])).map((r) => r.v);
  /** The statements the callback's transaction sent (the test's own reads left out). */
  const during = async (fn: () => Promise<unknown>) => {
    seen.length = 0;
    const off = db.onStatement((sql) => seen.push(/^START TRANSACTION/i.test(sql) ? 'BEGIN' : sql.split(' ')[0]!.toUpperCase()));
    try {
      await fn();
    } finally {
      off();
    }
    return [...seen];
  };
  const pooled = dialect !== 'sqlite';
  const begin = dialect === 'sqlite' ? ['BEGIN', 'INSERT', 'COMMIT'] : ['INSERT'];

  beforeAll(async () => {
    ({ t, db } = await openDw(dialect));
  });
  afterAll(async () => {
    await db?.close();
    await t?.drop();
  });

  it('sends a transaction that is one write as that write alone (SQLite: BEGIN and COMMIT as before)', async () => {
    const id = ++n;
    const sent = await during(() => db.transaction((tx) => write(tx, id), { deferWrite: true }));
    expect(sent).toEqual(begin);
    expect(await rows(id)).toEqual(['x']);
  });

  it('sends nothing when the callback throws after the write, and the connection is clean', async () => {
    const id = ++n;
    const sent = await during(() =>
      db
        .transaction(
          async (tx) => {
            await write(tx, id);
            throw new Error('the answer could not be built');
          },
          { deferWrite: true },
        )
        .catch((e: Error) => e.message),
    );
    expect(sent).toEqual(pooled ? [] : ['BEGIN', 'INSERT', 'ROLLBACK']);
    expect(await rows(id)).toEqual([]);
    await db.transaction((tx) => write(tx, id, 'later'), { deferWrite: true });
    expect(await rows(id)).toEqual(['later']);
  });

  it('sends BEGIN, the held write and the next statement when another comes, and commits them together', async () => {
    const a = ++n;
    const b = ++n;
    let read: unknown[] = [];
    const sent = await during(() =>
      db.transaction(
        async (tx) => {
          await write(tx, a);
          read = await tx.query(`SELECT v FROM dw WHERE id = ${db.dialect.placeholder(1)}`, [a]);
          await write(tx, b);
        },
        { deferWrite: true },
      ),
    );
    expect(read).toEqual([{ v: 'x' }]);
    expect(sent).toEqual(['BEGIN', 'INSERT', 'SELECT', 'INSERT', 'COMMIT']);
    expect([...(await rows(a)), ...(await rows(b))]).toEqual(['x', 'x']);
  });

  it('sends reads before the first write alone, then the write alone (an edit: SELECT, UPDATE)', async () => {
    const id = ++n;
    await db.transaction((tx) => write(tx, id));
    let read: unknown[] = [];
    const sent = await during(() =>
      db.transaction(
        async (tx) => {
          read = await tx.query(`SELECT v FROM dw WHERE id = ${db.dialect.placeholder(1)}`, [id]);
          await tx.write!(`UPDATE dw SET v = ${db.dialect.placeholder(1)} WHERE id = ${db.dialect.placeholder(2)}`, ['y', id]);
        },
        { deferWrite: true },
      ),
    );
    expect(read).toEqual([{ v: 'x' }]);
    expect(sent).toEqual(pooled ? ['SELECT', 'UPDATE'] : ['BEGIN', 'SELECT', 'UPDATE', 'COMMIT']);
    expect(await rows(id)).toEqual(['y']);
  });

  it('begins with the held write once a second write comes after reads, and commits them together', async () => {
    const a = ++n;
    const b = ++n;
    const sent = await during(() =>
      db.transaction(
        async (tx) => {
          await tx.query('SELECT 1 AS one', []);
          await write(tx, a);
          await write(tx, b);
        },
        { deferWrite: true },
      ),
    );
    expect(sent).toEqual(pooled ? ['SELECT', 'BEGIN', 'INSERT', 'INSERT', 'COMMIT'] : ['BEGIN', 'SELECT', 'INSERT', 'INSERT', 'COMMIT']);
    expect([...(await rows(a)), ...(await rows(b))]).toEqual(['x', 'x']);
  });

  it('begins before a read that locks (FOR UPDATE), so that its lock lasts until the commit', async ({ skip }) => {
    if (!pooled) skip('SQLite has no FOR UPDATE (and begins at once)');
    const id = ++n;
    await db.transaction((tx) => write(tx, id));
    const sent = await during(() =>
      db.transaction(
        async (tx) => {
          await tx.query(`SELECT v FROM dw WHERE id = ${db.dialect.placeholder(1)} FOR UPDATE`, [id]);
          await tx.write!(`UPDATE dw SET v = ${db.dialect.placeholder(1)} WHERE id = ${db.dialect.placeholder(2)}`, ['z', id]);
        },
        { deferWrite: true },
      ),
    );
    expect(sent).toEqual(['BEGIN', 'SELECT', 'UPDATE', 'COMMIT']);
    expect(await rows(id)).toEqual(['z']);
  });

  it('does not hand back a connection busy with a read sent before BEGIN when the signal aborts', async ({ skip }) => {
    if (!pooled) skip('SQLite begins at once: its reads are inside the transaction');
    const pidSql = dialect === 'postgres' ? 'SELECT pg_backend_pid() AS pid' : 'SELECT CONNECTION_ID() AS pid';
    const sleepSql = dialect === 'postgres' ? 'SELECT pg_sleep(1) AS slept' : 'SELECT SLEEP(1) AS slept';
    const pid = async () => String((await db.transaction((tx) => tx.query<{ pid: unknown }>(pidSql, []), { deferWrite: true }))[0]!.pid);
    const before = await pid();
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('the request deadline passed')), 100);
    const r = db.transaction(
      async (tx) => {
        await tx.query(sleepSql, []);
        await write(tx, ++n);
      },
      { signal: ac.signal, deferWrite: true },
    );
    await expect(r).rejects.toBeInstanceOf(TransactionAbortedError);
    // The one pooled connection was running the read: it was dropped, not given to the next transaction.
    expect(await pid()).not.toBe(before);
  });

  it('throws the failure of a write sent alone from transaction, typed as without the option', async () => {
    const id = ++n;
    await db.transaction((tx) => write(tx, id));
    let resolved = false;
    const failure = await db
      .transaction(
        async (tx) => {
          await write(tx, id, 'again');
          resolved = true;
          return 'answer';
        },
        { deferWrite: true },
      )
      .catch((e: unknown) => e);
    // Pooled databases send it after the callback; SQLite at once, as without the option.
    expect(resolved).toBe(pooled);
    expect(failure).toBeInstanceOf(UniqueViolationError);
    expect(await rows(id)).toEqual(['x']);
    // The connection is usable (no transaction left open on it).
    const next = ++n;
    await db.transaction((tx) => write(tx, next), { deferWrite: true });
    expect(await rows(next)).toEqual(['x']);
  });

  it('rolls back everything when the held write fails once sent with the next statement', async () => {
    const id = ++n;
    const other = ++n;
    await db.transaction((tx) => write(tx, id));
    const failure = await db
      .transaction(
        async (tx) => {
          await write(tx, id, 'again');
          await write(tx, other);
        },
        { deferWrite: true },
      )
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UniqueViolationError);
    expect(await rows(other)).toEqual([]);
  });

  it('never sends a held write when the signal aborts before the callback ends', async () => {
    const id = ++n;
    const ac = new AbortController();
    const sent = await during(async () => {
      const r = db.transaction(
        async (tx) => {
          await write(tx, id);
          ac.abort(new Error('the request deadline passed'));
          return 'late';
        },
        { signal: ac.signal, deferWrite: true },
      );
      await expect(r).rejects.toBeInstanceOf(TransactionAbortedError);
    });
    expect(sent).toEqual(pooled ? [] : ['BEGIN', 'INSERT', 'ROLLBACK']);
    expect(await rows(id)).toEqual([]);
    const next = ++n;
    await db.transaction((tx) => write(tx, next), { deferWrite: true });
    expect(await rows(next)).toEqual(['x']);
  });

  it('without the option, begins at once and sends the write when it is made', async () => {
    const id = ++n;
    const sent = await during(() => db.transaction((tx) => write(tx, id)));
    expect(sent).toEqual(['BEGIN', 'INSERT', 'COMMIT']);
  });
});

describe.each(['postgres', 'mysql'] as const)('a lone deferred write on a connection that died while idle (%s)', (dialect) => {
  let t: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    ({ t, db } = await openDw(dialect));
  });
  afterAll(async () => {
    await db?.close();
    await t?.drop();
  });

  it('is written once after the server process of its pooled connection was ended while idle (a database restart)', async () => {
    const pidSql = dialect === 'postgres' ? 'SELECT pg_backend_pid() AS pid' : 'SELECT CONNECTION_ID() AS pid';
    const pid = (await db.transaction((tx) => tx.query<{ pid: number }>(pidSql, [])))[0]!.pid;
    // A database restart, as the idle pooled connection sees it: its server process is gone.
    await endServerProcess(dialect, Number(pid));
    const insert = `INSERT INTO dw (id, v) VALUES (${db.dialect.placeholder(1)}, ${db.dialect.placeholder(2)})`;
    await db.transaction((tx) => tx.write!(insert, [1, 'saved']), { deferWrite: true });
    expect(await db.query(`SELECT v FROM dw WHERE id = ${db.dialect.placeholder(1)}`, [1])).toEqual([{ v: 'saved' }]);
  });
});

/** A fresh database with the test's table, on one connection: a connection left in a transaction or broken would show in the next test. */
async function openDw(dialect: DialectName): Promise<{ t: TestDatabase; db: Database }> {
  const t = await freshDatabase(dialect);
  const db = await openDatabase(t.url, { log: quietLog, poolSize: 1 });
  await db.execute('CREATE TABLE dw (id INT PRIMARY KEY, v VARCHAR(20))', []);
  return { t, db };
}
