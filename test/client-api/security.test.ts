import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { commitObjects, createObject, deleteObjects } from '../../src/data/index.js';
import { hasAnyRole } from '../../src/security/document-access.js';
import { moduleRolesOf } from '../../src/security/contexts.js';
import { kinds, startApp, type AppUnderTest, type XasClient } from './harness.js';

/**
 * The client API refuses what a user may not do on examples/sales, and a
 * refused request leaves the database as it was.
 */
const USERS = [
  { name: 'cust', password: 'Customer-1', roles: ['Customer'] },
  { name: 'mgr', password: 'Manager-12', roles: ['SalesManager'] },
];
const ORDERS = '"sales$order"';

describe('client API security on examples/sales', () => {
  let app: AppUnderTest;
  const clients = new Map<string, XasClient>();
  let order: string;

  const countOrders = async () => Number(Object.values((await app.db.query(`SELECT COUNT(*) AS n FROM ${ORDERS}`, []))[0]!)[0]);
  const orderRow = async () => (await app.db.query<Record<string, unknown>>(`SELECT "total", "internalnote", "status" FROM ${ORDERS}`, []))[0];

  beforeAll(async () => {
    app = await startApp('sales', 'postgres', USERS, { BodyLimit: 4096 });
    const model = app.runtime.ctx.model;
    const o = await createObject(model, 'Sales.Order', app.ids);
    o.values.set('Total', new Decimal('10.50'));
    o.values.set('InternalNote', 'secret margin');
    o.values.set('Status', 'Draft');
    await app.db.transaction((tx) => commitObjects(tx, model, [o]));
    order = o.id.toString();
    for (const u of USERS) {
      const c = app.client();
      await c.login(u.name, u.password);
      clients.set(u.name, c);
    }
  });
  afterAll(async () => {
    await app?.stop();
  });

  const cust = () => clients.get('cust')!;
  const mgr = () => clients.get('mgr')!;

  it("refuses every operation outside the user's module roles with 403 and no SQL", async () => {
    const model = app.runtime.ctx.model;
    let refused = 0;
    for (const u of USERS) {
      const roles = moduleRolesOf(model, u.roles);
      for (const op of app.registry.operations) {
        if (hasAnyRole(model, { moduleRoles: roles } as never, op.allowedRoles)) continue;
        const sql = app.capture();
        const r = await clients.get(u.name)!.op(op.id, { params: { Objects: { guids: [order] } }, options: { amount: 20, wantCount: true } });
        app.stopCapture();
        expect(r.status, `${u.name} ${op.type} ${op.site.page}`).toBe(403);
        expect(r.body).toEqual({ error: 'not allowed' });
        expect(sql).toEqual([]);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
  });

  it('refuses unknown operations (404), requests without a session (401) and malformed ones (400 naming the field)', async () => {
    expect((await cust().op('reyg/iaSXkaXmyztuaHbsA')).status).toBe(404);
    const anon = app.client();
    const grid = app.registry.forWidget('Sales.Order_Overview', 'ordersGrid')!;
    expect((await anon.op(grid.id)).status).toBe(401);
    const bad = await cust().op(grid.id, { options: { amount: 'lots' } });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('options.amount');
    const big = await cust().op(grid.id, { padding: 'x'.repeat(8000) });
    expect(big.status).toBe(413);
  });

  it('never sends attributes the user cannot read', async () => {
    const grid = app.registry.forWidget('Sales.Order_Overview', 'ordersGrid')!;
    const m = await mgr().op(grid.id, { options: { amount: 20, wantCount: true } });
    expect(m.status).toBe(200);
    const [mo] = m.body.partialObjects as { attributes: Record<string, unknown> }[];
    expect(mo!.attributes.InternalNote).toEqual({ value: 'secret margin' });
    expect(mo!.attributes.Total).toEqual({ value: '10.5' });
    // The customer's access rule only shows their own orders: none here.
    const c = await cust().op(grid.id, { options: { amount: 20, wantCount: true } });
    expect(c.status).toBe(200);
    expect(c.body.count).toBe(0);
    expect(JSON.stringify(c.body)).not.toContain('secret margin');
  });

  it('shows values over references: the referred objects come once, in one extra SELECT', async () => {
    const model = app.runtime.ctx.model;
    const customer = await createObject(model, 'Sales.Customer', app.ids);
    customer.values.set('Name', 'acme');
    customer.values.set('CompanyName', 'ACME Ltd');
    const o2 = await createObject(model, 'Sales.Order', app.ids);
    o2.values.set('Total', new Decimal('1'));
    o2.references.set('Sales.Order_Customer', customer.id);
    await app.db.transaction((tx) => commitObjects(tx, model, [customer, o2]));
    const grid = app.registry.forWidget('Sales.Order_Overview', 'ordersGrid')!;
    const sql = app.capture();
    const r = await mgr().op(grid.id, { options: { amount: 20, wantCount: true } });
    app.stopCapture();
    expect(r.status).toBe(200);
    const cg = customer.id.toString();
    const parts = r.body.partialObjects as { guid: string; objectType: string; attributes: Record<string, { value: unknown }> }[];
    expect(parts.find((p) => p.guid === o2.id.toString())!.attributes['Sales.Order_Customer']).toEqual({ value: cg });
    expect(parts.find((p) => p.guid === cg)).toEqual({ objectType: 'Sales.Customer', guid: cg, attributes: { CompanyName: { value: 'ACME Ltd' } } });
    expect(r.body.extraGuids).toEqual([cg]);
    expect(r.body.resultGuids).toHaveLength(2);
    expect(kinds(sql)).toEqual(['SELECT', 'SELECT', 'SELECT']);
    await app.db.transaction((tx) => deleteObjects(tx, model, [o2]));
  });

  it('calls a microflow with an object parameter in one transaction; a user who cannot read the object gets 404', async () => {
    const confirm = app.registry.forButton('Sales.Order_Overview', 'ordersGrid', 2)!;
    const hidden = await cust().op(confirm.id, { params: { Order: { guid: order } } });
    expect(hidden.status).toBe(404);
    expect((await orderRow())!.status).toBe('Draft');
    const r = await mgr().op(confirm.id, { params: { Order: { guid: order } } });
    expect(r.status).toBe(200);
    expect(r.body.actionResult).toEqual({ type: 'Primitive', value: true });
    expect(r.body.commits).toEqual([order]);
    expect((await orderRow())!.status).toBe('Confirmed');
  });

  it('refuses a delete the entity access does not allow, and deletes nothing', async () => {
    const del = app.registry.forButton('Sales.Order_Overview', 'ordersGrid', 3)!;
    const r = await cust().op(del.id, { params: { Objects: { guids: [order] } } });
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ error: 'not allowed' });
    expect(await countOrders()).toBe(1);
  });

  it('refuses forged or altered client-held objects (400) and writes nothing', async () => {
    const create = app.registry.forButton('Sales.Order_Overview', 'ordersGrid', 0)!;
    const save = app.registry.forButton('Sales.Order_Edit', 'orderView', 0)!;
    const c = await cust().op(create.id);
    expect(c.status).toBe(200);
    const created = (c.body.objects as Record<string, unknown>[])[0] as {
      guid: string;
      objectType: string;
      attributes: Record<string, { value: unknown }>;
      hash: string;
    };
    expect(created.attributes.InternalNote).toBeUndefined();
    const altered = { ...created, attributes: { ...created.attributes, Total: { value: '-5' } } };
    const r1 = await cust().op(save.id, { params: { Objects: { guids: [created.guid] } }, objects: [altered] });
    expect(r1.status).toBe(400);
    expect(r1.body.field).toBe('objects.0.hash');
    const retyped = { ...created, objectType: 'Sales.RushOrder' };
    expect((await cust().op(save.id, { params: { Objects: { guids: [created.guid] } }, objects: [retyped] })).status).toBe(400);
    const invented = { ...created, guid: (BigInt(created.guid) + 1n).toString() };
    expect((await cust().op(save.id, { params: { Objects: { guids: [invented.guid] } }, objects: [invented] })).status).toBe(400);
    expect(await countOrders()).toBe(1);
  });

  it('refuses writes to read-only and invisible attributes (403) and writes nothing', async () => {
    const create = app.registry.forButton('Sales.Order_Overview', 'ordersGrid', 0)!;
    const save = app.registry.forButton('Sales.Order_Edit', 'orderView', 0)!;
    const c = await cust().op(create.id);
    const created = (c.body.objects as { guid: string }[])[0]!;
    for (const [member, value] of [
      ['Total', '-1'],
      ['InternalNote', 'mine'],
      ['Number', '7'],
    ] as const) {
      const sql = app.capture();
      const r = await cust().op(save.id, {
        params: { Objects: { guids: [created.guid] } },
        objects: [created],
        changes: { [created.guid]: { OrderDate: { value: 0 }, [member]: { value } } },
      });
      app.stopCapture();
      expect(r.status, member).toBe(403);
      expect(kinds(sql).filter((k) => k !== 'SELECT')).toEqual([]);
    }
    // The manager may write the note of an existing order; the customer may not even see it.
    const forbidden = await cust().op(save.id, { params: { Objects: { guids: [order] } }, changes: { [order]: { InternalNote: { value: 'hacked' } } } });
    expect([403, 404]).toContain(forbidden.status);
    expect((await orderRow())!.internalnote).toBe('secret margin');
    expect(await countOrders()).toBe(1);
  });

  it('refuses hostile extraXpath (400) and keeps the security constraints', async () => {
    const grid = app.registry.forWidget('Sales.Order_Overview', 'ordersGrid')!;
    const hostile = [
      "[InternalNote = 'secret margin']",
      "[contains(InternalNote, 'secret')]",
      '[Sales.Order_Customer/Sales.Customer/CreditLimit > 0]',
      '//Sales.Customer',
      '[$currentUser = 1]',
      '[Total > 0] or 1=1',
      '[Total > 0]) or (1=1',
      'count(//Sales.Order)',
    ];
    for (const x of hostile) {
      const sql = app.capture();
      const r = await cust().op(grid.id, { options: { amount: 20, wantCount: true, extraXpath: x } });
      app.stopCapture();
      expect(r.status, x).toBe(400);
      expect(r.body.field, x).toBe('options.extraXpath');
      expect(sql, x).toEqual([]);
    }
    // A search over a readable attribute runs, still under the customer's row constraint.
    const ok = await cust().op(grid.id, { options: { amount: 20, wantCount: true, extraXpath: '[Total > 0]' } });
    expect(ok.status).toBe(200);
    expect(ok.body.count).toBe(0);
    const m = await mgr().op(grid.id, { options: { amount: 20, wantCount: true, extraXpath: "[contains(InternalNote, 'secret')]" } });
    expect(m.status).toBe(200);
    expect(m.body.count).toBe(1);
  });
});
