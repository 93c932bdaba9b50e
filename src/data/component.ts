import { join } from 'node:path';
import type { RuntimeComponent, RuntimeContext } from '../core/runtime-context.js';
import { UserError } from '../model/diagnostics.js';
import { openDatabase, type Database } from './database.js';
import { DatabaseConnectionError, DestructiveSyncError } from './errors.js';
import { createIdGenerator } from './ids-impl.js';
import type { IdGenerator } from './ids.js';
import { syncSchema } from './schema/sync.js';

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
  return {
    name: 'data',
    async start(ctx) {
      const log = ctx.log.child({ node: 'Data' });
      try {
        db = await openDatabase(databaseUrl(ctx), {
          poolSize: ctx.settings.get('DatabasePoolSize') ?? 10,
          connectTimeoutMs: ctx.settings.get('DatabaseConnectTimeout') ?? 10000,
          log,
        });
        await syncSchema(db, ctx.model, { allowDestructive: ctx.settings.get('AllowDestructiveSync') ?? false, log });
        const ids = await createIdGenerator(db, ctx.model);
        ctx.services.set('db', db);
        ctx.services.set('ids', ids);
        log.info({ database: db.displayUrl, dialect: db.dialect }, 'database ready');
      } catch (e) {
        await db?.close();
        db = undefined;
        if (e instanceof DatabaseConnectionError || e instanceof DestructiveSyncError) throw new UserError(e.message);
        throw e;
      }
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
