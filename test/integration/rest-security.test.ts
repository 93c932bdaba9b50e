import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitObjects, createObject, type Database, type IdGenerator } from '../../src/data/index.js';
import { setValue } from '../../src/objects/mx-object.js';
import { freshDatabase, type DialectName, type TestDatabase } from '../support/databases.js';
import { writeApp } from '../support/app-folder.js';
import { startApp, type TestRuntime } from '../security/harness.js';

/**
 * A service without authentication runs as the anonymous user with entity
 * access; a failing microflow is a 500 that tells nothing of its internals; a
 * String body binds as text; failed Basic attempts use the address's login
 * throttle (429); an authenticated service refuses the anonymous user.
 */
const FILES: Record<string, string> = {
  'app.yaml': `name: T
modules: [Shop]
security:
  level: production
  userRoles: { User: [Shop.User], Guest: [Shop.Guest] }
  anonymousRole: Guest
  demoUsers: [{ name: u1, password: "Passw0rd1", roles: [User] }]
`,
  'modules/Shop/domain-model.yaml': `moduleRoles: [User, Guest]
entities:
  Item:
    attributes: { Name: String, Secret: String }
    access:
      - { roles: [User], read: "*" }
      - { roles: [Guest], read: [Name] }
`,
  'modules/Shop/microflows/Items.yaml': 'returns: List of Shop.Item\nbody:\n  - retrieve: { from: Shop.Item, sort: [Name], into: L }\n  - return: $L\n',
  'modules/Shop/microflows/Boom.yaml': 'body:\n  - error: { message: "the database password is hunter2" }\n',
  'modules/Shop/microflows/Echo.yaml':
    'parameters: { Text: String, Times: Integer }\nreturns: String\nbody:\n  - return: "$Text + \' x\' + toString($Times)"\n',
  'modules/Shop/rest/Public.yaml': `resources:
  items: { operations: [{ method: GET, microflow: Items }] }
  boom: { operations: [{ method: GET, microflow: Boom }] }
  echo: { operations: [{ method: POST, microflow: Echo, parameters: { Text: { source: body }, Times: { source: header, name: X-Times, required: true } } }] }
`,
  'modules/Shop/rest/Private.yaml': `authentication: [basic]
allowedRoles: [User]
resources:
  items: { operations: [{ method: GET, microflow: Items }] }
`,
};

describe.each(['sqlite', 'postgres'] as DialectName[])('REST services and attackers on %s', (dialect) => {
  let db: TestDatabase;
  let t: TestRuntime;
  beforeAll(async () => {
    db = await freshDatabase(dialect);
    t = await startApp(writeApp(FILES), db.url, { LoginThrottleAttempts: 3 });
    const model = t.rt.ctx.model;
    const database = t.rt.ctx.services.get('db') as Database;
    const ids = t.rt.ctx.services.get('ids') as IdGenerator;
    for (const name of ['a', 'b']) {
      const o = await createObject(model, 'Shop.Item', ids);
      setValue(o, 'Name', name);
      setValue(o, 'Secret', `secret ${name}`);
      await database.transaction((tx) => commitObjects(tx, model, [o]));
    }
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    await db?.drop();
  });

  it('runs a service without authentication as the anonymous user, with its entity access', async () => {
    const r = await fetch(`${t.url}/rest/public/v1/items`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual([{ Name: 'a' }, { Name: 'b' }]);
  });

  it('answers a failing microflow with 500 and a request id, nothing of the error', async () => {
    const r = await fetch(`${t.url}/rest/public/v1/boom`);
    expect(r.status).toBe(500);
    const text = await r.text();
    expect(JSON.parse(text)).toMatchObject({ error: 'internal error' });
    expect(text).not.toContain('hunter2');
  });

  it('binds a String body as text and a required header (400 without it)', async () => {
    const ok = await fetch(`${t.url}/rest/public/v1/echo`, { method: 'POST', headers: { 'content-type': 'text/plain', 'x-times': '3' }, body: 'hi' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await ok.text()).toBe('hi x3');
    const missing = await fetch(`${t.url}/rest/public/v1/echo`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ field: 'X-Times' });
  });

  it('refuses a request that changes something from another site when the service has no CORS settings (403)', async () => {
    const post = (origin?: string) =>
      fetch(`${t.url}/rest/public/v1/echo`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'x-times': '1', ...(origin ? { origin } : {}) },
        body: 'hi',
      });
    // A form on another site (the browser adds Origin, and would add cached Basic credentials).
    const cross = await post('https://evil.example');
    expect(cross.status).toBe(403);
    expect(await cross.json()).toEqual({ error: 'origin not allowed' });
    expect((await post('null')).status).toBe(403);
    // The app's own pages, and clients that send no Origin (curl, servers), are served.
    expect((await post(t.url)).status).toBe(200);
    expect((await post()).status).toBe(200);
    // Reading is safe: a GET from another site is answered (the browser keeps the answer from the page without CORS headers).
    expect((await fetch(`${t.url}/rest/public/v1/items`, { headers: { origin: 'https://evil.example' } })).status).toBe(200);
  });

  it('refuses the anonymous user on an authenticated service (401), admits the user', async () => {
    expect((await fetch(`${t.url}/rest/private/v1/items`)).status).toBe(401);
    const auth = { authorization: `Basic ${Buffer.from('u1:Passw0rd1').toString('base64')}` };
    const r = await fetch(`${t.url}/rest/private/v1/items`, { headers: auth });
    expect(await r.json()).toEqual([
      { Name: 'a', Secret: 'secret a' },
      { Name: 'b', Secret: 'secret b' },
    ]);
  });

  it('throttles failed Basic attempts per address (429 with Retry-After)', async () => {
    const wrong = { authorization: `Basic ${Buffer.from('u1:nope').toString('base64')}` };
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${t.url}/rest/private/v1/items`, { headers: wrong })).status);
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    const r = await fetch(`${t.url}/rest/private/v1/items`, { headers: wrong });
    expect(r.status).toBe(429);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
