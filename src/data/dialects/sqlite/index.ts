import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError } from '../../../model/diagnostics.js';
import type { Dialect } from '../dialect.js';
import { doubleQuoted } from '../names.js';
import { columnType, convertExpression, tableExistsQuery, tablesQuery } from './ddl.js';
import { translateSqliteError } from './errors.js';
import { sqliteQuerySyntax } from './query-syntax.js';
import { sqliteValues } from './values.js';

/**
 * SQLite through better-sqlite3 (driver.ts, imported when a database is
 * opened): one connection to a file, so one transaction at a time; its
 * BEGIN IMMEDIATE write lock is the schema lock.
 */
export const sqlite: Dialect = {
  name: 'sqlite',
  parseUrl(url) {
    let path = url.trim().replace(/^sqlite:(\/\/)?/i, '');
    if (path === '') throw new UserError(`database URL '${url}' names no file (write sqlite:<path>)`);
    if (path !== ':memory:') path = resolve(path);
    return { target: path, display: `sqlite:${path}` };
  },
  async open(target, display, opts) {
    const { openSqlite } = await import('./driver.js');
    return openSqlite(target, display, opts);
  },
  previewStandIn: (target) => (target !== ':memory:' && !existsSync(target) ? 'sqlite::memory:' : undefined),
  quote: doubleQuoted,
  placeholder: () => '?',
  maxParams: 30000,
  query: sqliteQuerySyntax,
  columnType,
  idColumnType: 'INTEGER',
  bigintType: 'INTEGER',
  convertExpression,
  lengthFunction: 'LENGTH',
  tableExistsQuery,
  tablesQuery,
  schemaLock: {},
  singleConnection: true,
  transactionalDdl: true,
  dropIndexNamesTable: false,
  liftTimeouts: [],
  failedStatementAbortsTransaction: false,
  values: sqliteValues,
  translateError: translateSqliteError,
};
