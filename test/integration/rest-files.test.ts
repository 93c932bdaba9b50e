import SwaggerParser from '@apidevtools/swagger-parser';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MicroflowEngine } from '../../src/logic/engine/engine.js';
import { SYSTEM_CONTEXT } from '../../src/security/user-context.js';
import { freshDatabase, type DialectName, type TestDatabase } from '../support/databases.js';
import { writeApp } from '../support/app-folder.js';
import { startApp, type TestRuntime } from '../security/harness.js';

/**
 * FileDocuments over REST, over real HTTP: a published operation takes a
 * binary body as a new FileDocument and answers one with its contents; callRest
 * stores an answer as a FileDocument and sends one as its body (through the
 * files service, in the microflow's transaction).
 */
const FILES: Record<string, string> = {
  'app.yaml': `name: T
modules: [Shop]
security:
  level: production
  userRoles: { User: [Shop.User] }
  demoUsers: [{ name: u1, password: "Passw0rd1", roles: [User] }]
`,
  'modules/Shop/domain-model.yaml': `moduleRoles: [User]
entities:
  Doc:
    generalization: System.FileDocument
    access: [{ roles: [User], create: true, read: "*", write: "*" }]
`,
  'modules/Shop/microflows/Upload.yaml': 'parameters: { File: Shop.Doc }\nreturns: Shop.Doc\nbody:\n  - return: $File\n',
  'modules/Shop/microflows/Download.yaml':
    'parameters: { Name: String }\nreturns: Shop.Doc\nbody:\n  - retrieve: { from: Shop.Doc, xpath: "[Name = $Name]", range: first, into: D }\n  - return: $D\n',
  'modules/Shop/microflows/Relay.yaml': `parameters: { Base: String }
returns: String
body:
  - callRest: { location: "{1}/blob", params: [$Base], response: { fileDocument: Shop.Doc }, into: F }
  - callRest: { method: POST, location: "{1}/echo", params: [$Base], fileBody: $F, into: S }
  - return: "$F/Name + ' ' + toString($F/Size) + ' ' + $S"
`,
  'modules/Shop/rest/Docs.yaml': `authentication: [basic]
allowedRoles: [User]
resources:
  docs:
    operations:
      - { method: POST, microflow: Upload }
      - { method: GET, path: "{Name}", microflow: Download }
`,
};
const AUTH = { authorization: `Basic ${Buffer.from('u1:Passw0rd1').toString('base64')}` };
const BLOB = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 256));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe.each(['sqlite', 'postgres'] as DialectName[])('FileDocuments over REST on %s', (dialect) => {
  let db: TestDatabase;
  let t: TestRuntime;
  let server: Server;
  let base: string;
  beforeAll(async () => {
    db = await freshDatabase(dialect);
    t = await startApp(writeApp(FILES), db.url);
    server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        if (req.url === '/blob') {
          res.setHeader('content-disposition', 'attachment; filename="report.bin"');
          return void res.end(BLOB);
        }
        const body = Buffer.concat(parts);
        res.end(`${body.length}:${sha(body)}`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 60_000);
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await t?.stop();
    await db?.drop();
  });

  it('takes a binary body as a new FileDocument and answers a FileDocument with its contents', async () => {
    const up = await fetch(`${t.url}/rest/docs/v1/docs`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/octet-stream', 'content-disposition': 'attachment; filename="up.bin"' },
      body: BLOB,
    });
    expect(up.status).toBe(200);
    expect(up.headers.get('content-type')).toBe('application/octet-stream');
    expect(sha(new Uint8Array(await up.arrayBuffer()))).toBe(sha(BLOB));
    const down = await fetch(`${t.url}/rest/docs/v1/docs/up.bin`, { headers: AUTH });
    expect(down.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''up.bin");
    expect(sha(new Uint8Array(await down.arrayBuffer()))).toBe(sha(BLOB));
    expect((await fetch(`${t.url}/rest/docs/v1/docs/none.bin`, { headers: AUTH })).status).toBe(404);
  });

  it('describes the service in a valid OpenAPI document', async () => {
    const doc = await (await fetch(`${t.url}/rest-doc/rest/docs/v1/openapi.json`)).json();
    await expect(SwaggerParser.validate(doc as never)).resolves.toBeTruthy();
  });

  it('stores a callRest answer as a FileDocument and sends a FileDocument as a body', async () => {
    const engine = t.rt.ctx.services.get('microflows') as MicroflowEngine;
    const r = await engine.runMicroflow('Shop.Relay', { Base: base }, SYSTEM_CONTEXT);
    expect(r.value).toBe(`report.bin 3000 3000:${sha(BLOB)}`);
  });
});
