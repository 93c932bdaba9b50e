import { createHash } from 'node:crypto';
import type { Database } from '../data/index.js';
import { inProcessExclusive, type ExclusivePort, type SqlPort } from '../logic/engine/ports.js';

/** The 64-bit key of PostgreSQL's advisory lock for a microflow (signed, as text). */
function advisoryKey(name: string): string {
  return createHash('sha256').update(`kiln.microflow:${name}`).digest().readBigInt64BE(0).toString();
}

/** MariaDB's lock name for a microflow (at most 64 characters). */
function namedLock(name: string): string {
  return `kiln.${createHash('sha256').update(name).digest('hex').slice(0, 40)}`;
}

/**
 * Cluster-wide exclusive execution for microflows marked
 * disallowConcurrentExecution, on the database every instance shares, in the
 * microflow's own transaction: PostgreSQL `pg_try_advisory_xact_lock` (held
 * until the transaction ends, released by the server if the instance dies),
 * MariaDB `GET_LOCK(name, 0)` on the transaction's connection (released when
 * the microflow ends, or with the connection), SQLite in-process (one instance).
 */
export function clusterExclusive(db: Database): ExclusivePort {
  const local = inProcessExclusive();
  const kind = db.dialect.name;
  if (kind === 'postgres') {
    return {
      async tryLock(name, tx) {
        if (!tx) return local.tryLock(name, tx);
        const r = await tx.query<{ ok: unknown }>(`SELECT pg_try_advisory_xact_lock(${tx.dialect.placeholder(1)}::bigint) AS ok`, [advisoryKey(name)]);
        return r[0]?.ok === true ? async () => undefined : undefined;
      },
    };
  }
  if (kind === 'mysql') {
    return {
      async tryLock(name, tx: SqlPort | undefined) {
        if (!tx) return local.tryLock(name, tx);
        const key = namedLock(name);
        const r = await tx.query<{ ok: unknown }>('SELECT GET_LOCK(?, 0) AS ok', [key]);
        if (Number(r[0]?.ok) !== 1) return undefined;
        return async () => {
          await tx.query('SELECT RELEASE_LOCK(?) AS released', [key]);
        };
      },
    };
  }
  return local;
}
