import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDiagnostic, loadModel } from '../../src/model/index.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { writeApp } from '../support/app-folder.js';
import { startApp, type TestRuntime } from '../security/harness.js';

/**
 * Path parameters in a published REST service's location (Mendix's service
 * parameters): `rest/{Tenant}/shop/v1` passes the segment to every operation's
 * microflow that takes a parameter of that name, converted as an operation's
 * own path parameters are; the OpenAPI document makes it a server variable;
 * `kiln check` refuses one the operation path repeats or the first segment.
 */
const FILES: Record<string, string> = {
  'app.yaml': 'name: T\nmodules: [Shop]\n',
  'modules/Shop/domain-model.yaml': 'entities: {}\n',
  'modules/Shop/microflows/Item.yaml':
    'parameters: { Tenant: String, Number: Integer }\nreturns: String\nbody:\n  - return: "$Tenant + \'/\' + toString($Number)"\n',
  'modules/Shop/microflows/Ping.yaml': 'returns: String\nbody:\n  - return: "\'pong\'"\n',
  'modules/Shop/microflows/Year.yaml': 'parameters: { Year: Integer }\nreturns: Integer\nbody:\n  - return: $Year + 1\n',
  'modules/Shop/rest/Shop.yaml': `location: rest/{Tenant}/shop/v1
resources:
  items:
    operations:
      - { method: GET, path: "{Number}", microflow: Item }
  ping:
    operations:
      - { method: GET, microflow: Ping }
`,
  'modules/Shop/rest/Years.yaml': `location: rest/years/{Year}
resources:
  next:
    operations:
      - { method: GET, microflow: Year }
`,
};

describe('path parameters in a REST service location', () => {
  let db: TestDatabase;
  let t: TestRuntime;
  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startApp(writeApp(FILES), db.url);
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    await db?.drop();
  });

  it('passes the location segment to the operations whose microflow takes it', async () => {
    const r = await fetch(`${t.url}/rest/acme%20ltd/shop/v1/items/7`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('acme ltd/7');
    expect(await (await fetch(`${t.url}/rest/other/shop/v1/ping`)).text()).toBe('pong');
    expect(await (await fetch(`${t.url}/rest/years/2024/next`)).text()).toBe('2025');
    const bad = await fetch(`${t.url}/rest/years/soon/next`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'Year' });
    expect((await fetch(`${t.url}/rest/acme/shop/v2/ping`)).status).toBe(404);
  });

  it('documents the location parameter as a variable of the server URL in a valid OpenAPI document', async () => {
    const r = await fetch(`${t.url}/rest-doc/rest/{Tenant}/shop/v1/openapi.json`);
    expect(r.status).toBe(200);
    const doc = (await r.json()) as { servers: unknown[]; paths: Record<string, { get: { parameters?: { name: string }[] } }> };
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeTruthy();
    expect(doc.servers).toEqual([{ url: '/rest/{Tenant}/shop/v1', variables: { Tenant: { default: 'Tenant', description: 'path parameter Tenant' } } }]);
    expect(doc.paths['/items/{Number}']!.get.parameters!.map((p) => p.name)).toEqual(['Number']);
  });
});

describe('kiln check: location parameters', () => {
  it('locates a location parameter the operation path repeats, one in the first segment and two locations alike but for names', async () => {
    const { diagnostics } = await loadModel(
      writeApp({
        ...FILES,
        'modules/Shop/rest/Twice.yaml':
          'location: rest/{Tenant}/twice\nresources:\n  items:\n    operations:\n      - { method: GET, path: "{Tenant}", microflow: Ping }\n',
        'modules/Shop/rest/First.yaml': 'location: "{Tenant}/first"\nresources:\n  items:\n    operations:\n      - { method: GET, microflow: Ping }\n',
        'modules/Shop/rest/Same.yaml': 'location: rest/{Other}/shop/v1\nresources:\n  items:\n    operations:\n      - { method: GET, microflow: Ping }\n',
      }),
    );
    const text = diagnostics.map(formatDiagnostic).join('\n');
    expect(text).toContain('Twice.yaml:5 resources.items.operations.0.path: path parameter {Tenant} appears twice (the location has it)');
    expect(text).toContain("First.yaml:1 location: location '{Tenant}/first' must be path segments");
    // Locations that differ only in their parameters' names answer the same URLs.
    expect(text).toContain("Shop.yaml:1 location: location 'rest/{Tenant}/shop/v1' is already used by the service Shop.Same");
  });
});
