import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitObjects, createObject } from '../../src/data/index.js';
import { startApp, type AppUnderTest, type XasClient } from './harness.js';

const T = '"myfirstmodule$employee"';
const OVERVIEW = 'MyFirstModule.Employee_Overview';
const EDIT = 'MyFirstModule.Employee_NewEdit';

describe('client API: session data, rollback, all-or-nothing commits, two instances', () => {
  let app: AppUnderTest;
  let user: XasClient;
  const countRows = async () => Number(Object.values((await app.db.query(`SELECT COUNT(*) AS n FROM ${T}`, []))[0]!)[0]);

  beforeAll(async () => {
    app = await startApp('employees', 'postgres', [{ name: 'ellen', password: 'Ellen-123', roles: ['User'] }]);
    user = app.client();
    await user.login('ellen', 'Ellen-123');
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('get_session_data gives the user, roles, CSRF token and the metadata this user may see', async () => {
    const r = await user.post({ action: 'get_session_data', params: {} });
    expect(r.status).toBe(200);
    expect(r.body.csrftoken).toBe(user.csrf);
    expect(r.body.roles).toEqual(['User']);
    // Half the default SessionTimeout (600000 ms): how often an open page sends keepalive.
    expect(r.body.keepAliveInterval).toBe(300000);
    expect(r.body.user).toMatchObject({ objectType: 'System.User', attributes: { Name: { value: 'ellen' } } });
    const emp = (
      r.body.metadata as { objectType: string; canCreate: boolean; canDelete: boolean; attributes: Record<string, { type: string; readonly: boolean }> }[]
    ).find((m) => m.objectType === 'MyFirstModule.Employee')!;
    expect(emp.canCreate).toBe(true);
    expect(emp.canDelete).toBe(false);
    expect(emp.attributes.Firstname).toEqual({ type: 'String', length: 200, readonly: false });
    expect(emp.attributes.Department!.readonly).toBe(true);
    expect(emp.attributes.DateOfBirth).toEqual({ type: 'DateTime', readonly: true });
    expect(r.body.enumerations).toContainEqual({
      name: 'MyFirstModule.Department',
      values: [
        { key: 'Sales', caption: 'Sales' },
        { key: 'Finance', caption: 'Finance' },
        { key: 'ExpertServices', caption: 'Expert services' },
      ],
    });
    expect((await user.post({ action: 'keepalive' })).status).toBe(200);
  });

  it('a data view over a page parameter retrieves that one object', async () => {
    const o = await createObject(app.runtime.ctx.model, 'MyFirstModule.Employee', app.ids);
    o.values.set('Firstname', 'Dora');
    o.values.set('Lastname', 'View');
    await app.db.transaction((tx) => commitObjects(tx, app.runtime.ctx.model, [o]));
    const view = app.registry.forWidget(EDIT, 'dataView1')!;
    expect(view.parameters).toEqual({ Employee: ['MyFirstModule.Employee'] });
    const g = o.id.toString();
    const r = await user.op(view.id, { params: { Employee: { guid: g } } });
    expect(r.status).toBe(200);
    expect(r.body.resultGuids).toEqual([g]);
    expect((r.body.partialObjects as { attributes: Record<string, unknown> }[])[0]!.attributes).toMatchObject({
      Firstname: { value: 'Dora' },
      Lastname: { value: 'View' },
    });
    const missing = await user.op(view.id, {});
    expect(missing.status).toBe(400);
    expect(missing.body.field).toBe('params.Employee');
  });

  it('rollback of a new object drops it without SQL', async () => {
    const create = app.registry.forButton(OVERVIEW, 'dataGrid2_1', 0)!;
    const cancel = app.registry.forButton(EDIT, 'dataView1', 1)!;
    const c = await user.op(create.id);
    const created = (c.body.objects as { guid: string }[])[0]!;
    const sql = app.capture();
    const r = await user.op(cancel.id, {
      params: { Objects: { guids: [created.guid] } },
      objects: [created],
      changes: { [created.guid]: { Firstname: { value: 'x' } } },
    });
    app.stopCapture();
    expect(r.status).toBe(200);
    expect(r.body.deletes).toEqual([created.guid]);
    expect(sql).toEqual([]);
  });

  it('a commit of several objects writes all or nothing', async () => {
    const create = app.registry.forButton(OVERVIEW, 'dataGrid2_1', 0)!;
    const save = app.registry.forButton(EDIT, 'dataView1', 0)!;
    const a = (await user.op(create.id)).body.objects as { guid: string }[];
    const b = (await user.op(create.id)).body.objects as { guid: string }[];
    const before = await countRows();
    const [ga, gb] = [a[0]!.guid, b[0]!.guid];
    const r = await user.op(save.id, {
      params: { Objects: { guids: [ga, gb] } },
      objects: [a[0], b[0]],
      changes: { [ga]: { Firstname: { value: 'Ann' }, Lastname: { value: 'Ok' } }, [gb]: { Firstname: { value: 'Bob' } } },
    });
    expect(r.status).toBe(422);
    expect(r.body.datavalidation).toEqual({ [gb]: { Lastname: 'Last name is required' } });
    expect(await countRows()).toBe(before);
  });

  it('a commit of stored objects in more than one SELECT of ids, one of them named twice, changes each and answers them in order', async () => {
    const save = app.registry.forButton(EDIT, 'dataView1', 0)!;
    const model = app.runtime.ctx.model;
    const objs: Awaited<ReturnType<typeof createObject>>[] = [];
    for (let i = 0; i < 60; i++) {
      const o = await createObject(model, 'MyFirstModule.Employee', app.ids);
      o.values.set('Firstname', `Many${i}`);
      o.values.set('Lastname', 'Chunked');
      objs.push(o);
    }
    await app.db.transaction((tx) => commitObjects(tx, model, objs));
    const guids = objs.map((o) => o.id.toString());
    const r = await user.op(save.id, {
      params: { Objects: { guids: [...guids, guids[0]!] } },
      changes: Object.fromEntries(guids.map((g, i) => [g, { Jobtitle: { value: `Job${i}` } }])),
    });
    expect(r.status).toBe(200);
    expect(r.body.commits).toEqual([...guids, guids[0]]);
    const rows = await app.db.query(`SELECT "id", "jobtitle" FROM ${T} WHERE "lastname" = 'Chunked'`, []);
    const byId = new Map(rows.map((x) => [String(x.id), x.jobtitle]));
    expect(guids.map((g) => byId.get(g))).toEqual(guids.map((_, i) => `Job${i}`));
  });

  it('a second instance on the same database accepts objects the first one signed', async () => {
    const other = await app.anotherInstance();
    const create = app.registry.forButton(OVERVIEW, 'dataGrid2_1', 0)!;
    const save = app.registry.forButton(EDIT, 'dataView1', 0)!;
    const c = await user.op(create.id);
    const created = (c.body.objects as { guid: string }[])[0]!;
    const before = await countRows();
    const r = await user
      .on(other.base)
      .op(save.id, { params: { Objects: { guids: [created.guid] } }, objects: [created], changes: { [created.guid]: { Lastname: { value: 'Elsewhere' } } } });
    expect(r.status).toBe(200);
    expect(await countRows()).toBe(before + 1);
  });
});

describe('client API when the database goes away', () => {
  let app: AppUnderTest;
  let proxy: Server;
  let port = 0;
  let stored = '';
  const sockets = new Set<Socket>();
  const listen = () =>
    new Promise<void>((res) => {
      proxy = createServer((inbound) => {
        const out = connect(5432, '127.0.0.1');
        sockets.add(inbound);
        sockets.add(out);
        inbound.pipe(out);
        out.pipe(inbound);
        const close = () => {
          inbound.destroy();
          out.destroy();
          sockets.delete(inbound);
          sockets.delete(out);
        };
        inbound.on('error', close);
        out.on('error', close);
        inbound.on('close', close);
        out.on('close', close);
      });
      proxy.listen(port, '127.0.0.1', () => {
        port = (proxy.address() as { port: number }).port;
        res();
      });
    });

  beforeAll(async () => {
    await listen();
    app = await startApp('employees', 'postgres', [], { DatabaseConnectTimeout: 2000 }, undefined, (url) => url.replace('127.0.0.1:5432', `127.0.0.1:${port}`));
    const o = await createObject(app.runtime.ctx.model, 'MyFirstModule.Employee', app.ids);
    o.values.set('Lastname', 'Still here');
    await app.db.transaction((tx) => commitObjects(tx, app.runtime.ctx.model, [o]));
    stored = o.id.toString();
  });
  afterAll(async () => {
    await app?.stop();
    proxy?.close();
  });

  it('answers 503 while the database is unreachable, and serves again once it is back', async () => {
    const admin = app.client();
    await admin.login('MxAdmin', 'Admin1!');
    const grid = app.registry.forWidget(OVERVIEW, 'dataGrid2_1')!;
    const body = { options: { amount: 20, wantCount: true } };
    expect((await admin.op(grid.id, body)).status).toBe(200);
    await new Promise<void>((res) => {
      proxy.close(() => res());
      for (const s of sockets) s.destroy();
    });
    const down = await admin.op(grid.id, body);
    expect(down.status).toBe(503);
    expect(down.body).toEqual({ error: 'the database is not available' });
    // A commit while the database is away: 503 as well, and (seen once it is back) nothing written.
    const save = app.registry.forButton(EDIT, 'dataView1', 0)!;
    const edit = await admin.op(save.id, { params: { Objects: { guids: [stored] } }, changes: { [stored]: { Lastname: { value: 'Changed' } } } });
    expect(edit.status).toBe(503);
    expect(edit.body).toEqual({ error: 'the database is not available' });
    await listen();
    let back = await admin.op(grid.id, body);
    for (let i = 0; i < 20 && back.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 250));
      back = await admin.op(grid.id, body);
    }
    expect(back.status).toBe(200);
    expect(back.body.count).toBe(1);
    expect((back.body.partialObjects as { attributes: Record<string, unknown> }[])[0]!.attributes.Lastname).toEqual({ value: 'Still here' });
  });
});
