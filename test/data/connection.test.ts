import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endServerProcess, freshDatabase, MYSQL_ADMIN_URL, PG_ADMIN_URL, type TestDatabase } from '../support/databases.js';
import {
  commitObjects,
  createIdGenerator,
  createObject,
  DatabaseConnectionError,
  dataComponent,
  openDatabase,
  retrieveByIds,
  syncSchema,
  type Database,
  type IdGenerator,
} from '../../src/data/index.js';
import { resolveSettings } from '../../src/core/settings.js';
import type { RuntimeContext } from '../../src/core/runtime-context.js';
import { ServiceRegistry } from '../../src/core/services.js';
import { UserError } from '../../src/model/diagnostics.js';
import { modelOf, PERSISTENCE_MODEL, quietLog } from './support.js';

describe('opening a database', () => {
  it('names the URL without its password and what the driver said when PostgreSQL cannot be reached', async () => {
    const err = await openDatabase('postgres://kiln:s3cret@127.0.0.1:1/nowhere', { log: quietLog, connectTimeoutMs: 2000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseConnectionError);
    expect((err as Error).message).toMatch(/^cannot connect to the database postgres:\/\/kiln:\*\*\*@127\.0\.0\.1:1\/nowhere: .*ECONNREFUSED/);
    expect((err as Error).message).not.toContain('s3cret');
  });

  it('does the same for MariaDB and for a database that does not exist', async () => {
    const err = await openDatabase('mysql://root:pw@127.0.0.1:1/x', { log: quietLog, connectTimeoutMs: 2000 }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^cannot connect to the database mysql:\/\/root:\*\*\*@127\.0\.0\.1:1\/x: .*ECONNREFUSED/);
    const missing = await openDatabase(PG_ADMIN_URL.replace(/\/[^/]*$/, '/kiln_no_such_db'), { log: quietLog }).catch((e: unknown) => e);
    expect((missing as Error).message).toMatch(/database "kiln_no_such_db" does not exist/);
  });

  it('refuses a URL it does not understand', async () => {
    await expect(openDatabase('oracle://x', { log: quietLog })).rejects.toThrow(/expected sqlite:<path>, postgres:\/\/.*mysql:\/\//);
  });
});

describe('the data component', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kiln-deploy-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const context = async (settings: Record<string, unknown>): Promise<RuntimeContext> => ({
    appDir: dir,
    deploymentDir: dir,
    model: await modelOf(PERSISTENCE_MODEL),
    settings: await resolveSettings({ cli: settings }),
    log: quietLog,
    services: new ServiceRegistry(),
  });

  it('opens SQLite in the deployment folder by default, synchronises it and provides db and ids', async () => {
    const ctx = await context({});
    const c = dataComponent();
    await c.start!(ctx);
    try {
      expect(existsSync(join(dir, 'database.sqlite'))).toBe(true);
      const db = ctx.services.get('db') as Database;
      const ids = ctx.services.get('ids') as IdGenerator;
      expect(db.dialect.name).toBe('sqlite');
      expect(await db.query('SELECT COUNT(*) AS n FROM "t$everything"', [])).toEqual([{ n: 0n }]);
      expect(ids.shortIdOf('T.Everything')).toBeGreaterThan(0);
      const journal = await db.query<{ journal_mode: string }>('PRAGMA journal_mode', []);
      expect(journal[0]!.journal_mode).toBe('wal');
    } finally {
      await c.stop!(ctx);
    }
  });

  it('refuses a destructive change at start-up with the list of losses, and applies it with KILN_ALLOW_DESTRUCTIVE_SYNC=true', async () => {
    const own = mkdtempSync(join(tmpdir(), 'kiln-deploy-'));
    try {
      const ctxFor = async (yaml: string, env: Record<string, string> = {}): Promise<RuntimeContext> => ({
        appDir: own,
        deploymentDir: own,
        model: await modelOf(yaml),
        settings: await resolveSettings({ env }),
        log: quietLog,
        services: new ServiceRegistry(),
      });
      const first = await ctxFor('entities:\n  Note: { attributes: { Text: String, Extra: String } }\n');
      const c1 = dataComponent();
      await c1.start!(first);
      await (first.services.get('db') as Database).execute('INSERT INTO "t$note" ("id", "text", "extra") VALUES (1, \'a\', \'b\')', []);
      await c1.stop!(first);

      const without = 'entities:\n  Note: { attributes: { Text: String } }\n';
      const err = await dataComponent().start!(await ctxFor(without)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toContain('attribute T.Note.Extra: column t$note.extra holds 1 value');
      expect((err as Error).message).toContain('AllowDestructiveSync=true');

      const allowed = await ctxFor(without, { KILN_ALLOW_DESTRUCTIVE_SYNC: 'true' });
      const c2 = dataComponent();
      await c2.start!(allowed);
      try {
        expect(await (allowed.services.get('db') as Database).query('SELECT * FROM "t$note"', [])).toEqual([{ id: 1n, text: 'a' }]);
      } finally {
        await c2.stop!(allowed);
      }
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });

  it('fails start-up with one clear line when the database cannot be reached', async () => {
    const ctx = await context({ DatabaseUrl: 'postgres://app:pw@127.0.0.1:1/app', DatabaseConnectTimeout: 2000 });
    const err = await dataComponent().start!(ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/^cannot connect to the database postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/app: /);
  });
});

describe('after the database drops its connections', () => {
  let pgdb: TestDatabase;
  let mydb: TestDatabase;
  beforeAll(async () => {
    pgdb = await freshDatabase('postgres');
    mydb = await freshDatabase('mysql');
  });
  afterAll(async () => {
    await pgdb?.drop();
    await mydb?.drop();
  });

  it('PostgreSQL: the pool replaces the dead connections and work goes on', async () => {
    const db = await openDatabase(pgdb.url, { log: quietLog, poolSize: 3 });
    try {
      await Promise.all([db.query('SELECT pg_sleep(0.05)', []), db.query('SELECT 1', []), db.transaction((tx) => tx.query('SELECT 1', []))]);
      const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
      await admin.connect();
      const killed = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [pgdb.url.split('/').pop()]);
      await admin.end();
      expect(killed.rowCount).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 200));
      expect(await db.query<{ n: number }>('SELECT 1 AS n', [])).toEqual([{ n: 1 }]);
      expect(await db.transaction((tx) => tx.query<{ n: number }>('SELECT 2 AS n', []))).toEqual([{ n: 2 }]);
    } finally {
      await db.close();
    }
  });

  it('MariaDB: the same', async () => {
    const db = await openDatabase(mydb.url, { log: quietLog, poolSize: 3 });
    try {
      await Promise.all([db.query('SELECT SLEEP(0.05)', []), db.query('SELECT 1', []), db.transaction((tx) => tx.query('SELECT 1', []))]);
      const admin = await mysql.createConnection(MYSQL_ADMIN_URL);
      const [rows] = await admin.query('SELECT id FROM information_schema.processlist WHERE db = ?', [mydb.url.split('/').pop()]);
      for (const r of rows as { id: number }[]) await admin.query(`KILL ${Number(r.id)}`);
      await admin.end();
      expect((rows as unknown[]).length).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 200));
      expect(await db.query<{ n: number }>('SELECT 1 AS n', [])).toEqual([{ n: 1 }]);
      expect(await db.transaction((tx) => tx.query<{ n: number }>('SELECT 2 AS n', []))).toEqual([{ n: 2 }]);
    } finally {
      await db.close();
    }
  });
});

describe('a transaction whose connection dies', () => {
  for (const dialect of ['postgres', 'mysql'] as const) {
    it(`${dialect}: fails with a DatabaseConnectionError, leaves nothing half-written, and the next transaction works`, async () => {
      const t = await freshDatabase(dialect);
      const db = await openDatabase(t.url, { log: quietLog, poolSize: 2 });
      try {
        const model = await modelOf(PERSISTENCE_MODEL);
        await syncSchema(db, model, { allowDestructive: false, log: quietLog });
        const ids = await createIdGenerator(db, model);
        const first = await createObject(model, 'T.Owner', ids);
        const second = await createObject(model, 'T.Owner', ids);
        const err = await db
          .transaction(async (tx) => {
            await commitObjects(tx, model, [first]);
            const [row] = await tx.query<{ pid: unknown }>(dialect === 'postgres' ? 'SELECT pg_backend_pid() AS pid' : 'SELECT CONNECTION_ID() AS pid', []);
            // The connection dies while the transaction is idle between two statements.
            await endServerProcess(dialect, Number(row!.pid));
            await commitObjects(tx, model, [second]);
          })
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(DatabaseConnectionError);
        expect((err as Error).message).toMatch(/^the database connection failed: /);
        // The first insert of that transaction is not there either.
        expect(await retrieveByIds(db, model, 'T.Owner', [first.id, second.id])).toEqual([]);
        // Kiln carries on with a fresh connection.
        await db.transaction((tx) => commitObjects(tx, model, [second]));
        expect((await retrieveByIds(db, model, 'T.Owner', [first.id, second.id])).map((o) => o.id)).toEqual([second.id]);
      } finally {
        await db.close();
        await t.drop();
      }
    });
  }
});

describe('id blocks while every pooled connection is held', () => {
  for (const dialect of ['postgres', 'mysql'] as const) {
    it(`${dialect}: reserving a new block does not wait for the request pool`, async () => {
      const t = await freshDatabase(dialect);
      const db = await openDatabase(t.url, { log: quietLog, poolSize: 1, connectTimeoutMs: 3000 });
      try {
        const model = await modelOf(PERSISTENCE_MODEL);
        await syncSchema(db, model, { allowDestructive: false, log: quietLog });
        const ids = await createIdGenerator(db, model);
        const created = await db.transaction(async () => {
          const out: bigint[] = [];
          // More than one block (100) while the only pooled connection is taken.
          for (let i = 0; i < 250; i++) out.push((await createObject(model, 'T.Owner', ids)).id);
          return out;
        });
        expect(new Set(created).size).toBe(250);
      } finally {
        await db.close();
        await t.drop();
      }
    });
  }
});

describe('two instances sharing a database', () => {
  it.each(['postgres', 'mysql'] as const)('never hand out the same id or AutoNumber (%s)', async (dialect) => {
    const t = await freshDatabase(dialect);
    const a = await openDatabase(t.url, { log: quietLog, poolSize: 2 });
    const b = await openDatabase(t.url, { log: quietLog, poolSize: 2 });
    try {
      const model = await modelOf(PERSISTENCE_MODEL);
      await syncSchema(a, model, { allowDestructive: false, log: quietLog });
      const [ia, ib] = [await createIdGenerator(a, model), await createIdGenerator(b, model)];
      const make = async (ids: IdGenerator) => {
        const out: bigint[] = [];
        for (let i = 0; i < 350; i++) {
          const o = await createObject(model, 'T.Everything', ids);
          out.push(o.id, (o.values.get('Num') as bigint) + (1n << 62n));
        }
        return out;
      };
      const [xa, xb] = await Promise.all([make(ia), make(ib)]);
      expect(new Set([...xa, ...xb]).size).toBe(xa.length + xb.length);
    } finally {
      await a.close();
      await b.close();
      await t.drop();
    }
  });
});

describe('the connection pool', () => {
  it.each(['postgres', 'mysql'] as const)('%s: never opens more connections than DatabasePoolSize', async (dialect) => {
    const t = await freshDatabase(dialect);
    const db = await openDatabase(t.url, { log: quietLog, poolSize: 2 });
    try {
      const name = t.url.split('/').pop();
      const count = async () => {
        if (dialect === 'postgres') {
          const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
          await admin.connect();
          try {
            return Number((await admin.query('SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = $1', [name])).rows[0].n);
          } finally {
            await admin.end();
          }
        }
        const admin = await mysql.createConnection(MYSQL_ADMIN_URL);
        try {
          return Number(((await admin.query('SELECT COUNT(*) AS n FROM information_schema.processlist WHERE db = ?', [name]))[0] as { n: number }[])[0]!.n);
        } finally {
          await admin.end();
        }
      };
      const sleep = dialect === 'postgres' ? 'SELECT pg_sleep(0.3)' : 'SELECT SLEEP(0.3)';
      let peak = 0;
      let done = false;
      const work = Promise.all(Array.from({ length: 6 }, () => db.query(sleep, []))).finally(() => {
        done = true;
      });
      // Sampled while the six queries (three rounds of two, if the limit holds) are running.
      while (!done) {
        peak = Math.max(peak, await count());
        await new Promise((r) => setTimeout(r, 50));
      }
      await work;
      expect(peak).toBeGreaterThanOrEqual(1);
      expect(peak).toBeLessThanOrEqual(2);
    } finally {
      await db.close();
      await t.drop();
    }
  });
});
