/**
 * Scheduled events: the delay between a period's due time and the start of
 * its run (the run record's `started` minus its period start, both on the
 * running instance's clock), for a 1-second event whose microflow commits one
 * row, on one instance and on three (separate `kiln run` processes on one
 * PostgreSQL). The reference is the lateness of a plain setTimeout loop aimed
 * at the same due times in this process: what the timers alone cost on this
 * machine, without the lock, the claim and the microflow.
 *
 *   npm run build && npx tsx bench/scheduled/run.ts [--seconds 30] [--db postgres|mysql]
 */
import { loadavg } from 'node:os';
import { createLogger } from '../../src/core/logger.js';
import { openDatabase } from '../../src/data/index.js';
import { freshDatabase, type DialectName } from '../../test/support/databases.js';
import { startInstance, type KilnInstance } from '../../test/support/kiln-instance.js';
import { scheduledApp } from '../../test/background/app.js';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const SECONDS = Number(arg('seconds', '30'));
const DIALECT = arg('db', 'postgres') as DialectName;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};
const row = (label: string, xs: number[], extra = '') =>
  `| ${label} | ${xs.length} | ${pct(xs, 50).toFixed(1)} | ${pct(xs, 95).toFixed(1)} | ${Math.max(...xs).toFixed(1)} |${extra}`;

/** setTimeout aimed at whole seconds, as the scheduler aims at period starts: its lateness in ms. */
async function timerReference(seconds: number): Promise<number[]> {
  const late: number[] = [];
  let due = Math.ceil(Date.now() / 1000) * 1000 + 1000;
  const end = due + seconds * 1000;
  while (due < end) {
    await new Promise<void>((resolve) => {
      const wait = () => {
        const left = due - Date.now();
        if (left <= 0) resolve();
        else setTimeout(wait, left);
      };
      wait();
    });
    late.push(Date.now() - due);
    due += 1000;
  }
  return late;
}

async function cluster(n: number): Promise<{ start: number[]; end: number[]; byInstance: Map<string, number>; skipped: number }> {
  const tdb = await freshDatabase(DIALECT);
  const app = scheduledApp({ tickMs: 0 });
  const instances: KilnInstance[] = [];
  try {
    const env = {
      KILN_CLUSTER_MANAGER_ACTION_INTERVAL: '1000',
      KILN_LOG_LEVEL: 'warn',
      KILN_SCHEDULED_EVENT_EXECUTION: 'SPECIFIED',
      KILN_MY_SCHEDULED_EVENTS: 'MyFirstModule.Ticker',
      KILN_DEPLOYMENT_SECRET: 'bench-scheduled-events-secret',
    };
    for (let i = 0; i < n; i++) instances.push(await startInstance({ appDir: app.dir, db: tdb.url, env }));
    const from = Date.now() + 2000;
    await new Promise((r) => setTimeout(r, SECONDS * 1000 + 2000));
    for (const i of instances) await i.kill('SIGTERM');
    // Warnings and errors of the instances (a lost period would show here).
    for (const i of instances)
      for (const line of i
        .output()
        .split('\n')
        .filter((l) => /"level":(40|50)/.test(l))
        .slice(0, 5))
        console.error(`  ${line.slice(0, 400)}`);
    const db = await openDatabase(tdb.url, { log: createLogger('silent'), poolSize: 1 });
    const q = (s: string) => (DIALECT === 'mysql' ? `\`${s}\`` : `"${s}"`);
    const rows = await db.query<Record<string, unknown>>(`SELECT * FROM ${q('kiln$scheduledeventrun')} WHERE ${q('periodstart')} >= ${from}`, []);
    await db.close();
    const done = rows.filter((r) => r.status === 'Completed');
    const statuses = new Map<string, number>();
    for (const r of rows) statuses.set(String(r.status), (statuses.get(String(r.status)) ?? 0) + 1);
    const last = Math.max(...rows.map((r) => Number(r.periodstart)));
    console.error(
      `${n} instance(s): records by status ${JSON.stringify(Object.fromEntries(statuses))}, periods without a record ${(last - Math.ceil(from / 1000) * 1000) / 1000 + 1 - rows.length}`,
    );
    for (const r of rows.filter((x) => x.status === 'Error')) console.error(`  error: ${String(r.error)}`);
    const byInstance = new Map<string, number>();
    for (const r of done) byInstance.set(String(r.xasid), (byInstance.get(String(r.xasid)) ?? 0) + 1);
    return {
      start: done.map((r) => Number(r.started) - Number(r.periodstart)),
      end: done.map((r) => Number(r.ended) - Number(r.periodstart)),
      byInstance,
      skipped: rows.filter((r) => r.status === 'Skipped').length,
    };
  } finally {
    for (const i of instances) await i.kill('SIGKILL');
    await tdb.drop();
    app.remove();
  }
}

const ref = await timerReference(Math.min(SECONDS, 20));
const one = await cluster(1);
const three = await cluster(3);
console.log(
  `scheduled events, 1-second event, ${SECONDS} s per configuration, ${DIALECT}; delays in ms after the period's due time; load average at the end ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}\n`,
);
console.log('| configuration | periods | p50 | p95 | max | notes |');
console.log('| --- | ---: | ---: | ---: | ---: | --- |');
console.log(row('setTimeout aimed at whole seconds (reference)', ref, ' timer lateness alone |'));
console.log(row('1 instance: run started', one.start, ` skipped: ${one.skipped} |`));
console.log(row('1 instance: run committed', one.end, ' |'));
console.log(row('3 instances: run started', three.start, ` skipped: ${three.skipped}; runs per instance: ${[...three.byInstance.values()].join(' / ')} |`));
console.log(row('3 instances: run committed', three.end, ' |'));
