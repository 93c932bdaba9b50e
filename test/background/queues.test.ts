import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { modelChecks } from '../../src/app/model-checks.js';
import type { Database } from '../../src/data/index.js';
import { loadModel } from '../../src/model/index.js';
import { openContext, userContextFor } from '../../src/security/contexts.js';
import { freshDatabase, type DialectName, type TestDatabase } from '../support/databases.js';
import { startApp, type TestRuntime } from '../security/harness.js';
import { queueApp } from './queue-app.js';

/**
 * Task queues in one runtime per database (the multi-instance behaviour is in
 * cluster-queues.test.ts): a call activity with `queue` writes its task in the
 * caller's transaction, the worker runs it in the enqueuing user's context,
 * retries as configured, records every finished task in
 * system$processedqueuetask; `kiln check` reports bad queue options where they are.
 */
const count = async (db: Database, sql: string, params: unknown[] = []) => Number((await db.query<{ n: unknown }>(sql, params))[0]!.n);
const until = async (what: () => Promise<boolean>, ms: number): Promise<boolean> => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await what()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
};

for (const dialect of ['sqlite', 'postgres', 'mysql'] as DialectName[]) {
  describe(`task queues on ${dialect}`, () => {
    let db: TestDatabase;
    let app: { dir: string; remove(): void };
    let rt: TestRuntime;
    let d: Database;
    const run = (name: string, params: Record<string, unknown> = {}) =>
      rt.rt.ctx.services.require('microflows').runMicroflow(name, params as never, openContext(rt.rt.ctx.model));
    beforeAll(async () => {
      db = await freshDatabase(dialect);
      app = queueApp();
      rt = await startApp(app.dir, db.url, { TaskQueuePollInterval: 100, LogLevel: 'warn' });
      d = rt.rt.ctx.services.require('db');
    }, 60000);
    afterAll(async () => {
      await rt?.stop();
      await db?.drop();
      app?.remove();
    });

    it('runs queued calls once each after the caller commits, and records them as Completed', async () => {
      await run('MyFirstModule.Enqueue', { N: 30, From: 0 });
      expect(await until(async () => (await count(d, `SELECT COUNT(*) AS n FROM "myfirstmodule$employee" WHERE "lastname" LIKE 'task %'`)) === 30, 15000)).toBe(
        true,
      );
      expect(await until(async () => (await count(d, 'SELECT COUNT(*) AS n FROM "system$queuedtask"')) === 0, 5000)).toBe(true);
      const rows = await d.query<{ lastname: string }>(`SELECT "lastname" FROM "myfirstmodule$employee" WHERE "lastname" LIKE 'task %'`, []);
      expect(new Set(rows.map((r) => r.lastname)).size).toBe(30);
      expect(
        await count(
          d,
          `SELECT COUNT(*) AS n FROM "system$processedqueuetask" WHERE "status" = 'Completed' AND "microflowname" = 'MyFirstModule.Task' AND "queuename" = 'MyFirstModule.Work'`,
        ),
      ).toBe(30);
    });

    it('queues nothing when the calling transaction rolls back', async () => {
      await expect(run('MyFirstModule.EnqueueThenFail', { N: 5 })).rejects.toThrow(/the caller failed after queueing/);
      expect(await count(d, 'SELECT COUNT(*) AS n FROM "system$queuedtask"')).toBe(0);
      await new Promise((r) => setTimeout(r, 400));
      expect(await count(d, `SELECT COUNT(*) AS n FROM "myfirstmodule$employee" WHERE "lastname" LIKE 'task 1000%'`)).toBe(0);
    });

    it('retries a failing task as configured: fixed after a delay, exponential doubling; each failed run rolled back', async () => {
      const t0 = Date.now();
      await run('MyFirstModule.EnqueueFlaky', { Key: `fixed-${dialect}`, Exponential: false });
      await run('MyFirstModule.EnqueueFlaky', { Key: `exp-${dialect}`, Exponential: true });
      const done = (key: string) => async () =>
        (await count(d, `SELECT COUNT(*) AS n FROM "myfirstmodule$employee" WHERE "lastname" = 'flaky ${key} attempt 3'`)) === 1;
      expect(await until(done(`fixed-${dialect}`), 10000)).toBe(true);
      const fixedMs = Date.now() - t0;
      expect(await until(done(`exp-${dialect}`), 10000)).toBe(true);
      const expMs = Date.now() - t0;
      // Fixed: 0.2 s delay + 2 × 0.3 s; exponential: 0.3 s + 0.6 s.
      expect(fixedMs).toBeGreaterThanOrEqual(800);
      expect(expMs).toBeGreaterThanOrEqual(900);
      // The failed attempts left nothing behind; the record says how often it was retried.
      expect(await count(d, `SELECT COUNT(*) AS n FROM "myfirstmodule$employee" WHERE "lastname" LIKE 'flaky %'`)).toBe(2);
      const rec = await d.query<{ status: string; retried: unknown }>(
        `SELECT "status", "retried" FROM "system$processedqueuetask" WHERE "microflowname" = 'MyFirstModule.Flaky'`,
        [],
      );
      expect(rec.map((r) => [r.status, Number(r.retried)])).toEqual([
        ['Completed', 2],
        ['Completed', 2],
      ]);
    });

    it('records a task that keeps failing as Failed with its error, after its retries', async () => {
      await run('MyFirstModule.EnqueueAlwaysFails');
      expect(
        await until(
          async () => (await count(d, `SELECT COUNT(*) AS n FROM "system$processedqueuetask" WHERE "microflowname" = 'MyFirstModule.AlwaysFails'`)) === 1,
          5000,
        ),
      ).toBe(true);
      const [rec] = await d.query<{ status: string; retried: unknown; errormessage: string }>(
        `SELECT "status", "retried", "errormessage" FROM "system$processedqueuetask" WHERE "microflowname" = 'MyFirstModule.AlwaysFails'`,
        [],
      );
      expect([rec!.status, Number(rec!.retried), rec!.errormessage]).toEqual(['Failed', 1, 'nothing works']);
    });

    it('passes committed objects by id and runs the task as the enqueuing user; refuses an uncommitted object', async () => {
      const model = rt.rt.ctx.model;
      const [admin] = await d.query<{ id: unknown }>(`SELECT "id" FROM "system$user" WHERE "name" = 'MxAdmin'`, []);
      const user = userContextFor(model, {
        userId: BigInt(String(admin!.id)),
        userName: 'MxAdmin',
        userEntity: 'System.User',
        userRoles: ['Administrator'],
        anonymous: false,
        sessionId: null,
        sessionObjectId: null,
      });
      const engine = rt.rt.ctx.services.require('microflows');
      await engine.runMicroflow('MyFirstModule.EnqueueForObject', { Name: 'by-object' }, user);
      expect(
        await until(
          async () =>
            (await count(d, `SELECT COUNT(*) AS n FROM "myfirstmodule$employee" WHERE "lastname" = 'by-object' AND "jobtitle" = 'done by MxAdmin'`)) === 1,
          5000,
        ),
      ).toBe(true);
      const [ctx] = await d.query<{ contexttype: string; queuename: string }>(
        `SELECT "contexttype", "queuename" FROM "system$processedqueuetask" WHERE "microflowname" = 'MyFirstModule.ForObject'`,
        [],
      );
      expect(ctx).toEqual({ contexttype: 'User', queuename: 'MyFirstModule.Shared' });
      await expect(engine.runMicroflow('MyFirstModule.UncommittedArg', {}, user)).rejects.toThrow(
        /argument Employee of MyFirstModule.ForObject \(queued in MyFirstModule.Shared\) is an object with changes that are not committed/,
      );
      expect(await count(d, 'SELECT COUNT(*) AS n FROM "system$queuedtask"')).toBe(0);
    });
  });
}

describe('kiln check on task queues', () => {
  it('reports a bad queue file and bad queue options of a call at their place', async () => {
    const app = queueApp();
    try {
      const mod = join(app.dir, 'modules', 'MyFirstModule');
      writeFileSync(join(mod, 'task-queues', 'Bad.yaml'), stringify({ threads: 0, scope: 'everywhere' }));
      writeFileSync(
        join(mod, 'microflows', 'BadQueue.yaml'),
        stringify({
          body: [
            { call: { microflow: 'Task', with: { Number: '1' }, queue: 'Nowhere' } },
            { call: { microflow: 'LongRunning', queue: 'Work', into: 'R' } },
            { call: { microflow: 'Task', with: { Number: '1' }, delay: 5 } },
            { create: { entity: 'MyFirstModule.Note', into: 'N' } },
            { call: { microflow: 'TakesNote', with: { Note: '$N' }, queue: 'Work' } },
          ],
        }),
      );
      writeFileSync(join(mod, 'microflows', 'TakesNote.yaml'), stringify({ parameters: { Note: 'MyFirstModule.Note' }, body: [] }));
      const dm = join(mod, 'domain-model.yaml');
      writeFileSync(dm, readFileSync(dm, 'utf8').replace('entities:\n', 'entities:\n  Note:\n    persistable: false\n    attributes: { Text: String }\n'));
      const { model, diagnostics } = await loadModel(app.dir, { checks: modelChecks() });
      expect(model).toBeUndefined();
      const found = diagnostics.map((x) => `${x.file}:${x.line} ${x.path}: ${x.message}`);
      const bad = 'modules/MyFirstModule/task-queues/Bad.yaml';
      const mf = 'modules/MyFirstModule/microflows/BadQueue.yaml';
      expect(found).toEqual(
        expect.arrayContaining([
          expect.stringMatching(new RegExp(`^${bad}:1 threads: .*1`)),
          expect.stringMatching(new RegExp(`^${bad}:2 scope: `)),
          expect.stringMatching(new RegExp(`^${mf}:\\d+ body\\.0\\.call\\.queue: unknown task queue 'MyFirstModule.Nowhere' \\(known: `)),
          expect.stringMatching(new RegExp(`^${mf}:\\d+ body\\.1\\.call\\.into: a microflow run in a task queue returns nothing`)),
          expect.stringMatching(new RegExp(`^${mf}:\\d+ body\\.2\\.call\\.delay: delay applies only to a call run in a task queue`)),
          expect.stringMatching(
            new RegExp(`^${mf}:\\d+ body\\.4\\.call\\.with\\.Note: parameter Note of MyFirstModule.TakesNote is a non-persistable MyFirstModule.Note`),
          ),
        ]),
      );
    } finally {
      app.remove();
    }
  });
});
