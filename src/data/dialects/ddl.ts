import type { AttributeType } from '../../model/compiled/types.js';
import type { DialectName } from './names.js';
import { quoteIdentifier } from './names.js';

/** The SQL column type of an attribute on each database (see value-codecs.ts for what is stored). */
export function columnType(dialect: DialectName, type: AttributeType, length: number): string {
  switch (dialect) {
    case 'sqlite':
      switch (type) {
        case 'String': case 'HashedString': case 'Enumeration': return 'TEXT COLLATE NOCASE';
        case 'Decimal': return 'TEXT';
        case 'Binary': return 'BLOB';
        default: return 'INTEGER';
      }
    case 'postgres':
      switch (type) {
        case 'String': case 'HashedString': case 'Enumeration': return length > 0 ? `VARCHAR(${length})` : 'TEXT';
        case 'Integer': return 'INT';
        case 'Long': case 'AutoNumber': return 'BIGINT';
        case 'Decimal': return 'NUMERIC(28,8)';
        case 'Boolean': return 'BOOLEAN';
        case 'DateTime': return 'TIMESTAMP';
        case 'Binary': return 'BYTEA';
      }
      break;
    case 'mysql':
      switch (type) {
        // Long VARCHARs count against MariaDB's 65,535-byte row limit (4 bytes a character in utf8mb4).
        case 'String': case 'HashedString': case 'Enumeration': return length > 0 && length <= 2000 ? `VARCHAR(${length})` : 'LONGTEXT';
        case 'Integer': return 'INT';
        case 'Long': case 'AutoNumber': return 'BIGINT';
        case 'Decimal': return 'DECIMAL(28,8)';
        case 'Boolean': return 'BOOLEAN';
        case 'DateTime': return 'DATETIME(3)';
        case 'Binary': return 'LONGBLOB';
      }
  }
  throw new Error(`no column type for ${type} on ${dialect}`);
}

/** The id column: 64-bit; on SQLite `INTEGER PRIMARY KEY` makes it the rowid (the fastest lookup SQLite has). */
export function idColumnType(dialect: DialectName): string {
  return dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
}

/** BIGINT columns holding ids (association ends, owner, changedBy). */
export function bigintType(dialect: DialectName): string {
  return dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
}

const STRINGS: readonly AttributeType[] = ['String', 'HashedString', 'Enumeration'];

/**
 * An SQL expression converting column `col` from one attribute type to
 * another, for the conversions schema synchronisation makes in place.
 */
export function convertExpression(dialect: DialectName, from: AttributeType, to: AttributeType, col: string): string {
  const c = quoteIdentifier(dialect, col);
  if (STRINGS.includes(to)) {
    if (STRINGS.includes(from)) return c;
    if (from === 'Boolean') return `CASE WHEN ${c} IS NULL THEN NULL WHEN ${c} THEN 'true' ELSE 'false' END`;
    if (from === 'Decimal') return dialect === 'sqlite' ? `kiln_dec_text(${c})` : dialect === 'postgres' ? `CAST(trim_scale(${c}) AS TEXT)` : `CAST(TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM CAST(${c} AS CHAR))) AS CHAR)`;
    return dialect === 'sqlite' ? `CAST(${c} AS TEXT)` : dialect === 'postgres' ? `CAST(${c} AS TEXT)` : `CAST(${c} AS CHAR)`;
  }
  if (to === 'Decimal') return dialect === 'sqlite' ? `kiln_dec(${c})` : dialect === 'postgres' ? `CAST(${c} AS NUMERIC(28,8))` : `CAST(${c} AS DECIMAL(28,8))`;
  if (to === 'Integer' || to === 'Long' || to === 'AutoNumber') {
    const src = dialect === 'sqlite' && from === 'Decimal' ? `kiln_dec_text(${c})` : c;
    if (dialect === 'sqlite') return `CAST(${src} AS INTEGER)`;
    if (dialect === 'postgres') return `CAST(${src} AS ${to === 'Integer' ? 'INT' : 'BIGINT'})`;
    return `CAST(${src} AS SIGNED)`;
  }
  return c;
}

/** SQL for the longest text in a string column (narrowing checks). */
export function lengthFunction(dialect: DialectName): string {
  return dialect === 'mysql' ? 'CHAR_LENGTH' : 'LENGTH';
}

/**
 * Taking and giving back the schema lock, so that two instances starting at
 * once do not both apply the DDL: the second waits, then finds nothing to do.
 * PostgreSQL: a transaction-scoped advisory lock. MariaDB: a named lock held by
 * the connection. SQLite: the transaction's write lock (BEGIN IMMEDIATE) already is one.
 */
export function schemaLock(dialect: DialectName): { acquire?: string; release?: string } {
  switch (dialect) {
    case 'postgres': return { acquire: 'SELECT pg_advisory_xact_lock(7281993454712)' };
    case 'mysql': return { acquire: "SELECT GET_LOCK('kiln_schema_sync', 600) AS locked", release: "SELECT RELEASE_LOCK('kiln_schema_sync') AS released" };
    case 'sqlite': return {};
  }
}

/** A query listing the named table if it exists (one parameter: the table name). */
export function tableExistsQuery(dialect: DialectName): string {
  switch (dialect) {
    case 'sqlite': return `SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?`;
    case 'postgres': return `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1`;
    case 'mysql': return `SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?`;
  }
}

/** MariaDB names the table in DROP INDEX; the others must not. */
export function dropIndexNamesTable(dialect: DialectName): boolean {
  return dialect === 'mysql';
}

/** PostgreSQL aborts a transaction at its first failed statement; the others carry on. */
export function failedStatementAbortsTransaction(dialect: DialectName): boolean {
  return dialect === 'postgres';
}
