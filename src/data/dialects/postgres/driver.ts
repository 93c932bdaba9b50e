import pg from 'pg';
import { PostgresDialect } from 'kysely';
import type { Logger } from '../../../core/logger.js';
import { boundedWait, type DriverAdapter, type DriverConnection, type DriverOptions, type Lease, type RawResult } from '../driver.js';
import { utcText } from '../value-codecs.js';
import { isPgConnectionError } from './errors.js';

const OID_INT8 = 20;
const OID_NUMERIC = 1700;
const OID_TIMESTAMP = 1114;

/**
 * Values come back exactly: BIGINT and NUMERIC as strings (never JS numbers),
 * TIMESTAMP (without time zone, holding UTC as Mendix does) as a Date read as
 * UTC whatever the process time zone. Set per pool, not globally.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === OID_INT8 || oid === OID_NUMERIC) return (v: string) => v;
    if (oid === OID_TIMESTAMP) return parseTimestamp;
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
} as pg.CustomTypesConfig;

/**
 * TIMESTAMP text (`2026-11-23 12:11:42.123`, UTC by convention) to a Date. A
 * page of objects has one per DateTime attribute per row, and Date's string
 * parser is slow: the usual shape (four-digit year from 100, at most
 * milliseconds) is read by position; anything else (BC, years beyond 9999,
 * infinity, finer fractions) goes through the general parser.
 */
export function parseTimestamp(v: string): Date {
  const n = v.length;
  if (
    n >= 19 &&
    n <= 23 &&
    v.charCodeAt(4) === 45 &&
    v.charCodeAt(7) === 45 &&
    v.charCodeAt(10) === 32 &&
    v.charCodeAt(13) === 58 &&
    v.charCodeAt(16) === 58 &&
    (n === 19 || v.charCodeAt(19) === 46)
  ) {
    const y = digits(v, 0, 4);
    const mo = digits(v, 5, 7);
    const d = digits(v, 8, 10);
    const h = digits(v, 11, 13);
    const mi = digits(v, 14, 16);
    const s = digits(v, 17, 19);
    // '.5' is 500 ms, '.05' 50 ms, '.123' 123 ms.
    const ms = n === 19 ? 0 : n === 20 ? -1 : digits(v, 20, n) * (n === 21 ? 100 : n === 22 ? 10 : 1);
    // Date.UTC reads years 0-99 as 1900-1999: those go the general way.
    if (y >= 100 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && s >= 0 && s <= 59 && ms >= 0) {
      return new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
    }
  }
  return new Date(`${v.replace(' ', 'T')}Z`);
}

/** The number written in v[from, to) in decimal digits; -1 when any is not a digit. */
function digits(v: string, from: number, to: number): number {
  let x = 0;
  for (let i = from; i < to; i++) {
    const c = v.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1e9;
    x = x * 10 + c;
  }
  return x;
}

/**
 * PostgreSQL through a pg Pool; broken idle clients are dropped and replaced,
 * so a database restart heals by itself. Every connection starts with the
 * statement and lock timeouts (startup parameters, no round trip); waiting for
 * a pooled connection is bounded by `poolWaitTimeoutMs`.
 */
export function openPostgres(url: string, opts: DriverOptions): DriverAdapter {
  const config: pg.ClientConfig = {
    connectionString: url,
    ...(opts.statementTimeoutMs > 0 ? { statement_timeout: opts.statementTimeoutMs } : {}),
    ...(opts.lockTimeoutMs > 0 ? { lock_timeout: opts.lockTimeoutMs } : {}),
  };
  const pool = new pg.Pool({ ...config, max: opts.poolSize, connectionTimeoutMillis: opts.connectTimeoutMs, types, idleTimeoutMillis: 30000 });
  // An idle client whose backend died emits 'error' on the pool; without a
  // listener that would crash the process. The pool discards the client.
  pool.on('error', (err) => opts.log.warn({ err: err.message }, 'database connection lost; it will be replaced'));
  // With a client idle and nobody queued before us, pg-pool hands that client over on the next
  // tick (nothing can take it in between): no wait to bound, so no timer per transaction.
  const freeNow = () => pool.idleCount > 0 && pool.waitingCount === 0;
  const connect = () => (freeNow() ? pool.connect() : boundedWait(pool.connect(), opts.poolWaitTimeoutMs, (c) => c.release()));
  return {
    beginStatement: 'BEGIN',
    async run(sql, params) {
      if (!(opts.poolWaitTimeoutMs > 0)) return toResult(await pool.query(statement(sql, params)));
      // pool.query, with the wait for the connection bounded.
      const client = await connect();
      let failed: Error | undefined;
      const onError = (err: Error) => {
        failed = err;
      };
      client.once('error', onError);
      try {
        return await send(client, sql, params);
      } catch (e) {
        failed = e as Error;
        throw e;
      } finally {
        client.removeListener('error', onError);
        client.release(failed);
      }
    },
    async acquire(): Promise<Lease> {
      const client = await connect();
      // One lease per client, made at its first transaction and reused by the next ones (no
      // closures, no listener added and removed per transaction).
      let lease = leases.get(client);
      if (lease === undefined) {
        lease = new PgLease(client, config, opts.log);
        leases.set(client, lease);
      }
      lease.held = true;
      return lease;
    },
    freeNow,
    kyselyDialect: () => new PostgresDialect({ pool }),
    isConnectionError: (err) => isPgConnectionError(err),
    async close() {
      await pool.end();
    },
  };
}

const leases = new WeakMap<pg.PoolClient, PgLease>();

/** A pooled client lent to a transaction; the same object every time the client is lent. */
class PgLease implements Lease, DriverConnection {
  /** Lent now (between acquire and release). */
  held = false;

  constructor(
    private readonly client: pg.PoolClient,
    private readonly config: pg.ClientConfig,
    log: Logger,
  ) {
    // A leased client has no pool listener: if its backend dies between two
    // statements of a transaction, pg emits 'error' on it, which would crash
    // the process unheard. The transaction's next statement then fails with
    // a connection error and the client is discarded. Attached once for the
    // client's life: while it is idle the pool's own listener reports it.
    client.on('error', (err: Error) => {
      if (this.held) log.warn({ err: err.message }, 'database connection lost during a transaction');
    });
  }

  get conn(): DriverConnection {
    return this;
  }

  run(sql: string, params: readonly unknown[]): Promise<RawResult> {
    return send(this.client, sql, params);
  }

  cancel(): void {
    cancelRunning(this.config, this.client);
  }

  release(broken?: boolean): void {
    this.held = false;
    this.client.release(broken ? true : undefined);
  }
}

/** pg's own cancel (a CancelRequest with the backend's key on a new socket); not in its typings. */
interface Cancelling {
  readonly connection: { on(event: 'error', fn: () => void): void };
  cancel(target: pg.ClientBase, query: unknown): void;
}

/**
 * Cancels the statement the client's server process runs now, if any: a
 * statement waiting for a row lock fails at once (and with it the
 * transaction), instead of holding the lock queue and a server process until
 * the lock comes free or lock_timeout passes. Fire and forget.
 */
function cancelRunning(config: pg.ClientConfig, client: pg.PoolClient): void {
  const active = (client as unknown as { activeQuery?: unknown }).activeQuery;
  if (!active) return;
  try {
    const canceller = new pg.Client(config) as unknown as Cancelling;
    canceller.connection.on('error', () => undefined);
    canceller.cancel(client, active);
  } catch {
    // Best effort: the transaction's connection is destroyed anyway, so it never commits.
  }
}

const toResult = (r: pg.QueryResult): RawResult => ({ rows: r.rows as Record<string, unknown>[], affectedRows: r.rowCount ?? 0 });

/**
 * The statement on a leased client, as a pg Query made here: given a config
 * object, pg copies it through its property descriptors (Object.create,
 * getOwnPropertyDescriptors, defineProperties: property lookups in V8's
 * runtime on every statement) and wraps its promise in another; a Query built
 * from the text and values is not copied, and its name (the prepared
 * statement's) is a plain field it reads when it sends the statement.
 */
function send(client: pg.PoolClient, sql: string, params: readonly unknown[]): Promise<RawResult> {
  return new Promise<RawResult>((resolve, reject) => {
    const q = new pg.Query(sql, params.length > 0 ? params.map(bindable) : undefined, (err: Error | undefined, r: pg.QueryResult) =>
      err ? reject(err) : resolve(toResult(r)),
    ) as pg.Query & { name?: string };
    const name = statementName(sql);
    if (name !== undefined) q.name = name;
    client.query(q);
  });
}

/** Statement names by SQL text: each connection parses and plans a named statement once, then only binds and executes it. */
const names = new Map<string, string>();
const MAX_NAMED = 1000;

/**
 * Data statements (the query engine's and persistence's SQL, stable text with
 * bound values) run as named prepared statements; anything else, and texts
 * beyond the first MAX_NAMED, unnamed.
 */
function statement(sql: string, params: readonly unknown[]): pg.QueryConfig | string {
  const name = statementName(sql);
  // A transaction's BEGIN, COMMIT, ROLLBACK as bare text: pg copies every config object it is
  // given (property descriptors and all), a string it only wraps. The same simple-protocol query.
  if (name === undefined && params.length === 0) return sql;
  const values = params.map(bindable);
  return name === undefined ? { text: sql, values } : { name, text: sql, values };
}

function statementName(sql: string): string | undefined {
  let name = names.get(sql);
  if (name === undefined && names.size < MAX_NAMED && /^\s*(SELECT|INSERT|UPDATE|DELETE)\b/i.test(sql)) {
    name = `kiln_${names.size + 1}`;
    names.set(sql, name);
  }
  return name;
}

/** Dates bound as UTC text (the column is TIMESTAMP without time zone); bigints as text. */
function bindable(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return utcText(v);
  if (v instanceof Uint8Array && !Buffer.isBuffer(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return v;
}
