import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../core/logger.js';
import { requestSignal } from '../http/deadline.js';
import { xasAction, type XasAction } from '../http/xas.js';
import { surelyRuntimeOperation } from '../http/xas-wire-check.js';
import { AsyncResultRequest, PlainRequest, RuntimeOperationRequest } from '../http/xas-wire.js';
import type { AsyncCalls } from './async-calls.js';
import type { CompiledModel } from '../model/compiled/types.js';
import { hasAnyRole } from '../security/document-access.js';
import type { UserContext } from '../security/user-context.js';
import { ClientApiError, notAllowed } from './errors.js';
import { AlreadyDone, idempotencyKeyOf, REPLAYED_HEADER, type IdempotencyStore, type RememberedAnswer } from './idempotency.js';
import { executeOperation, type HandlerContext } from './operations/handlers.js';
import { JSON_CONTENT_TYPE, JsonText } from './protocol/json-text.js';
import { toRuntimeOperation, type RuntimeOperationRequest as OperationRequest } from './protocol/request.js';
import type { OperationRegistry, RuntimeOperation } from './registry/types.js';
import { sessionMetadata } from './session-data.js';
import { LOG_NODES } from '../core/log-node-names.js';
import type { StopSignal } from '../core/stop-signal.js';

/**
 * Who is asking: the part of the security component's 'sessions' service the
 * client API uses (its SessionsService satisfies this).
 */
export interface SessionAccess {
  /** The session's user context (an open context with security off); undefined without a valid session. */
  contextOf(request: FastifyRequest): Promise<UserContext | undefined>;
  /** As contextOf, without a promise when the session is known at once (the security component's service has it). */
  contextNow?(request: FastifyRequest): UserContext | undefined | Promise<UserContext | undefined>;
  /** As contextOf, but without a session in an app with an anonymous role: that role's context, creating nothing. */
  viewerOf(request: FastifyRequest): Promise<UserContext | undefined>;
  csrfTokenOf(request: FastifyRequest): Promise<string | undefined>;
}

export interface ActionDeps {
  readonly model: CompiledModel;
  readonly registry: OperationRegistry;
  readonly handler: Omit<HandlerContext, 'user'>;
  readonly session: SessionAccess;
  readonly log: Logger;
  /** How often the client should send `keepalive`: half of SessionTimeout, as Mendix's client does. */
  readonly keepAliveMs: number;
  /** Remembers the answers of keyed state-changing operations (absent: the Idempotency-Key header is ignored). */
  readonly idempotency?: IdempotencyStore;
  /** Microflow calls the client runs asynchronously (absent: `async` is refused). */
  readonly asyncCalls?: AsyncCalls;
}

/**
 * The operations that write in a transaction (and so take the request's signal): an
 * Idempotency-Key makes their retry answer with the first answer.
 */
const KEYED: ReadonlySet<RuntimeOperation['type']> = new Set(['commit', 'delete', 'callMicroflow']);

function replay(reply: FastifyReply, a: RememberedAnswer): FastifyReply {
  return reply.code(a.status).type(JSON_CONTENT_TYPE).header(REPLAYED_HEADER, 'true').send(a.body);
}

/**
 * `runtimeOperation`: look the id up, check the caller's module roles, execute.
 * The dispatcher has checked the body against its schema; errors thrown here
 * are answered by the HTTP server's error handler (400, 401, 403, 404, 409,
 * 422, 503; anything else 500 without details).
 */
export function runtimeOperationAction(deps: ActionDeps): XasAction {
  const idLog = deps.log.child({ node: LOG_NODES.idResolution });
  return xasAction(RuntimeOperationRequest, {
    requiresCsrf: true,
    surely: surelyRuntimeOperation,
    // Not an async function: with the session known at once (nearly every request) the operation's
    // own promise, with one step for its answer, is all it makes — no await of a resolved user
    // context, no promise of its own. Errors are still answered as a rejection (never thrown).
    handler(body, request, reply) {
      try {
        const req = toRuntimeOperation(body);
        const op = deps.registry.get(req.operationId);
        if (!op) throw new ClientApiError(404, `unknown operation '${req.operationId}'`, { field: 'operationId' });
        const user = deps.session.contextNow ? deps.session.contextNow(request) : deps.session.contextOf(request);
        if (user instanceof Promise) return user.then((u) => runOperation(deps, idLog, body, req, op, u, request, reply));
        return runOperation(deps, idLog, body, req, op, user, request, reply);
      } catch (e) {
        return Promise.reject(e);
      }
    },
  });
}

/** A runtime operation once its user context is known: the caller's roles checked, then executed. Throws its errors. */
function runOperation(
  deps: ActionDeps,
  idLog: Logger,
  body: { readonly async?: boolean | null },
  req: OperationRequest,
  op: RuntimeOperation,
  user: UserContext | undefined,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<unknown> {
  if (!user) throw new ClientApiError(401, 'no valid session: log in (again)');
  if (idLog.isLevelEnabled('debug'))
    idLog.debug({ operationId: op.id, type: op.type, constants: op.constants, params: req.params }, 'runtime operation resolved');
  if (!hasAnyRole(deps.model, user, op.allowedRoles)) throw notAllowed();
  // Only the operations that run a transaction take the signal (handlers.ts's written(): it aborts
  // the transaction). A retrieve is bounded by the statement timeout and the deadline's answer; a
  // create or rollback runs no transaction, so a stop signal made for them had no listener.
  const signal = KEYED.has(op.type) ? requestSignal(request) : undefined;
  if (body.async === true) return asyncCall(deps, user, op, req);
  const key = idempotencyKeyOf(request);
  const store = key !== undefined && KEYED.has(op.type) ? deps.idempotency : undefined;
  if (store && key !== undefined) return keyedOperation(deps, store, key, user, op, req, request, reply, signal);
  return executeOperation(signal ? { ...deps.handler, user, signal } : { ...deps.handler, user }, op, req).then((out) =>
    out instanceof JsonText ? reply.type(JSON_CONTENT_TYPE).send(out.body()) : out,
  );
}

/**
 * A long-running microflow call: recorded, started in the background on this
 * instance (without the request's deadline), answered at once with the id the
 * client polls with through `asyncResult`, on any instance. An Idempotency-Key
 * is not used: each call is its own.
 */
async function asyncCall(deps: ActionDeps, user: UserContext, op: RuntimeOperation, req: OperationRequest): Promise<unknown> {
  if (op.type !== 'callMicroflow')
    throw new ClientApiError(400, `malformed request: 'async' applies to microflow calls only, not to ${op.type}`, { field: 'async' });
  if (!deps.asyncCalls) throw new ClientApiError(400, "malformed request: 'async' calls are not available here", { field: 'async' });
  if (!user.sessionId) throw new ClientApiError(401, 'an asynchronous call needs a session: log in (again)');
  const id = await deps.asyncCalls.start(user.sessionId, async () => {
    const out = await executeOperation({ ...deps.handler, user }, op, req);
    return out instanceof JsonText ? out.text : JSON.stringify(out);
  });
  return { asyncCall: { id } };
}

/**
 * `asyncResult`: the answer of an asynchronous microflow call, for the session
 * that started it only (any other gets 404, as for an id that never existed);
 * `{done: false}` while it runs; the call's own answer (and status) once, when
 * done; 503 when the instance running it stopped before it finished.
 */
export function asyncResultAction(deps: ActionDeps): XasAction {
  return xasAction(AsyncResultRequest, {
    requiresCsrf: true,
    async handler(body, request, reply) {
      const user = await deps.session.contextOf(request);
      if (!user?.sessionId) throw new ClientApiError(401, 'no valid session: log in (again)');
      if (!deps.asyncCalls) throw new ClientApiError(404, 'unknown asynchronous call', { field: 'params.id' });
      const r = await deps.asyncCalls.poll(user.sessionId, body.params.id);
      switch (r.state) {
        case 'running':
          return { done: false };
        case 'unknown':
          throw new ClientApiError(404, 'unknown asynchronous call (or its answer was already fetched)', { field: 'params.id' });
        case 'lost':
          throw new ClientApiError(503, 'the instance running this microflow call stopped before it finished; nothing it did was kept');
        case 'done':
          return reply.code(r.status).type(JSON_CONTENT_TYPE).send(r.body);
      }
    },
  });
}

/**
 * A state-changing operation sent with an Idempotency-Key: the answer
 * remembered for the key is sent again (422 when the key came with another
 * request); else the operation runs, claiming the key in its transaction. A
 * duplicate sent while the first ran waited on the claim and then answers
 * with the first's answer.
 */
async function keyedOperation(
  deps: ActionDeps,
  store: IdempotencyStore,
  key: string,
  user: UserContext,
  op: RuntimeOperation,
  req: OperationRequest,
  request: FastifyRequest,
  reply: FastifyReply,
  signal: StopSignal | undefined,
): Promise<unknown> {
  const id = store.recordId(user, key);
  const fingerprint = store.fingerprint(request.body);
  const first = await store.find(id, fingerprint);
  if (first) return replay(reply, first);
  try {
    const out = await executeOperation({ ...deps.handler, user, once: store.once(id, fingerprint), ...(signal ? { signal } : {}) }, op, req);
    return out instanceof JsonText ? reply.type(JSON_CONTENT_TYPE).send(out.body()) : out;
  } catch (e) {
    if (!(e instanceof AlreadyDone)) throw e;
    const done = await store.find(id, fingerprint);
    if (!done) throw new ClientApiError(409, 'a request with this Idempotency-Key is still in progress', { field: 'Idempotency-Key' });
    return replay(reply, done);
  }
}

/**
 * `get_session_data`: the user, roles, CSRF token and the model metadata the
 * client needs. Without a session in an app with an anonymous role: the
 * anonymous role's data with no user and no token, and no session is created
 * (the client's first request that needs one starts it).
 */
export function sessionDataAction(deps: ActionDeps): XasAction {
  return xasAction(PlainRequest, {
    requiresCsrf: false,
    async handler(_body, request) {
      const user = await deps.session.viewerOf(request);
      const securityLevel = deps.model.security.level;
      if (!user) return { user: null, roles: [], csrftoken: null, anonymous: true, metadata: [], enumerations: [], constants: {}, securityLevel };
      const csrftoken = (await deps.session.csrfTokenOf(request)) ?? null;
      const userJson =
        user.userId === null
          ? null
          : {
              guid: user.userId.toString(),
              objectType: user.userEntity,
              attributes: { Name: { value: user.userName } },
            };
      return {
        user: userJson,
        roles: user.userRoles,
        csrftoken,
        anonymous: user.anonymous,
        timeZone: user.timeZone,
        keepAliveInterval: deps.keepAliveMs,
        ...sessionMetadata(deps.model, user),
        securityLevel,
      };
    },
  });
}

/** `keepalive`: nothing to do beyond what the session guard did (it marks the session active). */
export function keepaliveAction(deps: ActionDeps): XasAction {
  return xasAction(PlainRequest, {
    requiresCsrf: true,
    async handler(_body, request) {
      if (!(await deps.session.contextOf(request))) throw new ClientApiError(401, 'no valid session: log in (again)');
      return {};
    },
  });
}
