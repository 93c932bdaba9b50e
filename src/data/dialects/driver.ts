import type { Dialect as KyselyDialect } from 'kysely';
import type { Logger } from '../../core/logger.js';

/** What one statement returned: rows for queries, the affected count for writes. */
export interface RawResult {
  readonly rows: Record<string, unknown>[];
  readonly affectedRows: number;
}

/** One physical connection, held for the length of a transaction. */
export interface DriverConnection {
  run(sql: string, params: readonly unknown[]): Promise<RawResult>;
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
  readonly log: Logger;
}
