import pg from 'pg';
import { PostgresDialect } from 'kysely';
import type { DriverAdapter, DriverOptions, Lease, RawResult } from './driver.js';

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
    if (oid === OID_TIMESTAMP) return (v: string) => new Date(`${v.replace(' ', 'T')}Z`);
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
} as pg.CustomTypesConfig;

/** PostgreSQL through a pg Pool; broken idle clients are dropped and replaced, so a database restart heals by itself. */
export function openPostgres(url: string, opts: DriverOptions): DriverAdapter {
  const pool = new pg.Pool({ connectionString: url, max: opts.poolSize, connectionTimeoutMillis: opts.connectTimeoutMs, types, idleTimeoutMillis: 30000 });
  // An idle client whose backend died emits 'error' on the pool; without a
  // listener that would crash the process. The pool discards the client.
  pool.on('error', (err) => opts.log.warn({ err: err.message }, 'database connection lost; it will be replaced'));
  const toResult = (r: pg.QueryResult): RawResult => ({ rows: r.rows as Record<string, unknown>[], affectedRows: r.rowCount ?? 0 });
  return {
    dialect: 'postgres',
    beginStatement: 'BEGIN',
    async run(sql, params) {
      return toResult(await pool.query(statement(sql, params)));
    },
    async acquire(): Promise<Lease> {
      const client = await pool.connect();
      // A leased client has no pool listener: if its backend dies between two
      // statements of a transaction, pg emits 'error' on it, which would crash
      // the process unheard. The transaction's next statement then fails with
      // a connection error and the client is discarded.
      const onError = (err: Error) => opts.log.warn({ err: err.message }, 'database connection lost during a transaction');
      client.on('error', onError);
      return {
        conn: { run: async (sql, params) => toResult(await client.query(statement(sql, params))) },
        release: (broken) => { client.removeListener('error', onError); client.release(broken ? true : undefined); },
      };
    },
    kyselyDialect: () => new PostgresDialect({ pool }),
    isConnectionError: (err) => isPgConnectionError(err),
    async close() { await pool.end(); },
  };
}

/** Statement names by SQL text: each connection parses and plans a named statement once, then only binds and executes it. */
const names = new Map<string, string>();
const MAX_NAMED = 1000;

/**
 * Data statements (the query engine's and persistence's SQL, stable text with
 * bound values) run as named prepared statements; anything else, and texts
 * beyond the first MAX_NAMED, unnamed.
 */
function statement(sql: string, params: readonly unknown[]): pg.QueryConfig {
  const values = params.map(bindable);
  let name = names.get(sql);
  if (name === undefined && names.size < MAX_NAMED && /^\s*(SELECT|INSERT|UPDATE|DELETE)\b/i.test(sql)) {
    name = `kiln_${names.size + 1}`;
    names.set(sql, name);
  }
  return name === undefined ? { text: sql, values } : { name, text: sql, values };
}

export function isPgConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (typeof e?.code === 'string' && (/^(08|57P0)/.test(e.code) || ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(e.code))) return true;
  return /Connection terminated|connection is closed|Client has encountered a connection error/i.test(e?.message ?? '');
}

/** Dates bound as UTC text (the column is TIMESTAMP without time zone); bigints as text. */
function bindable(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return utcText(v);
  if (v instanceof Uint8Array && !Buffer.isBuffer(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return v;
}

export function utcText(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}
