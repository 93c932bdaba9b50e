import mysql from 'mysql2';
import { MysqlDialect } from 'kysely';
import { boundedWait, type DriverAdapter, type DriverOptions, type Lease, type RawResult } from '../driver.js';
import { isMysqlConnectionError } from './errors.js';

/**
 * MariaDB/MySQL through a mysql2 pool. Every connection is set up once:
 * sql_mode ANSI_QUOTES (identifiers in double quotes, as on the other two
 * databases) and PIPES_AS_CONCAT, READ COMMITTED isolation (as Mendix), UTC.
 * BIGINT and DECIMAL come back as strings, DATETIME as Dates read in UTC.
 * Statements run as server-side prepared statements (execute). Each
 * connection also gets the statement timeout (MariaDB's max_statement_time, in
 * seconds) and the lock wait timeout (innodb_lock_wait_timeout, whole seconds,
 * rounded up); waiting for a pooled connection is bounded by `poolWaitTimeoutMs`.
 *
 * mysql2's callback API is used, each statement one promise made here: its
 * promise wrapper captures a stack trace per statement (about 15 µs, more
 * than a single-row read costs otherwise) and adds a layer of promises.
 */
export function openMysql(url: string, opts: DriverOptions): DriverAdapter {
  const pool = mysql.createPool({
    uri: url,
    connectionLimit: opts.poolSize,
    connectTimeout: opts.connectTimeoutMs,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    timezone: 'Z',
    enableKeepAlive: true,
    maxIdle: opts.poolSize,
    idleTimeout: 30000,
    charset: 'utf8mb4_unicode_ci',
    // Prepared statements are cached per connection; MariaDB allows 16,382 in all
    // (max_prepared_stmt_count), so keep each connection's share small.
    maxPreparedStatements: 256,
  });
  pool.on('connection', (c) => {
    c.query("SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES,PIPES_AS_CONCAT'), time_zone = '+00:00'");
    c.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
    if (opts.lockTimeoutMs > 0) c.query(`SET SESSION innodb_lock_wait_timeout = ${Math.max(1, Math.ceil(opts.lockTimeoutMs / 1000))}`);
    // MariaDB only (MySQL has max_execution_time, for SELECT): a MySQL server refuses it, which changes nothing else.
    if (opts.statementTimeoutMs > 0) c.query(`SET SESSION max_statement_time = ${opts.statementTimeoutMs / 1000}`, () => undefined);
    c.on('error', (err) => opts.log.warn({ err: err.message }, 'database connection lost; it will be replaced'));
  });
  const getConnection = () =>
    boundedWait(
      new Promise<mysql.PoolConnection>((resolve, reject) => {
        pool.getConnection((err, c) => {
          if (err) reject(err);
          else resolve(c);
        });
      }),
      opts.poolWaitTimeoutMs,
      (c) => c.release(),
    );
  return {
    beginStatement: 'START TRANSACTION',
    async run(sql, params) {
      if (!(opts.poolWaitTimeoutMs > 0)) return runOn(pool, sql, params);
      // pool.execute, with the wait for the connection bounded.
      const c = await getConnection();
      try {
        return await runOn(c, sql, params);
      } finally {
        c.release();
      }
    },
    acquire: async () => {
      const c = await getConnection();
      return {
        conn: { run: (sql, params) => runOn(c, sql, params) },
        release: (broken) => {
          if (broken) c.destroy();
          else c.release();
        },
      } satisfies Lease;
    },
    kyselyDialect: () => new MysqlDialect({ pool }),
    isConnectionError: (err) => isMysqlConnectionError(err),
    close: () =>
      new Promise<void>((resolve, reject) => {
        pool.end((err) => (err ? reject(err) : resolve()));
      }),
  };
}

type Runner = Pick<mysql.Pool, 'execute' | 'query'>;
type Callback = (err: Error | null, result: unknown) => void;

function runOn(c: Runner, sql: string, params: readonly unknown[]): Promise<RawResult> {
  return new Promise<RawResult>((resolve, reject) => {
    const done: Callback = (err, r) => {
      if (err) reject(err);
      else resolve(toResult(r));
    };
    // Statements without parameters (DDL, locks, BEGIN) use the text protocol:
    // several of them cannot be prepared.
    if (params.length) (c.execute as (sql: string, values: unknown[], cb: Callback) => void)(sql, bindable(params), done);
    else (c.query as (sql: string, cb: Callback) => void)(sql, done);
  });
}

function toResult(r: unknown): RawResult {
  if (Array.isArray(r)) return { rows: r as Record<string, unknown>[], affectedRows: 0 };
  return { rows: [], affectedRows: (r as { affectedRows?: number }).affectedRows ?? 0 };
}

/**
 * The values as mysql2 binds them: bigints as text, booleans as 0/1, any
 * Uint8Array as a Buffer, undefined as NULL. The persistence layer mostly
 * passes such values already (a copy of a 10,000-value INSERT is not free),
 * so the list is copied only when one of them needs changing.
 */
function bindable(params: readonly unknown[]): unknown[] {
  let i = 0;
  for (; i < params.length; i++) if (!plain(params[i])) break;
  if (i === params.length) return params as unknown[];
  const out = params.slice(0, i);
  for (; i < params.length; i++) out.push(bind(params[i]));
  return out;
}

function plain(v: unknown): boolean {
  const t = typeof v;
  return t === 'string' || t === 'number' || v === null || v instanceof Date || Buffer.isBuffer(v);
}

function bind(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Uint8Array && !Buffer.isBuffer(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return v;
}
