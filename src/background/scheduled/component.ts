import type { RuntimeComponent } from '../../core/runtime-context.js';
import { liveInstanceWindowMs } from '../../data/index.js';
import { clusterExclusive } from '../../cluster/locks.js';
import { openContext } from '../../security/contexts.js';
import { Scheduler } from './scheduler.js';
import { selectEvents } from './selection.js';
import { ScheduledEventStore } from './store.js';
import { LOG_NODES } from '../../core/log-node-names.js';

/**
 * Scheduled events (`modules/<Module>/scheduled-events/<Name>.yaml`): each
 * instance runs the loops of the events ScheduledEventExecution gives it, and
 * each period runs once across the cluster (the claim in kiln$scheduledeventrun).
 * The cluster leader marks Stopped the runs of instances that died and deletes
 * records older than ScheduledEventRecordRetention. Starts after the cluster
 * (it registers a leader task) and after the after-startup microflow; its
 * loops begin once the instance serves, and at shut-down it stops first,
 * waiting for the runs in progress.
 */
export function scheduledEventsComponent(): RuntimeComponent {
  let scheduler: Scheduler | undefined;
  let start: (() => void) | undefined;
  let cleanupTimer: NodeJS.Timeout | undefined;
  return {
    name: 'scheduled-events',
    async start(ctx) {
      const log = ctx.log.child({ node: LOG_NODES.actionManager });
      const events = selectEvents(ctx.model, ctx.settings);
      const db = ctx.services.require('db');
      const store = new ScheduledEventStore(db, ctx.services.get('ids'), ctx.model.entities.get('System.ScheduledEventInformation'));
      await store.setup();
      const cluster = ctx.services.get('cluster');
      const liveMs = liveInstanceWindowMs(ctx.settings);
      const retention = ctx.settings.get('ScheduledEventRecordRetention') ?? 604800000;
      const upkeep = async (tx: Parameters<typeof store.cleanUp>[0]) => {
        if (cluster) {
          for (const d of await store.markDied(tx, liveMs, Date.now(), cluster.instanceId))
            log.warn(d, `scheduled event ${d.event}: the run of ${new Date(d.period).toISOString()} stopped with its instance ${d.instance}; recorded Stopped`);
        }
        if (retention > 0) {
          const n = await store.cleanUp(tx, Date.now() - retention);
          if (n > 0) log.info({ deleted: n }, 'old scheduled-event records deleted');
        }
      };
      // The leader's task in a cluster; a runtime without the cluster component (one instance) keeps its own timer.
      if (cluster) cluster.addLeaderTask('scheduled events: stopped runs and old records', upkeep);
      else {
        cleanupTimer = setInterval(() => void upkeep(db).catch((e) => log.error({ err: e }, 'scheduled-event clean-up failed')), 3600000);
        cleanupTimer.unref();
      }
      if (events.length === 0) {
        if ((ctx.model.scheduledEvents?.size ?? 0) > 0)
          log.info({ ScheduledEventExecution: ctx.settings.get('ScheduledEventExecution') }, 'no scheduled events run on this instance');
        return;
      }
      const engine = ctx.services.require('microflows');
      const s = new Scheduler({
        db,
        store,
        run: (microflow, user, tx) => engine.runMicroflow(microflow, {}, user, tx),
        // Full rights, as Mendix runs scheduled events: every module role, no entity access.
        user: openContext(ctx.model),
        exclusive: clusterExclusive(db),
        instanceId: cluster?.instanceId ?? 'single',
        log,
        pollMs: 200,
      });
      scheduler = s;
      start = () => {
        s.start(events);
        log.info({ events: events.map((e) => e.name) }, `scheduled events on this instance: ${events.map((e) => e.name).join(', ')}`);
      };
    },
    ready() {
      start?.();
    },
    async stop(ctx) {
      clearInterval(cleanupTimer);
      // Mendix waits a grace period for running tasks; Kiln's is the one it gives requests in flight.
      await scheduler?.stop(ctx.settings.get('ShutdownTimeout') ?? 10000);
    },
  };
}
