import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logicApp, USER, type LogicApp } from './harness.js';

/** List expressions over `$currentObject` that follow an association read the associated objects from the database. */
const MICROFLOWS: Record<string, string> = {
  Seed: `
body:
  - create: { entity: Shop.Order, set: { Number: 1, Total: 10 }, commit: true, into: Small }
  - create: { entity: Shop.Order, set: { Number: 2, Total: 500 }, commit: true, into: Big }
  - create: { entity: Shop.OrderLine, set: { Amount: 1, Shop.OrderLine_Order: $Small }, commit: true, into: L1 }
  - create: { entity: Shop.OrderLine, set: { Amount: 2, Shop.OrderLine_Order: $Big }, commit: true, into: L2 }
  - create: { entity: Shop.OrderLine, set: { Amount: 4, Shop.OrderLine_Order: $Big }, commit: true, into: L3 }`,
  Report: `
returns: String
body:
  - retrieve: { from: Shop.OrderLine, sort: [Amount], into: Lines }
  - listOperation: { operation: filterByExpression, list: $Lines, expression: "$currentObject/Shop.OrderLine_Order/Total > 100", into: OfBig }
  - listOperation: { operation: findByExpression, list: $Lines, expression: "$currentObject/Shop.OrderLine_Order/Number = 1", into: OfFirst }
  - aggregate: { list: $Lines, function: sum, expression: "$currentObject/Shop.OrderLine_Order/Total", into: Totals }
  - aggregate: { list: $Lines, function: all, expression: "$currentObject/Shop.OrderLine_Order/Total >= 10", into: AllTen }
  - aggregate: { list: $Lines, function: reduce, initial: "''", expression: "$currentResult + toString($currentObject/Shop.OrderLine_Order/Number)", into: Numbers }
  - aggregate: { list: $OfBig, function: count, into: N }
  - return: "toString($N) + '|' + toString($OfFirst/Amount) + '|' + toString($Totals) + '|' + toString($AllTen) + '|' + $Numbers"`,
};

describe.each(['sqlite', 'postgres'] as const)('list expressions that follow associations on %s', (dialect) => {
  let app: LogicApp;
  beforeAll(async () => {
    app = await logicApp(dialect, MICROFLOWS);
    await app.engine.runMicroflow('Shop.Seed', {}, USER);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('filter, find, sum, all and reduce see the associated objects', async () => {
    // A fresh call: the orders are not in its object cache, so they are loaded for the whole list.
    const r = await app.engine.runMicroflow('Shop.Report', {}, USER);
    expect(r.value).toBe('2|1|1010|true|122');
  });
});
