import type { Static, TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError, malformedRequest } from '../core/errors.js';
import { compileValidator, fieldWithNul, type Malformed, type Validator } from './validate.js';
import { XasEnvelope } from './xas-wire.js';

/**
 * The client API endpoint `POST /xas/`: one route, dispatched by the body's
 * `action`. Components register their actions (security: login, logout;
 * client API: runtimeOperation, get_session_data, keepalive) instead of
 * registering routes of their own, so the browser client has one entry point.
 *
 * Each action declares its body's schema (src/http/xas-wire.ts); the
 * dispatcher checks the body with it (compiled once, when the action is
 * registered) and answers a mismatch 400 naming the field; a NUL character in
 * any string of the body is a 400 naming its field too. Handlers throw
 * their errors: the HTTP server's one error handler answers them.
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
  /** The body's schema, checked after the guards and before the handler. */
  readonly body?: TSchema;
  /** The 400 a body that does not match is answered with (default: `malformed request: '<field>' <problem>`). */
  readonly malformed?: Malformed;
  /** A quicker check of the body, true only for bodies the schema accepts (see compileValidator). */
  readonly surely?: (body: unknown) => boolean;
}

/** An action whose handler receives the body typed by its schema. */
export function xasAction<S extends TSchema>(
  body: S,
  action: {
    readonly requiresCsrf: boolean;
    readonly malformed?: Malformed;
    readonly surely?: (body: unknown) => boolean;
    handler(body: Static<S>, request: FastifyRequest, reply: FastifyReply): Promise<unknown>;
  },
): XasAction {
  return {
    requiresCsrf: action.requiresCsrf,
    body,
    malformed: action.malformed,
    surely: action.surely,
    handler: action.handler.bind(action) as unknown as XasHandler,
  };
}

const checkEnvelope = compileValidator(XasEnvelope);

/**
 * Runs before every action's handler (the security component resolves the
 * session and checks the CSRF token here). Returns false when it has already
 * sent the answer (401, 403), so the handler must not run; a plain true when
 * it can tell at once (nothing is awaited then), else a promise.
 */
export type XasGuard = (name: string, action: XasAction, request: FastifyRequest, reply: FastifyReply) => boolean | Promise<boolean>;

export class XasDispatcher {
  private readonly actions = new Map<string, XasAction>();
  private readonly validators = new Map<string, Validator<unknown>>();
  private readonly guards: XasGuard[] = [];

  register(name: string, action: XasAction): void {
    if (this.actions.has(name)) throw new Error(`xas action '${name}' registered twice`);
    this.actions.set(name, action);
    if (action.body) this.validators.set(name, compileValidator(action.body, action.malformed, action.surely));
  }

  addGuard(guard: XasGuard): void {
    this.guards.push(guard);
  }

  get(name: string): XasAction | undefined {
    return this.actions.get(name);
  }

  /** Mounts POST /xas/ (and /xas without the slash). */
  mount(app: FastifyInstance): void {
    // Not an async function: when every guard answers at once (a cached session: nearly every
    // request), the handler's own promise is what Fastify gets — an async wrapper resolved with it
    // cost a promise and three microtask jobs per request. A throw before the handler runs reaches
    // Fastify synchronously, which answers it as it answers a rejection (reply.send of the error).
    const handle = (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
      const body = checkEnvelope(request.body) as XasRequestBody;
      const { action } = body;
      const a = this.actions.get(action);
      if (!a) throw new HttpError(400, `unknown action '${action}'`, { field: 'action' });
      const guards = this.guards;
      for (let i = 0; i < guards.length; i++) {
        const passed = guards[i]!(action, a, request, reply);
        if (passed !== true) return this.afterGuard(passed, i + 1, action, a, body, request, reply);
      }
      return this.run(action, a, body, request, reply);
    };
    app.post('/xas/', handle);
    app.post('/xas', handle);
  }

  /** The rest of the guards once one answered with a promise (or false), then the action. */
  private async afterGuard(
    passed: boolean | Promise<boolean>,
    next: number,
    action: string,
    a: XasAction,
    body: XasRequestBody,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<unknown> {
    if (!(await passed)) return reply;
    for (let i = next; i < this.guards.length; i++) {
      const p = this.guards[i]!(action, a, request, reply);
      if (p !== true && !(await p)) return reply;
    }
    return this.run(action, a, body, request, reply);
  }

  /** Checks the body against the action's schema and for NUL characters, then runs the action's handler. */
  private run(action: string, a: XasAction, body: XasRequestBody, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    this.validators.get(action)?.(body);
    // A body without a backslash holds no NUL (json-body.ts): nothing to walk.
    const nul = request.kilnJsonPlain ? undefined : fieldWithNul(body);
    if (nul !== undefined) throw malformedRequest(nul, 'must not contain NUL characters (U+0000)');
    return a.handler(body, request, reply);
  }
}
