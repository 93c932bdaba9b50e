import pg from 'pg';
import { PostgresDialect } from 'kysely';
import type { Logger } from '../../../core/logger.js';
import { boundedWait, type DriverAdapter, type DriverConnection, type DriverOptions, type Lease, type RawResult } from '../driver.js';
import { utcText } from '../value-codecs.js';
import { isPgConnectionError } from './errors.js';
import { PreparedStatement } from './prepared.js';

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
  const bounded = opts.poolWaitTimeoutMs > 0;
  const connect = () => (!bounded || freeNow() ? pool.connect() : boundedWait(pool.connect(), opts.poolWaitTimeoutMs, (c) => c.release()));
  return {
    beginStatement: 'BEGIN',
    async run(sql, params) {
      // pool.query, with the wait for the connection bounded and the statement sent as `send` does.
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
    const name = statementName(sql);
    const values = params.length > 0 ? params.map(bindable) : NO_VALUES;
    // A data statement whose values are all text, bytes or null (all of Kiln's): without pg's
    // Describe per execution (prepared.ts). Anything else as pg's Query, which maps the rest.
    if (name !== undefined && values.every(onTheWire)) {
      client.query(new PreparedStatement(name, sql, values, types, (err, r) => (err ? reject(err) : resolve(r!))) as unknown as pg.Submittable);
      return;
    }
    const q = new pg.Query(sql, values === NO_VALUES ? undefined : values, (err: Error | undefined, r: pg.QueryResult) =>
      err ? reject(err) : resolve(toResult(r)),
    ) as pg.Query & { name?: string };
    if (name !== undefined) q.name = name;
    client.query(q);
  });
}

const NO_VALUES: unknown[] = [];

/** A bound value that goes on the wire as it is (pg's Query would turn numbers and Booleans into their text too). */
function onTheWire(v: unknown): boolean {
  return v === null || typeof v === 'string' || Buffer.isBuffer(v);
}

/** Statement names by SQL text: each connection parses and plans a named statement once, then only binds and executes it. */
const names = new Map<string, string>();
const MAX_NAMED = 1000;

/**
 * Data statements (the query engine's and persistence's SQL, stable text with
 * bound values) run as named prepared statements; anything else (a
 * transaction's BEGIN, COMMIT, ROLLBACK: simple-protocol text), and texts
 * beyond the first MAX_NAMED, unnamed.
 */
function statementName(sql: string): string | undefined {
  let name = names.get(sql);
  if (name === undefined && names.size < MAX_NAMED && /^\s*(SELECT|INSERT|UPDATE|DELETE)\b/i.test(sql)) {
    name = `kiln_${names.size + 1}`;
    names.set(sql, name);
  }
  return name;
}

/** Dates bound as UTC text (the column is TIMESTAMP without time zone); numbers, bigints and Booleans as their text (as pg would). */
function bindable(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return utcText(v);
  if (v instanceof Uint8Array && !Buffer.isBuffer(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return v;
}
