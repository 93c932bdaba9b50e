import type { Kysely } from 'kysely';
import type { Logger } from '../../core/logger.js';
import type { Settings } from '../../core/settings.js';
import type { Queryable, Transaction } from '../database.js';
import { failedStatementAbortsTransaction, schemaLock, tableExistsQuery } from '../dialects/ddl.js';
import { placeholder, quoteIdentifier } from '../dialects/names.js';
import { SchemaChangedError } from '../errors.js';
import type { ModelHistoryEntry } from './model-history.js';
import { readModelHistory } from './model-history.js';
import { SYS } from './system-tables.js';

/**
 * Expand/contract for removals (rolling deploys). When a newer model removes
 * an attribute, an association or an entity while an instance of an older
 * model is still live, synchronisation does not drop its column or table: it
 * removes it from the record (the schema is the newer model's) and lists it in
 * `mendixsystem$pendingremoval` with the sequence of the model that removed
 * it. The column stays nullable (Kiln creates every column nullable), so the
 * newer model's inserts leave it empty while the older instances go on using
 * it. It is dropped at a later synchronisation, or by the cluster leader,
 * once no live instance runs a model recorded before that sequence.
 */
export interface PendingRemoval {
  readonly table: string;
  /** The column; '' for the whole table. */
  readonly column: string;
  /** The model history sequence of the model that removed it. */
  readonly sequence: number;
  readonly what: string;
}

/**
 * The table of System.XASInstance (an entity of the System module, created by
 * schema synchronisation), which the cluster component keeps: one row per
 * running instance with its model's fingerprint.
 */
export const INSTANCE_TABLE = 'system$xasinstance';

/** How long an instance row stays live without a refresh: three cluster intervals (ClusterManagerActionInterval, default half of SessionTimeout). */
export function clusterInterval(settings: Settings): number {
  return Math.max(100, settings.get('ClusterManagerActionInterval') ?? Math.floor((settings.get('SessionTimeout') ?? 600000) / 2));
}
export function liveInstanceWindowMs(settings: Settings): number {
  return 3 * clusterInterval(settings);
}

/** The database's current time in epoch milliseconds, as an SQL expression. */
export function dbNowMs(dialect: string): string {
  switch (dialect) {
    case 'postgres':
      return 'CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)';
    case 'mysql':
      return 'CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS SIGNED)';
    default:
      return "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
  }
}

/** The database's current time as a DateTime column holds it (UTC: TIMESTAMP, DATETIME(3), epoch milliseconds on SQLite). */
export function dbNowDateTime(dialect: string): string {
  switch (dialect) {
    case 'postgres':
      return "(clock_timestamp() AT TIME ZONE 'UTC')";
    case 'mysql':
      return 'UTC_TIMESTAMP(3)';
    default:
      return dbNowMs(dialect);
  }
}

/** Epoch milliseconds of a DateTime column (UTC), to compare with dbNowMs. */
export function dateTimeMs(dialect: string, column: string): string {
  switch (dialect) {
    case 'postgres':
      return `CAST(EXTRACT(EPOCH FROM ${column}) * 1000 AS BIGINT)`;
    case 'mysql':
      return `CAST(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', ${column}) DIV 1000 AS SIGNED)`;
    default:
      return column;
  }
}

/**
 * `System.XASInstance.LastUpdate` (the quoted `lastupdate` column, optionally
 * of a table alias) within `windowSql` milliseconds of the database's now: the
 * condition of a live instance.
 */
export function instanceLive(dialect: string, lastUpdate: string, windowSql: string): string {
  return `${dateTimeMs(dialect, lastUpdate)} >= ${dbNowMs(dialect)} - ${windowSql}`;
}

/**
 * Kiln before System.XASInstance was an entity kept its instances in a table
 * of its own under the same name (xasid as key, epoch-millisecond times). When
 * that table is there and the schema record does not know it, it is dropped so
 * that synchronisation creates the entity's table: it holds only liveness
 * rows, which every running instance writes again within one cluster interval.
 */
export async function dropRuntimeInstanceTable(q: Queryable, recorded: readonly string[], log: Logger): Promise<boolean> {
  if (recorded.includes(INSTANCE_TABLE) || (await q.query(tableExistsQuery(q.dialect), [INSTANCE_TABLE])).length === 0) return false;
  await q.execute(`DROP TABLE ${quoteIdentifier(q.dialect, INSTANCE_TABLE)}`, []);
  log.warn(`dropped the old runtime table ${INSTANCE_TABLE}: System.XASInstance is an entity now (its table is created by schema synchronisation)`);
  return true;
}

export async function readPendingRemovals(q: Queryable): Promise<PendingRemoval[]> {
  if ((await q.query(tableExistsQuery(q.dialect), [SYS.pendingRemoval])).length === 0) return [];
  const Q = (n: string) => quoteIdentifier(q.dialect, n);
  const rows = await q.query<Record<string, unknown>>(`SELECT * FROM ${Q(SYS.pendingRemoval)} ORDER BY ${Q('sequence')}`, []);
  return rows.map((r) => ({
    table: String(r.table_name),
    column: String(r.column_name ?? ''),
    sequence: Number(r.sequence),
    what: String(r.description ?? ''),
  }));
}

/**
 * The model history sequence of each live instance (`system$xasinstance` rows
 * refreshed within `windowMs`): 0 for a fingerprint the history does not know
 * (it might need anything). Empty when the cluster table is not there.
 */
export async function liveSequences(q: Queryable, history: readonly ModelHistoryEntry[], windowMs: number): Promise<number[]> {
  if ((await q.query(tableExistsQuery(q.dialect), [INSTANCE_TABLE])).length === 0) return [];
  const Q = (n: string) => quoteIdentifier(q.dialect, n);
  // A Mendix database's instance table has no modelversion column until Kiln's first synchronisation adds it: no Kiln instance ran there.
  const recorded = await q.query(
    `SELECT 1 AS ${Q('x')} FROM ${Q(SYS.attribute)} ${Q('a')} JOIN ${Q(SYS.entity)} ${Q('e')} ON ${Q('e')}.${Q('id')} = ${Q('a')}.${Q('entity_id')} ` +
      `WHERE ${Q('e')}.${Q('table_name')} = ${placeholder(q.dialect, 1)} AND ${Q('a')}.${Q('column_name')} = ${placeholder(q.dialect, 2)}`,
    [INSTANCE_TABLE, 'modelversion'],
  );
  if (recorded.length === 0) return [];
  const rows = await q.query<Record<string, unknown>>(
    `SELECT ${Q('modelversion')} AS ${Q('mv')} FROM ${Q(INSTANCE_TABLE)} WHERE ${instanceLive(q.dialect.name, Q('lastupdate'), String(Number(windowMs)))}`,
    [],
  );
  const seq = new Map(history.map((h) => [h.fingerprint, h.sequence]));
  return rows.map((r) => seq.get(String(r.mv ?? '')) ?? 0);
}

/** Whether a live instance runs a model recorded before `sequence` (and may use what that model removed). */
export function neededBefore(live: readonly number[], sequence: number): boolean {
  return live.some((s) => s < sequence);
}

export function pendingInsert(k: Kysely<any>, p: PendingRemoval): { sql: string; params: readonly unknown[] } {
  const c = k
    .insertInto(SYS.pendingRemoval)
    .values({ table_name: p.table, column_name: p.column, sequence: p.sequence, description: p.what.slice(0, 400) })
    .compile();
  return { sql: c.sql, params: c.parameters };
}

/**
 * The contract step: drops the pending columns and tables no live instance
 * needs any more (under the schema lock, in `tx`), and forgets them. A column
 * or table already gone is forgotten too. What was dropped, one line each.
 */
export async function contractSchema(tx: Transaction, k: Kysely<any>, windowMs: number, log: Logger, locked = false): Promise<string[]> {
  const pending = await readPendingRemovals(tx);
  if (pending.length === 0) return [];
  const lock = schemaLock(tx.dialect);
  if (!locked && lock.acquire) await tx.query(lock.acquire, []);
  try {
    const live = await liveSequences(tx, await readModelHistory(tx), windowMs);
    const done: string[] = [];
    for (const p of pending) {
      if (neededBefore(live, p.sequence)) continue;
      const drop = p.column ? k.schema.alterTable(p.table).dropColumn(p.column) : k.schema.dropTable(p.table).ifExists();
      const c = drop.compile();
      try {
        const run = () => tx.execute(c.sql, c.parameters);
        await (failedStatementAbortsTransaction(tx.dialect) ? tx.savepoint(run) : run());
      } catch (e) {
        // Gone already (dropped by hand, or its table with it): nothing to drop.
        if (!(e instanceof SchemaChangedError)) throw e;
      }
      const del = k.deleteFrom(SYS.pendingRemoval).where('table_name', '=', p.table).where('column_name', '=', p.column).compile();
      await tx.execute(del.sql, del.parameters);
      done.push(`drop ${p.column ? `column ${p.table}.${p.column}` : `table ${p.table}`} (${p.what}, removed by model #${p.sequence})`);
    }
    if (done.length) log.info({ dropped: done }, `schema contracted: ${done.length} column(s)/table(s) no live instance uses any more were dropped`);
    return done;
  } finally {
    if (!locked && lock.release) await tx.query(lock.release, []).catch(() => undefined);
  }
}
