import { DatabaseBusyError, DatabaseConnectionError, DataError, SchemaChangedError, UniqueViolationError } from '../../errors.js';

/** Driver errors that callers act on become typed errors; the rest pass through unchanged. */
export function translatePgError(err: unknown): unknown {
  if (err instanceof DataError || !(err instanceof Error)) return err;
  const e = err as Error & { code?: string; constraint?: string; table?: string };
  if (e.code === '23505') return new UniqueViolationError(`duplicate value: ${e.message}`, e.table, e.constraint, { cause: e });
  // 55P03 lock_not_available: lock_timeout passed; 57014 query_canceled: statement_timeout (or a cancel).
  if (e.code === '55P03') return new DatabaseBusyError('lock', `a lock was not granted within the lock timeout: ${e.message}`, { cause: e });
  if (e.code === '57014') return new DatabaseBusyError('statement', `the statement was cancelled: ${e.message}`, { cause: e });
  // 42P01 undefined_table, 42703 undefined_column: a newer model renamed what this one uses (a rolling deploy).
  if (e.code === '42P01' || e.code === '42703') return new SchemaChangedError(`the schema no longer matches this model: ${e.message}`, { cause: e });
  if (isPgConnectionError(e)) return new DatabaseConnectionError(`the database connection failed: ${e.message}`, { cause: e });
  return err;
}

export function isPgConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (typeof e?.code === 'string' && (/^(08|57P0)/.test(e.code) || ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(e.code))) return true;
  return /Connection terminated|connection is closed|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(e?.message ?? '');
}
