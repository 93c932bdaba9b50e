import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/data/index.js';
import { createLogger } from '../../src/core/logger.js';
import { secretHash } from '../../src/security/sessions/session-secrets.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { authHeaders, login, registerWhoAmI, salesCopy, startApp, xas, type TestRuntime } from './harness.js';

// Issue 13, items 8 and 10: anonymous sessions only when needed and throttled per address;
// an absolute session lifetime; session ids and CSRF tokens stored as hashes.

const LIFETIME = 3000;
const RATE = 5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** POST /xas/ keeping the answer's headers. */
async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/xas/`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe.each(['sqlite', 'postgres'] as const)('session hardening on %s', (dialect) => {
  let db: TestDatabase;
  let raw: Database;
  let app: { dir: string; remove(): void };
  let t: TestRuntime;
  let t2: TestRuntime;

  beforeAll(async () => {
    db = await freshDatabase(dialect);
    app = salesCopy({ anonymousRole: 'Customer' });
    const settings = {
      SessionTimeout: 60000,
      SessionKeepAliveUpdatesInterval: 400,
      SessionValidationTimeout: 200,
      ClusterManagerActionInterval: 3600000,
      SessionMaxLifetime: LIFETIME,
      AnonymousSessionRateLimit: RATE,
    };
    t = await startApp(app.dir, db.url, settings);
    // A second instance on the same database: what one instance decides, the other decides alike.
    t2 = await startApp(app.dir, db.url, settings);
    registerWhoAmI(t);
    registerWhoAmI(t2);
    raw = await openDatabase(db.url, { log: createLogger('silent') });
  });
  afterAll(async () => {
    await t?.stop();
    await t2?.stop();
    await raw?.close();
    await db?.drop();
    app?.remove();
  });

  const ph = (i: number) => (raw.dialect.name === 'postgres' ? `$${i}` : '?');
  const count = async (sql: string, params: unknown[] = []) => Number((await raw.query<{ n: unknown }>(sql, params))[0]!.n);
  const anonymousUsers = () => count(`SELECT COUNT(*) AS n FROM "system$user" WHERE "isanonymous" = ${ph(1)}`, [raw.dialect.name === 'postgres' ? true : 1]);
  const sessions = () => count('SELECT COUNT(*) AS n FROM "system$session"');

  describe('anonymous sessions only when needed (item 8)', () => {
    it('100 cookie-less requests for session data and pages create no user and no session', async () => {
      const [users0, sessions0] = [await anonymousUsers(), await sessions()];
      for (let i = 0; i < 10; i++) {
        const batch = await Promise.all(Array.from({ length: 10 }, () => post(t.url, { action: 'get_session_data' })));
        for (const r of batch) {
          expect(r.status).toBe(200);
          expect(r.body).toMatchObject({ user: null, anonymous: true, roles: ['Customer'], csrftoken: null });
          expect((r.body.metadata as unknown[]).length).toBeGreaterThan(0);
          expect(r.headers.get('set-cookie')).toBeNull();
        }
      }
      // The anonymous role's pages are readable without a session, too.
      const nav = await fetch(`${t.url}/pages/_navigation.json`);
      expect(nav.status).toBe(200);
      expect(nav.headers.get('set-cookie')).toBeNull();
      expect([await anonymousUsers(), await sessions()]).toEqual([users0, sessions0]);
    });

    it('the first request that needs a session starts one (cookie, token in X-Csrf-Token) and the next ones use it', async () => {
      const [users0, sessions0] = [await anonymousUsers(), await sessions()];
      const first = await post(t.url, { action: 'test_whoami' });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ roles: ['Customer'] });
      expect(String(first.body.user)).toMatch(/^Anonymous_/);
      const cookie = /XASSESSIONID=[^;]*/.exec(first.headers.get('set-cookie') ?? '')![0];
      const token = first.headers.get('x-csrf-token')!;
      expect(token).toBeTruthy();
      expect([await anonymousUsers(), await sessions()]).toEqual([users0 + 1, sessions0 + 1]);
      // Same session afterwards; it is a session like any other: its token is required, and get_session_data answers it.
      expect((await post(t.url, { action: 'test_whoami' }, { cookie, 'x-csrf-token': token })).body.user).toBe(first.body.user);
      expect((await post(t.url, { action: 'test_whoami' }, { cookie })).status).toBe(403);
      expect((await post(t.url, { action: 'get_session_data' }, { cookie })).body).toMatchObject({ csrftoken: token, anonymous: true });
      // A client that sends a token believes it has a session: a lost one is a 401, never a silent new session.
      expect((await post(t.url, { action: 'test_whoami' }, { 'x-csrf-token': token })).status).toBe(401);
      expect([await anonymousUsers(), await sessions()]).toEqual([users0 + 1, sessions0 + 1]);
    });

    it(`starts at most AnonymousSessionRateLimit (${RATE}) per address per minute; then 429 with Retry-After`, async () => {
      const sessions0 = await sessions();
      const answers = [];
      for (let i = 0; i < RATE + 3; i++) answers.push(await post(t.url, { action: 'test_whoami' }));
      const ok = answers.filter((r) => r.status === 200).length;
      // The test above started one in this minute.
      expect(ok).toBe(RATE - 1);
      const refused = answers.filter((r) => r.status !== 200);
      for (const r of refused) {
        expect(r.status).toBe(429);
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(r.body.error).toMatch(/too many new anonymous sessions/);
        expect(r.headers.get('set-cookie')).toBeNull();
      }
      expect(await sessions()).toBe(sessions0 + ok);
      // Reading needs no session, so it is not throttled.
      expect((await post(t.url, { action: 'get_session_data' })).status).toBe(200);
    });
  });

  describe('absolute session lifetime (item 10a)', () => {
    it('refuses a session older than SessionMaxLifetime however active, on every instance, and removes it', async () => {
      const s = (await login(t.url, 'customer', 'Customer123')).session!;
      const start = Date.now();
      while (Date.now() - start < LIFETIME - 1200) {
        expect((await xas(t.url, { action: 'test_whoami' }, authHeaders(s))).status).toBe(200);
        expect((await xas(t2.url, { action: 'test_whoami' }, authHeaders(s))).status).toBe(200);
        await sleep(300);
      }
      await sleep(Math.max(0, LIFETIME + 300 - (Date.now() - start)));
      // Active a moment ago, well within SessionTimeout (60 s): refused for its age on both instances.
      expect((await xas(t2.url, { action: 'test_whoami' }, authHeaders(s))).status).toBe(401);
      expect((await xas(t.url, { action: 'test_whoami' }, authHeaders(s))).status).toBe(401);
      expect(await count(`SELECT COUNT(*) AS n FROM "system$session" WHERE "sessionid" = ${ph(1)}`, [secretHash(s.sessionId)])).toBe(0);
    });

    it('the clean-up removes sessions older than SessionMaxLifetime that no request asks about', async () => {
      const s = (await login(t.url, 'manager', 'Manager123')).session!;
      await sleep(LIFETIME + 300);
      expect(await count(`SELECT COUNT(*) AS n FROM "system$session" WHERE "sessionid" = ${ph(1)}`, [secretHash(s.sessionId)])).toBe(1);
      expect((await t2.sessions.cleanup()).expired).toBeGreaterThanOrEqual(1);
      expect(await count(`SELECT COUNT(*) AS n FROM "system$session" WHERE "sessionid" = ${ph(1)}`, [secretHash(s.sessionId)])).toBe(0);
    });
  });

  describe('session ids and CSRF tokens stored as hashes (item 10b)', () => {
    it("the table holds neither the cookie's session id nor the CSRF token, only their SHA-256", async () => {
      const s = (await login(t.url, 'customer', 'Customer123')).session!;
      const rows = await raw.query<Record<string, unknown>>('SELECT * FROM "system$session"', []);
      const all = JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
      expect(all).not.toContain(s.sessionId);
      expect(all).not.toContain(s.csrf);
      const mine = rows.filter((r) => r.sessionid === secretHash(s.sessionId));
      expect(mine).toHaveLength(1);
      expect(mine[0]!.csrftoken).toBe(secretHash(s.csrf));
      // The token comes back to a new tab (derived, not stored), on either instance.
      expect((await xas(t.url, { action: 'get_session_data' }, { cookie: s.cookie })).body.csrftoken).toBe(s.csrf);
      expect((await xas(t2.url, { action: 'get_session_data' }, { cookie: s.cookie })).body.csrftoken).toBe(s.csrf);
      expect((await xas(t2.url, { action: 'test_whoami' }, authHeaders(s))).body).toMatchObject({ user: 'customer' });
    });

    it('what the table holds is worth nothing to whoever reads it: neither the stored id nor the stored token is accepted', async () => {
      const s = (await login(t.url, 'customer', 'Customer123')).session!;
      // The right token first: the session remembers it matched (session-secrets.ts), and still refuses others.
      expect((await xas(t.url, { action: 'test_whoami' }, authHeaders(s))).status).toBe(200);
      expect(
        (await xas(t.url, { action: 'test_whoami' }, { cookie: s.cookie, 'x-csrf-token': `${s.csrf.slice(0, -1)}${s.csrf.endsWith('A') ? 'B' : 'A'}` })).status,
      ).toBe(403);
      expect((await xas(t.url, { action: 'test_whoami' }, { cookie: s.cookie })).status).toBe(403);
      const stolen = { cookie: `XASSESSIONID=${encodeURIComponent(secretHash(s.sessionId))}`, 'x-csrf-token': secretHash(s.csrf) };
      expect((await xas(t.url, { action: 'test_whoami' }, stolen)).status).toBe(401);
      expect((await xas(t.url, { action: 'get_session_data' }, { cookie: stolen.cookie })).body).toMatchObject({ csrftoken: null });
      expect((await xas(t.url, { action: 'test_whoami' }, { cookie: s.cookie, 'x-csrf-token': secretHash(s.csrf) })).status).toBe(403);
      expect((await xas(t.url, { action: 'test_whoami' }, authHeaders(s))).status).toBe(200);
    });
  });
});
