import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import type { MxObject } from '../../src/objects/mx-object.js';
import { commitObjects, createObject } from '../../src/data/index.js';
import { DIALECTS } from '../support/databases.js';
import { startApp, type AppUnderTest, type XasClient } from './harness.js';

/**
 * A data grid sorted and filtered by a column over a reference (`Order_Customer/Customer/...`),
 * as Mendix's Data Grid 2 does: the user needs read access to the association on every order
 * and to the attribute on every customer, as for a column of the order's own.
 */
const USERS = [
  { name: 'cust', password: 'Customer-1', roles: ['Customer'] },
  { name: 'mgr', password: 'Manager-12', roles: ['SalesManager'] },
];

const ROOT = join(import.meta.dirname, '../..');
const PAGE = 'modules/Sales/pages/Order_Overview.yaml';
// The orders grid with filters on its customer columns; the credit limit named with short names, as a page may.
const page = readFileSync(join(ROOT, 'examples/sales', PAGE), 'utf8').replace(
  '- Sales.Order_Customer/Sales.Customer/CompanyName',
  '- { attribute: Sales.Order_Customer/Sales.Customer/CompanyName, filter: true }\n        - { attribute: Order_Customer/Customer/CreditLimit, filter: true }',
);
// A customer may not read a rush order's customer: the association is not readable on every order they see.
const domain = readFileSync(join(ROOT, 'examples/sales/modules/Sales/domain-model.yaml'), 'utf8').replace(
  'read: [Number, OrderDate, Status, Total, DeliverBy, Order_Customer]',
  'read: [Number, OrderDate, Status, Total, DeliverBy]',
);

const COMPANY = 'Sales.Order_Customer/Sales.Customer/CompanyName';
const LIMIT = 'Order_Customer/Customer/CreditLimit';

describe.each(DIALECTS)('data grid sort and filter over a reference on %s', (dialect) => {
  let app: AppUnderTest;
  let hidden: AppUnderTest;
  let mgr: XasClient;
  let cust: XasClient;
  let grid: string;

  beforeAll(async () => {
    expect(page).toContain(LIMIT);
    expect(domain).not.toContain('DeliverBy, Order_Customer');
    app = await startApp('sales', dialect, USERS, {}, undefined, undefined, { [PAGE]: page });
    hidden = await startApp('sales', dialect, USERS, {}, undefined, undefined, { [PAGE]: page, 'modules/Sales/domain-model.yaml': domain });
    const model = app.runtime.ctx.model;
    const objs: MxObject[] = [];
    for (const [name, company, limit, total] of [
      ['b', 'Bravo Ltd', '500.00', '1'],
      ['c', 'Charlie Inc', '2500.00', '2'],
      ['a', 'Alpha GmbH', '1000.00', '3'],
    ] as const) {
      const c = await createObject(model, 'Sales.Customer', app.ids);
      c.values.set('Name', name);
      c.values.set('CompanyName', company);
      c.values.set('CreditLimit', new Decimal(limit));
      const o = await createObject(model, 'Sales.Order', app.ids);
      o.values.set('Total', new Decimal(total));
      o.references.set('Sales.Order_Customer', c.id);
      objs.push(c, o);
    }
    await app.db.transaction((tx) => commitObjects(tx, model, objs));
    mgr = app.client();
    await mgr.login('mgr', 'Manager-12');
    cust = app.client();
    await cust.login('cust', 'Customer-1');
    grid = app.registry.forWidget('Sales.Order_Overview', 'ordersGrid')!.id;
  }, 180000);
  afterAll(async () => {
    await app?.stop();
    await hidden?.stop();
  });

  const totals = (body: Record<string, unknown>) =>
    (body.partialObjects as { objectType: string; attributes: Record<string, { value: unknown }> }[])
      .filter((o) => o.objectType === 'Sales.Order')
      .map((o) => o.attributes.Total!.value);
  const get = (c: XasClient, options: Record<string, unknown>, id = grid) => c.op(id, { options: { offset: 0, amount: 20, wantCount: true, ...options } });

  it('sorts by the customer’s company name and credit limit, either way', async () => {
    expect(totals((await get(mgr, { sort: [[COMPANY, 'asc']] })).body)).toEqual(['3', '1', '2']);
    expect(totals((await get(mgr, { sort: [[COMPANY, 'desc']] })).body)).toEqual(['2', '1', '3']);
    expect(totals((await get(mgr, { sort: [[LIMIT, 'desc']] })).body)).toEqual(['2', '3', '1']);
  });

  it('filters by the customer’s company name as text and credit limit as a number, the values bound', async () => {
    const sql = app.capture();
    const r = await get(mgr, { filters: [{ attribute: COMPANY, operator: 'contains', value: 'LPH' }] });
    app.stopCapture();
    expect(r.status).toBe(200);
    expect(r.body.count).toBe(1);
    expect(totals(r.body)).toEqual(['3']);
    expect(sql.some((s) => s.params.map(String).some((p) => /lph/i.test(p)))).toBe(true);
    expect(sql.map((s) => s.sql).join('\n')).not.toMatch(/lph/i);
    const limit = await get(mgr, { filters: [{ attribute: LIMIT, operator: 'greaterEqual', value: '1000' }], sort: [[COMPANY, 'asc']] });
    expect(totals(limit.body)).toEqual(['3', '2']);
    expect((await get(mgr, { filters: [{ attribute: COMPANY, operator: 'startsWith', value: 'Zulu' }] })).body.count).toBe(0);
  });

  it('refuses a path the grid does not show, over a reference set, or with an operator that does not fit', async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [
        { filters: [{ attribute: 'Sales.Order_Customer/Sales.Customer/Segment', operator: 'equal', value: 'Retail' }] },
        'options.filters.0.attribute',
        'cannot filter on',
      ],
      [{ sort: [['Sales.Order_Customer/Sales.Customer/Email', 'asc']] }, 'options.sort.0', 'cannot sort on'],
      [{ filters: [{ attribute: LIMIT, operator: 'contains', value: '1' }] }, 'options.filters.0.operator', "'contains' does not apply to Decimal"],
    ];
    for (const [options, field, problem] of cases) {
      const r = await get(mgr, options);
      expect(r.status, JSON.stringify(options)).toBe(400);
      expect(r.body.field).toBe(field);
      expect(String(r.body.error)).toContain(problem);
    }
  });

  it('refuses a user who may not read the attribute at the other end, with a 400 and no SQL; the readable path is fine', async () => {
    const sql = app.capture();
    const sorted = await get(cust, { sort: [[LIMIT, 'asc']] });
    const filtered = await get(cust, { filters: [{ attribute: LIMIT, operator: 'greater', value: '0' }] });
    app.stopCapture();
    expect(sql).toEqual([]);
    expect(sorted.status).toBe(400);
    expect(sorted.body.field).toBe('options.sort.0');
    expect(String(sorted.body.error)).toContain('not readable on every object you can see');
    expect(filtered.status).toBe(400);
    expect(filtered.body.field).toBe('options.filters.0.attribute');
    // The company name the customer may read: sorted and filtered (their own orders only: none here).
    const ok = await get(cust, { sort: [[COMPANY, 'asc']], filters: [{ attribute: COMPANY, operator: 'contains', value: 'a' }] });
    expect(ok.status).toBe(200);
    expect(ok.body.count).toBe(0);
  });

  it('refuses a user who may not read the association on every object they see', async () => {
    const c = hidden.client();
    await c.login('cust', 'Customer-1');
    const id = hidden.registry.forWidget('Sales.Order_Overview', 'ordersGrid')!.id;
    const sorted = await get(c, { sort: [[COMPANY, 'asc']] }, id);
    expect(sorted.status).toBe(400);
    expect(String(sorted.body.error)).toContain(`cannot sort on '${COMPANY}': it is not readable on every object you can see`);
    const filtered = await get(c, { filters: [{ attribute: COMPANY, operator: 'contains', value: 'a' }] }, id);
    expect(filtered.status).toBe(400);
    expect(filtered.body.field).toBe('options.filters.0.attribute');
    // The grid itself still answers.
    expect((await get(c, {}, id)).status).toBe(200);
  });
});
