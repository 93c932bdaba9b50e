import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitObjects, createObject, type Database, type IdGenerator } from '../../src/data/index.js';
import { setReference, setValue } from '../../src/objects/mx-object.js';
import { hashPassword } from '../../src/security/password.js';
import { SYSTEM_CONTEXT as USER_SYSTEM } from '../../src/security/user-context.js';
import { freshDatabase, type DialectName, type TestDatabase } from '../support/databases.js';
import { authHeaders, login, salesCopy, startApp, type TestRuntime } from '../security/harness.js';

/**
 * The published REST service of examples/sales (rest/orders/v1) over real
 * HTTP: routing, Basic and session authentication, roles, parameter binding,
 * the JSON import with commit, entity access per returned object, and the
 * OpenAPI document checked by a real validator with every path answering as
 * documented.
 */
const BASE = '/rest/orders/v1';
const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
const ALICE = basic('alice', 'Secret123');
const BOB = basic('bob', 'Secret123');
const MANAGER = basic('manager', 'Manager123');

describe.each(['sqlite', 'postgres'] as DialectName[])('published REST service on %s', (dialect) => {
  let db: TestDatabase;
  let app: { dir: string; remove(): void };
  let t: TestRuntime;
  const numbers = { alice: [] as bigint[], bob: [] as bigint[] };

  const call = async (method: string, path: string, headers: Record<string, string> = {}, body?: string) => {
    const res = await fetch(`${t.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json: json as never };
  };

  beforeAll(async () => {
    db = await freshDatabase(dialect);
    app = salesCopy();
    t = await startApp(app.dir, db.url);
    const model = t.rt.ctx.model;
    const database = t.rt.ctx.services.get('db') as Database;
    const ids = t.rt.ctx.services.get('ids') as IdGenerator;
    const roleRows = await database.query<{ id: unknown; name: string }>('SELECT "id", "name" FROM "system$userrole"', []);
    const customerRole = BigInt(String(roleRows.find((r) => r.name === 'Customer')!.id));
    const make = async (entity: string, values: Record<string, unknown>, refs: Record<string, bigint | bigint[]> = {}) => {
      const o = await createObject(model, entity, ids);
      for (const [k, v] of Object.entries(values)) setValue(o, k, v as never);
      for (const [k, v] of Object.entries(refs)) setReference(o, k, v);
      await database.transaction((tx) => commitObjects(tx, model, [o]));
      return o;
    };
    const hash = await hashPassword('Secret123', 4);
    for (const name of ['alice', 'bob']) {
      const c = await make('Sales.Customer', { Name: name, Password: hash, CompanyName: `${name} Ltd` }, { 'System.UserRoles': [customerRole] });
      for (const status of ['Draft', 'Confirmed']) {
        const o = await make('Sales.Order', { Status: status, InternalNote: `secret of ${name}` }, { 'Sales.Order_Customer': c.id });
        numbers[name as 'alice' | 'bob'].push(o.values.get('Number') as bigint);
      }
    }
    // A user with no role at all: authenticated, but not allowed to use the service.
    await make('Sales.Customer', { Name: 'nobody', Password: hash, CompanyName: 'Nobody Ltd' });
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    app?.remove();
    await db?.drop();
  });

  describe('routing and authentication', () => {
    it('asks for credentials without them (401 with a Basic challenge)', async () => {
      const r = await call('GET', `${BASE}/orders`);
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Basic realm="rest\/orders\/v1"/);
      expect(r.json).toEqual({ error: 'authentication required' });
    });

    it('refuses a wrong password, an unknown user and a malformed Basic header (401)', async () => {
      expect((await call('GET', `${BASE}/orders`, basic('alice', 'wrong'))).status).toBe(401);
      expect((await call('GET', `${BASE}/orders`, basic('ghost', 'Secret123'))).status).toBe(401);
      expect((await call('GET', `${BASE}/orders`, { authorization: 'Basic !!!' })).status).toBe(401);
    });

    it('refuses a user without an allowed role (403)', async () => {
      const r = await call('GET', `${BASE}/orders`, basic('nobody', 'Secret123'));
      expect(r.status).toBe(403);
    });

    it('answers 404 for an unknown path and 405 with Allow for an unknown method', async () => {
      expect((await call('GET', `${BASE}/customers`, ALICE)).status).toBe(404);
      expect((await call('GET', `${BASE}/orders/1/lines`, ALICE)).status).toBe(404);
      const r = await call('DELETE', `${BASE}/orders`, ALICE);
      expect(r.status).toBe(405);
      expect(r.headers.get('allow')).toBe('GET, POST');
    });

    it('accepts the active session only with its X-Csrf-Token', async () => {
      const s = (await login(t.url, 'manager', 'Manager123')).session!;
      expect((await call('GET', `${BASE}/orders`, { cookie: s.cookie })).status).toBe(401);
      expect((await call('GET', `${BASE}/orders`, { cookie: s.cookie, 'x-csrf-token': 'forged' })).status).toBe(401);
      const r = await call('GET', `${BASE}/orders`, authHeaders(s));
      expect(r.status).toBe(200);
      expect((r.json as unknown[]).length).toBeGreaterThanOrEqual(4);
    });
  });

  describe('CORS', () => {
    it('answers an allowed origin with its headers, a preflight with the methods, another origin with 403', async () => {
      const ok = await call('GET', `${BASE}/orders`, { ...ALICE, origin: 'https://shop.example' });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('access-control-allow-origin')).toBe('https://shop.example');
      const pre = await call('OPTIONS', `${BASE}/orders`, { origin: 'https://shop.example', 'access-control-request-method': 'POST' });
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
      expect(pre.headers.get('access-control-allow-headers')).toContain('Authorization');
      expect(pre.headers.get('access-control-max-age')).toBe('600');
      const evil = await call('GET', `${BASE}/orders`, { ...ALICE, origin: 'https://evil.example' });
      expect(evil.status).toBe(403);
      expect(evil.headers.get('access-control-allow-origin')).toBeNull();
      expect(evil.text).not.toContain('Number');
    });
  });

  describe('entity access on the answers', () => {
    it('gives a customer only its own orders, without the members it may not read', async () => {
      const r = await call('GET', `${BASE}/orders`, ALICE);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      const list = r.json as Record<string, unknown>[];
      expect(list.map((o) => BigInt(o.Number as number))).toEqual(numbers.alice);
      for (const o of list) {
        expect(Object.keys(o).sort()).toEqual(['Number', 'OrderDate', 'Order_Customer', 'Status', 'Total', 'createdDate'].sort());
        expect(o.Order_Customer).toEqual({ CompanyName: 'alice Ltd' });
        expect(r.text).not.toContain('secret of');
      }
    });

    it('gives a manager every order with every member', async () => {
      const r = await call('GET', `${BASE}/orders`, MANAGER);
      const list = r.json as Record<string, unknown>[];
      expect(list.length).toBeGreaterThanOrEqual(4);
      expect(list.find((o) => BigInt(o.Number as number) === numbers.bob[0])?.InternalNote).toBe('secret of bob');
    });

    it('answers 404 for an order of another customer, 200 for its own', async () => {
      expect((await call('GET', `${BASE}/orders/${numbers.bob[0]}`, ALICE)).status).toBe(404);
      const own = await call('GET', `${BASE}/orders/${numbers.alice[0]}`, ALICE);
      expect(own.status).toBe(200);
      expect((own.json as Record<string, unknown>).Status).toBe('Draft');
      expect((await call('GET', `${BASE}/orders/99999999`, ALICE)).status).toBe(404);
    });
  });

  describe('parameter binding', () => {
    it('binds a query parameter to an enumeration, refusing an unknown value (400 naming it)', async () => {
      const r = await call('GET', `${BASE}/orders?status=Confirmed`, BOB);
      expect((r.json as Record<string, unknown>[]).map((o) => o.Status)).toEqual(['Confirmed']);
      const bad = await call('GET', `${BASE}/orders?status=Lost`, BOB);
      expect(bad.status).toBe(400);
      expect(bad.json).toMatchObject({ field: 'status' });
    });

    it('binds a path parameter to a Long, refusing text (400)', async () => {
      const r = await call('GET', `${BASE}/orders/abc`, ALICE);
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ field: 'Number' });
      expect((await call('GET', `${BASE}/orders/%E0%A4%A`, ALICE)).status).toBe(400);
    });
  });

  describe('importing the body', () => {
    const json = { 'content-type': 'application/json' };

    it('creates and commits an order from JSON, linked to the caller, and answers it', async () => {
      const r = await call('POST', `${BASE}/orders`, { ...ALICE, ...json }, JSON.stringify({ OrderDate: '2024-05-01T10:00:00.000Z', Ignored: 1 }));
      expect(r.status).toBe(200);
      const created = r.json as Record<string, unknown>;
      expect(created.OrderDate).toBe('2024-05-01T10:00:00.000Z');
      expect(created.Status).toBeNull();
      const again = await call('GET', `${BASE}/orders/${created.Number}`, ALICE);
      expect(again.status).toBe(200);
      expect((await call('GET', `${BASE}/orders/${created.Number}`, BOB)).status).toBe(404);
    });

    it('finds the associated object of a nested JSON object by key, among those the caller can see', async () => {
      const mine = await call('POST', `${BASE}/orders`, { ...MANAGER, ...json }, JSON.stringify({ Total: 5, Order_Customer: { Name: 'bob' } }));
      expect(mine.status).toBe(200);
      const created = mine.json as Record<string, unknown>;
      const fromBob = await call('GET', `${BASE}/orders/${created.Number}`, BOB);
      expect(fromBob.status).toBe(200);
      expect((fromBob.json as Record<string, unknown>).Order_Customer).toEqual({ CompanyName: 'bob Ltd' });
      // alice cannot see bob: his name finds nothing (400), and nothing is kept
      const r = await call('POST', `${BASE}/orders`, { ...ALICE, ...json }, JSON.stringify({ Order_Customer: { Name: 'bob' } }));
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ field: 'body.Order_Customer' });
      const bad = await call('POST', `${BASE}/orders`, { ...ALICE, ...json }, JSON.stringify({ Order_Customer: 'bob' }));
      expect(bad.status).toBe(400);
    });

    it('refuses members the caller may not write (400) and keeps nothing', async () => {
      const before = ((await call('GET', `${BASE}/orders`, MANAGER)).json as unknown[]).length;
      const r = await call('POST', `${BASE}/orders`, { ...ALICE, ...json }, JSON.stringify({ Total: 1, OrderDate: '2024-05-01T10:00:00Z' }));
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ field: 'body.Total' });
      expect(((await call('GET', `${BASE}/orders`, MANAGER)).json as unknown[]).length).toBe(before);
    });

    it('answers a commit that the model refuses as 422', async () => {
      const r = await call('POST', `${BASE}/orders`, { ...MANAGER, ...json }, JSON.stringify({ Total: -5, OrderDate: '2024-05-01T10:00:00Z' }));
      expect(r.status).toBe(422);
      expect(r.json).toEqual({ error: 'commit of Sales.Order was refused by an event handler' });
    });

    it('refuses a body that is not JSON, a wrong content type and a wrong value (400)', async () => {
      expect((await call('POST', `${BASE}/orders`, { ...MANAGER, ...json }, '{"Total":')).status).toBe(400);
      expect((await call('POST', `${BASE}/orders`, { ...MANAGER, 'content-type': 'text/plain' }, '{}')).status).toBe(400);
      expect((await call('POST', `${BASE}/orders`, { ...MANAGER, ...json }, '[]')).status).toBe(400);
      const r = await call('POST', `${BASE}/orders`, { ...MANAGER, ...json }, JSON.stringify({ Total: 'lots' }));
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ field: 'body.Total' });
    });

    it('refuses a body above the server limit (413) without internals', async () => {
      const r = await call('POST', `${BASE}/orders`, { ...MANAGER, ...json }, JSON.stringify({ InternalNote: 'x'.repeat(1_100_000) }));
      expect(r.status).toBe(413);
      expect(r.text).not.toMatch(/at .*\.ts|stack/i);
    });
  });

  describe('consumed by a microflow', () => {
    // On SQLite transactions take turns: a microflow calling its own app over HTTP inside its transaction would wait for itself.
    it.runIf(dialect === 'postgres')("REST_FetchOrders calls the app's own service with Basic credentials and gets the caller's orders", async () => {
      const engine = t.rt.ctx.services.get('microflows')!;
      const system = { ...USER_SYSTEM };
      const r = await engine.runMicroflow('Sales.REST_FetchOrders', { BaseUrl: t.url, User: 'bob', Password: 'Secret123' }, system);
      const list = JSON.parse(String(r.value)) as Record<string, unknown>[];
      expect(list.map((o) => BigInt(o.Number as number))).toEqual(expect.arrayContaining(numbers.bob));
      expect(list.every((o) => (o.Order_Customer as { CompanyName: string }).CompanyName === 'bob Ltd')).toBe(true);
      const refused = await engine.runMicroflow('Sales.REST_FetchOrders', { BaseUrl: t.url, User: 'bob', Password: 'wrong' }, system);
      expect(refused.value).toBe('');
    });
  });

  describe('OpenAPI and documentation pages', () => {
    let doc: Record<string, unknown>;
    beforeAll(async () => {
      const r = await call('GET', `/rest-doc${BASE}/openapi.json`);
      expect(r.status).toBe(200);
      doc = r.json;
    });

    it('is a valid OpenAPI 3.0 document', async () => {
      const copy = structuredClone(doc);
      await expect(SwaggerParser.validate(copy as never)).resolves.toBeTruthy();
      expect(doc.openapi).toBe('3.0.3');
      expect(Object.keys(doc.paths as object).sort()).toEqual(['/orders', '/orders/{Number}']);
    });

    it('documents answers that the service gives (status and body schema)', async () => {
      const ajv = new Ajv({ strict: false, validateFormats: false });
      const resolved = (await SwaggerParser.dereference(structuredClone(doc) as never)) as unknown as Record<string, unknown>;
      const paths = resolved.paths as Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
      const samples: [string, string, string][] = [
        ['get', '/orders', `${BASE}/orders`],
        ['get', '/orders/{Number}', `${BASE}/orders/${numbers.alice[0]}`],
        ['get', '/orders/{Number}', `${BASE}/orders/99999999`],
      ];
      for (const [method, path, url] of samples) {
        for (const headers of [ALICE, {}]) {
          const r = await call(method.toUpperCase(), url, headers);
          const documented = paths[path]![method]!.responses[String(r.status)];
          expect(documented, `${method} ${url} answered ${r.status}`).toBeDefined();
          const schema = documented!.content?.['application/json']?.schema;
          if (schema) expect(ajv.validate(nullableToJsonSchema(schema) as object, r.json), `${url}: ${ajv.errorsText()}`).toBe(true);
        }
      }
    });

    it('serves /rest-doc/, the service page and /api-doc/ under the client policy, with no external resource', async () => {
      for (const path of ['/rest-doc/', `/rest-doc${BASE}/`, '/api-doc/']) {
        const r = await call('GET', path);
        expect(r.status).toBe(200);
        expect(r.headers.get('content-type')).toMatch(/^text\/html/);
        expect(r.headers.get('content-security-policy')).toContain("script-src 'self'");
        expect(r.text).not.toMatch(/https?:\/\//);
      }
      expect((await call('GET', '/api-doc/')).text).toContain(`/rest-doc${BASE}/openapi.json`);
      const js = await call('GET', '/rest-doc/doc.js');
      expect(js.status).toBe(200);
      expect(js.text).toContain("fetch('openapi.json'");
    });
  });
});

/** OpenAPI 3.0's `nullable` as JSON Schema (what Ajv checks). */
function nullableToJsonSchema(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(nullableToJsonSchema);
  if (!s || typeof s !== 'object') return s;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) if (k !== 'nullable') out[k] = nullableToJsonSchema(v);
  if ((s as { nullable?: boolean }).nullable && typeof out.type === 'string') out.type = [out.type, 'null'];
  return out;
}
