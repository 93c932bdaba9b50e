import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { RuntimeComponent, RuntimeContext } from '../core/runtime-context.js';
import { UserError } from '../model/diagnostics.js';
import { clusterInterval, contractSchema, liveInstanceWindowMs, schemaFingerprint, type Database, type Transaction } from '../data/index.js';
import { openContext } from '../security/contexts.js';
import type { UserContext } from '../security/user-context.js';
import { ClusterStore } from './store.js';
import { LOG_NODES } from '../core/log-node-names.js';

/** What other components (and tests) see of the cluster: service `cluster`. */
export interface ClusterService {
  /** This instance's id (its `system$xasinstance` row). */
  readonly instanceId: string;
  /** The model version this instance runs: the schema fingerprint schema synchronisation records in mendixsystem$modelhistory. */
  readonly modelVersion: string;
  /** Whether this instance holds the leader lease (as of its last look). */
  isLeader(): boolean;
  /** The current lease term this instance holds, or undefined. */
  term(): number | undefined;
  /** Runs one round of the leader tasks now (when leader); what they did, or undefined when not leader. */
  runLeaderTasks(): Promise<LeaderReport | undefined>;
  /** Looks at the lease now (acquire or renew). */
  tick(): Promise<void>;
  /** Adds a task the leader runs every interval after the built-in ones, fenced like them (in the transaction that holds the lease row). */
  addLeaderTask(name: string, task: (tx: Transaction) => Promise<void>): void;
}

export interface LeaderReport {
  sessions?: { expired: number; disabled: number; anonymousUsers: number; unblocked: number };
  expiredInstances: string[];
  sessionsCleared?: number;
  idempotencyKeysExpired?: number;
  filesCleanedUp?: boolean;
  /** Columns and tables pending removal dropped now that no live instance needs them. */
  contracted?: string[];
}

declare module '../core/services.js' {
  interface Services {
    cluster: ClusterService;
  }
}

/** A leader task: runs in the transaction that holds the lease row (fenced on the term). */
type LeaderTask = (tx: Transaction, report: LeaderReport) => Promise<void>;

/**
 * Instances, the leader and its tasks, the after-startup and before-shutdown
 * microflows. Starts last (the after-startup microflow may use everything),
 * stops first (the before-shutdown microflow too).
 *
 * Every instance registers in `system$xasinstance` and refreshes it every
 * ClusterManagerActionInterval. The leader holds a lease row in `kiln$cluster`
 * (holder, term, expiry in the database's clock) for one interval and renews it
 * every quarter interval; an instance that finds it free or expired takes it
 * with the next term, so a dead leader is replaced within 1.25 intervals, a
 * stopped one (which gives the lease up) within a quarter. Each leader task
 * runs in a transaction whose first statement renews the lease on condition
 * of holder and term: the row stays locked until the task commits, so no other
 * instance can become leader while a task runs, and a leader that has lost the
 * lease runs nothing.
 */
export function clusterComponent(): RuntimeComponent {
  let svc: ClusterService | undefined;
  let stopTimers: (() => Promise<void>) | undefined;
  let shutdown: ((ctx: RuntimeContext) => Promise<void>) | undefined;
  let leader = false;
  /** performance.now() until which the lease is surely held (a leader cut off from the database stops claiming it). */
  let leaseUntil = 0;
  const leads = () => leader && performance.now() < leaseUntil;
  const instanceId = randomUUID();
  return {
    name: 'cluster',
    async start(ctx) {
      const log = ctx.log.child({ node: LOG_NODES.systemTask });
      const db: Database = ctx.services.require('db');
      const store = new ClusterStore(db, ctx.services.require('ids'));
      const settings = ctx.settings;
      const interval = clusterInterval(settings);
      const follower = settings.get('IsClusterSlave') ?? false;
      const clearSessionsOnNewModel = settings.get('ClearSessionsOnNewModel') ?? true;
      const ttl = interval;
      const modelVersion = schemaFingerprint(ctx.model);
      const address = `${hostname()}:${settings.get('Port') ?? 8080} pid ${process.pid}`;
      await store.setup();
      await store.register(instanceId, address, modelVersion);
      log.info({ instance: instanceId, modelVersion, follower }, 'instance registered');

      let term: number | undefined;
      const lost = (why: string) => {
        if (leader) log.warn({ instance: instanceId, term }, `lost the cluster leadership (${why})`);
        leader = false;
        term = undefined;
      };
      const tick = async () => {
        if (follower) return;
        // The lease counts from before the statement was sent: this instance never believes it longer than the database does.
        const sent = performance.now();
        if (leader && term !== undefined) {
          if (!(await store.renew(db, instanceId, term, ttl))) lost('the lease was taken by another instance');
          else leaseUntil = sent + ttl;
          return;
        }
        const t = await store.acquire(instanceId, ttl);
        if (t !== undefined) {
          leader = true;
          leaseUntil = sent + ttl;
          term = t;
          log.info({ instance: instanceId, term }, `this instance is now the cluster leader (term ${t})`);
        }
      };

      const session = ctx.model.entities.get('System.Session');
      const link = ctx.model.associations.get('System.Session_User');
      // The files' clean-up lists the whole store: at most every FileCleanupInterval, not every round.
      const fileCleanupEvery = ctx.settings.get('FileCleanupInterval') ?? 3600000;
      let lastFileCleanup = 0;
      const tasks: [string, LeaderTask][] = [
        [
          'expired idempotency keys',
          async (_tx, report) => {
            const keys = ctx.services.get('idempotency');
            if (keys) report.idempotencyKeysExpired = await keys.cleanUp();
          },
        ],
        [
          'unreferenced files',
          async (_tx, report) => {
            const files = ctx.services.get('files');
            if (!files || fileCleanupEvery <= 0 || Date.now() - lastFileCleanup < fileCleanupEvery) return;
            lastFileCleanup = Date.now();
            await files.cleanup();
            report.filesCleanedUp = true;
          },
        ],
        [
          'session clean-up',
          async (_tx, report) => {
            const sessions = ctx.services.get('sessions');
            if (sessions) report.sessions = await sessions.cleanup();
          },
        ],
        [
          'expired instances',
          async (tx, report) => {
            report.expiredInstances = await store.removeExpired(tx, liveInstanceWindowMs(settings));
            for (const id of report.expiredInstances) log.warn({ instance: id }, `instance ${id} stopped refreshing and expired; removed`);
          },
        ],
        [
          'sessions after a new model',
          async (tx, report) => {
            if (!session || !link || !clearSessionsOnNewModel) return;
            const versions = new Set((await store.instances(tx)).map((i) => i.modelVersion).filter((v) => v !== ''));
            versions.add(modelVersion);
            let changed = false;
            // Each model version seen for the first time (a deploy): recorded once, by whichever leader sees it.
            for (const v of versions) if (await store.insertIgnoringDuplicate(tx, `model:${v}`)) changed = true;
            if (!changed) return;
            report.sessionsCleared = await store.clearSessions(tx, session.table, link.table);
            log.info({ cleared: report.sessionsCleared }, 'a new model version was deployed: all sessions cleared');
          },
        ],
        [
          // Expand/contract: columns and tables a newer model removed, dropped once no live instance runs an older model.
          'schema contraction',
          async (tx, report) => {
            report.contracted = await contractSchema(tx, db.kysely, liveInstanceWindowMs(settings), log);
          },
        ],
      ];
      const runLeaderTasks = async (): Promise<LeaderReport | undefined> => {
        if (!leader || term === undefined) return undefined;
        const report: LeaderReport = { expiredInstances: [] };
        for (const [what, task] of tasks) {
          const held = term;
          if (held === undefined) return undefined;
          try {
            const ran = await db.transaction(async (tx) => {
              const sent = performance.now();
              if (!(await store.renew(tx, instanceId, held, ttl))) return false;
              leaseUntil = sent + ttl;
              await task(tx, report);
              return true;
            });
            if (!ran) {
              lost('the lease was not held for a leader task');
              return undefined;
            }
          } catch (e) {
            log.error({ err: e }, `leader task '${what}' failed`);
          }
        }
        if (report.sessions && Object.values(report.sessions).some((n) => n > 0)) log.info(report.sessions, 'clean-up');
        return report;
      };

      await tick();
      svc = {
        instanceId,
        modelVersion,
        isLeader: leads,
        term: () => term,
        runLeaderTasks,
        tick,
        addLeaderTask: (name, task) => {
          tasks.push([name, (tx) => task(tx)]);
        },
      };
      ctx.services.set('cluster', svc);

      const heartbeat = async () => {
        if (!(await store.heartbeat(instanceId))) {
          log.warn({ instance: instanceId }, 'this instance had expired (no refresh for three intervals); registering again');
          await store.register(instanceId, address, modelVersion);
        }
        await runLeaderTasks();
      };
      stopTimers = every(
        [
          [interval / 4, 'leader lease', tick],
          [interval, 'instance refresh and leader tasks', heartbeat],
        ],
        log,
      );
      await runLeaderTasks();

      try {
        await runAfterStartup(ctx, log);
      } catch (e) {
        await stopTimers();
        if (leader && term !== undefined) await store.release(instanceId, term).catch(() => undefined);
        leader = false;
        await store.unregister(instanceId).catch(() => undefined);
        throw e;
      }
      shutdown = async (c) => {
        await stopTimers?.();
        await runBeforeShutdown(c, log);
        if (leader && term !== undefined) {
          await store.release(instanceId, term);
          log.info({ instance: instanceId, term }, 'gave up the cluster leadership (stopping)');
        }
        leader = false;
        await store.unregister(instanceId);
      };
    },
    health: () => ({ instance: instanceId, leader: leads() }),
    async stop(ctx) {
      if (shutdown) await shutdown(ctx).catch((e) => ctx.log.error({ err: e }, 'cluster shut-down failed'));
      else await stopTimers?.();
    },
  };
}

/** Periodic jobs without overlap (a slow run skips the next start); the returned function stops them and waits for runs in progress. */
function every(jobs: [number, string, () => Promise<unknown>][], log: RuntimeContext['log']): () => Promise<void> {
  const running = new Set<Promise<unknown>>();
  const timers = jobs.map(([ms, what, fn]) => {
    let busy = false;
    const t = setInterval(
      () => {
        if (busy) return;
        busy = true;
        const p = fn()
          .catch((e) => log.error({ err: e }, `${what} failed`))
          .finally(() => {
            busy = false;
            running.delete(p);
          });
        running.add(p);
      },
      Math.max(25, Math.floor(ms)),
    );
    t.unref();
    return t;
  });
  return async () => {
    for (const t of timers) clearInterval(t);
    await Promise.all([...running]);
  };
}

/** app.yaml `afterStartup`: must return true within AfterStartupTimeout, or the start fails with one line. */
async function runAfterStartup(ctx: RuntimeContext, log: RuntimeContext['log']): Promise<void> {
  const name = ctx.model.app.afterStartup;
  if (!name) return;
  const engine = ctx.services.require('microflows');
  const limit = ctx.settings.get('AfterStartupTimeout') ?? 660000;
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new UserError(`the after-startup microflow ${name} did not finish within AfterStartupTimeout (${limit} ms); the start failed`)),
      limit,
    );
  });
  try {
    const r = await Promise.race([engine.runMicroflow(name, {}, systemUser(ctx)), late]);
    if (r.value !== true) throw new UserError(`the after-startup microflow ${name} returned ${String(r.value)}, not true; the start failed`);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`the after-startup microflow ${name} failed: ${(e as Error).message}; the start failed`);
  } finally {
    clearTimeout(timer);
  }
  log.info({ microflow: name, ms: Date.now() - started }, `after-startup microflow ${name} returned true`);
}

async function runBeforeShutdown(ctx: RuntimeContext, log: RuntimeContext['log']): Promise<void> {
  const name = ctx.model.app.beforeShutdown;
  if (!name) return;
  const engine = ctx.services.get('microflows');
  if (!engine) return;
  try {
    await engine.runMicroflow(name, {}, systemUser(ctx));
    log.info({ microflow: name }, `before-shutdown microflow ${name} ran`);
  } catch (e) {
    log.error({ err: e, microflow: name }, `before-shutdown microflow ${name} failed`);
  }
}

/** Microflows of the runtime itself run with system rights: every module role, no entity access. */
function systemUser(ctx: RuntimeContext): UserContext {
  return openContext(ctx.model);
}
