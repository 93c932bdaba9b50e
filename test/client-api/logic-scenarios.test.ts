import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitObjects, createObject } from '../../src/data/index.js';
import type { MxObject } from '../../src/objects/mx-object.js';
import { DIALECTS } from '../support/databases.js';
import { kinds, startApp, type AppUnderTest, type XasClient } from './harness.js';

/**
 * Seed 004 §5.1 (a grid filled by a microflow) and validation at commit, on
 * examples/employees, on every database: the response shapes and the SQL.
 */
const T = '"myfirstmodule$employee"';

describe.each(DIALECTS)('microflows and validation through the client API on %s', (dialect) => {
  let app: AppUnderTest;
  let user: XasClient;
  const guids: string[] = [];

  beforeAll(async () => {
    app = await startApp('employees', dialect, [{ name: 'ellen', password: 'Ellen-123', roles: ['User'] }]);
    const model = app.runtime.ctx.model;
    const rows = [
      { Firstname: 'Peter', Lastname: 'Jones', Jobtitle: 'Sales Executive', Department: 'Sales', DateOfBirth: new Date(867189600000) },
      { Firstname: 'Ellie', Lastname: 'Walkers', Jobtitle: 'Accountant', Department: 'Finance', DateOfBirth: new Date(454629600000) },
    ];
    for (const values of rows) {
      const o: MxObject = await createObject(model, 'MyFirstModule.Employee', app.ids);
      for (const [k, v] of Object.entries(values)) o.values.set(k, v);
      await app.db.transaction((tx) => commitObjects(tx, model, [o]));
      guids.push(o.id.toString());
    }
    user = app.client();
    await user.login('ellen', 'Ellen-123');
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('5.1 fills a grid from a microflow: one SELECT, every object in the response, none signed', async () => {
    const op = app.registry.forWidget('MyFirstModule.Employee_Overview', 'allEmployeesGrid')!;
    expect(op.constants).toEqual({ MicroflowName: 'MyFirstModule.GetAllEmployees' });
    const sql = app.capture();
    const r = await user.op(op.id, { validationGuids: [] });
    app.stopCapture();
    expect(r.status).toBe(200);
    const byGuid = (g: string) => (r.body.objects as { guid: string }[]).find((o) => o.guid === g);
    expect(r.body).toEqual({
      actionResult: { type: 'ObjectReferenceSet', value: expect.arrayContaining(guids) as unknown as string[] },
      changes: {},
      commits: [],
      committedObjectsOmitted: false,
      deletes: [],
      newpersistable: [],
      objects: expect.any(Array) as unknown as unknown[],
      resets: {},
    });
    expect((r.body.actionResult as { value: string[] }).value).toHaveLength(2);
    expect(byGuid(guids[0]!)).toEqual({
      objectType: 'MyFirstModule.Employee',
      guid: guids[0],
      attributes: {
        Department: { value: 'Sales' },
        Jobtitle: { value: 'Sales Executive' },
        Firstname: { value: 'Peter' },
        Lastname: { value: 'Jones' },
        DateOfBirth: { value: 867189600000 },
      },
    });
    expect(byGuid(guids[1]!)).toMatchObject({ attributes: { Firstname: { value: 'Ellie' } } });
    expect(kinds(sql)).toEqual(['SELECT']);
    expect(sql[0]!.sql).toContain(`FROM ${T}`);
  });

  it('answers a failed validation rule with feedback per field and writes nothing', async () => {
    const save = app.registry.forButton('MyFirstModule.Employee_NewEdit', 'dataView1', 0)!;
    const g = guids[1]!;
    const sql = app.capture();
    const r = await user.op(save.id, { params: { Objects: { guids: [g] } }, changes: { [g]: { Firstname: { value: 'Elisa' }, Lastname: { value: null } } } });
    app.stopCapture();
    expect(r.status).toBe(422);
    expect(r.body).toEqual({ error: 'validation failed', datavalidation: { [g]: { Lastname: 'Last name is required' } } });
    expect(kinds(sql).filter((k) => k !== 'SELECT')).toEqual([]);
    const rows = await app.db.query<{ firstname: string; lastname: string }>(`SELECT "firstname", "lastname" FROM ${T} WHERE "id" = ${g}`, []);
    expect(rows[0]).toEqual({ firstname: 'Ellie', lastname: 'Walkers' });
  });

  it('validates a new object before its INSERT', async () => {
    const create = app.registry.forButton('MyFirstModule.Employee_Overview', 'dataGrid2_1', 0)!;
    const save = app.registry.forButton('MyFirstModule.Employee_NewEdit', 'dataView1', 0)!;
    const c = await user.op(create.id);
    const created = (c.body.objects as { guid: string }[])[0]!;
    const sql = app.capture();
    const r = await user.op(save.id, {
      params: { Objects: { guids: [created.guid] } },
      objects: [created],
      changes: { [created.guid]: { Firstname: { value: 'Nobody' } } },
    });
    app.stopCapture();
    expect(r.status).toBe(422);
    expect(r.body.datavalidation).toEqual({ [created.guid]: { Lastname: 'Last name is required' } });
    expect(kinds(sql)).toEqual([]);
    const ok = await user.op(save.id, {
      params: { Objects: { guids: [created.guid] } },
      objects: [created],
      changes: { [created.guid]: { Firstname: { value: 'Nobody' }, Lastname: { value: 'Known' } } },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.commits).toEqual([created.guid]);
  });
});
