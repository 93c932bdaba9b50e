import type { Dialect } from '../dialect.js';
import { doubleQuoted } from '../names.js';
import { serverUrl } from '../url.js';
import { columnType, convertExpression, schemaLock, tableExistsQuery, tablesQuery } from './ddl.js';
import { translateMysqlError } from './errors.js';
import { mysqlQuerySyntax } from './query-syntax.js';
import { mysqlValues } from './values.js';

/** MariaDB / MySQL through a mysql2 pool (driver.ts, imported when a database is opened). */
export const mysql: Dialect = {
  name: 'mysql',
  // mariadb:// is an alias the driver does not know.
  parseUrl: (url) => serverUrl(url, url.trim().replace(/^mariadb:/i, 'mysql:')),
  async open(target, _display, opts) {
    const { openMysql } = await import('./driver.js');
    return openMysql(target, opts);
  },
  quote: doubleQuoted,
  placeholder: () => '?',
  maxParams: 30000,
  query: mysqlQuerySyntax,
  columnType,
  idColumnType: 'BIGINT',
  bigintType: 'BIGINT',
  convertExpression,
  lengthFunction: 'CHAR_LENGTH',
  tableExistsQuery,
  tablesQuery,
  schemaLock,
  singleConnection: false,
  transactionalDdl: false,
  dropIndexNamesTable: true,
  liftTimeouts: ['SET SESSION max_statement_time = 0', 'SET SESSION innodb_lock_wait_timeout = 31536000'],
  failedStatementAbortsTransaction: false,
  batchUpdate(table, columns, rows, p) {
    // The id is cast so that the join compares BIGINTs, not text as DOUBLE.
    const q = doubleQuoted;
    const v = q('v');
    const selects = Array.from(
      { length: rows },
      (_, i) => `SELECT CAST(${p()} AS SIGNED)${i ? '' : ` AS ${q('id')}`}, ${columns.map((c) => `${p()}${i ? '' : ` AS ${q(c.column)}`}`).join(', ')}`,
    );
    const set = columns.map((c) => `${q(table)}.${q(c.column)} = ${v}.${q(c.column)}`).join(', ');
    return `UPDATE ${q(table)} INNER JOIN (${selects.join(' UNION ALL ')}) AS ${v} ON ${q(table)}.${q('id')} = ${v}.${q('id')} SET ${set}`;
  },
  values: mysqlValues,
  translateError: translateMysqlError,
};
