import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/data/index.js';
import { openContext } from '../../src/security/contexts.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { startInstance, type KilnInstance } from '../support/kiln-instance.js';
import { enqueuer, queueApp } from './queue-app.js';

/**
 * Task queues across real instances (separate `kiln run` processes) on one
 * PostgreSQL or MariaDB database: 1,000 tasks on 3 instances × 4 threads, one
 * instance SIGKILLed midway — every task done exactly once (each inserts one
 * row; counted), none lost; a graceful stop that finishes its tasks within
 * the grace period, and one that leaves them to another instance.
 *
 * The tasks are queued by an in-process runtime without the task-queue
 * component (it enqueues, never runs), so every run is one of the instances'.
 */
const TASKS = 1000;
const INTERVAL = 1000;
const env = (extra: Record<string, string> = {}) => ({
  KILN_CLUSTER_MANAGER_ACTION_INTERVAL: String(INTERVAL),
  KILN_TASK_QUEUE_POLL_INTERVAL: '100',
  KILN_LOG_LEVEL: 'warn',
  ...extra,
});
const count = async (db: Database, sql: string, params: unknown[] = []) => Number((await db.query<{ n: unknown }>(sql, params))[0]!.n);
const until = async (what: () => Promise<boolean>, ms: number): Promise<boolean> => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await what()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
};
const instanceIdOf = async (i: KilnInstance) => ((await (await fetch(`${i.base}/health`)).json()) as { instance: string }).instance;

for (const dialect of ['postgres', 'mysql'] as const) {
  describe(`task queues across instances on ${dialect}`, () => {
    let db: TestDatabase;
    let app: { dir: string; remove(): void };
    let q: Awaited<ReturnType<typeof enqueuer>>;
    let d: Database;
    const instances: KilnInstance[] = [];
    const deployDirs: string[] = [];
    const start = async (extra: Record<string, string> = {}) => {
      const dir = mkdtempSync(join(tmpdir(), 'kiln-q-deploy-'));
      deployDirs.push(dir);
      const i = await startInstance({ appDir: app.dir, db: db.url, deploymentDir: dir, env: env(extra) });
      instances.push(i);
      return i;
    };
    const run = (name: string, params: Record<string, unknown>) =>
      q.rt.ctx.services.require('microflows').runMicroflow(name, params as never, openContext(q.rt.ctx.model));

    beforeAll(async () => {
      db = await freshDatabase(dialect);
      app = queueApp({ threads: 4, taskSleepMs: 15 });
      // The enqueuer first: it synchronises the schema once.
      q = await enqueuer(app.dir, db.url);
      d = q.rt.ctx.services.require('db');
    }, 60000);
    afterAll(async () => {
      for (const i of instances) await i.kill('SIGKILL');
      await q?.stop();
      await db?.drop();
      app?.remove();
      for (const dir of deployDirs) rmSync(dir, { recursive: true, force: true });
    });

    it(`runs ${TASKS} tasks on 3 instances × 4 threads exactly once each, none lost when one instance is SIGKILLed midway; retries; nothing queued by a rolled-back caller`, async () => {
      const [a, b, c] = [await start(), await start(), await start()];
      const ids = [await instanceIdOf(a), await instanceIdOf(b), await instanceIdOf(c)];
      const t0 = Date.now();
      await run('MyFirstModule.Enqueue', { N: TASKS, From: 0 });
      expect(await count(d, 'SELECT COUNT(*) AS n FROM "system$queuedtask"')).toBe(TASKS);
      // Midway: B holds running tasks when it dies.
      const midway = await until(
        async () =>
          (await count(d, `SELECT COUNT(*) AS n FROM "system$processedqueuetask"`)) >= TASKS / 3 &&
          (await count(d, `SELECT COUNT(*) AS n FROM "system$queuedtask" WHERE "status" = 'Running' AND "xasid" = $1`.replace('$1', `'${ids[1]}'`))) > 0,
        60000,
      );
      expect(midway).toBe(true);
      const runningOnB = await count(d, `SELECT COUNT(*) AS n FROM "system$queuedtask" WHERE "status" = 'Running' AND "xasid" = '${ids[1]}'`);
      await b.kill('SIGKILL');
      const killedAt = Date.now();
      const done = await until(async () => (await count(d, 'SELECT COUNT(*) AS n FROM "system$processedqueuetask"')) >= TASKS, 90000);
      expect(done).toBe(true);
      const allMs = Date.now() - t0;
      expect(await count(d, 'SELECT COUNT(*) AS n FROM "system$queuedtask"')).toBe(0);
      // Exactly once: one row per task number, 1000 numbers.
      expect(await count(d, `SELECT COUNT(*) AS n FROM "myfirstmodule$employee" WHERE "lastname" LIKE 'task %'`)).toBe(TASKS);
      expect(await count(d, `SELECT COUNT(DISTINCT "lastname") AS n FROM "myfirstmodule$employee" WHERE "lastname" LIKE 'task %'`)).toBe(TASKS);
      expect(await count(d, `SELECT COUNT(*) AS n FROM "system$processedqueuetask" WHERE "status" = 'Completed'`)).toBe(TASKS);
      // All three took part; the survivors finished what B was running.
      const per = await d.query<{ xasid: string; n: unknown }>(`SELECT "xasid", COUNT(*) AS n FROM "system$processedqueuetask" GROUP BY "xasid"`, []);
      const by = new Map(per.map((r) => [r.xasid, Number(r.n)]));
      for (const id of ids) expect(by.get(id) ?? 0).toBeGreaterThan(0);
      console.log(
        `${dialect}: ${TASKS} tasks in ${allMs} ms; per instance ${ids.map((id) => by.get(id) ?? 0).join(' / ')}; ${runningOnB} running on the killed instance, all done ${Date.now() - killedAt} ms after the kill`,
      );
      // With the survivors: a failing task is retried as configured (once, 0.1 s later) and then recorded as Failed,
      // by whichever instance ran it; a caller that rolls back queues nothing.
      await run('MyFirstModule.EnqueueAlwaysFails', {});
      await expect(run('MyFirstModule.EnqueueThenFail', { N: 5 })).rejects.toThrow(/the caller failed after queueing/);
      expect(
        await until(
          async () => (await count(d, `SELECT COUNT(*) AS n FROM "system$processedqueuetask" WHERE "microflowname" = 'MyFirstModule.AlwaysFails'`)) === 1,
          20000,
        ),
      ).toBe(true);
      const [failed] = await d.query<{ status: string; retried: unknown; errormessage: string }>(
        `SELECT "status", "retried", "errormessage" FROM "system$processedqueuetask" WHERE "microflowname" = 'MyFirstModule.AlwaysFails'`,
        [],
      );
      expect([failed!.status, Number(failed!.retried), failed!.errormessage]).toEqual(['Failed', 1, 'nothing works']);
      expect(a.output() + c.output()).toMatch(/task MyFirstModule.AlwaysFails failed \(nothing works\); retry 1 of 1 in 100 ms/);
      expect(await count(d, 'SELECT COUNT(*) AS n FROM "system$queuedtask"')).toBe(0);
      expect(await count(d, `SELECT COUNT(*) AS n FROM "myfirstmodule$employee" WHERE "lastname" LIKE 'task 1000%'`)).toBe(0);
      await a.kill('SIGTERM');
      await c.kill('SIGTERM');
    }, 180000);

    it('a graceful stop finishes running tasks within the grace period, and leaves them to another instance past it', async () => {
      const before = await count(d, `SELECT COUNT(*) AS n FROM "myfirstmodule$employee" WHERE "lastname" = 'slow done'`);
      // 1. Within the grace period: the stop waits for the task, the instance exits 0.
      const patient = await start({ KILN_TASK_QUEUE_SHUTDOWN_GRACE_PERIOD: '10000' });
      const patientId = await instanceIdOf(patient);
      await run('MyFirstModule.EnqueueSlow', { Ms: 1500, Count: 2, Gate: '' });
      expect(await until(async () => (await count(d, `SELECT COUNT(*) AS n FROM "system$queuedtask" WHERE "status" = 'Running'`)) === 2, 10000)).toBe(true);
      const stopped = await patient.kill('SIGTERM');
      expect(stopped.code).toBe(0);
      expect(await count(d, `SELECT COUNT(*) AS n FROM "myfirstmodule$employee" WHERE "lastname" = 'slow done'`)).toBe(before + 2);
      expect(
        await count(d, `SELECT COUNT(*) AS n FROM "system$processedqueuetask" WHERE "microflowname" = 'MyFirstModule.Slow' AND "xasid" = '${patientId}'`),
      ).toBe(2);

      // 2. Past the grace period: the stopping instance leaves its tasks; another runs them, once.
      const hasty = await start({ KILN_TASK_QUEUE_SHUTDOWN_GRACE_PERIOD: '300' });
      const hastyId = await instanceIdOf(hasty);
      // Held running (waiting for the gate file) until the other instance is up and this one has stopped.
      const gate = join(deployDirs[0]!, `gate-${dialect}`);
      await run('MyFirstModule.EnqueueSlow', { Ms: 0, Count: 3, Gate: gate });
      expect(
        await until(
          async () => (await count(d, `SELECT COUNT(*) AS n FROM "system$queuedtask" WHERE "status" = 'Running' AND "xasid" = '${hastyId}'`)) === 3,
          10000,
        ),
      ).toBe(true);
      const other = await start();
      const otherId = await instanceIdOf(other);
      const t = Date.now();
      const exit = await hasty.kill('SIGTERM');
      expect(exit.code).toBe(0);
      expect(Date.now() - t).toBeLessThan(3000);
      expect(hasty.output()).toContain('still running after the grace period: left to be picked up again');
      expect(
        await until(
          async () => (await count(d, `SELECT COUNT(*) AS n FROM "system$queuedtask" WHERE "status" = 'Running' AND "xasid" = '${otherId}'`)) === 3,
          10000,
        ),
      ).toBe(true);
      writeFileSync(gate, 'open');
      expect(
        await until(async () => (await count(d, `SELECT COUNT(*) AS n FROM "myfirstmodule$employee" WHERE "lastname" = 'slow done'`)) === before + 5, 30000),
      ).toBe(true);
      const rec = await d.query<{ xasid: string }>(
        `SELECT "xasid" FROM "system$processedqueuetask" WHERE "microflowname" = 'MyFirstModule.Slow' AND "xasid" <> '${patientId}'`,
        [],
      );
      expect(rec.map((r) => r.xasid)).toEqual([otherId, otherId, otherId]);
      await new Promise((r) => setTimeout(r, 500));
      expect(await count(d, `SELECT COUNT(*) AS n FROM "myfirstmodule$employee" WHERE "lastname" = 'slow done'`)).toBe(before + 5);
      console.log(`${dialect}: the stopping instance left 3 tasks; another finished them ${Date.now() - t} ms after the SIGTERM`);
      await other.kill('SIGTERM');
    }, 120000);
  });
}
