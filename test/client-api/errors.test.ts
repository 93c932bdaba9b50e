import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppUnderTest, type XasClient } from './harness.js';

const OVERVIEW = 'MyFirstModule.Employee_Overview';
const EDIT = 'MyFirstModule.Employee_NewEdit';

/**
 * The one error path of /xas/ over real HTTP: each action's body is checked
 * against its schema (400 naming the field), and an error nobody expected is a
 * 500 that shows the caller nothing but a request id, with the details logged.
 */
describe('client API: malformed requests and internal errors', () => {
  let app: AppUnderTest;
  let user: XasClient;

  beforeAll(async () => {
    app = await startApp('employees', 'sqlite', [{ name: 'ellen', password: 'Ellen-123', roles: ['User'] }]);
    user = app.client();
    await user.login('ellen', 'Ellen-123');
  });
  afterAll(async () => {
    await app?.stop();
  });

  const field = async (body: unknown) => {
    const r = await user.post(body);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.error).toContain(String(r.body.field));
    return r.body.field;
  };

  it('answers a body that is not an object, a missing action and an unknown one with 400 naming the field', async () => {
    expect(await field([])).toBe('body');
    expect(await field({ params: {} })).toBe('action');
    expect(await field({ action: 42 })).toBe('action');
    expect(await user.post({ action: 'no_such_action' })).toEqual({ status: 400, body: { error: "unknown action 'no_such_action'", field: 'action' } });
    const notJson = await user.post('{"action": ');
    expect(notJson.status).toBe(400);
    expect(typeof notJson.body.error).toBe('string');
    expect(JSON.stringify(notJson.body)).not.toMatch(/\bat \w|node_modules|\.ts:\d/);
  });

  it('login: 400 naming the missing or mistyped parameter, with the message the client knows', async () => {
    const r = await app.client().post({ action: 'login', params: { username: 'ellen' } });
    expect(r).toEqual({ status: 400, body: { error: 'malformed login: params.username and params.password must be strings', field: 'params.password' } });
    expect((await app.client().post({ action: 'login', params: { username: 1, password: 'x' } })).body.field).toBe('params.username');
    expect((await app.client().post({ action: 'login' })).body.field).toBe('params');
  });

  it('runtimeOperation: 400 naming the field, from the envelope down to an object id in a parameter', async () => {
    const grid = app.registry.forWidget(OVERVIEW, 'dataGrid2_1')!;
    const save = app.registry.forButton(EDIT, 'dataView1', 0)!;
    const op = { action: 'runtimeOperation', operationId: grid.id, params: {}, changes: {}, objects: [] };
    expect(await field({ ...op, operationId: undefined })).toBe('operationId');
    expect(await field({ ...op, operationId: 7 })).toBe('operationId');
    expect(await field({ ...op, params: 'x' })).toBe('params');
    expect(await field({ ...op, options: { amount: 'lots' } })).toBe('options.amount');
    expect(await field({ ...op, options: { offset: -1 } })).toBe('options.offset');
    expect(await field({ ...op, options: { sort: [['Firstname', 'up']] } })).toBe('options.sort.0');
    expect(await field({ ...op, options: { wantCount: 'yes' } })).toBe('options.wantCount');
    expect(await field({ ...op, changes: { abc: {} } })).toBe('changes.abc');
    expect(await field({ ...op, changes: { 12: { Firstname: 'Ann' } } })).toBe('changes.12.Firstname');
    expect(await field({ ...op, objects: {} })).toBe('objects');
    expect(await field({ ...op, objects: [{ objectType: 'MyFirstModule.Employee', guid: 'x', hash: 'h' }] })).toBe('objects.0.guid');
    expect(await field({ ...op, objects: [{ objectType: 'MyFirstModule.Employee', guid: '1' }] })).toBe('objects.0.hash');
    expect(await field({ ...op, operationId: save.id, params: { Objects: { guids: ['1', 'two'] } } })).toBe('params.Objects.guids.1');
    expect(await field({ ...op, operationId: save.id, params: { Objects: 'all' } })).toBe('params.Objects');
    // Valid requests still work, with null standing for an absent field.
    expect(
      (await user.post({ ...op, options: { amount: 5, offset: null, sort: [['Firstname']], wantCount: true, extraXpath: null }, changes: null })).status,
    ).toBe(200);
  });

  it('get_session_data, keepalive and logout: 400 naming params when it is not an object', async () => {
    expect(await field({ action: 'get_session_data', params: 'x' })).toBe('params');
    expect(await field({ action: 'keepalive', params: 5 })).toBe('params');
    expect(await field({ action: 'logout', params: [] })).toBe('params');
    expect((await user.post({ action: 'get_session_data', params: {} })).status).toBe(200);
    expect((await user.post({ action: 'keepalive' })).status).toBe(200);
  });

  it('answers an internal error 500 with a request id only, and logs it with the stack and the same request id', async () => {
    const grid = app.registry.forWidget(OVERVIEW, 'dataGrid2_1')!;
    expect((await user.op(grid.id, { options: { amount: 5 } })).status).toBe(200);
    // The table turns into a view that fails when read: the driver's error is no business of the caller.
    await app.db.query('ALTER TABLE "myfirstmodule$employee" RENAME TO "employee_x"', []);
    await app.db.query('CREATE VIEW "myfirstmodule$employee" AS SELECT * FROM "employee_x" WHERE abs(-9223372036854775808) > 0', []);
    const before = app.logLines().length;
    const r = await user.op(grid.id, { options: { amount: 5 } });
    expect(r.status).toBe(500);
    expect(Object.keys(r.body).sort()).toEqual(['error', 'requestId']);
    expect(r.body.error).toBe('internal error');
    expect(JSON.stringify(r.body)).not.toMatch(/employee|no such table|sqlite|stack|\.ts/i);
    const logged = app
      .logLines()
      .slice(before)
      .filter((l) => l.level === 50);
    expect(logged).toHaveLength(1);
    const line = logged[0]!;
    expect(line.reqId).toBe(r.body.requestId);
    expect(line).toMatchObject({ status: 500, action: 'runtimeOperation', url: '/xas/' });
    const err = line.err as { message: string; stack: string };
    expect(err.message).toMatch(/integer overflow/i);
    expect(err.stack).toMatch(/\n\s+at /);
    // A table the model uses is gone (a newer model renamed it during a rolling deploy): 503, try again.
    await app.db.query('DROP VIEW "myfirstmodule$employee"', []);
    const gone = await user.op(grid.id, { options: { amount: 5 } });
    expect(gone.status).toBe(503);
    expect(gone.body).toEqual({ error: 'the app is being updated: try again' });
  });
});
