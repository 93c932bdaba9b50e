import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { commitObjects, createObject } from '../../src/data/index.js';
import { startApp, type AppUnderTest, type XasClient } from '../client-api/harness.js';

/**
 * A microflow called from the browser's protocol (/xas/ callMicroflow) on
 * examples/sales: show-message and validation-feedback activities reach the
 * response; an error end event undoes the microflow's commits (one database
 * transaction per call) and reaches the client as a system error.
 */
const CONFIRM = `
allowedRoles: [Manager, Customer]
parameters: { Order: Sales.Order }
returns: Boolean
body:
  - change: { object: $Order, set: { Status: Sales.OrderStatus.Confirmed }, commit: true }
  - decision:
      if: "$Order/Total > 1000"
      then:
        - error: { message: "order total {1} is above the limit", params: [$Order/Total] }
  - showMessage: { type: warning, message: "Order of {1} confirmed", params: [$Order/Total] }
  - validationFeedback: { object: $Order, member: Total, message: "please check the total" }
  - return: true`;

const ORDERS = '"sales$order"';

describe.each(['sqlite', 'postgres'] as const)('a microflow called by the client on %s', (dialect) => {
  let app: AppUnderTest;
  let mgr: XasClient;
  const order = async (total: string): Promise<string> => {
    const model = app.runtime.ctx.model;
    const o = await createObject(model, 'Sales.Order', app.ids);
    o.values.set('Total', new Decimal(total));
    o.values.set('Status', 'Draft');
    await app.db.transaction((tx) => commitObjects(tx, model, [o]));
    return o.id.toString();
  };
  const status = async (guid: string) => (await app.db.query<{ status: string }>(`SELECT "status" FROM ${ORDERS} WHERE "id" = ${guid}`, []))[0]!.status;

  beforeAll(async () => {
    app = await startApp('sales', dialect, [{ name: 'mgr', password: 'Manager-12', roles: ['SalesManager'] }], {}, undefined, undefined, {
      'modules/Sales/microflows/Order_Confirm.yaml': CONFIRM,
    });
    mgr = app.client();
    await mgr.login('mgr', 'Manager-12');
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
  });

  it('delivers show-message and validation-feedback activities with the result', async () => {
    const guid = await order('10.50');
    const confirm = app.registry.forButton('Sales.Order_Overview', 'ordersGrid', 2)!;
    const r = await mgr.op(confirm.id, { params: { Order: { guid } } });
    expect(r.status).toBe(200);
    expect(r.body.actionResult).toEqual({ type: 'Primitive', value: true });
    expect(r.body.instructions).toEqual([{ type: 'text_message', args: { type: 'warning', message: 'Order of 10.5 confirmed' } }]);
    expect(r.body.datavalidation).toEqual({ [guid]: { Total: 'please check the total' } });
    expect(await status(guid)).toBe('Confirmed');
  });

  it('an error end event undoes the commit before it and reaches the client', async () => {
    const guid = await order('1500');
    const confirm = app.registry.forButton('Sales.Order_Overview', 'ordersGrid', 2)!;
    const r = await mgr.op(confirm.id, { params: { Order: { guid } } });
    // As Mendix: the end user gets a system error, the message and microflow stack go to the log.
    expect(r.status).toBe(500);
    expect(r.body).toEqual({ error: 'internal error', requestId: expect.any(String) });
    expect(await status(guid)).toBe('Draft');
  });
});
