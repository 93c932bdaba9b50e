import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitObjects, createObject, type Database, type IdGenerator } from '../../src/data/index.js';
import { setReference, setValue } from '../../src/objects/mx-object.js';
import { writeApp } from '../support/app-folder.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { startApp, type TestRuntime } from '../security/harness.js';

/**
 * Entity access on an anonymous OData service with two roles' worth of rules:
 * a navigation the caller may not read cannot be expanded or filtered on
 * (403), nor can an attribute readable on some objects only; rows a rule's
 * XPath hides are not counted.
 */
const FILES: Record<string, string> = {
  'app.yaml': `name: T
modules: [Shop]
security:
  level: production
  userRoles: { Guest: [Shop.Guest], Clerk: [Shop.Clerk] }
  anonymousRole: Guest
  demoUsers: [{ name: clerk, password: "Passw0rd1", roles: [Clerk] }]
`,
  'modules/Shop/domain-model.yaml': `moduleRoles: [Guest, Clerk]
entities:
  Item:
    attributes: { Name: String, Price: Decimal, Hidden: Boolean }
    access:
      - { roles: [Guest], read: [Name, Price], xpath: "[Hidden = false()]" }
      - { roles: [Guest], read: [Name] , xpath: "[Hidden = true()][Name = 'teaser']" }
      - { roles: [Clerk], read: "*" }
  Maker:
    attributes: { Name: String }
    access:
      - { roles: [Guest, Clerk], read: "*" }
  Tag:
    attributes: { Label: String }
    access:
      - { roles: [Guest, Clerk], read: "*", write: "*", create: true }
  Box:
    attributes: { Code: String }
    access:
      - { roles: [Guest, Clerk], read: "*", write: "*", create: true }
associations:
  Item_Maker: { type: Reference, parent: Item, child: Maker }
  Box_Tag: { type: ReferenceSet, parent: Box, child: Tag }
`,
  'modules/Shop/odata/Shop.yaml': `entitySets:
  Items: { entity: Item, associations: { Item_Maker: Maker } }
  Makers: { entity: Maker, associations: { Item_Maker: Items } }
  Boxes: { entity: Box, associations: { Box_Tag: Tags }, capabilities: { insertable: true, updatable: true } }
  Tags: { entity: Tag, associations: { Box_Tag: Boxes } }
`,
};

describe('OData entity access on a service without authentication', () => {
  let db: TestDatabase;
  let t: TestRuntime;
  let tagIds: Record<string, bigint> = {};
  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startApp(writeApp(FILES), db.url);
    const model = t.rt.ctx.model;
    const database = t.rt.ctx.services.get('db') as Database;
    const ids = t.rt.ctx.services.get('ids') as IdGenerator;
    const maker = await createObject(model, 'Shop.Maker', ids);
    setValue(maker, 'Name', 'Acme');
    await database.transaction((tx) => commitObjects(tx, model, [maker]));
    const tags: Record<string, bigint> = {};
    for (const label of ['red', 'green', 'blue']) {
      const tg = await createObject(model, 'Shop.Tag', ids);
      setValue(tg, 'Label', label);
      await database.transaction((tx) => commitObjects(tx, model, [tg]));
      tags[label] = tg.id;
    }
    for (const [code, labels] of [
      ['b1', ['red', 'green']],
      ['b2', ['green']],
      ['b3', []],
    ] as const) {
      const b = await createObject(model, 'Shop.Box', ids);
      setValue(b, 'Code', code);
      setReference(
        b,
        'Shop.Box_Tag',
        labels.map((l) => tags[l]!),
      );
      await database.transaction((tx) => commitObjects(tx, model, [b]));
    }
    tagIds = tags;
    for (const [name, hidden] of [
      ['a', false],
      ['b', false],
      ['teaser', true],
      ['secret', true],
    ] as const) {
      const o = await createObject(model, 'Shop.Item', ids);
      setValue(o, 'Name', name);
      setValue(o, 'Hidden', hidden);
      setReference(o, 'Shop.Item_Maker', maker.id);
      await database.transaction((tx) => commitObjects(tx, model, [o]));
    }
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    await db?.drop();
  });
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const r = await fetch(`${t.url}/odata/shop/v1/${path}`, { headers });
    return { status: r.status, json: (await r.json()) as { value?: Record<string, unknown>[]; error?: { message: string }; '@odata.count'?: number } };
  };

  it('answers the anonymous user only the rows and members its rules give, per object', async () => {
    const r = await get('Items?$orderby=Name&$count=true');
    expect(r.status).toBe(200);
    expect(r.json['@odata.count']).toBe(3);
    expect(r.json.value!.map((x) => [x.Name, 'Price' in x])).toEqual([
      ['a', true],
      ['b', true],
      ['teaser', false],
    ]);
  });

  it('refuses to filter or order on a member readable on some objects only, and to expand an unreadable navigation (403)', async () => {
    expect((await get(`Items?$filter=${encodeURIComponent('Price gt 0')}`)).status).toBe(403);
    expect((await get('Items?$orderby=Price')).status).toBe(403);
    expect((await get(`Items?$filter=${encodeURIComponent('Hidden eq true')}`)).status).toBe(403);
    const e = await get('Items?$expand=Maker');
    expect(e.status).toBe(403);
    expect(e.json.error?.message).toMatch(/Maker/);
    expect((await get(`Makers?$filter=${encodeURIComponent("Items/any(i: i/Name eq 'secret')")}`)).status).toBe(403);
  });

  it('expands, filters and follows a reference set from both sides, and binds it on insert', async () => {
    const boxes = await get('Boxes?$orderby=Code&$select=Code&$expand=Tags($select=Label;$orderby=Label)');
    expect(boxes.status).toBe(200);
    expect(boxes.json.value!.map((b) => [b.Code, (b.Tags as { Label: string }[]).map((x) => x.Label)])).toEqual([
      ['b1', ['green', 'red']],
      ['b2', ['green']],
      ['b3', []],
    ]);
    const tags = await get(`Tags?$orderby=Label&$select=Label&$expand=${encodeURIComponent('Boxes($select=Code;$orderby=Code desc;$count=true)')}`);
    expect(tags.json.value!.map((x) => [x.Label, x['Boxes@odata.count'], (x.Boxes as { Code: string }[]).map((b) => b.Code)])).toEqual([
      ['blue', 0, []],
      ['green', 2, ['b2', 'b1']],
      ['red', 1, ['b1']],
    ]);
    const anyRed = await get(`Boxes?$filter=${encodeURIComponent("Tags/any(t: t/Label eq 'red')")}&$select=Code`);
    expect(anyRed.json.value!.map((b) => b.Code)).toEqual(['b1']);
    const viaPath = await get(`Tags(${tagIds.green})/Boxes?$orderby=Code&$select=Code`);
    expect(viaPath.json.value!.map((b) => b.Code)).toEqual(['b1', 'b2']);
    const created = await fetch(`${t.url}/odata/shop/v1/Boxes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json;IEEE754Compatible=true' },
      body: JSON.stringify({ Code: 'b4', 'Tags@odata.bind': [`Tags(${tagIds.blue})`, `Tags(${tagIds.red})`] }),
    });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { ID: string }).ID;
    const back = await get(`Boxes(${id})?$expand=${encodeURIComponent('Tags($orderby=Label;$select=Label)')}`);
    expect((back.json as unknown as { Tags: { Label: string }[] }).Tags.map((x) => x.Label)).toEqual(['blue', 'red']);
  });

  it('gives a logged-in role with more rights all of it', async () => {
    const clerk = { authorization: `Basic ${Buffer.from('clerk:Passw0rd1').toString('base64')}` };
    // The service is anonymous: a Basic header is not looked at, the caller stays anonymous.
    expect((await get('Items?$count=true', clerk)).json['@odata.count']).toBe(3);
  });
});
