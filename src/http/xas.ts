import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The client API endpoint `POST /xas/`: one route, dispatched by the body's
 * `action`. Components register their actions (security: login, logout;
 * client API: runtimeOperation, get_session_data, keepalive) instead of
 * registering routes of their own, so the browser client has one entry point.
 */
export interface XasRequestBody {
  readonly action: string;
  readonly [key: string]: unknown;
}

export type XasHandler = (body: XasRequestBody, request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

export interface XasAction {
  readonly handler: XasHandler;
  /** State-changing actions require the session's CSRF token in the X-Csrf-Token header. */
  readonly requiresCsrf: boolean;
}

/**
 * Runs before every action's handler (the security component resolves the
 * session and checks the CSRF token here). Returns false when it has already
 * sent the answer (401, 403), so the handler must not run.
 */
export type XasGuard = (name: string, action: XasAction, request: FastifyRequest, reply: FastifyReply) => Promise<boolean>;

export class XasDispatcher {
  private readonly actions = new Map<string, XasAction>();
  private readonly guards: XasGuard[] = [];

  register(name: string, action: XasAction): void {
    if (this.actions.has(name)) throw new Error(`xas action '${name}' registered twice`);
    this.actions.set(name, action);
  }

  addGuard(guard: XasGuard): void {
    this.guards.push(guard);
  }

  get(name: string): XasAction | undefined {
    return this.actions.get(name);
  }

  /** Mounts POST /xas/ (and /xas without the slash). */
  mount(app: FastifyInstance): void {
    const handle = async (request: FastifyRequest, reply: FastifyReply) => {
      const body = request.body;
      if (!body || typeof body !== 'object' || Array.isArray(body)) {
        return reply.code(400).send({ error: 'malformed request: the body must be a JSON object' });
      }
      const action = (body as { action?: unknown }).action;
      if (typeof action !== 'string') return reply.code(400).send({ error: "malformed request: field 'action' must be a string" });
      const a = this.actions.get(action);
      if (!a) return reply.code(400).send({ error: `unknown action '${action}'` });
      for (const g of this.guards) if (!(await g(action, a, request, reply))) return reply;
      return a.handler(body as XasRequestBody, request, reply);
    };
    app.post('/xas/', handle);
    app.post('/xas', handle);
  }
}
