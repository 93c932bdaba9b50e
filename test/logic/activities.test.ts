import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import type { MxObject } from '../../src/objects/mx-object.js';
import { logicApp, USER, type LogicApp } from './harness.js';

const MICROFLOWS: Record<string, string> = {
  Compute: `
parameters: { N: Integer }
returns: Decimal
body:
  - createVariable: { name: I, type: Integer, value: 0 }
  - createVariable: { name: Sum, type: Decimal, value: 0 }
  - while:
      condition: $I < $N
      body:
        - changeVariable: { name: I, value: $I + 1 }
        - decision:
            if: $I mod 2 = 0
            then: [ { continue: true } ]
        - changeVariable: { name: Sum, value: "$Sum + $I : 2" }
        - decision: { if: $I >= 7, then: [ { break: true } ] }
  - return: $Sum`,
  Classify: `
parameters: { S: Shop.State }
returns: String
body:
  - decision:
      on: $S
      cases:
        Open: [ { return: "'open'" } ]
        Done: [ { return: "'done'" } ]
        empty: [ { return: "'none'" } ]`,
  MakeItems: `
parameters: { Count: Integer }
returns: List of Shop.Item
body:
  - createList: { entity: Shop.Item, into: Made }
  - createVariable: { name: I, type: Integer, value: 0 }
  - while:
      condition: $I < $Count
      body:
        - changeVariable: { name: I, value: $I + 1 }
        - create: { entity: Shop.Item, set: { Name: "'item' + toString($I)", Qty: $I, Price: "$I * 1.5" }, into: It }
        - changeList: { list: $Made, operation: add, value: $It }
  - commit: $Made
  - return: $Made`,
  Stats: `
returns: String
body:
  - retrieve: { from: Shop.Item, sort: [Qty desc], into: All }
  - aggregate: { list: $All, function: count, into: N }
  - aggregate: { list: $All, function: sum, attribute: Price, into: Total }
  - aggregate: { list: $All, function: average, attribute: Qty, into: Avg }
  - aggregate: { list: $All, function: max, attribute: Qty, into: Top }
  - aggregate: { list: $All, function: min, expression: "$currentObject/Qty * 10", into: Low }
  - aggregate: { list: $All, function: sum, attribute: Qty, into: QtySum }
  - listOperation: { operation: head, list: $All, into: First }
  - listOperation: { operation: tail, list: $All, into: Rest }
  - listOperation: { operation: filterByExpression, list: $All, expression: "$currentObject/Qty >= 2", into: Big }
  - listOperation: { operation: find, list: $All, attribute: Name, value: "'item1'", into: One }
  - listOperation: { operation: filter, list: $All, attribute: State, value: Shop.State.Open, into: Open }
  - listOperation: { operation: subtract, list: $All, other: $Big, into: Small }
  - listOperation: { operation: union, list: $Small, other: $Big, into: Again }
  - listOperation: { operation: intersect, list: $All, other: $Big, into: Both }
  - listOperation: { operation: contains, list: $All, other: $Big, into: HasBig }
  - listOperation: { operation: equals, list: $All, other: $Again, into: Same }
  - listOperation: { operation: sort, list: $All, sort: [Name], into: ByName }
  - listOperation: { operation: range, list: $ByName, offset: 1, amount: 1, into: Second }
  - listOperation: { operation: findByExpression, list: $All, expression: "$currentObject/Name = 'nope'", into: Nope }
  - changeList: { list: $Rest, operation: remove, value: $One }
  - aggregate: { list: $Rest, function: count, into: RestN }
  - changeList: { list: $Rest, operation: clear }
  - aggregate: { list: $Rest, function: count, into: Cleared }
  - return: >-
      toString($N) + '|' + toString($Total) + '|' + toString($Avg) + '|' + toString($Top) + '|' + toString($Low) + '|' + toString($QtySum)
      + '|' + $First/Name + '|' + toString(length(toString($One/Qty))) + '|' + $One/Name
      + '|' + toString($HasBig) + '|' + toString($Same) + '|' + toString($RestN) + '|' + toString($Cleared) + '|' + toString($Nope = empty)`,
  Folds: `
returns: String
body:
  - retrieve: { from: Shop.Item, sort: [Qty], into: All }
  - aggregate: { list: $All, function: all, expression: "$currentObject/Qty > 0", into: AllPositive }
  - aggregate: { list: $All, function: any, expression: "$currentObject/Qty > 2", into: AnyAbove2 }
  - aggregate: { list: $All, function: any, expression: "$currentObject/Qty > 99", into: AnyAbove99 }
  - aggregate: { list: $All, function: reduce, initial: "''", expression: "$currentResult + $currentObject/Name + ';'", into: Names }
  - aggregate: { list: $All, function: reduce, initial: 0, returns: Decimal, expression: "$currentResult + $currentObject/Price * 2", into: Twice }
  - createList: { entity: Shop.Item, into: None }
  - aggregate: { list: $None, function: all, expression: "$currentObject/Qty > 99", into: AllOfNone }
  - aggregate: { list: $None, function: any, expression: "true", into: AnyOfNone }
  - return: >-
      toString($AllPositive) + '|' + toString($AnyAbove2) + '|' + toString($AnyAbove99) + '|' + $Names + '|' + toString($Twice)
      + '|' + toString($AllOfNone) + '|' + toString($AnyOfNone) + '|' + toString(length($All))`,
  RangeNames: `
returns: String
body:
  - retrieve: { from: Shop.Item, sort: [Name desc], range: { offset: 1, amount: 2 }, into: Page }
  - listOperation: { operation: head, list: $Page, into: H }
  - aggregate: { list: $Page, function: count, into: N }
  - return: "$H/Name + ' ' + toString($N)"`,
  FirstAbove: `
parameters: { Min: Integer }
returns: String
body:
  - retrieve: { from: Shop.Item, xpath: "[Qty > $Min]", sort: [Qty], range: first, into: Found }
  - decision:
      if: $Found = empty
      then: [ { return: "'none'" } ]
      else: [ { return: "$Found/Name" } ]`,
  Rename: `
parameters: { Old: String, New: String }
body:
  - retrieve: { from: Shop.Item, xpath: "[Name = $Old]", range: first, into: It }
  - change: { object: $It, set: { Name: $New, Qty: "$It/Qty + 100" }, commit: true }`,
  RenameNoCommit: `
parameters: { Old: String }
returns: Shop.Item
body:
  - retrieve: { from: Shop.Item, xpath: "[Name = $Old]", range: first, into: It }
  - change: { object: $It, set: { Name: "'changed'" } }
  - return: $It`,
  RemoveByName: `
parameters: { Name: String }
body:
  - retrieve: { from: Shop.Item, xpath: "[Name = $Name]", into: Found }
  - delete: $Found`,
  RollbackChange: `
parameters: { Name: String }
returns: String
body:
  - retrieve: { from: Shop.Item, xpath: "[Name = $Name]", range: first, into: It }
  - change: { object: $It, set: { Qty: 999 } }
  - rollback: $It
  - create: { entity: Shop.Tag, set: { Label: "'temp'" }, into: T }
  - rollback: $T
  - return: "toString($It/Qty)"`,
  Orders: `
returns: Integer
body:
  - create: { entity: Shop.Order, set: { Number: 1, Total: 10.5 }, commit: true, into: O }
  - create: { entity: Shop.OrderLine, set: { Amount: 4, Shop.OrderLine_Order: $O }, into: L1 }
  - create: { entity: Shop.OrderLine, set: { Amount: 6.5, Shop.OrderLine_Order: $O }, commit: true, into: L2 }
  - commit: $L1
  - retrieve: { from: $O/Shop.OrderLine_Order, into: Lines }
  - retrieve: { from: $L1/Shop.OrderLine_Order, into: Back }
  - aggregate: { list: $Lines, function: count, into: N }
  - change: { object: $O, set: { Total: "$Back/Total + 1" }, commit: true }
  - return: $N`,
  Tags: `
returns: Integer
body:
  - create: { entity: Shop.Tag, set: { Label: "'a'" }, commit: true, into: A }
  - create: { entity: Shop.Tag, set: { Label: "'b'" }, commit: true, into: B }
  - create: { entity: Shop.Item, set: { Name: "'tagged'", Code: "'T1'", Shop.Item_Tag: $A }, into: It }
  - change: { object: $It, add: { Shop.Item_Tag: $B }, commit: true }
  - retrieve: { from: $It/Shop.Item_Tag, into: Ts }
  - aggregate: { list: $Ts, function: count, into: N }
  - return: $N`,
  Caller: `
parameters: { X: Integer }
returns: Integer
body:
  - call: { microflow: Double, with: { V: $X }, into: D }
  - call: { microflow: Shop.Double, with: { V: $D }, into: Q }
  - return: $Q + 1`,
  Double: `
parameters: { V: Integer }
returns: Integer
body:
  - return: $V * 2`,
  Talk: `
parameters: { It: Shop.Item }
body:
  - log: { level: info, node: Shop, message: "item {1} has {2}", params: [$It/Name, $It/Qty] }
  - showMessage: { type: warning, message: "Hello {1}", params: ["'you'"] }
  - validationFeedback: { object: $It, member: Name, message: "Name {1} is taken", params: [$It/Name] }`,
  UseAction: `
parameters: { A: Integer, B: Integer }
returns: Integer
body:
  - action: { name: Add, with: { X: $A, Y: $B }, into: R }
  - action: { name: Shop.CountItems, into: N }
  - return: "$R + $N"`,
  ForEach: `
returns: String
body:
  - retrieve: { from: Shop.Item, sort: [Name], into: All }
  - createVariable: { name: Out, type: String, value: "''" }
  - createList: { entity: Shop.Item, into: Seen }
  - loop:
      over: $All
      as: It
      body:
        - changeList: { list: $All, operation: clear }
        - decision: { if: "$It/Qty = 2", then: [ { continue: true } ] }
        - decision: { if: "$It/Name = 'stop'", then: [ { break: true } ] }
        - changeVariable: { name: Out, value: "$Out + $It/Name + ';'" }
        - changeList: { list: $Seen, operation: add, value: $It }
  - listOperation: { operation: sort, list: $Seen, sort: [Qty desc], into: ByQty }
  - listOperation: { operation: head, list: $ByQty, into: Top }
  - changeList: { list: $Seen, operation: replace, value: $ByQty }
  - listOperation: { operation: equals, list: $Seen, other: $ByQty, into: Same }
  - changeList: { list: $Seen, operation: add, value: $Top }
  - aggregate: { list: $Seen, function: count, into: WithDuplicate }
  - return: "$Out + ' top=' + $Top/Name + ' same=' + toString($Same) + ' n=' + toString($WithDuplicate)"`,
  ReadBack: `
parameters: { Old: String }
returns: String
body:
  - retrieve: { from: Shop.Item, xpath: "[Name = $Old]", range: first, into: It }
  - change: { object: $It, set: { Name: "'changed in memory'" } }
  - retrieve: { from: Shop.Item, xpath: "[Name = $Old]", range: first, into: Again }
  - retrieve: { from: Shop.Item, xpath: "[Name = 'changed in memory']", into: None }
  - aggregate: { list: $None, function: count, into: N }
  - return: "$Again/Name + ' / ' + $It/Name + ' / ' + toString($N)"`,
  Named: `
parameters: { N: String, Q: Integer }
body:
  - create: { entity: Shop.Item, set: { Name: $N, Qty: $Q }, commit: true, into: It }`,
  MakeUser: `
returns: System.Session
body:
  - create: { entity: System.User, set: { Name: "'ann'" }, commit: true, into: U }
  - create: { entity: System.Session, set: { SessionId: "'S1'", System.Session_User: $U }, commit: true, into: S }
  - return: $S`,
  Who: `
returns: String
body:
  - return: >-
      $currentUser/Name + ' ' + $currentSession/SessionId + ' ' + $currentSession/System.Session_User/Name
      + ' ' + formatDateTime(dateTimeUTC(2024, 3, 31, 12, 0), 'HH:mm') + ' ' + formatDateTimeUTC(dateTimeUTC(2024, 3, 31, 12, 0), 'HH:mm')`,
  WhoAmI: `
returns: Boolean
body:
  - return: "$currentUser = empty"`,
};

const ACTIONS = {
  'actions/Add.ts': `
export const parameters = { X: 'Integer', Y: 'Integer' };
export const returns = 'Integer';
export default async function add(args: { X: number; Y: number }) { return args.X + args.Y; }
`,
  'modules/Shop/actions/CountItems.js': `
export default {
  returns: 'Integer',
  async run(_args, ctx) { return (await ctx.retrieve('Shop.Item')).length; },
};
`,
};

let app: LogicApp;
beforeAll(async () => {
  app = await logicApp('sqlite', MICROFLOWS, ACTIONS);
});
afterAll(async () => {
  await app?.close();
});

const run = (name: string, params: Record<string, unknown> = {}) => app.engine.runMicroflow(`Shop.${name}`, params as never, USER);

describe('flow activities', () => {
  it('while, decision, continue, break and variables', async () => {
    // I = 1, 3, 5, 7 are summed as I/2 (even I are skipped), the loop breaks at 7.
    expect(((await run('Compute', { N: 100 })).value as Decimal).toFixed()).toBe('8');
    expect(((await run('Compute', { N: 4 })).value as Decimal).toFixed()).toBe('2');
  });
  it('enumeration decisions, the empty case included', async () => {
    expect((await run('Classify', { S: 'Done' })).value).toBe('done');
    expect((await run('Classify', { S: null })).value).toBe('none');
  });
  it('calls with parameters and return values', async () => {
    expect((await run('Caller', { X: 5 })).value).toBe(21);
  });
});

describe('loops over lists', () => {
  it('iterate over the list as it was at the start, with continue and break; sort, replace, equals, add keeps duplicates', async () => {
    await app.db.transaction(async (tx) => {
      for (const [n, q] of [
        ['a', 1],
        ['b', 2],
        ['c', 3],
        ['stop', 9],
        ['z', 4],
      ] as const) {
        await app.engine.runMicroflow('Shop.Named', { N: n, Q: q }, USER, tx);
      }
    });
    // b (Qty 2) is skipped by continue, the loop breaks at 'stop' before z.
    expect((await run('ForEach')).value).toBe('a;c; top=c same=true n=3');
    for (const t of ['shop$item', 'shop$log']) await app.db.execute(`DELETE FROM "${t}"`, []);
  });
});

describe('object activities on the database', () => {
  it('create with commit writes the rows, with events in order', async () => {
    const r = await run('MakeItems', { Count: 3 });
    expect((r.value as MxObject[]).map((o) => o.values.get('Name'))).toEqual(['item1', 'item2', 'item3']);
    const rows = await app.rows('Shop.Item', 'name, qty, price, code');
    expect(rows.map((x) => [x.name, Number(x.qty), new Decimal(String(x.price)).toFixed(), x.code])).toEqual([
      ['item1', 1, '1.5', null],
      ['item2', 2, '3', null],
      ['item3', 3, '4.5', null],
    ]);
    // Before-commit runs for all objects first, then the write, then after-commit for all.
    expect(await app.log()).toEqual([
      'beforeCommit:item1',
      'beforeCommit:item2',
      'beforeCommit:item3',
      'afterCommit:item1',
      'afterCommit:item2',
      'afterCommit:item3',
    ]);
  });
  it('aggregates and list operations', async () => {
    const r = await run('Stats');
    expect(r.value).toBe('3|9|2|3|10|6|item3|1|item1|true|true|1|0|true');
  });
  it('all, any and reduce (Mendix 10 aggregates); length of a list', async () => {
    // items 1..3 from MakeItems above: Qty 1..3, Price 1.5 * Qty
    expect((await run('Folds')).value).toBe('true|true|false|item1;item2;item3;|18|true|false|3');
  });
  it('retrieve with sort and a custom range', async () => {
    expect((await run('RangeNames')).value).toBe('item2 2');
  });
  it('retrieve with XPath variables, sort and first', async () => {
    expect((await run('FirstAbove', { Min: 1 })).value).toBe('item2');
    expect((await run('FirstAbove', { Min: 10 })).value).toBe('none');
  });
  it('change with commit updates the row', async () => {
    await run('Rename', { Old: 'item2', New: 'renamed' });
    const rows = await app.rows('Shop.Item', 'name, qty');
    expect(rows.map((x) => [x.name, Number(x.qty)])).toContainEqual(['renamed', 102]);
  });
  it('an XPath retrieve reads the database: uncommitted changes of the request are not seen', async () => {
    expect((await run('ReadBack', { Old: 'item1' })).value).toBe('item1 / changed in memory / 0');
  });
  it('change without commit leaves the database and returns the object dirty', async () => {
    const r = await run('RenameNoCommit', { Old: 'item1' });
    expect((r.value as MxObject).values.get('Name')).toBe('changed');
    expect(r.dirty.map((o) => o.values.get('Name'))).toEqual(['changed']);
    expect((await app.rows('Shop.Item', 'name')).map((x) => x.name)).toContain('item1');
  });
  it('rollback restores committed values and forgets new objects', async () => {
    const r = await run('RollbackChange', { Name: 'item3' });
    expect(r.value).toBe('3');
    expect(await app.count('Shop.Tag')).toBe(0);
  });
  it('delete runs events and removes the rows; a before-delete returning false cancels', async () => {
    await run('RemoveByName', { Name: 'item3' });
    expect((await app.rows('Shop.Item', 'name')).map((x) => x.name)).not.toContain('item3');
    expect((await app.log()).slice(-2)).toEqual(['beforeDelete:item3', 'afterDelete:item3']);
  });
  it('references: set, by-association retrieve both ways, autocommit of referenced new objects', async () => {
    expect((await run('Orders')).value).toBe(2);
    const orders = await app.rows('Shop.Order', 'total');
    expect(Number(orders[0]!.total)).toBe(11.5);
    expect(await app.count('Shop.OrderLine')).toBe(2);
  });
  it('reference sets: add and retrieve over them', async () => {
    expect((await run('Tags')).value).toBe(2);
  });
});

describe('client activities, TypeScript actions, tokens', () => {
  it('log, show message and validation feedback reach the result', async () => {
    const [it1] = (await run('MakeItems', { Count: 1 })).value as MxObject[];
    const r = await run('Talk', { It: it1 });
    expect(r.messages).toEqual([{ type: 'warning', message: 'Hello you', blocking: true }]);
    expect(r.feedback).toEqual([{ objectId: it1!.id, entity: 'Shop.Item', member: 'Name', message: 'Name item1 is taken' }]);
  });
  it('TypeScript actions from actions/ and modules/<M>/actions/', async () => {
    const n = await app.count('Shop.Item');
    expect((await run('UseAction', { A: 2, B: 3 })).value).toBe(5 + n);
  });
  it("$currentUser and $currentSession are the caller's; non-UTC date functions use the user's time zone", async () => {
    const session = (await run('MakeUser')).value as MxObject;
    const userId = session.references.get('System.Session_User') as bigint;
    const ann = { ...USER, userId, userName: 'ann', sessionObjectId: session.id, timeZone: 'Europe/Amsterdam' };
    expect((await app.engine.runMicroflow('Shop.Who', {}, ann)).value).toBe('ann S1 ann 14:00 12:00');
  });
  it('$currentUser is empty for the system context', async () => {
    expect((await run('WhoAmI')).value).toBe(true);
  });
});
