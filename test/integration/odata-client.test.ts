import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { o } from 'odata';
import { xml2json } from 'odata-csdl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitObjects, createObject, type Database, type IdGenerator } from '../../src/data/index.js';
import { setReference, setValue } from '../../src/objects/mx-object.js';
import { hashPassword } from '../../src/security/password.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { salesCopy, startApp, type TestRuntime } from '../security/harness.js';

/**
 * examples/sales' OData service as outside tools see it: its `$metadata`
 * validated against the OASIS CSDL XML schema (the XSDs the OASIS TC publishes
 * in the npm package odata-csdl, checked by xmllint) and, converted by that
 * package to CSDL JSON, against the CSDL JSON schema; and a real OData client
 * library (o.js, npm `odata`) reading and writing through the service.
 */
const XSD_DIR = join(createRequire(import.meta.url).resolve('odata-csdl/package.json'), '..', 'schemas');
const BASE = '/odata/sales/v1';

describe('OData service with outside tools', () => {
  let db: TestDatabase;
  let app: { dir: string; remove(): void };
  let t: TestRuntime;
  let alice: bigint;
  const auth = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  /** o.js with the service root and the caller's credentials; Int64 as strings (ids pass 2^53). */
  const client = (user: string, password: string) =>
    o(`${t.url}${BASE}/`, {
      headers: { authorization: auth(user, password), accept: 'application/json;IEEE754Compatible=true', 'content-type': 'application/json' },
    } as never);

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    app = salesCopy();
    t = await startApp(app.dir, db.url);
    const model = t.rt.ctx.model;
    const database = t.rt.ctx.services.get('db') as Database;
    const ids = t.rt.ctx.services.get('ids') as IdGenerator;
    const roleRows = await database.query<{ id: unknown; name: string }>('SELECT "id", "name" FROM "system$userrole"', []);
    const customerRole = BigInt(String(roleRows.find((r) => r.name === 'Customer')!.id));
    const hash = await hashPassword('Secret123', 4);
    for (const name of ['alice', 'bob']) {
      const c = await createObject(model, 'Sales.Customer', ids);
      setValue(c, 'Name', name);
      setValue(c, 'Password', hash);
      setValue(c, 'CompanyName', `${name} Ltd`);
      setReference(c, 'System.UserRoles', [customerRole]);
      await database.transaction((tx) => commitObjects(tx, model, [c]));
      if (name === 'alice') alice = c.id;
      for (const status of ['Draft', 'Confirmed']) {
        const ord = await createObject(model, 'Sales.Order', ids);
        setValue(ord, 'Status', status);
        setReference(ord, 'Sales.Order_Customer', c.id);
        await database.transaction((tx) => commitObjects(tx, model, [ord]));
      }
    }
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    app?.remove();
    await db?.drop();
  });

  it('publishes $metadata that is valid against the OASIS CSDL XML schema', async () => {
    const xml = await fetch(`${t.url}${BASE}/$metadata`, { headers: { authorization: auth('manager', 'Manager123') } }).then((r) => r.text());
    const dir = mkdtempSync(join(tmpdir(), 'kiln-csdl-'));
    try {
      const file = join(dir, 'metadata.xml');
      writeFileSync(file, xml);
      const out = execFileSync('xmllint', ['--noout', '--schema', join(XSD_DIR, 'edmx.xsd'), file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(out).toBe('');
      // A document the XSD refuses makes xmllint fail: the check can fail.
      writeFileSync(file, xml.replace('<Key>', '<Keys>').replace('</Key>', '</Keys>'));
      expect(() => execFileSync('xmllint', ['--noout', '--schema', join(XSD_DIR, 'edmx.xsd'), file], { stdio: 'ignore' })).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const json = xml2json(xml, { strict: true }) as Record<string, unknown>;
    const schema = (await import('odata-csdl/schemas/csdl.schema.json', { with: { type: 'json' } })).default as object;
    const ajv = new Ajv({ strict: false, allErrors: true });
    const valid = ajv.validate(schema, json);
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(Object.keys((json.Sales as Record<string, unknown>) ?? {})).toEqual(
      expect.arrayContaining(['Order', 'Customer', 'Product', 'OrderStatus', 'SalesService']),
    );
  });

  it('reads through o.js: filter, expand, count and a single entity', async () => {
    const c = client('alice', 'Secret123');
    const orders = (await c.get('Orders').query({ $filter: "Status eq 'Draft'", $expand: 'Customer($select=Name)', $select: 'Status' })) as unknown as {
      ID: string;
      Status: string;
      Customer: { Name: string };
    }[];
    expect(orders).toEqual([{ ID: expect.any(String), Status: 'Draft', Customer: { ID: alice.toString(), Name: 'alice' } }]);
    const count = await client('alice', 'Secret123').get('Orders/$count').query();
    expect(String(count)).toBe('2');
    const one = (await client('alice', 'Secret123').get(`Orders(${orders[0]!.ID})`).query()) as unknown as { Status: string };
    expect(one.Status).toBe('Draft');
    // Bob's orders are not Alice's to see.
    const all = (await client('manager', 'Manager123').get('Orders').query({ $orderby: 'Status desc' })) as unknown as { Status: string }[];
    expect(all.map((x) => x.Status)).toEqual(['Draft', 'Draft', 'Confirmed', 'Confirmed']);
  });

  it('writes through o.js: create with a reference, update, delete; refused writes reject', async () => {
    const created = (await client('alice', 'Secret123')
      .post('Orders', { OrderDate: '2024-02-03T04:05:06Z', 'Customer@odata.bind': `Customers(${alice})` })
      .query()) as unknown as { ID: string; OrderDate: string };
    expect(created.OrderDate).toBe('2024-02-03T04:05:06.000Z');
    const patched = (await client('alice', 'Secret123').patch(`Orders(${created.ID})`, { OrderDate: '2025-01-01T00:00:00Z' }).query()) as unknown as Response;
    expect(patched.status).toBe(204);
    const back = (await client('manager', 'Manager123').get(`Orders(${created.ID})`).query({ $select: 'OrderDate' })) as unknown as { OrderDate: string };
    expect(back.OrderDate).toBe('2025-01-01T00:00:00.000Z');
    const refused = await client('alice', 'Secret123')
      .delete(`Orders(${created.ID})`)
      .query()
      .catch((e: Response) => e);
    expect((refused as Response).status).toBe(403);
    const deleted = (await client('manager', 'Manager123').delete(`Orders(${created.ID})`).query()) as unknown as Response;
    expect(deleted.status).toBe(204);
  });
});
