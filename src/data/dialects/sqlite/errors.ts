import { DataError, UniqueViolationError } from '../../errors.js';

/** Driver errors that callers act on become typed errors; the rest pass through unchanged. */
export function translateSqliteError(err: unknown): unknown {
  if (err instanceof DataError || !(err instanceof Error)) return err;
  const e = err as Error & { code?: string };
  if (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const table = /failed: ([^.]+)\./.exec(e.message)?.[1];
    return new UniqueViolationError(`duplicate value: ${e.message}`, table, undefined, { cause: e });
  }
  return err;
}
