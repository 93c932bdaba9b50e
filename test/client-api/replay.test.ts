import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitObjects, createObject, type Database, type IdGenerator } from '../../src/data/index.js';
import { setReference, setValue } from '../../src/objects/mx-object.js';
import { hashPassword } from '../../src/security/password.js';
import type { OperationRegistry } from '../../src/client-api/registry/types.js';
import { freshDatabase, type DialectName, type TestDatabase } from '../support/databases.js';
import { authHeaders, login, salesCopy, startApp, xas, type LoggedIn, type TestRuntime } from '../security/harness.js';

/**
 * Issue 13, items 3 and 5, as an attacker sends them over HTTP to
 * examples/sales: signed client objects are bound to the session, to the
 * object's version and to an expiry (no replay into another session, after a
 * logout, or of a stale copy); references set from the client must name an
 * existing object of the association's entity that the user may read.
 */
const MAX_AGE = 6000;

/** A microflow that changes an order without committing it: the order goes back to the client signed as "changed". */
const SHIP = `allowedRoles: [Manager]
parameters: { Order: Sales.Order }
returns: Sales.Order
body:
  - change: { object: $Order, set: { Status: Sales.OrderStatus.Shipped } }
  - return: $Order
`;

interface WireObject {
  objectType: string;
  guid: string;
  attributes: Record<string, { value: unknown }>;
  hash: string;
}

const DIALECTS: DialectName[] = ['postgres', 'sqlite'];

describe.each(DIALECTS)('signed client objects and references on %s', (dialect) => {
  let db: TestDatabase;
  let app: { dir: string; remove(): void };
  let t: TestRuntime;
  let registry: OperationRegistry;
  let database: Database;
  let carla: bigint;
  let dave: bigint;
  let product: bigint;
  let category: bigint;
  let carlasOrder: bigint;
  let mxAdmin: bigint;
  let ids: IdGenerator;

  const op = (s: LoggedIn, operationId: string, rest: Record<string, unknown> = {}, base = t.url) =>
    xas(base, { action: 'runtimeOperation', operationId, params: {}, changes: {}, objects: [], ...rest }, authHeaders(s));
  const createOp = () => registry.forButton('Sales.Order_Overview', 'ordersGrid', 0)!.id;
  const saveOp = () => registry.forButton('Sales.Order_Edit', 'orderView', 0)!.id;
  const shipOp = () => registry.forButton('Sales.Order_Overview', 'ordersGrid', 4)!.id;
  const logIn = async (user: string, password: string) => {
    const l = await login(t.url, user, password);
    expect(l.status, `login ${user}`).toBe(200);
    return l.session!;
  };
  const newOrder = async (s: LoggedIn) => {
    const r = await op(s, createOp());
    expect(r.status).toBe(200);
    return (r.body.objects as WireObject[])[0]!;
  };
  const orderCount = async () => Number(Object.values((await database.query('SELECT COUNT(*) AS n FROM "sales$order"', []))[0]!)[0]);
  const orderRow = async (id: bigint) =>
    (
      await database.query<Record<string, unknown>>(
        `SELECT o."status" AS "status", a."sales$customerid" AS "c" FROM "sales$order" o LEFT JOIN "sales$order_customer" a ON a."sales$orderid" = o."id" WHERE o."id" = ${id.toString()}`,
        [],
      )
    )[0]!;

  beforeAll(async () => {
    db = await freshDatabase(dialect);
    app = salesCopy();
    writeFileSync(join(app.dir, 'modules/Sales/microflows/Order_Ship.yaml'), SHIP);
    const page = join(app.dir, 'modules/Sales/pages/Order_Overview.yaml');
    writeFileSync(
      page,
      readFileSync(page, 'utf8').replace(
        '        - { caption: Delete, action: delete }\n',
        '        - { caption: Delete, action: delete }\n        - { caption: Ship, action: { microflow: Sales.Order_Ship } }\n',
      ),
    );
    t = await startApp(app.dir, db.url, { SignedObjectMaxAge: MAX_AGE });
    registry = t.rt.ctx.services.get('operations') as OperationRegistry;
    const model = t.rt.ctx.model;
    database = t.rt.ctx.services.get('db') as Database;
    ids = t.rt.ctx.services.get('ids') as IdGenerator;
    const roleRows = await database.query<{ id: unknown; name: string }>('SELECT "id", "name" FROM "system$userrole"', []);
    const customerRole = BigInt(String(roleRows.find((r) => r.name === 'Customer')!.id));
    const make = async (entity: string, values: Record<string, unknown>, refs: Record<string, bigint | bigint[]> = {}) => {
      const o = await createObject(model, entity, ids);
      for (const [k, v] of Object.entries(values)) setValue(o, k, v as never);
      for (const [k, v] of Object.entries(refs)) setReference(o, k, v);
      await database.transaction((tx) => commitObjects(tx, model, [o]));
      return o.id;
    };
    const hash = await hashPassword('Carla1234', 4);
    carla = await make('Sales.Customer', { Name: 'carla', Password: hash, CompanyName: 'Carla Ltd' }, { 'System.UserRoles': [customerRole] });
    dave = await make(
      'Sales.Customer',
      { Name: 'dave', Password: await hashPassword('Dave12345', 4), CompanyName: 'Dave Ltd' },
      { 'System.UserRoles': [customerRole] },
    );
    carlasOrder = await make('Sales.Order', { Total: new Decimal('10'), Status: 'Draft' }, { 'Sales.Order_Customer': carla });
    category = await make('Catalog.Category', { Name: 'Tools' });
    product = await make('Catalog.Product', { Name: 'Widget', Price: new Decimal('3'), Stock: 5, Discontinued: false });
    const admin = await database.query<{ id: unknown }>('SELECT "id" FROM "system$user" WHERE "name" = \'MxAdmin\'', []);
    mxAdmin = BigInt(String(admin[0]!.id));
  }, 120000);
  afterAll(async () => {
    await t?.stop();
    await db?.drop();
    app?.remove();
  });

  describe('item 3: signed objects are bound to the session, the version and an expiry', () => {
    it("refuses an object signed for another user's session (400 naming objects.0.hash) and writes nothing", async () => {
      const a = await logIn('carla', 'Carla1234');
      const b = await logIn('dave', 'Dave12345');
      const created = await newOrder(a);
      const before = await orderCount();
      const r = await op(b, saveOp(), {
        params: { Objects: { guids: [created.guid] } },
        objects: [created],
        changes: { [created.guid]: { OrderDate: { value: 0 } } },
      });
      expect(r.status).toBe(400);
      expect(r.body.field).toBe('objects.0.hash');
      expect(String(r.body.error)).toMatch(/this session/);
      expect(await orderCount()).toBe(before);
      // In its own session it commits.
      const ok = await op(a, saveOp(), {
        params: { Objects: { guids: [created.guid] } },
        objects: [created],
        changes: { [created.guid]: { OrderDate: { value: 0 }, 'Sales.Order_Customer': { value: carla.toString() } } },
      });
      expect(ok.status).toBe(200);
      expect(await orderCount()).toBe(before + 1);
    });

    it('refuses an object signed before a logout and login (the session id rotates at login, also after an anonymous session)', async () => {
      const first = await logIn('carla', 'Carla1234');
      const created = await newOrder(first);
      expect((await xas(t.url, { action: 'logout' }, authHeaders(first))).status).toBe(200);
      const second = await logIn('carla', 'Carla1234');
      const before = await orderCount();
      const r = await op(second, saveOp(), {
        params: { Objects: { guids: [created.guid] } },
        objects: [created],
        changes: { [created.guid]: { OrderDate: { value: 0 } } },
      });
      expect(r.status).toBe(400);
      expect(r.body.field).toBe('objects.0.hash');
      expect(await orderCount()).toBe(before);
    });

    it('refuses a "changed" object replayed after the signing user logged out: a member the replaying user may not write stays', async () => {
      const mgr = await logIn('manager', 'Manager123');
      const shipped = await op(mgr, shipOp(), { params: { Order: { guid: carlasOrder.toString() } } });
      expect(shipped.status).toBe(200);
      const held = (shipped.body.objects as WireObject[]).find((o) => o.guid === carlasOrder.toString())!;
      expect(held.attributes.Status).toEqual({ value: 'Shipped' });
      expect(held.hash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      expect((await xas(t.url, { action: 'logout' }, authHeaders(mgr))).status).toBe(200);
      // Carla may not write Status; replaying the manager's signed copy would set it.
      const carlaS = await logIn('carla', 'Carla1234');
      const r = await op(carlaS, saveOp(), { params: { Objects: { guids: [held.guid] } }, objects: [held] });
      expect(r.status).toBe(400);
      expect(r.body.field).toBe('objects.0.hash');
      expect((await orderRow(carlasOrder)).status).toBe('Draft');
    });

    it('refuses a stale "changed" object (409) once the object changed in the database since it was signed', async () => {
      const mgr = await logIn('manager', 'Manager123');
      const shipped = await op(mgr, shipOp(), { params: { Order: { guid: carlasOrder.toString() } } });
      const held = (shipped.body.objects as WireObject[]).find((o) => o.guid === carlasOrder.toString())!;
      // Someone commits the order meanwhile (its changedDate moves on).
      const other = await logIn('manager', 'Manager123');
      await new Promise((r) => setTimeout(r, 5));
      const saved = await op(other, saveOp(), { params: { Objects: { guids: [held.guid] } }, changes: { [held.guid]: { Total: { value: '11' } } } });
      expect(saved.status).toBe(200);
      const r = await op(mgr, saveOp(), { params: { Objects: { guids: [held.guid] } }, objects: [held] });
      expect(r.status).toBe(409);
      expect(String(r.body.error)).toMatch(/changed since/);
      expect((await orderRow(carlasOrder)).status).toBe('Draft');
      // A fresh copy of the current version commits.
      const again = await op(mgr, shipOp(), { params: { Order: { guid: carlasOrder.toString() } } });
      const fresh = (again.body.objects as WireObject[]).find((o) => o.guid === carlasOrder.toString())!;
      const ok = await op(mgr, saveOp(), { params: { Objects: { guids: [fresh.guid] } }, objects: [fresh] });
      expect(ok.status).toBe(200);
      expect((await orderRow(carlasOrder)).status).toBe('Shipped');
      await database.execute(`UPDATE "sales$order" SET "status" = 'Draft' WHERE "id" = ${carlasOrder.toString()}`, []);
    });

    it('refuses an object older than SignedObjectMaxAge (400)', async () => {
      const s = await logIn('carla', 'Carla1234');
      const created = await newOrder(s);
      await new Promise((r) => setTimeout(r, MAX_AGE + 1100));
      const r = await op(s, saveOp(), {
        params: { Objects: { guids: [created.guid] } },
        objects: [created],
        changes: { [created.guid]: { OrderDate: { value: 0 } } },
      });
      expect(r.status).toBe(400);
      expect(r.body.field).toBe('objects.0.hash');
      expect(String(r.body.error)).toMatch(/expired/);
    }, 20000);

    it.runIf(dialect === 'postgres')(
      'accepts on another instance (same database) an object signed by the first for the same session',
      async () => {
        const b = await startApp(app.dir, db.url, { SignedObjectMaxAge: MAX_AGE });
        try {
          const s = await logIn('carla', 'Carla1234');
          const created = await newOrder(s);
          const r = await op(
            s,
            saveOp(),
            {
              params: { Objects: { guids: [created.guid] } },
              objects: [created],
              changes: { [created.guid]: { OrderDate: { value: 0 }, 'Sales.Order_Customer': { value: carla.toString() } } },
            },
            b.url,
          );
          expect(r.status).toBe(200);
          expect(r.body.commits).toEqual([created.guid]);
        } finally {
          await b.stop();
        }
      },
      60000,
    );
  });

  describe('item 5: references set from the client are checked', () => {
    const setCustomer = async (s: LoggedIn, target: string, existing?: string) => {
      if (existing)
        return op(s, saveOp(), { params: { Objects: { guids: [existing] } }, changes: { [existing]: { 'Sales.Order_Customer': { value: target } } } });
      const created = await newOrder(s);
      return op(s, saveOp(), {
        params: { Objects: { guids: [created.guid] } },
        objects: [created],
        changes: { [created.guid]: { OrderDate: { value: 0 }, 'Sales.Order_Customer': { value: target } } },
      });
    };

    it('refuses a customer that does not exist, one the user may not read (403), or an object of another entity (400), naming the member', async () => {
      const s = await logIn('carla', 'Carla1234');
      const before = await orderCount();
      const missing = ids.entityOf(carla) === 'Sales.Customer' ? (carla + 1000000n).toString() : '';
      for (const [target, status] of [
        [missing, 403],
        [dave.toString(), 403],
        [mxAdmin.toString(), 400],
        [product.toString(), 400],
      ] as const) {
        const r = await setCustomer(s, target);
        expect(r.status, target).toBe(status);
        expect(String(r.body.field), target).toMatch(/^changes\.\d+\.Sales\.Order_Customer$/);
        expect(JSON.stringify(r.body), target).not.toMatch(/SELECT|sales\$|stack/i);
      }
      // Missing and unreadable targets get the same answer.
      const [m, u] = [await setCustomer(s, missing), await setCustomer(s, dave.toString())];
      const noGuid = (x: unknown) => String(x).replace(/\d{6,}/g, 'N');
      expect(noGuid(m.body.error)).toBe(noGuid(u.body.error));
      expect(await orderCount()).toBe(before);
      // On an existing order: carla cannot hand it to dave.
      const r = await setCustomer(s, dave.toString(), carlasOrder.toString());
      expect(r.status).toBe(403);
      expect(String((await orderRow(carlasOrder)).c)).toBe(carla.toString());
      // Her own customer object is fine.
      expect((await setCustomer(s, carla.toString())).status).toBe(200);
    });

    it('checks reference sets: members of another entity or missing ones are refused, existing readable ones accepted', async () => {
      const mgr = await logIn('manager', 'Manager123');
      const g = product.toString();
      const set = (value: string[]) => op(mgr, saveOp(), { params: { Objects: { guids: [g] } }, changes: { [g]: { 'Catalog.Product_Category': { value } } } });
      const wrong = await set([category.toString(), carla.toString()]);
      expect(wrong.status).toBe(400);
      expect(wrong.body.field).toBe(`changes.${g}.Catalog.Product_Category`);
      const missing = await set([(category + 1000000n).toString()]);
      expect(missing.status).toBe(403);
      expect(missing.body.field).toBe(`changes.${g}.Catalog.Product_Category`);
      expect((await set([category.toString()])).status).toBe(200);
      const rows = await database.query('SELECT * FROM "catalog$product_category"', []);
      expect(rows).toHaveLength(1);
    });

    it('checks the references of several objects in one SELECT per target entity', async () => {
      const mgr = await logIn('manager', 'Manager123');
      const a = await newOrder(mgr);
      const b = await newOrder(mgr);
      const sql: string[] = [];
      const stop = database.onStatement((text) => {
        sql.push(text);
      });
      const r = await op(mgr, saveOp(), {
        params: { Objects: { guids: [a.guid, b.guid] } },
        objects: [a, b],
        changes: {
          [a.guid]: { OrderDate: { value: 0 }, 'Sales.Order_Customer': { value: carla.toString() } },
          [b.guid]: { OrderDate: { value: 0 }, 'Sales.Order_Customer': { value: dave.toString() } },
        },
      });
      stop();
      expect(r.status).toBe(200);
      expect(sql.filter((s) => /^\s*SELECT/i.test(s) && s.includes('sales$customer'))).toHaveLength(1);
    });
  });
});
