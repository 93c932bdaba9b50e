import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOMAIN, logicApp, USER, type LogicApp } from './harness.js';

/**
 * Objects a cascading delete behaviour takes along run their before- and
 * after-delete events, as Mendix runs them; a before-delete that answers false
 * (without raising) keeps its object.
 */
const domain = DOMAIN.replace(
  `  OrderLine:
    attributes:
      Amount: Decimal`,
  `  OrderLine:
    attributes:
      Amount: Decimal
    events:
      - { moment: before, event: delete, microflow: Line_BeforeDelete, raiseErrorOnFalse: false }
      - { moment: after, event: delete, microflow: Line_AfterDelete }`,
);
const note = (text: string) => `{ create: { entity: Shop.Log, set: { Message: "${text}" }, commit: true, into: L } }`;

const MICROFLOWS: Record<string, string> = {
  Line_BeforeDelete: `
parameters: { Line: Shop.OrderLine }
returns: Boolean
body:
  - ${note("'beforeDelete:' + toString($Line/Amount)")}
  - return: "$Line/Amount != 99"`,
  Line_AfterDelete: `
parameters: { Line: Shop.OrderLine }
body:
  - ${note("'afterDelete:' + toString($Line/Amount)")}`,
  Seed: `
parameters: { Keep: Boolean }
body:
  - create: { entity: Shop.Order, set: { Number: 7 }, commit: true, into: O }
  - create: { entity: Shop.OrderLine, set: { Amount: 1, Shop.OrderLine_Order: $O }, commit: true, into: L1 }
  - create: { entity: Shop.OrderLine, set: { Amount: "if $Keep then 99 else 2", Shop.OrderLine_Order: $O }, commit: true, into: L2 }`,
  DeleteOrders: `
body:
  - retrieve: { from: Shop.Order, into: Orders }
  - delete: $Orders`,
};

describe.each(['sqlite', 'postgres'] as const)('delete events of cascaded objects on %s', (dialect) => {
  let app: LogicApp;
  beforeAll(async () => {
    app = await logicApp(dialect, MICROFLOWS, { 'modules/Shop/domain-model.yaml': domain });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });
  const run = (name: string, params: Record<string, unknown> = {}) => app.engine.runMicroflow(`Shop.${name}`, params as never, USER);

  it('runs before- and after-delete for every line the order takes along', async () => {
    await run('Seed', { Keep: false });
    await run('DeleteOrders');
    expect((await app.log()).filter((m) => m.includes('Delete'))).toEqual(['beforeDelete:1', 'beforeDelete:2', 'afterDelete:1', 'afterDelete:2']);
    expect(await app.count('Shop.OrderLine')).toBe(0);
    expect(await app.count('Shop.Order')).toBe(0);
  });

  it('a line whose before-delete answers false stays', async () => {
    await run('Seed', { Keep: true });
    await run('DeleteOrders');
    expect(await app.count('Shop.Order')).toBe(0);
    const left = await app.rows('Shop.OrderLine', '"amount"');
    expect(left.map((r) => Number(r.amount))).toEqual([99]);
  });
});
