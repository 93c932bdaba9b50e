import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/data/index.js';
import { IdempotencyStore } from '../../src/client-api/idempotency.js';
import type { OperationRegistry } from '../../src/client-api/registry/types.js';
import { openContext } from '../../src/security/contexts.js';
import { freshDatabase, type DialectName, type TestDatabase } from '../support/databases.js';
import { authHeaders, login, salesCopy, startApp, type LoggedIn, type TestRuntime } from '../security/harness.js';

/**
 * Issue 14, item 5, over HTTP on examples/sales: a state-changing /xas/ call
 * sent with an Idempotency-Key is done once; a retry (after a lost answer, on
 * this or another instance, or sent while the first still runs) gets the
 * first answer again, from the database.
 */
interface Answer {
  status: number;
  text: string;
  replayed: boolean;
}
interface WireObject {
  objectType: string;
  guid: string;
  hash: string;
}

const DIALECTS: DialectName[] = ['postgres', 'sqlite'];

async function post(base: string, body: unknown, headers: Record<string, string>): Promise<Answer> {
  const res = await fetch(`${base}/xas/`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, text: await res.text(), replayed: res.headers.get('idempotent-replayed') === 'true' };
}

/** Sends the request and destroys the socket once it is written: the answer, whatever it is, is lost. */
function sendAndDrop(base: string, body: unknown, headers: Record<string, string>): Promise<void> {
  const text = JSON.stringify(body);
  const u = new URL(`${base}/xas/`);
  return new Promise((resolve) => {
    const req = httpRequest({
      host: u.hostname,
      port: u.port,
      path: u.pathname,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers },
    });
    req.on('error', () => resolve());
    req.end(text, () => {
      req.destroy();
      resolve();
    });
  });
}

describe.each(DIALECTS)('Idempotency-Key on %s', (dialect) => {
  let db: TestDatabase;
  let app: { dir: string; remove(): void };
  let t: TestRuntime;
  let registry: OperationRegistry;
  let database: Database;
  let manager: LoggedIn;
  let admin: LoggedIn;
  let n = 0;

  const createOp = () => registry.forButton('Sales.Order_Overview', 'ordersGrid', 0)!.id;
  const saveOp = () => registry.forButton('Sales.Order_Edit', 'orderView', 0)!.id;
  const confirmOp = () => registry.forButton('Sales.Order_Overview', 'ordersGrid', 2)!.id;
  const deleteOp = () => registry.forButton('Sales.Order_Overview', 'ordersGrid', 3)!.id;
  const orderCount = async () => Number(Object.values((await database.query('SELECT COUNT(*) AS n FROM "sales$order"', []))[0]!)[0]);
  const newKey = () => `test-${dialect}-${++n}-${Date.now()}`;
  const headers = (s: LoggedIn, key?: string) => ({ ...authHeaders(s), ...(key ? { 'idempotency-key': key } : {}) });
  const newOrder = async (s: LoggedIn): Promise<WireObject> => {
    const r = await post(t.url, { action: 'runtimeOperation', operationId: createOp(), params: {}, changes: {}, objects: [] }, authHeaders(s));
    expect(r.status).toBe(200);
    return (JSON.parse(r.text) as { objects: WireObject[] }).objects[0]!;
  };
  const saveBody = (o: WireObject, date = 0) => ({
    action: 'runtimeOperation',
    operationId: saveOp(),
    params: { Objects: { guids: [o.guid] } },
    objects: [o],
    changes: { [o.guid]: { OrderDate: { value: date } } },
  });
  const logIn = async (user: string, password: string) => {
    const l = await login(t.url, user, password);
    expect(l.status, `login ${user}`).toBe(200);
    return l.session!;
  };

  beforeAll(async () => {
    db = await freshDatabase(dialect);
    app = salesCopy();
    t = await startApp(app.dir, db.url);
    registry = t.rt.ctx.services.get('operations') as OperationRegistry;
    database = t.rt.ctx.services.get('db') as Database;
    manager = await logIn('manager', 'Manager123');
    admin = await logIn('admin2', 'Admin2-pass');
  }, 120000);
  afterAll(async () => {
    await t?.stop();
    await db?.drop();
    app?.remove();
  });

  it('does a commit sent twice with one key once: one row, the same answer, the second marked as replayed', async () => {
    const o = await newOrder(manager);
    const key = newKey();
    const before = await orderCount();
    const first = await post(t.url, saveBody(o), headers(manager, key));
    expect(first.status, first.text).toBe(200);
    expect(first.replayed).toBe(false);
    const second = await post(t.url, saveBody(o), headers(manager, key));
    expect(second.status).toBe(200);
    expect(second.replayed).toBe(true);
    expect(second.text).toBe(first.text);
    expect(await orderCount()).toBe(before + 1);
  });

  it('answers 422 for the same key with another request body, and writes nothing', async () => {
    const o = await newOrder(manager);
    const key = newKey();
    expect((await post(t.url, saveBody(o), headers(manager, key))).status).toBe(200);
    const before = await orderCount();
    const other = await newOrder(manager);
    const r = await post(t.url, saveBody(other, 86400000), headers(manager, key));
    expect(r.status).toBe(422);
    expect(JSON.parse(r.text)).toMatchObject({ error: 'this Idempotency-Key was used for a different request', field: 'Idempotency-Key' });
    expect(await orderCount()).toBe(before);
  });

  it("keeps keys per user: another user sending the same key gets its own answer, never the first user's", async () => {
    const key = newKey();
    const mine = await newOrder(manager);
    const first = await post(t.url, saveBody(mine), headers(manager, key));
    expect(first.status).toBe(200);
    const before = await orderCount();
    const theirs = await newOrder(admin);
    const r = await post(t.url, saveBody(theirs), headers(admin, key));
    expect(r.status, r.text).toBe(200);
    expect(r.replayed).toBe(false);
    expect(JSON.parse(r.text).commits).toEqual([theirs.guid]);
    expect(await orderCount()).toBe(before + 1);
    // The first user's own key still answers with the first answer.
    const again = await post(t.url, saveBody(mine), headers(manager, key));
    expect(again.text).toBe(first.text);
  });

  it('does the commit once when its answer is lost (socket destroyed after sending) and the client retries', async () => {
    const o = await newOrder(manager);
    const key = newKey();
    const before = await orderCount();
    await sendAndDrop(t.url, saveBody(o), headers(manager, key));
    // Whether the first attempt committed before the retry arrives or not, the retry does it once.
    for (let i = 0; i < 50 && (await orderCount()) === before; i++) await new Promise((r) => setTimeout(r, 20));
    const retry = await post(t.url, saveBody(o), headers(manager, key));
    expect(retry.status, retry.text).toBe(200);
    expect(JSON.parse(retry.text).commits).toEqual([o.guid]);
    const again = await post(t.url, saveBody(o), headers(manager, key));
    expect(again.replayed).toBe(true);
    expect(await orderCount()).toBe(before + 1);
  });

  it('does duplicates sent at once (the first still running) once: both answered alike, one row', async () => {
    const o = await newOrder(manager);
    const key = newKey();
    const before = await orderCount();
    const answers = await Promise.all([1, 2, 3].map(() => post(t.url, saveBody(o), headers(manager, key))));
    for (const a of answers) expect(a.status, a.text).toBe(200);
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    expect(answers.filter((a) => !a.replayed)).toHaveLength(1);
    expect(await orderCount()).toBe(before + 1);
  });

  it('remembers deletes: a retried delete answers as the first did', async () => {
    const o = await newOrder(manager);
    expect((await post(t.url, saveBody(o), authHeaders(manager))).status).toBe(200);
    const key = newKey();
    const body = { action: 'runtimeOperation', operationId: deleteOp(), params: { Objects: { guids: [o.guid] } }, changes: {}, objects: [] };
    const first = await post(t.url, body, headers(manager, key));
    expect(first.status, first.text).toBe(200);
    const second = await post(t.url, body, headers(manager, key));
    expect(second.replayed).toBe(true);
    expect(second.text).toBe(first.text);
  });

  it('remembers microflow calls: a retried call answers as the first did, in the same transaction as its commit', async () => {
    const o = await newOrder(manager);
    expect((await post(t.url, saveBody(o), authHeaders(manager))).status).toBe(200);
    const key = newKey();
    const body = { action: 'runtimeOperation', operationId: confirmOp(), params: { Order: { guid: o.guid } }, changes: {}, objects: [] };
    const first = await post(t.url, body, headers(manager, key));
    expect(first.status, first.text).toBe(200);
    expect(JSON.parse(first.text).actionResult).toEqual({ type: 'Primitive', value: true });
    const second = await post(t.url, body, headers(manager, key));
    expect(second.replayed).toBe(true);
    expect(second.text).toBe(first.text);
  });

  it('does not remember operations that write nothing (create)', async () => {
    const key = newKey();
    const create = { action: 'runtimeOperation', operationId: createOp(), params: {}, changes: {}, objects: [] };
    const a = await post(t.url, create, headers(manager, key));
    const b = await post(t.url, create, headers(manager, key));
    expect(b.replayed).toBe(false);
    expect(a.text).not.toBe(b.text);
  });

  it('refuses a malformed key with 400', async () => {
    const o = await newOrder(manager);
    const r = await post(t.url, saveBody(o), headers(manager, 'has spaces in it'));
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).field).toBe('Idempotency-Key');
  });

  it('forgets a key once it expired and deletes expired records at clean-up', async () => {
    let now = Date.now();
    const store = await IdempotencyStore.open(database, 1000, () => now);
    const user = { ...openContext(t.rt.ctx.model), userId: 1n };
    const id = store.recordId(user, newKey());
    const fp = store.fingerprint({ x: 1 });
    await database.transaction(async (tx) => {
      const once = store.once(id, fp);
      await once.claim(tx as never);
      await once.store(tx as never, 200, '{"ok":true}');
    });
    expect(await store.find(id, fp)).toEqual({ status: 200, body: '{"ok":true}' });
    now += 1001;
    expect(await store.cleanUp()).toBeGreaterThanOrEqual(1);
    expect(await store.find(id, fp)).toBeUndefined();
  });

  it.runIf(dialect === 'postgres')('answers a retry sent to another instance on the same database with the first answer', async () => {
    const other = await startApp(app.dir, db.url);
    try {
      const o = await newOrder(manager);
      const key = newKey();
      const before = await orderCount();
      const first = await post(t.url, saveBody(o), headers(manager, key));
      expect(first.status).toBe(200);
      const retry = await post(other.url, saveBody(o), headers(manager, key));
      expect(retry.status, retry.text).toBe(200);
      expect(retry.replayed).toBe(true);
      expect(retry.text).toBe(first.text);
      expect(await orderCount()).toBe(before + 1);
    } finally {
      await other.stop();
    }
  });
});
