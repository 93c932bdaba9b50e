/**
 * The data layer: connections and transactions on SQLite, PostgreSQL and
 * MariaDB; value conversion; schema synchronisation; object persistence.
 * Other components import from here only.
 */
export { openDatabase, type Database, type Transaction, type Queryable, type StatementListener, type OpenOptions } from './database.js';
export { placeholder, quoteIdentifier } from './dialects/names.js';
export { parseDatabaseUrl, redact } from './dialects/url.js';
export { loadDialect, dialectNames } from './dialects/registry.js';
export type { Dialect } from './dialects/dialect.js';
export { toDbValue, fromDbValue, idToDb, idFromDb, countFromDb } from './values.js';
export type { IdGenerator } from './ids.js';
export * from './errors.js';
export * from './persistence/index.js';
export { createIdGenerator } from './ids-impl.js';
export { syncSchema, previewSync, type SyncOptions, type SyncResult } from './schema/sync.js';
export { dataComponent, databaseUrl } from './component.js';
