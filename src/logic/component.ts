import type { RuntimeComponent, RuntimeContext } from '../core/runtime-context.js';
import { actionContextFactory } from './action-context.js';
import { MicroflowEngine } from './engine/engine.js';
import { loadActions } from './ts-actions.js';
import type { Database } from '../data/index.js';
import type { ExclusivePort, FilePort, QueuePort } from './engine/ports.js';
import { fileActions } from './file-actions.js';
import { systemActions } from './system-actions.js';
import { createHttpClient, DEFAULT_HTTP } from './http-client.js';
import { dataPort, dbPort } from './wiring.js';
import { queryPort } from './query-port.js';
import { LOG_NODES } from '../core/log-node-names.js';
import { calculatedAttributes, provideCalculator } from '../query/index.js';
import { engineCalculator } from './calculated.js';

/** Service name of the engine itself (the composition root adapts it to the client API's `logic`). */
const MICROFLOWS_SERVICE = 'microflows';

/**
 * The microflow engine as a runtime component: loads the app's TypeScript
 * actions, compiles every microflow once, and provides the services the client
 * API and other components call. Starts after the data layer.
 */
export function logicComponent(opts: { exclusive?: (db: Database) => ExclusivePort; queues?: (ctx: RuntimeContext) => QueuePort } = {}): RuntimeComponent {
  let http: ReturnType<typeof createHttpClient> | undefined;
  return {
    name: 'logic',
    async start(ctx) {
      const db = ctx.services.require('db');
      const ids = ctx.services.require('ids');
      const log = ctx.log.child({ node: LOG_NODES.microflowEngine });
      let engine: MicroflowEngine | undefined;
      // File contents come from a component started later: looked up when an action runs.
      const contextFor = actionContextFactory(
        () => engine!,
        () => ctx.services.get('fileContents'),
      );
      const actions = await loadActions(ctx.appDir, ctx.model.app.modules, contextFor);
      for (const a of [...fileActions(contextFor), ...systemActions(() => engine!)]) if (!actions.has(a.name)) actions.set(a.name, a);
      const st = ctx.settings;
      const proxyHost = st.get('HttpProxyHost');
      const proxyUser = st.get('HttpProxyUser');
      const proxyPassword = st.get('HttpProxyPassword');
      http = createHttpClient({
        maxConnectionsPerRoute: st.get('HttpClientMaxConnectionsPerRoute') ?? DEFAULT_HTTP.maxConnectionsPerRoute,
        maxConnectionsTotal: st.get('HttpClientMaxConnectionsTotal') ?? DEFAULT_HTTP.maxConnectionsTotal,
        connectTimeoutMs: st.get('HttpClientConnectTimeout') ?? DEFAULT_HTTP.connectTimeoutMs,
        readTimeoutMs: st.get('HttpClientReadTimeout') ?? DEFAULT_HTTP.readTimeoutMs,
        ...(proxyHost
          ? {
              proxy: {
                host: proxyHost,
                port: st.get('HttpProxyPort') ?? 8080,
                ...(proxyUser ? { user: proxyUser } : {}),
                ...(proxyPassword ? { password: proxyPassword } : {}),
              },
            }
          : {}),
        nonProxyHosts: (st.get('HttpNonProxyHosts') ?? '').split(/[|,]/),
      });
      engine = new MicroflowEngine({
        http,
        files: () => ctx.services.get('fileContents'),
        model: ctx.model,
        data: dataPort(ctx.model, ids, ctx.services.get('security')),
        query: queryPort(db.dialect),
        db: dbPort(db),
        log,
        actions,
        ...(opts.exclusive ? { exclusive: opts.exclusive(db) } : {}),
        ...(opts.queues ? { queues: opts.queues(ctx) } : {}),
      });
      ctx.services.set(MICROFLOWS_SERVICE, engine);
      // Every retrieve of the model computes its calculated attributes with the engine.
      const calculator = engineCalculator(engine);
      provideCalculator(ctx.model, calculator);
      engine.calculate = (tx, user, objects) => calculator.calculate(tx, user, objects, (e) => calculatedAttributes(ctx.model, e));
      log.info({ microflows: ctx.model.microflows.size, actions: actions.size }, 'microflows compiled');
    },
    async stop() {
      await http?.close();
    },
  };
}

declare module '../core/services.js' {
  interface Services {
    microflows: MicroflowEngine;
    /** Provided by the composition root when the files component runs: file contents for actions. */
    fileContents: FilePort;
  }
}
