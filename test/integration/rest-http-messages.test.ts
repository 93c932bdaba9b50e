import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type DialectName, type TestDatabase } from '../support/databases.js';
import { writeApp } from '../support/app-folder.js';
import { startApp, type TestRuntime } from '../security/harness.js';

/**
 * Custom authentication microflows in Mendix's order (custom, Basic, active
 * session), and System.HttpRequest / System.HttpResponse as parameters and
 * results of published operations, over real HTTP.
 */
const FILES: Record<string, string> = {
  'app.yaml': `name: T
modules: [Shop]
security:
  level: production
  userRoles: { User: [Shop.User] }
  demoUsers:
    - { name: u1, password: "Passw0rd1", roles: [User] }
    - { name: u2, password: "Passw0rd2", roles: [User] }
`,
  'modules/Shop/domain-model.yaml': `moduleRoles: [User]
entities:
  Item:
    attributes: { Name: String }
    access:
      - { roles: [User], read: "*" }
`,
  // X-Api-Key "key-<name>" is user <name>; X-Api-Key "teapot" answers 418 itself; no key: empty (next method).
  'modules/Shop/microflows/Authenticate.yaml': `parameters: { Request: System.HttpRequest, Response: System.HttpResponse }
returns: System.User
body:
  - retrieve: { from: $Request/System.HttpHeaders, into: Headers }
  - listOperation: { operation: findByExpression, list: $Headers, expression: "toLowerCase($currentObject/Key) = 'x-api-key'", into: KeyHeader }
  - decision:
      if: $KeyHeader = empty
      then: [{ return: empty }]
  - decision:
      if: "$KeyHeader/Value = 'teapot'"
      then:
        - create: { entity: System.HttpHeader, set: { Key: "'X-Reason'", Value: "'short and stout'", System.HttpHeaders: $Response }, into: H }
        - change: { object: $Response, set: { StatusCode: 418, Content: "'I am a teapot'" } }
        - return: empty
  - createVariable: { name: Name, type: String, value: "substring($KeyHeader/Value, 4)" }
  - retrieve: { from: System.User, xpath: "[Name = $Name]", range: first, into: User }
  - return: $User
`,
  'modules/Shop/microflows/WhoAmI.yaml': 'returns: String\nbody:\n  - return: $currentUser/Name\n',
  'modules/Shop/microflows/Inspect.yaml': `parameters: { Request: System.HttpRequest, Response: System.HttpResponse }
returns: String
body:
  - retrieve: { from: $Request/System.HttpHeaders, into: Headers }
  - listOperation: { operation: findByExpression, list: $Headers, expression: "toLowerCase($currentObject/Key) = 'x-color'", into: Color }
  - create: { entity: System.HttpHeader, set: { Key: "'Location'", Value: "'/rest/svc/v1/items/7'", System.HttpHeaders: $Response }, into: H }
  - change: { object: $Response, set: { StatusCode: 201 } }
  - return: "$Request/Uri + ' ' + $Color/Value + ' ' + $Request/Content"
`,
  'modules/Shop/microflows/Build.yaml': `returns: System.HttpResponse
body:
  - create: { entity: System.HttpResponse, set: { StatusCode: 202, Content: "'{\\"queued\\": true}'" }, into: R }
  - create: { entity: System.HttpHeader, set: { Key: "'Content-Type'", Value: "'application/json'", System.HttpHeaders: $R }, into: H }
  - create: { entity: System.HttpHeader, set: { Key: "'Set-Cookie: evil=1; X'", Value: "'y'", System.HttpHeaders: $R }, into: H2 }
  - return: $R
`,
  'modules/Shop/microflows/Empty.yaml': 'returns: System.HttpResponse\nbody:\n  - return: empty\n',
  'modules/Shop/rest/Svc.yaml': `authentication: [session, basic, custom]
authenticationMicroflow: Authenticate
allowedRoles: [User]
resources:
  me: { operations: [{ method: GET, microflow: WhoAmI }] }
  inspect: { operations: [{ method: POST, microflow: Inspect }] }
  build: { operations: [{ method: GET, microflow: Build }] }
  empty: { operations: [{ method: GET, microflow: Empty }] }
`,
};

const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

describe.each(['sqlite', 'postgres'] as DialectName[])('REST custom authentication and HTTP messages on %s', (dialect) => {
  let db: TestDatabase;
  let t: TestRuntime;
  beforeAll(async () => {
    db = await freshDatabase(dialect);
    t = await startApp(writeApp(FILES), db.url);
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    await db?.drop();
  });

  it('authenticates with the custom microflow first: the user it returns is the caller', async () => {
    const r = await fetch(`${t.url}/rest/svc/v1/me`, { headers: { 'x-api-key': 'key-u2', ...basic('u1', 'Passw0rd1') } });
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('u2');
  });

  it('tries Basic when the microflow returns empty, and refuses with 401 when nothing gives a user', async () => {
    const r = await fetch(`${t.url}/rest/svc/v1/me`, { headers: basic('u1', 'Passw0rd1') });
    expect(await r.text()).toBe('u1');
    const none = await fetch(`${t.url}/rest/svc/v1/me`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic /);
    // A key naming no user: the microflow returns empty, no other credentials: 401.
    expect((await fetch(`${t.url}/rest/svc/v1/me`, { headers: { 'x-api-key': 'key-nobody' } })).status).toBe(401);
  });

  it('answers with the status, headers and content the microflow set on its HttpResponse (not 200)', async () => {
    const r = await fetch(`${t.url}/rest/svc/v1/me`, { headers: { 'x-api-key': 'teapot', ...basic('u1', 'Passw0rd1') } });
    expect(r.status).toBe(418);
    expect(r.headers.get('x-reason')).toBe('short and stout');
    expect(await r.text()).toBe('I am a teapot');
  });

  it('gives an operation microflow the request (Uri, headers, content) and takes status and headers from its HttpResponse', async () => {
    const r = await fetch(`${t.url}/rest/svc/v1/inspect?x=1`, {
      method: 'POST',
      headers: { ...basic('u1', 'Passw0rd1'), 'x-color': 'blue', 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toBe('/rest/svc/v1/items/7');
    expect(await r.text()).toBe('/rest/svc/v1/inspect?x=1 blue hello');
  });

  it('sends an HttpResponse the microflow returns as it is, without headers that would split the answer', async () => {
    const r = await fetch(`${t.url}/rest/svc/v1/build`, { headers: basic('u1', 'Passw0rd1') });
    expect(r.status).toBe(202);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.headers.get('set-cookie')).toBeNull();
    expect(await r.json()).toEqual({ queued: true });
  });

  it('answers an empty HttpResponse with 500, nothing of the error', async () => {
    const r = await fetch(`${t.url}/rest/svc/v1/empty`, { headers: basic('u1', 'Passw0rd1') });
    expect(r.status).toBe(500);
    expect(await r.json()).toMatchObject({ error: 'internal error' });
  });
});
