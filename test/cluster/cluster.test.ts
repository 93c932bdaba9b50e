import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { startApp, type TestRuntime, xas } from '../security/harness.js';
import { loadModel } from '../../src/model/index.js';
import { modelChecks } from '../../src/app/model-checks.js';
import { clusterExclusive } from '../../src/cluster/locks.js';
import { openContext } from '../../src/security/contexts.js';
import type { Database } from '../../src/data/index.js';
import type { SqlPort } from '../../src/logic/engine/ports.js';
import { clusterApp } from './app.js';

/**
 * The cluster over real HTTP, in-process runtimes sharing one database:
 * instances registered and reported on /health, one leader, a graceful
 * stop handing over the lease, fencing, leader tasks, after-startup and
 * before-shutdown microflows, cluster-wide disallowConcurrentExecution.
 */
const INTERVAL = 400;
const settings = { ClusterManagerActionInterval: INTERVAL, LogLevel: 'warn' };

const health = async (rt: TestRuntime) => (await fetch(`${rt.url}/health`)).json() as Promise<{ status: string; instance: string; leader: boolean }>;
const dbOf = (rt: TestRuntime) => rt.rt.ctx.services.require('db') as Database;
const count = async (db: Database, sql: string) => Number((await db.query<{ n: unknown }>(sql, []))[0]!.n);
const until = async (what: () => Promise<boolean>, ms: number) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await what()) return Date.now();
    await new Promise((r) => setTimeout(r, 25));
  }
  return undefined;
};

for (const dialect of ['postgres', 'mysql'] as const) {
  describe(`a cluster of two instances on ${dialect}`, () => {
    let db: TestDatabase;
    let app: { dir: string; remove(): void };
    let a: TestRuntime;
    let b: TestRuntime;
    beforeAll(async () => {
      db = await freshDatabase(dialect);
      app = clusterApp();
      a = await startApp(app.dir, db.url, settings);
      b = await startApp(app.dir, db.url, settings);
    }, 60000);
    afterAll(async () => {
      await b?.stop();
      await a?.stop();
      await db?.drop();
      app?.remove();
    });

    it('registers both instances, reports them on /health with exactly one leader, ran afterStartup on each', async () => {
      const [ha, hb] = [await health(a), await health(b)];
      expect(ha.status).toBe('ok');
      expect(ha.instance).not.toBe(hb.instance);
      expect([ha.leader, hb.leader]).toEqual([true, false]);
      const d = dbOf(a);
      const ids = (await d.query<{ xasid: string }>('SELECT "xasid" FROM "system$xasinstance"', [])).map((r) => r.xasid).sort();
      expect(ids).toEqual([ha.instance, hb.instance].sort());
      expect(await count(d, `SELECT COUNT(*) AS n FROM "myfirstmodule$employee" WHERE "lastname" = 'startup'`)).toBe(2);
    });

    it('runs a disallowConcurrentExecution microflow once across the cluster: the other instance shows the message or runs the other microflow', async () => {
      const engineB = b.rt.ctx.services.require('microflows');
      const user = openContext(b.rt.ctx.model);
      let release!: () => void;
      const held = new Promise<void>((r) => {
        release = r;
      });
      let locked!: () => void;
      const taken = new Promise<void>((r) => {
        locked = r;
      });
      // Instance A holds both microflows' locks in an open transaction.
      const holder = dbOf(a).transaction(async (tx) => {
        const ex = clusterExclusive(dbOf(a));
        const r1 = await ex.tryLock('MyFirstModule.Exclusive', tx as unknown as SqlPort);
        const r2 = await ex.tryLock('MyFirstModule.ExclusiveOther', tx as unknown as SqlPort);
        expect(r1 && r2).toBeTruthy();
        locked();
        await held;
        await r1!();
        await r2!();
      });
      await taken;
      // Over HTTP on instance B: the page button's call answers the message as an instruction, the microflow does not run.
      const login = await xas(b.url, { action: 'login', params: { username: 'MxAdmin', password: 'Admin1!' } });
      expect(login.status).toBe(200);
      const headers = { cookie: login.setCookie!.split(';')[0]!, 'x-csrf-token': String(login.body.csrftoken) };
      const ops = JSON.parse(readFileSync(join(b.rt.ctx.deploymentDir, 'model', 'operations.json'), 'utf8')) as {
        operationId: string;
        operationType: string;
        constants: Record<string, unknown>;
      }[];
      const call = ops.find((o) => o.operationType === 'callMicroflow' && o.constants.MicroflowName === 'MyFirstModule.Exclusive')!.operationId;
      const viaHttp = await xas(b.url, { action: 'runtimeOperation', operationId: call, params: {}, changes: {}, objects: [] }, headers);
      expect(viaHttp.status).toBe(200);
      expect(viaHttp.body.instructions).toEqual([{ type: 'text_message', args: { type: 'warning', message: 'Already running elsewhere' } }]);
      const refused = await engineB.runMicroflow('MyFirstModule.Exclusive', {}, user);
      expect(refused.value).toBeNull();
      expect(refused.messages).toEqual([{ type: 'warning', message: 'Already running elsewhere', blocking: true }]);
      expect((await engineB.runMicroflow('MyFirstModule.ExclusiveOther', { Text: 'x' }, user)).value).toBe('alternative x');
      release();
      await holder;
      expect((await engineB.runMicroflow('MyFirstModule.Exclusive', {}, user)).value).toBe('ran');
      expect((await engineB.runMicroflow('MyFirstModule.ExclusiveOther', { Text: 'x' }, user)).value).toBe('ran x');
      const ran = await xas(b.url, { action: 'runtimeOperation', operationId: call, params: {}, changes: {}, objects: [] }, headers);
      expect([ran.status, ran.body.instructions]).toEqual([200, undefined]);
    });

    it('fences leader tasks on the term: a leader whose lease was taken runs nothing and steps down', async () => {
      const ca = a.rt.ctx.services.require('cluster');
      const d = dbOf(a);
      const term = ca.term()!;
      await d.execute(`UPDATE "kiln$cluster" SET "holder" = 'someone-else', "term" = "term" + 1 WHERE "name" = 'leader'`, []);
      expect(await ca.runLeaderTasks()).toBeUndefined();
      expect(ca.isLeader()).toBe(false);
      // The thief "dies": its lease expires and one of the two takes it with a newer term.
      await d.execute(`UPDATE "kiln$cluster" SET "expires" = 0 WHERE "name" = 'leader'`, []);
      const leaderBack = await until(async () => (await health(a)).leader || (await health(b)).leader, 2 * INTERVAL);
      expect(leaderBack).toBeDefined();
      const lease = (await d.query<{ term: unknown }>(`SELECT "term" FROM "kiln$cluster" WHERE "name" = 'leader'`, []))[0]!;
      expect(Number(lease.term)).toBeGreaterThan(term + 1);
      expect([(await health(a)).leader, (await health(b)).leader].filter(Boolean)).toHaveLength(1);
    });

    it('as leader: removes expired instances, clears all sessions once when a new model version appears, unblocks users', async () => {
      const leader = (await health(a)).leader ? a : b;
      const c = leader.rt.ctx.services.require('cluster');
      const d = dbOf(leader);
      const login = await xas(leader.url, { action: 'login', params: { username: 'MxAdmin', password: 'Admin1!' } });
      expect(login.status).toBe(200);
      expect(await count(d, 'SELECT COUNT(*) AS n FROM "system$session"')).toBeGreaterThan(0);
      // (The leader's own periodic round may get there first: the checks look at the database.)
      await d.execute(
        `INSERT INTO "system$xasinstance" ("id", "xasid", "lastupdate", "startedat", "address", "modelversion") VALUES (900001, 'dead-one', '2000-01-01 00:00:00', '2000-01-01 00:00:00', 'gone', 'old')`,
        [],
      );
      expect(await c.runLeaderTasks()).toBeDefined();
      expect(await count(d, `SELECT COUNT(*) AS n FROM "system$xasinstance" WHERE "xasid" = 'dead-one'`)).toBe(0);
      expect(await count(d, 'SELECT COUNT(*) AS n FROM "system$session"')).toBeGreaterThan(0);
      // An instance with a model never seen before: the leader clears every session, once.
      const at = (ms: number) => new Date(ms).toISOString().slice(0, 23).replace('T', ' ');
      await d.execute(
        `INSERT INTO "system$xasinstance" ("id", "xasid", "lastupdate", "startedat", "address", "modelversion") VALUES (900002, 'new-model', '${at(Date.now() + 60000)}', '${at(Date.now())}', 'x', 'f00d')`,
        [],
      );
      await c.runLeaderTasks();
      expect(await count(d, 'SELECT COUNT(*) AS n FROM "system$session"')).toBe(0);
      expect((await xas(leader.url, { action: 'login', params: { username: 'MxAdmin', password: 'Admin1!' } })).status).toBe(200);
      await c.runLeaderTasks();
      expect(await count(d, 'SELECT COUNT(*) AS n FROM "system$session"')).toBe(1);
      await d.execute(`DELETE FROM "system$xasinstance" WHERE "xasid" = 'new-model'`, []);
      // A user whose block ran out is unblocked by the leader's clean-up.
      await d.execute(
        `UPDATE "system$user" SET "blocked" = ${dialect === 'postgres' ? 'true' : '1'}, "blockedsince" = '2000-01-01 00:00:00' WHERE "name" = 'MxAdmin'`,
        [],
      );
      await c.runLeaderTasks();
      expect(await count(d, `SELECT COUNT(*) AS n FROM "system$user" WHERE "name" = 'MxAdmin' AND "blocked" = ${dialect === 'postgres' ? 'true' : '1'}`)).toBe(
        0,
      );
      const follower = leader === a ? b : a;
      expect(await follower.rt.ctx.services.require('cluster').runLeaderTasks()).toBeUndefined();
    });

    it('as leader: deletes expired idempotency keys; a follower runs no task', async () => {
      const leader = (await health(a)).leader ? a : b;
      const follower = leader === a ? b : a;
      const d = dbOf(leader);
      const row = (id: string, expires: number) =>
        d.execute(`INSERT INTO "kiln$idempotency" ("id", "fingerprint", "status", "body", "expires") VALUES ('${id}', 'f', 200, '{}', ${expires})`, []);
      await row('expired-key', 1);
      await row('live-key', Date.now() + 3_600_000);
      // (The leader's own periodic round may get there first: the checks look at the database.)
      expect(await follower.rt.ctx.services.require('cluster').runLeaderTasks()).toBeUndefined();
      const report = await leader.rt.ctx.services.require('cluster').runLeaderTasks();
      expect(report).toBeDefined();
      expect(await count(d, `SELECT COUNT(*) AS n FROM "kiln$idempotency" WHERE "id" = 'expired-key'`)).toBe(0);
      expect(await count(d, `SELECT COUNT(*) AS n FROM "kiln$idempotency" WHERE "id" = 'live-key'`)).toBe(1);
    });

    it('hands the leadership over within a quarter interval at a graceful stop, and runs beforeShutdown', async () => {
      const leader = (await health(a)).leader ? a : b;
      const other = leader === a ? b : a;
      const d = dbOf(other);
      const id = (await health(leader)).instance;
      const stoppedAt = Date.now();
      await leader.stop();
      const at = await until(async () => (await health(other)).leader, 2 * INTERVAL);
      expect(at, 'the other instance leads').toBeDefined();
      console.log(`${dialect}: leadership taken over ${at! - stoppedAt} ms after the graceful stop began (interval ${INTERVAL} ms)`);
      expect(await count(d, `SELECT COUNT(*) AS n FROM "system$xasinstance" WHERE "xasid" = '${id}'`)).toBe(0);
      expect(await count(d, `SELECT COUNT(*) AS n FROM "myfirstmodule$employee" WHERE "lastname" = 'shutdown'`)).toBe(1);
      // Restarted: it joins as a follower.
      const again = await startApp(app.dir, db.url, settings);
      if (leader === a) a = again;
      else b = again;
      expect((await health(again)).leader).toBe(false);
    });
  });
}

describe('a single instance on SQLite', () => {
  it('is its own leader; an afterStartup returning false fails the start in one line; kiln check validates the lifecycle microflows', async () => {
    const db = await freshDatabase('sqlite');
    const app = clusterApp();
    const rt = await startApp(app.dir, db.url, settings);
    try {
      const h = await health(rt);
      expect(h.leader).toBe(true);
      expect(h.instance).toMatch(/^[0-9a-f-]{36}$/);
      expect(await count(dbOf(rt), 'SELECT COUNT(*) AS n FROM "system$xasinstance"')).toBe(1);
    } finally {
      await rt.stop();
      await db.drop();
      app.remove();
    }
    const bad = clusterApp({ startupResult: 'false' });
    const db2 = await freshDatabase('sqlite');
    try {
      await expect(startApp(bad.dir, db2.url, settings)).rejects.toThrow(
        /^the after-startup microflow MyFirstModule.Startup returned false, not true; the start failed$/,
      );
    } finally {
      await db2.drop();
      bad.remove();
    }
    const wrong = clusterApp({ afterStartup: 'MyFirstModule.Shutdown', beforeShutdown: 'MyFirstModule.Nope' });
    try {
      const { diagnostics } = await loadModel(wrong.dir, { checks: modelChecks() });
      expect(diagnostics.map((x) => x.message)).toEqual(
        expect.arrayContaining([
          'afterStartup microflow MyFirstModule.Shutdown must return Boolean',
          "unknown microflow 'MyFirstModule.Nope' (write Module.Name)",
        ]),
      );
    } finally {
      wrong.remove();
    }
  }, 30000);

  it('never leads with IsClusterSlave, though it registers', async () => {
    const db = await freshDatabase('sqlite');
    const app = clusterApp();
    const rt = await startApp(app.dir, db.url, { ...settings, IsClusterSlave: true });
    try {
      await new Promise((r) => setTimeout(r, INTERVAL));
      expect((await health(rt)).leader).toBe(false);
      expect(await rt.rt.ctx.services.require('cluster').runLeaderTasks()).toBeUndefined();
      expect(await count(dbOf(rt), 'SELECT COUNT(*) AS n FROM "system$xasinstance"')).toBe(1);
    } finally {
      await rt.stop();
      await db.drop();
      app.remove();
    }
  });

  it('fails the start when afterStartup exceeds AfterStartupTimeout', async () => {
    const db = await freshDatabase('sqlite');
    const app = clusterApp({ startupSleepMs: 3000 });
    try {
      await expect(startApp(app.dir, db.url, { ...settings, AfterStartupTimeout: 300 })).rejects.toThrow(
        /^the after-startup microflow MyFirstModule.Startup did not finish within AfterStartupTimeout \(300 ms\); the start failed$/,
      );
    } finally {
      await db.drop();
      app.remove();
    }
  });
});
