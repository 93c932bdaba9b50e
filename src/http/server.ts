import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { RuntimeComponent, RuntimeContext } from '../core/runtime-context.js';
import { installDeadlines } from './deadline.js';
import { lazyRequestLogger } from './lazy-request-logger.js';
import { handleError } from './errors.js';
import { readinessRoute } from './readiness.js';
import { noRouteSchemas } from './route-schemas.js';
import { setSecurityHeaders } from './security-headers.js';
import { refusalLog } from './refusals.js';
import { installJsonBodyParser } from './json-body.js';
import { LOG_NODES } from '../core/log-node-names.js';

export interface HttpState {
  ready: boolean;
  stopping: boolean;
}

/** Builds the Fastify server from each component's routes, plus /health (liveness) and /health/ready (readiness); errors of every route take one path (./errors.ts). */
export async function buildHttpServer(ctx: RuntimeContext, components: readonly RuntimeComponent[], state: HttpState): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.log.child({ node: LOG_NODES.jetty }) as unknown as FastifyBaseLogger,
    // Per-request log lines cost throughput and say little; components log what matters.
    logController: new LogController({ disableRequestLogging: true }),
    // request.log made when a request logs something, not for every request (lazy-request-logger.ts).
    childLoggerFactory: lazyRequestLogger,
    bodyLimit: ctx.settings.get('BodyLimit') ?? 1048576,
    trustProxy: ctx.settings.get('TrustProxy') ?? false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    schemaController: noRouteSchemas,
  });
  app.setErrorHandler(handleError);
  installJsonBodyParser(app);
  // Before any route: every handler registered below runs under the request deadline.
  installDeadlines(app, ctx.settings.get('RequestTimeout') ?? 30000);
  // One onSend hook for every answer (Fastify runs each hook through its runner: one instead of
  // two): the security headers, then the audit line of a refusal. Callback style: no promise per answer.
  const logRefusals = refusalLog(() => ctx.services.get('requestUser'));
  app.addHook('onSend', (request, reply, payload, done) => {
    setSecurityHeaders(request, reply);
    logRefusals(request, reply, payload, done);
  });
  app.get('/health', async (_req, reply) => {
    if (!state.ready || state.stopping) {
      return reply.code(503).send({ status: state.stopping ? 'stopping' : 'starting' });
    }
    const body: Record<string, unknown> = { status: 'ok', app: ctx.model.app.name, version: ctx.model.app.version };
    for (const c of components) if (c.health) Object.assign(body, c.health(ctx));
    return body;
  });
  readinessRoute(app, ctx, components, state);
  for (const c of components) if (c.routes) await c.routes(app, ctx);
  return app;
}
