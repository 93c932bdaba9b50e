import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database, type IdGenerator } from '../../src/data/index.js';
import { SessionManager } from '../../src/security/sessions/session-manager.js';
import { SessionStore } from '../../src/security/sessions/session-store.js';
import { SystemTables } from '../../src/security/system-tables.js';
import { dataLayerWriter } from '../../src/security/data-writer.js';
import { secretHash } from '../../src/security/sessions/session-secrets.js';
import { createLogger } from '../../src/core/logger.js';
import { DIALECTS, freshDatabase, type TestDatabase } from '../support/databases.js';
import { authHeaders, login, registerWhoAmI, salesCopy, startApp, xas, type TestRuntime } from './harness.js';

// Long enough that a request delayed by a loaded machine does not expire a session in use.
const TIMEOUT = 3000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `check` holds (polling), failing after `ms`: a loaded machine may run timers late. */
async function eventually(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(100);
  }
}

describe.each(DIALECTS)('on %s', (dialect) => {
  let db: TestDatabase;
  let raw: Database;
  let app: { dir: string; remove(): void };
  let t: TestRuntime;

  beforeAll(async () => {
    db = await freshDatabase(dialect);
    app = salesCopy();
    t = await startApp(app.dir, db.url, {
      SessionTimeout: TIMEOUT,
      SessionKeepAliveUpdatesInterval: 400,
      SessionValidationTimeout: 200,
      // The periodic clean-up is run by hand below; this instance never leads, so the
      // second runtime (default interval) is the cluster's leader and runs it on its own.
      ClusterManagerActionInterval: 3600000,
      IsClusterSlave: true,
    });
    registerWhoAmI(t);
    raw = await openDatabase(db.url, { log: createLogger('silent') });
  });
  afterAll(async () => {
    await t?.stop();
    await raw?.close();
    await db?.drop();
    app?.remove();
  });

  /** The session's row as the database holds it, with LastActive decoded as the runtime decodes it. */
  async function sessionRow(sessionId: string): Promise<{ lastactive: Date | null } | undefined> {
    const rows = await raw.query<{ lastactive: unknown }>(`SELECT "lastactive" FROM "system$session" WHERE "sessionid" = ${ph(1)}`, [secretHash(sessionId)]);
    if (!rows[0]) return undefined;
    return { lastactive: new SystemTables(t.rt.ctx.model, raw.dialect).dec('System.Session', 'LastActive', rows[0].lastactive) as Date | null };
  }
  const ph = (i: number) => (raw.dialect.name === 'postgres' ? `$${i}` : '?');

  describe('persistent sessions', () => {
    /** A session manager of its own on the runtime's database, on a clock the test moves, and a session of the customer. */
    const customerSession = async (validationMs: number, clock: { now: number }) => {
      const { model, services } = t.rt.ctx;
      const database = services.get('db') as Database;
      const store = new SessionStore(database, new SystemTables(model, database.dialect), dataLayerWriter(model, database, services.get('ids') as IdGenerator));
      const mgr = new SessionManager(store, model, { timeoutMs: 1000, validationMs, maxLifetimeMs: 3600000, secret: Buffer.alloc(32, 7) }, () => clock.now);
      const [user] = await raw.query<{ id: unknown }>(`SELECT "id" FROM "system$user" WHERE "name" = ${ph(1)}`, ['customer']);
      const customer = { id: BigInt(String(user!.id)), name: 'customer', entity: 'System.User', roles: ['Customer'], anonymous: false };
      return { mgr, s: await mgr.create(customer), customer };
    };
    it('stores the session in System.Session, linked to its user', async () => {
      const s = (await login(t.url, 'customer', 'Customer123')).session!;
      const rows = await raw.query<{ name: string; csrftoken: string }>(
        `SELECT u."name", s."csrftoken" FROM "system$session" s JOIN "system$session_user" su ON su."system$sessionid" = s."id" JOIN "system$user" u ON u."id" = su."system$userid" WHERE s."sessionid" = ${ph(1)}`,
        [secretHash(s.sessionId)],
      );
      // The row holds hashes: neither the cookie's id nor the token.
      expect(rows).toEqual([{ name: 'customer', csrftoken: secretHash(s.csrf) }]);
    });

    it('expires after SessionTimeout of inactivity, and the row goes', async () => {
      const s = (await login(t.url, 'customer', 'Customer123')).session!;
      expect((await xas(t.url, { action: 'test_whoami' }, authHeaders(s))).status).toBe(200);
      await sleep(TIMEOUT + 300);
      expect((await xas(t.url, { action: 'test_whoami' }, authHeaders(s))).status).toBe(401);
      expect(await sessionRow(s.sessionId)).toBeUndefined();
    });

    it('stays alive while used; last-active is written by the periodic flush, not per request', async () => {
      const s = (await login(t.url, 'customer', 'Customer123')).session!;
      const created = (await sessionRow(s.sessionId))!.lastactive!.getTime();
      // Twenty requests in a burst: the session is written only by the flushes that fall in
      // it (one every 400 ms, however slow the machine), never once per request.
      const runtimeDb = t.rt.ctx.services.get('db') as Database;
      const writes: string[] = [];
      const off = runtimeDb.onStatement((sql) => {
        if (/^UPDATE "system\$session"/.test(sql)) writes.push(sql);
      });
      const burstStart = Date.now();
      for (let i = 0; i < 20; i++) expect((await xas(t.url, { action: 'test_whoami' }, authHeaders(s))).status).toBe(200);
      const flushes = Math.floor((Date.now() - burstStart) / 400) + 1;
      off();
      expect(writes.length).toBeLessThanOrEqual(flushes);
      expect(writes.length).toBeLessThan(20);
      for (let i = 0; i < 4; i++) {
        await sleep(TIMEOUT / 3);
        expect((await xas(t.url, { action: 'test_whoami' }, authHeaders(s))).status).toBe(200);
      }
      // Well past the timeout since login, and still valid; the database saw the activity.
      const last = (await sessionRow(s.sessionId))!.lastactive!.getTime();
      expect(last).toBeGreaterThan(created + TIMEOUT);
    });

    it('the clean-up removes expired sessions other instances never asked about', async () => {
      const s = (await login(t.url, 'manager', 'Manager123')).session!;
      await sleep(TIMEOUT + 300);
      expect(await sessionRow(s.sessionId)).toBeDefined();
      const r = await t.sessions.cleanup();
      expect(r.expired).toBeGreaterThanOrEqual(1);
      expect(await sessionRow(s.sessionId)).toBeUndefined();
    });

    it('counts activity already flushed while its cache entry is still valid (no false expiry)', async () => {
      const clock = { now: Date.now() };
      const { mgr, s } = await customerSession(60000, clock);
      clock.now += 600;
      expect(await mgr.resolve(s.sessionId)).toBeDefined();
      expect(await mgr.flush()).toBe(1);
      clock.now += 600; // 1200 ms after creation, 600 ms after the last request
      expect(await mgr.resolve(s.sessionId)).toBeDefined();
      clock.now += 1001;
      expect(await mgr.resolve(s.sessionId)).toBeUndefined();
      expect(await sessionRow(s.sessionId)).toBeUndefined();
    });
    it('answers a cached, validated session at once, and leaves every other case to resolve', async () => {
      const clock = { now: Date.now() };
      const { mgr, s, customer } = await customerSession(5000, clock);
      // Ids that can name no session: no session, without the database.
      expect(mgr.cached('')).toBeUndefined();
      expect(mgr.cached('a\u0000b')).toBeUndefined();
      expect(mgr.cached('x'.repeat(201))).toBeUndefined();
      // An id that could be one but is not cached: only resolve can tell.
      expect(mgr.cached('00000000-0000-4000-8000-000000000000')).toBeNull();
      expect(mgr.cached(s.sessionId)).toBe(s);
      clock.now += 900;
      expect(mgr.cached(s.sessionId)).toBe(s);
      // Idle past SessionTimeout: resolve ends it.
      clock.now += 1001;
      expect(mgr.cached(s.sessionId)).toBeNull();
      expect(await mgr.resolve(s.sessionId)).toBeUndefined();
      expect(mgr.cached(s.sessionId)).toBeNull();
      const s2 = await mgr.create(customer);
      // Due for validation (SessionValidationTimeout): resolve asks the database.
      for (let i = 0; i < 5; i++) {
        clock.now += 900;
        expect(mgr.cached(s2.sessionId)).toBe(s2);
      }
      clock.now += 900;
      expect(mgr.cached(s2.sessionId)).toBeNull();
      const again = await mgr.resolve(s2.sessionId);
      expect(again?.sessionId).toBe(s2.sessionId);
      expect(mgr.cached(s2.sessionId)).toBe(again);
      await mgr.end(s2.sessionId);
      expect(mgr.cached(s2.sessionId)).toBeNull();
    });
  });

  describe('the periodic clean-up, at its default interval (half SessionTimeout, as in Mendix)', () => {
    let t2: TestRuntime;
    let app2: { dir: string; remove(): void };
    beforeAll(async () => {
      app2 = salesCopy();
      // No ClusterManagerActionInterval: the clean-up runs every TIMEOUT / 2 on its own.
      t2 = await startApp(app2.dir, db.url, { SessionTimeout: TIMEOUT, SessionKeepAliveUpdatesInterval: 400, LoginMaxAttempts: 3, LoginBlockDuration: 500 });
    });
    afterAll(async () => {
      await t2?.stop();
      app2?.remove();
    });

    const blocked = async (name: string) => {
      const rows = await raw.query<{ blocked: unknown }>(`SELECT "blocked" FROM "system$user" WHERE "name" = ${ph(1)}`, [name]);
      return new SystemTables(t2.rt.ctx.model, raw.dialect).dec('System.User', 'Blocked', rows[0]!.blocked) === true;
    };

    it('removes an expired session that no request asks about', async () => {
      const s = (await login(t2.url, 'manager', 'Manager123')).session!;
      expect(await sessionRow(s.sessionId)).toBeDefined();
      await eventually(async () => (await sessionRow(s.sessionId)) === undefined, TIMEOUT + 15000, 'the expired session row is deleted');
    });

    it('unblocks a user whose block ran out without waiting for its next login attempt', async () => {
      for (let i = 0; i < 3; i++) expect((await login(t2.url, 'customer', 'wrong')).status).toBe(401);
      expect(await blocked('customer')).toBe(true);
      await eventually(async () => !(await blocked('customer')), 15000, 'the block is lifted by the clean-up');
      expect((await login(t2.url, 'customer', 'Customer123')).status).toBe(200);
    });
  });
});
