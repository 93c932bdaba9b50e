import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitObjects, createObject, type Database, type IdGenerator } from '../../src/data/index.js';
import { setReference, setValue, type MxObject } from '../../src/objects/mx-object.js';
import { writeApp } from '../support/app-folder.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { startApp, type TestRuntime } from '../security/harness.js';

/**
 * OData and associations owned by both ends (issue 22): a client binds
 * Project_Person (a reference set, owner Both) on a Person, the child, where
 * Person's rules grant the member on that object; the rows land in the one
 * association table. Reading it from the child ($expand, the navigation URL)
 * asks Person's rules, from the parent Project's (which do not grant it here). A person whose rule does not grant write is refused
 * (403, nothing written); an association owned by its parent alone is still
 * set from the parent side only (400).
 */
const FILES: Record<string, string> = {
  'app.yaml': `name: T
modules: [Team]
security:
  level: production
  userRoles: { Guest: [Team.Guest] }
  anonymousRole: Guest
`,
  'modules/Team/domain-model.yaml': `moduleRoles: [Guest]
entities:
  Project:
    attributes: { Title: String }
    access:
      - { roles: [Guest], read: [Title, Project_Lead] }
  Person:
    attributes: { Nick: String }
    access:
      - { roles: [Guest], read: "*", write: [Project_Person], xpath: "[Nick != 'locked']" }
      - { roles: [Guest], read: "*", xpath: "[Nick = 'locked']" }
associations:
  Project_Person: { type: ReferenceSet, parent: Project, child: Person, owner: Both }
  Project_Lead: { type: Reference, parent: Project, child: Person }
`,
  'modules/Team/odata/Team.yaml': `entitySets:
  Projects: { entity: Project, associations: { Project_Person: People, Project_Lead: Lead } }
  People: { entity: Person, associations: { Project_Person: Projects, Project_Lead: Leads }, capabilities: { updatable: true } }
`,
};

describe.each(['sqlite', 'postgres'] as const)('OData writes of an association owned by both ends, from the child side, on %s', (dialect) => {
  let db: TestDatabase;
  let t: TestRuntime;
  let database: Database;
  const id: Record<string, bigint> = {};
  beforeAll(async () => {
    db = await freshDatabase(dialect);
    t = await startApp(writeApp(FILES), db.url);
    const model = t.rt.ctx.model;
    database = t.rt.ctx.services.get('db') as Database;
    const ids = t.rt.ctx.services.get('ids') as IdGenerator;
    const objs: MxObject[] = [];
    for (const [entity, attr, value] of [
      ['Team.Project', 'Title', 'alpha'],
      ['Team.Project', 'Title', 'beta'],
      ['Team.Person', 'Nick', 'ann'],
      ['Team.Person', 'Nick', 'locked'],
    ] as const) {
      const o = await createObject(model, entity, ids);
      setValue(o, attr, value);
      id[value] = o.id;
      objs.push(o);
    }
    setReference(objs[0]!, 'Team.Project_Person', [id.locked!]);
    await database.transaction((tx) => commitObjects(tx, model, objs));
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    await db?.drop();
  });
  const rows = async () =>
    (await database.query<Record<string, unknown>>('SELECT * FROM "team$project_person"', []))
      .map((r) => `${String(r.team$projectid)}>${String(r.team$personid)}`)
      .sort();
  const patch = (person: bigint, body: unknown) =>
    fetch(`${t.url}/odata/team/v1/People(${person})`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', accept: 'application/json;IEEE754Compatible=true' },
      body: JSON.stringify(body),
    });

  it("binds the parents on the child where the child's rule grants the member, and reads them from the child's side by the child's rules", async () => {
    const r = await patch(id.ann!, { 'Projects@odata.bind': [`Projects(${id.alpha})`, `Projects(${id.beta})`] });
    expect(r.status).toBe(204);
    expect(await rows()).toEqual([`${id.alpha}>${id.ann}`, `${id.alpha}>${id.locked}`, `${id.beta}>${id.ann}`].sort());
    // Each side's rules decide its member: Person's grant it (ann's projects are read from her side), Project's do not (403).
    const accept = { accept: 'application/json;IEEE754Compatible=true' };
    const ann = await fetch(`${t.url}/odata/team/v1/People(${id.ann})?$expand=${encodeURIComponent('Projects($select=Title;$orderby=Title)')}`, {
      headers: accept,
    });
    expect(ann.status).toBe(200);
    expect(((await ann.json()) as { Projects: { Title: string }[] }).Projects.map((p) => p.Title)).toEqual(['alpha', 'beta']);
    const path = await fetch(`${t.url}/odata/team/v1/People(${id.ann})/Projects?$select=Title&$orderby=Title`, { headers: accept });
    expect(((await path.json()) as { value: { Title: string }[] }).value.map((p) => p.Title)).toEqual(['alpha', 'beta']);
    expect((await fetch(`${t.url}/odata/team/v1/Projects(${id.beta})?$expand=People`, { headers: accept })).status).toBe(403);
    // Binding fewer parents removes this child's other rows only.
    expect((await patch(id.ann!, { 'Projects@odata.bind': [`Projects(${id.beta})`] })).status).toBe(204);
    expect(await rows()).toEqual([`${id.alpha}>${id.locked}`, `${id.beta}>${id.ann}`].sort());
  });

  it('refuses the child whose rule does not grant write (403) and writes nothing', async () => {
    const before = await rows();
    const r = await patch(id.locked!, { 'Projects@odata.bind': [] });
    expect(r.status).toBe(403);
    expect(((await r.json()) as { error: { message: string } }).error.message).toContain('Projects');
    expect(await rows()).toEqual(before);
  });

  it('keeps an association owned by its parent alone settable from the parent side only (400)', async () => {
    const r = await patch(id.ann!, { 'Leads@odata.bind': [`Projects(${id.alpha})`] });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { message: string } }).error.message).toContain('set from the other side');
  });
});
