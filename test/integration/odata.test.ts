import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitObjects, createObject, type Database, type IdGenerator } from '../../src/data/index.js';
import { setReference, setValue } from '../../src/objects/mx-object.js';
import { openContext } from '../../src/security/contexts.js';
import { hashPassword } from '../../src/security/password.js';
import { retrieve } from '../../src/query/index.js';
import { DIALECTS, freshDatabase, type TestDatabase } from '../support/databases.js';
import { authHeaders, login, salesCopy, startApp, type TestRuntime } from '../security/harness.js';

/**
 * The published OData service of examples/sales (odata/sales/v1) over real
 * HTTP on each database: every query option answers the same entities as the
 * same question asked through XPath; entity access (rows and members) for a
 * Customer and a Manager; errors in OData's JSON form.
 */
const BASE = '/odata/sales/v1';
const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
const ALICE = basic('alice', 'Secret123');
const BOB = basic('bob', 'Secret123');
const MANAGER = basic('manager', 'Manager123');
/** Exact ids and decimals as strings: ids pass 2^53. */
const EXACT = { accept: 'application/json;IEEE754Compatible=true' };

interface Entity {
  readonly ID: string;
  readonly [k: string]: unknown;
}
interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: { value?: Entity[]; error?: { code: string; message: string }; '@odata.count'?: number; '@odata.nextLink'?: string } & Record<string, unknown>;
}

describe.each(DIALECTS)('published OData service on %s', (dialect) => {
  let db: TestDatabase;
  let app: { dir: string; remove(): void };
  let t: TestRuntime;
  const customers: Record<string, bigint> = {};
  const products: Record<string, bigint> = {};
  const orders: { id: bigint; customer: string; status: string; total: string; date: Date }[] = [];

  const call = async (method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> => {
    const res = await fetch(`${t.url}${path}`, { method, headers: { ...EXACT, ...headers }, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let json: unknown = {};
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = {};
    }
    return { status: res.status, headers: res.headers, text, json: json as Answer['json'] };
  };
  const get = (path: string, headers: Record<string, string> = MANAGER) => call('GET', `${BASE}/${path}`, headers);
  const ids = (a: Answer) => (a.json.value ?? []).map((e) => e.ID);

  /** The same question through the query engine's XPath (as the system: the manager reads every order). */
  const viaXpath = async (xpath: string, sort: { attribute: string; descending?: boolean }[] = [], paging: { offset?: number; amount?: number } = {}) => {
    const database = t.rt.ctx.services.get('db') as Database;
    const r = await retrieve(database, t.rt.ctx.model, { xpath, sort }, openContext(t.rt.ctx.model), {}, paging);
    return r.objects.map((o) => o.id.toString());
  };

  beforeAll(async () => {
    db = await freshDatabase(dialect);
    app = salesCopy();
    // One more action, with a primitive result.
    writeFileSync(join(app.dir, 'modules/Sales/microflows/OData_Double.yaml'), 'parameters: { N: Integer }\nreturns: Integer\nbody:\n  - return: "$N * 2"\n');
    const svc = join(app.dir, 'modules/Sales/odata/SalesService.yaml');
    writeFileSync(svc, `${readFileSync(svc, 'utf8')}  Double: { microflow: OData_Double }\n`);
    t = await startApp(app.dir, db.url);
    const model = t.rt.ctx.model;
    const database = t.rt.ctx.services.get('db') as Database;
    const idGen = t.rt.ctx.services.get('ids') as IdGenerator;
    const roleRows = await database.query<{ id: unknown; name: string }>('SELECT "id", "name" FROM "system$userrole"', []);
    const customerRole = BigInt(String(roleRows.find((r) => r.name === 'Customer')!.id));
    const make = async (entity: string, values: Record<string, unknown>, refs: Record<string, bigint | bigint[]> = {}) => {
      const o = await createObject(model, entity, idGen);
      for (const [k, v] of Object.entries(values)) setValue(o, k, v as never);
      for (const [k, v] of Object.entries(refs)) setReference(o, k, v);
      await database.transaction((tx) => commitObjects(tx, model, [o]));
      return o;
    };
    const hash = await hashPassword('Secret123', 4);
    const statuses = ['Draft', 'Confirmed', 'Shipped', 'Cancelled'];
    let n = 0;
    for (const [name, segment] of [
      ['alice', 'Retail'],
      ['bob', 'Wholesale'],
      ['carol', 'Retail'],
    ] as const) {
      const c = await make(
        'Sales.Customer',
        { Name: name, Password: hash, CompanyName: `${name[0]!.toUpperCase()}${name.slice(1)} Ltd`, Segment: segment, CreditLimit: new Decimal('2500.50') },
        { 'System.UserRoles': [customerRole] },
      );
      customers[name] = c.id;
      for (let i = 0; i < 5; i++) {
        n++;
        const date = new Date(Date.UTC(2024, n % 12, 1 + n, 8 + (n % 10), n % 60, 0));
        const total = new Decimal(n * 37.25).toFixed(2);
        const status = statuses[n % 4]!;
        const o = await make(
          'Sales.Order',
          { Status: status, Total: new Decimal(total), OrderDate: date, InternalNote: n % 3 === 0 ? null : `note ${n} of ${name}` },
          { 'Sales.Order_Customer': c.id },
        );
        orders.push({ id: o.id, customer: name, status, total, date });
      }
    }
    for (const [name, price, stock] of [
      ['Widget', '9.99', 100],
      ['Gadget', '24.50', 0],
      ["O'Brien's gear", '5.00', 7],
    ] as const) {
      const p = await make('Catalog.Product', { Name: name, Price: new Decimal(price), Stock: stock, Discontinued: stock === 0 });
      products[name] = p.id;
    }
    // An order line keeps the Widget from being deleted (delete behaviour "prevent").
    await make('Sales.OrderLine', { Quantity: 2 }, { 'Sales.OrderLine_Order': orders[0]!.id, 'Sales.OrderLine_Product': products.Widget! });
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
    app?.remove();
    await db?.drop();
  });

  describe('service document and $metadata', () => {
    it('lists the entity sets', async () => {
      const r = await get('', MANAGER);
      expect(r.status).toBe(200);
      expect(r.headers.get('odata-version')).toBe('4.0');
      expect(r.json.value).toEqual([
        { name: 'Orders', kind: 'EntitySet', url: 'Orders' },
        { name: 'Customers', kind: 'EntitySet', url: 'Customers' },
        { name: 'Products', kind: 'EntitySet', url: 'Products' },
      ]);
    });

    it('describes the entity types, keys, navigation and enumerations in CSDL', async () => {
      expect((await call('GET', `${BASE}/$metadata`)).status).toBe(401);
      const r = await call('GET', `${BASE}/$metadata`, MANAGER);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^application\/xml/);
      expect(r.text).toContain('<EntityType Name="Order"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int64" Nullable="false"/>');
      expect(r.text).toContain('<Property Name="Total" Type="Edm.Decimal" Precision="28" Scale="8"/>');
      expect(r.text).toContain('<Property Name="Status" Type="Sales.OrderStatus"/>');
      expect(r.text).toContain('<NavigationProperty Name="Customer" Type="Sales.Customer"/>');
      expect(r.text).toContain('<NavigationProperty Name="Orders" Type="Collection(Sales.Order)"/>');
      expect(r.text).toContain('<EnumType Name="OrderStatus"><Member Name="Draft" Value="0"/>');
      expect(r.text).toContain('<EntitySet Name="Orders" EntityType="Sales.Order"><NavigationPropertyBinding Path="Customer" Target="Customers"/>');
      expect(r.text).toContain(
        '<Action Name="OrdersByStatus"><Parameter Name="Status" Type="Sales.OrderStatus"/><ReturnType Type="Collection(Sales.Order)"/></Action>',
      );
      expect(r.text).toContain('<ActionImport Name="OrdersByStatus" Action="Sales.OrdersByStatus" EntitySet="Orders"/>');
    });
  });

  describe('documentation pages', () => {
    it('lists the service in /api-doc/ and /odata-doc/, and documents it at /odata-doc/<location>/', async () => {
      for (const index of ['/api-doc/', '/odata-doc/']) {
        const r = await fetch(`${t.url}${index}`);
        const html = await r.text();
        expect(r.status).toBe(200);
        expect(html).toContain('<a href="/odata-doc/odata/sales/v1/">Sales.SalesService</a>');
        expect(html).toContain(`<a href="${BASE}/$metadata">$metadata</a>`);
      }
      expect(await fetch(`${t.url}/api-doc/`).then((r) => r.text())).toContain('/rest-doc/rest/orders/v1/');
      const page = await fetch(`${t.url}/odata-doc/odata/sales/v1/`);
      expect(page.headers.get('content-security-policy')).toBeTruthy();
      const html = await page.text();
      expect(html).toContain('<h2 id="Orders">Orders <small>(Order)</small></h2>');
      expect(html).toContain('<tr><td><code>Total</code></td><td>Edm.Decimal</td></tr>');
      expect(html).toContain('<tr><td><code>Orders</code></td><td>collection of <a href="#Orders">Orders</a></td></tr>');
    });
  });

  describe('query options answer what the same XPath answers', () => {
    const cases: [string, string, { attribute: string; descending?: boolean }[]][] = [
      ["$filter=Status eq 'Draft'", "//Sales.Order[Status = 'Draft']", []],
      ["$filter=Status eq Sales.OrderStatus'Shipped'", "//Sales.Order[Status = 'Shipped']", []],
      ["$filter=Status ne 'Draft'", "//Sales.Order[Status != 'Draft']", []],
      ['$filter=Total gt 200 and Total le 400.5', '//Sales.Order[Total > 200 and Total <= 400.5]', []],
      ["$filter=Status in ('Draft', 'Shipped') and Total gt 100", "//Sales.Order[(Status = 'Draft' or Status = 'Shipped') and Total > 100]", []],
      [`$filter=${Array.from({ length: 120 }, (_, i) => `Total eq ${i * 37.25}`).join(' or ')}`, '//Sales.Order', []],
      ['$filter=Total lt 100 or Total ge 500', '//Sales.Order[Total < 100 or Total >= 500]', []],
      ["$filter=not (Status eq 'Draft' or Status eq 'Shipped')", "//Sales.Order[not(Status = 'Draft' or Status = 'Shipped')]", []],
      ['$filter=InternalNote eq null', '//Sales.Order[InternalNote = empty]', []],
      ['$filter=InternalNote ne null', '//Sales.Order[InternalNote != empty]', []],
      ["$filter=contains(InternalNote, 'OF ALICE')", "//Sales.Order[contains(InternalNote, 'of alice')]", []],
      ["$filter=startswith(InternalNote, 'note 1')", "//Sales.Order[starts-with(InternalNote, 'note 1')]", []],
      ["$filter=endswith(tolower(InternalNote), 'bob')", "//Sales.Order[ends-with(InternalNote, 'bob')]", []],
      ["$filter=tolower(InternalNote) eq 'note 4 of alice'", "//Sales.Order[InternalNote = 'note 4 of alice']", []],
      ["$filter=toupper(InternalNote) ne 'NOTE 4 OF ALICE'", "//Sales.Order[InternalNote != 'note 4 of alice']", []],
      ['$filter=length(InternalNote) gt 15', '//Sales.Order[length(InternalNote) > 15]', []],
      [
        '$filter=year(OrderDate) eq 2024 and month(OrderDate) le 6',
        "//Sales.Order[year-from-dateTime(OrderDate, 'UTC') = 2024 and month-from-dateTime(OrderDate, 'UTC') <= 6]",
        [],
      ],
      [
        '$filter=day(OrderDate) ge 5 and hour(OrderDate) lt 12',
        "//Sales.Order[day-from-dateTime(OrderDate, 'UTC') >= 5 and hours-from-dateTime(OrderDate, 'UTC') < 12]",
        [],
      ],
      [
        '$filter=minute(OrderDate) gt 3 or second(OrderDate) gt 0',
        "//Sales.Order[minutes-from-dateTime(OrderDate, 'UTC') > 3 or seconds-from-dateTime(OrderDate, 'UTC') > 0]",
        [],
      ],
      ['$filter=OrderDate ge 2024-06-01T00:00:00Z', "//Sales.Order[OrderDate >= '2024-06-01']", []],
      ["$filter=Customer/Name eq 'bob'", "//Sales.Order[Sales.Order_Customer/Sales.Customer/Name = 'bob']", []],
      ["$filter=Customer/Segment eq 'Retail' and Total gt 300", "//Sales.Order[Sales.Order_Customer/Sales.Customer/Segment = 'Retail'][Total > 300]", []],
      ['$filter=Customer ne null and Customer/ID ne 1', '//Sales.Order[Sales.Order_Customer != empty]', []],
      ['$orderby=Total desc', '//Sales.Order', [{ attribute: 'Total', descending: true }]],
      ['$orderby=Status,OrderDate desc', '//Sales.Order', [{ attribute: 'Status' }, { attribute: 'OrderDate', descending: true }]],
      [
        '$orderby=Customer/Name desc,Total',
        '//Sales.Order',
        [{ attribute: 'Sales.Order_Customer/Sales.Customer/Name', descending: true }, { attribute: 'Total' }],
      ],
    ];
    it.each(cases)('%s', async (query, xpath, sort) => {
      const r = await get(`Orders?${encodeURI(query)}`);
      expect(r.status, r.text).toBe(200);
      const expected = await viaXpath(xpath, sort);
      expect(expected.length).toBeGreaterThan(0);
      if (sort.length) expect(ids(r)).toEqual(expected);
      else expect([...ids(r)].sort()).toEqual([...expected].sort());
    });

    it('filters over a collection navigation with any() and all()', async () => {
      const any = await get(`Customers?${encodeURI("$filter=Orders/any(o: o/Status eq 'Cancelled' and o/Total gt 300)")}`);
      expect(any.status, any.text).toBe(200);
      expect([...ids(any)].sort()).toEqual(
        await viaXpath("//Sales.Customer[Sales.Order_Customer/Sales.Order[Status = 'Cancelled' and Total > 300]]").then((x) => x.sort()),
      );
      const all = await get(`Customers?${encodeURI('$filter=Orders/all(o: o/Total lt 400)')}`);
      expect([...ids(all)].sort()).toEqual(await viaXpath('//Sales.Customer[not(Sales.Order_Customer/Sales.Order[not(Total < 400)])]').then((x) => x.sort()));
      const under = Object.keys(customers).filter((c) => orders.every((o) => o.customer !== c || Number(o.total) < 400));
      expect([...ids(all)].sort()).toEqual(under.map((c) => customers[c]!.toString()).sort());
      expect(under.length).toBeGreaterThan(0);
      const some = await get('Customers?$filter=Orders/any()');
      expect(ids(some).length).toBe(3);
    });

    it('pages with $top and $skip, counts with $count=true and /$count', async () => {
      const sort = [{ attribute: 'Total', descending: true }];
      const r = await get(`Orders?${encodeURI("$filter=Status ne 'Cancelled'&$orderby=Total desc&$top=4&$skip=2&$count=true")}`);
      expect(r.status, r.text).toBe(200);
      expect(ids(r)).toEqual(await viaXpath("//Sales.Order[Status != 'Cancelled']", sort, { offset: 2, amount: 4 }));
      expect(r.json['@odata.count']).toBe((await viaXpath("//Sales.Order[Status != 'Cancelled']")).length);
      const c = await get(`Orders/$count?${encodeURI("$filter=Status eq 'Draft'")}`);
      expect(c.status).toBe(200);
      expect(c.text).toBe(String((await viaXpath("//Sales.Order[Status = 'Draft']")).length));
    });

    it('pages on the server with @odata.nextLink until the end', async () => {
      const seen: string[] = [];
      let next: string | undefined = `${t.url}${BASE}/Orders?$orderby=Total&$top=11`;
      let pages = 0;
      while (next) {
        const res = await fetch(next, { headers: { ...MANAGER, ...EXACT, prefer: 'odata.maxpagesize=4' } });
        const body = (await res.json()) as { value: Entity[]; '@odata.nextLink'?: string };
        seen.push(...body.value.map((e) => e.ID));
        next = body['@odata.nextLink'];
        pages++;
      }
      expect(pages).toBe(3);
      expect(seen).toEqual(await viaXpath('//Sales.Order', [{ attribute: 'Total' }], { amount: 11 }));
    });

    it('selects properties and expands navigations with nested options', async () => {
      const r = await get(
        `Customers?${encodeURI('$select=Name&$orderby=Name&$expand=Orders($select=Total;$filter=Total gt 300;$orderby=Total desc;$top=2;$count=true;$expand=Customer($select=Name))')}`,
      );
      expect(r.status, r.text).toBe(200);
      const bob = r.json.value!.find((c) => c.Name === 'bob')!;
      expect(Object.keys(bob)).toEqual(['ID', 'Name', 'Orders@odata.count', 'Orders']);
      const bobs = orders.filter((o) => o.customer === 'bob' && Number(o.total) > 300).sort((a, b) => Number(b.total) - Number(a.total));
      expect(bob['Orders@odata.count']).toBe(bobs.length);
      expect(bob.Orders).toEqual(
        bobs.slice(0, 2).map((o) => ({ ID: o.id.toString(), Total: new Decimal(o.total).toFixed(), Customer: { ID: customers.bob!.toString(), Name: 'bob' } })),
      );
      const star = await get(`Orders(${orders[0]!.id})?$select=Status&$expand=*`);
      expect(star.json).toMatchObject({ Status: orders[0]!.status, Customer: { Name: 'alice' } });
      const one = await get(`Orders(${orders[0]!.id})?$select=Status&$expand=Customer($select=CompanyName)`);
      expect(one.json).toMatchObject({ ID: orders[0]!.id.toString(), Status: orders[0]!.status, Customer: { CompanyName: 'Alice Ltd' } });
    });

    it('follows navigation properties in the URL, secured like the entities', async () => {
      const aliceOrder = orders.find((o) => o.customer === 'alice')!;
      const c = await get(`Orders(${aliceOrder.id})/Customer?$select=Name`, ALICE);
      expect(c.status, c.text).toBe(200);
      expect(c.json).toMatchObject({ ID: customers.alice!.toString(), Name: 'alice' });
      expect((await get(`Orders(${aliceOrder.id})/Customer`, BOB)).status).toBe(404);
      const list = await get(`Customers(${customers.bob})/Orders?${encodeURI("$filter=Status ne 'Draft'&$orderby=Total desc&$count=true")}`);
      expect(list.status, list.text).toBe(200);
      expect(ids(list)).toEqual(
        await viaXpath(`//Sales.Order[Sales.Order_Customer/Sales.Customer/Name = 'bob'][Status != 'Draft']`, [{ attribute: 'Total', descending: true }]),
      );
      expect(list.json['@odata.count']).toBe(ids(list).length);
      expect((await get(`Customers(${customers.carol})/Orders/$count`)).text).toBe('5');
      expect((await get(`Customers(${customers.carol})/Orders`, ALICE)).status).toBe(404);
      const paged = await fetch(`${t.url}${BASE}/Customers(${customers.bob})/Orders?$orderby=Total`, {
        headers: { ...MANAGER, prefer: 'odata.maxpagesize=2' },
      });
      const body = (await paged.json()) as { '@odata.nextLink': string };
      expect(body['@odata.nextLink']).toBe(`${t.url}${BASE}/Customers(${customers.bob})/Orders?$orderby=Total&$skip=2`);
      expect((await get(`Orders(${aliceOrder.id})/Nope`)).status).toBe(404);
      expect((await get(`Orders(${aliceOrder.id})/Customer/$count`)).status).toBe(404);
    });

    it('takes long queries as POST .../$query with a text/plain body', async () => {
      const r = await call('POST', `${BASE}/Orders/$query`, { ...MANAGER, 'content-type': 'text/plain' }, "$filter=Status eq 'Draft'&$count=true");
      expect(r.status, r.text).toBe(200);
      expect([...ids(r)].sort()).toEqual((await viaXpath("//Sales.Order[Status = 'Draft']")).sort());
      expect(r.json['@odata.count']).toBe(ids(r).length);
    });

    it('writes Int64 and Decimal as JSON numbers unless IEEE754Compatible is asked for', async () => {
      const r = await fetch(`${t.url}${BASE}/Orders(${orders[1]!.id})?$select=Total`, { headers: MANAGER });
      const text = await r.text();
      expect(text).toContain(`"ID":${orders[1]!.id}`);
      expect(text).toContain(`"Total":${new Decimal(orders[1]!.total).toFixed()}`);
    });
  });

  describe('entity access', () => {
    it('lets a Customer see only its own orders and itself', async () => {
      const r = await get('Orders?$count=true', ALICE);
      expect(r.status).toBe(200);
      expect([...ids(r)].sort()).toEqual(
        orders
          .filter((o) => o.customer === 'alice')
          .map((o) => o.id.toString())
          .sort(),
      );
      expect(r.json['@odata.count']).toBe(5);
      expect(ids(await get('Customers', BOB))).toEqual([customers.bob!.toString()]);
      const other = await get(`Orders(${orders.find((o) => o.customer === 'bob')!.id})`, ALICE);
      expect(other.status).toBe(404);
      expect(other.json.error?.code).toBe('404');
      const filtered = await get(`Orders?${encodeURI("$filter=Customer/Name eq 'bob'")}`, ALICE);
      expect(filtered.json.value).toEqual([]);
    });

    it('shows a Customer only the members it may read', async () => {
      const r = await get('Orders?$top=1', ALICE);
      expect(Object.keys(r.json.value![0]!).sort()).toEqual(['ID', 'Number', 'OrderDate', 'Status', 'Total', 'createdDate'].sort());
      const m = await get('Orders?$top=1', MANAGER);
      expect(Object.keys(m.json.value![0]!)).toContain('InternalNote');
      const c = await get('Customers', ALICE);
      expect(c.json.value![0]).not.toHaveProperty('CreditLimit');
    });

    it('refuses to select, filter or order on a member the caller may not read (403)', async () => {
      for (const q of ['$select=InternalNote', "$filter=InternalNote eq 'x'", '$orderby=InternalNote', "$filter=contains(InternalNote,'a')"]) {
        const r = await get(`Orders?${encodeURI(q)}`, ALICE);
        expect(r.status, q).toBe(403);
        expect(r.json.error?.message).toMatch(/InternalNote/);
      }
      const nav = await get(`Customers?${encodeURI('$filter=CreditLimit gt 0')}`, ALICE);
      expect(nav.status).toBe(403);
      // The manager may.
      expect((await get(`Orders?${encodeURI("$filter=InternalNote eq 'x'")}`)).status).toBe(200);
    });

    it('answers CORS for the listed origin only', async () => {
      const pre = await call('OPTIONS', `${BASE}/Orders`, { origin: 'https://bi.example', 'access-control-request-method': 'GET' });
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe('https://bi.example');
      expect(pre.headers.get('access-control-max-age')).toBe('600');
      const ok = await call('GET', `${BASE}/Orders?$top=1`, { ...ALICE, origin: 'https://bi.example' });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('access-control-allow-origin')).toBe('https://bi.example');
      const evil = await call('GET', `${BASE}/Orders`, { ...ALICE, origin: 'https://evil.example' });
      expect(evil.status).toBe(403);
      expect(evil.headers.get('access-control-allow-origin')).toBeNull();
      expect(evil.json.error?.code).toBe('403');
    });

    it('accepts the active session only with its X-Csrf-Token', async () => {
      const s = (await login(t.url, 'alice', 'Secret123')).session!;
      expect((await get('Orders', { cookie: s.cookie })).status).toBe(401);
      expect((await get('Orders', { cookie: s.cookie, 'x-csrf-token': 'forged' })).status).toBe(401);
      const r = await get('Orders', authHeaders(s));
      expect(r.status).toBe(200);
      expect(ids(r).length).toBe(orders.filter((o) => o.customer === 'alice').length);
    });

    it('asks for credentials (401) and refuses users without a role (403)', async () => {
      const r = await call('GET', `${BASE}/Orders`);
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Basic/);
      expect(r.json.error).toEqual({ code: '401', message: 'authentication required' });
    });
  });

  describe('writes', () => {
    const json = (headers: Record<string, string>) => ({ ...headers, 'content-type': 'application/json' });

    it('creates an entity (201, Location) through validation and event handlers, with references by @odata.bind', async () => {
      const body = { OrderDate: '2024-03-01T10:00:00Z', 'Customer@odata.bind': `Customers(${customers.alice})` };
      const r = await call('POST', `${BASE}/Orders`, json(ALICE), JSON.stringify(body));
      expect(r.status, r.text).toBe(201);
      const id = r.json.ID as string;
      expect(r.headers.get('location')).toBe(`${t.url}${BASE}/Orders(${id})`);
      expect(r.json).toMatchObject({ Status: null, OrderDate: '2024-03-01T10:00:00.000Z' });
      // Alice sees it as hers; the reference was set.
      const back = await get(`Orders(${id})?$expand=Customer($select=Name)`, ALICE);
      expect(back.json).toMatchObject({ ID: id, Customer: { Name: 'alice' } });
    });

    it('answers validation errors and refusing event handlers with 422 and the message per member', async () => {
      const r = await call('POST', `${BASE}/Products`, json(MANAGER), JSON.stringify({ Name: 'Cheap', Price: -5 }));
      expect(r.status, r.text).toBe(422);
      expect(r.json.error).toMatchObject({
        code: '422',
        message: 'The price cannot be negative',
        details: [{ target: 'Price', message: 'The price cannot be negative' }],
      });
      // Order_BeforeCommit returns false for a negative total.
      const o = await call('POST', `${BASE}/Orders`, json(MANAGER), JSON.stringify({ Total: -5, OrderDate: '2024-03-01T10:00:00Z' }));
      expect(o.status, o.text).toBe(422);
      expect(o.json.error?.code).toBe('422');
      const count = await get('Orders/$count');
      expect(count.text).toBe(String(orders.length + 1));
      const p = await call('POST', `${BASE}/Products`, json(MANAGER), JSON.stringify({ Name: 'Widget', Price: '1.00' }));
      expect(p.status).toBe(422);
      expect(p.json.error?.message).toBe('Another product already has this name');
    });

    it('refuses what the caller may not write, bind or see (403/400), and bad bodies (400/415)', async () => {
      const note = await call('POST', `${BASE}/Orders`, json(ALICE), JSON.stringify({ InternalNote: 'mine' }));
      expect(note.status).toBe(403);
      const foreign = await call('POST', `${BASE}/Orders`, json(ALICE), JSON.stringify({ 'Customer@odata.bind': `Customers(${customers.bob})` }));
      expect(foreign.status).toBe(400);
      expect(foreign.json.error?.message).toMatch(/refers to no Customer you can see/);
      expect((await call('POST', `${BASE}/Orders`, json(MANAGER), JSON.stringify({ Number: 5 }))).status).toBe(400);
      expect((await call('POST', `${BASE}/Orders`, json(MANAGER), JSON.stringify({ ID: '5' }))).status).toBe(400);
      expect((await call('POST', `${BASE}/Orders`, json(MANAGER), '{"Total":')).status).toBe(400);
      expect((await call('POST', `${BASE}/Orders`, { ...MANAGER, 'content-type': 'text/plain' }, '{}')).status).toBe(415);
      expect((await call('POST', `${BASE}/Customers`, json(MANAGER), '{}')).status).toBe(405);
    });

    it('updates with PATCH (204) per member right on the object, and deletes per delete right', async () => {
      const mine = orders.find((o) => o.customer === 'alice')!;
      const ok = await call('PATCH', `${BASE}/Orders(${mine.id})`, json(ALICE), JSON.stringify({ OrderDate: '2023-01-02T03:04:05Z' }));
      expect(ok.status, ok.text).toBe(204);
      expect((await get(`Orders(${mine.id})?$select=OrderDate`, ALICE)).json.OrderDate).toBe('2023-01-02T03:04:05.000Z');
      const rep = await call(
        'PATCH',
        `${BASE}/Orders(${mine.id})`,
        { ...json(ALICE), prefer: 'return=representation' },
        JSON.stringify({ OrderDate: '2023-01-03T00:00:00Z' }),
      );
      expect(rep.status).toBe(200);
      expect(rep.json).toMatchObject({ ID: mine.id.toString(), OrderDate: '2023-01-03T00:00:00.000Z' });
      expect(rep.json).not.toHaveProperty('InternalNote');
      expect((await call('PATCH', `${BASE}/Orders(${mine.id})`, json(ALICE), JSON.stringify({ Status: 'Shipped' }))).status).toBe(403);
      const bobs = orders.find((o) => o.customer === 'bob')!;
      expect((await call('PATCH', `${BASE}/Orders(${bobs.id})`, json(ALICE), JSON.stringify({ OrderDate: '2023-01-02T03:04:05Z' }))).status).toBe(404);
      expect((await call('DELETE', `${BASE}/Orders(${mine.id})`, ALICE)).status).toBe(403);
      const neg = await call('PATCH', `${BASE}/Orders(${bobs.id})`, json(MANAGER), JSON.stringify({ Total: '-1' }));
      expect(neg.status).toBe(422);
      const last = orders[orders.length - 1]!;
      expect((await call('DELETE', `${BASE}/Orders(${last.id})`, MANAGER)).status).toBe(204);
      expect((await get(`Orders(${last.id})`)).status).toBe(404);
      orders.pop();
    });

    it("applies delete behaviour: a prevented delete is a 409 with the model's message", async () => {
      const r = await call('DELETE', `${BASE}/Products(${products.Widget})`, MANAGER);
      expect(r.status, r.text).toBe(409);
      expect(r.json.error).toEqual({ code: '409', message: 'This product is used in order lines' });
      expect((await call('DELETE', `${BASE}/Products(${products.Gadget})`, MANAGER)).status).toBe(204);
      expect((await call('DELETE', `${BASE}/Products(${products.Widget})`, ALICE)).status).toBe(403);
    });
  });

  describe('actions', () => {
    const json = (headers: Record<string, string>) => ({ ...headers, 'content-type': 'application/json' });
    it('runs a microflow as an action; the answer holds only what the caller may read', async () => {
      const r = await call('POST', `${BASE}/OrdersByStatus`, json(ALICE), JSON.stringify({ Status: 'Draft' }));
      expect(r.status, r.text).toBe(200);
      const mine = orders.filter((o) => o.customer === 'alice' && o.status === 'Draft').map((o) => o.id.toString());
      expect((r.json.value ?? []).map((e) => e.ID).sort()).toEqual(mine.sort());
      for (const e of r.json.value ?? []) expect(e).not.toHaveProperty('InternalNote');
      const m = await call('POST', `${BASE}/OrdersByStatus`, json(MANAGER), JSON.stringify({ Status: 'Draft' }));
      expect((m.json.value ?? []).length).toBe(orders.filter((o) => o.status === 'Draft').length);
      const d = await call('POST', `${BASE}/Double`, json(ALICE), JSON.stringify({ N: 21 }));
      expect(d.json).toMatchObject({ value: 42 });
    });

    it('refuses bad parameters (400), other methods (405) and anonymous callers (401)', async () => {
      expect((await call('POST', `${BASE}/OrdersByStatus`, json(ALICE), JSON.stringify({ Status: 'Nope' }))).status).toBe(400);
      expect((await call('POST', `${BASE}/OrdersByStatus`, json(ALICE), JSON.stringify({ Colour: 'red' }))).status).toBe(400);
      expect((await call('POST', `${BASE}/Double`, json(ALICE), JSON.stringify({ N: 'many' }))).status).toBe(400);
      expect((await call('GET', `${BASE}/Double`, ALICE)).status).toBe(405);
      expect((await call('POST', `${BASE}/Double`, {}, '{}')).status).toBe(401);
      // Not JSON (what a form on another site sends, with the browser's cached Basic credentials): refused.
      expect((await call('POST', `${BASE}/Double`, { ...ALICE, 'content-type': 'application/x-www-form-urlencoded' }, '')).status).toBe(415);
    });
  });

  describe('errors', () => {
    it('answers malformed and unknown options with 400 and an OData error body', async () => {
      for (const q of [
        "$filter=Status eq 'Draft",
        '$filter=Totl gt 1',
        '$filter=Total gt',
        '$orderby=Nope',
        '$top=-1',
        '$foo=1',
        "$filter=Status eq 'Nope'",
        '$filter=Total add 1 gt 2',
      ]) {
        const r = await get(`Orders?${encodeURI(q)}`);
        expect(r.status, q).toBe(400);
        expect(r.json.error?.code).toBe('400');
        expect(typeof r.json.error?.message).toBe('string');
      }
      // The message names the option at fault.
      expect((await get(`Orders?${encodeURI('$orderby=Total desc,Nope')}`)).json.error?.message).toBe("$orderby: Order has no property 'Nope'");
      expect((await get(`Orders?${encodeURI('$filter=Totl gt 1')}`)).json.error?.message).toMatch(/^\$filter: .*Totl.* \(at position 1\)$/);
      expect((await get(`Orders?${encodeURI("$filter=concat(Status,'x') eq 'y'")}`)).status).toBe(501);
      // Attacker-sized input: a 400 naming the problem, never a 500 or a hang.
      const deep = `${'('.repeat(200)}Total gt 1${')'.repeat(200)}`;
      expect((await get(`Orders?$filter=${encodeURIComponent(deep)}`)).json.error?.message).toMatch(/nested deeper/);
      expect((await get(`Orders?$filter=${encodeURIComponent(`Total gt 1${' or Total gt 1'.repeat(700)}`)}`)).status).toBe(400);
      const expand = `Customer(${'$expand=Orders($expand=Customer('.repeat(30)}${'))'.repeat(30)})`;
      expect((await get(`Orders?$expand=${encodeURIComponent(expand)}`)).status).toBe(400);
      for (const path of ['Orders(abc)', 'Orders(99999999999999999999)', 'Orders(1)/Customer', 'Orders/$foo']) expect((await get(path)).status, path).toBe(404);
      expect((await get(`Orders?${encodeURI('$filter=Total eq 1e400')}`)).status).toBe(400);
      expect((await get(`Orders?${encodeURI('$filter=OrderDate lt 2024-13-45')}`)).status).toBe(400);
      expect((await get('Nothing')).status).toBe(404);
      const d = await call('DELETE', `${BASE}/Customers(1)`, MANAGER);
      expect(d.status).toBe(405);
    });
  });
});
