import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { SqliteDialect } from 'kysely';
import { DatabaseConnectionError } from '../../errors.js';
import { boundedWait, type DriverAdapter, type DriverConnection, type DriverOptions, type Lease, type RawResult } from '../driver.js';
import { registerSqliteFunctions } from './functions.js';

/**
 * SQLite through better-sqlite3: one connection to a file in WAL mode.
 * better-sqlite3 is synchronous, so every statement is atomic; transactions
 * span awaits, so they take an in-process lock that standalone statements
 * wait for (a statement must never land inside another request's transaction).
 * Prepared statements are cached by SQL text.
 */
export function openSqlite(path: string, display: string, opts: DriverOptions): DriverAdapter {
  let db: BetterSqlite3.Database;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    // busy_timeout: how long a statement waits for another process's lock on the file.
    db = new BetterSqlite3(path, { timeout: opts.lockTimeoutMs > 0 ? opts.lockTimeoutMs : opts.connectTimeoutMs });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = OFF');
    db.defaultSafeIntegers(true);
    registerSqliteFunctions(db);
  } catch (e) {
    throw new DatabaseConnectionError(`cannot open the database ${display}: ${(e as Error).message}`, { cause: e });
  }
  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepare = (sql: string): BetterSqlite3.Statement => {
    let st = cache.get(sql);
    if (!st) {
      st = db.prepare(sql);
      if (cache.size > 2000) cache.clear();
      cache.set(sql, st);
    }
    return st;
  };
  const exec = (sql: string, params: readonly unknown[]): RawResult => {
    const st = prepare(sql);
    const args = anyNeedsConversion(params) ? params.map(bindable) : params;
    if (st.reader) return { rows: st.all(...args) as Record<string, unknown>[], affectedRows: 0 };
    const r = st.run(...args);
    return { rows: [], affectedRows: Number(r.changes) };
  };
  // Reads in array form: better-sqlite3 then skips building an object per row
  // (about half of its work for a wide row). Separate statements, since raw mode is a statement's state.
  const arrayCache = new Map<string, BetterSqlite3.Statement>();
  const execArrays = (sql: string, params: readonly unknown[]): unknown[][] => {
    let st = arrayCache.get(sql);
    if (!st) {
      st = db.prepare(sql).raw(true);
      if (arrayCache.size > 2000) arrayCache.clear();
      arrayCache.set(sql, st);
    }
    return st.all(...(anyNeedsConversion(params) ? params.map(bindable) : params)) as unknown[][];
  };
  const conn: DriverConnection = {
    run: async (sql, params) => exec(sql, params),
    runEach: (sql, paramSets, before) => {
      const st = prepare(sql);
      for (const p of paramSets) {
        before(p);
        st.run(...(anyNeedsConversion(p) ? p.map(bindable) : p));
      }
    },
  };

  // The lock: a chain of promises; `held` is true while a transaction owns the connection.
  let tail: Promise<void> = Promise.resolve();
  let held = false;
  const take = async (): Promise<Lease> => {
    let unlock!: () => void;
    const prev = tail;
    tail = new Promise<void>((r) => {
      unlock = r;
    });
    await prev;
    held = true;
    let released = false;
    return {
      conn,
      release: () => {
        if (released) return;
        released = true;
        held = false;
        unlock();
      },
    };
  };
  // Waiting for the connection is bounded like a pool's: a lease that comes too late is handed on at once.
  const acquire = (): Promise<Lease> => boundedWait(take(), opts.poolWaitTimeoutMs, (l) => l.release());

  return {
    beginStatement: 'BEGIN IMMEDIATE',
    async run(sql, params) {
      if (!held) return exec(sql, params);
      const lease = await acquire();
      try {
        return exec(sql, params);
      } finally {
        lease.release();
      }
    },
    runNow: (sql, params) => (held ? undefined : exec(sql, params)),
    queryArraysNow: (sql, params) => (held ? undefined : execArrays(sql, params)),
    acquire,
    kyselyDialect: () => new SqliteDialect({ database: db }),
    isConnectionError: () => false,
    async close() {
      cache.clear();
      arrayCache.clear();
      db.close();
    },
  };
}

/** True when a parameter is not bindable as it is (runs over every parameter of every statement: a plain loop). */
function anyNeedsConversion(params: readonly unknown[]): boolean {
  for (let i = 0; i < params.length; i++) {
    const v = params[i];
    const t = typeof v;
    if (t === 'string' || t === 'bigint' || t === 'number' || v === null) continue;
    if (t === 'object' ? !Buffer.isBuffer(v) : true) return true;
  }
  return false;
}

/** better-sqlite3 binds bigint, number, string, Buffer and null; booleans and Uint8Arrays are converted here. */
function bindable(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Uint8Array && !Buffer.isBuffer(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (v instanceof Date) return v.getTime();
  return v;
}
