import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitObjects, createObject } from '../../src/data/index.js';
import { kinds, startApp, type AppUnderTest, type XasClient } from './harness.js';

/**
 * Member rights per object (issue 13, item 1): an entity with two rules for
 * one role — read [Title, Shared] always, read [Title, Body, Shared] where
 * [Shared = true()] — shows Body only on shared objects, to a logged-in role
 * and to anonymous users alike; Body cannot be filtered or sorted on; writing
 * Body is allowed only where a matching rule grants it; a microflow's result
 * follows the same rights. Over real HTTP, on PostgreSQL and SQLite.
 */
const NOTES = {
  'modules/Notes/domain-model.yaml': `moduleRoles: [User, Guest]
entities:
  Note:
    attributes:
      Title: String(100)
      Body: String(unlimited)
      Shared: Boolean
    access:
      - { roles: [User], read: [Title, Shared], write: [Title] }
      - { roles: [User], xpath: "[Shared = true()]", read: [Title, Body, Shared], write: [Title, Body] }
      - { roles: [Guest], read: [Title, Shared] }
      - { roles: [Guest], xpath: "[Shared = true()]", read: [Title, Body, Shared] }
`,
  'modules/Notes/pages/Note_Overview.yaml': `title: Notes
allowedRoles: [User, Guest]
widgets:
  - dataGrid:
      name: notesGrid
      source: { xpath: //Notes.Note, sort: [Title] }
      pageSize: 20
      search: [Title, Body]
      columns: [Title, Body, Shared]
      buttons:
        - { caption: Show, action: { microflow: Notes.Note_Show } }
`,
  'modules/Notes/pages/Note_Edit.yaml': `title: Note
allowedRoles: [User]
popup: true
parameters: { Note: Notes.Note }
widgets:
  - dataView:
      name: noteView
      source: { parameter: Note }
      widgets:
        - textBox: { attribute: Title, label: Title }
        - textArea: { attribute: Body, label: Body }
      buttons:
        - { caption: Save, action: save }
`,
  'modules/Notes/microflows/Note_Show.yaml': `allowedRoles: [User, Guest]
parameters: { Note: Notes.Note }
returns: Notes.Note
body:
  - return: $Note
`,
};

const patchApp = (text: string) =>
  text
    .replace('modules: [Administration, Catalog, Sales]', 'modules: [Administration, Catalog, Sales, Notes]')
    .replace(
      'Customer: [Administration.User, Sales.Customer, Catalog.Viewer, System.User]',
      'Customer: [Administration.User, Sales.Customer, Catalog.Viewer, System.User, Notes.User]\n    Visitor: [Notes.Guest]',
    )
    .replace('  passwordPolicy:', '  anonymousRole: Visitor\n  passwordPolicy:');

type Obj = { guid: string; attributes: Record<string, { value: unknown }> };

describe.each(['postgres', 'sqlite'] as const)('member rights per object on %s', (dialect) => {
  let app: AppUnderTest;
  let user: XasClient;
  let anon: XasClient;
  let shared: string;
  let secret: string;

  beforeAll(async () => {
    app = await startApp('sales', dialect, [{ name: 'cust', password: 'Customer-1', roles: ['Customer'] }], {}, patchApp, undefined, NOTES);
    const model = app.runtime.ctx.model;
    const a = await createObject(model, 'Notes.Note', app.ids);
    a.values.set('Title', 'open');
    a.values.set('Body', 'shared body');
    a.values.set('Shared', true);
    const b = await createObject(model, 'Notes.Note', app.ids);
    b.values.set('Title', 'private');
    b.values.set('Body', 'secret body');
    b.values.set('Shared', false);
    await app.db.transaction((tx) => commitObjects(tx, model, [a, b]));
    shared = a.id.toString();
    secret = b.id.toString();
    user = app.client();
    await user.login('cust', 'Customer-1');
    anon = app.client();
    // The anonymous client's session data creates no session; its first data request does (and answers the token).
    const s = await anon.post({ action: 'get_session_data' });
    expect(s.status).toBe(200);
    expect(s.body).toMatchObject({ anonymous: true, roles: ['Visitor'], csrftoken: null });
    expect((await anon.op(grid().id, { options: { amount: 1 } })).status).toBe(200);
    expect(anon.csrf).not.toBe('');
  });
  afterAll(async () => {
    await app?.stop();
  });

  const grid = () => app.registry.forWidget('Notes.Note_Overview', 'notesGrid')!;
  const body = (r: { body: Record<string, unknown> }) => Object.fromEntries((r.body.partialObjects as Obj[]).map((o) => [o.guid, o.attributes]));

  it('sends Body of a shared note and not of a non-shared one, to a user and to an anonymous user, in one SELECT', async () => {
    for (const c of [user, anon]) {
      const sql = app.capture();
      const r = await c.op(grid().id, { options: { amount: 20, wantCount: false } });
      app.stopCapture();
      expect(r.status).toBe(200);
      const objs = body(r);
      expect(objs[shared]).toEqual({ Title: { value: 'open' }, Body: { value: 'shared body' }, Shared: { value: true } });
      expect(objs[secret]).toEqual({ Title: { value: 'private' }, Shared: { value: false } });
      expect(JSON.stringify(r.body)).not.toContain('secret body');
      // The rules each row matches come with the page: one statement, no re-reading.
      expect(sql.filter((s) => /^\s*SELECT/i.test(s.sql))).toHaveLength(1);
    }
  });

  it('adds no rule columns where every rule gives the same rights (the common case)', async () => {
    for (const [page, widget] of [
      ['Sales.Order_Overview', 'ordersGrid'],
      ['Catalog.Product_Overview', 'productsGrid'],
    ] as const) {
      const sql = app.capture();
      const r = await user.op(app.registry.forWidget(page, widget)!.id, { options: { amount: 20 } });
      app.stopCapture();
      expect(r.status, page).toBe(200);
      expect(sql.length, page).toBeGreaterThan(0);
      expect(
        sql.some((s) => s.sql.includes('kiln_rule')),
        page,
      ).toBe(false);
    }
    const sql = app.capture();
    await user.op(grid().id, { options: { amount: 20 } });
    app.stopCapture();
    expect(sql[0]!.sql).toContain('CASE WHEN');
  });

  it('refuses filtering and sorting on Body (400), and allows them on Title', async () => {
    for (const c of [user, anon]) {
      const f = await c.op(grid().id, { options: { amount: 20, extraXpath: "[contains(Body, 'secret')]" } });
      expect(f.status).toBe(400);
      expect(f.body.field).toBe('options.extraXpath');
      expect(String(f.body.error)).toContain('not readable on every object');
      const s = await c.op(grid().id, { options: { amount: 20, sort: [['Body', 'asc']] } });
      expect(s.status).toBe(400);
      expect(s.body.field).toBe('options.sort.0');
      const ok = await c.op(grid().id, { options: { amount: 20, sort: [['Title', 'desc']], extraXpath: "[contains(Title, 'priv')]" } });
      expect(ok.status).toBe(200);
      expect(ok.body.resultGuids).toEqual([secret]);
    }
  });

  it('refuses writing Body of a non-shared note (403, nothing written, rules read with the object) and allows it on a shared one', async () => {
    const save = app.registry.forButton('Notes.Note_Edit', 'noteView', 0)!;
    const sql = app.capture();
    const refused = await user.op(save.id, { params: { Objects: { guids: [secret] } }, changes: { [secret]: { Body: { value: 'overwritten' } } } });
    app.stopCapture();
    expect(refused.status).toBe(403);
    // The rules the object matches come with its one SELECT by id: no re-reading per rule.
    expect(kinds(sql)).toEqual(['SELECT']);
    const bodyOf = async (id: string) =>
      (await app.db.query<{ body: string }>(`SELECT "body" FROM "notes$note" WHERE "id" = ${dialect === 'postgres' ? '$1' : '?'}`, [BigInt(id)]))[0]!.body;
    expect(await bodyOf(secret)).toBe('secret body');
    const title = await user.op(save.id, { params: { Objects: { guids: [secret] } }, changes: { [secret]: { Title: { value: 'private 2' } } } });
    expect(title.status).toBe(200);
    const committed = (title.body.objects as Obj[])[0]!;
    expect(committed.attributes.Body).toBeUndefined();
    const ok = await user.op(save.id, { params: { Objects: { guids: [shared] } }, changes: { [shared]: { Body: { value: 'new shared body' } } } });
    expect(ok.status).toBe(200);
    expect(await bodyOf(shared)).toBe('new shared body');
  });

  it('does not leak Body of a non-shared note returned by a microflow', async () => {
    const show = app.registry.forButton('Notes.Note_Overview', 'notesGrid', 0)!;
    for (const c of [user, anon]) {
      const r = await c.op(show.id, { params: { Note: { guid: secret } } });
      expect(r.status).toBe(200);
      expect(r.body.actionResult).toEqual({ type: 'ObjectReference', value: secret });
      expect((r.body.objects as Obj[]).find((o) => o.guid === secret)!.attributes).toEqual({ Title: { value: 'private 2' }, Shared: { value: false } });
      expect(JSON.stringify(r.body)).not.toContain('secret body');
      const s = await c.op(show.id, { params: { Note: { guid: shared } } });
      expect(s.status).toBe(200);
      expect((s.body.objects as Obj[]).find((o) => o.guid === shared)!.attributes.Body).toEqual({ value: 'new shared body' });
    }
  });
});
