import type { FastifyInstance } from 'fastify';
import { logNodesOf } from '../core/logger.js';
import type { RuntimeComponent, RuntimeContext } from '../core/runtime-context.js';
import { UserError } from '../model/diagnostics.js';
import { registerActions } from './actions.js';
import { sessionCounts } from './actions.js';
import { AdminApi } from './api.js';
// Loaded when switched on (prom-client, OpenTelemetry): most runtimes use neither, and their modules cost start-up time and memory.
import type { RuntimeMetrics } from './metrics.js';
import type { Tracing } from './tracing.js';
import { LOG_NODES } from '../core/log-node-names.js';

export interface AdminComponentOptions {
  /** The admin API already listening (the m2ee start sequence opened it before the runtime started). */
  readonly api?: AdminApi;
  /** Where M2EE_ADMIN_PORT, M2EE_ADMIN_PASS and M2EE_ADMIN_LISTEN_ADDRESSES are read; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** What the `shutdown` action does; default: SIGTERM to this process (kiln run stops gracefully). */
  readonly shutdown?: () => void;
}

/** The admin API's port, address and password from the settings, else from m2ee-tools' environment; undefined when it is off. */
export function adminEndpoint(
  settings: RuntimeContext['settings'],
  env: Readonly<Record<string, string | undefined>>,
): { port: number; host: string; password: string } | undefined {
  const rawPort = settings.get('AdminPort') ?? (env.M2EE_ADMIN_PORT ? Number(env.M2EE_ADMIN_PORT) : undefined);
  const password = settings.get('AdminApiPassword') ?? env.M2EE_ADMIN_PASS;
  if (rawPort === undefined || !Number.isInteger(rawPort) || !password) return undefined;
  const listen = env.M2EE_ADMIN_LISTEN_ADDRESSES?.split(',')[0]?.trim();
  const host = listen === '*' ? '0.0.0.0' : listen || (settings.get('AdminHost') ?? '127.0.0.1');
  return { port: rawPort, host, password };
}

/** Mendix's request handler name for a route: "xas/", "file", "" for the client's files. */
function handlerName(url: string | undefined): string {
  if (!url) return '';
  const seg = url.split('/')[1] ?? '';
  if (seg === '' || seg.startsWith('*') || seg.startsWith(':')) return '';
  return url.length > seg.length + 1 ? `${seg}/` : seg;
}

/**
 * The admin API (M2EE protocol, its own port) and the metrics, as a runtime
 * component. It comes first, so the admin API answers `runtime_status`
 * ("starting") while the rest starts; it counts requests, statements and
 * microflow calls once everything has started.
 */
export function adminComponent(opts: AdminComponentOptions = {}): RuntimeComponent {
  let api = opts.api;
  let owned = false;
  let metrics: RuntimeMetrics | undefined;
  let unsubscribe: (() => void) | undefined;
  let tracing: Tracing | undefined;
  return {
    name: 'admin',
    async start(ctx) {
      const log = ctx.log.child({ node: LOG_NODES.m2ee });
      const env = opts.env ?? process.env;
      const levels = ctx.settings.get('LogNodeLevels');
      if (levels) {
        const nodes = logNodesOf(ctx.log);
        for (const pair of levels.split(',')) {
          const [node, level] = pair.split('=').map((x) => x.trim());
          if (!node || !level || !nodes?.setLevel(node, level))
            throw new UserError(`LogNodeLevels: '${pair}' is not <node>=<level> with a level TRACE, DEBUG, INFO, WARNING, ERROR, CRITICAL or NONE`);
        }
      }
      if (!api) {
        const endpoint = adminEndpoint(ctx.settings, env);
        if (endpoint) {
          api = new AdminApi(endpoint.password, log);
          registerActions(api, { runtime: {}, appContainer: {} }, undefined, opts.shutdown ?? (() => process.kill(process.pid, 'SIGTERM')));
          await api.listen(endpoint.host, endpoint.port);
          owned = true;
        } else if (ctx.settings.get('AdminPort') !== undefined || env.M2EE_ADMIN_PORT) {
          log.warn('the admin API is off: no admin API password is set (AdminApiPassword or M2EE_ADMIN_PASS)');
        }
      }
      if (api || ctx.settings.get('MetricsEnabled')) {
        const { RuntimeMetrics } = await import('./metrics.js');
        metrics = new RuntimeMetrics({ xasId: api?.xasId ?? 'kiln', sessions: () => sessionCounts(ctx), poolSize: ctx.settings.get('DatabasePoolSize') ?? 10 });
      }
      const endpoint = ctx.settings.get('TracingEndpoint');
      if (endpoint) {
        const { Tracing } = await import('./tracing.js');
        tracing = new Tracing(endpoint, ctx.model.app.name);
      }
      if (api) {
        ctx.services.set('admin', api);
        api.ctx = ctx;
        api.metrics = metrics;
        api.status = 'starting';
      }
    },
    routes(app: FastifyInstance, ctx) {
      const m = metrics;
      const a = api;
      tracing?.install(app);
      if (a) {
        a.appServer = app.server;
        app.addHook('onRequest', async (req) => {
          a.inFlight.set(req.id, { request: req, startedAt: Date.now() });
        });
        app.addHook('onRequestAbort', async (req) => {
          a.inFlight.delete(req.id);
        });
      }
      if (m || a) {
        app.addHook('onResponse', async (req, reply) => {
          a?.inFlight.delete(req.id);
          if (!m) return;
          const handler = handlerName(req.routeOptions.url);
          const body = handler === 'xas/' ? (req.body as { action?: unknown; operationId?: unknown } | undefined) : undefined;
          const action = typeof body?.action === 'string' ? body.action : '';
          const operation = typeof body?.operationId === 'string' ? body.operationId : '';
          m.request(handler, reply.elapsedTime / 1000, action, operation);
        });
      }
      if (m && ctx.settings.get('MetricsEnabled')) {
        app.get('/metrics', async (_req, reply) => reply.header('content-type', m.contentType).send(await m.text()));
      }
    },
    ready(ctx) {
      const m = metrics;
      const t = tracing;
      if (m || t) {
        unsubscribe = ctx.services.get('db')?.onStatement((sql) => {
          m?.statement(sql);
          t?.statement(sql);
        });
        const engine = ctx.services.get('microflows');
        if (engine) {
          if (t) engine.aroundActivity = (mf, step, exec) => t.activity(mf, step.label, step.kind, exec);
          const traced = t ? <T>(name: string, call: () => Promise<T>) => t.microflow(name, call) : <T>(_name: string, call: () => Promise<T>) => call();
          engine.around = m
            ? async (name, call) => {
                const t0 = performance.now();
                let failed = true;
                try {
                  const v = await traced(name, call);
                  failed = false;
                  return v;
                } finally {
                  m.microflow(name, (performance.now() - t0) / 1000, failed);
                }
              }
            : traced;
        }
      }
      if (api) api.status = 'running';
    },
    async abort() {
      if (api) api.status = 'stopping';
    },
    async stop(ctx) {
      if (api) api.status = 'stopping';
      unsubscribe?.();
      const engine = ctx.services.get('microflows');
      if (engine) {
        engine.around = undefined;
        engine.aroundActivity = undefined;
      }
      await tracing?.shutdown();
      if (api) {
        api.status = 'stopped';
        api.ctx = undefined;
        if (owned) await api.close();
      }
    },
  };
}

declare module '../core/services.js' {
  interface Services {
    admin: AdminApi;
  }
}
