import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKiln, type RunningKiln } from '../support/cli.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import type { Database } from '../../src/data/index.js';
import { login, salesCopy, startApp, xas } from './harness.js';

/**
 * Two kiln processes on one PostgreSQL database: a session made by one is
 * honoured by the other, and a logout on either ends it for both (after
 * SessionValidationTimeout, the time a validated session is trusted from memory).
 */
describe('sessions across processes', () => {
  let db: TestDatabase;
  let app: { dir: string; remove(): void };
  let a: RunningKiln;
  let b: RunningKiln;
  const TIMEOUT = 6000;
  const env = {
    KILN_HASH_ALGORITHM_COST: '4',
    KILN_SESSION_VALIDATION_TIMEOUT: '300',
    KILN_LOG_LEVEL: 'warn',
    KILN_SESSION_TIMEOUT: String(TIMEOUT),
    KILN_SESSION_KEEP_ALIVE_UPDATES_INTERVAL: '500',
  };
  beforeAll(async () => {
    db = await freshDatabase('postgres');
    app = salesCopy();
    // One after the other: the first creates the schema and the users.
    a = await startKiln([app.dir, '--db', db.url, '--deployment-dir', `${app.dir}/.deployment-a`], env);
    b = await startKiln([app.dir, '--db', db.url, '--deployment-dir', `${app.dir}/.deployment-b`], env);
  }, 120000);
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await db?.drop();
    app?.remove();
  });

  it('honours on process B a session created on process A', async () => {
    const A = `http://127.0.0.1:${a.port}`;
    const B = `http://127.0.0.1:${b.port}`;
    const s = (await login(A, 'customer', 'Customer123')).session!;
    // B knows the session: a wrong CSRF token is refused as such (403), not as "no session" (401).
    expect((await xas(B, { action: 'logout', params: {} }, { cookie: s.cookie, 'x-csrf-token': 'wrong' })).status).toBe(403);
    expect((await xas(B, { action: 'logout', params: {} }, { cookie: 'XASSESSIONID=unknown', 'x-csrf-token': s.csrf })).status).toBe(401);
    // B ends it with the right token; A stops honouring it once its cache has expired.
    expect((await xas(B, { action: 'logout', params: {} }, { cookie: s.cookie, 'x-csrf-token': s.csrf })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 400));
    expect((await xas(A, { action: 'logout', params: {} }, { cookie: s.cookie, 'x-csrf-token': s.csrf })).status).toBe(401);
  });

  it('keeps a session alive on process A while it is used only on process B (B flushes its last-active time)', async () => {
    const A = `http://127.0.0.1:${a.port}`;
    const B = `http://127.0.0.1:${b.port}`;
    const s = (await login(A, 'customer', 'Customer123')).session!;
    const headers = { cookie: s.cookie, 'x-csrf-token': s.csrf };
    const started = Date.now();
    // Twice the timeout of keep-alives on B alone; A sees none of these requests.
    while (Date.now() - started < 2 * TIMEOUT) {
      expect((await xas(B, { action: 'keepalive' }, headers)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect((await xas(A, { action: 'keepalive' }, headers)).status).toBe(200);
  });
});

describe('instances starting together on a fresh database', () => {
  for (const dialect of ['postgres', 'mysql'] as const) {
    it(`create the user roles and the administrator once (${dialect})`, async () => {
      const db = await freshDatabase(dialect);
      const app = salesCopy();
      const runtimes = await Promise.all([0, 1, 2].map(() => startApp(app.dir, db.url)));
      try {
        const d = runtimes[0]!.rt.ctx.services.get('db') as Database;
        const admins = await d.query<{ n: unknown }>(`SELECT COUNT(*) AS n FROM "system$user" WHERE "name" = 'MxAdmin'`, []);
        const roles = await d.query<{ n: unknown }>('SELECT COUNT(*) AS n FROM "system$userrole"', []);
        expect([Number(admins[0]!.n), Number(roles[0]!.n)]).toEqual([1, 3]);
        expect((await login(runtimes[2]!.url, 'MxAdmin', 'Admin123!')).status).toBe(200);
      } finally {
        for (const r of runtimes) await r.stop();
        await db.drop();
        app.remove();
      }
    });
  }
});
