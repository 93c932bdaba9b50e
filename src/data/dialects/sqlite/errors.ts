import { DatabaseBusyError, DataError, SchemaChangedError, UniqueViolationError } from '../../errors.js';

/** Driver errors that callers act on become typed errors; the rest pass through unchanged. */
export function translateSqliteError(err: unknown): unknown {
  if (err instanceof DataError || !(err instanceof Error)) return err;
  const e = err as Error & { code?: string };
  if (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const table = /failed: ([^.]+)\./.exec(e.message)?.[1];
    return new UniqueViolationError(`duplicate value: ${e.message}`, table, undefined, { cause: e });
  }
  // The file stayed locked by another process past busy_timeout (DatabaseLockTimeout).
  if (e.code?.startsWith('SQLITE_BUSY') || e.code?.startsWith('SQLITE_LOCKED'))
    return new DatabaseBusyError('lock', `the database file stayed locked: ${e.message}`, { cause: e });
  // A newer model renamed what this one uses (a rolling deploy).
  if (/^no such (table|column)/.test(e.message) || / has no column named /.test(e.message))
    return new SchemaChangedError(`the schema no longer matches this model: ${e.message}`, { cause: e });
  return err;
}
