import { DatabaseConnectionError, DataError, UniqueViolationError } from '../../errors.js';

/** Driver errors that callers act on become typed errors; the rest pass through unchanged. */
export function translateMysqlError(err: unknown): unknown {
  if (err instanceof DataError || !(err instanceof Error)) return err;
  const e = err as Error & { code?: string; errno?: number };
  if (e.code === 'ER_DUP_ENTRY' || e.errno === 1062) {
    const key = /for key '([^']+)'/.exec(e.message)?.[1];
    const constraint = key?.includes('.') ? key.slice(key.indexOf('.') + 1) : key;
    return new UniqueViolationError(`duplicate value: ${e.message}`, undefined, constraint, { cause: e });
  }
  if (isMysqlConnectionError(e)) return new DatabaseConnectionError(`the database connection failed: ${e.message}`, { cause: e });
  return err;
}

export function isMysqlConnectionError(err: unknown): boolean {
  const e = err as { code?: string; fatal?: boolean; message?: string };
  if (e?.fatal) return true;
  return ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'PROTOCOL_CONNECTION_LOST', 'ER_SERVER_SHUTDOWN', 'ETIMEDOUT'].includes(e?.code ?? '')
    || /connection is in closed state|Can't add new command when connection is in closed state/i.test(e?.message ?? '');
}
