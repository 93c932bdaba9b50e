import type { Dialect as KyselyDialect } from 'kysely';
import type { Logger } from '../../core/logger.js';
import { DatabaseBusyError } from '../errors.js';

/** What one statement returned: rows for queries, the affected count for writes. */
export interface RawResult {
  readonly rows: Record<string, unknown>[];
  readonly affectedRows: number;
}

/** One physical connection, held for the length of a transaction. */
export interface DriverConnection {
  run(sql: string, params: readonly unknown[]): Promise<RawResult>;
  /**
   * Asks the server to cancel the statement running on this connection, if
   * any (PostgreSQL: a cancel request on a separate socket), so that a
   * statement waiting for a lock stops at once when its transaction is
   * aborted, instead of holding a server process until the lock comes free.
   */
  cancel?(): void;
  /**
   * Synchronous drivers (SQLite): the statement once per parameter list, all
   * now; `before` is called with each list before it runs. Throws the first failure.
   */
  runEach?(sql: string, paramSets: readonly (readonly unknown[])[], before: (params: readonly unknown[]) => void): void;
}

export interface Lease {
  readonly conn: DriverConnection;
  /** Gives the connection back; `broken` discards it (after a connection error). */
  release(broken?: boolean): void;
}

/**
 * The data layer's view of a driver: standalone statements, leased
 * connections for transactions, and the Kysely dialect over the same pool
 * (used to compile schema statements, never to execute request work).
 */
export interface DriverAdapter {
  run(sql: string, params: readonly unknown[]): Promise<RawResult>;
  /**
   * SQLite only (a synchronous driver): runs the statement at once when no
   * transaction holds the connection, or returns undefined (then `run` waits
   * for it). Saves the promises of the async path on every standalone read.
   */
  runNow?(sql: string, params: readonly unknown[]): RawResult | undefined;
  /**
   * SQLite only: `runNow` for a SELECT, each row an array of the selected
   * columns in select-list order (no object per row), or undefined while a
   * transaction holds the connection.
   */
  queryArraysNow?(sql: string, params: readonly unknown[]): unknown[][] | undefined;
  acquire(): Promise<Lease>;
  /**
   * True when `acquire` would not wait now: a connection is free and nobody
   * waits before this caller (it resolves on the next tick). Undefined: unknown.
   */
  freeNow?(): boolean;
  /** The statement that opens a transaction (SQLite takes the write lock up front). */
  readonly beginStatement: string;
  kyselyDialect(): KyselyDialect;
  /** True when the error means the connection is gone (the database restarted, the backend was killed). */
  isConnectionError(err: unknown): boolean;
  close(): Promise<void>;
}

export interface DriverOptions {
  readonly poolSize: number;
  readonly connectTimeoutMs: number;
  /** Longest wait for a free pooled connection (0: none); past it the wait fails with DatabaseBusyError('pool'). */
  readonly poolWaitTimeoutMs: number;
  /** Per statement, set on each connection where the database has it (0: none). */
  readonly statementTimeoutMs: number;
  /** Longest wait for a lock, set on each connection (0: the database's default). */
  readonly lockTimeoutMs: number;
  readonly log: Logger;
}

/**
 * Waits for a pooled connection at most `ms` (0: as long as it takes). Past
 * that it rejects with DatabaseBusyError('pool'), and the connection, when it
 * comes after all, is given back with `giveBack`. A timer per wait, none per row.
 */
export function boundedWait<L>(waiting: Promise<L>, ms: number, giveBack: (lease: L) => void): Promise<L> {
  if (!(ms > 0)) return waiting;
  return new Promise<L>((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(new DatabaseBusyError('pool', `no database connection came free within ${ms} ms (DatabasePoolWaitTimeout)`));
    }, ms);
    waiting.then(
      (lease) => {
        if (late) giveBack(lease);
        else {
          clearTimeout(timer);
          resolve(lease);
        }
      },
      (e: unknown) => {
        if (!late) {
          clearTimeout(timer);
          reject(e);
        }
      },
    );
  });
}
