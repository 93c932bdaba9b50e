// Associations stored as a column on the parent's table (Mendix 10's storage
// format Column) next to ones in an association table: the schema, writes,
// reads by association, XPath over them, delete behaviour, and moving the
// links when the storage format changes, on every database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, freshDatabase, type TestDatabase } from '../support/databases.js';
import {
  commitObjects,
  createIdGenerator,
  createObject,
  deleteObjects,
  DeletePreventedError,
  DestructiveSyncError,
  openDatabase,
  UniqueViolationError,
  retrieveByIds,
  syncSchema,
  type Database,
  type IdGenerator,
} from '../../src/data/index.js';
import type { CompiledModel } from '../../src/model/compiled/types.js';
import { setReference, setValue, type MxObject } from '../../src/objects/mx-object.js';
import { compileQuery, retrieve } from '../../src/query/index.js';
import { SYSTEM_CONTEXT } from '../../src/security/user-context.js';
import { DIALECT } from '../support/dialects.js';
import { modelOf, quietLog } from './support.js';

const domain = (storage: 'column' | 'table') => `
entities:
  Project:
    attributes:
      Name: String(100)
  Task:
    attributes:
      Title: String(100)
  Person:
    attributes:
      Name: String(100)
associations:
  Task_Project:
    parent: Task
    child: Project
    storage: ${storage}
    deleteBehavior: { child: cascade }
  Task_Person:
    parent: Task
    child: Person
    storage: ${storage}
    deleteBehavior: { child: { prevent: "This person still has tasks" } }
  Task_Parent:
    parent: Task
    child: Task
    storage: ${storage}
  Task_Lead:
    parent: Task
    child: Person
    owner: Both
    storage: ${storage}
  Task_Watchers:
    type: ReferenceSet
    parent: Task
    child: Person
`;

describe.each(DIALECTS)('associations stored as columns on %s', (dialect) => {
  let t: TestDatabase;
  let db: Database;
  let model: CompiledModel;
  let ids: IdGenerator;
  const P = dialect === 'postgres' ? (i: number) => `$${i}` : () => '?';
  const v = (x: bigint) => (dialect === 'sqlite' ? x : x.toString());

  beforeAll(async () => {
    t = await freshDatabase(dialect);
    model = await modelOf(domain('column'));
    db = await openDatabase(t.url, { log: quietLog });
    await syncSchema(db, model, { allowDestructive: false, log: quietLog });
    ids = await createIdGenerator(db, model);
  });
  afterAll(async () => {
    await db?.close();
    await t?.drop();
  });

  const commit = (objs: MxObject[]) => db.transaction((tx) => commitObjects(tx, model, objs));
  const xpath = async (x: string) => {
    const plan = compileQuery(model, { xpath: x }, DIALECT[dialect]);
    const { objects } = await retrieve(db, model, plan, { ...SYSTEM_CONTEXT, timeZone: 'UTC' }, {}, { now: new Date() });
    return objects.map((o) => String(o.values.get('Title') ?? o.values.get('Name'))).sort();
  };
  const tables = async () =>
    (
      await db.query<{ n: string }>(
        dialect === 'sqlite'
          ? `SELECT name AS n FROM sqlite_master WHERE type = 'table'`
          : dialect === 'postgres'
            ? `SELECT table_name AS n FROM information_schema.tables WHERE table_schema = current_schema()`
            : `SELECT table_name AS n FROM information_schema.tables WHERE table_schema = DATABASE()`,
        [],
      )
    )
      .map((r) => r.n)
      .filter((n) => n.startsWith('t$'))
      .sort();

  it('keeps a column-stored Reference in a column named as Mendix does on the parent table, and records it as Mendix does', async () => {
    expect(await tables()).toEqual(['t$person', 't$project', 't$task', 't$task_watchers']);
    // The three columns are there (the statement fails otherwise).
    await db.query(`SELECT "id", "t$task_project", "t$task_person", "t$task_parent", "t$task_lead" FROM "t$task"`, []);
    const rec = await db.query<Record<string, unknown>>(
      `SELECT "association_name", "table_name", "parent_column_name", "child_column_name", "index_name" FROM "mendixsystem$association" WHERE "association_name" = ${P(1)}`,
      ['T.Task_Project'],
    );
    expect(rec).toEqual([
      {
        association_name: 'T.Task_Project',
        table_name: 't$task_project',
        parent_column_name: 'id',
        child_column_name: 't$task_project',
        index_name: 'idx_t$task_t$task_project',
      },
    ]);
    // A second synchronisation finds nothing to do.
    const again = await syncSchema(db, model, { allowDestructive: false, log: quietLog });
    expect(again.statements).toEqual([]);
  });

  it('writes, replaces and clears references in the column, and reads them back', async () => {
    const p1 = await createObject(model, 'T.Project', ids);
    const p2 = await createObject(model, 'T.Project', ids);
    const task = await createObject(model, 'T.Task', ids);
    setReference(task, 'T.Task_Project', p1.id);
    await commit([p1, p2, task]);
    const row = async () => (await db.query<Record<string, unknown>>(`SELECT "t$task_project" AS p FROM "t$task" WHERE "id" = ${P(1)}`, [v(task.id)]))[0]!.p;
    expect(BigInt(String(await row()))).toBe(p1.id);
    let [back] = await retrieveByIds(db, model, 'T.Task', [task.id]);
    expect(back!.references.get('T.Task_Project')).toBe(p1.id);
    setReference(back!, 'T.Task_Project', p2.id);
    await commit([back!]);
    [back] = await retrieveByIds(db, model, 'T.Task', [task.id]);
    expect(back!.references.get('T.Task_Project')).toBe(p2.id);
    setReference(back!, 'T.Task_Project', null);
    await commit([back!]);
    expect(await row()).toBeNull();
    [back] = await retrieveByIds(db, model, 'T.Task', [task.id]);
    expect(back!.references.get('T.Task_Project')).toBeNull();
  });

  it('follows column-stored associations both ways in XPath, and an empty link matches no path', async () => {
    const alpha = await createObject(model, 'T.Project', ids);
    setValue(alpha, 'Name', 'Alpha');
    const beta = await createObject(model, 'T.Project', ids);
    setValue(beta, 'Name', 'Beta');
    const mk = async (title: string, project: MxObject | null, parent: MxObject | null = null) => {
      const o = await createObject(model, 'T.Task', ids);
      setValue(o, 'Title', title);
      setReference(o, 'T.Task_Project', project?.id ?? null);
      setReference(o, 'T.Task_Parent', parent?.id ?? null);
      return o;
    };
    const a1 = await mk('x-a1', alpha);
    const a2 = await mk('x-a2', alpha, a1);
    const none = await mk('x-none', null);
    await commit([alpha, beta, a1, a2, none]);
    expect(await xpath(`//T.Task[starts-with(Title, 'x-')][T.Task_Project/T.Project/Name = 'Alpha']`)).toEqual(['x-a1', 'x-a2']);
    expect(await xpath(`//T.Task[starts-with(Title, 'x-')][T.Task_Project/T.Project]`)).toEqual(['x-a1', 'x-a2']);
    expect(await xpath(`//T.Task[starts-with(Title, 'x-')][not(T.Task_Project/T.Project)]`)).toEqual(['x-none']);
    expect(await xpath(`//T.Project[Name = 'Alpha' or Name = 'Beta'][T.Task_Project/T.Task]`)).toEqual(['Alpha']);
    expect(await xpath(`//T.Project[T.Task_Project/T.Task/Title = 'x-none']`)).toEqual([]);
    // A self-association, forward and reverse.
    expect(await xpath(`//T.Task[T.Task_Parent/T.Task/Title = 'x-a1']`)).toEqual(['x-a2']);
    expect(await xpath(`//T.Task[T.Task_Parent/T.Task/T.Task_Project/T.Project/Name = 'Alpha']`)).toEqual(['x-a2']);
    expect(await xpath(`//T.Task[starts-with(Title, 'x-')][T.Task_Parent/T.Task]`)).toEqual(['x-a2']);
  });

  it('lets a person lead one task at most when owned by both (one-to-one), however many lead none', async () => {
    const lead = await createObject(model, 'T.Person', ids);
    const [a, b, c, d] = [
      await createObject(model, 'T.Task', ids),
      await createObject(model, 'T.Task', ids),
      await createObject(model, 'T.Task', ids),
      await createObject(model, 'T.Task', ids),
    ];
    setReference(a, 'T.Task_Lead', lead.id);
    await commit([lead, a, c, d]);
    setReference(b, 'T.Task_Lead', lead.id);
    await expect(commit([b])).rejects.toBeInstanceOf(UniqueViolationError);
  });

  it("writes a reference owned by both from the child side into the parent's column", async () => {
    const lead = await createObject(model, 'T.Person', ids);
    const [a, b] = [await createObject(model, 'T.Task', ids), await createObject(model, 'T.Task', ids)];
    setReference(lead, 'T.Task_Lead', a.id);
    await commit([a, b, lead]);
    const leadOf = async (task: bigint) => (await retrieveByIds(db, model, 'T.Task', [task]))[0]!.references.get('T.Task_Lead');
    expect(await leadOf(a.id)).toBe(lead.id);
    // Moved to another task from the child side: the first task's column is emptied.
    const [p] = await retrieveByIds(db, model, 'T.Person', [lead.id]);
    setReference(p!, 'T.Task_Lead', b.id);
    await commit([p!]);
    expect(await leadOf(a.id)).toBeNull();
    expect(await leadOf(b.id)).toBe(lead.id);
  });

  it('applies delete behaviour: prevent and cascade read the column, keep empties it', async () => {
    const person = await createObject(model, 'T.Person', ids);
    const project = await createObject(model, 'T.Project', ids);
    const t1 = await createObject(model, 'T.Task', ids);
    const t2 = await createObject(model, 'T.Task', ids);
    setReference(t1, 'T.Task_Person', person.id);
    setReference(t1, 'T.Task_Project', project.id);
    setReference(t2, 'T.Task_Project', project.id);
    setReference(t2, 'T.Task_Parent', t1.id);
    await commit([person, project, t1, t2]);
    const err = await db.transaction((tx) => deleteObjects(tx, model, [person])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeletePreventedError);
    expect((err as Error).message).toBe('This person still has tasks');
    // Deleting t1 (child of Task_Parent, keep) empties t2's column.
    await db.transaction((tx) => deleteObjects(tx, model, [t1]));
    const [t2back] = await retrieveByIds(db, model, 'T.Task', [t2.id]);
    expect(t2back!.references.get('T.Task_Parent')).toBeNull();
    const deleted = await db.transaction((tx) => deleteObjects(tx, model, [project]));
    expect(deleted.map((o) => o.id).sort()).toEqual([project.id, t2.id].sort());
    expect(await retrieveByIds(db, model, 'T.Task', [t2.id])).toHaveLength(0);
    // Nothing refers to the person any more: it goes.
    expect((await db.transaction((tx) => deleteObjects(tx, model, [person]))).map((o) => o.id)).toEqual([person.id]);
  });

  it('moves the links when the storage format changes, to a table and back', async () => {
    const project = await createObject(model, 'T.Project', ids);
    const task = await createObject(model, 'T.Task', ids);
    const bare = await createObject(model, 'T.Task', ids);
    setReference(task, 'T.Task_Project', project.id);
    await commit([project, task, bare]);
    const asTable = await modelOf(domain('table'), '1.1.0');
    const r1 = await syncSchema(db, asTable, { allowDestructive: false, log: quietLog });
    expect(r1.summary).toContain('store association T.Task_Project in table t$task_project (was column t$task.t$task_project)');
    expect(await tables()).toEqual(['t$person', 't$project', 't$task', 't$task_lead', 't$task_parent', 't$task_person', 't$task_project', 't$task_watchers']);
    let [back] = await retrieveByIds(db, asTable, 'T.Task', [task.id]);
    expect(back!.references.get('T.Task_Project')).toBe(project.id);
    const [bareBack] = await retrieveByIds(db, asTable, 'T.Task', [bare.id]);
    expect(bareBack!.references.get('T.Task_Project')).toBeNull();
    const asColumn = await modelOf(domain('column'), '1.2.0');
    const r2 = await syncSchema(db, asColumn, { allowDestructive: false, log: quietLog });
    expect(r2.summary).toContain('store association T.Task_Project as column t$task.t$task_project (was table t$task_project)');
    expect(await tables()).toEqual(['t$person', 't$project', 't$task', 't$task_watchers']);
    [back] = await retrieveByIds(db, asColumn, 'T.Task', [task.id]);
    expect(back!.references.get('T.Task_Project')).toBe(project.id);
    expect((await syncSchema(db, asColumn, { allowDestructive: false, log: quietLog })).statements).toEqual([]);
  });

  it('refuses to drop a column-stored association whose column holds links, and drops column and index when allowed', async () => {
    const without = await modelOf(domain('column').replace(/ {2}Task_Lead:\n( {4}.*\n){4}/, ''), '1.3.0');
    expect(without.associations.has('T.Task_Lead')).toBe(false);
    const err = await syncSchema(db, without, { allowDestructive: false, log: quietLog }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DestructiveSyncError);
    expect((err as Error).message).toContain('association T.Task_Lead: column t$task.t$task_lead holds 2 links');
    const r = await syncSchema(db, without, { allowDestructive: true, log: quietLog });
    expect(r.summary).toEqual(['drop association T.Task_Lead (column t$task.t$task_lead)']);
    await expect(db.query(`SELECT "t$task_lead" FROM "t$task"`, [])).rejects.toThrow();
    expect((await syncSchema(db, without, { allowDestructive: false, log: quietLog })).statements).toEqual([]);
  });

  it('refuses storage: column on a ReferenceSet, naming the association', async () => {
    await expect(modelOf(`entities: { A: {}, B: {} }\nassociations:\n  A_B: { type: ReferenceSet, parent: A, child: B, storage: column }\n`)).rejects.toThrow(
      /associations\.A_B\.storage.*storage: column is for a Reference only/s,
    );
  });
});
