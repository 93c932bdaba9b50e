import type { AttributeType } from '../../../model/compiled/types.js';
import { STRING_TYPES } from '../ddl.js';
import { doubleQuoted } from '../names.js';

/** SQLite's column types (see values.ts for what is stored). Strings compare case-insensitively (ASCII) by default. */
export function columnType(type: AttributeType): string {
  switch (type) {
    case 'String':
    case 'HashedString':
    case 'Enumeration':
      return 'TEXT COLLATE NOCASE';
    case 'Decimal':
      return 'TEXT';
    case 'Binary':
      return 'BLOB';
    default:
      return 'INTEGER';
  }
}

/** Conversions in place; Decimals are sortable text, converted by the functions of functions.ts. */
export function convertExpression(from: AttributeType, to: AttributeType, col: string): string {
  const c = doubleQuoted(col);
  if (STRING_TYPES.includes(to)) {
    if (STRING_TYPES.includes(from)) return c;
    if (from === 'Boolean') return `CASE WHEN ${c} IS NULL THEN NULL WHEN ${c} THEN 'true' ELSE 'false' END`;
    if (from === 'Decimal') return `kiln_dec_text(${c})`;
    return `CAST(${c} AS TEXT)`;
  }
  if (to === 'Decimal') return `kiln_dec(${c})`;
  if (to === 'Integer' || to === 'Long' || to === 'AutoNumber') return `CAST(${from === 'Decimal' ? `kiln_dec_text(${c})` : c} AS INTEGER)`;
  return c;
}

export const tableExistsQuery = `SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?`;
export const tablesQuery = `SELECT name FROM sqlite_master WHERE type = 'table'`;
