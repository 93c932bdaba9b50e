import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/data/index.js';
import type { MicroflowEngine } from '../../src/logic/engine/engine.js';
import { formatDiagnostic, loadModel } from '../../src/model/index.js';
import { SYSTEM_CONTEXT } from '../../src/security/user-context.js';
import { startJsonAnswerServer, type JsonAnswerServer } from '../support/json-answer-server.js';
import { freshDatabase, type DialectName, type TestDatabase } from '../support/databases.js';
import { writeApp } from '../support/app-folder.js';
import { startApp, type TestRuntime } from '../security/harness.js';

/**
 * Converter microflows on attribute mappings (Mendix's "convert using"): the
 * import runs the JSON value through the converter into the attribute, the
 * export the attribute's value through the converter into the JSON; both in
 * the mapping's session, over a published operation and callRest against a
 * real local server. A converter that writes makes a published GET run in a
 * transaction; the OpenAPI document shows the converter's side; `kiln check`
 * locates a converter of the wrong shape.
 */
const FILES: Record<string, string> = {
  'app.yaml': `name: T
modules: [Shop]
security:
  level: production
  userRoles: { User: [Shop.User] }
  demoUsers: [{ name: u1, password: "Passw0rd1", roles: [User] }]
`,
  'modules/Shop/domain-model.yaml': `moduleRoles: [User]
enumerations: { Status: { Open: Open, Done: Done } }
entities:
  Item:
    attributes: { Code: String, Price: Decimal, Status: Enumeration(Status) }
    access: [{ roles: [User], create: true, read: "*", write: "*" }]
  Seen:
    attributes: { Code: String }
    access: [{ roles: [User], create: true, read: "*", write: "*" }]
`,
  'modules/Shop/json-structures/ItemDoc.json': JSON.stringify({ code: 'abc', cents: 1250, status: 'open' }),
  // JSON carries lower-case codes and statuses and prices in cents; the objects upper-case codes, enumeration keys and decimals.
  'modules/Shop/mappings/ImportItem.yaml': `kind: import
structure: ItemDoc
entity: Item
commit: true
find: [Code]
attributes: { code: Code, cents: Price, status: Status }
convert: { code: CodeIn, cents: CentsToPrice, status: StatusIn }
`,
  'modules/Shop/mappings/ExportItem.yaml': `kind: export
structure: ItemDoc
entity: Item
attributes: { code: Code, cents: Price, status: Status }
convert: { code: CodeOut, cents: PriceToCents, status: StatusOut }
`,
  'modules/Shop/mappings/ExportItemNoted.yaml': `kind: export
structure: ItemDoc
entity: Item
attributes: { code: Code }
convert: { code: NoteCode }
`,
  'modules/Shop/mappings/ImportItemNoted.yaml': `kind: import
structure: ItemDoc
entity: Item
commit: true
find: [Code]
attributes: { code: Code }
convert: { code: NoteCode }
`,
  'modules/Shop/microflows/CodeIn.yaml': 'parameters: { Code: String }\nreturns: String\nbody:\n  - return: toUpperCase($Code)\n',
  'modules/Shop/microflows/CodeOut.yaml': 'parameters: { Code: String }\nreturns: String\nbody:\n  - return: toLowerCase($Code)\n',
  'modules/Shop/microflows/CentsToPrice.yaml': 'parameters: { Cents: Integer }\nreturns: Decimal\nbody:\n  - return: $Cents div 100\n',
  'modules/Shop/microflows/PriceToCents.yaml': 'parameters: { Price: Decimal }\nreturns: Integer\nbody:\n  - return: round($Price * 100)\n',
  'modules/Shop/microflows/StatusIn.yaml': `parameters: { Text: String }
returns: Shop.Status
body:
  - decision: { if: "$Text = 'done'", then: [{ return: Shop.Status.Done }], else: [{ return: Shop.Status.Open }] }
`,
  'modules/Shop/microflows/StatusOut.yaml': `parameters: { S: Shop.Status }
returns: String
body:
  - decision: { if: "$S = Shop.Status.Done", then: [{ return: "'done'" }], else: [{ return: "'open'" }] }
`,
  // A converter that writes: it records each code it converts.
  'modules/Shop/microflows/NoteCode.yaml': `parameters: { Code: String }
returns: String
body:
  - create: { entity: Shop.Seen, set: { Code: $Code }, commit: true, into: S }
  - return: $Code
`,
  'modules/Shop/microflows/Save.yaml': 'parameters: { Item: Shop.Item }\nreturns: Shop.Item\nbody:\n  - return: $Item\n',
  'modules/Shop/microflows/First.yaml': 'returns: Shop.Item\nbody:\n  - retrieve: { from: Shop.Item, sort: [Code], range: first, into: I }\n  - return: $I\n',
  'modules/Shop/microflows/Sync.yaml': `parameters: { Base: String }
returns: Shop.Item
body:
  - retrieve: { from: Shop.Item, sort: [Code], range: first, into: I }
  - callRest: { method: POST, location: "{1}/items", params: [$Base], headers: { Content-Type: "'application/json'" }, exportMapping: { mapping: ExportItem, value: $I }, response: { importMapping: ImportItem }, into: Back }
  - return: $Back
`,
  // callRest bodies through an export mapping whose converter reads, and through one whose converter writes.
  'modules/Shop/microflows/Peek.yaml': `parameters: { Base: String, I: Shop.Item }
returns: String
body:
  - callRest: { method: POST, location: "{1}/peek", params: [$Base], exportMapping: { mapping: ExportItem, value: $I }, into: A }
  - return: $A
`,
  'modules/Shop/microflows/PeekNoted.yaml': `parameters: { Base: String, I: Shop.Item }
returns: String
body:
  - callRest: { method: POST, location: "{1}/peek", params: [$Base], exportMapping: { mapping: ExportItemNoted, value: $I }, into: A }
  - return: $A
`,
  'modules/Shop/rest/Items.yaml': `authentication: [basic]
allowedRoles: [User]
resources:
  items:
    operations:
      - { method: POST, microflow: Save, import: { mapping: ImportItem }, export: { mapping: ExportItem } }
      - { method: GET, microflow: First, export: { mapping: ExportItem } }
      - { method: GET, path: noted, microflow: First, export: { mapping: ExportItemNoted } }
      - { method: POST, path: noted, microflow: Save, import: { mapping: ImportItemNoted }, export: { mapping: ExportItem } }
`,
};
const AUTH = { authorization: `Basic ${Buffer.from('u1:Passw0rd1').toString('base64')}`, 'content-type': 'application/json' };

describe.each(['sqlite', 'postgres'] as DialectName[])('converter microflows in mappings on %s', (dialect) => {
  let db: TestDatabase;
  let t: TestRuntime;
  let server: JsonAnswerServer;
  let base: string;
  beforeAll(async () => {
    db = await freshDatabase(dialect);
    t = await startApp(writeApp(FILES), db.url);
    server = await startJsonAnswerServer({ code: 'zed', cents: 99, status: 'done' });
    base = server.base;
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await t?.stop();
    await db?.drop();
  });
  const rows = async (sql: string) => (t.rt.ctx.services.get('db') as Database).query<Record<string, unknown>>(sql, []);

  it('converts a published body on the way in and the answer on the way out', async () => {
    const r = await fetch(`${t.url}/rest/items/v1/items`, {
      method: 'POST',
      headers: AUTH,
      body: JSON.stringify({ code: 'abc', cents: 1250, status: 'done' }),
    });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ code: 'abc', cents: 1250, status: 'done' });
    const stored = await rows('SELECT code, price, status FROM shop$item');
    expect(stored.map((x) => [x.code, Number(x.price), x.status])).toEqual([['ABC', 12.5, 'Done']]);
    // The key is found by its converted value: the same code in other case changes the one object.
    const again = await fetch(`${t.url}/rest/items/v1/items`, {
      method: 'POST',
      headers: AUTH,
      body: JSON.stringify({ code: 'ABC', cents: 300, status: 'open' }),
    });
    expect(await again.json()).toEqual({ code: 'abc', cents: 300, status: 'open' });
    expect(await rows('SELECT code FROM shop$item')).toHaveLength(1);
    expect(await (await fetch(`${t.url}/rest/items/v1/items`, { headers: AUTH })).json()).toEqual({ code: 'abc', cents: 300, status: 'open' });
  });

  it('refuses a JSON value the converter cannot take with 400 naming the place', async () => {
    const r = await fetch(`${t.url}/rest/items/v1/items`, { method: 'POST', headers: AUTH, body: JSON.stringify({ code: 'x', cents: 'ten' }) });
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ field: 'body.cents' });
  });

  it('runs the converters of callRest: the body through the export mapping, the answer through the import mapping', async () => {
    const engine = t.rt.ctx.services.get('microflows') as MicroflowEngine;
    server.received.length = 0;
    await engine.runMicroflow('Shop.Sync', { Base: base }, SYSTEM_CONTEXT);
    expect(server.received).toEqual([{ code: 'abc', cents: 300, status: 'open' }]);
    const stored = await rows('SELECT code, price, status FROM shop$item ORDER BY code');
    expect(stored.map((x) => [x.code, Number(x.price), x.status])).toEqual([
      ['ABC', 3, 'Open'],
      ['ZED', 0.99, 'Done'],
    ]);
  });

  it('runs a GET whose export converter writes in a transaction, and its writes stay', async () => {
    const engine = t.rt.ctx.services.get('microflows') as MicroflowEngine;
    expect(engine.mappingIsReadOnly('Shop.ExportItem')).toBe(true);
    expect(engine.mappingIsReadOnly('Shop.ExportItemNoted')).toBe(false);
    expect(engine.isReadOnly('Shop.Peek')).toBe(true);
    expect(engine.isReadOnly('Shop.PeekNoted')).toBe(false);
    const r = await fetch(`${t.url}/rest/items/v1/items/noted`, { headers: AUTH });
    expect(await r.json()).toEqual({ code: 'ABC' });
    expect(await rows('SELECT code FROM shop$seen')).toEqual([{ code: 'ABC' }]);
  });

  it('converts a key once: the value that finds the object is the value it gets', async () => {
    const r = await fetch(`${t.url}/rest/items/v1/items/noted`, { method: 'POST', headers: AUTH, body: JSON.stringify({ code: 'NEW' }) });
    expect(r.status).toBe(200);
    expect(await rows("SELECT code FROM shop$seen WHERE code = 'NEW'")).toEqual([{ code: 'NEW' }]);
  });

  it('documents the converter side of each value in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${t.url}/rest-doc/rest/items/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: { properties: Record<string, unknown> } }> }> }>>;
    };
    const props = doc.paths['/items']!.get!.responses['200']!.content!['application/json']!.schema.properties;
    expect(props.cents).toMatchObject({ type: 'integer' });
    expect(props.status).toMatchObject({ type: 'string' });
    expect(props.status).not.toHaveProperty('enum');
  });
});

describe('kiln check: converter microflows', () => {
  it('locates a converter that is unknown, of the wrong shape or of types that do not fit', async () => {
    const { diagnostics } = await loadModel(
      writeApp({
        ...FILES,
        'modules/Shop/microflows/Two.yaml': 'parameters: { A: String, B: String }\nreturns: String\nbody:\n  - return: $A\n',
        'modules/Shop/mappings/Broken.yaml': `kind: import
structure: ItemDoc
entity: Item
attributes: { code: Code, cents: Price, status: Status }
convert: { code: Two, cents: CodeIn, status: Nowhere, other: CodeIn }
`,
        'modules/Shop/mappings/BrokenOut.yaml': `kind: export
structure: ItemDoc
entity: Item
attributes: { cents: Price }
convert: { cents: CodeOut }
`,
      }),
    );
    const text = diagnostics.map(formatDiagnostic).join('\n');
    expect(text).toContain('Broken.yaml:5 convert.code: Shop.Two must have one parameter (the value to convert), not 2');
    expect(text).toContain('Broken.yaml:5 convert.cents: Shop.CodeIn returns String, but Shop.Item.Price is Decimal');
    expect(text).toContain('Broken.yaml:5 convert.cents: Shop.CodeIn takes String, but the structure has number at $.cents');
    expect(text).toContain("Broken.yaml:5 convert.status: unknown microflow 'Nowhere'");
    expect(text).toContain("Broken.yaml:5 convert.other: 'other' is not one of the mapped attributes");
    expect(text).toContain('BrokenOut.yaml:5 convert.cents: Shop.CodeOut takes String, but Shop.Item.Price is Decimal');
    expect(text).toContain('BrokenOut.yaml:5 convert.cents: Shop.CodeOut returns String, but the structure has number at $.cents');
  });
});
