/**
 * The data layer: connections and transactions on SQLite, PostgreSQL and
 * MariaDB; value conversion; schema synchronisation; object persistence.
 * Other components import from here only.
 */
export { openDatabase, type Database, type Transaction, type Queryable } from './database.js';
export { placeholder, quoteIdentifier } from './dialects/names.js';
export type { Dialect } from './dialects/dialect.js';
export { toDbValue, fromDbValue, idToDb, idFromDb } from './values.js';
export type { IdGenerator } from './ids.js';
export * from './errors.js';
export * from './persistence/index.js';
export { createIdGenerator } from './ids-impl.js';
export { syncSchema, schemaFingerprint } from './schema/sync.js';
export { contractSchema, clusterInterval, dateTimeMs, dbNowDateTime, dbNowMs, instanceLive, INSTANCE_TABLE, liveInstanceWindowMs } from './schema/pending.js';
export { dataComponent } from './component.js';
export { createTableIfMissing } from './runtime-tables.js';
