import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitObjects, createObject } from '../../src/data/index.js';
import type { MxObject } from '../../src/objects/mx-object.js';
import { DIALECTS } from '../support/databases.js';
import { kinds, startApp, updatedColumns, type AppUnderTest, type XasClient } from './harness.js';

/**
 * Seed 004's five scenarios on examples/employees, on every database: the
 * request and response JSON shapes and the SQL each one causes.
 */
const OVERVIEW = 'MyFirstModule.Employee_Overview';
const EDIT = 'MyFirstModule.Employee_NewEdit';
const T = '"myfirstmodule$employee"';

describe.each(DIALECTS)('seed 004 scenarios on %s', (dialect) => {
  let app: AppUnderTest;
  let user: XasClient;
  let admin: XasClient;
  let peter: string;
  let ellie: string;

  async function seed(values: Record<string, unknown>): Promise<string> {
    const model = app.runtime.ctx.model;
    const o: MxObject = await createObject(model, 'MyFirstModule.Employee', app.ids);
    for (const [k, v] of Object.entries(values)) o.values.set(k, v as never);
    await app.db.transaction((tx) => commitObjects(tx, model, [o]));
    return o.id.toString();
  }

  const retrieveBody = { options: { offset: 0, amount: 20, sort: [], wantCount: true, extraXpath: '' } };

  beforeAll(async () => {
    app = await startApp('employees', dialect, [{ name: 'ellen', password: 'Ellen-123', roles: ['User'] }]);
    peter = await seed({ Firstname: 'Peter', Lastname: 'Jones', Jobtitle: 'Sales Executive', Department: 'Sales', DateOfBirth: new Date(867189600000) });
    ellie = await seed({ Firstname: 'Elisa', Lastname: 'Walkers', Jobtitle: 'Accountant', Department: 'Finance', DateOfBirth: new Date(454629600000) });
    user = app.client();
    await user.login('ellen', 'Ellen-123');
    admin = app.client();
    await admin.login('MxAdmin', 'Admin1!');
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('4.1 retrieves the overview grid: used attributes only, count, two statements', async () => {
    const op = app.registry.forWidget(OVERVIEW, 'dataGrid2_1')!;
    const sql = app.capture();
    const r = await user.op(op.id, retrieveBody);
    app.stopCapture();
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      changes: {},
      commits: [],
      committedObjectsOmitted: false,
      count: 2,
      deletes: [],
      extraGuids: [],
      hasMoreItems: false,
      newpersistable: [],
      objects: [],
      partialObjects: [
        {
          objectType: 'MyFirstModule.Employee',
          guid: ellie,
          attributes: {
            Department: { value: 'Finance' },
            Jobtitle: { value: 'Accountant' },
            Firstname: { value: 'Elisa' },
            Lastname: { value: 'Walkers' },
            DateOfBirth: { value: 454629600000 },
          },
        },
        {
          objectType: 'MyFirstModule.Employee',
          guid: peter,
          attributes: {
            Department: { value: 'Sales' },
            Jobtitle: { value: 'Sales Executive' },
            Firstname: { value: 'Peter' },
            Lastname: { value: 'Jones' },
            DateOfBirth: { value: 867189600000 },
          },
        },
      ],
      resets: {},
      resultGuids: [ellie, peter],
    });
    expect(kinds(sql)).toEqual(['SELECT', 'SELECT']);
    expect(sql[0]!.sql).toMatch(new RegExp(`FROM ${T.replace(/\$/g, '\\$')}`));
    expect(sql[0]!.sql).toMatch(/ORDER BY .*"firstname" ASC.*"id" ASC/s);
    expect(sql[0]!.sql).toMatch(/LIMIT/i);
    expect(sql[1]!.sql).toMatch(/SELECT COUNT\(\*\)/i);
  });

  it('4.2 creates a new object in the client, then commits it with one INSERT', async () => {
    const create = app.registry.forButton(OVERVIEW, 'dataGrid2_1', 0)!;
    const sql = app.capture();
    const c = await admin.op(create.id);
    app.stopCapture();
    expect(c.status).toBe(200);
    const objects = c.body.objects as { objectType: string; guid: string; attributes: Record<string, { value: unknown }>; hash: string }[];
    expect(objects).toHaveLength(1);
    const created = objects[0]!;
    expect(created).toEqual({
      objectType: 'MyFirstModule.Employee',
      guid: expect.stringMatching(/^\d+$/) as unknown as string,
      attributes: {
        Firstname: { value: null },
        Lastname: { value: null },
        Jobtitle: { value: null },
        Department: { value: null },
        DateOfBirth: { value: null },
      },
      hash: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/) as unknown as string,
    });
    expect(sql.filter((s) => s.sql.includes(T))).toEqual([]);

    const save = app.registry.forButton(EDIT, 'dataView1', 0)!;
    const sql2 = app.capture();
    // The User role may not write Department and DateOfBirth: the seed's commit is an administrator's.
    // (The user sends an object signed for their own session: the administrator's is refused there.)
    const own = ((await user.op(create.id)).body.objects as typeof objects)[0]!;
    const refused = await user.op(save.id, {
      params: { Objects: { guids: [own.guid] } },
      changes: { [own.guid]: { Firstname: { value: 'Peter' }, Department: { value: 'Sales' } } },
      objects: [own],
    });
    expect(refused.status).toBe(403);
    expect((await user.op(save.id, { params: { Objects: { guids: [created.guid] } }, objects: [created] })).status).toBe(400);
    const r = await admin.op(save.id, {
      params: { Objects: { guids: [created.guid] } },
      changes: {
        [created.guid]: {
          Firstname: { value: 'Peter' },
          Lastname: { value: 'Jones' },
          Jobtitle: { value: 'Sales Executive' },
          Department: { value: 'Sales' },
          DateOfBirth: { value: 674863200000 },
        },
      },
      objects: [created],
    });
    app.stopCapture();
    expect(r.status).toBe(200);
    expect(r.body.commits).toEqual([created.guid]);
    expect(kinds(sql2)).toEqual(['INSERT']);
    expect(sql2[0]!.sql).toContain(`INSERT INTO ${T}`);
    for (const col of ['id', 'firstname', 'lastname', 'jobtitle', 'department', 'dateofbirth']) expect(sql2[0]!.sql).toContain(`"${col}"`);
    const rows = await app.db.query<Record<string, unknown>>(`SELECT "lastname" FROM ${T} WHERE "firstname" = 'Peter' ORDER BY "id"`, []);
    expect(rows.map((x) => x.lastname)).toEqual(['Jones', 'Jones']);
  });

  it('4.3 edits an existing object: SELECT by id, then UPDATE of the changed column only', async () => {
    const save = app.registry.forButton(EDIT, 'dataView1', 0)!;
    const sql = app.capture();
    const r = await user.op(save.id, { params: { Objects: { guids: [ellie] } }, changes: { [ellie]: { Firstname: { value: 'Ellie' } } } });
    app.stopCapture();
    expect(r.status).toBe(200);
    expect(r.body.commits).toEqual([ellie]);
    expect(kinds(sql)).toEqual(['SELECT', 'UPDATE']);
    expect(sql[0]!.sql).toContain(`FROM ${T}`);
    expect(updatedColumns(sql[1]!.sql)).toEqual(['firstname']);
    const rows = await app.db.query<{ firstname: string }>(`SELECT "firstname" FROM ${T} WHERE "lastname" = 'Walkers'`, []);
    expect(rows[0]!.firstname).toBe('Ellie');
  });

  it('refuses a change to an attribute the user may not write, and writes nothing', async () => {
    const save = app.registry.forButton(EDIT, 'dataView1', 0)!;
    const sql = app.capture();
    const r = await user.op(save.id, {
      params: { Objects: { guids: [ellie] } },
      changes: { [ellie]: { Firstname: { value: 'X' }, Department: { value: 'Sales' } } },
    });
    app.stopCapture();
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ error: 'not allowed to change MyFirstModule.Employee.Department', field: `changes.${ellie}.Department` });
    expect(kinds(sql).filter((k) => k !== 'SELECT')).toEqual([]);
  });

  it('4.4 deletes an object: SELECT, then DELETE; the refreshed grid has one object less', async () => {
    const del = app.registry.forButton(OVERVIEW, 'dataGrid2_1', 2)!;
    const forbidden = await user.op(del.id, { params: { Objects: { guids: [peter] } } });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toEqual({ error: 'not allowed' });
    const sql = app.capture();
    const r = await admin.op(del.id, { params: { Objects: { guids: [peter] } } });
    app.stopCapture();
    expect(r.status).toBe(200);
    expect(r.body.deletes).toEqual([peter]);
    expect(kinds(sql)).toEqual(['SELECT', 'DELETE']);
    expect(sql[1]!.sql).toContain(`DELETE FROM ${T}`);
    const grid = app.registry.forWidget(OVERVIEW, 'dataGrid2_1')!;
    const refreshed = await admin.op(grid.id, { ...retrieveBody, profiledata: { '1714641974355-33': 158 } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.count).toBe(2);
    expect(refreshed.body.resultGuids).not.toContain(peter);
  });
});
