import type { RuntimeComponent } from '../core/runtime-context.js';
import { openContext } from '../security/contexts.js';
import { buildRegistry, writeOperationsFile, type OperationRegistry } from './registry/index.js';
import { asyncResultAction, keepaliveAction, runtimeOperationAction, sessionDataAction, type ActionDeps } from './actions.js';
import { AsyncCalls } from './async-calls.js';
import { liveInstanceWindowMs } from '../data/index.js';
import { deploymentSecret } from '../security/deployment-secret.js';
import { IdempotencyStore } from './idempotency.js';
import { Timers } from '../security/timers.js';
import { checkExtraXpath } from './extra-xpath.js';
import { DEFAULT_SIGNED_OBJECT_MAX_AGE, ObjectSigner } from './protocol/signing.js';
import type { ObjectLogic } from './ports.js';
import { RuntimeBackend } from './runtime-backend.js';
import { LOG_NODES } from '../core/log-node-names.js';

/** How long an Idempotency-Key's answer is remembered (IdempotencyKeyTtl): 24 hours. */
const DEFAULT_IDEMPOTENCY_KEY_TTL = 86400000;

/** Service name under which the operations registry is provided (the browser client embeds its ids in pages). */
const OPERATIONS_SERVICE = 'operations';

declare module '../core/services.js' {
  interface Services {
    operations: OperationRegistry;
    /** Provided by the composition root when the microflow engine runs: commits and calls go through it. */
    logic: ObjectLogic;
    /** The answers remembered for Idempotency-Keys: `cleanUp()` deletes the expired ones (the cluster leader's task). */
    idempotency: IdempotencyStore;
  }
}

/**
 * The client API component: at start-up it derives the runtime operations from
 * the model, writes `<deploymentDir>/model/operations.json`, provides the
 * registry, compiles each retrieve's query once, and registers the /xas/
 * actions runtimeOperation, get_session_data and keepalive (remembering the
 * answers of requests sent with an Idempotency-Key, idempotency.ts, and
 * deleting the expired ones periodically). Uses the services
 * 'db' and 'ids' (data), 'sessions' (security), 'xas', and 'logic' when present.
 */
export function clientApiComponent(
  opts: { /** Delete expired idempotency keys on a timer here (default); false when the cluster's leader does. */ periodicCleanup?: boolean } = {},
): RuntimeComponent {
  let timers: Timers | undefined;
  let asyncCalls: AsyncCalls | undefined;
  return {
    name: 'client-api',
    async start(ctx) {
      const log = ctx.log.child({ node: LOG_NODES.connector });
      const registry: OperationRegistry = buildRegistry(ctx.model);
      const file = await writeOperationsFile(registry, ctx.deploymentDir);
      ctx.services.set(OPERATIONS_SERVICE, registry);
      log.debug({ operations: registry.operations.length, file }, 'runtime operations registered');

      const db = ctx.services.get('db');
      const ids = ctx.services.get('ids');
      const xas = ctx.services.get('xas');
      if (!db || !ids || !xas) {
        log.warn('no database or /xas/ dispatcher in this runtime: runtime operations are registered but not served');
        return;
      }
      const signer = new ObjectSigner(
        await deploymentSecret(ctx.settings.get('DeploymentSecret'), db),
        ctx.settings.get('SignedObjectMaxAge') ?? DEFAULT_SIGNED_OBJECT_MAX_AGE,
      );
      const backend = new RuntimeBackend(ctx.model, db, ids, registry, ctx.services.get('logic'), ctx.services.get('security'));
      const open = openContext(ctx.model);
      const session = ctx.services.get('sessions') ?? {
        // Without the security component only an app with security off can be served.
        contextOf: async () => (ctx.model.security.level === 'off' ? open : undefined),
        viewerOf: async () => (ctx.model.security.level === 'off' ? open : undefined),
        csrfTokenOf: async () => undefined,
      };
      const idempotency = await IdempotencyStore.open(db, ctx.settings.get('IdempotencyKeyTtl') ?? DEFAULT_IDEMPOTENCY_KEY_TTL);
      ctx.services.set('idempotency', idempotency);
      if (opts.periodicCleanup ?? true) {
        // With the sessions' clean-up: every ClusterManagerActionInterval (default half of SessionTimeout).
        const cleanupMs = ctx.settings.get('ClusterManagerActionInterval') ?? Math.max(1, Math.floor((ctx.settings.get('SessionTimeout') ?? 600000) / 2));
        timers = new Timers(log);
        timers.every(cleanupMs, 'idempotency key clean-up', async () => {
          const expired = await idempotency.cleanUp();
          if (expired) log.info({ expired }, 'idempotency keys cleaned up');
        });
      }
      // The cluster component starts later: the instance id is looked up when a call starts.
      asyncCalls = await AsyncCalls.open(db, () => ctx.services.get('cluster')?.instanceId, liveInstanceWindowMs(ctx.settings), log);
      const deps: ActionDeps = {
        asyncCalls,
        model: ctx.model,
        registry,
        session,
        log,
        idempotency,
        keepAliveMs: Math.max(1000, Math.floor((ctx.settings.get('SessionTimeout') ?? 600000) / 2)),
        handler: { model: ctx.model, backend, signer, log, checkExtraXpath: (op, user, text) => checkExtraXpath(ctx.model, op, user, text) },
      };
      xas.register('runtimeOperation', runtimeOperationAction(deps));
      xas.register('get_session_data', sessionDataAction(deps));
      xas.register('keepalive', keepaliveAction(deps));
      xas.register('asyncResult', asyncResultAction(deps));
    },
    async stop(ctx) {
      timers?.stop();
      // Asynchronous microflow calls running here: like requests in flight, they get ShutdownTimeout to finish.
      await asyncCalls?.drain(ctx.settings.get('ShutdownTimeout') ?? 10000);
    },
  };
}
