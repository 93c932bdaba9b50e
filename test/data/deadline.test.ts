import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseBusyError, DatabaseConnectionError, openDatabase, TransactionAbortedError, type Database } from '../../src/data/index.js';
import { OutageLog } from '../../src/data/outage-log.js';
import type { Logger } from '../../src/core/logger.js';
import { quietLog } from './support.js';

/**
 * A transaction under a request's signal (deadline, client gone) and the
 * bounded wait for the connection, on SQLite; PostgreSQL in test/faults/deadlines.test.ts.
 */
describe('transaction signal and pool wait', () => {
  let dir = '';
  let db: Database | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const open = async (poolWaitTimeoutMs = 0) => {
    dir = mkdtempSync(join(tmpdir(), 'kiln-deadline-'));
    db = await openDatabase(`sqlite:${join(dir, 'db.sqlite')}`, { log: quietLog, poolWaitTimeoutMs });
    await db.execute('CREATE TABLE t (v TEXT)', []);
    return db;
  };

  it('a signal that aborts while the callback runs rolls the transaction back; it never commits', async () => {
    const d = await open();
    const ac = new AbortController();
    const stuck = d.transaction(
      async (tx) => {
        await tx.execute('INSERT INTO t (v) VALUES (?)', ['first']);
        ac.abort(new Error('the request passed its deadline'));
        await new Promise((r) => setTimeout(r, 20));
        await tx.execute('INSERT INTO t (v) VALUES (?)', ['second']).catch(() => undefined);
        return 'done';
      },
      { signal: ac.signal },
    );
    await expect(stuck).rejects.toBeInstanceOf(TransactionAbortedError);
    await expect(stuck).rejects.toThrow(/passed its deadline/);
    expect(await d.query('SELECT v FROM t', [])).toEqual([]);
    // Other transactions go on (unlike abortTransactions at shut-down).
    await d.transaction(async (tx) => {
      await tx.execute('INSERT INTO t (v) VALUES (?)', ['later']);
    });
    expect(await d.query('SELECT v FROM t', [])).toEqual([{ v: 'later' }]);
  });

  it('an already aborted signal begins nothing', async () => {
    const d = await open();
    let ran = false;
    await expect(
      d.transaction(
        async () => {
          ran = true;
        },
        { signal: AbortSignal.abort(new Error('client gone')) },
      ),
    ).rejects.toBeInstanceOf(TransactionAbortedError);
    expect(ran).toBe(false);
  });

  it('waiting for the connection is bounded: DatabaseBusyError (503, Retry-After), and the connection is handed on afterwards', async () => {
    const d = await open(150);
    let release!: () => void;
    const held = d.transaction(async () => {
      await new Promise<void>((r) => {
        release = r;
      });
    });
    await new Promise((r) => setTimeout(r, 10));
    const t0 = Date.now();
    const err = await d.transaction(async () => 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseBusyError);
    expect((err as DatabaseBusyError).kind).toBe('pool');
    expect((err as DatabaseBusyError).status).toBe(503);
    expect((err as DatabaseBusyError).retryAfter).toBeGreaterThan(0);
    expect(Date.now() - t0).toBeLessThan(1000);
    release();
    await held;
    expect(await d.transaction(async () => 2)).toBe(2);
  });

  it('a signal that aborts during the wait for the connection ends the wait at once', async () => {
    const d = await open();
    let release!: () => void;
    const held = d.transaction(async () => {
      await new Promise<void>((r) => {
        release = r;
      });
    });
    await new Promise((r) => setTimeout(r, 10));
    const ac = new AbortController();
    let ran = false;
    const waiting = d.transaction(
      async () => {
        ran = true;
      },
      { signal: ac.signal },
    );
    ac.abort(new Error('client gone'));
    await expect(waiting).rejects.toBeInstanceOf(TransactionAbortedError);
    release();
    await held;
    expect(ran).toBe(false);
    expect(await d.transaction(async () => 3)).toBe(3);
  });
});

describe('OutageLog', () => {
  it('logs the first failure of an incident and one recovery line, not one line per failure', () => {
    const lines: { level: string; msg: string }[] = [];
    const log = {
      error: (_o: unknown, msg: string) => lines.push({ level: 'error', msg }),
      info: (_o: unknown, msg: string) => lines.push({ level: 'info', msg }),
    } as unknown as Logger;
    const outages = new OutageLog(log);
    outages.ok();
    for (let i = 0; i < 50; i++) outages.failed(new DatabaseConnectionError('the database connection failed: connect ECONNREFUSED 127.0.0.1:1'));
    outages.ok();
    outages.ok();
    expect(lines.map((l) => l.level)).toEqual(['error', 'info']);
    expect(lines[1]!.msg).toMatch(/50 failure/);
  });
});
