import type { Logger } from '../../core/logger.js';
import type { CompiledModel } from '../../model/compiled/types.js';
import type { Database, Queryable } from '../database.js';
import { schemaLock } from '../dialects/ddl.js';
import { DestructiveSyncError } from '../errors.js';
import { modelSchema } from './model-schema.js';
import { planSync, type PlanStep, type SyncPlan } from './plan.js';
import { readStoredSchema, systemTablesExist } from './record.js';
import { systemTableStatements } from './system-tables.js';

export interface SyncOptions {
  /** Apply changes that destroy data (AllowDestructiveSync). */
  readonly allowDestructive: boolean;
  readonly log: Logger;
}

export interface SyncResult {
  /** The statements run (empty when the schema already matched the model). */
  readonly statements: readonly PlanStep[];
  readonly summary: readonly string[];
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
      for (const s of systemTableStatements(db.kysely, db.dialect)) await tx.execute(s.sql, s.params);
      const plan = await makePlan(tx, db, model);
      if (plan.losses.length && !opts.allowDestructive) throw new DestructiveSyncError(plan.losses);
      if (plan.losses.length) opts.log.warn({ losses: plan.losses }, 'schema synchronisation destroys data (AllowDestructiveSync is set)');
      for (const s of plan.steps) await tx.execute(s.sql, s.params);
      if (plan.summary.length) opts.log.info({ changes: plan.summary }, `schema synchronised: ${plan.summary.length} change${plan.summary.length === 1 ? '' : 's'}`);
      return { statements: plan.steps, summary: plan.summary };
    } finally {
      if (lock.release) await tx.query(lock.release, []).catch(() => undefined);
    }
  });
}

/**
 * The statements synchronisation would run, without running any (`kiln ddl`):
 * on a database without system tables they include creating them.
 */
export async function previewSync(db: Database, model: CompiledModel): Promise<SyncPlan> {
  const exists = await systemTablesExist(db);
  const plan = await makePlan(db, db, model);
  if (exists) return plan;
  const create = systemTableStatements(db.kysely, db.dialect).map((s) => ({ ...s, ddl: true }));
  return { ...plan, steps: [...create, ...plan.steps] };
}

async function makePlan(q: Queryable, db: Database, model: CompiledModel): Promise<SyncPlan> {
  const stored = await readStoredSchema(q);
  return planSync(q, db.kysely, modelSchema(model), stored, { modelVersion: model.app.version });
}
