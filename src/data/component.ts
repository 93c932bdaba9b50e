import { join } from 'node:path';
import { NotReadyError, type RuntimeComponent, type RuntimeContext } from '../core/runtime-context.js';
import { UserError } from '../model/diagnostics.js';
import { openDatabase, type Database } from './database.js';
import { DatabaseConnectionError, DestructiveSyncError, OlderModelError } from './errors.js';
import { createIdGenerator } from './ids-impl.js';
import type { IdGenerator } from './ids.js';
import { liveInstanceWindowMs } from './schema/pending.js';
import { syncSchema } from './schema/sync.js';
import { LOG_NODES } from '../core/log-node-names.js';

/** The database URL from the settings; default a SQLite file in the deployment folder. */
function databaseUrl(ctx: Pick<RuntimeContext, 'settings' | 'deploymentDir'>): string {
  return ctx.settings.get('DatabaseUrl') ?? `sqlite:${join(ctx.deploymentDir, 'database.sqlite')}`;
}

/**
 * The data layer as a runtime component: opens the database, synchronises the
 * schema, and provides the services `db` (Database) and `ids` (IdGenerator).
 */
export function dataComponent(): RuntimeComponent {
  let db: Database | undefined;
  /** The readiness probe's SELECT 1 in flight: probes share it, so a hung database does not collect them. */
  let probe: Promise<unknown> | undefined;
  return {
    name: 'data',
    async start(ctx) {
      const log = ctx.log.child({ node: LOG_NODES.connectionBus });
      try {
        db = await openDatabase(databaseUrl(ctx), {
          poolSize: ctx.settings.get('DatabasePoolSize') ?? 10,
          connectTimeoutMs: ctx.settings.get('DatabaseConnectTimeout') ?? 10000,
          poolWaitTimeoutMs: ctx.settings.get('DatabasePoolWaitTimeout') ?? 5000,
          statementTimeoutMs: ctx.settings.get('DatabaseStatementTimeout') ?? 30000,
          lockTimeoutMs: ctx.settings.get('DatabaseLockTimeout') ?? 10000,
          log,
        });
        const opened = db;
        // A table rewrite may outlast the statement timeout, and the schema lock waits for another instance's sync.
        await opened.withoutTimeouts(() =>
          syncSchema(opened, ctx.model, {
            allowDestructive: ctx.settings.get('AllowDestructiveSync') ?? false,
            log: ctx.log.child({ node: LOG_NODES.connectionBusValidation }),
            liveInstanceWindowMs: liveInstanceWindowMs(ctx.settings),
          }),
        );
        const ids = await createIdGenerator(db, ctx.model);
        ctx.services.set('db', db);
        ctx.services.set('ids', ids);
        log.info({ database: db.displayUrl, dialect: db.dialect.name }, 'database ready');
      } catch (e) {
        await db?.close();
        db = undefined;
        if (e instanceof DatabaseConnectionError || e instanceof DestructiveSyncError || e instanceof OlderModelError) throw new UserError(e.message);
        throw e;
      }
    },
    /** `SELECT 1` within ReadinessTimeout; throws NotReadyError('database') when it fails or is slower. */
    async readiness(ctx) {
      const current = db;
      if (!current) throw new NotReadyError('database', 'the database is not open');
      const timeoutMs = ctx.settings.get('ReadinessTimeout') ?? 1000;
      probe ??= current.query('SELECT 1', []).finally(() => {
        probe = undefined;
      });
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new NotReadyError('database', `the database did not answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([probe, late]);
      } catch (e) {
        if (e instanceof NotReadyError) throw e;
        throw new NotReadyError('database', 'the database did not answer', { cause: e });
      } finally {
        clearTimeout(timer);
      }
    },
    /** Shut-down timed out: roll back the transactions still open, so no stuck request commits later. */
    async abort(ctx) {
      if (!db) return;
      const n = await db.abortTransactions('the transaction was rolled back: shut-down timed out');
      ctx.log.child({ node: LOG_NODES.connectionBus }).warn({ transactions: n }, `rolled back ${n} transaction(s) still open at shut-down`);
    },
    async stop() {
      await db?.close();
      db = undefined;
    },
  };
}

declare module '../core/services.js' {
  interface Services {
    db: Database;
    ids: IdGenerator;
  }
}
