import type { FastifyInstance } from 'fastify';
import type { RuntimeComponent, RuntimeContext } from '../core/runtime-context.js';
import { LOG_NODES } from '../core/log-node-names.js';

/** What the readiness route reads of the runtime's state (the same object as HttpState). */
interface ReadinessState {
  readonly ready: boolean;
  readonly stopping: boolean;
}

/**
 * `/health/ready`: 200 `{status:'ok'}` when every component's `readiness`
 * resolves within `ReadinessTimeout`; 503 `{status:'unavailable', reason}`
 * when one throws or is slower (reason: the error's `reason`, else the
 * component's name); 503 `{status:'starting'|'stopping'}` outside running.
 * `/health` stays liveness: it does not look at the database.
 *
 * A change of verdict is logged once (not per probe), so a database outage
 * makes one warning and its end one info line.
 */
export function readinessRoute(app: FastifyInstance, ctx: RuntimeContext, components: readonly RuntimeComponent[], state: ReadinessState): void {
  const timeoutMs = ctx.settings.get('ReadinessTimeout') ?? 1000;
  const probes = components.filter((c) => c.readiness !== undefined);
  const log = ctx.log.child({ node: LOG_NODES.core });
  let lastReason: string | undefined;

  const check = async (c: RuntimeComponent): Promise<string | undefined> => {
    let timer: NodeJS.Timeout | undefined;
    // The component applies the timeout itself; this bound (slightly later) only catches one that does not.
    const late = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(c.name), timeoutMs + 100);
    });
    try {
      return await Promise.race([
        c.readiness!(ctx).then(
          () => undefined,
          (e: unknown) => reasonOf(e, c.name),
        ),
        late,
      ]);
    } finally {
      clearTimeout(timer);
    }
  };

  app.get('/health/ready', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    if (!state.ready || state.stopping) return reply.code(503).send({ status: state.stopping ? 'stopping' : 'starting' });
    const reasons = (await Promise.all(probes.map(check))).filter((r): r is string => r !== undefined);
    const reason = reasons[0];
    if (reason !== lastReason) {
      if (reason !== undefined) log.warn({ reason }, `not ready: ${reason} unavailable`);
      else log.info({ previous: lastReason }, 'ready again');
      lastReason = reason;
    }
    if (reason !== undefined) return reply.code(503).send({ status: 'unavailable', reason });
    return { status: 'ok' };
  });
}

function reasonOf(e: unknown, fallback: string): string {
  const r = (e as { reason?: unknown } | undefined)?.reason;
  return typeof r === 'string' && r !== '' ? r : fallback;
}
