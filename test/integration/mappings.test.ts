import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/data/index.js';
import type { MicroflowEngine } from '../../src/logic/engine/engine.js';
import { formatDiagnostic, loadModel } from '../../src/model/index.js';
import { modelChecks } from '../../src/app/model-checks.js';
import { SYSTEM_CONTEXT } from '../../src/security/user-context.js';
import { startJsonAnswerServer, type JsonAnswerServer } from '../support/json-answer-server.js';
import { freshDatabase, type DialectName, type TestDatabase } from '../support/databases.js';
import { writeApp } from '../support/app-folder.js';
import { startApp, type TestRuntime } from '../security/harness.js';

/**
 * Import and export mappings declared from a JSON structure (a sample
 * document): nested objects and arrays over references, associations the
 * nested entity owns and reference sets, key matching, commit; used by a
 * published operation (body in, answer out, with the caller's entity access)
 * and by callRest (body from an export mapping, answer through an import
 * mapping) against a real local server; `kiln check` locates their mistakes.
 */
const SAMPLE = {
  number: 1,
  total: 9.5,
  placed: '2024-01-01T00:00:00Z',
  customer: { name: 'a', email: 'a@example.com' },
  lines: [{ product: 'p', qty: 1 }],
  tags: [{ label: 't' }],
};
const ORDER_MAPPING = (kind: 'import' | 'export', structure = 'OrderDoc') => `kind: ${kind}
structure: ${structure}
entity: Order
${kind === 'import' ? 'commit: true\nfind: [Number]\n' : ''}attributes: { number: Number, total: Total, placed: Placed }
children:
  customer:
    association: Order_Customer
    entity: Customer
${kind === 'import' ? '    find: [Name]\n' : ''}    attributes: { name: Name, email: Email }
  lines: { association: OrderLine_Order, entity: OrderLine, attributes: { product: Product, qty: Qty } }
  tags:
    association: Order_Tag
    entity: Tag
${kind === 'import' ? '    find: [Label]\n' : ''}    attributes: { label: Label }
`;
const APP = `name: T
modules: [Shop]
security:
  level: production
  userRoles: { User: [Shop.User], Guest: [Shop.Guest] }
  anonymousRole: Guest
  demoUsers: [{ name: u1, password: "Passw0rd1", roles: [User] }]
`;
const DOMAIN = `moduleRoles: [User, Guest]
entities:
  Customer:
    attributes: { Name: String, Email: String }
    access: [{ roles: [User], create: true, read: "*", write: "*" }, { roles: [Guest], read: [Name] }]
  Order:
    attributes: { Number: Integer, Total: Decimal, Placed: DateTime }
    access: [{ roles: [User], create: true, read: "*", write: "*" }, { roles: [Guest], read: [Number, Order_Customer] }]
  OrderLine:
    attributes: { Product: String, Qty: Integer }
    access: [{ roles: [User], create: true, read: "*", write: "*" }, { roles: [Guest], read: "*" }]
  Tag:
    attributes: { Label: String }
    access: [{ roles: [User], create: true, read: "*", write: "*" }]
associations:
  Order_Customer: { type: Reference, parent: Order, child: Customer }
  OrderLine_Order: { type: Reference, parent: OrderLine, child: Order }
  Order_Tag: { type: ReferenceSet, parent: Order, child: Tag }
`;
const FILES: Record<string, string> = {
  'app.yaml': APP,
  'modules/Shop/domain-model.yaml': DOMAIN,
  'modules/Shop/json-structures/OrderDoc.json': JSON.stringify(SAMPLE, null, 2),
  'modules/Shop/json-structures/OrderList.json': JSON.stringify([SAMPLE]),
  'modules/Shop/mappings/ImportOrder.yaml': ORDER_MAPPING('import'),
  'modules/Shop/mappings/ExportOrder.yaml': ORDER_MAPPING('export'),
  'modules/Shop/mappings/ExportOrders.yaml': ORDER_MAPPING('export', 'OrderList'),
  'modules/Shop/microflows/Save.yaml': 'parameters: { Order: Shop.Order }\nreturns: Shop.Order\nbody:\n  - return: $Order\n',
  'modules/Shop/microflows/All.yaml': 'returns: List of Shop.Order\nbody:\n  - retrieve: { from: Shop.Order, sort: [Number], into: L }\n  - return: $L\n',
  'modules/Shop/microflows/OneOrder.yaml':
    'parameters: { Number: Integer }\nreturns: Shop.Order\nbody:\n  - retrieve: { from: Shop.Order, xpath: "[Number = $Number]", range: first, into: O }\n  - return: $O\n',
  // Sends order 1 to the server through the export mapping and imports the server's answer.
  'modules/Shop/microflows/Sync.yaml': `parameters: { Base: String }
returns: Integer
body:
  - retrieve: { from: Shop.Order, xpath: "[Number = 1]", range: first, into: O }
  - callRest: { method: POST, location: "{1}/orders", params: [$Base], headers: { Content-Type: "'application/json'" }, exportMapping: { mapping: ExportOrder, value: $O }, response: { importMapping: ImportOrder }, into: Back }
  - return: $Back/Number
`,
  'modules/Shop/rest/Orders.yaml': `authentication: [basic]
allowedRoles: [User]
resources:
  orders:
    operations:
      - { method: POST, microflow: Save, import: { mapping: ImportOrder }, export: { mapping: ExportOrder } }
      - { method: GET, microflow: All, export: { mapping: ExportOrders } }
`,
  'modules/Shop/rest/Public.yaml': `resources:
  orders:
    operations:
      - { method: GET, microflow: All, export: { mapping: ExportOrders } }
      - { method: GET, path: "{Number}", microflow: OneOrder, export: { mapping: ExportOrder } }
`,
};
const AUTH = { authorization: `Basic ${Buffer.from('u1:Passw0rd1').toString('base64')}`, 'content-type': 'application/json' };

describe.each(['sqlite', 'postgres'] as DialectName[])('JSON mappings on %s', (dialect) => {
  let db: TestDatabase;
  let t: TestRuntime;
  let server: JsonAnswerServer;
  let base: string;
  beforeAll(async () => {
    db = await freshDatabase(dialect);
    t = await startApp(writeApp(FILES), db.url);
    server = await startJsonAnswerServer({
      number: 7,
      total: 1,
      placed: null,
      customer: { name: 'zed', email: 'z@z' },
      lines: [],
      tags: [{ label: 'x' }, { label: 'y' }],
    });
    base = server.base;
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await t?.stop();
    await db?.drop();
  });

  const order = {
    number: 1,
    total: 12.25,
    placed: '2024-05-01T10:00:00.000Z',
    customer: { name: 'alice', email: 'alice@example.com' },
    lines: [
      { product: 'pen', qty: 2 },
      { product: 'ink', qty: 1 },
    ],
    tags: [{ label: 'rush' }, { label: 'gift' }],
  };

  it('imports a nested body (objects, owned lists, reference sets), commits it and answers through the export mapping', async () => {
    const r = await fetch(`${t.url}/rest/orders/v1/orders`, { method: 'POST', headers: AUTH, body: JSON.stringify(order) });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual(order);
    const all = await fetch(`${t.url}/rest/orders/v1/orders`, { headers: AUTH });
    expect(await all.json()).toEqual([order]);
  });

  it('finds existing objects by their keys instead of creating new ones', async () => {
    const changed = { ...order, total: 20, customer: { name: 'alice', email: 'new@example.com' }, lines: [], tags: [{ label: 'gift' }] };
    const r = await fetch(`${t.url}/rest/orders/v1/orders`, { method: 'POST', headers: AUTH, body: JSON.stringify(changed) });
    expect(r.status).toBe(200);
    const database = t.rt.ctx.services.get('db') as Database;
    const count = async (table: string) => Number((await database.query<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${table}`, []))[0]!.n);
    expect(await count('shop$order')).toBe(1);
    expect(await count('shop$customer')).toBe(1);
    expect(await count('shop$tag')).toBe(2);
    const back = (await (await fetch(`${t.url}/rest/orders/v1/orders`, { headers: AUTH })).json()) as {
      total: number;
      customer: { email: string };
      lines: unknown[];
    }[];
    expect(back[0]).toMatchObject({ total: 20, customer: { email: 'new@example.com' } });
    // The order's old lines still point at it: an import adds and changes, it deletes nothing.
    expect(back[0]!.lines).toHaveLength(2);
  });

  it('shows an anonymous caller only the members and objects its entity access allows', async () => {
    const r = await fetch(`${t.url}/rest/public/v1/orders`);
    // Guest may not read Total, Placed, Customer.Email nor the Order_Tag member: those keys are left out.
    expect(await r.json()).toEqual([
      {
        number: 1,
        customer: { name: 'alice' },
        lines: [
          { product: 'pen', qty: 2 },
          { product: 'ink', qty: 1 },
        ],
      },
    ]);
    expect((await fetch(`${t.url}/rest/public/v1/orders/99`)).status).toBe(404);
  });

  it('documents the mapped JSON in a valid OpenAPI document, and the answers match it', async () => {
    const doc = (await (await fetch(`${t.url}/rest-doc/rest/orders/v1/openapi.json`)).json()) as Record<string, unknown>;
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeTruthy();
    const resolved = (await SwaggerParser.dereference(structuredClone(doc) as never)) as unknown as {
      paths: Record<
        string,
        Record<
          string,
          { requestBody?: { content: Record<string, { schema: unknown }> }; responses: Record<string, { content?: Record<string, { schema: unknown }> }> }
        >
      >;
    };
    const ajv = new Ajv({ strict: false, validateFormats: false });
    const listSchema = resolved.paths['/orders']!.get!.responses['200']!.content!['application/json']!.schema;
    const answer = await (await fetch(`${t.url}/rest/orders/v1/orders`, { headers: AUTH })).json();
    expect(ajv.validate(listSchema as object, answer), ajv.errorsText()).toBe(true);
    const bodySchema = resolved.paths['/orders']!.post!.requestBody!.content['application/json']!.schema as { properties: Record<string, unknown> };
    expect(Object.keys(bodySchema.properties)).toEqual(['number', 'total', 'placed', 'customer', 'lines', 'tags']);
  });

  it('refuses a body that does not fit the mapping with 400 naming the place', async () => {
    const bad = { ...order, lines: [{ product: 'pen', qty: 'two' }] };
    const r = await fetch(`${t.url}/rest/orders/v1/orders`, { method: 'POST', headers: AUTH, body: JSON.stringify(bad) });
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ field: 'body.lines.0.qty' });
  });

  it('sends a body from an export mapping with callRest and imports the answer through an import mapping', async () => {
    const engine = t.rt.ctx.services.get('microflows') as MicroflowEngine;
    server.received.length = 0;
    const r = await engine.runMicroflow('Shop.Sync', { Base: base }, SYSTEM_CONTEXT);
    expect(server.received).toEqual([expect.objectContaining({ number: 1, customer: { name: 'alice', email: 'new@example.com' } })]);
    expect(r.value).toBe(7);
    const database = t.rt.ctx.services.get('db') as Database;
    const names = await database.query<{ name: string }>('SELECT name FROM shop$customer ORDER BY name', []);
    expect(names.map((n) => n.name)).toEqual(['alice', 'zed']);
    const tags = await database.query<{ label: string }>('SELECT label FROM shop$tag ORDER BY label', []);
    expect(tags.map((x) => x.label)).toEqual(['gift', 'rush', 'x', 'y']);
  });
});

describe('kiln check: mappings', () => {
  it('locates a callRest that uses a mapping of the wrong kind or exports a value of the wrong type', async () => {
    const { diagnostics } = await loadModel(
      writeApp({
        ...FILES,
        'modules/Shop/microflows/Wrong.yaml': `parameters: { Base: String, C: Shop.Customer }
body:
  - callRest: { method: POST, location: "{1}", params: [$Base], exportMapping: { mapping: ExportOrder, value: $C }, response: { importMapping: ExportOrder }, into: X }
`,
      }),
      { checks: modelChecks() },
    );
    const text = diagnostics.map(formatDiagnostic).join('\n');
    expect(text).toContain('Wrong.yaml:3 body.0.callRest.exportMapping.value: Shop.ExportOrder exports Shop.Order, not Shop.Customer');
    expect(text).toContain('Wrong.yaml:3 body.0.callRest.response.importMapping: Shop.ExportOrder is an export mapping: an import mapping is needed here');
  });

  it('locates a key that is not in the structure, a type mismatch and an array over a single reference', async () => {
    const { diagnostics } = await loadModel(
      writeApp({
        ...FILES,
        'modules/Shop/mappings/Broken.yaml': `kind: import
structure: OrderDoc
entity: Order
attributes: { nmber: Number, total: Placed }
children:
  customer: { association: Order_Customer, entity: Customer, attributes: { name: Email, qty: Name } }
  lines: { association: Order_Customer, entity: Customer }
`,
      }),
    );
    const text = diagnostics.map(formatDiagnostic).join('\n');
    expect(text).toContain("Broken.yaml:4 attributes.nmber: 'nmber' is not in the JSON structure at $ (it has number, total, placed, customer, lines, tags)");
    expect(text).toContain('Broken.yaml:4 attributes.total: Shop.Order.Placed is DateTime, but the structure has number at $.total');
    expect(text).toContain("attributes.qty: 'qty' is not in the JSON structure at $.customer");
    expect(text).toMatch(/children\.lines\.association: \$\.lines is an array, but Shop\.Order holds one Shop\.Customer/);
  });
});
