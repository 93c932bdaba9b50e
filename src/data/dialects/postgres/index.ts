import type { AttributeType } from '../../../model/compiled/types.js';
import type { Dialect } from '../dialect.js';
import { doubleQuoted } from '../names.js';
import { serverUrl } from '../url.js';
import { columnType, convertExpression, schemaLock, tableExistsQuery, tablesQuery } from './ddl.js';
import { translatePgError } from './errors.js';
import { postgresQuerySyntax } from './query-syntax.js';
import { postgresValues } from './values.js';

/**
 * pg asks when it loads whether it runs in a Cloudflare Worker: with no `navigator` (Node 20 has
 * none; Node 21 and later have one) it makes a `Response`, which loads Node's whole fetch
 * implementation (about 40 ms of CPU at every start, for an answer that is always no). A
 * `navigator` as Node 21 has it is there while pg loads, and taken away again.
 */
async function withNavigator<T>(load: () => Promise<T>): Promise<T> {
  if ('navigator' in globalThis) return load();
  Object.defineProperty(globalThis, 'navigator', { value: { userAgent: `Node.js/${process.versions.node}` }, configurable: true });
  try {
    return await load();
  } finally {
    delete (globalThis as { navigator?: unknown }).navigator;
  }
}

/** PostgreSQL through a pg pool (driver.ts, imported when a database is opened). */
export const postgres: Dialect = {
  name: 'postgres',
  parseUrl: (url) => serverUrl(url),
  async open(target, _display, opts) {
    const { openPostgres } = await withNavigator(() => import('./driver.js'));
    return openPostgres(target, opts);
  },
  quote: doubleQuoted,
  placeholder: (i) => `$${i}`,
  maxParams: 30000,
  query: postgresQuerySyntax,
  columnType,
  idColumnType: 'BIGINT',
  bigintType: 'BIGINT',
  convertExpression,
  lengthFunction: 'LENGTH',
  tableExistsQuery,
  tablesQuery,
  schemaLock,
  singleConnection: false,
  transactionalDdl: true,
  dropIndexNamesTable: false,
  liftTimeouts: ['SET LOCAL statement_timeout = 0', 'SET LOCAL lock_timeout = 0'],
  failedStatementAbortsTransaction: true,
  batchUpdate(table, columns, rows, p) {
    // Every value cast to its unconstrained type: a VALUES list has no column types of
    // its own, and a cast to VARCHAR(n) would cut a long string instead of refusing it.
    const q = doubleQuoted;
    const v = q('v');
    const tuples = Array.from({ length: rows }, () => `(${p()}::bigint, ${columns.map((c) => `${p()}::${PG_CAST[c.type]}`).join(', ')})`);
    const set = columns.map((c) => `${q(c.column)} = ${v}.${q(c.column)}`).join(', ');
    return `UPDATE ${q(table)} SET ${set} FROM (VALUES ${tuples.join(', ')}) AS ${v} (${[q('id'), ...columns.map((c) => q(c.column))].join(', ')}) WHERE ${q(table)}.${q('id')} = ${v}.${q('id')}`;
  },
  values: postgresValues,
  translateError: translatePgError,
};

/** PostgreSQL types for the values of a batched UPDATE, by attribute type. */
const PG_CAST: Record<AttributeType, string> = {
  String: 'text',
  HashedString: 'text',
  Enumeration: 'text',
  Integer: 'int',
  Long: 'bigint',
  AutoNumber: 'bigint',
  Decimal: 'numeric',
  Boolean: 'boolean',
  DateTime: 'timestamp',
  Binary: 'bytea',
};
