import { describe, expect, it } from 'vitest';
import { formatDiagnostic, loadModel } from '../../src/model/index.js';
import { writeApp } from '../support/app-folder.js';

/** `kiln check` on published OData services: every problem located in its file, line and path. */
const APP = 'name: T\nmodules: [Shop]\nsecurity:\n  level: production\n  userRoles: { U: [Shop.User] }\n';
const DOMAIN = `moduleRoles: [User]
entities:
  Item:
    attributes: { Name: String, Price: Decimal, Secret: HashedString, Picture: Binary }
    access: [{ roles: [User], create: true, read: "*", write: "*" }]
  Tag:
    attributes: { Label: String }
  Draft:
    persistable: false
    attributes: { Note: String }
  Other:
    attributes: { X: String }
associations:
  Item_Tag: { type: ReferenceSet, parent: Item, child: Tag }
  Other_Item: { type: Reference, parent: Other, child: Item }
  Tag_Tag: { type: Reference, parent: Tag, child: Tag }
`;
const files = (service: string) => ({
  'app.yaml': APP,
  'modules/Shop/domain-model.yaml': DOMAIN,
  'modules/Shop/odata/Catalog.yaml': service,
  'modules/Shop/microflows/Count.yaml': 'parameters: { Min: Decimal }\nreturns: Integer\nbody:\n  - return: 1\n',
  'modules/Shop/microflows/Save.yaml': 'parameters: { Item: Shop.Item }\nbody: []\n',
  'modules/Shop/microflows/Tags.yaml': 'returns: List of Shop.Tag\nbody:\n  - return: empty\n',
});

describe('kiln check: published OData services', () => {
  it('compiles a correct service: location, properties, navigations both ways, capabilities', async () => {
    const { model, diagnostics } = await loadModel(
      writeApp(
        files(`authentication: [basic]
allowedRoles: [User]
entitySets:
  Items:
    entity: Item
    associations: { Item_Tag: Tags }
    capabilities: { insertable: true }
  Tags:
    entity: Tag
    exposedName: Label
    associations: { Item_Tag: Items }
`),
      ),
    );
    expect(diagnostics.map(formatDiagnostic)).toEqual([]);
    const svc = model!.odataServices!.get('Shop.Catalog')!;
    expect(svc.location).toBe('odata/catalog/v1');
    const [items, tags] = svc.sets;
    expect(items!.properties.map((p) => p.name)).toEqual(['Name', 'Price']);
    expect(items!.navigations).toEqual([{ name: 'Tags', association: 'Shop.Item_Tag', target: 'Tags', fromParent: true, collection: true }]);
    expect(tags!.navigations).toEqual([{ name: 'Items', association: 'Shop.Item_Tag', target: 'Items', fromParent: false, collection: true }]);
    expect(tags!.typeName).toBe('Label');
    expect(items!.capabilities).toEqual({ readable: true, insertable: true, updatable: false, deletable: false, countable: true, topSkip: true });
  });

  it('reports each problem at its line and path', async () => {
    const { diagnostics } = await loadModel(
      writeApp(
        files(`location: rest-doc/x
authentication: [session]
entitySets:
  Items:
    entity: Item
    attributes: [Name, Colour, Secret]
    associations: { Item_Tag: Tags, Other_Item: Others, Tag_Tag: Self, Nope: N }
  Drafts: { entity: Draft }
  Missing: { entity: Ghost }
  Items2: { entity: Item, exposedName: Item }
  Bad: { entity: Item, pageSize: 0 }
actions:
  Count: { microflow: Count }
  Save: { microflow: Save }
  Tags: { microflow: Tags }
  Items: { microflow: Nope }
`),
      ),
    );
    const f = 'modules/Shop/odata/Catalog.yaml';
    expect(diagnostics.map(formatDiagnostic)).toEqual(
      expect.arrayContaining([
        `${f}:1 location: location must not start with 'rest-doc/': that path belongs to the runtime`,
        `${f}:2 authentication: a service that requires authentication needs allowedRoles: the module roles that may call it`,
        `${f}:6 entitySets.Items.attributes.1: Shop.Item has no attribute 'Colour'`,
        `${f}:6 entitySets.Items.attributes.2: HashedString attribute 'Secret' cannot be published`,
        `${f}:7 entitySets.Items.associations.Item_Tag: Shop.Tag (the other end of Shop.Item_Tag) is not published in this service: add an entity set for it`,
        `${f}:7 entitySets.Items.associations.Other_Item: Shop.Other (the other end of Shop.Other_Item) is not published in this service: add an entity set for it`,
        `${f}:7 entitySets.Items.associations.Tag_Tag: Shop.Tag_Tag associates Shop.Tag with itself: self-associations are not published yet`,
        `${f}:7 entitySets.Items.associations.Nope: unknown association 'Nope'`,
        `${f}:8 entitySets.Drafts.entity: Shop.Draft is not persistable: only persistable entities can be published`,
        `${f}:9 entitySets.Missing.entity: unknown entity 'Ghost'`,
        `${f}:10 entitySets.Items2.exposedName: the exposed name 'Item' is already used by the set Items`,
        `${f}:14 actions.Save.microflow: parameter Item of Shop.Save has type 'Shop.Item': an action takes primitive and enumeration parameters`,
        `${f}:15 actions.Tags.microflow: Shop.Tags returns Shop.Tag, which this service does not publish: add an entity set for it`,
        `${f}:16 actions.Items: 'Items' is already the name of an entity set`,
      ]),
    );
    expect(diagnostics.some((d) => d.path.startsWith('entitySets.Bad.pageSize'))).toBe(true);
    expect(diagnostics.some((d) => d.path.startsWith('actions.Count'))).toBe(false);
  });

  it('refuses a location a published REST service already takes: both kinds share one URL space', async () => {
    const { diagnostics } = await loadModel(
      writeApp({
        ...files('location: api/items\nentitySets:\n  Items: { entity: Item }\n'),
        'modules/Shop/rest/Items.yaml': 'location: API/items/\nresources:\n  items:\n    operations:\n      - { method: GET, microflow: Tags }\n',
      }),
    );
    expect(diagnostics.map(formatDiagnostic)).toContain(
      "modules/Shop/odata/Catalog.yaml:1 location: location 'api/items' is already used by the service Shop.Items",
    );
  });
});
