import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { commitObjects, createObject } from '../../src/data/index.js';
import { startApp, type AppUnderTest, type XasClient } from '../client-api/harness.js';
import { compileShop } from './harness.js';

/**
 * Show page and close page from a microflow: the calling client gets Mendix's
 * `close` and `open_form` instructions, in the order the activities ran, with
 * the object the page opens on among the answer's objects.
 */
const CONFIRM = `
allowedRoles: [Manager, Customer]
parameters: { Order: Sales.Order }
returns: Boolean
body:
  - change: { object: $Order, set: { Status: Sales.OrderStatus.Confirmed } }
  - closePage: true
  - showPage: { page: Sales.Order_Edit, object: $Order }
  - showPage: { page: Sales.Order_Overview }
  - return: true`;

describe('show page and close page from a microflow', () => {
  let app: AppUnderTest;
  let mgr: XasClient;
  beforeAll(async () => {
    app = await startApp('sales', 'sqlite', [{ name: 'mgr', password: 'Manager-12', roles: ['SalesManager'] }], {}, undefined, undefined, {
      'modules/Sales/microflows/Order_Confirm.yaml': CONFIRM,
    });
    mgr = app.client();
    await mgr.login('mgr', 'Manager-12');
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
  });

  it('sends close and open_form instructions, and the object the page opens on', async () => {
    const model = app.runtime.ctx.model;
    const o = await createObject(model, 'Sales.Order', app.ids);
    o.values.set('Total', new Decimal('12'));
    o.values.set('Status', 'Draft');
    await app.db.transaction((tx) => commitObjects(tx, model, [o]));
    const guid = o.id.toString();
    const confirm = app.registry.forButton('Sales.Order_Overview', 'ordersGrid', 2)!;
    const r = await mgr.op(confirm.id, { params: { Order: { guid } } });
    expect(r.status).toBe(200);
    expect(r.body.instructions).toEqual([
      { type: 'close', args: {} },
      { type: 'open_form', args: { page: 'Sales.Order_Edit', params: { Order: guid } } },
      { type: 'open_form', args: { page: 'Sales.Order_Overview' } },
    ]);
    // The changed, uncommitted order travels with the answer (signed), so the page shows its new status.
    const sent = (r.body.objects as { guid: string; attributes: Record<string, { value: unknown }> }[]).find((x) => x.guid === guid);
    expect(sent?.attributes.Status?.value).toBe('Confirmed');
  });
});

describe('kiln check on show page', () => {
  it('names an unknown page, a missing or wrong object, and an object a page does not take', async () => {
    const page = (name: string, params: string) => `title: ${name}\n${params}widgets: []\n`;
    const { problems } = await compileShop(
      {
        Show: `parameters: { Item: Shop.Item, Tag: Shop.Tag }
body:
  - showPage: { page: Shop.Nope }
  - showPage: { page: Shop.Item_Edit }
  - showPage: { page: Shop.Item_Edit, object: $Tag }
  - showPage: { page: Shop.Home, object: $Item }
  - showPage: { page: Item_Edit, object: $Item }
  - closePage: true`,
      },
      {
        'modules/Shop/pages/Item_Edit.yaml': page('Item', 'parameters: { Item: Shop.Item }\n'),
        'modules/Shop/pages/Home.yaml': page('Home', ''),
      },
    );
    const f = 'modules/Shop/microflows/Show.yaml';
    expect(problems.filter((p) => p.startsWith(f))).toEqual([
      `${f}:3 body.0.showPage.page: unknown page 'Shop.Nope'`,
      `${f}:4 body.1.showPage: page Shop.Item_Edit needs an object for its parameter Item (Shop.Item)`,
      `${f}:5 body.2.showPage.object: page Shop.Item_Edit takes a Shop.Item, not a Shop.Tag`,
      `${f}:6 body.3.showPage.object: page Shop.Home takes no object`,
    ]);
  });
});
