import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { hashPassword } from '../../src/security/password.js';
import { mendixSystemRows, mendixSystemStatements } from './mendix-system-tables.js';

/**
 * A PostgreSQL database as Mendix 10 would have left it for the SLA task app
 * (fixtures/mendix/sla-task-app): Mendix's system tables, the tables and
 * `mendixsystem$` records its schema synchronisation wrote, and rows "Mendix"
 * stored.
 *
 * The fixture's DDL is incremental (HSQLDB, the first file ALTERs
 * `tasktracker$task`, created earlier), so the state before it is
 * reconstructed here from the metadata and the fixture's own records:
 * - `tasktracker$task` (entity id 06873690-…, named by the first file's
 *   attribute records) with `Status`, the enumeration the app's queries
 *   compare (`[Status='Running']`, values To_Do, Running, Review, Done: Mendix
 *   sizes an enumeration column by its longest value, 7);
 * - `tasktracker$comment` (entity id 179a6013-…, named by the association
 *   record of Comment_TeamMember); its attributes are not in the fixture, so
 *   it has none here;
 * - `TaskTracker.Comment_Task` (used by the RetrieveComments microflow in
 *   microflows.json), an association table as Mendix 10.1 made them.
 * The ids of records the fixture does not show are made up (marked below).
 */

const FIXTURE_DIR = join(import.meta.dirname, '../fixtures/mendix/sla-task-app/database');

/** Mendix's system tables, with the columns its statements (fixture and public Mendix DDL logs) write. */
const SYSTEM_TABLES = `
CREATE TABLE "mendixsystem$entity" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "entity_name" VARCHAR(255) NOT NULL, "table_name" VARCHAR(255),
  "superentity_id" VARCHAR(36), "remote" BOOLEAN, "remote_primary_key" BOOLEAN);
CREATE TABLE "mendixsystem$entityidentifier" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "short_id" INTEGER NOT NULL, "object_sequence" BIGINT NOT NULL);
CREATE TABLE "mendixsystem$attribute" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "entity_id" VARCHAR(36) NOT NULL, "attribute_name" VARCHAR(255) NOT NULL,
  "column_name" VARCHAR(255) NOT NULL, "type" INTEGER NOT NULL, "length" INTEGER, "default_value" VARCHAR(4000), "is_auto_number" BOOLEAN);
CREATE TABLE "mendixsystem$association" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "association_name" VARCHAR(255) NOT NULL, "table_name" VARCHAR(255) NOT NULL,
  "parent_entity_id" VARCHAR(36), "child_entity_id" VARCHAR(36), "parent_column_name" VARCHAR(255), "child_column_name" VARCHAR(255),
  "pk_index_name" VARCHAR(255), "index_name" VARCHAR(255), "parent_fkc_name" VARCHAR(255), "child_fkc_name" VARCHAR(255),
  "parent_fkc_action" INTEGER, "child_fkc_action" INTEGER);
CREATE TABLE "mendixsystem$index" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "table_id" VARCHAR(36) NOT NULL, "index_name" VARCHAR(255) NOT NULL);
CREATE TABLE "mendixsystem$index_column" ("index_id" VARCHAR(36) NOT NULL, "column_id" VARCHAR(255) NOT NULL, "sort_order" VARCHAR(5), "ordinal" INTEGER);
CREATE TABLE "mendixsystem$unique_constraint" ("name" VARCHAR(255) NOT NULL, "table_id" VARCHAR(36) NOT NULL, "column_id" VARCHAR(255) NOT NULL);
CREATE TABLE "mendixsystem$sequence" ("attribute_id" VARCHAR(36) NOT NULL PRIMARY KEY, "name" VARCHAR(255), "start_value" BIGINT, "current_value" BIGINT);
CREATE TABLE "mendixsystem$version" ("versionnumber" VARCHAR(50), "lastsyncdate" VARCHAR(50), "modelversionnumber" VARCHAR(255), "mendixversion" VARCHAR(255));
INSERT INTO "mendixsystem$version" ("versionnumber", "lastsyncdate", "modelversionnumber", "mendixversion") VALUES ('4.2', '20230819 15:40:02', 'unversioned', '10.1.1.12532');
`;

/** The state before the fixture's first file (reconstructed: see above; ids marked * are made up). */
const BEFORE_FIXTURE = `
CREATE TABLE "tasktracker$task" (
	"id" BIGINT NOT NULL,
	"status" VARCHAR_IGNORECASE(7) NULL,
	PRIMARY KEY("id"));
INSERT INTO "mendixsystem$entity" ("id", "entity_name", "table_name", "remote", "remote_primary_key") VALUES ('06873690-bd7a-452f-a28f-1e1d5331ff61', 'TaskTracker.Task', 'tasktracker$task', false, false);
INSERT INTO "mendixsystem$attribute" ("id", "entity_id", "attribute_name", "column_name", "type", "length", "default_value", "is_auto_number") VALUES ('0b0c2a5e-3f0e-4d55-9d7a-5b1e7c1f0a01', '06873690-bd7a-452f-a28f-1e1d5331ff61', 'Status', 'status', 40, 7, '', false);
CREATE TABLE "tasktracker$comment" (
	"id" BIGINT NOT NULL,
	PRIMARY KEY("id"));
INSERT INTO "mendixsystem$entity" ("id", "entity_name", "table_name", "remote", "remote_primary_key") VALUES ('179a6013-87de-4dae-a648-97d8b9d5eef0', 'TaskTracker.Comment', 'tasktracker$comment', false, false);
CREATE TABLE "tasktracker$comment_task" (
	"tasktracker$commentid" BIGINT NOT NULL,
	"tasktracker$taskid" BIGINT NOT NULL,
	PRIMARY KEY("tasktracker$commentid","tasktracker$taskid"),
	CONSTRAINT "uniq_tasktracker$comment_task_tasktracker$commentid" UNIQUE ("tasktracker$commentid"));
CREATE INDEX "idx_tasktracker$comment_task_tasktracker$task_tasktracker$comment" ON "tasktracker$comment_task" ("tasktracker$taskid" ASC,"tasktracker$commentid" ASC);
INSERT INTO "mendixsystem$association" ("id", "association_name", "table_name", "parent_entity_id", "child_entity_id", "parent_column_name", "child_column_name", "index_name") VALUES ('5d0f1c9e-8a3b-4f7e-9b62-0c1d2e3f4a02', 'TaskTracker.Comment_Task', 'tasktracker$comment_task', '179a6013-87de-4dae-a648-97d8b9d5eef0', '06873690-bd7a-452f-a28f-1e1d5331ff61', 'tasktracker$commentid', 'tasktracker$taskid', 'idx_tasktracker$comment_task_tasktracker$task_tasktracker$comment');
INSERT INTO "mendixsystem$unique_constraint" ("name", "table_id", "column_id") VALUES ('uniq_tasktracker$comment_task_tasktracker$commentid', '5d0f1c9e-8a3b-4f7e-9b62-0c1d2e3f4a02', '1e2d3c4b-5a69-3788-9a0b-1c2d3e4f5a03');
`;

/** Mendix's short ids of the app's entities (the runtime writes them; made up here) and the object sequences the rows below use. */
const IDENTIFIERS = `
INSERT INTO "mendixsystem$entityidentifier" ("id", "short_id", "object_sequence") VALUES ('06873690-bd7a-452f-a28f-1e1d5331ff61', 11, 3);
INSERT INTO "mendixsystem$entityidentifier" ("id", "short_id", "object_sequence") VALUES ('179a6013-87de-4dae-a648-97d8b9d5eef0', 12, 1);
INSERT INTO "mendixsystem$entityidentifier" ("id", "short_id", "object_sequence") VALUES ('bde19e81-9775-49e8-b279-2f92884422ae', 13, 2);
INSERT INTO "mendixsystem$entityidentifier" ("id", "short_id", "object_sequence") VALUES ('84961d08-c37c-4f6a-9ccf-113ab1794aa3', 14, 2);
`;

/** An object id as Mendix makes it: the entity's short id in the top 16 bits, a sequence below. */
const mxId = (shortId: number, seq: number): bigint => (BigInt(shortId) << 48n) | BigInt(seq);

/** Rows the app stored while Mendix ran it. */
export const ROWS = {
  tasks: [
    { id: mxId(11, 1), status: 'Running', sla: 'AtRisk', completion: null, department: mxId(13, 1) },
    { id: mxId(11, 2), status: 'Done', sla: 'WithinTarget', completion: '2023-08-21 09:30:00', department: mxId(13, 2) },
    { id: mxId(11, 3), status: 'To_Do', sla: null, completion: null, department: null },
  ],
  departments: [
    { id: mxId(13, 1), name: 'Support', role: 'First line' },
    { id: mxId(13, 2), name: 'Engineering', role: null },
  ],
  members: [
    { id: mxId(14, 1), name: 'Ada', email: 'ada@example.com', phone: '0612345678', birthday: '1990-02-03 00:00:00', department: mxId(13, 1) },
    { id: mxId(14, 2), name: 'Ben', email: 'ben@example.com', phone: null, birthday: null, department: mxId(13, 2) },
  ],
  comments: [{ id: mxId(12, 1), task: mxId(11, 1), member: mxId(14, 1) }],
};

/** HSQLDB's DDL as PostgreSQL takes it: VARCHAR_IGNORECASE is HSQLDB's case-insensitive VARCHAR. */
function toPostgres(hsqldb: string): string {
  return hsqldb.replace(/VARCHAR_IGNORECASE\(/g, 'VARCHAR(');
}

/** The statements of a file, in order (each ends with `;` at the end of a line). */
function statements(text: string): string[] {
  return text
    .split(/;\s*\n/)
    .map((s) => s.trim().replace(/;$/, ''))
    .filter((s) => s.length > 0);
}

/**
 * Runs Mendix's history on the (empty) database at `url`: system tables, the state before the fixture, the fixture's files in order, the rows.
 * `system`: with the System module's tables and rows as a Mendix runtime leaves them (mendix-system-tables.ts); the administrator's
 * password (`Admin1!`) is stored in Mendix's form `{BCrypt}$2a$...`.
 */
export async function buildMendixDatabase(url: string, opts: { system?: boolean } = {}): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const files = readdirSync(FIXTURE_DIR)
      .filter((f) => f.endsWith('.sql'))
      .sort();
    const script = [SYSTEM_TABLES, BEFORE_FIXTURE, ...files.map((f) => readFileSync(join(FIXTURE_DIR, f), 'utf8')), IDENTIFIERS];
    for (const text of script) for (const s of statements(toPostgres(text))) await c.query(s);
    if (opts.system) {
      for (const s of [...mendixSystemStatements(), ...mendixSystemRows()]) await c.query(s);
      const hash = `{BCrypt}${(await hashPassword('Admin1!', 4)).replace(/^\$2b\$/, '$2a$')}`;
      await c.query(`UPDATE "system$user" SET "password" = $1 WHERE "name" = 'MxAdmin'`, [hash]);
    }
    const ins = (table: string, row: Record<string, unknown>) => {
      const cols = Object.keys(row);
      return c.query(
        `INSERT INTO "${table}" (${cols.map((k) => `"${k}"`).join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`,
        cols.map((k) => (typeof row[k] === 'bigint' ? String(row[k]) : row[k])),
      );
    };
    for (const d of ROWS.departments) await ins('tasktracker$department', { id: d.id, name: d.name, role: d.role });
    for (const t of ROWS.tasks) {
      await ins('tasktracker$task', { id: t.id, status: t.status, sladashboardstatus: t.sla, completiondate: t.completion });
      if (t.department) await ins('tasktracker$task_department', { tasktracker$taskid: t.id, tasktracker$departmentid: t.department });
    }
    for (const m of ROWS.members) {
      await ins('tasktracker$teammember', { id: m.id, name: m.name, email: m.email, phonenumber: m.phone, birthday: m.birthday });
      await ins('tasktracker$teammember_department', { tasktracker$teammemberid: m.id, tasktracker$departmentid: m.department });
    }
    for (const x of ROWS.comments) {
      await ins('tasktracker$comment', { id: x.id });
      await ins('tasktracker$comment_task', { tasktracker$commentid: x.id, tasktracker$taskid: x.task });
      await ins('tasktracker$comment_teammember', { tasktracker$commentid: x.id, tasktracker$teammemberid: x.member });
    }
  } finally {
    await c.end();
  }
}
