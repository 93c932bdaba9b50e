import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationFailed } from '../../src/client-api/backend.js';
import { clientLogic } from '../../src/app/client-logic.js';
import { createObject } from '../../src/data/index.js';
import { createIdGenerator } from '../../src/data/ids-impl.js';
import type { MxObject } from '../../src/objects/mx-object.js';
import { logicApp, USER, type LogicApp } from './harness.js';

/** The service the client API calls: the same events and validation as microflows, and callMicroflow. */
const MICROFLOWS: Record<string, string> = {
  Bump: `
parameters: { It: Shop.Item, By: Integer }
returns: Integer
body:
  - change: { object: $It, set: { Qty: "$It/Qty + $By" } }
  - showMessage: { message: "bumped {1}", params: [$It/Name] }
  - validationFeedback: { object: $It, member: Qty, message: "check the quantity" }
  - return: $It/Qty`,
  AllItems: `
returns: List of Shop.Item
body:
  - retrieve: { from: Shop.Item, sort: [Name], into: L }
  - return: $L`,
};

describe('client logic (service "logic")', () => {
  let app: LogicApp;
  beforeAll(async () => {
    app = await logicApp('sqlite', MICROFLOWS);
  });
  afterAll(async () => {
    await app?.close();
  });

  const newItem = async (name: string, qty = 0): Promise<MxObject> => {
    const ids = await createIdGenerator(app.db, app.model);
    const o = await createObject(app.model, 'Shop.Item', ids, {});
    o.values.set('Name', name);
    o.values.set('Qty', qty);
    o.changed.add('Name');
    o.changed.add('Qty');
    return o;
  };

  it('a commit from the client runs before/after commit events and writes', async () => {
    const logic = clientLogic(app.engine);
    const a = await newItem('fromClient');
    await app.db.transaction((tx) => logic.commit(tx, USER, [a]));
    expect((await app.rows('Shop.Item', 'name')).map((r) => r.name)).toEqual(['fromClient']);
    expect(await app.log()).toEqual(['beforeCommit:fromClient', 'afterCommit:fromClient']);
  });

  it('validation failures come back as ValidationFailed with guid, member and message; nothing is written', async () => {
    const logic = clientLogic(app.engine);
    const bad = await newItem('', -5);
    const e = await app.db.transaction((tx) => logic.commit(tx, USER, [bad])).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ValidationFailed);
    expect((e as ValidationFailed).feedback).toEqual([
      { guid: bad.id.toString(), member: 'Name', message: 'Name is required' },
      { guid: bad.id.toString(), member: 'Qty', message: 'Qty cannot be negative' },
    ]);
    expect(await app.count('Shop.Item')).toBe(1);
  });

  it('after-create events run for objects the client creates', async () => {
    const logic = clientLogic(app.engine);
    const o = await newItem('x');
    await logic.afterCreate!(null, USER, o);
    expect(o.values.get('Name')).toBe('new');
  });

  it('delete from the client runs the delete events; a before-delete returning false refuses', async () => {
    const logic = clientLogic(app.engine);
    const keep = await newItem('keep');
    await app.db.transaction((tx) => logic.commit(tx, USER, [keep]));
    await expect(app.db.transaction((tx) => logic.delete(tx, USER, [keep]))).rejects.toMatchObject({
      status: 422,
      message: 'delete of Shop.Item was refused by an event handler',
      cause: { message: expect.stringContaining('returned false') },
    });
    expect((await app.rows('Shop.Item', 'name')).map((r) => r.name)).toContain('keep');
  });

  it('callMicroflow returns the value, the dirty objects, messages and feedback', async () => {
    const logic = clientLogic(app.engine);
    const it1 = await newItem('held', 2);
    const out = await app.db.transaction((tx) =>
      logic.callMicroflow(
        tx,
        USER,
        'Shop.Bump',
        new Map([
          ['It', { kind: 'object' as const, object: it1 }],
          ['By', { kind: 'value' as const, value: 3 }],
        ]),
      ),
    );
    expect(out.result).toEqual({ kind: 'value', value: 5 });
    expect(out.dirty).toContain(it1);
    expect(out.messages).toEqual([{ type: 'info', text: 'bumped held' }]);
    expect(out.feedback).toEqual([{ guid: it1.id.toString(), member: 'Qty', message: 'check the quantity' }]);
    const list = await app.db.transaction((tx) => logic.callMicroflow(tx, USER, 'Shop.AllItems', new Map()));
    expect(list.result?.kind).toBe('list');
  });
});
