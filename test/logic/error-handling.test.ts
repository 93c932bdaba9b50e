import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MicroflowError } from '../../src/logic/index.js';
import { logicApp, USER, type LogicApp } from './harness.js';

/**
 * The rollback / no-rollback matrix: what the database holds after each kind
 * of error handling, with errors raised in the activity itself and at depth.
 * Items are committed with their names so the rows tell what survived.
 */
const item = (name: string, into = `I_${name.replace(/\W/g, '_')}`) =>
  `{ create: { entity: Shop.Item, set: { Name: "'${name}'" }, commit: true, into: ${into} } }`;

const MICROFLOWS: Record<string, string> = {
  Fail: `
parameters: { Tag: String }
body:
  - ${item('sub-$Tag'.replace('$Tag', 'x'))}
  - error: { message: "failure in {1}", params: [$Tag] }`,
  Default: `
body:
  - ${item('a')}
  - call: { microflow: Fail, with: { Tag: "'default'" } }
  - ${item('never')}`,
  WithRollback: `
body:
  - ${item('a')}
  - call: { microflow: Fail, with: { Tag: "'withRollback'" } }
    onError:
      customWithRollback:
        - { create: { entity: Shop.Log, set: { Message: "$latestError/Message" }, commit: true, into: L } }
  - ${item('after')}`,
  WithoutRollback: `
body:
  - ${item('a')}
  - call: { microflow: Fail, with: { Tag: "'withoutRollback'" } }
    onError:
      customWithoutRollback:
        - { create: { entity: Shop.Log, set: { Message: "$latestError/Message" }, commit: true, into: L } }
  - ${item('after')}`,
  Continue: `
body:
  - ${item('a')}
  - call: { microflow: Fail, with: { Tag: "'continue'" } }
    onError: continue
  - ${item('after')}`,
  ExpressionFails: `
returns: String
body:
  - ${item('a')}
  - createVariable: { name: D, type: Decimal, value: "1 : 0" }
    onError:
      customWithoutRollback:
        - return: "'handled: ' + $latestError/Message"
  - return: "'not handled'"`,
  Top: `
returns: String
body:
  - ${item('top')}
  - call: { microflow: Mid }
    onError:
      customWithoutRollback:
        - { create: { entity: Shop.Log, set: { Message: "$latestError/Stacktrace" }, commit: true, into: L } }
        - return: "$latestError/Message"
  - return: "'no error'"`,
  Mid: `
body:
  - ${item('mid')}
  - call: { microflow: Deep }`,
  Deep: `
body:
  - ${item('deep')}
  - createVariable: { name: S, type: String, value: "substring('abc', 5)" }`,
  LoopContinue: `
body:
  - createList: { entity: Shop.Item, into: Items }
  - create: { entity: Shop.Item, set: { Name: "'one'" }, into: A }
  - create: { entity: Shop.Item, set: { Name: "''" }, into: B }
  - create: { entity: Shop.Item, set: { Name: "'three'" }, into: C }
  - changeList: { list: $Items, operation: add, value: $A }
  - changeList: { list: $Items, operation: add, value: $B }
  - changeList: { list: $Items, operation: add, value: $C }
  - loop:
      over: $Items
      as: It
      body:
        - commit: $It
          onError: continue`,
  Rethrow: `
body:
  - ${item('a')}
  - call: { microflow: Fail, with: { Tag: "'rethrow'" } }
    onError:
      customWithoutRollback:
        - { create: { entity: Shop.Log, set: { Message: "'handled then rethrown'" }, commit: true, into: L } }
        - error: true`,
  Veto: `
body:
  - ${item('ok')}
  - create: { entity: Shop.Item, set: { Name: "'veto'" }, commit: true, into: V }
    onError:
      customWithoutRollback:
        - { create: { entity: Shop.Log, set: { Message: "$latestError/Message" }, commit: true, into: L } }`,
  Invalid: `
returns: String
body:
  - create: { entity: Shop.Item, set: { Name: "''", Qty: -1 }, into: Bad }
  - commit: $Bad
    onError:
      customWithoutRollback:
        - return: "$latestError/Message"
  - return: "'committed'"`,
  // Mendix's combined example: a custom-without-rollback handler in the sub-microflow rethrows;
  // the call in the parent is guarded by custom-without-rollback too.
  CombinedTop: `
body:
  - ${item('customer')}
  - call: { microflow: CombinedSub }
    onError:
      customWithoutRollback:
        - { create: { entity: Shop.Log, set: { Message: "'top handled: ' + $latestError/Message" }, commit: true, into: L } }
  - ${item('top-after')}`,
  CombinedSub: `
body:
  - ${item('order')}
  - createVariable: { name: D, type: Decimal, value: "1 : 0" }
    onError:
      customWithoutRollback:
        - { create: { entity: Shop.Log, set: { Message: "'sub handled'" }, commit: true, into: L } }
        - error: true`,
  // Custom with rollback inside a sub-microflow whose call is guarded by custom-without-rollback:
  // only the sub-microflow's work is undone; the caller's work before the call stays.
  InnerRollbackTop: `
returns: String
body:
  - ${item('parent')}
  - call: { microflow: InnerRollbackSub, into: R }
    onError:
      customWithoutRollback:
        - return: "'caught: ' + $latestError/Message"
  - return: $R`,
  InnerRollbackSub: `
returns: String
body:
  - ${item('sub')}
  - createVariable: { name: S, type: String, value: "substring('abc', 9)" }
    onError:
      customWithRollback:
        - { create: { entity: Shop.Log, set: { Message: "'sub handler'" }, commit: true, into: L } }
        - return: "'handled in sub'"
  - return: "'not reached'"`,
  InnerRollbackRethrowTop: `
body:
  - ${item('parent')}
  - call: { microflow: InnerRollbackRethrowSub }
    onError:
      customWithoutRollback:
        - { create: { entity: Shop.Log, set: { Message: "'parent handler'" }, commit: true, into: L } }
  - ${item('after')}`,
  InnerRollbackRethrowSub: `
body:
  - ${item('sub')}
  - createVariable: { name: S, type: String, value: "substring('abc', 9)" }
    onError:
      customWithRollback:
        - { create: { entity: Shop.Log, set: { Message: "'sub handler'" }, commit: true, into: L } }
        - error: true`,
  // A decision whose condition fails, handled with rollback: the loop's earlier work is undone too.
  DecisionFails: `
parameters: { N: Integer }
returns: String
body:
  - ${item('before')}
  - decision:
      if: "10 : $N > 1"
      then: [ { return: "'big'" } ]
      else: [ { return: "'small'" } ]
    onError:
      customWithRollback:
        - ${item('in-handler')}
        - return: "'failed: ' + $latestError/Message"`,
  // A value the commit refuses (String(20) overflow: Kiln checks lengths itself, on every database
  // alike). The data layer's own tests cover a statement the database refuses inside a savepoint.
  DbError: `
body:
  - ${item('a')}
  - create: { entity: Shop.Item, set: { Name: "'too long'", Code: "'0123456789012345678901234567890'" }, commit: true, into: X }
    onError:
      customWithoutRollback:
        - { create: { entity: Shop.Log, set: { Message: "'db: ' + $latestError/Message" }, commit: true, into: L } }
  - ${item('after')}`,
  DbErrorWithRollback: `
body:
  - ${item('a')}
  - create: { entity: Shop.Item, set: { Name: "'too long'", Code: "'0123456789012345678901234567890'" }, commit: true, into: X }
    onError:
      customWithRollback:
        - ${item('handler')}`,
  // onError: continue on the loop itself (Mendix's loop error handling): a failing iteration is undone, the loop goes on.
  LoopIterations: `
body:
  - createList: { entity: Shop.Item, into: Items }
  - create: { entity: Shop.Item, set: { Name: "'one'" }, into: A }
  - create: { entity: Shop.Item, set: { Name: "''" }, into: B }
  - create: { entity: Shop.Item, set: { Name: "'three'" }, into: C }
  - changeList: { list: $Items, operation: add, value: $A }
  - changeList: { list: $Items, operation: add, value: $B }
  - changeList: { list: $Items, operation: add, value: $C }
  - loop:
      over: $Items
      as: It
      body:
        - { create: { entity: Shop.Log, set: { Message: "'visit:' + $It/Name" }, commit: true, into: L } }
        - commit: $It
    onError: continue
  - ${item('after')}`,
  WhileIterations: `
returns: Integer
body:
  - createVariable: { name: I, type: Integer, value: 0 }
  - while:
      condition: $I < 4
      body:
        - changeVariable: { name: I, value: $I + 1 }
        - { create: { entity: Shop.Item, set: { Name: "'w' + toString($I)" }, commit: true, into: W } }
        - decision: { if: "$I = 2", then: [ { createVariable: { name: X, type: Decimal, value: "1 : 0" } } ] }
    onError: continue
  - return: $I`,
};

const dialects = (process.env.KILN_TEST_DIALECTS ?? 'sqlite,postgres,mysql').split(',') as ('sqlite' | 'postgres' | 'mysql')[];

describe.each(dialects)('error handling on %s', (dialect) => {
  let app: LogicApp;
  beforeAll(async () => {
    app = await logicApp(dialect, MICROFLOWS);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  const run = (name: string) => app.engine.runMicroflow(`Shop.${name}`, {}, USER);
  const names = async () => (await app.rows('Shop.Item', 'name')).map((r) => r.name);
  const clear = async () => {
    for (const t of ['shop$item', 'shop$log']) await app.db.execute(`DELETE FROM "${t}"`, []);
  };

  it('rollback (default): everything is undone and the error reaches the caller with the stack', async () => {
    await clear();
    const e = await run('Default').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MicroflowError);
    expect((e as MicroflowError).message).toBe('failure in default');
    expect((e as MicroflowError).microflowStack).toEqual(['Shop.Default', 'Shop.Fail']);
    expect(await names()).toEqual([]);
  });

  it('custom with rollback: all work so far is undone, the handler and what follows are kept', async () => {
    await clear();
    await run('WithRollback');
    expect(await names()).toEqual(['after']);
    // The event handlers' rows for 'a' were undone with it; the handler's row and 'after' (with its events) remain.
    expect(await app.log()).toEqual(['failure in withRollback', 'beforeCommit:after', 'afterCommit:after']);
  });

  it('custom without rollback: only the failing call is undone', async () => {
    await clear();
    await run('WithoutRollback');
    expect(await names()).toEqual(['a', 'after']);
    expect(await app.log()).toEqual(['beforeCommit:a', 'afterCommit:a', 'failure in withoutRollback', 'beforeCommit:after', 'afterCommit:after']);
  });

  it('continue: the failing call is undone and the flow goes on', async () => {
    await clear();
    await run('Continue');
    expect(await names()).toEqual(['a', 'after']);
  });

  it('an error handler can end the microflow with a return value', async () => {
    await clear();
    expect((await run('ExpressionFails')).value).toBe('handled: createVariable: division by zero'.replace('createVariable: ', ''));
    expect(await names()).toEqual(['a']);
  });

  it('an error raised at depth unwinds the calls; the handler sees the message and the stack', async () => {
    await clear();
    expect((await run('Top')).value).toMatch(/substring: start position 5 is outside the string of length 3/);
    expect(await names()).toEqual(['top']);
    const stack = (await app.log()).find((m) => m.includes('at microflow'));
    expect(stack!.split('\n').map((l) => l.trim())).toEqual(['at microflow Shop.Deep', 'at microflow Shop.Mid', 'at microflow Shop.Top']);
  });

  it('continue inside a loop skips the failing iteration only', async () => {
    await clear();
    await run('LoopContinue');
    expect(await names()).toEqual(['one', 'three']);
  });

  it("'error: true' in a handler rethrows: the whole request is undone", async () => {
    await clear();
    await expect(run('Rethrow')).rejects.toThrow('failure in rethrow');
    expect(await names()).toEqual([]);
    expect(await app.log()).toEqual([]);
  });

  it('a before-commit handler returning false raises an error the microflow can handle', async () => {
    await clear();
    await run('Veto');
    expect(await names()).toEqual(['ok']);
    // The handler's own log row was undone with the failing activity; the error handler's row remains.
    expect(await app.log()).toEqual([
      'beforeCommit:ok',
      'afterCommit:ok',
      'commit of Shop.Item was cancelled: the event handler Shop.Item_BeforeCommit returned false',
    ]);
  });

  it('validation failures are catchable errors naming every failed rule', async () => {
    await clear();
    expect((await run('Invalid')).value).toBe('Shop.Item.Name: Name is required; Shop.Item.Qty: Qty cannot be negative');
    expect(await names()).toEqual([]);
  });
  it('combined: a rethrow from a sub-microflow handler undoes the sub-microflow, the caller keeps its work', async () => {
    await clear();
    const r = await run('CombinedTop');
    expect(await names()).toEqual(['customer', 'top-after']);
    // 'sub handled' was written inside the sub-microflow: undone with it.
    expect(await app.log()).toEqual([
      'beforeCommit:customer',
      'afterCommit:customer',
      'top handled: division by zero',
      'beforeCommit:top-after',
      'afterCommit:top-after',
    ]);
    // The client is told only about commits that stayed.
    expect(
      r.committed
        .filter((o) => o.entity === 'Shop.Item')
        .map((o) => o.values.get('Name'))
        .sort(),
    ).toEqual(['customer', 'top-after']);
  });

  it('custom with rollback inside a guarded call undoes only the sub-microflow', async () => {
    await clear();
    expect((await run('InnerRollbackTop')).value).toBe('handled in sub');
    expect(await names()).toEqual(['parent']);
    expect(await app.log()).toEqual(['beforeCommit:parent', 'afterCommit:parent', 'sub handler']);
  });

  it('custom with rollback, then a rethrow to a guarded call: the handler work after the rollback stays', async () => {
    await clear();
    await run('InnerRollbackRethrowTop');
    expect(await names()).toEqual(['parent', 'after']);
    expect(await app.log()).toEqual(['beforeCommit:parent', 'afterCommit:parent', 'sub handler', 'parent handler', 'beforeCommit:after', 'afterCommit:after']);
  });

  it('a failing decision with custom with rollback: everything before is undone, the handler goes on', async () => {
    await clear();
    expect((await app.engine.runMicroflow('Shop.DecisionFails', { N: 0 }, USER)).value).toBe('failed: division by zero');
    expect(await names()).toEqual(['in-handler']);
    await clear();
    expect((await app.engine.runMicroflow('Shop.DecisionFails', { N: 2 }, USER)).value).toBe('big');
    expect(await names()).toEqual(['before']);
  });
  it('a value the commit refuses is handled like any error; the transaction stays usable', async () => {
    await clear();
    await run('DbError');
    expect(await names()).toEqual(['a', 'after']);
    const log = await app.log();
    expect(log.filter((m) => m.startsWith('db: '))).toEqual(['db: value of Shop.Item.Code is 31 characters long; at most 20 are allowed']);
    await clear();
    await run('DbErrorWithRollback');
    expect(await names()).toEqual(['handler']);
  });
  it('continue on a loop: a failing iteration is undone, the loop goes on with the next', async () => {
    await clear();
    await run('LoopIterations');
    expect(await names()).toEqual(['one', 'three', 'after']);
    expect(await app.log()).toEqual([
      'visit:one',
      'beforeCommit:one',
      'afterCommit:one',
      'visit:three',
      'beforeCommit:three',
      'afterCommit:three',
      'beforeCommit:after',
      'afterCommit:after',
    ]);
    await clear();
    // Variables are not rolled back: the counter goes on after the failed pass.
    expect((await run('WhileIterations')).value).toBe(4);
    expect(await names()).toEqual(['w1', 'w3', 'w4']);
  });
});
