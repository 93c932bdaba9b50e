import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database, type IdGenerator } from '../../src/data/index.js';
import { SessionManager } from '../../src/sessions/session-manager.js';
import { SessionStore } from '../../src/sessions/session-store.js';
import { SystemTables } from '../../src/security/system-tables.js';
import { dataLayerWriter } from '../../src/security/data-writer.js';
import { createLogger } from '../../src/core/logger.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { authHeaders, login, registerWhoAmI, salesCopy, startApp, xas, type TestRuntime } from './harness.js';

const TIMEOUT = 1500;
let db: TestDatabase;
let raw: Database;
let app: { dir: string; remove(): void };
let t: TestRuntime;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  db = await freshDatabase('postgres');
  app = salesCopy();
  t = await startApp(app.dir, db.url, {
    SessionTimeout: TIMEOUT, SessionKeepAliveUpdatesInterval: 400, SessionValidationTimeout: 200,
    // The periodic clean-up is run by hand below.
    ClusterManagerActionInterval: 3600000,
  });
  registerWhoAmI(t);
  raw = await openDatabase(db.url, { log: createLogger('silent') });
});
afterAll(async () => { await t?.stop(); await raw?.close(); await db?.drop(); app?.remove(); });

async function sessionRow(sessionId: string) {
  const rows = await raw.query<{ lastactive: Date | null }>('SELECT "lastactive" FROM "system$session" WHERE "sessionid" = $1', [sessionId]);
  return rows[0];
}

describe('persistent sessions', () => {
  it('stores the session in System.Session, linked to its user', async () => {
    const s = (await login(t.url, 'customer', 'Customer123')).session!;
    const rows = await raw.query<{ name: string; csrftoken: string }>(
      'SELECT u."name", s."csrftoken" FROM "system$session" s JOIN "system$session_user" su ON su."system$sessionid" = s."id" JOIN "system$user" u ON u."id" = su."system$userid" WHERE s."sessionid" = $1',
      [s.sessionId]);
    expect(rows).toEqual([{ name: 'customer', csrftoken: s.csrf }]);
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
    // Ten requests in a burst: at most one flush falls in it, never one write per request.
    const runtimeDb = t.rt.ctx.services.get('db') as Database;
    const writes: string[] = [];
    const off = runtimeDb.onStatement((sql) => { if (/^UPDATE "system\$session"/.test(sql)) writes.push(sql); });
    for (let i = 0; i < 10; i++) expect((await xas(t.url, { action: 'test_whoami' }, authHeaders(s))).status).toBe(200);
    off();
    expect(writes.length).toBeLessThanOrEqual(1);
    for (let i = 0; i < 6; i++) {
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
    const { model, services } = t.rt.ctx;
    const database = services.get('db') as Database;
    const store = new SessionStore(database, new SystemTables(model, database.dialect), dataLayerWriter(model, database, services.get('ids') as IdGenerator));
    let now = Date.now();
    const mgr = new SessionManager(store, model, { timeoutMs: 1000, validationMs: 60000 }, () => now);
    const [user] = await raw.query<{ id: unknown }>('SELECT "id" FROM "system$user" WHERE "name" = $1', ['customer']);
    const s = await mgr.create({ id: BigInt(String(user!.id)), name: 'customer', entity: 'System.User', roles: ['Customer'], anonymous: false });
    now += 600;
    expect(await mgr.resolve(s.sessionId)).toBeDefined();
    expect(await mgr.flush()).toBe(1);
    now += 600; // 1200 ms after creation, 600 ms after the last request
    expect(await mgr.resolve(s.sessionId)).toBeDefined();
    now += 1001;
    expect(await mgr.resolve(s.sessionId)).toBeUndefined();
    expect(await sessionRow(s.sessionId)).toBeUndefined();
  });
});
