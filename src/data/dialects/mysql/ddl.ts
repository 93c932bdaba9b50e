import type { AttributeType } from '../../../model/compiled/types.js';
import { STRING_TYPES } from '../ddl.js';
import { doubleQuoted } from '../names.js';

/** MariaDB's column types (see values.ts for what is stored). */
export function columnType(type: AttributeType, length: number): string {
  switch (type) {
    // Long VARCHARs count against MariaDB's 65,535-byte row limit (4 bytes a character in utf8mb4).
    case 'String':
    case 'HashedString':
    case 'Enumeration':
      return length > 0 && length <= 2000 ? `VARCHAR(${length})` : 'LONGTEXT';
    case 'Integer':
      return 'INT';
    case 'Long':
    case 'AutoNumber':
      return 'BIGINT';
    case 'Decimal':
      return 'DECIMAL(28,8)';
    case 'Boolean':
      return 'BOOLEAN';
    case 'DateTime':
      return 'DATETIME(3)';
    case 'Binary':
      return 'LONGBLOB';
  }
  throw new Error(`no column type for ${type} on mysql`);
}

export function convertExpression(from: AttributeType, to: AttributeType, col: string): string {
  const c = doubleQuoted(col);
  if (STRING_TYPES.includes(to)) {
    if (STRING_TYPES.includes(from)) return c;
    if (from === 'Boolean') return `CASE WHEN ${c} IS NULL THEN NULL WHEN ${c} THEN 'true' ELSE 'false' END`;
    if (from === 'Decimal') return `CAST(TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM CAST(${c} AS CHAR))) AS CHAR)`;
    return `CAST(${c} AS CHAR)`;
  }
  if (to === 'Decimal') return `CAST(${c} AS DECIMAL(28,8))`;
  if (to === 'Integer' || to === 'Long' || to === 'AutoNumber') return `CAST(${c} AS SIGNED)`;
  return c;
}

export const tableExistsQuery = `SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?`;
export const tablesQuery = `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()`;

/** A named lock held by the connection (DDL commits implicitly, so no transaction holds it). */
export const schemaLock = {
  acquire: "SELECT GET_LOCK('kiln_schema_sync', 600) AS locked",
  release: "SELECT RELEASE_LOCK('kiln_schema_sync') AS released",
};
