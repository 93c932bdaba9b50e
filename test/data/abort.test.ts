import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, TransactionAbortedError, type Database } from '../../src/data/index.js';
import { quietLog } from './support.js';

/** Database.abortTransactions (shut-down after ShutdownTimeout): an aborted transaction never commits. SQLite here; PostgreSQL in test/faults/shutdown.test.ts. */
describe('abortTransactions', () => {
  let dir = '';
  let db: Database | undefined;
  afterEach(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rolls back a transaction whose callback is still running; its later statements, its commit and new transactions are refused', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kiln-abort-'));
    db = await openDatabase(`sqlite:${join(dir, 'db.sqlite')}`, { log: quietLog });
    await db.execute('CREATE TABLE t (v TEXT)', []);
    let resume!: () => void;
    const paused = new Promise<void>((r) => {
      resume = r;
    });
    let inserted!: () => void;
    const wrote = new Promise<void>((r) => {
      inserted = r;
    });
    const stuck = db.transaction(async (tx) => {
      await tx.execute('INSERT INTO t (v) VALUES (?)', ['first']);
      inserted();
      await paused;
      // A callback that ignores the abort and goes on: neither this nor the commit may land.
      await tx.execute('INSERT INTO t (v) VALUES (?)', ['second']).catch(() => undefined);
      await db!.execute('INSERT INTO t (v) VALUES (?)', ['autocommit']).catch(() => undefined);
      return 'done';
    });
    await wrote;
    expect(await db.abortTransactions('shut-down timed out')).toBe(1);
    resume();
    await expect(stuck).rejects.toBeInstanceOf(TransactionAbortedError);
    await expect(db.transaction(async () => 1)).rejects.toBeInstanceOf(TransactionAbortedError);
    expect(await db.query('SELECT v FROM t', [])).toEqual([]);
  });
});
