import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/data/index.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { startApp, type TestRuntime } from '../security/harness.js';
import { scheduledApp } from './app.js';

/**
 * Overlap and retention with one in-process instance: a 1-second event whose
 * microflow takes 1.3 s. Skip: the periods that fall due during a run are
 * recorded Skipped and runs never overlap; delay: every period runs, each
 * after the previous one ended, later and later. Old records are deleted by
 * the leader after ScheduledEventRecordRetention.
 */
const ONLY_TICKER = { ScheduledEventExecution: 'SPECIFIED', MyScheduledEvents: 'MyFirstModule.Ticker', ClusterManagerActionInterval: 500, LogLevel: 'warn' };

interface Run {
  period: number;
  status: string;
  started: number;
  ended: number;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`scheduled-event overlap on ${dialect}`, () => {
    let tdb: TestDatabase | undefined;
    let rt: TestRuntime | undefined;
    let app: { dir: string; remove(): void } | undefined;
    afterEach(async () => {
      await rt?.stop();
      await tdb?.drop();
      app?.remove();
    });
    const start = async (overlap: 'skip' | 'delay', settings: Record<string, unknown> = {}) => {
      tdb = await freshDatabase(dialect);
      app = scheduledApp({ tickMs: 1300, overlap });
      rt = await startApp(app.dir, tdb.url, { ...ONLY_TICKER, ...settings });
      return rt.rt.ctx.services.require('db') as Database;
    };
    const q = (db: Database, n: string) => (db.dialect.name === 'mysql' ? `\`${n}\`` : `"${n}"`);
    const runs = async (db: Database): Promise<Run[]> =>
      (await db.query<Record<string, unknown>>(`SELECT * FROM ${q(db, 'kiln$scheduledeventrun')} ORDER BY ${q(db, 'periodstart')}`, [])).map((r) => ({
        period: Number(r.periodstart),
        status: String(r.status),
        started: Number(r.started),
        ended: Number(r.ended),
      }));

    it('skip: periods that fall due during a run are recorded Skipped, runs never overlap', async () => {
      await start('skip');
      await sleep(6500);
      await rt!.stop();
      rt = undefined;
      const db = await reopen(tdb!);
      const rs = await runs(db);
      await db.close();
      for (let i = 1; i < rs.length; i++) expect(rs[i]!.period - rs[i - 1]!.period).toBe(1000);
      const completed = rs.filter((r) => r.status === 'Completed');
      expect(completed.length).toBeGreaterThanOrEqual(2);
      expect(rs.filter((r) => r.status === 'Skipped').length).toBeGreaterThanOrEqual(2);
      for (let i = 1; i < completed.length; i++) expect(completed[i]!.started).toBeGreaterThanOrEqual(completed[i - 1]!.ended);
      // Each period that fell due while a run was going is the one recorded Skipped.
      for (const r of rs.filter((x) => x.status === 'Skipped')) expect(completed.some((c) => c.period < r.period && c.ended > r.period)).toBe(true);
    }, 60000);

    it('delay: every period runs, each after the previous one ended, drifting later', async () => {
      await start('delay');
      await sleep(6500);
      await rt!.stop();
      rt = undefined;
      const db = await reopen(tdb!);
      const rs = await runs(db);
      await db.close();
      expect(rs.length).toBeGreaterThanOrEqual(4);
      for (let i = 1; i < rs.length; i++) expect(rs[i]!.period - rs[i - 1]!.period).toBe(1000);
      expect(rs.map((r) => `${r.status} ${r.period}`)).toEqual(rs.map((r) => `Completed ${r.period}`));
      for (let i = 1; i < rs.length; i++) expect(rs[i]!.started).toBeGreaterThanOrEqual(rs[i - 1]!.ended);
      const delay = (r: Run) => r.started - r.period;
      expect(delay(rs.at(-1)!) - delay(rs[0]!)).toBeGreaterThan(600);
    }, 60000);

    it('a failing microflow is recorded Error with its message every period, its work rolled back', async () => {
      await start('skip', { MyScheduledEvents: 'MyFirstModule.Failing' });
      await sleep(3500);
      await rt!.stop();
      rt = undefined;
      const db = await reopen(tdb!);
      const rows = await db.query<Record<string, unknown>>(`SELECT * FROM ${q(db, 'kiln$scheduledeventrun')}`, []);
      const info = await db.query<Record<string, unknown>>(`SELECT * FROM ${q(db, 'system$scheduledeventinformation')}`, []);
      const ticks = await db.query<{ n: unknown }>(`SELECT COUNT(*) AS ${q(db, 'n')} FROM ${q(db, 'myfirstmodule$tick')}`, []);
      await db.close();
      expect(rows.length).toBeGreaterThanOrEqual(2);
      for (const r of rows) expect([r.event, r.status, r.error]).toEqual(['MyFirstModule.Failing', 'Error', 'the nightly import found no file']);
      expect(info.map((r) => [r.status, r.description])).toEqual(rows.map(() => ['Error', 'the nightly import found no file']));
      expect(Number(ticks[0]!.n)).toBe(0);
    }, 60000);

    it('a stop waits ShutdownTimeout for a run, then rolls it back and records it Stopped', async () => {
      // Delay: runs of 1.3 s back to back, so a run is under way whenever the stop comes.
      const db = await start('delay', { ShutdownTimeout: 200 });
      const end = Date.now() + 15000;
      while (Date.now() < end && (await runs(db)).every((r) => r.status !== 'Completed')) await sleep(50);
      await sleep(500);
      const t0 = Date.now();
      await rt!.stop();
      rt = undefined;
      expect(Date.now() - t0).toBeLessThan(3500);
      const again = await reopen(tdb!);
      const rs = (await again.query<Record<string, unknown>>(`SELECT * FROM ${q(again, 'kiln$scheduledeventrun')}`, [])).map((r) => ({
        status: String(r.status),
        error: String(r.error),
      }));
      const ticks = await again.query<{ n: unknown }>(`SELECT COUNT(*) AS ${q(again, 'n')} FROM ${q(again, 'myfirstmodule$tick')}`, []);
      await again.close();
      expect(rs.filter((r) => r.status === 'Stopped').map((r) => r.error)).toEqual([
        'the instance stopped during the run (shut-down grace period over); its work was rolled back',
      ]);
      expect(Number(ticks[0]!.n)).toBe(rs.filter((r) => r.status === 'Completed').length);
    }, 60000);

    it('the leader deletes records older than ScheduledEventRecordRetention, in both tables', async () => {
      await start('skip', { ScheduledEventRecordRetention: 2000 });
      await sleep(6000);
      // The leader's task runs every 500 ms: nothing older than the retention plus that and a run survives it.
      const cutoff = Date.now() - 2000 - 1500;
      await rt!.stop();
      rt = undefined;
      const db = await reopen(tdb!);
      const rs = await runs(db);
      expect(rs.length).toBeGreaterThanOrEqual(1);
      expect(rs.filter((r) => r.started < cutoff)).toEqual([]);
      const info = await db.query<{ n: unknown }>(`SELECT COUNT(*) AS ${q(db, 'n')} FROM ${q(db, 'system$scheduledeventinformation')}`, []);
      expect(Number(info[0]!.n)).toBe(rs.length);
      await db.close();
    }, 60000);
  });
}

/** The SQLite database after the runtime closed it. */
async function reopen(t: TestDatabase): Promise<Database> {
  const { openDatabase } = await import('../../src/data/index.js');
  const { createLogger } = await import('../../src/core/logger.js');
  return openDatabase(t.url, { log: createLogger('silent'), poolSize: 1 });
}
