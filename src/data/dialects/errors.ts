import { DatabaseConnectionError, DataError, UniqueViolationError } from '../errors.js';
import type { DialectName } from './names.js';
import { isMysqlConnectionError } from './mysql-driver.js';
import { isPgConnectionError } from './postgres-driver.js';

/** Driver errors that callers act on become typed errors; the rest pass through unchanged. */
export function translateDriverError(dialect: DialectName, err: unknown): unknown {
  if (err instanceof DataError || !(err instanceof Error)) return err;
  const e = err as Error & { code?: string; errno?: number; constraint?: string; table?: string; sqlMessage?: string };
  switch (dialect) {
    case 'postgres':
      if (e.code === '23505') return new UniqueViolationError(`duplicate value: ${e.message}`, e.table, e.constraint, { cause: e });
      if (isPgConnectionError(e)) return new DatabaseConnectionError(`the database connection failed: ${e.message}`, { cause: e });
      break;
    case 'mysql':
      if (e.code === 'ER_DUP_ENTRY' || e.errno === 1062) {
        const key = /for key '([^']+)'/.exec(e.message)?.[1];
        const constraint = key?.includes('.') ? key.slice(key.indexOf('.') + 1) : key;
        return new UniqueViolationError(`duplicate value: ${e.message}`, undefined, constraint, { cause: e });
      }
      if (isMysqlConnectionError(e)) return new DatabaseConnectionError(`the database connection failed: ${e.message}`, { cause: e });
      break;
    case 'sqlite':
      if (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        const table = /failed: ([^.]+)\./.exec(e.message)?.[1];
        return new UniqueViolationError(`duplicate value: ${e.message}`, table, undefined, { cause: e });
      }
      break;
  }
  return err;
}
