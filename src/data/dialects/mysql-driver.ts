import mysql from 'mysql2/promise';
import { MysqlDialect } from 'kysely';
import type { DriverAdapter, DriverOptions, Lease, RawResult } from './driver.js';

/**
 * MariaDB/MySQL through a mysql2 pool. Every connection is set up once:
 * sql_mode ANSI_QUOTES (identifiers in double quotes, as on the other two
 * databases) and PIPES_AS_CONCAT, READ COMMITTED isolation (as Mendix), UTC.
 * BIGINT and DECIMAL come back as strings, DATETIME as Dates read in UTC.
 * Statements run as server-side prepared statements (execute).
 */
export function openMysql(url: string, opts: DriverOptions): DriverAdapter {
  const pool = mysql.createPool({
    uri: url, connectionLimit: opts.poolSize, connectTimeout: opts.connectTimeoutMs,
    supportBigNumbers: true, bigNumberStrings: true, decimalNumbers: false, timezone: 'Z',
    enableKeepAlive: true, maxIdle: opts.poolSize, idleTimeout: 30000, charset: 'utf8mb4_unicode_ci',
    // Prepared statements are cached per connection; MariaDB allows 16,382 in all
    // (max_prepared_stmt_count), so keep each connection's share small.
    maxPreparedStatements: 256,
  });
  const core = (pool as unknown as { pool: import('mysql2').Pool }).pool;
  core.on('connection', (c) => {
    c.query("SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES,PIPES_AS_CONCAT'), time_zone = '+00:00'");
    c.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
    c.on('error', (err) => opts.log.warn({ err: err.message }, 'database connection lost; it will be replaced'));
  });
  const toResult = (r: unknown): RawResult => {
    if (Array.isArray(r)) return { rows: r as Record<string, unknown>[], affectedRows: 0 };
    return { rows: [], affectedRows: (r as { affectedRows?: number }).affectedRows ?? 0 };
  };
  type Runner = { execute(sql: string, params: unknown[]): Promise<[unknown, unknown]>; query(sql: string, params: unknown[]): Promise<[unknown, unknown]> };
  const runOn = async (c: Runner, sql: string, params: readonly unknown[]) => {
    // Statements without parameters (DDL, locks, BEGIN) use the text protocol:
    // several of them cannot be prepared.
    const [r] = params.length ? await c.execute(sql, params.map(bindable)) : await c.query(sql, []);
    return toResult(r);
  };
  return {
    dialect: 'mysql',
    beginStatement: 'START TRANSACTION',
    run: (sql, params) => runOn(pool as unknown as Runner, sql, params),
    async acquire(): Promise<Lease> {
      const c = await pool.getConnection();
      return {
        conn: { run: (sql, params) => runOn(c as unknown as Runner, sql, params) },
        release: (broken) => { if (broken) c.destroy(); else c.release(); },
      };
    },
    kyselyDialect: () => new MysqlDialect({ pool: core }),
    isConnectionError: (err) => isMysqlConnectionError(err),
    async close() { await pool.end(); },
  };
}

export function isMysqlConnectionError(err: unknown): boolean {
  const e = err as { code?: string; fatal?: boolean; message?: string };
  if (e?.fatal) return true;
  return ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'PROTOCOL_CONNECTION_LOST', 'ER_SERVER_SHUTDOWN', 'ETIMEDOUT'].includes(e?.code ?? '')
    || /connection is in closed state|Can't add new command when connection is in closed state/i.test(e?.message ?? '');
}

function bindable(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Uint8Array && !Buffer.isBuffer(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return v;
}
