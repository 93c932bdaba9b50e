import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitObjects, createObject, type Database, type IdGenerator } from '../../src/data/index.js';
import { setReference, setValue } from '../../src/objects/mx-object.js';
import type { OperationRegistry } from '../../src/client-api/registry/types.js';
import { hashPassword, isBcryptHash } from '../../src/security/password.js';
import { SECURITY_SERVICE, type SecurityService } from '../../src/security/services.js';
import { freshDatabase, type DialectName, type TestDatabase } from '../support/databases.js';
import { authHeaders, login, registerWhoAmI, salesCopy, startApp, xas, type LoggedIn, type TestRuntime } from './harness.js';

/**
 * Issue 13, item 6, as an attacker sends it over HTTP to examples/sales
 * (password policy: 8 characters and a digit): no pre-hashed password from a
 * client, one's own password only with the current one (`change_password`),
 * and a new password ends the user's other sessions.
 */
const DIALECTS: DialectName[] = ['postgres', 'sqlite'];
const PREHASHED = 'The password must not be a password hash: enter the password itself.';

describe.each(DIALECTS)('passwords on %s', (dialect) => {
  let db: TestDatabase;
  let app: { dir: string; remove(): void };
  let t: TestRuntime;
  let registry: OperationRegistry;
  let database: Database;
  let customerRole: bigint;
  let n = 0;

  beforeAll(async () => {
    db = await freshDatabase(dialect);
    app = salesCopy();
    t = await startApp(app.dir, db.url);
    registerWhoAmI(t);
    registry = t.rt.ctx.services.get('operations') as OperationRegistry;
    database = t.rt.ctx.services.get('db') as Database;
    const roles = await database.query<{ id: unknown; name: string }>('SELECT "id", "name" FROM "system$userrole"', []);
    customerRole = BigInt(String(roles.find((r) => r.name === 'Customer')!.id));
  }, 120000);
  afterAll(async () => {
    await t?.stop();
    await db?.drop();
    app?.remove();
  });

  /** A new user of role Customer (a Sales.Customer, or a plain System.User) with this password. */
  async function customer(password: string, entity: 'Sales.Customer' | 'System.User' = 'Sales.Customer'): Promise<{ name: string; id: bigint }> {
    const { model, services } = t.rt.ctx;
    const o = await createObject(model, entity, services.get('ids') as IdGenerator);
    const name = `cust${++n}`;
    setValue(o, 'Name', name);
    setValue(o, 'Password', await hashPassword(password, 4));
    if (entity === 'Sales.Customer') setValue(o, 'CompanyName', `${name} Ltd`);
    setReference(o, 'System.UserRoles', [customerRole]);
    await database.transaction((tx) => commitObjects(tx, model, [o]));
    return { name, id: o.id };
  }
  const logIn = async (user: string, password: string): Promise<LoggedIn> => {
    const l = await login(t.url, user, password);
    expect(l.status, `login ${user}`).toBe(200);
    return l.session!;
  };
  const whoami = (s: LoggedIn) => xas(t.url, { action: 'test_whoami' }, authHeaders(s));
  /** The generic commit of the client API (Sales.Order_Edit's Save button: any objects by id) with the client's changes. */
  const commitUser = (s: LoggedIn, id: bigint, password: unknown) =>
    xas(
      t.url,
      {
        action: 'runtimeOperation',
        operationId: registry.forButton('Sales.Order_Edit', 'orderView', 0)!.id,
        params: { Objects: { guids: [id.toString()] } },
        changes: { [id.toString()]: { Password: { value: password } } },
        objects: [],
      },
      authHeaders(s),
    );
  const changePassword = (s: LoggedIn, params: unknown, headers = authHeaders(s)) => xas(t.url, { action: 'change_password', params }, headers);

  describe('pre-hashed values', () => {
    it('refuses a bcrypt hash sent as a password by a client (422 on the member), and stores nothing', async () => {
      const dave = await customer('Dave12345');
      const admin = await logIn('admin2', 'Admin2-pass');
      const hash = await hashPassword('Known1234', 4);
      const r = await commitUser(admin, dave.id, hash);
      expect(r.status).toBe(422);
      expect(r.body.datavalidation).toEqual({ [dave.id.toString()]: { Password: PREHASHED } });
      expect((await login(t.url, dave.name, 'Known1234')).status).toBe(401);
      expect((await login(t.url, dave.name, 'Dave12345')).status).toBe(200);
    });

    it('hashes a hash-looking value a microflow or the runtime commits as a password (never stored as given)', async () => {
      const { model, services } = t.rt.ctx;
      const security = services.get(SECURITY_SERVICE) as SecurityService;
      const o = await createObject(model, 'Administration.Account', services.get('ids') as IdGenerator);
      const given = await hashPassword('Given1234', 4);
      setValue(o, 'Name', 'viahash');
      setValue(o, 'Password', given);
      expect(await security.beforeCommit([o], database)).toEqual([]);
      const stored = String(o.values.get('Password'));
      expect(isBcryptHash(stored)).toBe(true);
      expect(stored).not.toBe(given);
      // A second run (the microflow engine's, after the client API's) leaves the runtime's own hash alone.
      expect(await security.beforeCommit([o], database)).toEqual([]);
      expect(o.values.get('Password')).toBe(stored);
      await database.transaction((tx) => commitObjects(tx, model, [o]));
      expect((await login(t.url, 'viahash', 'Given1234')).status).toBe(401);
      expect((await login(t.url, 'viahash', given)).status).toBe(200);
    });
  });

  describe("one's own password", () => {
    it("refuses a client commit of the session user's own Password (403), though System.User may write it", async () => {
      // A plain System.User: System.User's own rule lets the user write Password ([id = '[%CurrentUser%]']).
      const c = await customer('Carla1234', 'System.User');
      const s = await logIn(c.name, 'Carla1234');
      const r = await commitUser(s, c.id, 'Hijacked123');
      expect(r.status).toBe(403);
      expect(r.body.field).toBe(`changes.${c.id.toString()}.Password`);
      expect(String(r.body.error)).toMatch(/change_password/);
      expect((await login(t.url, c.name, 'Hijacked123')).status).toBe(401);
      expect((await login(t.url, c.name, 'Carla1234')).status).toBe(200);
    });

    it('change_password needs the session and its CSRF token', async () => {
      const c = await customer('Erin12345');
      const s = await logIn(c.name, 'Erin12345');
      const params = { oldPassword: 'Erin12345', newPassword: 'Erin54321' };
      expect((await changePassword(s, params, { cookie: s.cookie })).status).toBe(403);
      expect((await changePassword(s, params, { 'x-csrf-token': s.csrf })).status).toBe(401);
      expect((await changePassword(s, { oldPassword: 'Erin12345' })).status).toBe(400);
      expect((await login(t.url, c.name, 'Erin12345')).status).toBe(200);
    });

    it('change_password refuses a wrong current password (401, one answer) and a new one against the policy (422 with every message)', async () => {
      const c = await customer('Fred12345');
      const s = await logIn(c.name, 'Fred12345');
      const wrong = await changePassword(s, { oldPassword: 'Wrong1234', newPassword: 'Fred54321' });
      expect(wrong.status).toBe(401);
      expect(wrong.body).toEqual({ error: 'The current password is incorrect.' });
      const weak = await changePassword(s, { oldPassword: 'Fred12345', newPassword: 'short' });
      expect(weak.status).toBe(422);
      expect(weak.body.problems).toEqual(['The password must be at least 8 characters long.', 'The password must contain at least one digit.']);
      const hashed = await changePassword(s, { oldPassword: 'Fred12345', newPassword: await hashPassword('Fred54321', 4) });
      expect(hashed.status).toBe(422);
      expect(hashed.body.problems).toEqual([PREHASHED]);
      // Nothing changed; the session goes on.
      expect((await whoami(s)).status).toBe(200);
      expect((await login(t.url, c.name, 'Fred54321')).status).toBe(401);
      expect((await login(t.url, c.name, 'Fred12345')).status).toBe(200);
    });

    it("change_password with the right current password sets the new one; the user's other sessions end, this one goes on", async () => {
      const c = await customer('Gina12345');
      const here = await logIn(c.name, 'Gina12345');
      const elsewhere = await logIn(c.name, 'Gina12345');
      const other = await customer('Hank12345');
      const bystander = await logIn(other.name, 'Hank12345');
      const r = await changePassword(here, { oldPassword: 'Gina12345', newPassword: 'Gina-new-2' });
      expect(r.status).toBe(200);
      expect((await whoami(elsewhere)).status).toBe(401);
      expect((await whoami(here)).body).toMatchObject({ user: c.name });
      expect((await whoami(bystander)).status).toBe(200);
      expect((await login(t.url, c.name, 'Gina12345')).status).toBe(401);
      expect((await login(t.url, c.name, 'Gina-new-2')).status).toBe(200);
    });
  });

  describe('other sessions after a password change', () => {
    it("an administrator's commit of another user's password stores its hash and ends that user's sessions; the administrator's goes on", async () => {
      const c = await customer('Ivan12345');
      const victim = await logIn(c.name, 'Ivan12345');
      const admin = await logIn('admin2', 'Admin2-pass');
      const weak = await commitUser(admin, c.id, 'weak');
      expect(weak.status).toBe(422);
      expect((await whoami(victim)).status).toBe(200);
      const r = await commitUser(admin, c.id, 'Reset1234');
      expect(r.status).toBe(200);
      expect((await whoami(victim)).status).toBe(401);
      expect((await whoami(admin)).status).toBe(200);
      const stored = await database.query<{ password: string }>(`SELECT "password" FROM "system$user" WHERE "id" = ${c.id.toString()}`, []);
      expect(isBcryptHash(stored[0]!.password)).toBe(true);
      expect((await login(t.url, c.name, 'Reset1234')).status).toBe(200);
    });
  });
});
