import { AsyncLocalStorage } from 'node:async_hooks';
import { Kysely } from 'kysely';
import type { Logger } from '../core/logger.js';
import { DatabaseConnectionError, TransactionAbortedError } from './errors.js';
import { OutageLog } from './outage-log.js';
import type { Dialect } from './dialects/dialect.js';
import type { DriverAdapter, DriverConnection, Lease, RawResult } from './dialects/driver.js';
import { parseDatabaseUrl } from './dialects/url.js';
import type { StopSignal } from '../core/stop-signal.js';

export type StatementListener = (sql: string, params: readonly unknown[]) => void;

/** Raw, already-compiled SQL with bound parameters (placeholders from `dialect.placeholder(i)`). */
export interface Queryable {
  /** What differs on this database: quoting, placeholders, value codecs, ... (its `name` for messages). */
  readonly dialect: Dialect;
  query<T = Record<string, unknown>>(sql: string, params: readonly unknown[]): Promise<T[]>;
  /**
   * The rows of a SELECT as arrays in select-list order, when that is cheaper
   * for the driver right now (SQLite outside a transaction); otherwise
   * undefined and the caller uses `query`. For the data layer's hot reads.
   */
  queryArraysNow?(sql: string, params: readonly unknown[]): unknown[][] | undefined;
  execute(sql: string, params: readonly unknown[]): Promise<{ affectedRows: number }>;
  /**
   * A write (INSERT, UPDATE, DELETE) whose result the caller does not read. In a
   * transaction begun with `deferWrite` it may be sent later (see
   * TransactionOptions); everywhere else it is `execute`.
   */
  write?(sql: string, params: readonly unknown[]): Promise<void>;
  /**
   * The same statement once per parameter list, in order, each reported to the
   * listeners; where the driver allows (SQLite) in one synchronous run with no
   * promise per statement. A failure stops at the failing statement.
   */
  executeEach?(sql: string, paramSets: readonly (readonly unknown[])[]): Promise<void>;
}

/** An open transaction: one connection until the callback of `transaction` ends. */
export interface Transaction extends Queryable {
  /** Runs `fn` in a savepoint: its work is rolled back (and the error rethrown) when it throws. Nests. */
  savepoint<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
}

export interface TransactionOptions {
  /**
   * The request's signal (its deadline passed, its client went away): when it
   * aborts before the COMMIT is sent, the transaction is aborted as by
   * `abortTransactions` (never committed, TransactionAbortedError), and a wait
   * for a connection ends at once.
   */
  readonly signal?: StopSignal;
  /**
   * For a callback that reads neither its writes' results nor their failures
   * (it lets any error end the transaction) and does nothing outside the
   * database after its last write: BEGIN waits for the callback's first write.
   * Reads before it (SELECTs that lock nothing) are sent alone, autocommitted:
   * at READ COMMITTED they see what they would see inside. The first `write`
   * is held until the callback sends another statement (then BEGIN, the write
   * and that statement go) or resolves. A transaction whose only write is that
   * one sends it alone, autocommitted, without BEGIN and COMMIT: one statement
   * is atomic by itself, and it saves two round trips (an edit's Save is a
   * SELECT and an UPDATE). Its failure is then thrown by `transaction`,
   * not by `write`; when the callback throws, or `signal` aborts first, it is
   * never sent. SQLite (one connection, no round trips) begins at once as
   * without the option.
   */
  readonly deferWrite?: boolean;
}

export interface Database extends Queryable {
  /** Human-readable URL, password hidden. */
  readonly displayUrl: string;
  /** For the data layer's own statement building (schema sync); do not execute request work through it. */
  readonly kysely: Kysely<any>;
  /** Commits when `fn` resolves, rolls back (and rethrows) when it throws or `options.signal` aborts first. */
  transaction<T>(fn: (tx: Transaction) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Runs `fn` (start-up work such as schema synchronisation) with the
   * statement and lock timeouts lifted for the transactions it begins: a table
   * rewrite may take minutes, and the schema lock waits for another instance.
   */
  withoutTimeouts<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * A short transaction that commits on its own even while the caller holds
   * one — for bookkeeping such as reserving id blocks. It runs on a separate
   * connection outside the pool that requests use (so a pool full of waiting
   * requests cannot starve it). On SQLite (one connection) it runs inside the
   * caller's transaction when there is one.
   */
  independentTransaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /** Sees every statement sent, transactions' BEGIN/COMMIT included. Returns the unsubscribe function. */
  onStatement(listener: StatementListener): () => void;
  /**
   * Aborts every transaction whose callback is still running (for shut-down
   * after `ShutdownTimeout`): none of them commits. On PostgreSQL and MariaDB
   * the transaction's connection is destroyed (a statement waiting on it, say
   * for a row lock, fails at once; the server rolls the work back), on SQLite
   * it is rolled back. Their callbacks' further statements, and any transaction
   * begun afterwards, fail with TransactionAbortedError. A transaction whose
   * COMMIT was already sent is left to finish. Returns how many were aborted.
   */
  abortTransactions(reason?: string): Promise<number>;
  close(): Promise<void>;
}

export interface OpenOptions {
  readonly poolSize?: number;
  readonly connectTimeoutMs?: number;
  /** Longest wait for a free pooled connection, then DatabaseBusyError (503); default 0: no limit. */
  readonly poolWaitTimeoutMs?: number;
  /** Per statement (PostgreSQL, MariaDB); default 0: no limit. */
  readonly statementTimeoutMs?: number;
  /** Longest wait for a lock; default 0: the database's own. */
  readonly lockTimeoutMs?: number;
  readonly log: Logger;
}

/**
 * Opens the database the URL names (`sqlite:path`, `postgres://...`,
 * `mysql://...`) and checks that it answers; a failure names the URL (without
 * the password) and what the driver said.
 */
export async function openDatabase(url: string, opts: OpenOptions): Promise<Database> {
  const { dialect, target, display } = await parseDatabaseUrl(url);
  const driverOpts = {
    poolSize: opts.poolSize ?? 10,
    connectTimeoutMs: opts.connectTimeoutMs ?? 10000,
    log: opts.log,
    poolWaitTimeoutMs: opts.poolWaitTimeoutMs ?? 0,
    statementTimeoutMs: opts.statementTimeoutMs ?? 0,
    lockTimeoutMs: opts.lockTimeoutMs ?? 0,
  };
  const driver = await dialect.open(target, display, driverOpts);
  try {
    await driver.run('SELECT 1', []);
  } catch (e) {
    await driver.close().catch(() => undefined);
    throw new DatabaseConnectionError(`cannot connect to the database ${display}: ${(e as Error).message || String(e)}`, { cause: e });
  }
  // The side connection for independent transactions (PostgreSQL, MariaDB), opened on first use.
  const side = dialect.singleConnection ? undefined : () => dialect.open(target, display, { ...driverOpts, poolSize: 1 });
  return new KilnDatabase(dialect, driver, display, opts.log, new OutageLog(opts.log), side);
}

class KilnDatabase implements Database {
  readonly kysely: Kysely<any>;
  private readonly listeners = new Set<StatementListener>();
  /**
   * SQLite only (one connection): the transaction the current async flow runs
   * in, so that a `db.query` or `db.transaction` inside it joins it instead of
   * waiting for it forever. Not used for the pooled databases, where a
   * statement outside the transaction simply takes another connection (and
   * AsyncLocalStorage would cost every promise of the process a hook).
   */
  private readonly current: AsyncLocalStorage<TxImpl> | undefined;

  private side: Promise<KilnDatabase> | undefined;
  /**
   * Transactions whose callback is running (SQLite). While there are none the
   * AsyncLocalStorage is disabled, so that its promise hooks cost nothing
   * outside transactions; `run` enables it again.
   */
  private openTransactions = 0;
  /** Transactions begun and not yet ended, for abortTransactions. */
  private readonly live = new Set<TxImpl>();
  /** Set by abortTransactions: no transaction begins any more. */
  private abortedWith: string | undefined;
  /** withoutTimeouts calls running: transactions begun now lift the timeouts. */
  private unbounded = 0;

  constructor(
    readonly dialect: Dialect,
    private readonly driver: DriverAdapter,
    readonly displayUrl: string,
    readonly log: Logger,
    readonly outages: OutageLog,
    private readonly openSide?: () => Promise<DriverAdapter>,
  ) {
    this.current = dialect.singleConnection ? new AsyncLocalStorage<TxImpl>() : undefined;
    this.kysely = new Kysely<any>({ dialect: driver.kyselyDialect() });
  }

  /** The statement that opens a transaction (a lazy transaction sends it with its first statement). */
  get beginStatement(): string {
    return this.driver.beginStatement;
  }

  emit(sql: string, params: readonly unknown[]): void {
    // Mostly none (tests and tools listen): no Set iterator per statement.
    if (this.listeners.size === 0) return;
    for (const l of this.listeners) l(sql, params);
  }

  /** The dialect's typed error; a lost or refused connection also goes to the outage log (once per incident). */
  translate(e: unknown): unknown {
    const t = this.dialect.translateError(e);
    if (t instanceof DatabaseConnectionError && !(t instanceof TransactionAbortedError)) this.outages.failed(t);
    return t;
  }

  query<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    // SQLite, outside any transaction: run it now, one promise instead of a chain of them.
    // Reported once it ran or failed: when the driver declines (a transaction
    // holds the connection) `run` reports it.
    if (this.driver.runNow !== undefined && this.openTransactions === 0) {
      let r: RawResult | undefined;
      try {
        r = this.driver.runNow(sql, params);
      } catch (e) {
        if (this.listeners.size) this.emit(sql, params);
        return Promise.reject(this.dialect.translateError(e));
      }
      if (r !== undefined) {
        if (this.listeners.size) this.emit(sql, params);
        return Promise.resolve(r.rows as T[]);
      }
    }
    return this.run(sql, params).then((r) => r.rows as T[]);
  }

  queryArraysNow(sql: string, params: readonly unknown[]): unknown[][] | undefined {
    if (this.driver.queryArraysNow === undefined || this.openTransactions !== 0) return undefined;
    let rows: unknown[][] | undefined;
    try {
      rows = this.driver.queryArraysNow(sql, params);
    } catch (e) {
      if (this.listeners.size) this.emit(sql, params);
      throw this.dialect.translateError(e);
    }
    // Only a statement that ran is reported (undefined: the caller sends it through `query`).
    if (rows !== undefined && this.listeners.size) this.emit(sql, params);
    return rows;
  }

  async execute(sql: string, params: readonly unknown[]): Promise<{ affectedRows: number }> {
    return { affectedRows: (await this.run(sql, params)).affectedRows };
  }

  private async run(sql: string, params: readonly unknown[]): Promise<RawResult> {
    const tx = this.current?.getStore();
    if (tx) {
      // An aborted transaction's callback must not go on in autocommit (SQLite joins by async flow).
      if (tx.aborted !== undefined) throw new TransactionAbortedError(tx.aborted);
      if (!tx.done) return tx.run(sql, params);
    }
    if (this.listeners.size) this.emit(sql, params);
    let r: RawResult;
    try {
      r = await this.driver.run(sql, params);
    } catch (e) {
      // A read that met a dead pooled connection is safe to run once more.
      if (!(this.driver.isConnectionError(e) && /^\s*select\b/i.test(sql))) throw this.translate(e);
      try {
        r = await this.driver.run(sql, params);
      } catch (e2) {
        throw this.translate(e2);
      }
    }
    this.outages.ok();
    return r;
  }

  async transaction<T>(fn: (tx: Transaction) => Promise<T>, options?: TransactionOptions): Promise<T> {
    // SQLite has one connection: a transaction started inside another one can
    // only be a savepoint of it (waiting for the connection would never end).
    const outer = this.current?.getStore();
    if (outer && !outer.done && this.dialect.singleConnection) return outer.savepoint(fn);
    if (this.abortedWith !== undefined) throw new TransactionAbortedError(this.abortedWith);
    const signal = options?.signal;
    if (signal?.aborted) throw new TransactionAbortedError(abortMessage(signal));
    const lifted = this.unbounded > 0 && this.dialect.liftTimeouts.length > 0;
    const lazy = options?.deferWrite === true && !this.dialect.singleConnection && !lifted;
    // The wait for a connection races the signal, unless there is no wait: a lazy transaction
    // (no BEGIN sent here) given a free connection at once (the signal is checked just below).
    const lease = await (signal && !(lazy && this.driver.freeNow?.() === true) ? this.beginOrAbort(signal, lazy) : this.begin(lazy));
    if (this.abortedWith !== undefined || signal?.aborted) {
      if (lazy) lease.release(false);
      else this.dropBegun(lease);
      throw new TransactionAbortedError(this.abortedWith ?? abortMessage(signal!));
    }
    const tx = new TxImpl(this, lease, lazy, signal);
    this.live.add(tx);
    // The request's deadline or disconnect aborts this transaction (unless its COMMIT was sent):
    // the transaction is its own listener (handleEvent), no closure per transaction.
    if (signal) signal.addEventListener('abort', tx);
    // A connection whose session settings were lifted does not go back to the pool.
    let broken = lifted;
    try {
      if (lifted) for (const stmt of this.dialect.liftTimeouts) await tx.run(stmt, []).catch(() => undefined);
      let result: T;
      if (this.current) {
        this.openTransactions++;
        try {
          result = await this.current.run(tx, () => fn(tx));
        } finally {
          if (--this.openTransactions === 0) this.current.disable();
        }
      } else result = await fn(tx);
      // Aborted while the callback ran (it may even have swallowed the error): never commit.
      if (tx.aborted !== undefined) throw new TransactionAbortedError(tx.aborted);
      tx.done = true;
      tx.committing = true;
      if (tx.begun) {
        this.emit('COMMIT', NO_PARAMS);
        try {
          await lease.conn.run('COMMIT', NO_PARAMS);
        } catch (e) {
          throw this.translate(e);
        }
      } else if (tx.held !== undefined) {
        // The transaction's one statement: alone, it commits by itself.
        const [sql, params] = tx.held;
        this.emit(sql, params);
        try {
          await lease.conn.run(sql, params);
        } catch (e) {
          // A pooled connection that died while idle (the database restarted) is found only by
          // its next statement. A transaction's BEGIN is retried once on a fresh connection for
          // that; so is a lone INSERT: its ids are the objects' own, so should the first one have
          // got through after all, the primary key refuses the second instead of writing twice.
          if (!this.driver.isConnectionError(e) || !/^\s*INSERT\b/i.test(sql) || signal?.aborted) throw this.translate(e);
          broken = true;
          this.emit(sql, params);
          await this.driver.run(sql, params).catch((e2: unknown) => {
            throw this.translate(e2);
          });
        }
        this.outages.ok();
      }
      return result;
    } catch (e) {
      tx.done = true;
      if (tx.aborted !== undefined) throw e instanceof TransactionAbortedError ? e : new TransactionAbortedError(tx.aborted, { cause: e });
      if (e instanceof DatabaseConnectionError || this.driver.isConnectionError(e)) broken = true;
      else if (tx.begun) {
        try {
          this.emit('ROLLBACK', []);
          await lease.conn.run('ROLLBACK', []);
        } catch {
          broken = true;
        }
      }
      throw e;
    } finally {
      if (signal) signal.removeEventListener('abort', tx);
      this.live.delete(tx);
      tx.release(broken);
    }
  }

  async withoutTimeouts<T>(fn: () => Promise<T>): Promise<T> {
    this.unbounded++;
    try {
      return await fn();
    } finally {
      this.unbounded--;
    }
  }

  /** Gives back a connection on which BEGIN ran: a pooled one is dropped (the server rolls back), SQLite's rolled back and handed on. */
  private dropBegun(lease: Lease): void {
    if (!this.dialect.singleConnection) {
      lease.release(true);
      return;
    }
    this.emit('ROLLBACK', []);
    lease.conn.run('ROLLBACK', []).then(
      () => lease.release(false),
      () => lease.release(true),
    );
  }

  /** `begin`, or TransactionAbortedError as soon as the signal aborts (a connection that comes later is given back). */
  private beginOrAbort(signal: StopSignal, lazy: boolean): Promise<Lease> {
    const beginning = this.begin(lazy);
    return new Promise<Lease>((resolve, reject) => {
      const onAbort = () => {
        reject(new TransactionAbortedError(abortMessage(signal)));
        beginning.then(
          (l) => (lazy ? l.release(false) : this.dropBegun(l)),
          () => undefined,
        );
      };
      signal.addEventListener('abort', onAbort, { once: true });
      beginning.then(
        (l) => {
          signal.removeEventListener('abort', onAbort);
          resolve(l);
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  }

  async abortTransactions(reason = 'the transaction was aborted at shut-down'): Promise<number> {
    this.abortedWith = reason;
    let n = 0;
    for (const tx of [...this.live]) if (await this.abortOne(tx, reason)) n++;
    if (this.side) n += (await (await this.side.catch(() => undefined))?.abortTransactions(reason)) ?? 0;
    return n;
  }

  /** Aborts one transaction unless its COMMIT was sent (or it was aborted already); true when it did. */
  async abortOne(tx: TxImpl, reason: string): Promise<boolean> {
    if (tx.committing || tx.aborted !== undefined || !this.live.has(tx)) return false;
    tx.aborted = reason;
    tx.done = true;
    this.live.delete(tx);
    if (!tx.begun && tx.reading === 0) {
      // Nothing is running on it (BEGIN waits for a write, a held write for the end): it goes back as it is.
      tx.release(false);
    } else if (this.dialect.singleConnection) {
      // One synchronous connection: no statement can be half-way; roll back on it and hand it back.
      this.emit('ROLLBACK', []);
      try {
        await tx.conn.run('ROLLBACK', []);
        tx.release(false);
      } catch {
        tx.release(true);
      }
    } else {
      // The connection may be busy with a statement (waiting for a lock): cancel
      // that statement and destroy the connection. The server rolls back a
      // transaction whose connection is gone; no COMMIT was sent.
      tx.conn.cancel?.();
      tx.release(true);
    }
    return true;
  }

  /**
   * Leases a connection and opens a transaction; a connection found dead at
   * BEGIN is replaced once. `lazy`: only the lease (the transaction sends BEGIN
   * with its first statement).
   */
  private async begin(lazy = false): Promise<Lease> {
    for (let attempt = 0; ; attempt++) {
      let lease: Lease;
      try {
        lease = await this.driver.acquire();
      } catch (e) {
        throw this.translate(e);
      }
      if (lazy) return lease;
      try {
        this.emit(this.driver.beginStatement, NO_PARAMS);
        await lease.conn.run(this.driver.beginStatement, NO_PARAMS);
        this.outages.ok();
        return lease;
      } catch (e) {
        const dead = e instanceof DatabaseConnectionError || this.driver.isConnectionError(e);
        lease.release(dead);
        if (!dead || attempt > 0) throw this.translate(e);
      }
    }
  }

  async independentTransaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    if (!this.openSide) return this.transaction(fn);
    this.side ??= this.openSide().then((d) => {
      const db = new KilnDatabase(this.dialect, d, this.displayUrl, this.log, this.outages);
      db.onStatement((sql, params) => this.emit(sql, params));
      return db;
    });
    return (await this.side).transaction(fn);
  }

  onStatement(listener: StatementListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    if (this.side) await (await this.side.catch(() => undefined))?.close();
    this.side = undefined;
    await this.kysely.destroy().catch(() => undefined);
    await this.driver.close().catch(() => undefined);
  }
}

class TxImpl implements Transaction {
  readonly dialect: Dialect;
  readonly conn: DriverConnection;
  done = false;
  /** The COMMIT has been sent: abortTransactions leaves it to finish. */
  committing = false;
  /** Set by abortTransactions (the reason): the transaction never commits. */
  aborted: string | undefined;
  /** BEGIN has been sent (at once, unless the transaction defers its write). */
  begun: boolean;
  /** The deferred first write, not sent yet (TransactionOptions.deferWrite). */
  held: [sql: string, params: readonly unknown[]] | undefined;
  /** Reads sent before BEGIN and not answered yet: an abort then cannot hand the connection back as idle. */
  reading = 0;
  private savepoints = 0;
  private released = false;

  constructor(
    private readonly db: KilnDatabase,
    private readonly lease: Lease,
    private readonly lazy: boolean,
    /** The request's signal: its 'abort' event comes to handleEvent. */
    private readonly signal: StopSignal | undefined,
  ) {
    this.dialect = db.dialect;
    this.conn = lease.conn;
    this.begun = !lazy;
  }

  /** The signal aborted (the transaction listens while its callback runs and until it ends). */
  handleEvent(): void {
    if (this.signal) void this.db.abortOne(this, abortMessage(this.signal));
  }

  /** A lazy transaction's BEGIN, and its held write, before its next statement. */
  private async open(): Promise<void> {
    this.begun = true;
    const begin = this.db.beginStatement;
    this.db.emit(begin, NO_PARAMS);
    try {
      await this.conn.run(begin, NO_PARAMS);
      this.db.outages.ok();
      const held = this.held;
      if (held !== undefined) {
        this.held = undefined;
        this.db.emit(held[0], held[1]);
        await this.conn.run(held[0], held[1]);
      }
    } catch (e) {
      throw this.failure(e);
    }
  }

  /**
   * A read before the lazy transaction's first write, autocommitted (TransactionOptions.deferWrite):
   * at READ COMMITTED, the isolation Kiln runs at, a read sees what it would see after BEGIN,
   * and nothing it locks outlives it (a locking read is never sent this way).
   */
  private async readAlone(sql: string, params: readonly unknown[]): Promise<RawResult> {
    this.db.emit(sql, params);
    this.reading++;
    try {
      const r = await this.conn.run(sql, params);
      this.db.outages.ok();
      return r;
    } catch (e) {
      throw this.failure(e);
    } finally {
      this.reading--;
    }
  }

  /** A statement's error as thrown: aborted while it ran (its connection destroyed) is not an outage. */
  private failure(e: unknown): unknown {
    if (this.aborted !== undefined) return new TransactionAbortedError(this.aborted, { cause: e });
    return this.db.translate(e);
  }

  /** Gives the connection back once (an aborted transaction's was given back already). */
  release(broken: boolean): void {
    if (this.released) return;
    this.released = true;
    this.lease.release(broken);
  }

  async run(sql: string, params: readonly unknown[]): Promise<RawResult> {
    if (this.aborted !== undefined) throw new TransactionAbortedError(this.aborted);
    if (this.done) throw new Error('the transaction has already ended');
    if (!this.begun) {
      if (this.held === undefined && isPlainRead(sql)) return this.readAlone(sql, params);
      await this.open();
    }
    this.db.emit(sql, params);
    try {
      return await this.conn.run(sql, params);
    } catch (e) {
      throw this.failure(e);
    }
  }

  async write(sql: string, params: readonly unknown[]): Promise<void> {
    if (this.lazy && !this.begun && this.held === undefined) {
      if (this.aborted !== undefined) throw new TransactionAbortedError(this.aborted);
      if (this.done) throw new Error('the transaction has already ended');
      // Sent with the next statement, or alone at the end (TransactionOptions.deferWrite).
      this.held = [sql, params];
      return;
    }
    await this.run(sql, params);
  }

  // Not async functions: `run`'s promise with one `then` (no suspended frame per statement).
  query<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    return this.run(sql, params).then(rowsOf) as Promise<T[]>;
  }

  execute(sql: string, params: readonly unknown[]): Promise<{ affectedRows: number }> {
    return this.run(sql, params).then(affectedRowsOf);
  }

  async executeEach(sql: string, paramSets: readonly (readonly unknown[])[]): Promise<void> {
    if (this.aborted !== undefined) throw new TransactionAbortedError(this.aborted);
    if (this.done) throw new Error('the transaction has already ended');
    if (!this.begun) await this.open();
    if (this.conn.runEach === undefined) {
      for (const p of paramSets) await this.run(sql, p);
      return;
    }
    try {
      this.conn.runEach(sql, paramSets, (p) => this.db.emit(sql, p));
    } catch (e) {
      throw this.db.translate(e);
    }
  }

  async savepoint<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const name = `kiln_sp_${++this.savepoints}`;
    await this.run(`SAVEPOINT ${name}`, []);
    try {
      const r = await fn(this);
      await this.run(`RELEASE SAVEPOINT ${name}`, []);
      return r;
    } catch (e) {
      await this.run(`ROLLBACK TO SAVEPOINT ${name}`, []);
      await this.run(`RELEASE SAVEPOINT ${name}`, []);
      throw e;
    }
  }
}

const rowsOf = (r: RawResult): Record<string, unknown>[] => r.rows;
const affectedRowsOf = (r: RawResult): { affectedRows: number } => ({ affectedRows: r.affectedRows });

/**
 * A SELECT that locks nothing: sent before a lazy transaction's BEGIN. Generated SQL writes its
 * keywords in capitals, quotes every name and binds every value, so a lock clause (`FOR UPDATE`,
 * `FOR SHARE`, `FOR NO KEY UPDATE`, MariaDB's `LOCK IN SHARE MODE`) shows as ` FOR ` or ` LOCK `;
 * a false match only means BEGIN first. (A text search: no regular expression per statement.)
 */
function isPlainRead(sql: string): boolean {
  return sql.startsWith('SELECT ') && !sql.includes(' FOR ') && !sql.includes(' LOCK ');
}

/** The parameters of BEGIN and COMMIT (none): one array for all of them. */
const NO_PARAMS: readonly unknown[] = Object.freeze([]);

/** The reason a request's signal gives (its deadline, its client gone), for TransactionAbortedError. */
function abortMessage(signal: StopSignal): string {
  const r: unknown = signal.reason;
  const why = r instanceof Error ? r.message : typeof r === 'string' ? r : 'the request was aborted';
  return `the transaction was rolled back: ${why}`;
}
