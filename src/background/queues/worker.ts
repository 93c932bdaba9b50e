import { isPublicError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Database, IdGenerator } from '../../data/index.js';
import type { MicroflowEngine, Value } from '../../logic/index.js';
import type { RetryPolicy, SqlPort } from '../../logic/engine/ports.js';
import type { CompiledModel } from '../../model/compiled/types.js';
import type { CTaskQueue } from '../../model/compiled/task-queues.js';
import type { MxObject } from '../../objects/mx-object.js';
import { decodeArguments } from './arguments.js';
import { restoreContext } from './context.js';
import { TaskTakenError, type TaskRow, type TaskStore } from './store.js';

export interface WorkerOptions {
  readonly model: CompiledModel;
  readonly db: Database;
  readonly ids: IdGenerator;
  readonly engine: MicroflowEngine;
  readonly store: TaskStore;
  readonly log: Logger;
  readonly instanceId: string;
  /** Milliseconds between looks for due tasks when the queues are idle. */
  readonly pollMs: number;
  /** Instances not refreshed within this window are gone; undefined: a single instance without the cluster component. */
  readonly liveWindowMs: number | undefined;
  /** Milliseconds between resets of tasks that gone instances were running. */
  readonly resetEveryMs: number;
}

/** The wait before retry number `n + 1` (n retries done): fixed, or doubling from the interval up to the maximum. */
function retryDelayMs(p: RetryPolicy, n: number): number {
  if (p.backoff === 'fixed') return p.intervalMs;
  return Math.min(p.maxIntervalMs, p.intervalMs * 2 ** Math.min(n, 40));
}

/**
 * Runs the tasks of every queue of the model on this instance: per queue at
 * most its threads at a time (a cluster-scope queue: its threads shared out
 * over the live instances, rounded up). A task runs in its own transaction
 * that also records it as done, so a task whose run committed is recorded
 * exactly once; one whose instance died mid-run rolled back and is reset to
 * Idle by the next instance that looks (every `resetEveryMs`).
 */
export class QueueWorker {
  private readonly active = new Map<string, Map<bigint, Promise<void>>>();
  private readonly polling = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  /** Per running task: aborts its transaction when a stop leaves it to another instance. */
  private readonly aborts = new Map<bigint, AbortController>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private graceEnd: number | undefined;
  private lastReset = 0;
  private liveInstances = 1;
  readonly queues: readonly CTaskQueue[];

  constructor(private readonly o: WorkerOptions) {
    this.queues = [...(o.model.taskQueues?.values() ?? [])];
    for (const q of this.queues) this.active.set(q.name, new Map());
  }

  start(): void {
    if (this.queues.length === 0) return;
    const tick = () => {
      void this.tick().catch((e) => this.pollFailed(e));
    };
    this.timer = setInterval(tick, Math.max(10, this.o.pollMs));
    this.timer.unref();
    tick();
  }

  /** A database outage is logged once by the data layer (loggedOnce): not again on every poll. */
  private pollFailed(e: unknown): void {
    if (isPublicError(e) && e.loggedOnce) this.o.log.debug({ err: e }, 'task queue poll failed');
    else this.o.log.error({ err: e }, 'task queue poll failed');
  }

  /** Tasks running on this instance now, per queue. */
  running(): Record<string, number> {
    return Object.fromEntries([...this.active].map(([q, m]) => [q, m.size]));
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    if (this.o.liveWindowMs !== undefined && Date.now() - this.lastReset >= this.o.resetEveryMs) {
      this.lastReset = Date.now();
      const n = await this.o.store.resetAbandoned(this.o.db, this.o.liveWindowMs);
      if (n > 0) this.o.log.warn({ tasks: n }, `${n} task(s) of an instance that stopped (heartbeat expired) were aborted; reset to run again`);
      if (this.queues.some((q) => q.scope === 'cluster')) this.liveInstances = await this.o.store.liveInstances(this.o.db, this.o.liveWindowMs);
    }
    await Promise.all(this.queues.map((q) => this.poll(q)));
  }

  /** Claims as many due tasks as the queue has free threads here; one poll per queue at a time (a request meanwhile polls again after). */
  private poll(q: CTaskQueue): Promise<void> {
    const inFlight = this.polling.get(q.name);
    if (inFlight) {
      this.again.add(q.name);
      return inFlight;
    }
    const p = (async () => {
      // Yield first: an early return must not clear `polling` before it is set below.
      await Promise.resolve();
      try {
        do {
          this.again.delete(q.name);
          if (this.stopped) return;
          const limit = q.scope === 'cluster' ? Math.ceil(q.threads / this.liveInstances) : q.threads;
          const running = this.active.get(q.name)!;
          const free = limit - running.size;
          if (free <= 0) return;
          const tasks = await this.o.store.claim(this.o.db, q.name, this.o.instanceId, free, new Date());
          for (const t of tasks) {
            const run = this.run(t).finally(() => {
              running.delete(t.id);
              if (!this.stopped) void this.poll(q).catch((e) => this.pollFailed(e));
            });
            running.set(t.id, run);
          }
          // A full claim may leave more due: look again at once.
          if (tasks.length === free) this.again.add(q.name);
        } while (this.again.has(q.name));
      } finally {
        this.polling.delete(q.name);
      }
    })();
    this.polling.set(q.name, p);
    return p;
  }

  /** Runs one task: its microflow and its record in one transaction; a failure is retried as configured or recorded as Failed. */
  private async run(task: TaskRow): Promise<void> {
    const { db, engine, store, ids, log, instanceId } = this.o;
    const started = new Date();
    const abort = new AbortController();
    this.aborts.set(task.id, abort);
    try {
      const mf = engine.microflow(task.microflow);
      if (!mf) throw new Error(`the microflow ${task.microflow} does not exist in this model`);
      const user = restoreContext(this.o.model, task.contextType, task.contextData);
      await db.transaction(
        async (tx) => {
          const sql = tx as unknown as SqlPort;
          const args = decodeArguments(task.arguments, mf.parameters);
          const params: Record<string, Value> = { ...args.values };
          const objects: MxObject[] = [];
          for (const [name, { ids: wanted, list }] of args.objects) {
            const found = await this.load(sql, wanted);
            if (found.length !== wanted.length)
              throw new Error(
                `argument ${name} of ${task.microflow}: ${wanted.length - found.length} of its objects no longer exist(s) (deleted after the task was queued)`,
              );
            params[name] = list ? found : found[0]!;
            objects.push(...found);
          }
          await engine.runMicroflow(task.microflow, params, user, sql, objects);
          await store.finish(tx, ids, task, instanceId, { status: 'Completed', started, finished: new Date() });
        },
        { signal: abort.signal },
      );
      log.debug({ task: task.id.toString(), queue: task.queueName, microflow: task.microflow, ms: Date.now() - started.getTime() }, 'task completed');
    } catch (e) {
      if (e instanceof TaskTakenError) {
        log.warn({ task: task.id.toString(), queue: task.queueName }, e.message);
        return;
      }
      // Left to another instance by a stop: rolled back, already reset.
      if (abort.signal.aborted) return;
      await this.failed(task, started, e instanceof Error ? e.message : String(e));
    } finally {
      this.aborts.delete(task.id);
    }
  }

  private async failed(task: TaskRow, started: Date, error: string): Promise<void> {
    const { db, store, ids, log, instanceId } = this.o;
    const fields = { task: task.id.toString(), queue: task.queueName, microflow: task.microflow, retried: task.retried, error };
    try {
      if (task.retry && task.retried < task.retry.attempts) {
        const wait = retryDelayMs(task.retry, task.retried);
        if (await store.retryLater(db, task, instanceId, new Date(Date.now() + wait), error))
          log.warn(
            { ...fields, retryInMs: wait },
            `task ${task.microflow} failed (${error}); retry ${task.retried + 1} of ${task.retry.attempts} in ${wait} ms`,
          );
        return;
      }
      await db.transaction((tx) => store.finish(tx, ids, task, instanceId, { status: 'Failed', started, finished: new Date(), error }));
      log.error(fields, `task ${task.microflow} in ${task.queueName} failed: ${error}`);
    } catch (e) {
      if (e instanceof TaskTakenError) log.warn(fields, e.message);
      else log.error({ ...fields, err: e }, 'could not record a failed task; it is reset when this instance stops or dies');
    }
  }

  /** The objects with these ids, in their order (each id's entity from its short id). */
  private async load(sql: SqlPort, wanted: readonly bigint[]): Promise<MxObject[]> {
    const byEntity = new Map<string, bigint[]>();
    for (const id of wanted) {
      const e = this.o.engine.data.entityOf(id);
      if (e) (byEntity.get(e) ?? byEntity.set(e, []).get(e)!).push(id);
    }
    const found = new Map<bigint, MxObject>();
    for (const [e, list] of byEntity) for (const o of await this.o.engine.data.retrieveByIds(sql, e, list)) found.set(o.id, o);
    return wanted.map((id) => found.get(id)).filter((o): o is MxObject => o !== undefined);
  }

  /**
   * The stop begins (the server stops accepting): no new task is claimed, and
   * the grace period for the running ones starts now, not after the requests
   * in flight have drained.
   */
  stopIntake(graceMs: number): void {
    if (this.stopped) return;
    this.stopped = true;
    this.graceEnd = Date.now() + graceMs;
    if (this.timer) clearInterval(this.timer);
  }

  /**
   * Graceful stop: takes no new task, waits for the running ones until the
   * grace period (begun by stopIntake, or now) ends, then leaves those still
   * running to be picked up again: reset to Idle, their transactions rolled back.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopIntake(graceMs);
    graceMs = Math.max(0, (this.graceEnd ?? Date.now()) - Date.now());
    await Promise.all([...this.polling.values()]).catch(() => undefined);
    const running = [...this.active.values()].flatMap((m) => [...m.values()]);
    if (running.length === 0) return;
    this.o.log.info({ tasks: running.length, graceMs }, `waiting up to ${graceMs} ms for ${running.length} running task(s)`);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(running), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    const left = [...this.active.values()].flatMap((m) => [...m.keys()]);
    if (left.length === 0) return;
    const n = await this.o.store.resetAbandoned(this.o.db, 0, { instance: this.o.instanceId, ids: left });
    this.o.log.warn({ tasks: n }, `${n} task(s) still running after the grace period: left to be picked up again`);
    // Their transactions roll back now (they could no longer record the tasks as done anyway), so the database connections close.
    for (const id of left) this.aborts.get(id)?.abort(new Error('the instance is stopping: the task was left to another instance'));
  }
}
