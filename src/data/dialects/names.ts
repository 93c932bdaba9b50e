import type { Dialect } from './dialect.js';

/**
 * Call forms of the dialect's quoting and placeholders, for code that writes
 * SQL with whatever dialect its database has (`placeholder(db.dialect, 1)`).
 */

/** The placeholder for the `index`-th bound parameter (1-based): `$1` on PostgreSQL, `?` on SQLite and MariaDB/MySQL. */
export function placeholder(dialect: Dialect, index: number): string {
  return dialect.placeholder(index);
}

/** A quoted identifier, as in the seeds' SQL (`"myfirstmodule$employee"`). */
export function quoteIdentifier(dialect: Dialect, name: string): string {
  return dialect.quote(name);
}

/**
 * Double quotes, as the seeds' SQL has them. MariaDB/MySQL sessions run with
 * sql_mode ANSI_QUOTES (set on every pooled connection), so the same quoting
 * serves all three databases and the SQL a test captures has one shape everywhere.
 */
export function doubleQuoted(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
