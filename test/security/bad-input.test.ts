import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppUnderTest, type XasClient, type XasResult } from '../client-api/harness.js';

/**
 * Issue 13 item 7, as an attacker sends it over real HTTP to examples/sales:
 * input the runtime cannot use is the caller's 400 (a commit the model
 * refuses 422), with a message naming the problem and one log line — never a
 * 500, never driver or stack text. On PostgreSQL (which refuses U+0000 in
 * text) and SQLite.
 *
 * Item 10 (third part): every refused request (401, 403, 404) writes one warn
 * line saying who (user), what (action, operationId) and why (reason).
 */
const USERS = [
  { name: 'mgr', password: 'Manager-12', roles: ['SalesManager'] },
  { name: 'cust', password: 'Customer-1', roles: ['Customer'] },
];
const LEAK = /\bat [\w.<>]+ \(|node_modules|\.ts:\d|invalid byte sequence|out of range for type|SQLITE|postgres|pg-pool|stack|syntax error at or near/i;

for (const dialect of ['postgres', 'sqlite'] as const) {
  describe(`bad input over HTTP on ${dialect}`, () => {
    let app: AppUnderTest;
    let mgr: XasClient;
    let grid: string;
    let save: string;
    let create: string;

    beforeAll(async () => {
      app = await startApp('sales', dialect, USERS, { LogLevel: 'info' });
      mgr = app.client();
      await mgr.login('mgr', 'Manager-12');
      grid = app.registry.forWidget('Sales.Order_Overview', 'ordersGrid')!.id;
      save = app.registry.forButton('Sales.Order_Edit', 'orderView', 0)!.id;
      create = app.registry.forButton('Sales.Order_Overview', 'ordersGrid', 0)!.id;
    });
    afterAll(async () => {
      await app?.stop();
    });

    /** The lines the runtime logged while `fn` ran. */
    const logged = async <T>(fn: () => Promise<T>): Promise<{ result: T; lines: Record<string, unknown>[] }> => {
      const before = app.logLines().length;
      const result = await fn();
      return { result, lines: app.logLines().slice(before) };
    };

    /** A 400 naming the field, saying what is wrong, no driver or stack text, and one info line with the same message. */
    const rejected = async (send: () => Promise<XasResult>, field: string, problem: RegExp) => {
      const { result: r, lines } = await logged(send);
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body.field).toBe(field);
      expect(String(r.body.error)).toMatch(problem);
      expect(JSON.stringify(r.body)).not.toMatch(LEAK);
      expect(lines.filter((l) => l.level === 50)).toEqual([]);
      const line = lines.find((l) => l.msg === `request rejected: ${r.body.error}`);
      expect(line, JSON.stringify(lines)).toMatchObject({ level: 30, status: 400, error: r.body.error });
    };

    const newOrder = async () => {
      const r = await mgr.op(create);
      expect(r.status).toBe(200);
      return (r.body.objects as { guid: string; objectType: string; attributes: Record<string, unknown>; hash: string }[])[0]!;
    };

    it("a NUL in the user name of a login: 400 naming params.username, not the database's 500", async () => {
      await rejected(() => app.client().post({ action: 'login', params: { username: 'mgr\u0000', password: 'x' } }), 'params.username', /must not contain NUL/);
      await rejected(
        () => app.client().post({ action: 'login', params: { username: 'mgr', password: 'pw\u0000' } }),
        'params.password',
        /must not contain NUL/,
      );
    });

    it('a NUL in the session cookie names no session: 401 where one is needed, login still works, no database error', async () => {
      for (const cookie of ['XASSESSIONID=ab%00cd', `XASSESSIONID=${'%01'.repeat(10)}`, `XASSESSIONID=${'a'.repeat(5000)}`]) {
        const { result, lines } = await logged(async () => {
          const raw = await fetch(`${app.base}/xas/`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': 'x' },
            body: JSON.stringify({ action: 'runtimeOperation', operationId: grid, params: {}, changes: {}, objects: [] }),
          });
          return { status: raw.status, text: await raw.text() };
        });
        expect(result.status, result.text).toBe(401);
        expect(result.text).not.toMatch(LEAK);
        expect(lines.filter((l) => l.level === 50)).toEqual([]);
        expect(lines.find((l) => l.msg === 'request refused')).toMatchObject({ status: 401, user: null, action: 'runtimeOperation' });
        const session = await fetch(`${app.base}/xas/`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie },
          body: JSON.stringify({ action: 'get_session_data' }),
        });
        expect(session.status).toBe(200);
        expect(((await session.json()) as { user: unknown }).user).toBeNull();
        const login = await fetch(`${app.base}/xas/`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie },
          body: JSON.stringify({ action: 'login', params: { username: 'cust', password: 'Customer-1' } }),
        });
        expect(login.status).toBe(200);
      }
    });

    it('a NUL in a member value, an extraXpath or a microflow parameter: 400 naming the field', async () => {
      const o = await newOrder();
      await rejected(
        () => mgr.op(save, { params: { Objects: { guids: [o.guid] } }, objects: [o], changes: { [o.guid]: { InternalNote: { value: 'a\u0000b' } } } }),
        `changes.${o.guid}.InternalNote.value`,
        /must not contain NUL/,
      );
      await rejected(
        () => mgr.op(grid, { options: { amount: 5, extraXpath: "[contains(InternalNote, '\u0000')]" } }),
        'options.extraXpath',
        /must not contain NUL/,
      );
      await rejected(() => mgr.op(grid, { options: { amount: 5, sort: [['Total\u0000']] } }), 'options.sort.0.0', /must not contain NUL/);
    });

    it('an offset beyond 2^53: 400 naming options.offset', async () => {
      for (const offset of [2 ** 53, 2 ** 60, 1e300]) {
        await rejected(() => mgr.op(grid, { options: { amount: 5, offset } }), 'options.offset', /non-negative integer up to 9007199254740991/);
      }
      expect((await mgr.op(grid, { options: { amount: 5, offset: 2 ** 53 - 1 } })).status).toBe(200);
    });

    it('an object id beyond 64 bits (or 2^63): 400 naming the field, in parameters, changes and references', async () => {
      const o = await newOrder();
      for (const id of ['9223372036854775808', '18446744073709551616', '99999999999999999999']) {
        await rejected(() => mgr.op(save, { params: { Objects: { guids: [id] } } }), 'params.Objects.guids.0', /object id/);
        await rejected(() => mgr.op(save, { params: { Objects: { guids: [] } }, changes: { [id]: { Total: { value: '1' } } } }), `changes.${id}`, /object id/);
        await rejected(
          () => mgr.op(save, { params: { Objects: { guids: [o.guid] } }, objects: [o], changes: { [o.guid]: { 'Sales.Order_Customer': { value: id } } } }),
          `changes.${o.guid}.Sales.Order_Customer`,
          /object id/,
        );
      }
      // The largest id is an id: it just does not exist.
      expect((await mgr.op(save, { params: { Objects: { guids: ['9223372036854775807'] } } })).status).toBe(404);
    });

    it('deeply nested XPath in extraXpath: 400 with the position, not a stack overflow', async () => {
      for (const [open, close] of [
        ['(', ')'],
        ['not(', ')'],
        ['- ', ''],
      ] as const) {
        const inner = open === '- ' ? `Total > ${open.repeat(1500)}1` : `${open.repeat(1500)}Total > 0${close.repeat(1500)}`;
        await rejected(
          () => mgr.op(grid, { options: { amount: 5, extraXpath: `[${inner}]` } }),
          'options.extraXpath',
          /XPath syntax error at column \d+: nested deeper than 100 levels/,
        );
      }
      // Deep but within the limit, and a long chain of conditions: answered.
      expect((await mgr.op(grid, { options: { amount: 5, extraXpath: `[${'('.repeat(90)}Total > 0${')'.repeat(90)}]` } })).status).toBe(200);
      expect((await mgr.op(grid, { options: { amount: 5, extraXpath: `[${Array(700).fill('Total > 0').join(' or ')}]` } })).status).toBe(200);
    });

    it('an unknown enumeration value or an overflowing literal in extraXpath: 400 saying which', async () => {
      await rejected(
        () => mgr.op(grid, { options: { amount: 5, extraXpath: "[Status = 'Nope']" } }),
        'options.extraXpath',
        /'Nope' is not a value of Sales\.OrderStatus/,
      );
      await rejected(() => mgr.op(grid, { options: { amount: 5, extraXpath: `[Total > 1${'0'.repeat(30)}]` } }), 'options.extraXpath', /more than 20 digits/);
      await rejected(
        () => mgr.op(grid, { options: { amount: 5, extraXpath: '[Number > 99999999999999999999999]' } }),
        'options.extraXpath',
        /does not fit a Long/,
      );
      await rejected(
        () => mgr.op(grid, { options: { amount: 5, extraXpath: "[id = '99999999999999999999999']" } }),
        'options.extraXpath',
        /is not an object id/,
      );
    });

    it('a before-commit event that returns false: 422 saying the commit was refused, nothing written, the handler in the log', async () => {
      const o = await newOrder();
      const count = async () => Number(Object.values((await app.db.query('SELECT COUNT(*) AS n FROM "sales$order"', []))[0]!)[0]);
      const before = await count();
      const { result: r, lines } = await logged(() =>
        mgr.op(save, { params: { Objects: { guids: [o.guid] } }, objects: [o], changes: { [o.guid]: { Total: { value: '-1' } } } }),
      );
      expect(r).toEqual({ status: 422, body: { error: 'commit of Sales.Order was refused by an event handler' } });
      expect(await count()).toBe(before);
      expect(lines.filter((l) => l.level === 50)).toEqual([]);
      expect(lines.find((l) => l.status === 422)).toMatchObject({
        level: 30,
        error: r.body.error,
        cause: expect.stringContaining('Sales.Order_BeforeCommit returned false'),
      });
      // The same order with a total the event accepts is saved.
      expect((await mgr.op(save, { params: { Objects: { guids: [o.guid] } }, objects: [o], changes: { [o.guid]: { Total: { value: '1' } } } })).status).toBe(
        200,
      );
    });

    it('logs every refused request (401, 403, 404) once at warn: user, action, operationId, status, reason', async () => {
      const cust = app.client();
      await cust.login('cust', 'Customer-1');
      const refusedLines = (lines: Record<string, unknown>[]) => lines.filter((l) => l.msg === 'request refused');
      // 401: wrong password (the attempted name), and a state-changing request without a session.
      let { result, lines } = await logged(() => app.client().post({ action: 'login', params: { username: 'cust', password: 'wrong-one' } }));
      expect(result.status).toBe(401);
      expect(refusedLines(lines)).toEqual([expect.objectContaining({ level: 40, user: 'cust', action: 'login', status: 401, reason: expect.any(String) })]);
      expect(JSON.stringify(lines)).not.toContain('wrong-one');
      ({ result, lines } = await logged(() => app.client().op(grid)));
      expect(result.status).toBe(401);
      expect(refusedLines(lines)).toEqual([
        expect.objectContaining({ user: null, action: 'runtimeOperation', operationId: grid, status: 401, reason: 'no valid session: log in (again)' }),
      ]);
      // 403: a missing CSRF token; an operation outside the user's roles; entity access.
      ({ result, lines } = await logged(() => cust.post({ action: 'keepalive' }, { 'x-csrf-token': 'forged' })));
      expect(result.status).toBe(403);
      expect(refusedLines(lines)).toEqual([
        expect.objectContaining({ user: 'cust', action: 'keepalive', status: 403, reason: expect.stringContaining('CSRF') }),
      ]);
      const managersOnly = app.registry.operations.find(
        (op) => op.type === 'retrieve' && !op.allowedRoles.includes('Sales.Customer') && op.allowedRoles.includes('Sales.Manager'),
      );
      expect(managersOnly).toBeDefined();
      ({ result, lines } = await logged(() => cust.op(managersOnly!.id, { options: { amount: 1 } })));
      expect(result.status).toBe(403);
      expect(refusedLines(lines)).toEqual([
        expect.objectContaining({ user: 'cust', action: 'runtimeOperation', operationId: managersOnly!.id, status: 403, reason: 'not allowed' }),
      ]);
      // 404: an unknown operation; an object that does not exist.
      ({ result, lines } = await logged(() => cust.op('no-such-operation')));
      expect(result.status).toBe(404);
      expect(refusedLines(lines)).toEqual([
        expect.objectContaining({ user: 'cust', operationId: 'no-such-operation', status: 404, reason: "unknown operation 'no-such-operation'" }),
      ]);
      ({ result, lines } = await logged(() => mgr.op(save, { params: { Objects: { guids: ['9223372036854775807'] } } })));
      expect(result.status).toBe(404);
      expect(refusedLines(lines)).toEqual([
        expect.objectContaining({ user: 'mgr', operationId: save, status: 404, reason: expect.stringContaining('not found') }),
      ]);
      // A page definition the user may not open (its own route, answered directly).
      ({ result, lines } = await logged(async () => {
        const r = await fetch(`${app.base}/pages/Sales.Order_Overview.json`);
        return { status: r.status, body: {} };
      }));
      expect(result.status).toBe(401);
      expect(refusedLines(lines)).toEqual([expect.objectContaining({ user: null, status: 401, url: '/pages/Sales.Order_Overview.json' })]);
      // A published service's Basic user, who has no session: named by the service's authentication.
      ({ result, lines } = await logged(async () => {
        const r = await fetch(`${app.base}/odata/sales/v1/Orders(1)`, {
          headers: { authorization: `Basic ${Buffer.from('cust:Customer-1').toString('base64')}` },
        });
        return { status: r.status, body: {} };
      }));
      expect(result.status).toBe(404);
      expect(refusedLines(lines)).toEqual([expect.objectContaining({ user: 'cust', status: 404, url: '/odata/sales/v1/Orders(1)' })]);
      // Granted requests write no such line.
      ({ lines } = await logged(() => mgr.op(grid, { options: { amount: 1 } })));
      expect(refusedLines(lines)).toEqual([]);
    });
  });
}
