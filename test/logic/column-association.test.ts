// Microflows over an association stored as a column (storage: column):
// set on create, retrieve by association both ways (the reverse one reads the
// parent's table), change, and a cascading delete, on every database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { DOMAIN, logicApp, USER, type LogicApp } from './harness.js';

const COLUMN_DOMAIN = DOMAIN.replace(
  'OrderLine_Order: { type: Reference, parent: OrderLine, child: Order, deleteBehavior: { child: cascade } }',
  'OrderLine_Order: { type: Reference, parent: OrderLine, child: Order, storage: column, deleteBehavior: { child: cascade } }',
);

const MICROFLOWS = {
  Lines: `
returns: String
body:
  - create: { entity: Shop.Order, set: { Number: 7, Total: 0 }, commit: true, into: O }
  - create: { entity: Shop.Order, set: { Number: 8, Total: 0 }, commit: true, into: O2 }
  - create: { entity: Shop.OrderLine, set: { Amount: 4, Shop.OrderLine_Order: $O }, commit: true, into: L1 }
  - create: { entity: Shop.OrderLine, set: { Amount: 6.5, Shop.OrderLine_Order: $O }, commit: true, into: L2 }
  - create: { entity: Shop.OrderLine, set: { Amount: 1 }, commit: true, into: Loose }
  - retrieve: { from: $O/Shop.OrderLine_Order, into: Lines }
  - aggregate: { list: $Lines, function: count, into: N }
  - retrieve: { from: $L1/Shop.OrderLine_Order, into: Back }
  - change: { object: $L2, set: { Shop.OrderLine_Order: $O2 }, commit: true }
  - retrieve: { from: Shop.OrderLine, xpath: "[Shop.OrderLine_Order/Shop.Order/Number = 7]", into: Sevens }
  - aggregate: { list: $Sevens, function: count, into: N7 }
  - retrieve: { from: Shop.OrderLine, xpath: "[not(Shop.OrderLine_Order/Shop.Order)]", into: Loose2 }
  - aggregate: { list: $Loose2, function: count, into: NL }
  - return: "toString($N) + ' ' + toString($Back/Number) + ' ' + toString($N7) + ' ' + toString($NL)"`,
  DeleteOrders: `
body:
  - retrieve: { from: Shop.Order, into: Orders }
  - delete: $Orders`,
};

describe.each(DIALECTS)('microflows over a column-stored association on %s', (dialect) => {
  let app: LogicApp;
  beforeAll(async () => {
    app = await logicApp(dialect, MICROFLOWS, { 'modules/Shop/domain-model.yaml': COLUMN_DOMAIN });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('is stored as a column', () => {
    expect(app.model.associations.get('Shop.OrderLine_Order')!.storage).toBe('column');
  });

  it('sets, retrieves both ways and changes the reference', async () => {
    expect((await app.engine.runMicroflow('Shop.Lines', {}, USER)).value).toBe('2 7 1 1');
    const rows = await app.rows('Shop.OrderLine', 'amount, "shop$orderline_order" AS o');
    expect(rows.map((r) => r.o === null)).toEqual([false, false, true]);
  });

  it('cascades the delete of the orders to their lines, keeping the loose one', async () => {
    await app.engine.runMicroflow('Shop.DeleteOrders', {}, USER);
    expect(await app.count('Shop.Order')).toBe(0);
    expect(await app.count('Shop.OrderLine')).toBe(1);
  });
});
