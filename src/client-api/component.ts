import type { RuntimeComponent } from '../core/runtime-context.js';
import { openContext } from '../security/contexts.js';
import { buildRegistry, writeOperationsFile, type OperationRegistry } from './registry/index.js';
import { keepaliveAction, runtimeOperationAction, sessionDataAction, type ActionDeps } from './actions.js';
import { deploymentSecret } from '../security/deployment-secret.js';
import { checkExtraXpath } from './extra-xpath.js';
import { DEFAULT_SIGNED_OBJECT_MAX_AGE, ObjectSigner } from './protocol/signing.js';
import type { ObjectLogic } from './ports.js';
import { RuntimeBackend } from './runtime-backend.js';

/** Service name under which the operations registry is provided (the browser client embeds its ids in pages). */
const OPERATIONS_SERVICE = 'operations';

declare module '../core/services.js' {
  interface Services {
    operations: OperationRegistry;
    /** Provided by the composition root when the microflow engine runs: commits and calls go through it. */
    logic: ObjectLogic;
  }
}

/**
 * The client API component: at start-up it derives the runtime operations from
 * the model, writes `<deploymentDir>/model/operations.json`, provides the
 * registry, compiles each retrieve's query once, and registers the /xas/
 * actions runtimeOperation, get_session_data and keepalive. Uses the services
 * 'db' and 'ids' (data), 'sessions' (security), 'xas', and 'logic' when present.
 */
export function clientApiComponent(): RuntimeComponent {
  return {
    name: 'client-api',
    async start(ctx) {
      const log = ctx.log.child({ node: 'ClientAPI' });
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
      const signer = new ObjectSigner(await deploymentSecret(ctx.settings.get('DeploymentSecret'), db), ctx.settings.get('SignedObjectMaxAge') ?? DEFAULT_SIGNED_OBJECT_MAX_AGE);
      const backend = new RuntimeBackend(ctx.model, db, ids, registry, ctx.services.get('logic'), ctx.services.get('security'));
      const open = openContext(ctx.model);
      const session = ctx.services.get('sessions') ?? {
        // Without the security component only an app with security off can be served.
        contextOf: async () => (ctx.model.security.level === 'off' ? open : undefined),
        viewerOf: async () => (ctx.model.security.level === 'off' ? open : undefined),
        csrfTokenOf: async () => undefined,
      };
      const deps: ActionDeps = {
        model: ctx.model, registry, session, log,
        keepAliveMs: Math.max(1000, Math.floor((ctx.settings.get('SessionTimeout') ?? 600000) / 2)),
        handler: { model: ctx.model, backend, signer, log, checkExtraXpath: (op, user, text) => checkExtraXpath(ctx.model, op, user, text) },
      };
      xas.register('runtimeOperation', runtimeOperationAction(deps));
      xas.register('get_session_data', sessionDataAction(deps));
      xas.register('keepalive', keepaliveAction(deps));
    },
  };
}
