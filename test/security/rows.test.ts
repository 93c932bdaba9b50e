import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitObjects, createObject, type Database, type IdGenerator } from '../../src/data/index.js';
import { setReference, setValue } from '../../src/objects/mx-object.js';
import { retrieve } from '../../src/query/index.js';
import { hashPassword } from '../../src/security/password.js';
import { DIALECTS, freshDatabase, type TestDatabase } from '../support/databases.js';
import { login, salesCopy, startApp, type TestRuntime } from './harness.js';

/**
 * Row-level access with users stored in the database: each customer sees its
 * own orders and their lines (XPath over associations to [%CurrentUser%]),
 * a manager sees all. The user id comes from the session the login created.
 */
describe.each(DIALECTS)('row constraints of the logged-in user on %s', (dialect) => {
  let db: TestDatabase;
  let app: { dir: string; remove(): void };
  let t: TestRuntime;
  beforeAll(async () => {
    db = await freshDatabase(dialect);
    app = salesCopy();
    t = await startApp(app.dir, db.url);
    const model = t.rt.ctx.model;
    const database = t.rt.ctx.services.get('db') as Database;
    const ids = t.rt.ctx.services.get('ids') as IdGenerator;
    const roleRows = await database.query<{ id: unknown; name: string }>('SELECT "id", "name" FROM "system$userrole"', []);
    const customerRole = BigInt(String(roleRows.find((r) => r.name === 'Customer')!.id));
    const make = async (entity: string, values: Record<string, unknown>, refs: Record<string, bigint | bigint[]> = {}) => {
      const o = await createObject(model, entity, ids);
      for (const [k, v] of Object.entries(values)) setValue(o, k, v as never);
      for (const [k, v] of Object.entries(refs)) setReference(o, k, v);
      await database.transaction((tx) => commitObjects(tx, model, [o]));
      return o.id;
    };
    for (const name of ['alice', 'bob']) {
      const c = await make(
        'Sales.Customer',
        { Name: name, Password: await hashPassword('Secret123', 4), CompanyName: `${name} Ltd` },
        { 'System.UserRoles': [customerRole] },
      );
      for (let i = 0; i < 2; i++) {
        const o = await make('Sales.Order', { Total: null }, { 'Sales.Order_Customer': c });
        await make('Sales.OrderLine', { Quantity: i + 1 }, { 'Sales.OrderLine_Order': o });
      }
    }
  });
  afterAll(async () => {
    await t?.stop();
    await db?.drop();
    app?.remove();
  });

  const contextOf = async (user: string, password: string) => {
    const r = await login(t.url, user, password);
    expect(r.status).toBe(200);
    return (await t.sessions.resolveSessionId(r.session!.sessionId))!.context;
  };
  const count = async (xpath: string, user: Awaited<ReturnType<typeof contextOf>>) =>
    (await retrieve(t.rt.ctx.services.get('db') as Database, t.rt.ctx.model, { xpath }, user)).objects.length;

  it('a customer sees only its own orders, order lines and customer object', async () => {
    const alice = await contextOf('alice', 'Secret123');
    expect(alice.userEntity).toBe('Sales.Customer');
    expect(await count('//Sales.Order', alice)).toBe(2);
    expect(await count('//Sales.OrderLine', alice)).toBe(2);
    expect(await count('//Sales.Customer', alice)).toBe(1);
    const mine = await retrieve(t.rt.ctx.services.get('db') as Database, t.rt.ctx.model, { xpath: '//Sales.Order' }, alice);
    expect(mine.objects.every((o) => o.references.get('Sales.Order_Customer') === alice.userId)).toBe(true);
  });

  it('a manager sees every order', async () => {
    const manager = await contextOf('manager', 'Manager123');
    expect(await count('//Sales.Order', manager)).toBe(4);
    expect(await count('//Sales.OrderLine', manager)).toBe(4);
  });
});
