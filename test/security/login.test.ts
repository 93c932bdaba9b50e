import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SYSTEM_CONTEXT } from '../../src/security/user-context.js';
import type { MicroflowEngine } from '../../src/logic/engine/engine.js';
import { commitObjects, createObject, openDatabase, type Database, type IdGenerator } from '../../src/data/index.js';
import { createMxObject, setValue } from '../../src/objects/mx-object.js';
import { costOf, hashPassword, isBcryptHash } from '../../src/security/password.js';
import { SECURITY_SERVICE, type SecurityService } from '../../src/security/services.js';
import { createLogger } from '../../src/core/logger.js';
import { DIALECTS, freshDatabase, type TestDatabase } from '../support/databases.js';
import { authHeaders, login, registerWhoAmI, salesCopy, startApp, xas, type TestRuntime } from './harness.js';

const BLOCK_MS = 1500;
const VALIDATION_MS = 200;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Marks users as an administrator would, straight in the database: inactive, web-service user, blocked. */
async function setFlag(url: string, user: string, column: 'active' | 'webserviceuser' | 'blocked', value: boolean) {
  const d = await openDatabase(url, { log: createLogger('silent') });
  try {
    const v = d.dialect.name === 'postgres' ? value : value ? 1 : 0;
    await d.execute(
      `UPDATE "system$user" SET "${column}" = ${d.dialect.name === 'postgres' ? '$1' : '?'} WHERE "name" = ${d.dialect.name === 'postgres' ? '$2' : '?'}`,
      [v, user],
    );
  } finally {
    await d.close();
  }
}

/**
 * Login, blocking, CSRF and logout over HTTP, on each database: the counter and
 * the block are conditional SQL statements whose booleans and dates each
 * dialect encodes differently.
 */
describe.each(DIALECTS)('on %s', (dialect) => {
  let db: TestDatabase;
  let app: { dir: string; remove(): void };
  let t: TestRuntime;

  beforeAll(async () => {
    db = await freshDatabase(dialect);
    app = salesCopy();
    mkdirSync(join(app.dir, 'modules', 'Administration', 'microflows'), { recursive: true });
    // A microflow that sets a password, as an app's registration or password-change flow would.
    writeFileSync(
      join(app.dir, 'modules', 'Administration', 'microflows', 'CreateAccount.yaml'),
      [
        'parameters: { Name: String, Password: String }',
        'returns: Boolean',
        'body:',
        '  - create: { entity: Administration.Account, set: { Name: $Name, Password: $Password }, commit: true, into: A }',
        '  - return: "true"',
      ].join('\n'),
    );
    // A short SessionValidationTimeout: a user disabled in the database is noticed at the next lookup.
    t = await startApp(app.dir, db.url, { LoginMaxAttempts: 3, LoginBlockDuration: BLOCK_MS, SessionValidationTimeout: VALIDATION_MS });
    registerWhoAmI(t);
    await setFlag(db.url, 'inactive', 'active', false);
    await setFlag(db.url, 'service', 'webserviceuser', true);
  });
  afterAll(async () => {
    await t?.stop();
    await db?.drop();
    app?.remove();
  });

  /** A user committed through the data layer, as an administration page would create it. */
  async function newUser(name: string, password: string): Promise<bigint> {
    const { model, services } = t.rt.ctx;
    const database = services.get('db') as Database;
    const user = await createObject(model, 'System.User', services.get('ids') as IdGenerator);
    setValue(user, 'Name', name);
    setValue(user, 'Password', await hashPassword(password, 4));
    await database.transaction((tx) => commitObjects(tx, model, [user]));
    return user.id;
  }

  describe('login', () => {
    it('answers 200 with a CSRF token and an HttpOnly, SameSite=Strict session cookie', async () => {
      const r = await login(t.url, 'customer', 'Customer123');
      expect(r.status).toBe(200);
      expect(typeof r.body.csrftoken).toBe('string');
      expect(r.setCookie).toMatch(/^XASSESSIONID=[^;]+; Path=\/; HttpOnly; SameSite=Strict$/);
      const who = await xas(t.url, { action: 'test_whoami' }, authHeaders(r.session!));
      expect(who).toMatchObject({ status: 200, body: { user: 'customer', roles: ['Customer'] } });
    });

    it('ignores X-Forwarded-Proto without TrustProxy: no Secure flag over plain HTTP', async () => {
      const r = await login(t.url, 'customer', 'Customer123', { 'x-forwarded-proto': 'https' });
      expect(r.setCookie).not.toMatch(/Secure/);
    });

    it('logs in the administrator created from the settings', async () => {
      const r = await login(t.url, 'MxAdmin', 'Admin123!');
      expect(r.status).toBe(200);
      expect((await xas(t.url, { action: 'test_whoami' }, authHeaders(r.session!))).body).toEqual({ user: 'MxAdmin', roles: ['Administrator'] });
    });

    it('answers a wrong password, an unknown user, an inactive user and a web-service user alike: 401, same body, no cookie', async () => {
      const answers = await Promise.all([
        login(t.url, 'manager', 'wrong'),
        login(t.url, 'nobody', 'Customer123'),
        login(t.url, 'inactive', 'Inactive123'),
        login(t.url, 'service', 'Service123'),
      ]);
      for (const a of answers) {
        expect(a.status).toBe(401);
        expect(a.body).toEqual({ error: 'The user name or password is incorrect.' });
        expect(a.setCookie).toBeNull();
      }
    });

    it('refuses malformed login requests with a clear error', async () => {
      const r = await xas(t.url, { action: 'login', params: { username: 'x' } });
      expect(r).toMatchObject({ status: 400, body: { error: 'malformed login: params.username and params.password must be strings' } });
    });

    it('rotates the session id at login and ends the session the browser held before', async () => {
      const first = (await login(t.url, 'customer', 'Customer123')).session!;
      const second = await login(t.url, 'customer', 'Customer123', { cookie: first.cookie });
      expect(second.session!.sessionId).not.toBe(first.sessionId);
      expect((await xas(t.url, { action: 'test_whoami' }, authHeaders(first))).status).toBe(401);
      expect((await xas(t.url, { action: 'test_whoami' }, authHeaders(second.session!))).status).toBe(200);
    });

    it('blocks a user after LoginMaxAttempts failures, refuses the right password during the block, keeps its open sessions, and lets it in after the block', async () => {
      const before = (await login(t.url, 'manager', 'Manager123')).session!;
      // manager had one failure in an earlier test; a success reset the counter just now.
      for (let i = 0; i < 3; i++) expect((await login(t.url, 'manager', `bad${i}`)).status).toBe(401);
      const blockedAt = Date.now();
      expect((await login(t.url, 'manager', 'Manager123')).status).toBe(401);
      // Wrong passwords sent by someone else do not end the victim's work: its session
      // goes on, past the cache (SessionValidationTimeout) and the clean-up too.
      await sleep(VALIDATION_MS + 50);
      await t.sessions.cleanup();
      expect(await xas(t.url, { action: 'test_whoami' }, authHeaders(before))).toMatchObject({ status: 200, body: { user: 'manager' } });
      await new Promise((r) => setTimeout(r, BLOCK_MS - (Date.now() - blockedAt) + 100));
      const after = await login(t.url, 'manager', 'Manager123');
      expect(after.status).toBe(200);
      // The counter starts from zero again: two failures do not block.
      for (let i = 0; i < 2; i++) expect((await login(t.url, 'manager', 'bad')).status).toBe(401);
      expect((await login(t.url, 'manager', 'Manager123')).status).toBe(200);
    });

    it('counts parallel failures without losing one', async () => {
      const results = await Promise.all(Array.from({ length: 6 }, () => login(t.url, 'admin2', 'wrong')));
      expect(results.every((r) => r.status === 401)).toBe(true);
      expect((await login(t.url, 'admin2', 'Admin2-pass')).status).toBe(401);
    });

    it('matches user names as the database collates them: case-insensitively on SQLite and MariaDB, exactly on PostgreSQL', async () => {
      expect((await login(t.url, 'CUSTOMER', 'Customer123')).status).toBe(dialect === 'postgres' ? 401 : 200);
    });

    it('keeps a user blocked by an administrator (no BlockedSince) blocked past the block time and the clean-up', async () => {
      await newUser('held', 'Held12345');
      const s = (await login(t.url, 'held', 'Held12345')).session!;
      await setFlag(db.url, 'held', 'blocked', true);
      await sleep(BLOCK_MS + 100);
      await t.sessions.cleanup();
      expect((await xas(t.url, { action: 'test_whoami' }, authHeaders(s))).status).toBe(401);
      expect((await login(t.url, 'held', 'Held12345')).status).toBe(401);
      await setFlag(db.url, 'held', 'blocked', false);
      expect((await login(t.url, 'held', 'Held12345')).status).toBe(200);
    });

    it('refuses every session of a user deactivated in the database at its next lookup', async () => {
      await newUser('twice', 'Twice1234');
      const a = (await login(t.url, 'twice', 'Twice1234')).session!;
      const b = (await login(t.url, 'twice', 'Twice1234')).session!;
      for (const s of [a, b]) expect((await xas(t.url, { action: 'test_whoami' }, authHeaders(s))).status).toBe(200);
      await setFlag(db.url, 'twice', 'active', false);
      await sleep(VALIDATION_MS + 50);
      for (const s of [a, b]) expect((await xas(t.url, { action: 'test_whoami' }, authHeaders(s))).status).toBe(401);
      expect((await login(t.url, 'twice', 'Twice1234')).status).toBe(401);
    });
  });

  describe('CSRF and logout', () => {
    it("rejects a state-changing action without the session's CSRF token (403) and without a session (401)", async () => {
      const s = (await login(t.url, 'customer', 'Customer123')).session!;
      expect(await xas(t.url, { action: 'test_whoami' }, { cookie: s.cookie })).toMatchObject({
        status: 403,
        body: { error: 'missing or invalid CSRF token (header X-Csrf-Token)' },
      });
      expect((await xas(t.url, { action: 'test_whoami' }, { cookie: s.cookie, 'x-csrf-token': `${s.csrf}x` })).status).toBe(403);
      const other = (await login(t.url, 'MxAdmin', 'Admin123!')).session!;
      expect((await xas(t.url, { action: 'test_whoami' }, { cookie: s.cookie, 'x-csrf-token': other.csrf })).status).toBe(403);
      expect((await xas(t.url, { action: 'test_whoami' }, { 'x-csrf-token': s.csrf })).status).toBe(401);
      expect((await xas(t.url, { action: 'test_whoami' }, { cookie: 'XASSESSIONID=made-up', 'x-csrf-token': s.csrf })).status).toBe(401);
    });

    it('logout ends the session and clears the cookie', async () => {
      const s = (await login(t.url, 'customer', 'Customer123')).session!;
      expect((await xas(t.url, { action: 'logout', params: {} }, { cookie: s.cookie })).status).toBe(403);
      const out = await xas(t.url, { action: 'logout', params: {} }, authHeaders(s));
      expect(out.status).toBe(200);
      expect(out.setCookie).toMatch(/^XASSESSIONID=; Path=\/; Max-Age=0; HttpOnly; SameSite=Strict$/);
      expect((await xas(t.url, { action: 'test_whoami' }, authHeaders(s))).status).toBe(401);
    });
  });

  describe('passwords set on user objects', () => {
    it('are checked against the policy and stored as bcrypt hashes, so the user can log in', async () => {
      const { model, services } = t.rt.ctx;
      const security = services.get(SECURITY_SERVICE) as SecurityService;
      const database = services.get('db') as Database;
      const account = await createObject(model, 'Administration.Account', services.get('ids') as IdGenerator);
      setValue(account, 'Name', 'newbie');
      setValue(account, 'Password', 'short');
      expect(await security.beforeCommit([account], database)).toEqual([
        {
          objectId: account.id,
          entity: 'Administration.Account',
          guid: account.id.toString(),
          member: 'Password',
          message: 'The password must be at least 8 characters long. The password must contain at least one digit.',
        },
      ]);
      expect(account.values.get('Password')).toBe('short');
      setValue(account, 'Password', 'LongEnough1');
      expect(await security.beforeCommit([account], database)).toEqual([]);
      expect(isBcryptHash(String(account.values.get('Password')))).toBe(true);
      await database.transaction((tx) => commitObjects(tx, model, [account]));
      expect((await login(t.url, 'newbie', 'LongEnough1')).status).toBe(200);
    });

    it('renews a hash made at another cost at the next login', async () => {
      const { model, services } = t.rt.ctx;
      const database = services.get('db') as Database;
      const user = await createObject(model, 'System.User', services.get('ids') as IdGenerator);
      setValue(user, 'Name', 'oldhash');
      setValue(user, 'Password', await hashPassword('OldHash123', 6));
      await database.transaction((tx) => commitObjects(tx, model, [user]));
      expect((await login(t.url, 'oldhash', 'OldHash123')).status).toBe(200);
      const stored = await database.query<{ password: string }>(
        `SELECT "password" FROM "system$user" WHERE "name" = ${database.dialect.name === 'postgres' ? '$1' : '?'}`,
        ['oldhash'],
      );
      expect(costOf(stored[0]!.password)).toBe(4);
      expect((await login(t.url, 'oldhash', 'OldHash123')).status).toBe(200);
    });

    it("are hashed when a microflow commits them, and a weak one fails the commit with the policy's message", async () => {
      const engine = t.rt.ctx.services.get('microflows') as MicroflowEngine;
      await engine.runMicroflow('Administration.CreateAccount', { Name: 'viaflow', Password: 'FlowPass123' }, SYSTEM_CONTEXT);
      expect((await login(t.url, 'viaflow', 'FlowPass123')).status).toBe(200);
      await expect(engine.runMicroflow('Administration.CreateAccount', { Name: 'weak', Password: 'abc' }, SYSTEM_CONTEXT)).rejects.toThrow(
        /Password: The password must be at least 8 characters long/,
      );
      expect((await login(t.url, 'weak', 'abc')).status).toBe(401);
    });

    it('a commit that deactivates a user ends its sessions at once', async () => {
      const { model, services } = t.rt.ctx;
      const security = services.get(SECURITY_SERVICE) as SecurityService;
      const database = services.get('db') as Database;
      const user = await createObject(model, 'System.User', services.get('ids') as IdGenerator);
      setValue(user, 'Name', 'leaving');
      setValue(user, 'Password', await hashPassword('Leaving123', 4));
      await database.transaction((tx) => commitObjects(tx, model, [user]));
      const s = (await login(t.url, 'leaving', 'Leaving123')).session!;
      expect((await xas(t.url, { action: 'test_whoami' }, authHeaders(s))).status).toBe(200);
      const edit = createMxObject('System.User', user.id, 'persisted');
      setValue(edit, 'Active', false);
      await database.transaction(async (tx) => {
        expect(await security.beforeCommit([edit], tx)).toEqual([]);
        await commitObjects(tx, model, [edit]);
      });
      expect((await xas(t.url, { action: 'test_whoami' }, authHeaders(s))).status).toBe(401);
      expect((await login(t.url, 'leaving', 'Leaving123')).status).toBe(401);
    });
  });
});
