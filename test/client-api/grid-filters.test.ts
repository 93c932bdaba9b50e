import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import type { MxObject } from '../../src/objects/mx-object.js';
import { commitObjects, createObject } from '../../src/data/index.js';
import { DIALECTS } from '../support/databases.js';
import { startApp, type AppUnderTest, type XasClient } from './harness.js';

/**
 * Data Grid 2's column filters on examples/sales' orders grid: structured
 * constraints the server checks against what the user may read and compiles into
 * the grid's own SQL with the values as bound parameters, on every database.
 */
const USERS = [
  { name: 'cust', password: 'Customer-1', roles: ['Customer'] },
  { name: 'mgr', password: 'Manager-12', roles: ['SalesManager'] },
];

const ORDERS = [
  { total: '120.00', status: 'Draft', day: 10, note: 'rush: call first' },
  { total: '75.50', status: 'Confirmed', day: 11, note: 'discount 10%' },
  { total: '19.99', status: 'Shipped', day: 12, note: 'discount_code A' },
  { total: '999.00', status: 'Draft', day: 13, note: null },
  { total: '5.00', status: 'Cancelled', day: 14, note: "O'Brien's order" },
];

describe.each(DIALECTS)('data grid filters on %s', (dialect) => {
  let app: AppUnderTest;
  let mgr: XasClient;
  let cust: XasClient;
  let grid: string;

  beforeAll(async () => {
    app = await startApp('sales', dialect, USERS);
    const model = app.runtime.ctx.model;
    const objs: MxObject[] = [];
    for (const o of ORDERS) {
      const x = await createObject(model, 'Sales.Order', app.ids);
      x.values.set('Total', new Decimal(o.total));
      x.values.set('Status', o.status);
      x.values.set('OrderDate', new Date(Date.UTC(2026, 0, o.day, 12)));
      x.values.set('InternalNote', o.note);
      objs.push(x);
    }
    await app.db.transaction((tx) => commitObjects(tx, model, objs));
    mgr = app.client();
    await mgr.login('mgr', 'Manager-12');
    cust = app.client();
    await cust.login('cust', 'Customer-1');
    grid = app.registry.forWidget('Sales.Order_Overview', 'ordersGrid')!.id;
  }, 120000);
  afterAll(async () => {
    await app?.stop();
  });

  const totals = (body: Record<string, unknown>) =>
    (body.partialObjects as { attributes: Record<string, { value: unknown }> }[]).map((o) => o.attributes.Total!.value).sort((a, b) => Number(a) - Number(b));
  const filtered = (c: XasClient, filters: unknown[], extra: Record<string, unknown> = {}) =>
    c.op(grid, { options: { offset: 0, amount: 20, wantCount: true, filters, ...extra } });

  it('filters by text, number, date and enumeration, combined, with the values as bound parameters', async () => {
    const sql = app.capture();
    const r = await filtered(mgr, [
      { attribute: 'Status', operator: 'equal', value: 'Draft' },
      { attribute: 'Total', operator: 'greater', value: '500' },
    ]);
    app.stopCapture();
    expect(r.status).toBe(200);
    expect(r.body.count).toBe(1);
    expect(totals(r.body)).toEqual(['999']);
    // The value travels as a parameter; the SQL text holds neither it nor the enumeration key.
    const page = sql.find((s) => /"sales\$order"/.test(s.sql) && !/count/i.test(s.sql))!;
    expect(page.sql).not.toContain('Draft');
    expect(page.sql).not.toContain('500');
    expect(page.params.map(String)).toEqual(expect.arrayContaining(['Draft']));

    const text = await filtered(mgr, [{ attribute: 'InternalNote', operator: 'contains', value: 'discount' }]);
    expect(totals(text.body)).toEqual(['19.99', '75.5']);
    // LIKE wildcards in the value are plain characters: '%' and '_' match only themselves.
    expect(totals((await filtered(mgr, [{ attribute: 'InternalNote', operator: 'contains', value: '10%' }])).body)).toEqual(['75.5']);
    expect(totals((await filtered(mgr, [{ attribute: 'InternalNote', operator: 'contains', value: 't_c' }])).body)).toEqual(['19.99']);
    expect(totals((await filtered(mgr, [{ attribute: 'InternalNote', operator: 'startsWith', value: 'RUSH' }])).body)).toEqual(['120']);
    expect(totals((await filtered(mgr, [{ attribute: 'InternalNote', operator: 'empty' }])).body)).toEqual(['999']);
    // A quote in the value is data, not XPath.
    expect(totals((await filtered(mgr, [{ attribute: 'InternalNote', operator: 'contains', value: "O'Brien" }])).body)).toEqual(['5']);
    const injected = await filtered(mgr, [{ attribute: 'InternalNote', operator: 'contains', value: "x') or true() or ('" }]);
    expect(injected.status).toBe(200);
    expect(injected.body.count).toBe(0);

    // A day: [12 Jan, 13 Jan) in UTC.
    const day = await filtered(mgr, [
      { attribute: 'OrderDate', operator: 'greaterEqual', value: Date.UTC(2026, 0, 12) },
      { attribute: 'OrderDate', operator: 'smaller', value: Date.UTC(2026, 0, 13) },
    ]);
    expect(totals(day.body)).toEqual(['19.99']);
    const number = await filtered(mgr, [{ attribute: 'Number', operator: 'smallerEqual', value: '2' }]);
    expect(number.body.count).toBe(2);
    expect(totals((await filtered(mgr, [{ attribute: 'Status', operator: 'notEqual', value: 'Draft' }])).body)).toEqual(['5', '19.99', '75.5']);
  });

  it('keeps the filters with sorting, paging, the count and a search', async () => {
    const r = await filtered(mgr, [{ attribute: 'Total', operator: 'smaller', value: '100' }], { sort: [['Total', 'desc']], amount: 2 });
    expect(r.body.count).toBe(3);
    expect((r.body.partialObjects as { attributes: { Total: { value: string } } }[]).map((o) => o.attributes.Total.value)).toEqual(['75.5', '19.99']);
    expect(r.body.hasMoreItems).toBe(true);
  });

  it('refuses a filter on a member the user cannot read on every object, with a 400 naming it and no SQL', async () => {
    const sql = app.capture();
    const r = await filtered(cust, [{ attribute: 'InternalNote', operator: 'contains', value: 'discount' }]);
    app.stopCapture();
    expect(r.status).toBe(400);
    expect(r.body.field).toBe('options.filters.0.attribute');
    expect(String(r.body.error)).toContain("cannot filter on 'InternalNote'");
    expect(JSON.stringify(r.body)).not.toContain('discount 10%');
    expect(sql).toEqual([]);
    // The same filter on a readable member is fine (the customer's own orders: none here).
    const ok = await filtered(cust, [{ attribute: 'Total', operator: 'greater', value: '1' }]);
    expect(ok.status).toBe(200);
    expect(ok.body.count).toBe(0);
  });

  it('refuses members the grid does not show, operators that do not fit, values of the wrong type, too many filters', async () => {
    const cases: [unknown[], string, string][] = [
      [[{ attribute: 'createdDate', operator: 'greater', value: 0 }], 'options.filters.0.attribute', "cannot filter on 'createdDate'"],
      [[{ attribute: 'Nope', operator: 'equal', value: 'x' }], 'options.filters.0.attribute', "cannot filter on 'Nope'"],
      [[{ attribute: 'Total', operator: 'contains', value: '1' }], 'options.filters.0.operator', "'contains' does not apply to Decimal"],
      [[{ attribute: 'Status', operator: 'equal', value: 'Lost' }], 'options.filters.0.value', "'Lost' is not a value of Sales.OrderStatus"],
      [[{ attribute: 'Total', operator: 'greater', value: 'lots' }], 'options.filters.0.value', 'must be a decimal number'],
      [[{ attribute: 'OrderDate', operator: 'greater', value: 'yesterday' }], 'options.filters.0.value', 'must be a date as epoch milliseconds'],
      [[{ attribute: 'Total', operator: 'greater' }], 'options.filters.0.value', "is required for 'greater'"],
      [[{ attribute: 'Total', operator: 'like', value: '1' }], 'options.filters.0.operator', 'must be one of'],
      [[{ attribute: 'Total', operator: 'equal', value: '1', xpath: '[true()]' }], 'options.filters.0.xpath', ''],
      [Array.from({ length: 21 }, () => ({ attribute: 'Total', operator: 'empty' })), 'options.filters', 'at most 20 filters'],
    ];
    for (const [filters, field, problem] of cases) {
      const r = await filtered(mgr, filters);
      expect(r.status, JSON.stringify(filters[0])).toBe(400);
      expect(r.body.field, JSON.stringify(filters[0])).toBe(field);
      expect(String(r.body.error)).toContain(problem);
    }
  });
});
