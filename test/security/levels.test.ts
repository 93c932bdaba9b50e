import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/data/index.js';
import { createLogger } from '../../src/core/logger.js';
import { DIALECTS, freshDatabase, type TestDatabase } from '../support/databases.js';
import { authHeaders, login, registerWhoAmI, salesCopy, startApp, xas, type TestRuntime } from './harness.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function start(security: Record<string, unknown>, settings: Record<string, unknown> = {}, db?: TestDatabase, env: Record<string, string> = {}) {
  const database = db ?? (await freshDatabase('sqlite'));
  const app = salesCopy(security);
  let t: TestRuntime;
  try {
    t = await startApp(app.dir, database.url, settings, env);
  } catch (e) {
    app.remove();
    throw e;
  }
  registerWhoAmI(t);
  cleanups.push(async () => {
    await t.stop();
    if (!db) await database.drop();
    app.remove();
  });
  return { t, db: database };
}

describe('security level off', () => {
  it('has no login, and every request runs with every role and no entity access', async () => {
    const { t } = await start({ level: 'off' });
    expect(await xas(t.url, { action: 'login', params: { username: 'MxAdmin', password: 'Admin123!' } })).toMatchObject({ status: 400 });
    // A state-changing action passes without session or token.
    expect(await xas(t.url, { action: 'test_whoami' })).toMatchObject({ status: 200, body: { user: null } });
    const c = await t.sessions.contextOf({ headers: {} } as never);
    expect(c?.applyEntityAccess).toBe(false);
    expect(c?.moduleRoles.has('Sales.Manager')).toBe(true);
  });
});

describe('security level prototype', () => {
  it('logs in, leaves data open and does not block after failed logins', async () => {
    const { t } = await start({ level: 'prototype' }, { LoginMaxAttempts: 2 });
    for (let i = 0; i < 4; i++) expect((await login(t.url, 'customer', 'bad')).status).toBe(401);
    const r = await login(t.url, 'customer', 'Customer123');
    expect(r.status).toBe(200);
    const s = await t.sessions.resolveSessionId(r.session!.sessionId);
    expect(s?.context).toMatchObject({ userRoles: ['Customer'], applyEntityAccess: false });
  });
});

describe.each(DIALECTS)('anonymous users on %s', (dialect) => {
  it('get a session with the anonymous role on the first call, keep it, and are replaced at login', async () => {
    const database = await freshDatabase(dialect);
    cleanups.push(() => database.drop());
    const { t, db } = await start({ anonymousRole: 'Customer' }, { SessionValidationTimeout: 100, ClusterManagerActionInterval: 3600000 }, database);
    // (The clean-up is run by hand below, so that it runs at a known point.)
    t.xas.register('test_session', {
      requiresCsrf: false,
      async handler(_b, request, reply) {
        const c = await t.sessions.ensureContext(request, reply);
        return { user: c?.userName, anonymous: c?.anonymous, roles: c?.userRoles, csrf: await t.sessions.csrfTokenOf(request) };
      },
    });
    const first = await xas(t.url, { action: 'test_session' });
    expect(first.body).toMatchObject({ anonymous: true, roles: ['Customer'] });
    expect(first.body.user).toMatch(/^Anonymous_[0-9a-f-]{36}$/);
    const cookie = /XASSESSIONID=[^;]*/.exec(first.setCookie!)![0];
    const again = await xas(t.url, { action: 'test_session' }, { cookie });
    expect(again.body.user).toBe(first.body.user);
    expect(again.setCookie).toBeNull();
    // An anonymous user cannot log in by name.
    expect((await login(t.url, String(first.body.user), '')).status).toBe(401);
    // Logging in replaces the anonymous session.
    const r = await login(t.url, 'customer', 'Customer123', { cookie });
    expect((await xas(t.url, { action: 'test_whoami' }, { cookie, 'x-csrf-token': String(first.body.csrf) })).status).toBe(401);
    expect((await xas(t.url, { action: 'test_whoami' }, authHeaders(r.session!))).body).toMatchObject({ user: 'customer' });
    // The clean-up removes the anonymous user whose session is gone.
    const d = await openDatabase(db.url, { log: createLogger('silent') });
    const count = async () =>
      (
        await d.query<{ n: unknown }>(`SELECT COUNT(*) AS n FROM "system$user" WHERE "isanonymous" = ${d.dialect.name === 'postgres' ? '$1' : '?'}`, [
          d.dialect.name === 'postgres' ? true : 1,
        ])
      )[0]!.n;
    expect(Number(await count())).toBe(1);
    expect((await t.sessions.cleanup()).anonymousUsers).toBe(1);
    expect(Number(await count())).toBe(0);
    await d.close();
  });
});

describe('administrator at start-up', () => {
  it('takes a new password from KILN_ADMIN_PASSWORD at the next start, gives back a lost role, and refuses "1" at production level', async () => {
    const db = await freshDatabase('sqlite');
    cleanups.push(() => db.drop());
    const a = await start({}, {}, db);
    expect((await login(a.t.url, 'MxAdmin', 'Admin123!')).status).toBe(200);
    await a.t.stop();
    const b = await start({}, {}, db, { KILN_ADMIN_PASSWORD: 'Changed99!' });
    expect((await login(b.t.url, 'MxAdmin', 'Admin123!')).status).toBe(401);
    expect((await login(b.t.url, 'MxAdmin', 'Changed99!')).status).toBe(200);
    await b.t.stop();
    // An administrator who lost its role (say, edited by hand) gets it back at the next start.
    const d = await openDatabase(db.url, { log: createLogger('silent') });
    expect(
      (await d.execute('DELETE FROM "system$userroles" WHERE "system$userid" = (SELECT "id" FROM "system$user" WHERE "name" = ?)', ['MxAdmin'])).affectedRows,
    ).toBe(1);
    await d.close();
    const c = await start({}, {}, db, { KILN_ADMIN_PASSWORD: 'Changed99!' });
    const s = (await login(c.t.url, 'MxAdmin', 'Changed99!')).session!;
    expect((await xas(c.t.url, { action: 'test_whoami' }, authHeaders(s))).body).toEqual({ user: 'MxAdmin', roles: ['Administrator'] });
    await c.t.stop();
    await expect(start({}, {}, db, { KILN_ADMIN_PASSWORD: '1' })).rejects.toThrow(/the administrator 'MxAdmin' has the password "1": set KILN_ADMIN_PASSWORD/);
  });
});
