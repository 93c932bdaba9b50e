// Kiln started on a database Mendix 10 synchronised and filled for the SLA
// task app (test/support/mendix-database.ts builds it on PostgreSQL from the
// fixture's DDL): schema synchronisation recognises Mendix's tables and
// `mendixsystem$` records and changes none of them, and the rows Mendix
// stored are served through the client API.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultComponents } from '../../src/app/components.js';
import { modelChecks } from '../../src/app/model-checks.js';
import { startRuntime, type RunningRuntime } from '../../src/app/runtime.js';
import { createLogger } from '../../src/core/logger.js';
import { resolveSettings } from '../../src/core/settings.js';
import { commitObjects, createObject, deleteObjects, openDatabase, type Database, type IdGenerator } from '../../src/data/index.js';
import { setReference, setValue } from '../../src/objects/mx-object.js';
import { previewSync } from '../../src/data/schema/sync.js';
import { formatDiagnostic, loadModel } from '../../src/model/index.js';
import type { CompiledModel } from '../../src/model/compiled/types.js';
import { writeApp } from '../support/app-folder.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { buildMendixDatabase, ROWS } from '../support/mendix-database.js';
import { SYSTEM_ROWS } from '../support/mendix-system-tables.js';
import { XasClient } from '../client-api/harness.js';
import type { OperationRegistry } from '../../src/client-api/registry/types.js';
import { quietLog } from './support.js';

/**
 * The app's TaskTracker module written by hand as Kiln's model, from the
 * fixture's records (entities, attributes, associations as the last DDL file
 * left them) and the reconstruction in mendix-database.ts.
 */
const DOMAIN = `
moduleRoles: [Manager, Member]
enumerations:
  TaskStatus: { To_Do: To do, Running: Running, Review: Review, Done: Done }
  SLAStatus: { OnTrack: On track, AtRisk: At risk, Breached: Breached, WithinTarget: Within target }
entities:
  Task:
    attributes:
      Status: Enumeration(TaskStatus)
      SLADashboardStatus: Enumeration(SLAStatus)
      CompletionDate: DateTime
    access:
      - { roles: [Manager, Member], read: "*", write: "*", create: true, delete: true }
  Comment:
    access:
      - { roles: [Manager, Member], read: "*" }
  Department:
    attributes:
      Name: String(200)
      Role: String(200)
    access:
      - { roles: [Manager, Member], read: "*" }
  TeamMember:
    attributes:
      Name: String(200)
      Email: String(200)
      BirthDay: DateTime
      PhoneNumber: String(10)
    access:
      - { roles: [Manager, Member], read: "*" }
associations:
  Task_Department: { parent: Task, child: Department }
  Comment_Task: { parent: Comment, child: Task }
  Comment_TeamMember: { parent: Comment, child: TeamMember }
  TeamMember_Department: { parent: TeamMember, child: Department }
`;

const PAGE = `
title: Tasks
allowedRoles: [Manager, Member]
widgets:
  - dataGrid:
      name: tasks
      source: { xpath: //TaskTracker.Task, sort: [Status] }
      pageSize: 20
      columns: [Status, SLADashboardStatus, CompletionDate, { attribute: TaskTracker.Task_Department/TaskTracker.Department/Name, caption: Department }]
  - dataGrid:
      name: supportMembers
      source: { xpath: "//TaskTracker.TeamMember[TaskTracker.TeamMember_Department/TaskTracker.Department/Name = 'Support']", sort: [Name] }
      pageSize: 20
      columns: [Name, Email, PhoneNumber, BirthDay]
`;

const APP = `
name: SLA Task App
version: 1.0.0
modules: [TaskTracker]
security:
  level: production
  adminUser: { name: MxAdmin, password: "Admin1!", role: Manager }
  userRoles:
    Manager: [TaskTracker.Manager, System.Administrator]
    Member: [TaskTracker.Member, System.User]
navigation:
  home: TaskTracker.TaskOverview
`;

/** What the database holds: every table's columns and indexes, and the rows of Mendix's record and of the app's tables. */
async function snapshot(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const columns = (
      await c.query<{ t: string; c: string; type: string; len: number | null; nullable: string; def: string | null }>(
        `SELECT table_name AS t, column_name AS c, data_type AS type, character_maximum_length AS len, is_nullable AS nullable, column_default AS def
         FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, column_name`,
      )
    ).rows;
    const indexes = (
      await c.query<{ t: string; name: string; def: string }>(
        `SELECT tablename AS t, indexname AS name, indexdef AS def FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1, 2`,
      )
    ).rows;
    const constraints = (
      await c.query<{ t: string; name: string; type: string }>(
        `SELECT table_name AS t, constraint_name AS name, constraint_type AS type FROM information_schema.table_constraints WHERE table_schema = current_schema() AND constraint_type IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY') ORDER BY 1, 2`,
      )
    ).rows;
    const tables = [...new Set(columns.map((r) => r.t))];
    const rows: Record<string, unknown[]> = {};
    for (const t of tables.filter((x) => x.startsWith('tasktracker$') || x.startsWith('mendixsystem$'))) {
      rows[t] = (await c.query(`SELECT * FROM "${t}"`)).rows.map((r) => JSON.stringify(r)).sort();
    }
    return { tables, columns, indexes, constraints, rows };
  } finally {
    await c.end();
  }
}

/** What schema synchronisation plans for the database, then the runtime started on it (which carries the plan out). */
async function planAndStart(url: string, dir: string, model: CompiledModel): Promise<{ planned: PlannedSteps; runtime: RunningRuntime }> {
  const db = await openDatabase(url, { log: quietLog });
  let planned: PlannedSteps;
  try {
    planned = (await previewSync(db, model)).steps;
  } finally {
    await db.close();
  }
  mkdirSync(join(dir, '.deployment'), { recursive: true });
  const runtime = await startRuntime({
    appDir: dir,
    model,
    settings: await resolveSettings({
      cli: { DatabaseUrl: url, Port: 0, Host: '127.0.0.1', DeploymentDir: join(dir, '.deployment'), HashAlgorithmCost: 4 },
    }),
    components: defaultComponents(),
    log: createLogger('error'),
  });
  return { planned, runtime };
}
type PlannedSteps = Awaited<ReturnType<typeof previewSync>>['steps'];

describe('Kiln on the database Mendix wrote for the SLA task app (PostgreSQL)', () => {
  let t: TestDatabase;
  let dir: string;
  let model: CompiledModel;
  let runtime: RunningRuntime;
  let before: Awaited<ReturnType<typeof snapshot>>;
  let after: Awaited<ReturnType<typeof snapshot>>;
  let planned: { sql: string }[];

  beforeAll(async () => {
    t = await freshDatabase('postgres');
    await buildMendixDatabase(t.url);
    dir = writeApp({ 'app.yaml': APP, 'modules/TaskTracker/domain-model.yaml': DOMAIN, 'modules/TaskTracker/pages/TaskOverview.yaml': PAGE });
    const loaded = await loadModel(dir, { checks: modelChecks() });
    if (!loaded.model) throw new Error(loaded.diagnostics.map(formatDiagnostic).join('\n'));
    model = loaded.model;
    before = await snapshot(t.url);
    ({ planned, runtime } = await planAndStart(t.url, dir, model));
    after = await snapshot(t.url);
  }, 120000);
  afterAll(async () => {
    await runtime?.stop();
    await t?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('built the database the fixture describes (guards the translation)', () => {
    expect(before.tables.filter((x) => x.startsWith('tasktracker$')).sort()).toEqual([
      'tasktracker$comment',
      'tasktracker$comment_task',
      'tasktracker$comment_teammember',
      'tasktracker$department',
      'tasktracker$task',
      'tasktracker$task_department',
      'tasktracker$teammember',
      'tasktracker$teammember_department',
    ]);
    expect(before.columns.filter((c) => c.t === 'tasktracker$teammember').map((c) => `${c.c} ${c.type}${c.len ? `(${c.len})` : ''}`)).toEqual([
      'birthday timestamp without time zone',
      'email character varying(200)',
      'id bigint',
      'name character varying(200)',
      'phonenumber character varying(10)',
    ]);
  });

  it("plans nothing for Mendix's tables: only the System module's tables Kiln adds and their records", () => {
    const touching = planned.filter((s) => /tasktracker\$/.test(s.sql));
    expect(touching.map((s) => s.sql)).toEqual([]);
    expect(planned.filter((s) => /^\s*(ALTER|DROP)\b/i.test(s.sql)).map((s) => s.sql)).toEqual([]);
    expect(planned.filter((s) => /^\s*(UPDATE|DELETE)\b/i.test(s.sql) && !/mendixsystem\$version/.test(s.sql)).map((s) => s.sql)).toEqual([]);
  });

  it('changes no table Mendix made: columns, types, indexes and constraints are as they were', () => {
    const mendix = new Set(before.tables);
    expect(after.columns.filter((c) => mendix.has(c.t))).toEqual(before.columns);
    expect(after.indexes.filter((i) => mendix.has(i.t))).toEqual(before.indexes);
    expect(after.constraints.filter((i) => mendix.has(i.t))).toEqual(before.constraints);
    // What Kiln added: its System module's tables and its own bookkeeping, nothing of the app's module.
    const added = after.tables.filter((x) => !mendix.has(x));
    expect(added.length).toBeGreaterThan(0);
    expect(added.filter((x) => !/^(system\$|mendixsystem\$|kiln)/.test(x))).toEqual([]);
  });

  it("keeps every row of the app's tables and of Mendix's records (the version row aside, rewritten with the sync date)", () => {
    for (const [table, rows] of Object.entries(before.rows)) {
      if (table === 'mendixsystem$version') continue;
      if (table.startsWith('tasktracker$')) expect(after.rows[table], table).toEqual(rows);
      // Records: Mendix's rows all still there, unchanged (Kiln adds those of the System module).
      else for (const r of rows) expect(after.rows[table], `${table} ${String(r)}`).toContain(r);
    }
  });

  it("writes new objects with Mendix's short ids after Mendix's sequences, and their association rows in Mendix's tables", async () => {
    const db = runtime.ctx.services.get('db') as Database;
    const ids = runtime.ctx.services.get('ids') as IdGenerator;
    const task = await createObject(model, 'TaskTracker.Task', ids);
    setValue(task, 'Status', 'Review');
    setReference(task, 'TaskTracker.Task_Department', ROWS.departments[0]!.id);
    await db.transaction((tx) => commitObjects(tx, model, [task]));
    expect(task.id >> 48n).toBe(11n);
    expect(task.id > ROWS.tasks[2]!.id).toBe(true);
    const link = await db.query<{ d: unknown }>('SELECT "tasktracker$departmentid" AS d FROM "tasktracker$task_department" WHERE "tasktracker$taskid" = $1', [
      String(task.id),
    ]);
    expect(link.map((r) => String(r.d))).toEqual([String(ROWS.departments[0]!.id)]);
    await db.transaction((tx) => deleteObjects(tx, model, [task]));
  });

  it('serves the rows Mendix stored through the client API, with their associations', async () => {
    const client = new XasClient(`http://127.0.0.1:${runtime.port}`);
    await client.login('MxAdmin', 'Admin1!');
    const registry = runtime.ctx.services.get('operations') as OperationRegistry;
    type Partial = { objectType: string; guid: string; attributes: Record<string, { value: unknown }> };
    const tasks = await client.op(registry.forWidget('TaskTracker.TaskOverview', 'tasks')!.id, { options: { amount: 20, wantCount: true } });
    expect(tasks.status).toBe(200);
    expect(tasks.body.count).toBe(3);
    const objs = tasks.body.partialObjects as Partial[];
    const byGuid = new Map(objs.map((o) => [o.guid, o]));
    const shown = (tasks.body.resultGuids as string[]).map((g) => {
      const a = byGuid.get(g)!.attributes;
      const dept = a['TaskTracker.Task_Department']!.value;
      return [
        g,
        a.Status!.value,
        a.SLADashboardStatus!.value,
        a.CompletionDate!.value,
        dept === null ? null : byGuid.get(String(dept))!.attributes.Name!.value,
      ];
    });
    const [running, done, todo] = ROWS.tasks;
    expect(shown).toEqual([
      [String(done!.id), 'Done', 'WithinTarget', Date.UTC(2023, 7, 21, 9, 30), 'Engineering'],
      [String(running!.id), 'Running', 'AtRisk', null, 'Support'],
      [String(todo!.id), 'To_Do', null, null, null],
    ]);
    // An XPath over an association table Mendix filled.
    const members = await client.op(registry.forWidget('TaskTracker.TaskOverview', 'supportMembers')!.id, { options: { amount: 20 } });
    expect(members.status).toBe(200);
    const ada = (members.body.partialObjects as Partial[]).filter((o) => o.objectType === 'TaskTracker.TeamMember');
    expect(
      ada.map((o) => [o.guid, o.attributes.Name!.value, o.attributes.Email!.value, o.attributes.PhoneNumber!.value, o.attributes.BirthDay!.value]),
    ).toEqual([[String(ROWS.members[0]!.id), 'Ada', 'ada@example.com', '0612345678', Date.UTC(1990, 1, 3)]]);
  });
});

/** Mendix's workflow tasks, as an imported app's inbox page shows them. */
const INBOX = `
title: Inbox
allowedRoles: [Manager]
widgets:
  - dataGrid:
      name: tasks
      source: { xpath: "//System.WorkflowUserTask[State = 'InProgress']", sort: [Name] }
      pageSize: 20
      columns: [Name, State, StartTime]
`;

/** The rows of every table whose name starts with one of `prefixes`. */
async function rowsOf(url: string, prefixes: readonly string[]): Promise<Record<string, string[]>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const tables = (await c.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema()`)).rows.map(
      (r) => r.t,
    );
    const out: Record<string, string[]> = {};
    for (const t of tables.filter((x) => prefixes.some((p) => x.startsWith(p))).sort())
      out[t] = (await c.query(`SELECT * FROM "${t}"`)).rows.map((r) => JSON.stringify(r)).sort();
    return out;
  } finally {
    await c.end();
  }
}

describe("Kiln on a Mendix database with the System module's tables as Mendix made them (PostgreSQL)", () => {
  let t: TestDatabase;
  let dir: string;
  let model: CompiledModel;
  let runtime: RunningRuntime;
  let before: Awaited<ReturnType<typeof snapshot>>;
  let after: Awaited<ReturnType<typeof snapshot>>;
  let rowsBefore: Record<string, string[]>;
  let rowsAfter: Record<string, string[]>;
  let planned: { sql: string }[];

  beforeAll(async () => {
    t = await freshDatabase('postgres');
    await buildMendixDatabase(t.url, { system: true });
    dir = writeApp({
      'app.yaml': APP,
      'modules/TaskTracker/domain-model.yaml': DOMAIN,
      'modules/TaskTracker/pages/TaskOverview.yaml': PAGE,
      'modules/TaskTracker/pages/Inbox.yaml': INBOX,
    });
    const loaded = await loadModel(dir, { checks: modelChecks() });
    if (!loaded.model) throw new Error(loaded.diagnostics.map(formatDiagnostic).join('\n'));
    model = loaded.model;
    before = await snapshot(t.url);
    rowsBefore = await rowsOf(t.url, ['system$', 'mendixsystem$']);
    ({ planned, runtime } = await planAndStart(t.url, dir, model));
    after = await snapshot(t.url);
    rowsAfter = await rowsOf(t.url, ['system$', 'mendixsystem$']);
  }, 120000);
  afterAll(async () => {
    await runtime?.stop();
    await t?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("plans no change to Mendix's System tables but Kiln's own additions, and drops nothing", () => {
    const existing = new Set(before.tables);
    const touching = planned.filter((p) =>
      [...p.sql.matchAll(/"([a-z_]+\$[a-z0-9_$]+)"/g)].some((m) => existing.has(m[1]!) && !m[1]!.startsWith('mendixsystem$')),
    );
    expect(touching.filter((p) => /^\s*(drop|delete|update)\b/i.test(p.sql) && !/csrftoken/.test(p.sql)).map((p) => p.sql)).toEqual([]);
    // What Kiln adds to Mendix's tables: its own members and indexes, and the one widening it needs (CSRFToken holds a hash, 43 characters).
    expect(touching.map((p) => p.sql)).toEqual([
      'alter table "system$processedqueuetask" add column "retry" VARCHAR(200)',
      'alter table "system$queuedtask" add column "errormessage" TEXT',
      'create index "idx_system$queuedtask_queue_status" on "system$queuedtask" ("queuename", "status", "startat", "id")',
      'alter table "system$session" add column "csrftoken__kiln" VARCHAR(50)',
      'UPDATE "system$session" SET "csrftoken__kiln" = "csrftoken"',
      'alter table "system$session" drop column "csrftoken"',
      'alter table "system$session" rename column "csrftoken__kiln" to "csrftoken"',
      'alter table "system$xasinstance" add column "startedat" TIMESTAMP',
      'alter table "system$xasinstance" add column "address" VARCHAR(200)',
      'alter table "system$xasinstance" add column "modelversion" VARCHAR(64)',
      'create index "idx_system$xasinstance_xasid" on "system$xasinstance" ("xasid", "id")',
    ]);
  });

  it("keeps every column, index and constraint of Mendix's System tables, those of the runtime's own entities too", () => {
    const key = (x: unknown) => JSON.stringify(x);
    const afterCols = new Set(after.columns.map(key));
    const changed = before.columns.filter((c) => !afterCols.has(key(c)));
    expect(changed.map((c) => `${c.t}.${c.c}`)).toEqual(['system$session.csrftoken']);
    expect(after.columns.find((c) => c.t === 'system$session' && c.c === 'csrftoken')!.len).toBe(50);
    const afterIdx = new Set(after.indexes.map(key));
    expect(before.indexes.filter((i) => !afterIdx.has(key(i)))).toEqual([]);
    const afterCons = new Set(after.constraints.map(key));
    expect(before.constraints.filter((c) => !afterCons.has(key(c)))).toEqual([]);
    // Mendix's runtime-internal parts, which the System module does not describe, are all still there.
    expect(after.tables).toEqual(expect.arrayContaining(['system$workflowversion', 'system$workflowversion_workflowdefinition', 'system$offlinecreatedguids']));
    expect(
      after.columns.filter((c) => (c.t === 'system$workflow' && c.c === 'previousstate') || (c.t === 'system$workflowdefinition' && c.c === 'modelguid')),
    ).toHaveLength(2);
    expect(after.constraints.map((c) => c.name)).toEqual(expect.arrayContaining(['uniq_system$user_name', 'uniq_system$workflowdefinition_modelguid']));
    // The foreign keys later Mendix 10 versions put on association tables stay (and cascade Kiln's deletes, e.g. of the anonymous user).
    const fks = [
      'frn_system$session_user_system$sessionid',
      'frn_system$session_user_system$userid',
      'frn_system$userroles_system$userid',
      'frn_system$userroles_system$userroleid',
    ];
    expect(before.constraints.filter((c) => c.type === 'FOREIGN KEY').map((c) => c.name)).toEqual(fks);
    expect(after.constraints.filter((c) => c.type === 'FOREIGN KEY').map((c) => c.name)).toEqual(fks);
  });

  it('keeps the rows Mendix stored in its System tables and its records of them', () => {
    const cols = (t: string) => new Set(before.columns.filter((c) => c.t === t).map((c) => c.c));
    const project = (t: string, rows: string[]) =>
      rows.map((r) => JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(r) as Record<string, unknown>).filter(([k]) => cols(t).has(k))))).sort();
    const anonymous = String(SYSTEM_ROWS.users[2]!.id);
    for (const [table, rows] of Object.entries(rowsBefore)) {
      if (!table.startsWith('system$')) continue;
      // The anonymous user of an ended session goes (Mendix removes it too); nothing else.
      const kept = rows.filter((r) => !r.includes(`"${anonymous}"`));
      expect(project(table, rowsAfter[table] ?? []), table).toEqual(expect.arrayContaining(project(table, kept)));
    }
    expect(rowsAfter.system$user!.some((r) => r.includes(anonymous))).toBe(false);
    // Mendix's records: every entity, attribute, association and unique constraint row is still there, the widened CSRFToken aside.
    for (const table of ['mendixsystem$entity', 'mendixsystem$attribute', 'mendixsystem$association', 'mendixsystem$unique_constraint']) {
      const kept = rowsBefore[table]!.filter((r) => !r.includes('"CSRFToken"'));
      expect(rowsAfter[table], table).toEqual(expect.arrayContaining(kept));
    }
    // Index records keep their names (the three tables Kiln adds to get theirs rewritten in Kiln's form).
    const names = (rows: string[]) => rows.map((r) => (JSON.parse(r) as { index_name: string }).index_name);
    expect(names(rowsAfter.mendixsystem$index!)).toEqual(expect.arrayContaining(names(rowsBefore.mendixsystem$index!)));
  });

  it("lets Mendix's users log in with the passwords Mendix stored and serves the workflow data Mendix stored", async () => {
    const client = new XasClient(`http://127.0.0.1:${runtime.port}`);
    await client.login('MxAdmin', 'Admin1!');
    const registry = runtime.ctx.services.get('operations') as OperationRegistry;
    const tasks = await client.op(registry.forWidget('TaskTracker.Inbox', 'tasks')!.id, { options: { amount: 20 } });
    expect(tasks.status).toBe(200);
    type Partial = { objectType: string; guid: string; attributes: Record<string, { value: unknown }> };
    const shown = (tasks.body.partialObjects as Partial[]).filter((o) => o.objectType === 'System.WorkflowUserTask');
    expect(shown.map((o) => [o.guid, o.attributes.Name!.value, o.attributes.State!.value])).toEqual([[String(SYSTEM_ROWS.task.id), 'Review', 'InProgress']]);
    const bad = new XasClient(`http://127.0.0.1:${runtime.port}`);
    await expect(bad.login('MxAdmin', 'wrong')).rejects.toThrow(/login as MxAdmin failed: 401/);
  });
});
