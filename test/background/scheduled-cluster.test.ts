import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger.js';
import { openDatabase, type Database } from '../../src/data/index.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { startInstance, type KilnInstance } from '../support/kiln-instance.js';
import { scheduledApp } from './app.js';

/**
 * Scheduled events across a cluster of separate processes on one database:
 * a 1-second event with three instances, one of them killed (SIGKILL) in
 * the middle of a run. Every period in the window is recorded once; every
 * Completed run left exactly one row of its microflow (inside its start and
 * end), the killed run none and is recorded Stopped, and the periods after it
 * run normally. A failing microflow is recorded as Error every period without
 * stopping the next; ScheduledEventExecution NONE and SPECIFIED are honoured.
 * The app runs at security level production and MyFirstModule.Tick has no
 * access rules: the microflow commits it because scheduled events run with full rights.
 */
const TICKER = 'MyFirstModule.Ticker';
const FAILING = 'MyFirstModule.Failing';
const BASE_ENV = { KILN_CLUSTER_MANAGER_ACTION_INTERVAL: '1000', KILN_LOG_LEVEL: 'info', KILN_DEPLOYMENT_SECRET: 'scheduled-events-test-secret' };

interface Run {
  event: string;
  period: number;
  xasid: string;
  status: string;
  started: number;
  ended: number | null;
  error: string | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(what: () => Promise<T | undefined | false>, ms: number, label: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${label}`);
    await sleep(25);
  }
}
const instanceId = async (i: KilnInstance) => ((await (await fetch(`${i.base}/health`)).json()) as { instance: string }).instance;

for (const dialect of ['postgres', 'mysql'] as const) {
  describe(`scheduled events on three instances on ${dialect}`, () => {
    let tdb: TestDatabase;
    let db: Database;
    let app: { dir: string; remove(): void };
    const instances: KilnInstance[] = [];
    const runs = async (event?: string): Promise<Run[]> =>
      (
        await db.query<Record<string, unknown>>(
          `SELECT * FROM ${db.dialect.name === 'mysql' ? '`kiln$scheduledeventrun`' : '"kiln$scheduledeventrun"'} ORDER BY ${db.dialect.name === 'mysql' ? '`periodstart`' : '"periodstart"'}`,
          [],
        )
      )
        .map((r) => ({
          event: String(r.event),
          period: Number(r.periodstart),
          xasid: String(r.xasid),
          status: String(r.status),
          started: Number(r.started),
          ended: r.ended === null ? null : Number(r.ended),
          error: r.error === null ? null : String(r.error),
        }))
        .filter((r) => event === undefined || r.event === event);
    const q = (name: string) => (db.dialect.name === 'mysql' ? `\`${name}\`` : `"${name}"`);

    beforeAll(async () => {
      tdb = await freshDatabase(dialect);
      app = scheduledApp();
      db = await openDatabase(tdb.url, { log: createLogger('silent'), poolSize: 2 });
    }, 60000);
    afterAll(async () => {
      for (const i of instances) await i.kill('SIGKILL');
      await db?.close();
      await tdb?.drop();
      app?.remove();
    });

    it('runs every period once, records a run whose instance was killed as Stopped, and records a failing microflow each period', async () => {
      const start = (env: Record<string, string>) => startInstance({ appDir: app.dir, db: tdb.url, env: { ...BASE_ENV, ...env } });
      // a and c take part in every event; b only in the Ticker (SPECIFIED).
      const a = await start({});
      const b = await start({ KILN_SCHEDULED_EVENT_EXECUTION: 'SPECIFIED', KILN_MY_SCHEDULED_EVENTS: TICKER });
      const c = await start({ KILN_SCHEDULED_EVENT_EXECUTION: 'all' });
      instances.push(a, b, c);
      const ids = new Map([
        [await instanceId(a), a],
        [await instanceId(b), b],
        [await instanceId(c), c],
      ]);
      const idOf = (i: KilnInstance) => [...ids].find(([, x]) => x === i)![0];
      const allUp = Date.now();
      // A few periods with all three, then kill whichever instance is in the middle of a Ticker run.
      await until(async () => (await runs(TICKER)).filter((r) => r.period >= allUp && r.status === 'Completed').length >= 4, 20000, 'four periods');
      const victimRun = await until(async () => (await runs(TICKER)).find((r) => r.status === 'Running'), 10000, 'a run in progress');
      const victim = ids.get(victimRun.xasid)!;
      await victim.kill('SIGKILL');
      const killedAt = Date.now();
      // A fourth instance with NONE takes the victim's place: it must never run anything.
      const d = await start({ KILN_SCHEDULED_EVENT_EXECUTION: 'NONE' });
      instances.push(d);
      const dId = await instanceId(d);
      // The leader marks the killed run Stopped once the victim's row is three intervals old.
      const stopped = await until(
        async () => (await runs(TICKER)).find((r) => r.period === victimRun.period && r.status === 'Stopped'),
        15000,
        'the killed run recorded Stopped',
      );
      expect(stopped.error).toMatch(/stopped \(died or was cut off\) during the run/);
      await until(
        async () => {
          const rs = await runs(TICKER);
          return rs.filter((r) => r.period > killedAt && r.status === 'Completed').length >= 4 && rs.filter((r) => r.period >= allUp).length >= 14;
        },
        30000,
        'four periods after the kill, fourteen in all',
      );
      const endWindow = Date.now() - 1500;
      for (const i of [a, b, c, d]) if (i !== victim) await i.kill('SIGTERM');

      // Every period from the first one with all three up to the end of the window is recorded exactly once.
      const ticker = (await runs(TICKER)).filter((r) => r.period >= allUp && r.period <= endWindow);
      const periods = ticker.map((r) => r.period);
      expect(periods.length).toBeGreaterThanOrEqual(10);
      for (let k = 1; k < periods.length; k++) expect(periods[k]! - periods[k - 1]!).toBe(1000);
      const byStatus = (s: string) => ticker.filter((r) => r.status === s);
      expect(byStatus('Stopped').map((r) => r.period)).toEqual([victimRun.period]);
      expect(byStatus('Running')).toEqual([]);
      expect(byStatus('Error')).toEqual([]);
      // Each Completed run committed exactly one Tick row, made between its start and its end; the killed run none.
      const ticks = (
        await db.query<{ At: unknown; Name: unknown }>(`SELECT ${q('at')} AS ${q('At')}, ${q('name')} AS ${q('Name')} FROM ${q('myfirstmodule$tick')}`, [])
      ).map((t) => ({ name: String(t.Name), at: new Date(t.At as string | Date).getTime() }));
      expect(ticks.filter((t) => t.name === 'fail')).toEqual([]);
      const within = (r: Run) => ticks.filter((t) => t.name === 'tick' && t.at >= r.started && t.at <= (r.ended ?? r.started + 60000)).length;
      for (const r of byStatus('Completed')) expect({ period: r.period, ticks: within(r) }).toEqual({ period: r.period, ticks: 1 });
      // (its record's end is when the leader marked it; its own tick would have come before the next period)
      expect(within({ ...stopped, ended: stopped.period + 999 })).toBe(0);
      const allTicker = await runs(TICKER);
      expect(ticks.filter((t) => t.name === 'tick')).toHaveLength(allTicker.filter((r) => r.status === 'Completed').length);
      // The period after the killed one ran normally.
      expect(allTicker.find((r) => r.period === victimRun.period + 1000)?.status).toBe('Completed');
      // Skips happen only when a run outlasts its period (150 ms here, but the machine is shared): each one fell due during a run,
      // or no instance could start it within its second (every instance late: recorded so, not lost without a trace).
      for (const r of byStatus('Skipped')) {
        const overlapped = allTicker.some((c) => c.status === 'Completed' && c.period < r.period && (c.ended ?? 0) > r.period);
        expect(overlapped || r.error === 'no instance started it within its period (the instances were busy or late)').toBe(true);
      }

      // The failing event: recorded as Error with the microflow's message every period, never on b (SPECIFIED) or d (NONE).
      const failing = (await runs(FAILING)).filter((r) => r.period >= allUp && r.period <= endWindow && r.xasid !== victimRun.xasid);
      expect(failing.length).toBeGreaterThanOrEqual(4);
      for (const r of failing) expect([r.status, r.error]).toEqual(['Error', 'the nightly import found no file']);
      const all = await runs();
      expect(all.filter((r) => r.event === FAILING && r.xasid === idOf(b))).toEqual([]);
      expect(all.filter((r) => r.xasid === dId)).toEqual([]);
      // Both events ran on more than one instance: whichever claims a period runs it.
      expect(new Set(allTicker.map((r) => r.xasid)).size).toBeGreaterThanOrEqual(2);

      // System.ScheduledEventInformation mirrors the records.
      const info = await db.query<{ name: unknown; status: unknown; n: unknown }>(
        `SELECT ${q('name')} AS ${q('name')}, ${q('status')} AS ${q('status')}, COUNT(*) AS ${q('n')} FROM ${q('system$scheduledeventinformation')} GROUP BY ${q('name')}, ${q('status')}`,
        [],
      );
      const counted = (rows: { event: string; status: string }[]) => {
        const m: Record<string, number> = {};
        for (const r of rows) m[`${r.event} ${r.status}`] = (m[`${r.event} ${r.status}`] ?? 0) + 1;
        return m;
      };
      expect(Object.fromEntries(info.map((r) => [`${String(r.name)} ${String(r.status)}`, Number(r.n)]))).toEqual(counted(all));
    }, 150000);
  });
}
