import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitObjects, createObject, retrieveByIds } from '../../src/data/index.js';
import { setReference } from '../../src/objects/mx-object.js';
import { DIALECTS } from '../support/databases.js';
import { startApp, type AppUnderTest, type XasClient } from './harness.js';

/**
 * Associations owned by both ends (issue 22): Project_Person (a reference set,
 * owner Both) is a member of Project and of Person. Person's access rules grant
 * it to members (read and write), Project's to leads: each may see and change
 * the set from the side their rule grants, and only from there (403 on the
 * other side). Changes from either side land in the one association table and
 * show on both ends. Over real HTTP, on the three databases.
 */
const TEAM = {
  'modules/Team/domain-model.yaml': `moduleRoles: [Member, Lead]
entities:
  Project:
    attributes:
      Title: String(100)
    access:
      - { roles: [Lead], read: [Title, Project_Person], write: [Project_Person] }
      - { roles: [Member], read: [Title] }
  Person:
    attributes:
      Nick: String(100)
    access:
      - { roles: [Member], read: [Nick, Project_Person, Person_Buddy, Project_Lead], write: [Project_Person, Person_Buddy, Project_Lead] }
      - { roles: [Lead], read: [Nick, Person_Buddy] }
associations:
  Project_Person: { type: ReferenceSet, parent: Project, child: Person, owner: Both }
  Person_Buddy: { type: ReferenceSet, parent: Person, child: Person, owner: Both }
  Project_Lead: { type: Reference, parent: Project, child: Person, owner: Both }
`,
  'modules/Team/pages/People.yaml': `title: People
allowedRoles: [Member, Lead]
widgets:
  - listView:
      name: people
      source: { xpath: //Team.Person, sort: [Nick] }
      widgets:
        - textBox: { attribute: Nick, label: Nick }
        - referenceSetSelector: { association: Project_Person, attribute: Title, label: Projects }
        - referenceSetSelector: { association: Person_Buddy, attribute: Nick, label: Buddies }
  - listView:
      name: projects
      source: { xpath: //Team.Project, sort: [Title] }
      widgets:
        - textBox: { attribute: Title, label: Title }
        - referenceSetSelector: { association: Project_Person, attribute: Nick, label: People }
`,
  'modules/Team/pages/Person_Edit.yaml': `title: Person
allowedRoles: [Member, Lead]
popup: true
parameters: { Person: Team.Person }
widgets:
  - dataView:
      name: personView
      source: { parameter: Person }
      widgets:
        - textBox: { attribute: Nick, label: Nick }
        - referenceSetSelector: { association: Project_Person, attribute: Title, label: Projects }
      buttons:
        - { caption: Save, action: save }
        - { caption: Join Alpha, action: { microflow: Team.Person_JoinAlpha } }
`,
  'modules/Team/microflows/Person_JoinAlpha.yaml': `allowedRoles: [Member]
parameters: { Person: Team.Person }
body:
  - retrieve: { from: Team.Project, xpath: "[Title = 'Alpha']", range: first, into: Alpha }
  - change: { object: $Person, add: { Team.Project_Person: $Alpha }, commit: true }
`,
  'modules/Team/pages/Project_Edit.yaml': `title: Project
allowedRoles: [Member, Lead]
popup: true
parameters: { Project: Team.Project }
widgets:
  - dataView:
      name: projectView
      source: { parameter: Project }
      widgets:
        - textBox: { attribute: Title, label: Title }
        - referenceSetSelector: { association: Project_Person, attribute: Nick, label: People }
      buttons:
        - { caption: Save, action: save }
`,
};

const patchApp = (text: string) =>
  text
    .replace('modules: [Administration, Catalog, Sales]', 'modules: [Administration, Catalog, Sales, Team]')
    .replace(
      'Customer: [Administration.User, Sales.Customer, Catalog.Viewer, System.User]',
      'Customer: [Administration.User, Sales.Customer, Catalog.Viewer, System.User]\n    TeamMember: [Team.Member, System.User]\n    TeamLead: [Team.Lead, System.User]',
    );

type Obj = { guid: string; attributes: Record<string, { value: unknown }> };
const ASSOC = 'Team.Project_Person';

describe.each(DIALECTS)('associations owned by both ends on %s', (dialect) => {
  let app: AppUnderTest;
  let member: XasClient;
  let lead: XasClient;
  let alpha: string;
  let beta: string;
  let ann: string;
  let bob: string;

  beforeAll(async () => {
    app = await startApp(
      'sales',
      dialect,
      [
        { name: 'member', password: 'Member-11', roles: ['TeamMember'] },
        { name: 'lead', password: 'Leader-11', roles: ['TeamLead'] },
      ],
      {},
      patchApp,
      undefined,
      TEAM,
    );
    const model = app.runtime.ctx.model;
    const mk = async (entity: string, attr: string, value: string) => {
      const o = await createObject(model, entity, app.ids);
      o.values.set(attr, value);
      return o;
    };
    const a = await mk('Team.Project', 'Title', 'Alpha');
    const b = await mk('Team.Project', 'Title', 'Beta');
    const p1 = await mk('Team.Person', 'Nick', 'ann');
    const p2 = await mk('Team.Person', 'Nick', 'bob');
    setReference(a, ASSOC, [p1.id]);
    setReference(a, 'Team.Project_Lead', p1.id);
    await app.db.transaction((tx) => commitObjects(tx, model, [a, b, p1, p2]));
    [alpha, beta, ann, bob] = [a, b, p1, p2].map((o) => o.id.toString()) as [string, string, string, string];
    member = app.client();
    await member.login('member', 'Member-11');
    lead = app.client();
    await lead.login('lead', 'Leader-11');
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
  });

  const grid = (name: string) => app.registry.forWidget('Team.People', name)!;
  const objects = async (c: XasClient, name: string) => {
    const r = await c.op(grid(name).id, { options: { amount: 20 } });
    expect(r.status).toBe(200);
    return Object.fromEntries((r.body.partialObjects as Obj[]).map((o) => [o.guid, o.attributes]));
  };
  const rows = async () => {
    const list = await app.db.query<Record<string, unknown>>('SELECT * FROM "team$project_person"', []);
    return list.map((r) => `${String(r.team$projectid)}>${String(r.team$personid)}`).sort();
  };
  const savePerson = () => app.registry.forButton('Team.Person_Edit', 'personView', 0)!;
  const saveProject = () => app.registry.forButton('Team.Project_Edit', 'projectView', 0)!;

  it('sends the association with the child (parent ids) to the role its rule grants, and with the parent to the other role', async () => {
    const people = await objects(member, 'people');
    expect(people[ann]![ASSOC]).toEqual({ value: [alpha] });
    expect(people[bob]![ASSOC]).toEqual({ value: [] });
    const projectsForMember = await objects(member, 'projects');
    expect(projectsForMember[alpha]![ASSOC]).toBeUndefined();
    const projectsForLead = await objects(lead, 'projects');
    expect(projectsForLead[alpha]![ASSOC]).toEqual({ value: [ann] });
    const peopleForLead = await objects(lead, 'people');
    expect(peopleForLead[ann]![ASSOC]).toBeUndefined();
  });

  it('lets a member change the set from the child side, which the parent side then shows', async () => {
    const r = await member.op(savePerson().id, { params: { Objects: { guids: [bob] } }, changes: { [bob]: { [ASSOC]: { value: [alpha, beta] } } } });
    expect(r.status).toBe(200);
    expect(await rows()).toEqual([`${alpha}>${ann}`, `${alpha}>${bob}`, `${beta}>${bob}`].sort());
    const projects = await objects(lead, 'projects');
    expect(projects[alpha]![ASSOC]).toEqual({ value: [ann, bob].sort() });
    expect(projects[beta]![ASSOC]).toEqual({ value: [bob] });
    // Removing from the child side removes only that child's rows.
    const r2 = await member.op(savePerson().id, { params: { Objects: { guids: [bob] } }, changes: { [bob]: { [ASSOC]: { value: [beta] } } } });
    expect(r2.status).toBe(200);
    expect(await rows()).toEqual([`${alpha}>${ann}`, `${beta}>${bob}`].sort());
  });

  it('lets a lead change it from the parent side', async () => {
    const r = await lead.op(saveProject().id, { params: { Objects: { guids: [beta] } }, changes: { [beta]: { [ASSOC]: { value: [ann, bob] } } } });
    expect(r.status).toBe(200);
    expect(await rows()).toEqual([`${alpha}>${ann}`, `${beta}>${ann}`, `${beta}>${bob}`].sort());
    expect((await objects(member, 'people'))[ann]![ASSOC]).toEqual({ value: [alpha, beta].sort() });
  });

  it('refuses a change from the side whose rule does not grant write (403, nothing written)', async () => {
    const before = await rows();
    const m = await member.op(saveProject().id, { params: { Objects: { guids: [alpha] } }, changes: { [alpha]: { [ASSOC]: { value: [] } } } });
    expect(m.status).toBe(403);
    expect(String(m.body.error)).toContain(ASSOC);
    const l = await lead.op(savePerson().id, { params: { Objects: { guids: [ann] } }, changes: { [ann]: { [ASSOC]: { value: [] } } } });
    expect(l.status).toBe(403);
    expect(await rows()).toEqual(before);
  });

  it("puts the selector on the child's page for the role whose rule grants the member, choosing among the parents", async () => {
    const find = (node: unknown): Record<string, unknown> | undefined => {
      if (!node || typeof node !== 'object') return undefined;
      if ((node as { type?: unknown }).type === 'referenceSetSelector') return node as Record<string, unknown>;
      for (const v of Object.values(node)) {
        const f = find(v);
        if (f) return f;
      }
      return undefined;
    };
    const m = await member.get('/pages/Team.Person_Edit.json');
    expect(m.status).toBe(200);
    const sel = find(JSON.parse(m.text));
    expect(sel).toMatchObject({ association: ASSOC, target: 'Team.Project', displayAttribute: 'Title', readOnly: false });
    expect(typeof sel!.optionsOperationId).toBe('string');
    const options = await member.op(String(sel!.optionsOperationId), { options: { amount: 20 } });
    expect(options.status).toBe(200);
    expect(options.body.resultGuids).toEqual([alpha, beta]);
    // The lead's Person rule does not grant the member: no selector for them.
    const l = await lead.get('/pages/Team.Person_Edit.json');
    expect(l.status).toBe(200);
    expect(find(JSON.parse(l.text))).toBeUndefined();
  });

  it('refuses a child-side change that names an object of the wrong entity (400)', async () => {
    const r = await member.op(savePerson().id, { params: { Objects: { guids: [ann] } }, changes: { [ann]: { [ASSOC]: { value: [bob] } } } });
    expect(r.status).toBe(400);
    expect(String(r.body.error)).toContain('Team.Project');
  });

  it('treats a self-association owned by both ends as Mendix does: one member per object, its own side, changed where the rule grants write', async () => {
    const BUDDY = 'Team.Person_Buddy';
    const r = await member.op(savePerson().id, { params: { Objects: { guids: [ann] } }, changes: { [ann]: { [BUDDY]: { value: [bob] } } } });
    expect(r.status).toBe(200);
    const links = await app.db.query<Record<string, unknown>>('SELECT * FROM "team$person_buddy"', []);
    expect(links.map((l) => `${String(l.team$personid1)}>${String(l.team$personid2)}`)).toEqual([`${ann}>${bob}`]);
    // Each person's member is the set it holds itself (bob's is empty); the other direction is XPath's [reversed()].
    const people = await objects(lead, 'people');
    expect([people[ann]![BUDDY], people[bob]![BUDDY]]).toEqual([{ value: [bob] }, { value: [] }]);
    // The lead's rule reads it but does not grant write: 403, nothing written.
    const l = await lead.op(savePerson().id, { params: { Objects: { guids: [bob] } }, changes: { [bob]: { [BUDDY]: { value: [ann] } } } });
    expect(l.status).toBe(403);
    expect((await app.db.query('SELECT * FROM "team$person_buddy"', [])).length).toBe(1);
  });

  it('moves a one-to-one association (Reference, owner Both) set from the child side: the parent leaves its former child', async () => {
    const LEAD = 'Team.Project_Lead';
    const leads = async () =>
      (await app.db.query<Record<string, unknown>>('SELECT * FROM "team$project_lead"', [])).map(
        (r) => `${String(r.team$projectid)}>${String(r.team$personid)}`,
      );
    expect(await leads()).toEqual([`${alpha}>${ann}`]);
    const r = await member.op(savePerson().id, { params: { Objects: { guids: [bob] } }, changes: { [bob]: { [LEAD]: { value: alpha } } } });
    expect(r.status).toBe(200);
    expect(await leads()).toEqual([`${alpha}>${bob}`]);
  });

  it('loads the child-side value of an object read by id, alone or with others', async () => {
    const model = app.runtime.ctx.model;
    const parentsOf = (child: string) =>
      rows().then((l) =>
        l
          .filter((r) => r.endsWith(`>${child}`))
          .map((r) => r.split('>')[0]!)
          .sort(),
      );
    const [one] = await retrieveByIds(app.db, model, 'Team.Person', [BigInt(ann)]);
    expect((one!.references.get(ASSOC) as bigint[]).map(String)).toEqual(await parentsOf(ann));
    const two = await retrieveByIds(app.db, model, 'Team.Person', [BigInt(ann), BigInt(bob)]);
    expect(two.map((o) => (o.references.get(ASSOC) as bigint[]).map(String))).toEqual([await parentsOf(ann), await parentsOf(bob)]);
  });

  it("lets a microflow add to the set from the child side, keeping the child's other parents", async () => {
    const join = app.registry.forButton('Team.Person_Edit', 'personView', 1)!;
    const before = await rows();
    expect(before).toContain(`${beta}>${bob}`);
    expect(before).not.toContain(`${alpha}>${bob}`);
    const r = await member.op(join.id, { params: { Person: { guid: bob } } });
    expect(r.status).toBe(200);
    expect(await rows()).toEqual([...before, `${alpha}>${bob}`].sort());
  });
});
