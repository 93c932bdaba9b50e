import type { Logger } from '../../core/logger.js';
import type { CompiledModel } from '../../model/compiled/types.js';
import type { Database, Queryable } from '../database.js';
import { schemaLock, tableExistsQuery, tablesQuery } from '../dialects/ddl.js';
import { DestructiveSyncError, OlderModelError } from '../errors.js';
import { historyInsert, incompatibilities, modelFingerprint, modelStanding, readModelHistory, type ModelStanding } from './model-history.js';
import { modelSchema } from './model-schema.js';
import { keepMendixSystemParts } from './mendix-system.js';
import { contractSchema, dropRuntimeInstanceTable, liveSequences, neededBefore, readPendingRemovals, type PendingRemoval } from './pending.js';
import { planSync, type PlanStep, type SyncPlan } from './plan.js';
import { readStoredSchema, type StoredSchema, systemTablesExist } from './record.js';
import { SYS, systemTableStatements } from './system-tables.js';

export interface SyncOptions {
  /** Apply changes that destroy data (AllowDestructiveSync). */
  readonly allowDestructive: boolean;
  readonly log: Logger;
  /**
   * How long a `system$xasinstance` row counts as a live instance without a
   * refresh (pending.ts liveInstanceWindowMs); default 15 minutes.
   */
  readonly liveInstanceWindowMs?: number;
}

const DEFAULT_LIVE_WINDOW = 900000;

export interface SyncResult {
  /** The statements run (empty when the schema already matched the model). */
  readonly statements: readonly PlanStep[];
  readonly summary: readonly string[];
  /**
   * `older`: the database was synchronised by a newer model; nothing was
   * changed and this model serves with the newer schema (compatible mode).
   */
  readonly standing: ModelStanding['kind'];
  /** The schema fingerprint recorded for this model (the cluster registers instances with it). */
  readonly fingerprint: string;
  /** Columns and tables dropped now that no live instance needs them (expand/contract). */
  readonly contracted: readonly string[];
}

/** What `kiln ddl` shows: the plan, and how this model stands to the one that last synchronised the database. */
export interface SyncPreview extends SyncPlan {
  readonly standing: ModelStanding;
  readonly fingerprint: string;
  /** Older model that cannot serve with the schema: why (a start refuses). */
  readonly incompatible: readonly string[];
}

/**
 * Makes the database match the model: under the schema lock (the second of two
 * instances starting together waits, then finds nothing to do), in one
 * transaction where the database has transactional DDL (PostgreSQL, SQLite),
 * creates the system tables if needed, reads the record, plans the
 * difference, refuses it when it would destroy data (unless allowed) and runs it.
 */
export async function syncSchema(db: Database, model: CompiledModel, opts: SyncOptions): Promise<SyncResult> {
  const lock = schemaLock(db.dialect);
  return db.transaction(async (tx) => {
    if (lock.acquire) {
      const got = await tx.query<Record<string, unknown>>(lock.acquire, []);
      // MariaDB's GET_LOCK answers 0 after its timeout instead of failing.
      if (got[0] && 'locked' in got[0] && Number(got[0].locked) !== 1) {
        throw new Error('schema synchronisation could not take the schema lock within 10 minutes (another instance holds it)');
      }
    }
    try {
      // One look at the catalogue: when every system table is there (a restart), none is created
      // again; a database of an older Kiln may lack the newer ones, and gets them.
      const existing = new Set((await tx.query<{ name: unknown }>(tablesQuery(tx.dialect), [])).map((r) => String(r.name)));
      // Reported with the plan when they are new, so that the statements run match what previewSync showed.
      const created = existing.has(SYS.version) ? [] : systemTableStatements(db.kysely, db.dialect).map((s) => ({ ...s, ddl: true }));
      if (!Object.values(SYS).every((t) => existing.has(t))) {
        for (const s of systemTableStatements(db.kysely, db.dialect)) await tx.execute(s.sql, s.params);
      }
      const tables = modelSchema(model);
      const fingerprint = modelFingerprint(tables, model.app.version);
      const history = await readModelHistory(tx);
      const standing = modelStanding(history, fingerprint);
      const pending = await readPendingRemovals(tx);
      // Read once for the check and the plan; again only when the old runtime table was dropped.
      let stored = await readStoredSchema(tx);
      if (
        await dropRuntimeInstanceTable(
          tx,
          stored.tables.map((t) => t.table),
          opts.log,
        )
      )
        stored = await readStoredSchema(tx);
      if (standing.kind === 'older') {
        const why = incompatibilities(tx, tables, stored, pending);
        if (why.length) throw new OlderModelError(olderLine(model.app.version, standing, why));
        opts.log.warn(
          { model: model.app.version, fingerprint, database: standing.latest },
          `this model (version ${model.app.version}) is older than the one that last synchronised the database (version ${standing.latest.version}, #${standing.latest.sequence}): serving with its schema, changing nothing`,
        );
        return { statements: [], summary: [], standing: 'older', fingerprint, contracted: [] };
      }
      const sequence = standing.kind === 'new' ? standing.next : (standing.latest?.sequence ?? 1);
      const window = opts.liveInstanceWindowMs ?? DEFAULT_LIVE_WINDOW;
      const defer = neededBefore(await liveSequences(tx, history, window), sequence) ? sequence : undefined;
      const plan = await makePlan(tx, db, model, defer, pending, stored);
      if (plan.losses.length && !opts.allowDestructive) throw new DestructiveSyncError(plan.losses);
      if (plan.losses.length) opts.log.warn({ losses: plan.losses }, 'schema synchronisation destroys data (AllowDestructiveSync is set)');
      for (const s of plan.steps) await tx.execute(s.sql, s.params);
      if (standing.kind === 'new' || !standing.latest) {
        const h = historyInsert(db.kysely, standing.kind === 'new' ? standing.next : 1, fingerprint, model.app.version);
        await tx.execute(h.sql, h.params);
      }
      if (plan.summary.length)
        opts.log.info({ changes: plan.summary }, `schema synchronised: ${plan.summary.length} change${plan.summary.length === 1 ? '' : 's'}`);
      // Contract: what earlier models removed and no live instance needs any more goes now.
      const contracted = await contractSchema(tx, db.kysely, window, opts.log, true);
      return { statements: [...created, ...plan.steps], summary: plan.summary, standing: standing.kind, fingerprint, contracted };
    } finally {
      if (lock.release) await tx.query(lock.release, []).catch(() => undefined);
    }
  });
}

/**
 * The statements synchronisation would run, without running any (`kiln ddl`):
 * on a database without system tables they include creating them.
 */
export async function previewSync(db: Database, model: CompiledModel, liveInstanceWindowMs = DEFAULT_LIVE_WINDOW): Promise<SyncPreview> {
  const exists = await systemTablesExist(db);
  const tables = modelSchema(model);
  const fingerprint = modelFingerprint(tables, model.app.version);
  const history = (await db.query(tableExistsQuery(db.dialect), [SYS.modelHistory])).length ? await readModelHistory(db) : [];
  const standing = modelStanding(history, fingerprint);
  const pending = await readPendingRemovals(db);
  if (standing.kind === 'older') {
    return { steps: [], losses: [], summary: [], standing, fingerprint, incompatible: incompatibilities(db, tables, await readStoredSchema(db), pending) };
  }
  const sequence = standing.kind === 'new' ? standing.next : (standing.latest?.sequence ?? 1);
  const defer = neededBefore(await liveSequences(db, history, liveInstanceWindowMs), sequence) ? sequence : undefined;
  const plan = await makePlan(db, db, model, defer, pending);
  if (exists) return { ...plan, standing, fingerprint, incompatible: [] };
  const create = systemTableStatements(db.kysely, db.dialect).map((s) => ({ ...s, ddl: true }));
  return { ...plan, steps: [...create, ...plan.steps], standing, fingerprint, incompatible: [] };
}

/** The one line an older, incompatible model refuses to start with. */
export function olderLine(version: string, standing: Extract<ModelStanding, { kind: 'older' }>, why: readonly string[]): string {
  return (
    `this model (version ${version}, #${standing.self.sequence}) is older than the one that last synchronised the database (version ${standing.latest.version}, #${standing.latest.sequence}) ` +
    `and cannot serve with its schema: ${why[0]}${why.length > 1 ? ` (and ${why.length - 1} more)` : ''}; the schema was not changed. ` +
    'Deploy the newer model, or give this one a new version in app.yaml to apply its schema deliberately.'
  );
}

async function makePlan(
  q: Queryable,
  db: Database,
  model: CompiledModel,
  deferRemovals: number | undefined,
  pending: readonly PendingRemoval[],
  stored?: StoredSchema,
): Promise<SyncPlan> {
  const kept = keepMendixSystemParts(modelSchema(model), stored ?? (await readStoredSchema(q)));
  return planSync(q, db.kysely, kept.desired, kept.stored, {
    modelVersion: model.app.version,
    pending,
    ...(deferRemovals === undefined ? {} : { deferRemovals }),
  });
}

/** The schema fingerprint of a model, as synchronisation records it in mendixsystem$modelhistory (the cluster's model version). */
export function schemaFingerprint(model: CompiledModel): string {
  return modelFingerprint(modelSchema(model), model.app.version);
}
