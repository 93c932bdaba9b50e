import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitObjects, createObject, type Database, type IdGenerator } from '../../src/data/index.js';
import { setReference, setValue } from '../../src/objects/mx-object.js';
import { writeApp } from '../support/app-folder.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { startApp, type TestRuntime } from '../security/harness.js';

/**
 * Published REST with an association owned by both ends (issue 22): a badge
 * (the child of the one-to-one Project_Badge, owner Both) is created from
 * JSON naming its project, and answered with it nested, where the badge's
 * rules grant the member; a caller whose rule does not grant write is
 * refused (400 naming the field, nothing written).
 */
const FILES: Record<string, string> = {
  'app.yaml': `name: T
modules: [Team]
security:
  level: production
  userRoles: { Guest: [Team.Guest], Clerk: [Team.Clerk] }
  demoUsers: [{ name: poster, password: "Passw0rd1", roles: [Guest] }, { name: clerk, password: "Passw0rd1", roles: [Clerk] }]
`,
  'modules/Team/domain-model.yaml': `moduleRoles: [Guest, Clerk]
entities:
  Project:
    attributes: { Title: String }
    access:
      - { roles: [Guest, Clerk], read: "*" }
  Badge:
    attributes: { Code: String }
    access:
      - { roles: [Guest], read: "*", write: "*", create: true }
      - { roles: [Clerk], read: "*", write: [Code], create: true }
associations:
  Project_Badge: { type: Reference, parent: Project, child: Badge, owner: Both }
`,
  'modules/Team/microflows/REST_CreateBadge.yaml': `parameters: { Badge: Team.Badge }
returns: Team.Badge
body:
  - return: $Badge
`,
  'modules/Team/rest/Badges.yaml': `location: rest/badges/v1
authentication: [basic]
allowedRoles: [Guest, Clerk]
resources:
  badges:
    operations:
      - method: POST
        microflow: REST_CreateBadge
        import: { attributes: [Code], associations: { Project_Badge: { key: Title } }, commit: true }
        export: { associations: { Project_Badge: { attributes: [Title] } } }
`,
};

describe('published REST maps an association owned by both ends from the child side', () => {
  let db: TestDatabase;
  let t: TestRuntime;
  let database: Database;
  let alpha: bigint;
  let old: bigint;
  beforeAll(async () => {
    db = await freshDatabase('postgres');
    t = await startApp(writeApp(FILES), db.url);
    const model = t.rt.ctx.model;
    database = t.rt.ctx.services.get('db') as Database;
    const ids = t.rt.ctx.services.get('ids') as IdGenerator;
    const p = await createObject(model, 'Team.Project', ids);
    setValue(p, 'Title', 'alpha');
    const b = await createObject(model, 'Team.Badge', ids);
    setValue(b, 'Code', 'old');
    setReference(p, 'Team.Project_Badge', b.id);
    await database.transaction((tx) => commitObjects(tx, model, [p, b]));
    alpha = p.id;
    old = b.id;
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    await db?.drop();
  });
  const links = async () =>
    (await database.query<Record<string, unknown>>('SELECT * FROM "team$project_badge"', [])).map(
      (r) => `${String(r.team$projectid)}>${String(r.team$badgeid)}`,
    );
  const post = (body: unknown, auth?: string) =>
    fetch(`${t.url}/rest/badges/v1/badges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {}) },
      body: JSON.stringify(body),
    });

  it('creates the child with its parent found by key, moves the one-to-one link to it, and answers the parent nested', async () => {
    expect(await links()).toEqual([`${alpha}>${old}`]);
    const r = await post({ Code: 'new', Project_Badge: { Title: 'alpha' } }, 'poster:Passw0rd1');
    expect(r.status).toBe(200);
    const body = (await r.json()) as { Code: string; Project_Badge: { Title: string } | null };
    expect(body).toMatchObject({ Code: 'new', Project_Badge: { Title: 'alpha' } });
    const created = await database.query<{ id: unknown }>(`SELECT "id" FROM "team$badge" WHERE "code" = 'new'`, []);
    expect(await links()).toEqual([`${alpha}>${String(created[0]!.id)}`]);
  });

  it("refuses the member where the caller's rule does not grant write (400 naming it), writing nothing", async () => {
    const before = await links();
    const r = await post({ Code: 'clerk', Project_Badge: { Title: 'alpha' } }, 'clerk:Passw0rd1');
    expect(r.status).toBe(400);
    expect(JSON.stringify(await r.json())).toContain('body.Project_Badge');
    expect(await links()).toEqual(before);
    expect((await database.query(`SELECT "id" FROM "team$badge" WHERE "code" = 'clerk'`, [])).length).toBe(0);
  });
});
