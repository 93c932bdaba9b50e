import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitObjects, createObject } from '../../src/data/index.js';
import { setReference } from '../../src/objects/mx-object.js';
import { DIALECTS } from '../support/databases.js';
import { startApp, type AppUnderTest, type XasClient } from './harness.js';

/**
 * Calculated attributes (issue 22): Total is computed by a microflow each
 * time a Line is read — in the client API's retrieves, in a microflow's
 * retrieve (from the database and over an association), in a published
 * OData resource — with the reader's context ($currentUser), never stored (no
 * column), never writable, not sortable or filterable (400), and member read
 * access still hides one the user may not read. Over real HTTP, on the three
 * databases.
 */
const CALC = {
  'modules/Calc/domain-model.yaml': `moduleRoles: [User]
entities:
  Line:
    attributes:
      Quantity: Integer
      Price: Decimal
      Total: { type: Decimal, calculated: Line_Total }
      ReadBy: { type: String, calculated: Line_ReadBy }
      Hidden: { type: String, calculated: Calc.Line_ReadBy }
    access:
      - { roles: [User], read: [Quantity, Price, Total, ReadBy], write: [Quantity, Price] }
  Order:
    attributes:
      Number: Integer
      Label: { type: String, calculated: Order_Label }
  Loop:
    attributes:
      N: Integer
      Depth: { type: Integer, calculated: Loop_Depth }
    access:
      - { roles: [User], read: '*' }
associations:
  Line_Order: { parent: Line, child: Order }
`,
  'modules/Calc/microflows/Loop_Depth.yaml': `parameters: { Loop: Calc.Loop }
returns: Integer
body:
  - retrieve: { from: Calc.Loop, range: first, into: Other }
  - return: $Other/Depth + 1
`,
  'modules/Calc/microflows/Order_Label.yaml': `parameters: { Order: Calc.Order }
returns: String
body:
  - return: "'Order ' + toString($Order/Number)"
`,
  'modules/Calc/microflows/Line_OrderLabel.yaml': `allowedRoles: [User]
parameters: { Line: Calc.Line }
returns: String
body:
  - retrieve: { from: $Line/Calc.Line_Order, into: Order }
  - return: $Order/Label
`,
  'modules/Calc/microflows/Line_Total.yaml': `parameters: { Line: Calc.Line }
returns: Decimal
body:
  - return: $Line/Quantity * $Line/Price
`,
  'modules/Calc/microflows/Line_ReadBy.yaml': `parameters: { Line: Calc.Line }
returns: String
body:
  - return: "if $currentUser = empty then 'nobody' else $currentUser/Name"
`,
  'modules/Calc/microflows/Line_Largest.yaml': `allowedRoles: [User]
returns: Decimal
body:
  - retrieve: { from: Calc.Line, sort: [Quantity desc], range: first, into: Line }
  - return: $Line/Total
`,
  'modules/Calc/odata/CalcService.yaml': `location: odata/calc/v1
authentication: [basic]
allowedRoles: [User]
entitySets:
  Lines: { entity: Line, attributes: [Quantity, Price, Total, ReadBy] }
`,
  'modules/Calc/pages/Line_Overview.yaml': `title: Lines
allowedRoles: [User]
widgets:
  - dataGrid:
      name: linesGrid
      source: { xpath: //Calc.Line, sort: [Quantity] }
      pageSize: 20
      search: [Quantity]
      columns: [Quantity, Price, Total, ReadBy]
      buttons:
        - { caption: Largest, action: { microflow: Calc.Line_Largest } }
        - { caption: Order, action: { microflow: Calc.Line_OrderLabel } }
  - dataGrid:
      name: loopsGrid
      source: { xpath: //Calc.Loop }
      columns: [N, Depth]
`,
  'modules/Calc/pages/Line_Edit.yaml': `title: Line
allowedRoles: [User]
popup: true
parameters: { Line: Calc.Line }
widgets:
  - dataView:
      name: lineView
      source: { parameter: Line }
      widgets:
        - textBox: { attribute: Quantity, label: Quantity }
        - textBox: { attribute: Total, label: Total }
      buttons:
        - { caption: Save, action: save }
`,
};

const patchApp = (text: string) =>
  text
    .replace('modules: [Administration, Catalog, Sales]', 'modules: [Administration, Catalog, Sales, Calc]')
    .replace(
      'Customer: [Administration.User, Sales.Customer, Catalog.Viewer, System.User]',
      'Customer: [Administration.User, Sales.Customer, Catalog.Viewer, System.User, Calc.User]',
    );

type Obj = { guid: string; attributes: Record<string, { value: unknown; readonly?: boolean }> };

describe.each(DIALECTS)('calculated attributes on %s', (dialect) => {
  let app: AppUnderTest;
  let user: XasClient;
  let small: string;
  let big: string;

  beforeAll(async () => {
    app = await startApp('sales', dialect, [{ name: 'calcuser', password: 'Customer-1', roles: ['Customer'] }], {}, patchApp, undefined, CALC);
    const model = app.runtime.ctx.model;
    const a = await createObject(model, 'Calc.Line', app.ids);
    a.values.set('Quantity', 2);
    a.values.set('Price', new Decimal('1.25'));
    const b = await createObject(model, 'Calc.Line', app.ids);
    b.values.set('Quantity', 10);
    b.values.set('Price', new Decimal('3.5'));
    const order = await createObject(model, 'Calc.Order', app.ids);
    order.values.set('Number', 7);
    setReference(a, 'Calc.Line_Order', order.id);
    const loop = await createObject(model, 'Calc.Loop', app.ids);
    await app.db.transaction((tx) => commitObjects(tx, model, [order, a, b, loop]));
    small = a.id.toString();
    big = b.id.toString();
    user = app.client();
    await user.login('calcuser', 'Customer-1');
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
  });

  const grid = () => app.registry.forWidget('Calc.Line_Overview', 'linesGrid')!;
  const byGuid = (r: { body: Record<string, unknown> }, key = 'partialObjects') =>
    Object.fromEntries((r.body[key] as Obj[]).map((o) => [o.guid, o.attributes]));

  it('has no column for a calculated attribute', async () => {
    const rows = await app.db.query<Record<string, unknown>>('SELECT * FROM "calc$line"', []);
    expect(rows).toHaveLength(2);
    expect(Object.keys(rows[0]!).sort()).toEqual(['id', 'price', 'quantity']);
  });

  it('sends the computed value in a grid retrieve, computed as the reader, and not a calculated attribute the user may not read', async () => {
    const r = await user.op(grid().id, { options: { amount: 20 } });
    expect(r.status).toBe(200);
    const objs = byGuid(r);
    expect(objs[small]!.Total!.value).toBe('2.5');
    expect(objs[big]!.Total!.value).toBe('35');
    expect(objs[small]!.ReadBy!.value).toBe('calcuser');
    expect(objs[small]!.Hidden).toBeUndefined();
    expect(JSON.stringify(r.body)).not.toContain('"Hidden"');
  });

  it('gives a microflow retrieve the computed value', async () => {
    const largest = app.registry.forButton('Calc.Line_Overview', 'linesGrid', 0)!;
    const r = await user.op(largest.id, {});
    expect(r.status).toBe(200);
    expect(r.body.actionResult).toEqual({ type: 'Primitive', value: '35' });
  });

  it('gives the objects a microflow reaches over an association their computed value', async () => {
    const button = app.registry.forButton('Calc.Line_Overview', 'linesGrid', 1)!;
    const r = await user.op(button.id, { params: { Line: { guid: small } } });
    expect(r.status).toBe(200);
    expect(r.body.actionResult).toEqual({ type: 'Primitive', value: 'Order 7' });
  });

  it('serves the computed value in a published OData resource, and refuses $filter and $orderby on it (400)', async () => {
    const auth = { authorization: `Basic ${Buffer.from('calcuser:Customer-1').toString('base64')}` };
    const get = (q: string) => fetch(`${app.base}/odata/calc/v1/Lines${q}`, { headers: auth });
    const r = await get('?$orderby=Quantity');
    expect(r.status).toBe(200);
    const rows = ((await r.json()) as { value: Record<string, unknown>[] }).value;
    expect(rows.map((x) => [x.Quantity, Number(x.Total), x.ReadBy])).toEqual([
      [2, 2.5, 'calcuser'],
      [10, 35, 'calcuser'],
    ]);
    for (const q of ['?$filter=Total gt 3', '?$orderby=Total']) {
      const bad = await get(q);
      expect(bad.status, q).toBe(400);
      expect(await bad.text(), q).toContain('Total');
    }
  });

  it('refuses writing it (403), sorting (400) and filtering (400) on it, naming the attribute', async () => {
    const save = app.registry.forButton('Calc.Line_Edit', 'lineView', 0)!;
    const w = await user.op(save.id, { params: { Objects: { guids: [small] } }, changes: { [small]: { Total: { value: '99' } } } });
    expect(w.status).toBe(403);
    expect(String(w.body.error)).toContain('Total');
    const s = await user.op(grid().id, { options: { amount: 20, sort: [['Total', 'asc']] } });
    expect(s.status).toBe(400);
    expect(s.body.field).toBe('options.sort.0');
    expect(String(s.body.error)).toContain("'Total'");
    // The page definition offers no sorting on it either.
    const page = await user.get('/pages/Calc.Line_Overview.json');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/"attribute":"Total","caption":"Total","type":"Decimal","sortable":false/);
    const f = await user.op(grid().id, { options: { amount: 20, extraXpath: '[Total > 3]' } });
    expect(f.status).toBe(400);
    expect(String(f.body.error)).toContain("'Total'");
  });

  it('ends a calculation that reads its own entity with a clear error instead of recursing for ever', async () => {
    const r = await user.op(app.registry.forWidget('Calc.Line_Overview', 'loopsGrid')!.id, { options: { amount: 20 } });
    // A fault of the model, not of the request: the caller gets the plain 500, the log says what happened.
    expect(r.status).toBe(500);
    expect(r.body.error).toBe('internal error');
    expect(JSON.stringify(app.logLines())).toContain('calculated attributes nest more than 8 deep (Calc.Loop.Depth)');
    // The server still answers.
    expect((await user.op(grid().id, { options: { amount: 20 } })).status).toBe(200);
  });

  it('recomputes after the stored attributes change', async () => {
    const save = app.registry.forButton('Calc.Line_Edit', 'lineView', 0)!;
    const w = await user.op(save.id, { params: { Objects: { guids: [small] } }, changes: { [small]: { Quantity: { value: 4 } } } });
    expect(w.status).toBe(200);
    const r = await user.op(grid().id, { options: { amount: 20 } });
    expect(byGuid(r)[small]!.Total!.value).toBe('5');
  });
});
