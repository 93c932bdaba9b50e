import { randomUUID } from 'node:crypto';
import type { RuntimeComponent, RuntimeContext } from '../../core/runtime-context.js';
import { clusterInterval, liveInstanceWindowMs } from '../../data/index.js';
import type { QueuePort } from '../../logic/engine/ports.js';
import { encodeArguments } from './arguments.js';
import { storeContext } from './context.js';
import { TaskStore } from './store.js';
import { QueueWorker } from './worker.js';
import { LOG_NODES } from '../../core/log-node-names.js';

/** What other components and tests see of the task queues: service `taskQueues`. */
export interface TaskQueueService {
  /** Tasks running on this instance now, per queue. */
  running(): Record<string, number>;
}

declare module '../../core/services.js' {
  interface Services {
    taskQueues: TaskQueueService;
  }
}

/**
 * The microflow engine's QueuePort (the composition root passes it to the
 * logic component): a queued call becomes a `system$queuedtask` row written in
 * the caller's transaction, so it exists exactly when the caller commits.
 */
export function taskQueuePort(ctx: RuntimeContext): QueuePort {
  const ids = ctx.services.require('ids');
  let store: TaskStore | undefined;
  return {
    async enqueue(tx, call) {
      store ??= new TaskStore(ctx.model, tx.dialect);
      const context = storeContext(call.user);
      await store.insert(
        tx,
        ids,
        {
          queueName: call.queue,
          microflow: call.microflow,
          contextType: context.type,
          contextData: context.data,
          arguments: encodeArguments(call.args),
          delayMs: call.delayMs,
          ...(call.retry ? { retry: call.retry } : {}),
        },
        new Date(),
      );
    },
  };
}

const grace = (ctx: RuntimeContext) => ctx.settings.get('TaskQueueShutdownGracePeriod') ?? 10000;

/**
 * Runs the model's task queues on this instance. Starts after the cluster
 * component (it names this instance in the tasks it claims) and so stops
 * before it: a graceful stop waits for running tasks up to
 * TaskQueueShutdownGracePeriod, then leaves the rest to other instances,
 * before the instance unregisters.
 */
export function taskQueuesComponent(): RuntimeComponent {
  let worker: QueueWorker | undefined;
  return {
    name: 'task-queues',
    async start(ctx) {
      const log = ctx.log.child({ node: LOG_NODES.taskQueue });
      const db = ctx.services.require('db');
      const store = new TaskStore(ctx.model, db.dialect);
      const cluster = ctx.services.get('cluster');
      if (!cluster) {
        // A single instance without the cluster component: whatever is Running was this process's predecessor's.
        const n = await store.resetAllRunning(db);
        if (n > 0) log.warn({ tasks: n }, `${n} task(s) left running by the previous run were reset to run again`);
      }
      worker = new QueueWorker({
        model: ctx.model,
        db,
        ids: ctx.services.require('ids'),
        engine: ctx.services.require('microflows'),
        store,
        log,
        instanceId: cluster?.instanceId ?? randomUUID(),
        pollMs: ctx.settings.get('TaskQueuePollInterval') ?? 1000,
        liveWindowMs: cluster ? liveInstanceWindowMs(ctx.settings) : undefined,
        resetEveryMs: clusterInterval(ctx.settings),
      });
      worker.start();
      ctx.services.set('taskQueues', { running: () => worker?.running() ?? {} });
      if (worker.queues.length > 0)
        log.info(
          { queues: worker.queues.map((q) => `${q.name} (${q.threads} ${q.scope === 'cluster' ? 'in the cluster' : 'per instance'})`) },
          'task queues started',
        );
    },
    routes(app, ctx) {
      // The server's close begins the stop: intake ends and the grace period starts while requests drain.
      app.addHook('preClose', async () => worker?.stopIntake(grace(ctx)));
    },
    async stop(ctx) {
      await worker?.stop(grace(ctx));
    },
  };
}
