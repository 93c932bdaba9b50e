/**
 * The three databases Kiln runs on. Everything that differs between them —
 * identifier quoting, placeholders, column types, value storage, locks,
 * driver set-up — lives in this folder and nowhere else.
 */
export type DialectName = 'sqlite' | 'postgres' | 'mysql';

/**
 * The placeholder for the `index`-th bound parameter (1-based): `$1`, `$2` on
 * PostgreSQL, `?` on SQLite and MariaDB/MySQL.
 */
export function placeholder(dialect: DialectName, index: number): string {
  return dialect === 'postgres' ? `$${index}` : '?';
}

/**
 * A double-quoted identifier, as in the seeds' SQL (`"myfirstmodule$employee"`).
 * MariaDB/MySQL sessions run with sql_mode ANSI_QUOTES (set on every pooled
 * connection), so the same quoting serves all three databases and the SQL a
 * test captures has one shape everywhere.
 */
export function quoteIdentifier(_dialect: DialectName, name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Largest number of bound parameters we put in one statement (below every driver's limit). */
export const MAX_PARAMS: Record<DialectName, number> = { sqlite: 30000, postgres: 30000, mysql: 30000 };
