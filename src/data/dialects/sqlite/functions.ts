import type BetterSqlite3 from 'better-sqlite3';
import { registerSqliteQueryFunctions } from './query-syntax.js';
import { decodeSortableDecimal, Dec, encodeSortableDecimal, normaliseDecimal } from '../decimal-format.js';

/**
 * SQL functions every Kiln SQLite connection has, for the stored Decimal
 * format (see decimal-format.ts): schema synchronisation converts columns
 * with them, and queries may use them for arithmetic.
 * - kiln_dec(x): a number or numeric text to the stored Decimal text
 * - kiln_dec_text(d): the stored text back to plain decimal text ('12.345')
 * - kiln_dec_real(d): the stored text as a REAL (approximate: for AVG/SUM only)
 */
export function registerSqliteFunctions(db: BetterSqlite3.Database): void {
  db.function('kiln_dec', { deterministic: true }, (x: unknown) => {
    if (x === null || x === undefined) return null;
    const d = normaliseDecimal(new Dec(String(x)));
    return d ? encodeSortableDecimal(d) : null;
  });
  db.function('kiln_dec_text', { deterministic: true }, (x: unknown) => (x === null || x === undefined ? null : decodeSortableDecimal(String(x)).toFixed()));
  db.function('kiln_dec_real', { deterministic: true }, (x: unknown) => (x === null || x === undefined ? null : decodeSortableDecimal(String(x)).toNumber()));
  // The query engine's kiln_lower (Unicode case folding) and kiln_datepart (time zones).
  registerSqliteQueryFunctions(db);
}
