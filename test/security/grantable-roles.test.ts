import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import type { Database } from '../../src/data/index.js';
import type { OperationRegistry } from '../../src/client-api/registry/types.js';
import { DIALECTS, freshDatabase, type TestDatabase } from '../support/databases.js';
import { writeApp } from '../support/app-folder.js';
import { authHeaders, login, startApp, xas, type LoggedIn, type TestRuntime } from './harness.js';

/**
 * Mendix's manageable roles: System.UserRole.grantableRoles is filled from the
 * app's security.manageableRoles, and a user who edits another user's roles may
 * add or remove only roles their own roles may grant.
 */
const APP = {
  'app.yaml': `name: Grants
version: 1.0.0
modules: [Admin]
security:
  level: production
  adminUser: { name: MxAdmin, password: "Admin-pass1", role: Administrator }
  userRoles:
    Administrator: [Admin.Manager, System.Administrator]
    Manager: [Admin.Manager, System.User]
    Customer: [Admin.Member, System.User]
    Auditor: [Admin.Member, System.User]
  manageableRoles:
    Administrator: "*"
    Manager: [Customer]
  demoUsers:
    - { name: boss, password: "Boss-pass1", roles: [Manager], entity: Admin.Account }
    - { name: carla, password: "Carla-pass1", roles: [Customer], entity: Admin.Account }
    - { name: root, password: "Root-pass1", roles: [Administrator], entity: Admin.Account }
`,
  'modules/Admin/domain-model.yaml': `moduleRoles: [Manager, Member]
entities:
  Account:
    generalization: System.User
    attributes:
      FullName: String
    access:
      - { roles: [Manager], read: "*", write: [FullName, System.UserRoles] }
      - { roles: [Member], read: [Name, FullName], xpath: "[id = '[%CurrentUser%]']" }
`,
  'modules/Admin/pages/Account_Edit.yaml': `title: Account
allowedRoles: [Manager]
parameters: { Account: Admin.Account }
widgets:
  - dataView:
      name: accountView
      source: { parameter: Account }
      widgets:
        - textBox: { attribute: FullName, label: Name }
      buttons:
        - { caption: Save, action: save }
`,
  'modules/Admin/odata/Users.yaml': `location: odata/users/v1
version: 1.0.0
namespace: Users
authentication: [basic]
allowedRoles: [Manager]
entitySets:
  Accounts:
    entity: Account
    attributes: [Name, FullName]
    associations: { System.UserRoles: Roles }
    capabilities: { updatable: true }
  Roles:
    entity: System.UserRole
    attributes: [Name]
`,
};

describe.each(DIALECTS)('grantable roles on %s', (dialect) => {
  let db: TestDatabase;
  let dir: string;
  let t: TestRuntime;
  let database: Database;
  let roleId: Map<string, string>;
  let carla: string;
  let save: string;
  const sessions = new Map<string, LoggedIn>();

  beforeAll(async () => {
    db = await freshDatabase(dialect);
    dir = writeApp(APP);
    t = await startApp(dir, db.url);
    database = t.rt.ctx.services.get('db') as Database;
    const roles = await database.query<{ id: unknown; name: unknown }>('SELECT "id", "name" FROM "system$userrole"', []);
    roleId = new Map(roles.map((r) => [String(r.name), String(r.id)]));
    carla = String((await database.query<{ id: unknown }>(`SELECT "id" FROM "system$user" WHERE "name" = 'carla'`, []))[0]!.id);
    save = (t.rt.ctx.services.get('operations') as OperationRegistry).forButton('Admin.Account_Edit', 'accountView', 0)!.id;
    for (const [user, password] of [
      ['boss', 'Boss-pass1'],
      ['root', 'Root-pass1'],
    ]) {
      const l = await login(t.url, user!, password!);
      expect(l.status, `login ${user}`).toBe(200);
      sessions.set(user!, l.session!);
    }
  }, 120000);
  afterAll(async () => {
    await t?.stop();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const setRoles = (as: string, roles: string[]) =>
    xas(
      t.url,
      {
        action: 'runtimeOperation',
        operationId: save,
        params: { Objects: { guids: [carla] } },
        changes: { [carla]: { 'System.UserRoles': { value: roles.map((r) => roleId.get(r)!) } } },
        objects: [],
      },
      authHeaders(sessions.get(as)!),
    );
  const carlasRoles = async () =>
    (
      await database.query<{ name: unknown }>(
        'SELECT r."name" AS "name" FROM "system$userroles" x JOIN "system$userrole" r ON r."id" = x."system$userroleid" WHERE x."system$userid" = ' +
          (dialect === 'postgres' ? '$1' : '?'),
        [carla],
      )
    )
      .map((r) => String(r.name))
      .sort();

  it('fills System.grantableRoles from security.manageableRoles at start-up', async () => {
    const rows = await database.query<{ role: unknown; grantable: unknown }>(
      'SELECT a."name" AS "role", b."name" AS "grantable" FROM "system$grantableroles" g JOIN "system$userrole" a ON a."id" = g."system$userroleid1" ' +
        'JOIN "system$userrole" b ON b."id" = g."system$userroleid2"',
      [],
    );
    expect(rows.map((r) => `${String(r.role)} -> ${String(r.grantable)}`).sort()).toEqual([
      'Administrator -> Administrator',
      'Administrator -> Auditor',
      'Administrator -> Customer',
      'Administrator -> Manager',
      'Manager -> Customer',
    ]);
  });

  it('refuses a role the caller may not grant with 403 and changes nothing', async () => {
    const r = await setRoles('boss', ['Customer', 'Auditor']);
    expect(r.status).toBe(403);
    expect(JSON.stringify(r.body)).toContain("not allowed to grant or revoke the user role 'Auditor'");
    expect(await carlasRoles()).toEqual(['Customer']);
    // Taking away a role the caller may not grant is refused the same way.
    expect((await setRoles('root', ['Customer', 'Manager'])).status).toBe(200);
    const take = await setRoles('boss', ['Customer']);
    expect(take.status).toBe(403);
    expect(JSON.stringify(take.body)).toContain("'Manager'");
    expect(await carlasRoles()).toEqual(['Customer', 'Manager']);
  });

  it('refuses the same grant through a published OData service, and allows a grantable one', async () => {
    expect((await setRoles('root', ['Customer'])).status).toBe(200);
    const patch = (roles: string[]) =>
      fetch(`${t.url}/odata/users/v1/Accounts(${carla})`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from('boss:Boss-pass1').toString('base64')}` },
        body: JSON.stringify({ 'Roles@odata.bind': roles.map((r) => `Roles(${roleId.get(r)})`) }),
      });
    const refused = await patch(['Customer', 'Auditor']);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("not allowed to grant or revoke the user role 'Auditor'");
    expect(await carlasRoles()).toEqual(['Customer']);
    expect((await setRoles('root', ['Customer', 'Manager'])).status).toBe(200);
    // Dropping Manager (not grantable by boss) is refused too.
    expect((await patch(['Customer'])).status).toBe(403);
    expect(await carlasRoles()).toEqual(['Customer', 'Manager']);
    expect((await setRoles('root', ['Customer'])).status).toBe(200);
    expect((await patch([])).status).toBe(204);
    expect(await carlasRoles()).toEqual([]);
    expect((await setRoles('root', ['Customer'])).status).toBe(200);
  });

  it('lets a user grant and revoke the roles theirs list as grantable', async () => {
    expect((await setRoles('root', ['Customer'])).status).toBe(200);
    expect((await setRoles('boss', [])).status).toBe(200);
    expect(await carlasRoles()).toEqual([]);
    expect((await setRoles('boss', ['Customer'])).status).toBe(200);
    expect(await carlasRoles()).toEqual(['Customer']);
    // The administrator's role manages all roles.
    expect((await setRoles('root', ['Customer', 'Auditor'])).status).toBe(200);
    expect(await carlasRoles()).toEqual(['Auditor', 'Customer']);
  });
});
