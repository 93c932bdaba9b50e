import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregate, compileQuery, retrieve, type QueryRequest } from '../../src/query/index.js';
import type { CompiledModel } from '../../src/model/compiled/types.js';
import { createMxObject } from '../../src/objects/mx-object.js';
import { SYSTEM_CONTEXT, type UserContext } from '../../src/security/user-context.js';
import { DIALECTS } from '../support/databases.js';
import { salesFixture, type SalesFixture } from './fixture.js';
import { SQL_CASES } from './sql-cases.js';
import { exampleModel, salesUser } from './support.js';
import { DIALECT } from '../support/dialects.js';

const NOW = new Date('2024-04-01T12:00:00Z');

interface Case {
  readonly xpath: string;
  /** Keys of the fixture objects expected, in order when `ordered`. */
  readonly expect: readonly string[];
  readonly ordered?: boolean;
  readonly zone?: string;
  readonly vars?: (ids: Record<string, bigint>, model: CompiledModel) => Record<string, unknown>;
  readonly sort?: QueryRequest['sort'];
}

const CASES: readonly Case[] = [
  { xpath: '//Sales.Order', expect: ['o1', 'o2', 'o3', 'r4', 'o5'] },
  { xpath: "//Sales.Order[Status = 'Draft']", expect: ['o1', 'r4'] },
  { xpath: "//Sales.Order[Status != 'Draft']", expect: ['o2', 'o3', 'o5'] },
  { xpath: '//Sales.Order[Total > 100]', expect: ['o2', 'r4'] },
  { xpath: '//Sales.Order[Total > 50 * 2 - 0.5 + 1 div 2]', expect: ['o2', 'r4'] },
  { xpath: '//Sales.Order[Total >= 99.99 and Total <= 100]', expect: ['o1', 'o3'] },
  { xpath: "//Sales.Order[(Status = 'Draft' or Status = 'Shipped') and Total < 500]", expect: ['o1', 'o3'] },
  { xpath: '//Sales.Order[Sales.Order_Customer = empty]', expect: ['o5'] },
  { xpath: '//Sales.Order[Sales.Order_Customer]', expect: ['o1', 'o2', 'o3', 'r4'] },
  { xpath: "//Sales.Order[Sales.Order_Customer/Sales.Customer/Segment = 'Retail']", expect: ['o1', 'o2', 'r4'] },
  { xpath: "//Sales.Order[not(Sales.Order_Customer/Sales.Customer/Segment = 'Retail')]", expect: ['o3', 'o5'] },
  { xpath: '//Sales.Customer[Sales.Order_Customer/Sales.Order/Total > 500]', expect: ['carol'] },
  { xpath: '//Sales.Customer[Sales.Order_Customer/Sales.RushOrder]', expect: ['carol'] },
  { xpath: "//Sales.Customer[contains(CompanyName, 'works 100%')]", expect: ['bob'] },
  { xpath: "//Sales.Customer[contains(CompanyName, '%')]", expect: ['bob'] },
  { xpath: "//Sales.Customer[contains(CompanyName, '_')]", expect: ['bob'] },
  { xpath: "//Sales.Customer[contains(CompanyName, '')]", expect: ['alice', 'bob', 'carol'] },
  { xpath: "//Sales.Customer[starts-with(FullName, 'CAROL ö')]", expect: ['carol'] },
  { xpath: "//Sales.Customer[ends-with(CompanyName, 'SONS')]", expect: ['carol'] },
  { xpath: "//Sales.Customer[not(contains(FullName, 'ä'))]", expect: ['bob', 'carol'] },
  { xpath: `//Sales.Customer[CompanyName = "O'Reilly \\ Sons"]`, expect: ['carol'] },
  { xpath: "//Sales.Customer[CompanyName = 'O''Reilly \\ Sons']", expect: ['carol'] },
  { xpath: "//Sales.Customer[CompanyName = 'acme corp']", expect: [] },
  { xpath: '//Sales.Customer[Name = FullName]', expect: [] },
  { xpath: '//Sales.Customer[Name != FullName]', expect: ['alice', 'bob', 'carol'] },
  { xpath: '//Sales.Order[Sales.Order_Customer/Sales.Customer/ID = $c]', expect: ['o3'], vars: (ids) => ({ c: ids.bob }) },
  { xpath: "//Sales.Customer[CompanyName = 'Acme Corp']", expect: ['alice'] },
  { xpath: "//Sales.Customer[CompanyName != 'Acme Corp']", expect: ['bob', 'carol'] },
  { xpath: '//Sales.Customer[Active = false()]', expect: ['carol'] },
  { xpath: "//Sales.Customer[Name = 'alice' or Segment = 'Wholesale']", expect: ['alice', 'bob'] },
  { xpath: '//Catalog.Product[Description = empty]', expect: ['gadget'] },
  { xpath: '//Catalog.Product[Description != NULL]', expect: ['widget', 'gizmo'] },
  { xpath: "//Catalog.Product[Catalog.Product_Category/Catalog.Category/Name = 'Toys']", expect: ['widget', 'gadget'] },
  { xpath: '//Catalog.Category[Catalog.Product_Category/Catalog.Product/Discontinued = false()]', expect: ['tools', 'toys'] },
  { xpath: '//Catalog.Category[Catalog.Product_Category/Catalog.Product[Stock = 0]]', expect: ['toys'] },
  { xpath: '//Catalog.Product[not(Catalog.Product_Category)]', expect: ['gizmo'] },
  { xpath: '//Catalog.Product[Discontinued]', expect: ['gizmo'] },
  { xpath: '//Catalog.Product[string-length(Name) = 6]', expect: ['widget', 'gadget'] },
  { xpath: '//Catalog.Product[length(Name) > 6]', expect: ['gizmo'] },
  { xpath: '//Sales.Order[year-from-dateTime(OrderDate) = 2024]', expect: ['o1', 'o2', 'o3', 'r4'] },
  { xpath: '//Sales.Order[year-from-dateTime(OrderDate) = 2024]', zone: 'Europe/Amsterdam', expect: ['o1', 'o2', 'o3'] },
  { xpath: "//Sales.Order[month-from-dateTime(OrderDate, 'Europe/Amsterdam') = 4]", expect: ['o2'] },
  { xpath: '//Sales.Order[month-from-dateTime(OrderDate) = 3]', expect: ['o2'] },
  { xpath: '//Sales.Order[day-from-dateTime(OrderDate) = 15 and hours-from-dateTime(OrderDate) = 10]', expect: ['o1'] },
  { xpath: '//Sales.Order[weekday-from-dateTime(OrderDate) = 2]', expect: ['o1'] },
  { xpath: '//Sales.Order[quarter-from-dateTime(OrderDate) = 2]', expect: ['o3'] },
  { xpath: '//Sales.Order[day-of-year-from-dateTime(OrderDate) = 366]', expect: ['r4'] },
  { xpath: '//Sales.Order[week-from-dateTime(OrderDate) = 3]', expect: ['o1'] },
  { xpath: "//Sales.Order[OrderDate >= '[%BeginOfCurrentYear%]']", expect: ['o1', 'o2', 'o3', 'r4'] },
  { xpath: "//Sales.Order[OrderDate > '[%BeginOfCurrentDay%] - 3 * [%DayLength%]']", expect: ['o2', 'o3', 'r4'] },
  { xpath: "//Sales.Order[OrderDate < '[%CurrentDateTime%]'][OrderDate >= '[%BeginOfCurrentMonth%] - 1 * [%MonthLength%]']", expect: ['o2'] },
  { xpath: "//Sales.RushOrder[DeliverBy > '2025-01-01']", expect: ['r4'] },
  { xpath: "//Sales.OrderLine[Sales.OrderLine_Order/Sales.Order[Status = 'Draft']/Sales.Order_Customer/Sales.Customer/Name = 'alice']", expect: ['l1', 'l2'] },
  { xpath: '//Sales.Order[Sales.OrderLine_Order/Sales.OrderLine/Sales.OrderLine_Product/Catalog.Product/Price > 50]', expect: ['r4'] },
  { xpath: '//Sales.Order[System.owner = $user]', expect: ['o1', 'o2'], vars: (ids) => ({ user: ids.alice }) },
  { xpath: "//Sales.Order[System.owner/System.User/Name = 'bob']", expect: ['o3'] },
  { xpath: '//Sales.Order[Sales.Order_Customer = $cust]', expect: ['o3'], vars: (ids) => ({ cust: createMxObject('Sales.Customer', ids.bob!, 'persisted') }) },
  {
    xpath: '//Sales.Order[Total > $o/Total]',
    expect: ['o2', 'r4'],
    vars: (ids) => {
      const o = createMxObject('Sales.Order', ids.o1!, 'persisted');
      o.values.set('Total', new Decimal('100'));
      return { o };
    },
  },
  { xpath: '//Sales.Order[id = $id]', expect: ['o3'], vars: (ids) => ({ id: ids.o3 }) },
  // An empty variable compares like empty (Mendix).
  { xpath: '//Sales.Order[Sales.Order_Customer = $cust]', expect: ['o5'], vars: () => ({ cust: null }) },
  { xpath: '//Sales.Order[Sales.Order_Customer != $cust]', expect: ['o1', 'o2', 'o3', 'r4'], vars: () => ({ cust: null }) },
  { xpath: '//Catalog.Product[Description = $d]', expect: ['gadget'], vars: () => ({ d: null }) },
  {
    xpath: '//Catalog.Product[Description != $o/Description]',
    expect: ['widget', 'gizmo'],
    vars: () => {
      const o = createMxObject('Catalog.Product', 1n, 'persisted');
      o.values.set('Description', null);
      return { o };
    },
  },
  { xpath: '//Sales.Order[Total > $t]', expect: [], vars: () => ({ t: null }) },
  { xpath: '//Catalog.Product[Description = $d]', expect: ['widget'], vars: () => ({ d: 'A small widget' }) },
  { xpath: "//System.User[System.UserRoles = '[%UserRole_Customer%]']", expect: ['alice', 'bob'] },
  { xpath: "//Administration.Account[FullName = 'Mona Manager']", expect: ['manager'] },
  { xpath: '//Administration.Account', expect: ['manager', 'alice', 'bob', 'carol'] },
  { xpath: "//Sales.Order[id = '[%CurrentObject%]']", expect: ['o2'], vars: (ids) => ({ CurrentObject: createMxObject('Sales.Order', ids.o2!, 'persisted') }) },
  { xpath: "//Sales.Order[OrderDate <= '[%EndOfYesterdayUTC%]'][OrderDate >= '[%BeginOfCurrentYearUTC%]']", expect: ['o1', 'o2'] },
  { xpath: "//Sales.Order[OrderDate < '[%BeginOfCurrentDay%]']", zone: 'Europe/Amsterdam', expect: ['o1', 'o5'] },
  { xpath: "//Sales.Customer[Segment = 'Retail']/Sales.Order_Customer/Sales.Order", expect: ['o1', 'o2', 'r4'] },
  { xpath: "//Sales.Customer[Name = 'alice']/Sales.Order_Customer/Sales.Order[Status = 'Draft']/Sales.OrderLine_Order/Sales.OrderLine", expect: ['l1', 'l2'] },
  { xpath: "//Catalog.Category[Name = 'Tools']/Catalog.Product_Category", expect: ['widget'] },
  { xpath: '//Sales.Customer/Sales.Order_Customer/Sales.RushOrder', expect: ['r4'] },
  {
    xpath: '//Sales.Order[Sales.Order_Customer]',
    sort: [{ attribute: 'Sales.Order_Customer/Sales.Customer/CompanyName' }],
    ordered: true,
    expect: ['o1', 'o2', 'o3', 'r4'],
  },
  {
    xpath: '//Sales.Order[Sales.Order_Customer]',
    sort: [{ attribute: 'Sales.Order_Customer/Sales.Customer/CompanyName', descending: true }],
    ordered: true,
    expect: ['r4', 'o3', 'o1', 'o2'],
  },
  { xpath: '//Sales.Order', sort: [{ attribute: 'Total', descending: true }], ordered: true, expect: ['r4', 'o2', 'o1', 'o3', 'o5'] },
  // Reference sets: not() over a filtered step, compared with an object, != (some other related object).
  { xpath: '//Catalog.Category[not(Catalog.Product_Category/Catalog.Product[Stock = 0])]', expect: ['tools'] },
  { xpath: '//Catalog.Product[Catalog.Product_Category = $cat]', expect: ['widget', 'gadget'], vars: (ids) => ({ cat: ids.toys }) },
  { xpath: '//Catalog.Product[Catalog.Product_Category != $cat]', expect: ['widget'], vars: (ids) => ({ cat: ids.toys }) },
  { xpath: "//Catalog.Product[Name = 'Widget']/Catalog.Product_Category/Catalog.Category", expect: ['tools', 'toys'] },
  {
    xpath: "//Catalog.Category[Catalog.Product_Category/Catalog.Product[Stock > 0 and (Price < 50 or Discontinued)]/Name = 'Widget']",
    expect: ['tools', 'toys'],
  },
  { xpath: "//Sales.Order[Sales.Order_Customer/Sales.Customer/System.UserRoles = '[%UserRole_Customer%]']", expect: ['o1', 'o2', 'o3'] },
  { xpath: "//Sales.Order[not(not(Status = 'Draft'))][not(Sales.OrderLine_Order/Sales.OrderLine[Quantity > 9])]", expect: ['o1'] },
];

// Every case over both storage formats of the References (association tables; columns, Mendix 10's default).
const RUNS = DIALECTS.flatMap((d) => (['table', 'column'] as const).map((s) => [d, s] as const));

describe.each(RUNS)('XPath executed on %s, References stored as %s', (dialect, storage) => {
  let model: CompiledModel;
  let fx: SalesFixture;
  beforeAll(async () => {
    model = await exampleModel('sales', storage);
    fx = await salesFixture(model, dialect);
  });
  afterAll(async () => {
    await fx?.close();
  });
  it('runs on the storage format it names', () => {
    expect(model.associations.get('Sales.Order_Customer')!.storage).toBe(storage);
    expect(model.associations.get('Catalog.Product_Category')!.storage).toBe('table');
  });

  const keyOf = (id: bigint) => Object.entries(fx.ids).find(([, v]) => v === id)?.[0] ?? String(id);

  it.each(CASES.map((c, i) => [i, c.xpath, c] as const))('#%i %s', async (_i, _x, c) => {
    const user: UserContext = { ...SYSTEM_CONTEXT, timeZone: c.zone ?? 'UTC' };
    const plan = compileQuery(model, { xpath: c.xpath, ...(c.sort ? { sort: c.sort } : {}) }, DIALECT[dialect]);
    const { objects } = await retrieve(fx.db, model, plan, user, c.vars?.(fx.ids, model) ?? {}, { now: NOW });
    const got = objects.map((o) => keyOf(o.id));
    if (c.ordered) expect(got).toEqual(c.expect);
    else expect([...got].sort()).toEqual([...c.expect].sort());
  });

  it.each(SQL_CASES.map((c, i) => [i, c.xpath, c] as const))('table case #%i %s sends its statement and finds its objects', async (_i, _x, c) => {
    const user: UserContext = c.role
      ? salesUser(model, c.role, fx.ids[c.who!]!)
      : c.who
        ? { ...salesUser(model, 'Customer', fx.ids[c.who]!), applyEntityAccess: false }
        : { ...SYSTEM_CONTEXT, timeZone: 'UTC' };
    const vars = c.vars?.(fx.ids) ?? {};
    const seen: string[] = [];
    const off = fx.db.onStatement((sql) => seen.push(sql));
    try {
      if (c.value !== undefined) {
        const v = await aggregate(fx.db, model, { xpath: c.xpath }, user, vars, { now: NOW });
        expect(v instanceof Date ? v.toISOString() : String(v)).toBe(c.value);
      } else {
        const req: QueryRequest = { xpath: c.xpath, ...(c.attributes ? { attributes: c.attributes } : {}), ...(c.sort ? { sort: c.sort } : {}) };
        const { objects } = await retrieve(fx.db, model, req, user, vars, { now: NOW });
        const got = objects.map((o) => keyOf(o.id));
        if (c.ordered) expect(got).toEqual(c.expect);
        else expect([...got].sort()).toEqual([...c.expect!].sort());
      }
    } finally {
      off();
    }
    // The statements written out in the cases are those over association tables.
    if (storage === 'table') expect(seen).toEqual([c[dialect]]);
    else expect(seen).toHaveLength(1);
  });

  it('returns specializations with their own type and the requested values', async () => {
    const { objects } = await retrieve(fx.db, model, { xpath: "//Sales.Order[Status = 'Draft']" }, SYSTEM_CONTEXT);
    const r4 = objects.find((o) => o.id === fx.ids.r4)!;
    expect(r4.entity).toBe('Sales.RushOrder');
    expect(objects.find((o) => o.id === fx.ids.o1)!.entity).toBe('Sales.Order');
    expect((r4.values.get('Total') as Decimal).toFixed(2)).toBe('1000.00');
    expect(r4.values.get('Number')).toBe(4n);
    expect((r4.values.get('OrderDate') as Date).toISOString()).toBe('2024-12-31T23:30:00.000Z');
    expect(r4.references.get('Sales.Order_Customer')).toBe(fx.ids.carol);
    // Every attribute wanted: the RushOrder also gets its own members (a follow-up query).
    expect((r4.values.get('DeliverBy') as Date).toISOString()).toBe('2025-01-02T09:00:00.000Z');
    expect((r4.values.get('Surcharge') as Decimal).toFixed(0)).toBe('50');
    const { objects: users } = await retrieve(fx.db, model, { xpath: "//System.User[Name = 'bob']" }, SYSTEM_CONTEXT);
    expect(users[0]!.entity).toBe('Sales.Customer');
    expect(users[0]!.values.get('CompanyName')).toBe('Bolt_Works 100%');
    expect(users[0]!.values.get('FullName')).toBe('Bob Builder');
    expect(users[0]!.references.get('System.UserRoles')).toEqual([fx.ids.roleCustomer]);
    const { objects: products } = await retrieve(fx.db, model, { xpath: '//Catalog.Product', sort: [{ attribute: 'Code', descending: true }] }, SYSTEM_CONTEXT);
    expect(products.map((p) => p.references.get('Catalog.Product_Category'))).toEqual([[], [fx.ids.toys], [fx.ids.tools, fx.ids.toys]]);
    expect(products.map((p) => p.values.get('Discontinued'))).toEqual([true, false, false]);
    expect(products.map((p) => p.values.get('Stock'))).toEqual([12, 0, 5]);
  });

  it('pages, sorts and counts with two statements', async () => {
    const seen: string[] = [];
    const off = fx.db.onStatement((sql) => seen.push(sql));
    const res = await retrieve(
      fx.db,
      model,
      { xpath: '//Sales.Order', attributes: ['Number', 'Total'], sort: [{ attribute: 'Number' }], offset: 1, amount: 2, wantCount: true },
      SYSTEM_CONTEXT,
    );
    off();
    expect(res.objects.map((o) => o.values.get('Number'))).toEqual([2n, 3n]);
    expect(res.count).toBe(5);
    expect(seen).toHaveLength(2);
    expect(seen[1]).toBe('SELECT COUNT(*) FROM "sales$order"');
  });

  it('says which variable is missing', async () => {
    await expect(retrieve(fx.db, model, { xpath: '//Sales.Order[Total > $Min]' }, SYSTEM_CONTEXT)).rejects.toThrow(
      'the XPath uses $Min, which has no value here',
    );
    await expect(retrieve(fx.db, model, { xpath: '//Sales.Order', amount: -1 }, SYSTEM_CONTEXT)).rejects.toThrow('amount must be a whole number >= 0, not -1');
  });

  it('computes aggregates', async () => {
    expect(await aggregate(fx.db, model, { xpath: "count(//Sales.Order[Status = 'Draft'])" }, SYSTEM_CONTEXT)).toBe(2);
    expect(String(await aggregate(fx.db, model, { xpath: 'sum(//Sales.Order/Total)' }, SYSTEM_CONTEXT))).toMatch(/^1450\.49/);
    expect(((await aggregate(fx.db, model, { xpath: 'max(//Sales.Order/OrderDate)' }, SYSTEM_CONTEXT)) as Date).toISOString()).toBe('2024-12-31T23:30:00.000Z');
    expect((await aggregate(fx.db, model, { xpath: 'min(//Catalog.Product[Stock > 0]/Price)' }, SYSTEM_CONTEXT))!.toString()).toBe('10');
    expect(Number(await aggregate(fx.db, model, { xpath: 'avg(//Catalog.Product/Stock)' }, SYSTEM_CONTEXT))).toBeCloseTo(17 / 3, 3);
    expect(await aggregate(fx.db, model, { xpath: "count(//Sales.Customer[Segment = 'Retail']/Sales.Order_Customer/Sales.Order)" }, SYSTEM_CONTEXT)).toBe(3);
    // Objects, not join rows: Widget is in two categories and counts once.
    expect(await aggregate(fx.db, model, { xpath: 'count(//Catalog.Category/Catalog.Product_Category/Catalog.Product)' }, SYSTEM_CONTEXT)).toBe(2);
    expect(Number(await aggregate(fx.db, model, { xpath: "avg(//Sales.Order[Status = 'Draft']/Total)" }, SYSTEM_CONTEXT))).toBeCloseTo(550, 6);
    expect(
      String(await aggregate(fx.db, model, { xpath: "sum(//Sales.Order[Status = 'Draft']/Sales.OrderLine_Order/Sales.OrderLine/Quantity)" }, SYSTEM_CONTEXT)),
    ).toBe('17');
  });

  describe('entity access', () => {
    const ROWS: readonly [string, string, string, readonly string[]][] = [
      ['Customer', 'alice', '//Sales.Order', ['o1', 'o2']],
      ['Customer', 'carol', '//Sales.Order', ['r4']],
      ['Customer', 'carol', '//Sales.RushOrder', ['r4']],
      ['Customer', 'alice', '//Sales.OrderLine', ['l1', 'l2']],
      ['Customer', 'bob', '//Sales.OrderLine', ['l3']],
      ['Customer', 'alice', '//Sales.Customer', ['alice']],
      ['Customer', 'alice', '//System.User', ['alice']],
      ['Customer', 'alice', '//Catalog.Product', ['widget', 'gadget', 'gizmo']],
      ['Customer', 'alice', "//Sales.Order[Status = 'Confirmed']", ['o2']],
      ['SalesManager', 'manager', '//Sales.Order', ['o1', 'o2', 'o3', 'r4', 'o5']],
      ['SalesManager', 'manager', '//Sales.Customer', ['alice', 'bob', 'carol']],
      // Account objects by Account's rules (own row), Customer objects by Customer's (all).
      ['SalesManager', 'manager', '//Administration.Account', ['manager', 'alice', 'bob', 'carol']],
      ['SalesManager', 'manager', '//System.User', ['manager', 'alice', 'bob', 'carol']],
      ['Administrator', 'admin', '//System.User', ['admin', 'manager', 'alice', 'bob', 'carol']],
    ];
    it.each(ROWS)('a %s (%s) sees exactly its rows of %s', async (role, who, xpath, expected) => {
      const user = salesUser(model, role, fx.ids[who]!);
      const res = await retrieve(fx.db, model, { xpath, wantCount: true, amount: 100 }, user);
      expect(res.objects.map((o) => keyOf(o.id)).sort()).toEqual([...expected].sort());
      expect(res.count).toBe(expected.length);
    });

    it('paths in a constraint only reach objects the user may read', async () => {
      const xpath = '//Catalog.Product[Sales.OrderLine_Product/Sales.OrderLine/Quantity = 10]';
      const asAlice = await retrieve(fx.db, model, { xpath }, salesUser(model, 'Customer', fx.ids.alice!));
      expect(asAlice.objects).toEqual([]);
      const asCarol = await retrieve(fx.db, model, { xpath }, salesUser(model, 'Customer', fx.ids.carol!));
      expect(asCarol.objects.map((o) => keyOf(o.id))).toEqual(['gizmo']);
      const asManager = await retrieve(fx.db, model, { xpath }, salesUser(model, 'SalesManager', fx.ids.manager!));
      expect(asManager.objects.map((o) => keyOf(o.id))).toEqual(['gizmo']);
    });

    it('sorts over paths with entity access applied to the related objects', async () => {
      const req = {
        xpath: '//Sales.OrderLine[Sales.OrderLine_Product/Catalog.Product/Price > 1]',
        sort: [
          { attribute: 'Sales.OrderLine_Order/Sales.Order/Sales.Order_Customer/Sales.Customer/CompanyName', descending: true },
          { attribute: 'Sales.OrderLine_Product/Catalog.Product/Name' },
        ],
      };
      const asAlice = await retrieve(fx.db, model, req, salesUser(model, 'Customer', fx.ids.alice!));
      expect(asAlice.objects.map((o) => keyOf(o.id))).toEqual(['l2', 'l1']);
      const asManager = await retrieve(fx.db, model, req, salesUser(model, 'SalesManager', fx.ids.manager!));
      expect(asManager.objects.map((o) => keyOf(o.id))).toEqual(['l4', 'l3', 'l2', 'l1']);
    });

    it('no applicable rule means no rows', async () => {
      const user: UserContext = { ...salesUser(model, 'Customer', fx.ids.alice!), moduleRoles: new Set(['System.User']) };
      const res = await retrieve(fx.db, model, { xpath: '//Sales.Order', wantCount: true, amount: 10 }, user);
      expect(res.objects).toEqual([]);
      expect(res.count).toBe(0);
    });

    it('constraints of the query and of the rules combine', async () => {
      const user = salesUser(model, 'Customer', fx.ids.alice!);
      const res = await retrieve(fx.db, model, { xpath: "//Sales.Order[Sales.Order_Customer/Sales.Customer/Name = 'bob']" }, user);
      expect(res.objects).toEqual([]);
    });
  });
});
