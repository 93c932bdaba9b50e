import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import mysql from 'mysql2/promise';

/**
 * Fresh, empty databases for tests, one per call, on the real services this
 * machine runs. Nothing is mocked and nothing is skipped: a missing service
 * fails the test with a message naming it.
 */
export type DialectName = 'sqlite' | 'postgres' | 'mysql';
export const DIALECTS: DialectName[] = ['sqlite', 'postgres', 'mysql'];

export const PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const MYSQL_ADMIN_URL = process.env.TEST_MYSQL_ADMIN_URL ?? 'mysql://root@127.0.0.1:3306/test';

export interface TestDatabase {
  readonly dialect: DialectName;
  readonly url: string;
  drop(): Promise<void>;
}

function dbName(): string {
  return `kiln_t_${randomBytes(5).toString('hex')}`;
}

export async function freshDatabase(dialect: DialectName): Promise<TestDatabase> {
  switch (dialect) {
    case 'sqlite': {
      const dir = mkdtempSync(join(tmpdir(), 'kiln-sqlite-'));
      return { dialect, url: `sqlite:${join(dir, 'app.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
    }
    case 'postgres': {
      const name = dbName();
      const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
      await admin.connect().catch((e: Error) => {
        throw new Error(`PostgreSQL is not reachable at ${PG_ADMIN_URL}: ${e.message}`);
      });
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
      return {
        dialect,
        url,
        drop: async () => {
          const c = new pg.Client({ connectionString: PG_ADMIN_URL });
          await c.connect();
          await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          await c.end();
        },
      };
    }
    case 'mysql': {
      const name = dbName();
      const admin = await mysql.createConnection(MYSQL_ADMIN_URL).catch((e: Error) => {
        throw new Error(`MariaDB is not reachable at ${MYSQL_ADMIN_URL}: ${e.message}`);
      });
      await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      await admin.end();
      const url = MYSQL_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
      return {
        dialect,
        url,
        drop: async () => {
          const c = await mysql.createConnection(MYSQL_ADMIN_URL);
          await c.query(`DROP DATABASE IF EXISTS ${name}`);
          await c.end();
        },
      };
    }
  }
}

/** Ends one server connection from outside, as a database restart does, and waits until the server no longer lists it. */
export async function endServerProcess(dialect: 'postgres' | 'mysql', pid: number): Promise<void> {
  if (dialect === 'postgres') {
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    try {
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      while ((await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await admin.end();
    }
  } else {
    const admin = await mysql.createConnection(MYSQL_ADMIN_URL);
    try {
      await admin.query(`KILL ${Number(pid)}`);
      while (((await admin.query('SELECT id FROM information_schema.processlist WHERE id = ?', [pid]))[0] as unknown[]).length)
        await new Promise((r) => setTimeout(r, 20));
    } finally {
      await admin.end();
    }
  }
}
