import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperationRegistry } from '../../src/client-api/registry/types.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { authHeaders, login, startApp, xas, type LoggedIn, type TestRuntime } from '../security/harness.js';
import { clusterApp } from './app.js';

/**
 * System.XASInstance is the cluster's one record of its instances: the rows
 * the cluster component registers and refreshes are the objects an
 * administrator reads through the client API (a data grid over
 * //System.XASInstance); a stopped instance disappears from them.
 */
const settings = { ClusterManagerActionInterval: 400, LogLevel: 'warn' };

const health = async (rt: TestRuntime) => ((await (await fetch(`${rt.url}/health`)).json()) as { instance: string }).instance;

interface Part {
  objectType: string;
  attributes: Record<string, { value?: unknown }>;
}

for (const dialect of ['postgres', 'mysql'] as const) {
  describe(`System.XASInstance on ${dialect}`, () => {
    let db: TestDatabase;
    let app: { dir: string; remove(): void };
    let a: TestRuntime;
    let b: TestRuntime | undefined;
    const sessions = new Map<string, LoggedIn>();
    beforeAll(async () => {
      db = await freshDatabase(dialect);
      app = clusterApp({ afterStartup: null, beforeShutdown: null });
      const appFile = join(app.dir, 'app.yaml');
      const yaml = parse(readFileSync(appFile, 'utf8')) as { security: Record<string, unknown> };
      yaml.security.demoUsers = [{ name: 'ulla', password: 'Ulla-pass1', roles: ['User'] }];
      writeFileSync(appFile, stringify(yaml));
      a = await startApp(app.dir, db.url, settings);
      b = await startApp(app.dir, db.url, settings);
      for (const [user, password] of [
        ['MxAdmin', 'Admin1!'],
        ['ulla', 'Ulla-pass1'],
      ] as const) {
        const l = await login(a.url, user, password);
        expect(l.status, `login ${user}`).toBe(200);
        sessions.set(user, l.session!);
      }
    }, 120000);
    afterAll(async () => {
      await b?.stop();
      await a?.stop();
      await db?.drop();
      app?.remove();
    });

    const instances = async (user: string) => {
      const grid = (a.rt.ctx.services.get('operations') as OperationRegistry).forWidget('MyFirstModule.Instances', 'instancesGrid')!;
      const r = await xas(
        a.url,
        { action: 'runtimeOperation', operationId: grid.id, params: {}, changes: {}, objects: [], options: { amount: 20 } },
        authHeaders(sessions.get(user)!),
      );
      return { status: r.status, objects: (r.body.partialObjects ?? r.body.objects ?? []) as Part[] };
    };

    it('shows an administrator one System.XASInstance object per running instance', async () => {
      const r = await instances('MxAdmin');
      expect(r.status).toBe(200);
      expect(r.objects.every((o) => o.objectType === 'System.XASInstance')).toBe(true);
      expect(r.objects.map((o) => o.attributes.XASId?.value).sort()).toEqual([await health(a), await health(b!)].sort());
      for (const o of r.objects) {
        // LastUpdate is the cluster's own refresh, in the database's clock: within a minute of now.
        expect(Math.abs(Number(o.attributes.LastUpdate?.value) - Date.now())).toBeLessThan(60000);
        expect(String(o.attributes.ModelVersion?.value)).toMatch(/^[0-9a-f]+$/);
        expect(Math.abs(Number(o.attributes.createdDate?.value) - Date.now())).toBeLessThan(60000);
      }
    });

    it('shows a user without the System Administrator role no instances', async () => {
      const r = await instances('ulla');
      expect(r.status).toBe(200);
      expect(r.objects).toEqual([]);
    });

    it('drops an instance that stops', async () => {
      const gone = await health(b!);
      await b!.stop();
      b = undefined;
      const r = await instances('MxAdmin');
      expect(r.status).toBe(200);
      expect(r.objects.map((o) => o.attributes.XASId?.value)).toEqual([await health(a)]);
      expect(r.objects.map((o) => o.attributes.XASId?.value)).not.toContain(gone);
    });
  });
}

describe('a database of a Kiln that kept instances in a runtime table of its own', () => {
  it('replaces that table by the entity table at start-up', async () => {
    const db = await freshDatabase('postgres');
    const app = clusterApp({ afterStartup: null, beforeShutdown: null });
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query(
        'CREATE TABLE "system$xasinstance" ("xasid" VARCHAR(64) NOT NULL PRIMARY KEY, "lastupdate" BIGINT NOT NULL, "startedat" BIGINT NOT NULL, "address" VARCHAR(200), "modelversion" VARCHAR(64))',
      );
      await client.query(`INSERT INTO "system$xasinstance" VALUES ('old-one', 1, 1, 'x', 'y')`);
      const rt = await startApp(app.dir, db.url, settings);
      try {
        const rows = (await client.query('SELECT "id", "xasid" FROM "system$xasinstance"')).rows as { id: string; xasid: string }[];
        expect(rows.map((r) => r.xasid)).toEqual([await health(rt)]);
        expect(BigInt(rows[0]!.id) > 0n).toBe(true);
      } finally {
        await rt.stop();
      }
    } finally {
      await client.end();
      await db.drop();
      app.remove();
    }
  }, 120000);
});
