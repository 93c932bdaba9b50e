import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { commitObjects, createObject, type Database, type IdGenerator } from '../../src/data/index.js';
import { setReference, setValue } from '../../src/objects/mx-object.js';
import { hashPassword } from '../../src/security/password.js';
import { memberNames } from '../../src/security/entity-access.js';
import type { OperationRegistry, RetrieveOperation } from '../../src/client-api/registry/types.js';
import { DIALECTS, freshDatabase, type TestDatabase } from '../support/databases.js';
import { authHeaders, login, salesCopy, startApp, xas, type LoggedIn, type TestRuntime } from './harness.js';
import { EXPECTED_ENTITIES, EXPECTED_MICROFLOWS, EXPECTED_PAGES, ROLE_CONDITIONED_CALLS } from './sales-matrix.js';

/**
 * The access matrix of examples/sales as a browser sees it: each role logs in
 * over HTTP and runs the runtime operations of every page (403 or 200 as the
 * page's roles say), reads the rows and only the attributes the hand-written
 * expectation allows, writes each member of an order (403 unless writable),
 * creates, deletes and calls each microflow — on each database.
 */
interface Part {
  objectType: string;
  guid: string;
  attributes: Record<string, unknown>;
}

const ROLES = [
  { role: 'Administrator', user: 'admin2', password: 'Admin2-pass' },
  { role: 'SalesManager', user: 'manager', password: 'Manager123' },
  // A customer is a Sales.Customer (its orders point at it), made in beforeAll.
  { role: 'Customer', user: 'carla', password: 'Carla1234' },
] as const;

/** A value of the right type for each member of Sales.Order the test writes. */
function valueFor(member: string, customerGuid: string): unknown {
  switch (member) {
    case 'OrderDate':
    case 'createdDate':
    case 'changedDate':
      return Date.UTC(2026, 0, 2);
    case 'Status':
      return 'Draft';
    case 'Total':
      return '12.5';
    case 'InternalNote':
      return 'written';
    case 'Number':
      return '77';
    case 'Sales.Order_Customer':
      return customerGuid;
    default:
      throw new Error(`no test value for Sales.Order member ${member}`);
  }
}

describe.each(DIALECTS)('access matrix over HTTP on %s', (dialect) => {
  let db: TestDatabase;
  let app: { dir: string; remove(): void };
  let t: TestRuntime;
  let registry: OperationRegistry;
  let carla: bigint;
  let carlasOrder: bigint;
  let othersOrder: bigint;
  const sessions = new Map<string, LoggedIn>();

  beforeAll(async () => {
    db = await freshDatabase(dialect);
    app = salesCopy();
    t = await startApp(app.dir, db.url);
    registry = t.rt.ctx.services.get('operations') as OperationRegistry;
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
    carla = await make(
      'Sales.Customer',
      { Name: 'carla', Password: await hashPassword('Carla1234', 4), CompanyName: 'Carla Ltd', FullName: 'Carla C' },
      { 'System.UserRoles': [customerRole] },
    );
    const dave = await make('Sales.Customer', { Name: 'dave', Password: await hashPassword('Dave12345', 4), CompanyName: 'Dave Ltd' });
    carlasOrder = await make('Sales.Order', { Total: new Decimal('10'), InternalNote: 'carla note', Status: 'Draft' }, { 'Sales.Order_Customer': carla });
    othersOrder = await make('Sales.Order', { Total: new Decimal('20'), InternalNote: 'dave note', Status: 'Draft' }, { 'Sales.Order_Customer': dave });
    await make('Catalog.Product', { Name: 'Widget', Price: new Decimal('3'), Stock: 5, Discontinued: false });
    for (const r of ROLES) {
      const l = await login(t.url, r.user, r.password);
      expect(l.status, `login ${r.user}`).toBe(200);
      sessions.set(r.role, l.session!);
    }
  });
  afterAll(async () => {
    await t?.stop();
    await db?.drop();
    app?.remove();
  });

  const op = (role: string, operationId: string, rest: Record<string, unknown> = {}) =>
    xas(t.url, { action: 'runtimeOperation', operationId, params: {}, changes: {}, objects: [], ...rest }, authHeaders(sessions.get(role)!));

  for (const { role } of ROLES) {
    describe(`user role ${role}`, () => {
      it('opens exactly the pages its roles allow, and reads only the rows and attributes the access rules allow', async () => {
        const lines: string[] = [];
        const expected: string[] = [];
        for (const [page, allowed] of Object.entries(EXPECTED_PAGES[role]!)) {
          for (const o of registry.forPage(page).filter((x): x is RetrieveOperation => x.type === 'retrieve')) {
            const params = o.byParameter ? { [o.byParameter]: { guid: carlasOrder.toString() } } : {};
            const r = await op(role, o.id, { params, options: { amount: 50 } });
            lines.push(`${page} ${o.site.widgetName} status=${r.status}`);
            expected.push(`${page} ${o.site.widgetName} status=${allowed ? 200 : 403}`);
            if (r.status !== 200) continue;
            const exp = EXPECTED_ENTITIES[role]![o.entity]!;
            const shown = [...o.attributes, ...o.paths.map((p) => p.association)];
            const wanted = [...new Set(shown.filter((m) => exp.read.includes(m)))].sort();
            for (const p of r.body.partialObjects as Part[]) {
              const readable = EXPECTED_ENTITIES[role]![p.objectType]!.read;
              if (p.objectType === o.entity) {
                lines.push(`${page} ${p.objectType} members=${Object.keys(p.attributes).sort().join(',')}`);
                expected.push(`${page} ${p.objectType} members=${wanted.join(',')}`);
              } else {
                // Objects shown over a reference: only members readable on their own entity.
                lines.push(
                  `${page} ${p.objectType} unreadable=${Object.keys(p.attributes)
                    .filter((m) => !readable.includes(m))
                    .join(',')}`,
                );
                expected.push(`${page} ${p.objectType} unreadable=`);
              }
            }
          }
        }
        expect(lines).toEqual(expected);
      });

      it('sees every order, or only its own when a row constraint applies', async () => {
        const grid = registry.forWidget('Sales.Order_Overview', 'ordersGrid')!;
        const r = await op(role, grid.id, { options: { amount: 50 } });
        expect(r.status).toBe(200);
        const own = EXPECTED_ENTITIES[role]!['Sales.Order']!.xpath !== undefined;
        expect((r.body.resultGuids as string[]).sort()).toEqual((own ? [carlasOrder] : [carlasOrder, othersOrder]).map(String).sort());
      });

      it('writes exactly the members of an order the access rules let it write', async () => {
        const save = registry.forButton('Sales.Order_Edit', 'orderView', 0)!;
        const exp = EXPECTED_ENTITIES[role]!['Sales.Order']!;
        const model = t.rt.ctx.model;
        const lines: string[] = [];
        const expected: string[] = [];
        for (const m of memberNames(model, model.entities.get('Sales.Order')!)) {
          const guid = carlasOrder.toString();
          const r = await op(role, save.id, { params: { Objects: { guids: [guid] } }, changes: { [guid]: { [m]: { value: valueFor(m, carla.toString()) } } } });
          lines.push(`${m} ${r.status}`);
          expected.push(`${m} ${exp.write.includes(m) ? 200 : 403}`);
        }
        expect(lines).toEqual(expected);
      });

      it('creates and deletes orders as the access rules say', async () => {
        const exp = EXPECTED_ENTITIES[role]!['Sales.Order']!;
        const create = registry.forButton('Sales.Order_Overview', 'ordersGrid', 0)!;
        const c = await op(role, create.id);
        expect(c.status).toBe(exp.create ? 200 : 403);
        const database = t.rt.ctx.services.get('db') as Database;
        const victim = await createObject(t.rt.ctx.model, 'Sales.Order', t.rt.ctx.services.get('ids') as IdGenerator);
        setReference(victim, 'Sales.Order_Customer', carla);
        await database.transaction((tx) => commitObjects(tx, t.rt.ctx.model, [victim]));
        const del = registry.forButton('Sales.Order_Overview', 'ordersGrid', 3)!;
        const d = await op(role, del.id, { params: { Objects: { guids: [victim.id.toString()] } } });
        expect(d.status).toBe(exp.delete ? 200 : 403);
        const left = await database.query<{ n: unknown }>(`SELECT COUNT(*) AS n FROM "sales$order" WHERE "id" = ${dialect === 'postgres' ? '$1' : '?'}`, [
          victim.id.toString(),
        ]);
        expect(Number(left[0]!.n)).toBe(exp.delete ? 0 : 1);
      });

      it('calls exactly the microflows its roles allow, through the operations the pages define', async () => {
        const lines: string[] = [];
        const expected: string[] = [];
        for (const [mf, allowed] of Object.entries(EXPECTED_MICROFLOWS[role]!)) {
          const ops = registry.operations.filter((o) => o.type === 'callMicroflow' && o.microflow === mf);
          for (const o of ops) {
            const r = await op(role, o.id, { params: { Order: { guid: carlasOrder.toString() } } });
            lines.push(`${mf} ${o.site.page} ${r.status}`);
            const narrowed = ROLE_CONDITIONED_CALLS[`${mf} ${o.site.page}`];
            expected.push(`${mf} ${o.site.page} ${allowed && (!narrowed || narrowed.includes(role)) ? 200 : 403}`);
          }
        }
        expect(lines).toEqual(expected);
        expect(lines.length).toBeGreaterThan(0);
      });
    });
  }
});
