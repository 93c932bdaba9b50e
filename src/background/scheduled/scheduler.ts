import type { Logger } from '../../core/logger.js';
import type { Database, Transaction } from '../../data/index.js';
import type { CScheduledEvent } from '../../model/compiled/scheduled-events.js';
import type { UserContext } from '../../security/user-context.js';
import { periodIndexAt, periodStart } from './periods.js';
import type { ScheduledEventStore } from './store.js';

/** What the scheduler needs of the rest of the runtime. */
export interface SchedulerDeps {
  readonly db: Database;
  readonly store: ScheduledEventStore;
  /** Runs the event's microflow in the given transaction (the microflow engine, with the system context). */
  readonly run: (microflow: string, user: UserContext, tx: Transaction) => Promise<unknown>;
  readonly user: UserContext;
  readonly instanceId: string;
  /**
   * Whether a run of the event (other than `period`) is still running on a
   * live instance of the cluster; undefined without a cluster (one instance:
   * only its own runs count).
   */
  readonly runningElsewhere: ((event: string, period: number) => Promise<boolean>) | undefined;
  readonly log: Logger;
  /** How often a delayed period looks again whether the previous run has ended. */
  readonly pollMs: number;
  /** Called when a run starts: its delay after the period's due time (for the metrics and the bench). */
  readonly onStart?: (event: string, delayMs: number) => void;
}

/** The microflow's transaction saw its run marked Stopped meanwhile (this instance had been cut off): its work is rolled back. */
class RunTakenAway extends Error {}

/**
 * Runs this instance's share of the scheduled events: one loop per event
 * sleeps until the next period is due, then claims the period in the database
 * (the claim's primary key lets one instance of the cluster have it) and runs
 * the microflow in a transaction that also records its completion. Overlap
 * skip: a period that finds the previous run still going (on any live
 * instance) is recorded Skipped. Overlap delay: it waits for that run to end,
 * and the periods after it follow in order (the schedule drifts, as in Mendix).
 */
export class Scheduler {
  private stopped = false;
  private readonly wakers = new Set<() => void>();
  private readonly loops: Promise<void>[] = [];
  private readonly running = new Map<string, Promise<void>>();

  constructor(private readonly deps: SchedulerDeps) {}

  start(events: readonly CScheduledEvent[]): void {
    for (const ev of events) this.loops.push(this.loop(ev));
  }

  /** Stops taking periods and waits for the runs in progress (the runtime aborts their transactions after ShutdownTimeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of [...this.wakers]) w();
    await Promise.allSettled(this.loops);
    await Promise.allSettled([...this.running.values()]);
  }

  private async loop(ev: CScheduledEvent): Promise<void> {
    // A period already under way when the instance starts belongs to the instances that were running then.
    let k = periodIndexAt(ev, Date.now()) + 1;
    while (!this.stopped) {
      await this.sleepUntil(periodStart(ev, k));
      if (this.stopped) return;
      if (ev.overlap === 'skip') {
        // Periods this instance slept through (its event loop was blocked): the other instances had them.
        k = Math.max(k, periodIndexAt(ev, Date.now()));
      }
      try {
        await this.period(ev, periodStart(ev, k));
      } catch (e) {
        this.deps.log.error({ err: e, event: ev.name }, `scheduled event ${ev.name}: the period could not be claimed`);
      }
      k++;
    }
  }

  private async busy(ev: CScheduledEvent, period: number): Promise<boolean> {
    if (this.running.has(ev.name)) return true;
    return (await this.deps.runningElsewhere?.(ev.name, period)) ?? false;
  }

  private async period(ev: CScheduledEvent, period: number): Promise<void> {
    const { store, instanceId, log } = this.deps;
    if (ev.overlap === 'skip') {
      if (await this.busy(ev, period)) {
        if (await store.claim(ev.name, period, instanceId, 'Skipped', Date.now(), 'the previous run was still running (overlap: skip)'))
          log.info({ event: ev.name, period: new Date(period).toISOString() }, `scheduled event ${ev.name}: period skipped, the previous run is still running`);
        return;
      }
    } else {
      while (!this.stopped && (await this.busy(ev, period))) await this.sleepUntil(Date.now() + this.deps.pollMs);
      if (this.stopped) return;
    }
    const started = Date.now();
    if (!(await store.claim(ev.name, period, instanceId, 'Running', started))) return;
    this.deps.onStart?.(ev.name, started - period);
    const run = this.execute(ev, period, started).finally(() => this.running.delete(ev.name));
    this.running.set(ev.name, run);
    // Delay: the next period waits for this run anyway; skip: the loop goes on and records the periods it overlaps.
    if (ev.overlap === 'delay') await run;
  }

  private async execute(ev: CScheduledEvent, period: number, started: number): Promise<void> {
    const { db, store, log } = this.deps;
    const at = new Date(period).toISOString();
    try {
      await db.transaction(async (tx) => {
        await this.deps.run(ev.microflow, this.deps.user, tx);
        if (!(await store.finish(tx, ev.name, period, 'Completed', Date.now()))) throw new RunTakenAway();
      });
      log.info({ event: ev.name, period: at, ms: Date.now() - started }, `scheduled event ${ev.name} completed`);
    } catch (e) {
      if (e instanceof RunTakenAway) {
        log.warn(
          { event: ev.name, period: at },
          `scheduled event ${ev.name}: the run was marked Stopped while it ran (this instance had expired); rolled back`,
        );
        return;
      }
      const message = e instanceof Error ? e.message : String(e);
      log.error({ err: e, event: ev.name, period: at }, `scheduled event ${ev.name} failed: ${message}`);
      await store.finish(db, ev.name, period, 'Error', Date.now(), message).catch((e2) => log.error({ err: e2 }, 'recording the failed run failed'));
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
        // setTimeout may fire a millisecond early: look again rather than run a period before it is due.
        else {
          timer = setTimeout(wait, Math.min(left, 2 ** 31 - 1));
          timer.unref();
        }
      };
      wait();
    });
  }
}
