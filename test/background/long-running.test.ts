import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger.js';
import { openDatabase, type Database } from '../../src/data/index.js';
import { startInstance, type KilnInstance } from '../support/kiln-instance.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { startApp, type TestRuntime, xas } from '../security/harness.js';
import { queueApp } from './queue-app.js';

/**
 * Long-running microflows called from the client (`runtimeOperation` with
 * `async: true`), on two instances sharing one database: the call is started
 * on one and polled through the other; only the session that started it may
 * poll; the answer is given once; a call whose instance died answers 503.
 */
const until = async <T>(what: () => Promise<T | undefined>, ms: number): Promise<T | undefined> => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await what();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
};

for (const dialect of ['postgres', 'mysql'] as const) {
  describe(`long-running microflows from the client on ${dialect}`, () => {
    let db: TestDatabase;
    let app: { dir: string; remove(): void };
    let a: TestRuntime;
    let b: TestRuntime;
    let d: Database;
    let operationId: string;
    let retrieveId: string;
    const login = async (rt: TestRuntime) => {
      const r = await xas(rt.url, { action: 'login', params: { username: 'MxAdmin', password: 'Admin1!' } });
      expect(r.status).toBe(200);
      return { cookie: r.setCookie!.split(';')[0]!, 'x-csrf-token': String(r.body.csrftoken) };
    };
    beforeAll(async () => {
      db = await freshDatabase(dialect);
      app = queueApp({ longRunningMs: 1500 });
      const settings = { ClusterManagerActionInterval: 1000, LogLevel: 'warn' };
      a = await startApp(app.dir, db.url, settings);
      b = await startApp(app.dir, db.url, settings);
      d = a.rt.ctx.services.require('db');
      const ops = JSON.parse(readFileSync(join(a.rt.ctx.deploymentDir, 'model', 'operations.json'), 'utf8')) as {
        operationId: string;
        operationType: string;
        constants: Record<string, unknown>;
      }[];
      operationId = ops.find((o) => o.operationType === 'callMicroflow' && o.constants.MicroflowName === 'MyFirstModule.LongRunning')!.operationId;
      retrieveId = ops.find((o) => o.operationType === 'retrieve')!.operationId;
    }, 60000);
    afterAll(async () => {
      await b?.stop();
      await a?.stop();
      await db?.drop();
      app?.remove();
    });

    it('starts on one instance, answers at once, and is polled to its result through the other; only by its session, once', async () => {
      const headers = await login(a);
      const t0 = Date.now();
      const started = await xas(a.url, { action: 'runtimeOperation', operationId, params: {}, changes: {}, objects: [], async: true }, headers);
      expect(started.status).toBe(200);
      expect(Date.now() - t0).toBeLessThan(1000);
      const id = (started.body.asyncCall as { id: string }).id;
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      const poll = (rt: TestRuntime, h: Record<string, string>) => xas(rt.url, { action: 'asyncResult', params: { id } }, h);
      // Through B while it runs on A.
      const first = await poll(b, headers);
      expect([first.status, first.body]).toEqual([200, { done: false }]);
      // Another session of the same user, and a request without the CSRF token, learn nothing.
      const other = await login(b);
      expect((await poll(b, other)).status).toBe(404);
      expect((await poll(b, { cookie: headers.cookie })).status).toBe(403);
      const done = await until(async () => {
        const r = await poll(b, headers);
        return r.body.done === false ? undefined : r;
      }, 10000);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1500);
      expect(done!.status).toBe(200);
      expect(done!.body.actionResult).toEqual({ type: 'Primitive', value: 'finished the long job' });
      expect(Number((await d.query<{ n: unknown }>(`SELECT COUNT(*) AS n FROM "myfirstmodule$employee" WHERE "lastname" = 'long running'`, []))[0]!.n)).toBe(1);
      // Given once.
      expect((await poll(a, headers)).status).toBe(404);
    });

    it('answers 503 for a call whose instance stopped refreshing (its transaction died with it), refuses async on a retrieve, and a fifth running call of a session', async () => {
      const headers = await login(b);
      const started = await xas(b.url, { action: 'runtimeOperation', operationId, params: {}, changes: {}, objects: [], async: true }, headers);
      const id = (started.body.asyncCall as { id: string }).id;
      await d.execute(`UPDATE "kiln$asynccall" SET "xasid" = 'an-instance-that-died' WHERE "id" = '${id}'`, []);
      const r = await xas(a.url, { action: 'asyncResult', params: { id } }, headers);
      expect(r.status).toBe(503);
      expect(r.body.error).toMatch(/stopped before it finished/);
      const bad = await xas(a.url, { action: 'asyncResult', params: { id: 'not-an-id' } }, headers);
      expect(bad.status).toBe(400);
      const onRetrieve = await xas(a.url, { action: 'runtimeOperation', operationId: retrieveId, params: {}, async: true }, headers);
      expect([onRetrieve.status, onRetrieve.body.error]).toEqual([400, "malformed request: 'async' applies to microflow calls only, not to retrieve"]);
      // At most four running calls per session and instance: the fifth is refused while they run.
      const more: number[] = [];
      for (let i = 0; i < 5; i++)
        more.push((await xas(a.url, { action: 'runtimeOperation', operationId, params: {}, changes: {}, objects: [], async: true }, headers)).status);
      expect(more).toEqual([200, 200, 200, 200, 429]);
      await new Promise((res) => setTimeout(res, 1600));
    });
  });
}

for (const dialect of ['postgres', 'mysql'] as const) {
  describe(`a long-running microflow whose instance is SIGKILLed, on ${dialect}`, () => {
    let db: TestDatabase;
    let app: { dir: string; remove(): void };
    const dirs: string[] = [];
    const procs: KilnInstance[] = [];
    beforeAll(async () => {
      db = await freshDatabase(dialect);
      app = queueApp({ longRunningMs: 30000 });
    }, 60000);
    afterAll(async () => {
      for (const p of procs) await p.kill('SIGKILL');
      await db?.drop();
      app?.remove();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });

    it('is answered 503 through the surviving instance once the dead one has expired, and did nothing', async () => {
      const start = async () => {
        const dir = mkdtempSync(join(tmpdir(), 'kiln-lr-'));
        dirs.push(dir);
        const p = await startInstance({
          appDir: app.dir,
          db: db.url,
          deploymentDir: dir,
          env: { KILN_CLUSTER_MANAGER_ACTION_INTERVAL: '500', KILN_LOG_LEVEL: 'warn' },
        });
        procs.push(p);
        return { p, dir };
      };
      const a = await start();
      const b = await start();
      const ops = JSON.parse(readFileSync(join(a.dir, 'model', 'operations.json'), 'utf8')) as {
        operationId: string;
        operationType: string;
        constants: Record<string, unknown>;
      }[];
      const op = ops.find((o) => o.operationType === 'callMicroflow' && o.constants.MicroflowName === 'MyFirstModule.LongRunning')!.operationId;
      const login = await xas(a.p.base, { action: 'login', params: { username: 'MxAdmin', password: 'Admin1!' } });
      const headers = { cookie: login.setCookie!.split(';')[0]!, 'x-csrf-token': String(login.body.csrftoken) };
      const started = await xas(a.p.base, { action: 'runtimeOperation', operationId: op, params: {}, changes: {}, objects: [], async: true }, headers);
      const id = (started.body.asyncCall as { id: string }).id;
      expect((await xas(b.p.base, { action: 'asyncResult', params: { id } }, headers)).body).toEqual({ done: false });
      await a.p.kill('SIGKILL');
      const killed = Date.now();
      const lost = await until(async () => {
        const r = await xas(b.p.base, { action: 'asyncResult', params: { id } }, headers);
        return r.status === 503 ? r : undefined;
      }, 15000);
      expect(lost?.body.error).toMatch(/stopped before it finished; nothing it did was kept/);
      const raw = await openDatabase(db.url, { log: createLogger('silent') });
      try {
        expect(
          Number((await raw.query<{ n: unknown }>(`SELECT COUNT(*) AS n FROM "myfirstmodule$employee" WHERE "lastname" = 'long running'`, []))[0]!.n),
        ).toBe(0);
      } finally {
        await raw.close();
      }
      console.log(`${dialect}: 503 through the other instance ${Date.now() - killed} ms after the SIGKILL`);
    }, 90000);
  });
}
