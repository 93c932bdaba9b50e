import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MxObject } from '../../src/objects/mx-object.js';
import { DOMAIN, logicApp, USER, type LogicApp } from './harness.js';

/**
 * Entity event handlers around microflow activities: ordering of several
 * handlers over a list, before-create, rollback events, a before-handler
 * that skips silently (raiseErrorOnFalse: false), commits without events
 * (validation still runs) and refresh — asserted on the database.
 */
const domain = DOMAIN.replace(
  '      - { moment: before, event: commit, microflow: Item_BeforeCommit }',
  `      - { moment: before, event: create, microflow: Item_BeforeCreate }
      - { moment: before, event: commit, microflow: Item_BeforeCommit }
      - { moment: before, event: commit, microflow: Item_Check }
      - { moment: before, event: rollback, microflow: Item_BeforeRollback }
      - { moment: after, event: rollback, microflow: Item_AfterRollback }`,
).replace(
  `  Tag:
    attributes:
      Label: String(50)`,
  `  Tag:
    attributes:
      Label: String(50)
    events:
      - { moment: before, event: commit, microflow: Tag_BeforeCommit, raiseErrorOnFalse: false }`,
);

const note = (text: string) => `{ create: { entity: Shop.Log, set: { Message: "${text}" }, commit: true, into: L } }`;

const MICROFLOWS: Record<string, string> = {
  Item_BeforeCreate: `
returns: Boolean
body:
  - ${note("'beforeCreate'")}
  - return: true`,
  Item_Check: `
parameters: { Item: Shop.Item }
returns: Boolean
body:
  - ${note("'check:' + $Item/Name")}
  - return: true`,
  Item_BeforeRollback: `
parameters: { Item: Shop.Item }
returns: Boolean
body:
  - ${note("'beforeRollback:' + $Item/Name")}
  - return: true`,
  Item_AfterRollback: `
parameters: { Item: Shop.Item }
body:
  - ${note("'afterRollback:' + $Item/Name")}`,
  Tag_BeforeCommit: `
parameters: { Tag: Shop.Tag }
returns: Boolean
body:
  - return: "$Tag/Label != 'skip'"`,
  TwoItems: `
body:
  - create: { entity: Shop.Item, set: { Name: "'a'", Code: "'A'" }, into: A }
  - create: { entity: Shop.Item, set: { Name: "'b'", Code: "'B'" }, into: B }
  - createList: { entity: Shop.Item, into: Both }
  - changeList: { list: $Both, operation: add, value: $A }
  - changeList: { list: $Both, operation: add, value: $B }
  - commit: $Both`,
  RenameAndRollBack: `
parameters: { Code: String }
returns: String
body:
  - retrieve: { from: Shop.Item, xpath: "[Code = $Code]", range: first, into: It }
  - change: { object: $It, set: { Name: "'renamed'" } }
  - rollback: $It
  - return: $It/Name`,
  Tags: `
body:
  - create: { entity: Shop.Tag, set: { Label: "'keep'" }, into: K }
  - create: { entity: Shop.Tag, set: { Label: "'skip'" }, into: S }
  - createList: { entity: Shop.Tag, into: Both }
  - changeList: { list: $Both, operation: add, value: $K }
  - changeList: { list: $Both, operation: add, value: $S }
  - commit: $Both`,
  NoEvents: `
body:
  - create: { entity: Shop.Item, set: { Name: "'quiet'", Code: "'Q'" }, commit: withoutEvents, into: Q }
  - change: { object: $Q, set: { Qty: 5 }, refresh: true }
  - commit: { objects: $Q, events: false }`,
  NoEventsInvalid: `
body:
  - create: { entity: Shop.Item, set: { Name: "''", Code: "'X'" }, into: X }
  - commit: { objects: $X, events: false }`,
  KeepMe: `
returns: String
body:
  - create: { entity: Shop.Item, set: { Name: "'keep'", Code: "'K'" }, commit: true, into: K }
  - delete: $K
    onError:
      customWithoutRollback:
        - return: "$latestError/Message"
  - return: "'deleted'"`,
};

describe.each(['sqlite', 'postgres'] as const)('event handlers on %s', (dialect) => {
  let app: LogicApp;
  beforeAll(async () => {
    app = await logicApp(dialect, MICROFLOWS, { 'modules/Shop/domain-model.yaml': domain });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });
  const run = (name: string, params: Record<string, unknown> = {}) => app.engine.runMicroflow(`Shop.${name}`, params as never, USER);
  const clear = async () => {
    for (const t of ['shop$item', 'shop$log', 'shop$tag']) await app.db.execute(`DELETE FROM "${t}"`, []);
  };

  it('create runs before-create, after-create; commit of a list runs each handler for all objects before the next', async () => {
    await clear();
    await run('TwoItems');
    expect(await app.log()).toEqual([
      'beforeCreate',
      'beforeCreate',
      'beforeCommit:a',
      'beforeCommit:b',
      'check:a',
      'check:b',
      'afterCommit:a',
      'afterCommit:b',
    ]);
    expect((await app.rows('Shop.Item', 'name')).map((r) => r.name)).toEqual(['a', 'b']);
  });

  it('rollback runs before- and after-rollback handlers; after-rollback sees the committed values', async () => {
    await clear();
    await run('TwoItems');
    await app.db.execute('DELETE FROM "shop$log"', []);
    expect((await run('RenameAndRollBack', { Code: 'A' })).value).toBe('a');
    expect(await app.log()).toEqual(['beforeRollback:renamed', 'afterRollback:a']);
    expect((await app.rows('Shop.Item', 'name')).map((r) => r.name)).toEqual(['a', 'b']);
  });

  it('a before-commit handler returning false with raiseErrorOnFalse: false skips that object silently', async () => {
    await clear();
    await run('Tags');
    expect((await app.rows('Shop.Tag', 'label')).map((r) => r.label)).toEqual(['keep']);
  });

  it('commits without events skip the handlers, not the validation rules; refresh reaches the result', async () => {
    await clear();
    const r = await run('NoEvents');
    expect(await app.log()).toEqual(['beforeCreate']);
    expect((await app.rows('Shop.Item', 'name, qty')).map((x) => [x.name, Number(x.qty)])).toEqual([['quiet', 5]]);
    expect(r.refresh.map((o: MxObject) => o.values.get('Name'))).toEqual(['quiet']);
    await clear();
    await expect(run('NoEventsInvalid')).rejects.toThrow('Name is required');
    expect(await app.count('Shop.Item')).toBe(0);
  });

  it('a before-delete handler returning false refuses the delete activity with a catchable error', async () => {
    await clear();
    expect((await run('KeepMe')).value).toBe('delete of Shop.Item was cancelled: the event handler Shop.Item_BeforeDelete returned false');
    expect((await app.rows('Shop.Item', 'name')).map((r) => r.name)).toEqual(['keep']);
  });
});
