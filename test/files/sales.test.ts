import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitObjects, createObject, deleteObjects, idFromDb } from '../../src/data/index.js';
import type { MxObject } from '../../src/objects/mx-object.js';
import { setReference, setValue } from '../../src/objects/mx-object.js';
import { hashPassword } from '../../src/security/password.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { authHeaders, login, salesCopy, startApp, type TestRuntime } from '../security/harness.js';
import { handles, upload } from './harness.js';

/**
 * examples/sales as it ships: order attachments are readable by a customer
 * only for their own orders (the access rule's XPath, applied per object on
 * download); deleting an order deletes its attachment (cascade) and the
 * clean-up then removes the contents.
 */
describe.each(['sqlite', 'postgres'] as const)('examples/sales order attachments on %s', (dialect) => {
  let db: TestDatabase;
  let app: { dir: string; remove(): void };
  let t: TestRuntime;
  const attachments = new Map<string, string>();
  const orders = new Map<string, MxObject>();

  beforeAll(async () => {
    db = await freshDatabase(dialect);
    app = salesCopy();
    t = await startApp(app.dir, db.url, { FileCleanupMinAge: 0, FileCleanupInterval: 0 });
    const { db: raw, ids } = handles(t);
    const model = t.rt.ctx.model;
    const roles = await raw.query<{ id: unknown; name: unknown }>('SELECT "id", "name" FROM "system$userrole"', []);
    const customerRole = idFromDb(roles.find((r) => r.name === 'Customer')!.id as never);
    for (const name of ['acme', 'globex']) {
      const c = await createObject(model, 'Sales.Customer', ids);
      const values: Record<string, unknown> = {
        Name: name,
        Password: await hashPassword('Customer-1', 4),
        CompanyName: name,
        FullName: name,
        Email: `${name}@x.example`,
      };
      for (const [k, v] of Object.entries(values)) setValue(c, k, v as never);
      setReference(c, 'System.UserRoles', [customerRole]);
      const o = await createObject(model, 'Sales.Order', ids);
      setValue(o, 'Total', new Decimal('10.00'));
      setValue(o, 'OrderDate', new Date());
      setReference(o, 'Sales.Order_Customer', c.id);
      const a = await createObject(model, 'Sales.OrderAttachment', ids);
      setReference(a, 'Sales.OrderAttachment_Order', o.id);
      await raw.transaction((tx) => commitObjects(tx, model, [c, o, a]));
      attachments.set(name, String(a.id));
      orders.set(name, o);
    }
  });
  afterAll(async () => {
    await t?.stop();
    await db?.drop();
    app?.remove();
  });

  it('lets a customer download the attachment of their own order only', async () => {
    const manager = (await login(t.url, 'manager', 'Manager123')).session!;
    for (const [name, guid] of attachments) expect((await upload(t.url, guid, `invoice of ${name}`, `${name}.txt`, authHeaders(manager))).status).toBe(200);
    const acme = (await login(t.url, 'acme', 'Customer-1')).session!;
    const own = await fetch(`${t.url}/file?guid=${attachments.get('acme')}`, { headers: { cookie: acme.cookie } });
    expect(own.status).toBe(200);
    expect(await own.text()).toBe('invoice of acme');
    expect((await fetch(`${t.url}/file?guid=${attachments.get('globex')}`, { headers: { cookie: acme.cookie } })).status).toBe(404);
    // Customers read attachments but may not replace them.
    expect((await upload(t.url, attachments.get('acme')!, 'forged', 'f.txt', authHeaders(acme))).status).toBe(404);
  });

  it('deletes the attachment with its order, and its contents at the next clean-up', async () => {
    const { db: raw, files } = handles(t);
    const key = (await files.info(BigInt(attachments.get('globex')!)))!.key!;
    await raw.transaction((tx) => deleteObjects(tx, t.rt.ctx.model, [orders.get('globex')!]));
    expect(await files.info(BigInt(attachments.get('globex')!))).toBeUndefined();
    expect(await files.store.get(key)).toBeDefined();
    await files.cleanup();
    expect(await files.store.get(key)).toBeUndefined();
    expect(await files.readBytes(BigInt(attachments.get('acme')!))).toEqual(Buffer.from('invoice of acme'));
  });
});
