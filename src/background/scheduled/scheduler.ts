import type { Logger } from '../../core/logger.js';
import type { Database, Transaction } from '../../data/index.js';
import type { ExclusivePort } from '../../logic/engine/ports.js';
import type { CScheduledEvent } from '../../model/compiled/scheduled-events.js';
import type { UserContext } from '../../security/user-context.js';
import { periodIndexAt, periodStart } from './periods.js';
import type { ScheduledEventStore } from './store.js';

/** What the scheduler needs of the rest of the runtime. */
export interface SchedulerDeps {
  readonly db: Database;
  readonly store: ScheduledEventStore;
  /** Runs the event's microflow in the given transaction (the microflow engine). */
  readonly run: (microflow: string, user: UserContext, tx: Transaction) => Promise<unknown>;
  /** The system context: full rights, as Mendix runs scheduled events. */
  readonly user: UserContext;
  /**
   * The lock an event's run holds in its transaction, across the cluster
   * (PostgreSQL advisory lock, MariaDB GET_LOCK, in-process on SQLite): the
   * database releases it the moment the holder's connection ends, so an
   * instance that dies mid-run frees the event for the next period at once.
   */
  readonly exclusive: ExclusivePort;
  readonly instanceId: string;
  readonly log: Logger;
  /** How often a delayed period tries again whether the previous run has ended. */
  readonly pollMs: number;
}

/** Periods recorded Skipped after one long run, at most (an event of seconds that ran for a day would otherwise write 86,400). */
const MAX_SKIPPED_RECORDS = 1000;

const OVERLAPPED = 'the previous run was still running (overlap: skip)';
const LATE = 'no instance started it within its period (the instances were busy or late)';

/** The run's record was marked Stopped while it ran (this instance had been cut off and expired): its work is rolled back. */
class RunTakenAway extends Error {}

/**
 * Runs this instance's share of the scheduled events. One loop per event
 * sleeps until the next period is due; then, in one transaction, it takes the
 * event's lock without waiting, claims the period (the claim's primary key
 * admits one instance), runs the microflow and records it Completed; a
 * failure rolls the work back and is recorded as Error. An instance that finds
 * the lock held does nothing for that period: either another instance is
 * taking the same period, or a run of an earlier period is still going, and
 * then the overlap rule applies: skip (the default) — the running instance
 * records the periods that fell due during its run as Skipped when it ends;
 * delay — every instance keeps trying until the lock is free, so the period
 * runs late and the ones after it follow in order (the schedule drifts, as in
 * Mendix).
 */
export class Scheduler {
  private stopped = false;
  /** Aborts the runs' transactions when a stop has waited its grace period for them. */
  private readonly abort = new AbortController();
  private readonly wakers = new Set<() => void>();
  private readonly loops: Promise<void>[] = [];

  constructor(private readonly deps: SchedulerDeps) {}

  start(events: readonly CScheduledEvent[]): void {
    for (const ev of events) this.loops.push(this.loop(ev));
  }

  /**
   * Stops taking periods and waits up to `graceMs` for the runs in progress;
   * then their transactions are rolled back and the runs recorded Stopped.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    for (const w of [...this.wakers]) w();
    const all = Promise.allSettled(this.loops);
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([all.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs)))]);
    clearTimeout(timer);
    if (!late) return;
    this.deps.log.warn({ graceMs }, 'scheduled events still running at shut-down after the grace period: rolling them back');
    this.abort.abort(new Error('the instance stopped during the run; its work was rolled back'));
    // A microflow notices at its next statement; one busy elsewhere (an action that waits) is not waited for long.
    await Promise.race([all, new Promise((r) => setTimeout(r, 2000).unref())]);
  }

  private async loop(ev: CScheduledEvent): Promise<void> {
    // A period already under way when the instance starts belongs to the instances that were running then.
    let k = periodIndexAt(ev, Date.now()) + 1;
    while (!this.stopped) {
      await this.sleepUntil(periodStart(ev, k));
      if (this.stopped) return;
      try {
        if (ev.overlap === 'skip') {
          // Periods this instance slept through (its event loop was blocked): recorded Skipped unless another instance took them.
          const cur = periodIndexAt(ev, Date.now());
          if (cur > k) await this.recordSkipped(ev, k - 1, cur - 1, LATE);
          k = Math.max(k, cur);
        }
        const ran = await this.period(ev, k);
        if (ran && ev.overlap === 'skip') {
          const last = periodIndexAt(ev, Date.now());
          await this.recordSkipped(ev, k, last, OVERLAPPED);
          k = Math.max(k, last);
        }
      } catch (e) {
        this.deps.log.error({ err: e, event: ev.name }, `scheduled event ${ev.name}: the period could not be handled`);
      }
      k++;
    }
  }

  /** Whether this instance ran period k (Completed or Error). */
  private async period(ev: CScheduledEvent, k: number): Promise<boolean> {
    for (;;) {
      const outcome = await this.attempt(ev, periodStart(ev, k));
      if (outcome !== 'busy') return outcome === 'ran';
      if (ev.overlap === 'skip' || this.stopped) return false;
      await this.sleepUntil(Date.now() + this.deps.pollMs);
    }
  }

  private async attempt(ev: CScheduledEvent, period: number): Promise<'ran' | 'taken' | 'busy'> {
    const { db, store, log, instanceId } = this.deps;
    const at = new Date(period).toISOString();
    let outcome = 'busy' as 'ran' | 'taken' | 'busy';
    let started = 0;
    const name = `scheduled-event:${ev.name}`;
    const claim = async (): Promise<boolean> => {
      started = Date.now();
      outcome = (await store.claim(ev.name, period, instanceId, 'Running', started)) ? 'ran' : 'taken';
      return outcome === 'ran';
    };
    const runIn = async (tx: Transaction): Promise<void> => {
      await this.deps.run(ev.microflow, this.deps.user, tx);
      if (!(await store.finish(tx, ev.name, period, 'Completed', Date.now()))) throw new RunTakenAway();
    };
    const signal = this.abort.signal;
    try {
      if (db.dialect.singleConnection) {
        // One connection (SQLite, one instance): the lock is the process's, and the claim commits before the run, so the record shows Running meanwhile.
        const release = await this.deps.exclusive.tryLock(name, undefined);
        if (release) {
          try {
            if (await claim()) await db.transaction(runIn, { signal });
          } finally {
            await release();
          }
        }
      } else {
        await db.transaction(
          async (tx) => {
            const release = await this.deps.exclusive.tryLock(name, tx);
            if (!release) return;
            try {
              if (await claim()) await runIn(tx);
            } finally {
              await release();
            }
          },
          { signal },
        );
      }
      if (outcome === 'ran') log.info({ event: ev.name, period: at, ms: Date.now() - started }, `scheduled event ${ev.name} completed`);
    } catch (e) {
      if (outcome !== 'ran') throw e;
      if (e instanceof RunTakenAway) {
        log.warn(
          { event: ev.name, period: at },
          `scheduled event ${ev.name}: the run was marked Stopped while it ran (this instance had expired); rolled back`,
        );
        return outcome;
      }
      if (this.abort.signal.aborted) {
        const why = 'the instance stopped during the run (shut-down grace period over); its work was rolled back';
        log.warn({ event: ev.name, period: at }, `scheduled event ${ev.name}: ${why}`);
        await db
          .transaction((tx) => store.finish(tx, ev.name, period, 'Stopped', Date.now(), why))
          .catch((e2) => log.error({ err: e2 }, 'recording the stopped run failed'));
        return outcome;
      }
      const message = e instanceof Error ? e.message : String(e);
      log.error({ err: e, event: ev.name, period: at }, `scheduled event ${ev.name} failed: ${message}`);
      try {
        // Should the claim have gone with the rolled-back run, the failure is claimed again, as Error.
        // One transaction: the claim row and System.ScheduledEventInformation change together (a kill between them would part them).
        if (!(await db.transaction((tx) => store.finish(tx, ev.name, period, 'Error', Date.now(), message))))
          await store.claim(ev.name, period, instanceId, 'Error', started, message);
      } catch (e2) {
        log.error({ err: e2 }, 'recording the failed run failed');
      }
    }
    return outcome;
  }

  /** Records the periods after `k` up to `last` as Skipped (those another instance took keep their record). */
  private async recordSkipped(ev: CScheduledEvent, k: number, last: number, why: string): Promise<void> {
    const { store, instanceId, log } = this.deps;
    for (let j = k + 1; j <= Math.min(last, k + MAX_SKIPPED_RECORDS); j++) {
      const period = periodStart(ev, j);
      if (await store.claim(ev.name, period, instanceId, 'Skipped', Date.now(), why))
        log.info({ event: ev.name, period: new Date(period).toISOString() }, `scheduled event ${ev.name}: period skipped, ${why}`);
    }
  }

  /** Sleeps until the time (epoch ms) or until stop. */
  private sleepUntil(t: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      this.wakers.add(done);
      const wait = () => {
        const left = t - Date.now();
        if (left <= 0 || this.stopped) done();
        else {
          // setTimeout may fire a millisecond early: look again rather than start a period before it is due.
          timer = setTimeout(wait, Math.min(left, 2 ** 31 - 1));
          timer.unref();
        }
      };
      wait();
    });
  }
}
