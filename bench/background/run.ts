/**
 * Task-queue throughput: tasks per second through one `kiln run` instance and
 * through three, on one PostgreSQL or MariaDB database (Kiln from dist/, as it
 * runs in a deployment). The queue has 4 threads per instance. Two kinds of
 * task: `insert` (the microflow commits one row: the queue's own cost
 * dominates) and `wait` (it first waits 20 ms, as a task calling a service
 * would: threads and instances overlap the waits). The tasks are queued in one
 * transaction by a runtime in this process that runs no queue; the clock runs
 * from its commit to the last task's record. The reference: the same microflow run inline, 4 at a
 * time, in this process (what the queue adds is the ratio).
 *
 *   npm run build && npx tsx bench/background/run.ts [postgres] [mysql] [--tasks 2000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openContext } from '../../src/security/contexts.js';
import { enqueuer, queueApp } from '../../test/background/queue-app.js';
import { freshDatabase, type DialectName } from '../../test/support/databases.js';
import { startInstance, type KilnInstance } from '../../test/support/kiln-instance.js';

const args = process.argv.slice(2);
const flag = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const TASKS = flag('--tasks', 2000);
const dialects = (args.filter((a) => a === 'postgres' || a === 'mysql') as DialectName[]).concat([]);
if (dialects.length === 0) dialects.push('postgres', 'mysql');

interface Row {
  dialect: string;
  kind: string;
  instances: number;
  tasks: number;
  ms: number;
}

async function measure(dialect: DialectName, kind: 'insert' | 'wait', instances: number, tasks: number): Promise<Row> {
  const db = await freshDatabase(dialect);
  const app = queueApp({ threads: 4, taskSleepMs: kind === 'wait' ? 20 : 0 });
  const q = await enqueuer(app.dir, db.url);
  const dirs: string[] = [];
  const running: KilnInstance[] = [];
  try {
    for (let i = 0; i < instances; i++) {
      const dir = mkdtempSync(join(tmpdir(), 'kiln-bench-q-'));
      dirs.push(dir);
      running.push(
        await startInstance({
          appDir: app.dir,
          db: db.url,
          deploymentDir: dir,
          env: { KILN_CLUSTER_MANAGER_ACTION_INTERVAL: '1000', KILN_TASK_QUEUE_POLL_INTERVAL: '100', KILN_LOG_LEVEL: 'warn' },
        }),
      );
    }
    const d = q.rt.ctx.services.require('db');
    const engine = q.rt.ctx.services.require('microflows');
    await engine.runMicroflow('MyFirstModule.Enqueue', { N: tasks, From: 0 } as never, openContext(q.rt.ctx.model));
    const t0 = performance.now();
    for (;;) {
      const n = Number((await d.query<{ n: unknown }>('SELECT COUNT(*) AS n FROM "system$processedqueuetask"', []))[0]!.n);
      if (n >= tasks) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    return { dialect, kind, instances, tasks, ms: performance.now() - t0 };
  } finally {
    for (const i of running) await i.kill('SIGTERM');
    await q.stop();
    await db.drop();
    app.remove();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The reference on the same machine at the same moment: the same task microflow run inline,
 * 4 at a time (as 4 threads would), each in its own transaction, in one runtime in this process.
 */
async function inline(dialect: DialectName, kind: 'insert' | 'wait', tasks: number): Promise<Row> {
  const db = await freshDatabase(dialect);
  const app = queueApp({ threads: 4, taskSleepMs: kind === 'wait' ? 20 : 0 });
  const q = await enqueuer(app.dir, db.url);
  try {
    const engine = q.rt.ctx.services.require('microflows');
    const user = openContext(q.rt.ctx.model);
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      [0, 1, 2, 3].map(async () => {
        while (next < tasks) await engine.runMicroflow('MyFirstModule.Task', { Number: next++ } as never, user);
      }),
    );
    return { dialect, kind, instances: 0, tasks, ms: performance.now() - t0 };
  } finally {
    await q.stop();
    await db.drop();
    app.remove();
  }
}

const rows: Row[] = [];
for (const dialect of dialects) {
  for (const kind of ['insert', 'wait'] as const) {
    const n = kind === 'wait' ? Math.min(TASKS, 1000) : TASKS;
    const ref = await inline(dialect, kind, n);
    rows.push(ref);
    console.log(`${dialect} ${kind} inline, 4 at a time: ${ref.tasks} in ${Math.round(ref.ms)} ms = ${Math.round((ref.tasks / ref.ms) * 1000)} runs/s`);
    for (const instances of [1, 3]) {
      const r = await measure(dialect, kind, instances, n);
      rows.push(r);
      console.log(`${dialect} ${kind} ${instances} instance(s): ${r.tasks} tasks in ${Math.round(r.ms)} ms = ${Math.round((r.tasks / r.ms) * 1000)} tasks/s`);
    }
  }
}
console.log('\n| database | task | inline, 4 at a time (runs/s) | 1 instance (tasks/s) | 3 instances (tasks/s) | 1 instance / inline | 3 / 1 |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const dialect of dialects)
  for (const kind of ['insert', 'wait']) {
    const one = rows.find((r) => r.dialect === dialect && r.kind === kind && r.instances === 1)!;
    const three = rows.find((r) => r.dialect === dialect && r.kind === kind && r.instances === 3)!;
    const ref = rows.find((r) => r.dialect === dialect && r.kind === kind && r.instances === 0)!;
    const rate = (r: Row) => (r.tasks / r.ms) * 1000;
    console.log(
      `| ${dialect} | ${kind} | ${Math.round(rate(ref))} | ${Math.round(rate(one))} | ${Math.round(rate(three))} | ${(rate(one) / rate(ref)).toFixed(2)} | ${(rate(three) / rate(one)).toFixed(2)} |`,
    );
  }
process.exit(0);
