import { DatabaseBusyError, DatabaseConnectionError, DataError, SchemaChangedError, UniqueViolationError } from '../../errors.js';

/** Driver errors that callers act on become typed errors; the rest pass through unchanged. */
export function translateMysqlError(err: unknown): unknown {
  if (err instanceof DataError || !(err instanceof Error)) return err;
  const e = err as Error & { code?: string; errno?: number };
  if (e.code === 'ER_DUP_ENTRY' || e.errno === 1062) {
    const key = /for key '([^']+)'/.exec(e.message)?.[1];
    const constraint = key?.includes('.') ? key.slice(key.indexOf('.') + 1) : key;
    return new UniqueViolationError(`duplicate value: ${e.message}`, undefined, constraint, { cause: e });
  }
  // 1205 ER_LOCK_WAIT_TIMEOUT: innodb_lock_wait_timeout passed; 1969 ER_STATEMENT_TIMEOUT: max_statement_time.
  if (e.errno === 1205) return new DatabaseBusyError('lock', `a lock was not granted within the lock timeout: ${e.message}`, { cause: e });
  if (e.errno === 1969) return new DatabaseBusyError('statement', `the statement ran past the statement timeout: ${e.message}`, { cause: e });
  // 1146 ER_NO_SUCH_TABLE, 1054 ER_BAD_FIELD_ERROR: a newer model renamed what this one uses (a rolling deploy).
  if (e.errno === 1146 || e.errno === 1054) return new SchemaChangedError(`the schema no longer matches this model: ${e.message}`, { cause: e });
  if (isMysqlConnectionError(e)) return new DatabaseConnectionError(`the database connection failed: ${e.message}`, { cause: e });
  return err;
}

export function isMysqlConnectionError(err: unknown): boolean {
  const e = err as { code?: string; fatal?: boolean; message?: string };
  if (e?.fatal) return true;
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'PROTOCOL_CONNECTION_LOST', 'ER_SERVER_SHUTDOWN', 'ETIMEDOUT'].includes(e?.code ?? '') ||
    /connection is in closed state|Can't add new command when connection is in closed state/i.test(e?.message ?? '')
  );
}
