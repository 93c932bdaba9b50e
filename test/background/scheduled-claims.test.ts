import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger.js';
import { openDatabase, type Database } from '../../src/data/index.js';
import { ScheduledEventStore } from '../../src/background/scheduled/store.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';

/**
 * The claim of a period on the real databases: three instances (three
 * connection pools) claim the same 100 periods at the same moment; each
 * period has exactly one winner, and no claim fails with an error (a lost
 * race is an answer, not a failure).
 */
for (const dialect of ['postgres', 'mysql'] as const) {
  describe(`claiming scheduled-event periods on ${dialect}`, () => {
    let t: TestDatabase;
    let dbs: Database[] = [];
    beforeAll(async () => {
      t = await freshDatabase(dialect);
      dbs = await Promise.all([1, 2, 3].map(() => openDatabase(t.url, { log: createLogger('silent'), poolSize: 2 })));
    }, 30000);
    afterAll(async () => {
      for (const db of dbs) await db.close();
      await t?.drop();
    });

    it('gives each period to exactly one of three racing instances', async () => {
      const stores = dbs.map((db) => new ScheduledEventStore(db, undefined, undefined));
      await Promise.all(stores.map((s) => s.setup()));
      const winners: number[] = [];
      for (let p = 0; p < 100; p++) {
        const won = await Promise.all(stores.map((s, i) => s.claim('Ops.Nightly', p * 1000, `instance-${i}`, 'Running', Date.now())));
        winners.push(won.filter(Boolean).length);
      }
      expect(winners).toEqual(winners.map(() => 1));
      const rows = await dbs[0]!.query<{ n: unknown }>(
        `SELECT COUNT(*) AS n FROM ${dialect === 'mysql' ? '`kiln$scheduledeventrun`' : '"kiln$scheduledeventrun"'}`,
        [],
      );
      expect(Number(rows[0]!.n)).toBe(100);
    }, 60000);
  });
}
