import type { AttributeType } from '../../../model/compiled/types.js';
import { STRING_TYPES } from '../ddl.js';
import { doubleQuoted } from '../names.js';

/** PostgreSQL's column types (see values.ts for what is stored). */
export function columnType(type: AttributeType, length: number): string {
  switch (type) {
    case 'String':
    case 'HashedString':
    case 'Enumeration':
      return length > 0 ? `VARCHAR(${length})` : 'TEXT';
    case 'Integer':
      return 'INT';
    case 'Long':
    case 'AutoNumber':
      return 'BIGINT';
    case 'Decimal':
      return 'NUMERIC(28,8)';
    case 'Boolean':
      return 'BOOLEAN';
    case 'DateTime':
      return 'TIMESTAMP';
    case 'Binary':
      return 'BYTEA';
  }
  throw new Error(`no column type for ${type} on postgres`);
}

export function convertExpression(from: AttributeType, to: AttributeType, col: string): string {
  const c = doubleQuoted(col);
  if (STRING_TYPES.includes(to)) {
    if (STRING_TYPES.includes(from)) return c;
    if (from === 'Boolean') return `CASE WHEN ${c} IS NULL THEN NULL WHEN ${c} THEN 'true' ELSE 'false' END`;
    if (from === 'Decimal') return `CAST(trim_scale(${c}) AS TEXT)`;
    return `CAST(${c} AS TEXT)`;
  }
  if (to === 'Decimal') return `CAST(${c} AS NUMERIC(28,8))`;
  if (to === 'Integer' || to === 'Long' || to === 'AutoNumber') return `CAST(${c} AS ${to === 'Integer' ? 'INT' : 'BIGINT'})`;
  return c;
}

export const tableExistsQuery = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1`;
export const tablesQuery = `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()`;

/** A transaction-scoped advisory lock. */
export const schemaLock = { acquire: 'SELECT pg_advisory_xact_lock(7281993454712)' };
