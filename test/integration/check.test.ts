import { describe, expect, it } from 'vitest';
import { formatDiagnostic, loadModel } from '../../src/model/index.js';
import { writeApp } from '../support/app-folder.js';

/** `kiln check` on published REST services: every problem located in its file, line and path. */
async function check(files: Record<string, string>): Promise<string[]> {
  const { diagnostics } = await loadModel(writeApp(files));
  return diagnostics.map(formatDiagnostic);
}

const APP = 'name: T\nmodules: [Shop]\nsecurity:\n  level: production\n  userRoles: { U: [Shop.User] }\n';
const DOMAIN = `moduleRoles: [User]
enumerations: { Kind: { A: A, B: B } }
entities:
  Item:
    attributes: { Name: String, Price: Decimal, Kind: Enumeration(Kind) }
    access: [{ roles: [User], create: true, read: "*", write: "*" }]
`;
const MICROFLOWS = {
  'modules/Shop/microflows/GetItems.yaml':
    'parameters: { Kind: Shop.Kind, Max: Integer }\nreturns: List of Shop.Item\nbody:\n  - retrieve: { from: Shop.Item, into: L }\n  - return: $L\n',
  'modules/Shop/microflows/GetItem.yaml': 'parameters: { Id: Long }\nreturns: Shop.Item\nbody:\n  - return: empty\n',
  'modules/Shop/microflows/SaveItem.yaml': 'parameters: { Item: Shop.Item }\nbody: []\n',
};

function app(service: string): Record<string, string> {
  return { 'app.yaml': APP, 'modules/Shop/domain-model.yaml': DOMAIN, ...MICROFLOWS, 'modules/Shop/rest/Items.yaml': service };
}

describe('kiln check: published REST services', () => {
  it('accepts a correct service and compiles its bindings as Mendix binds them', async () => {
    const { model, diagnostics } = await loadModel(
      writeApp(
        app(`authentication: [basic]
allowedRoles: [User]
resources:
  items:
    operations:
      - { method: GET, microflow: GetItems, parameters: { Max: { source: header, name: X-Max } } }
      - { method: GET, path: "{Id}", microflow: GetItem }
      - { method: POST, microflow: SaveItem, import: { attributes: [Name], commit: true } }
`),
      ),
    );
    expect(diagnostics.map(formatDiagnostic)).toEqual([]);
    const svc = model!.restServices!.get('Shop.Items')!;
    expect(svc.location).toBe('rest/items/v1');
    const [list, one, save] = svc.operations;
    expect(list!.parameters.map((p) => [p.name, p.source, p.key])).toEqual([
      ['Kind', 'query', 'Kind'],
      ['Max', 'header', 'X-Max'],
    ]);
    expect(one!.parameters.map((p) => [p.name, p.source])).toEqual([['Id', 'path']]);
    expect(save!.parameters.map((p) => [p.name, p.source])).toEqual([['Item', 'body']]);
    expect(save!.importCommit).toBe(true);
  });

  it('reports each problem at its line and path', async () => {
    const out = await check(
      app(`location: xas/items
authentication: [basic]
resources:
  items:
    operations:
      - { method: GET, path: "{Nope}", microflow: GetItems }
      - { method: GET, microflow: Missing }
      - { method: GET, path: "a{b}", microflow: GetItem }
      - { method: DELETE, microflow: SaveItem }
      - { method: POST, microflow: SaveItem, import: { attributes: [Colour] } }
      - { method: GET, microflow: GetItems, parameters: { Kind: { source: body }, Other: { source: query } } }
`),
    );
    const f = 'modules/Shop/rest/Items.yaml';
    expect(out).toEqual(
      expect.arrayContaining([
        `${f}:1 location: location must not start with 'xas/': that path belongs to the runtime`,
        `${f}:2 authentication: a service that requires authentication needs allowedRoles: the module roles that may call it`,
        `${f}:6 resources.items.operations.0.path: path parameter {Nope} is not a parameter of Shop.GetItems`,
        `${f}:7 resources.items.operations.1.microflow: unknown microflow 'Missing'`,
        `${f}:8 resources.items.operations.2.path: 'a{b}': a path parameter is a whole segment between slashes, {Name}`,
        `${f}:9 resources.items.operations.3.microflow: a DELETE operation has no body for parameter Item`,
        `${f}:10 resources.items.operations.4.import.attributes.0: Shop.Item has no attribute 'Colour'`,
        `${f}:11 resources.items.operations.5.parameters.Other: Shop.GetItems has no parameter 'Other'`,
        `${f}:11 resources.items.operations.5.parameters.Kind: parameter Kind: a body is bound to an object, a list or a String`,
      ]),
    );
  });

  it('reports custom authentication without its microflow, and a microflow of the wrong shape', async () => {
    const f = 'modules/Shop/rest/Items.yaml';
    const missing = await check(
      app('authentication: [custom]\nallowedRoles: [User]\nresources:\n  items: { operations: [{ method: GET, microflow: GetItems }] }\n'),
    );
    expect(missing).toContain(`${f}:1 authentication: custom authentication needs authenticationMicroflow: the microflow that finds the user`);
    const wrong = await check(
      app(
        'authentication: [custom]\nauthenticationMicroflow: GetItem\nallowedRoles: [User]\nresources:\n  items: { operations: [{ method: GET, microflow: GetItems }] }\n',
      ),
    );
    expect(wrong).toEqual(
      expect.arrayContaining([
        `${f}:2 authenticationMicroflow: parameter Id of Shop.GetItem needs authenticationParameters.Id: { source: query | header }`,
        `${f}:2 authenticationMicroflow: Shop.GetItem must return a System.User (or a specialization of it), not 'Shop.Item'`,
      ]),
    );
  });

  it('reports operations that match the same requests, and schema violations', async () => {
    const out = await check(
      app(`resources:
  items:
    operations:
      - { method: GET, path: "{Id}", microflow: GetItem }
      - { method: GET, path: "{Id}", microflow: GetItem }
      - { method: HEAD, microflow: GetItem }
`),
    );
    const f = 'modules/Shop/rest/Items.yaml';
    expect(out.some((l) => l.startsWith(`${f}:5 resources.items.operations.1: GET items/{Id} matches the same requests as GET items/{Id}`))).toBe(true);
    expect(out.some((l) => l.startsWith(`${f}:6 resources.items.operations.2.method`))).toBe(true);
  });
});

describe('kiln check: mapped associations', () => {
  it('reports unknown associations, reference sets, wrong start entities and unknown attributes', async () => {
    const files = {
      'app.yaml': APP,
      'modules/Shop/domain-model.yaml': `${DOMAIN}  Tag:
    attributes: { Label: String }
associations:
  Item_Tag: { parent: Item, child: Tag }
  Item_Tags: { type: ReferenceSet, parent: Item, child: Tag }
  Tag_Item: { parent: Tag, child: Item }
`,
      ...MICROFLOWS,
      'modules/Shop/rest/Items.yaml': `resources:
  items:
    operations:
      - method: GET
        microflow: GetItems
        export: { associations: { Item_Tag: { attributes: [Colour] }, Item_Tags: {}, Tag_Item: {}, Nope: {} } }
      - { method: POST, microflow: SaveItem, import: { associations: { Item_Tag: { key: Label } } } }
`,
    };
    const out = await check(files);
    const f = 'modules/Shop/rest/Items.yaml:6 resources.items.operations.0.export.associations';
    expect(out).toEqual(
      expect.arrayContaining([
        `${f}.Item_Tag.attributes.0: Shop.Tag has no attribute 'Colour'`,
        `${f}.Item_Tags: Shop.Item_Tags is a reference set: only Reference associations are mapped`,
        `${f}.Tag_Item: Shop.Tag_Item does not start at Shop.Item`,
        `${f}.Nope: unknown association 'Nope'`,
      ]),
    );
    expect(out.filter((l) => l.includes('operations.1'))).toEqual([]);
  });
});
