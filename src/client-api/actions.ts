import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../core/logger.js';
import { requestSignal } from '../http/deadline.js';
import { xasAction, type XasAction } from '../http/xas.js';
import { PlainRequest, RuntimeOperationRequest } from '../http/xas-wire.js';
import type { CompiledModel } from '../model/compiled/types.js';
import { hasAnyRole } from '../security/document-access.js';
import type { UserContext } from '../security/user-context.js';
import { ClientApiError, notAllowed } from './errors.js';
import { executeOperation, type HandlerContext } from './operations/handlers.js';
import { JSON_CONTENT_TYPE, JsonText } from './protocol/json-text.js';
import { toRuntimeOperation } from './protocol/request.js';
import type { OperationRegistry } from './registry/types.js';
import { sessionMetadata } from './session-data.js';

/**
 * Who is asking: the part of the security component's 'sessions' service the
 * client API uses (its SessionsService satisfies this).
 */
export interface SessionAccess {
  /** The session's user context (an open context with security off); undefined without a valid session. */
  contextOf(request: FastifyRequest): Promise<UserContext | undefined>;
  /** As contextOf, creating an anonymous session when the app allows anonymous users. */
  ensureContext(request: FastifyRequest, reply: FastifyReply): Promise<UserContext | undefined>;
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
}

/**
 * `runtimeOperation`: look the id up, check the caller's module roles, execute.
 * The dispatcher has checked the body against its schema; errors thrown here
 * are answered by the HTTP server's error handler (400, 401, 403, 404, 409,
 * 422, 503; anything else 500 without details).
 */
export function runtimeOperationAction(deps: ActionDeps): XasAction {
  const idLog = deps.log.child({ node: 'IDResolution' });
  return xasAction(RuntimeOperationRequest, {
    requiresCsrf: true,
    async handler(body, request, reply) {
      const req = toRuntimeOperation(body);
      const op = deps.registry.get(req.operationId);
      if (!op) throw new ClientApiError(404, `unknown operation '${req.operationId}'`, { field: 'operationId' });
      const user = await deps.session.contextOf(request);
      if (!user) throw new ClientApiError(401, 'no valid session: log in (again)');
      if (idLog.isLevelEnabled('debug')) idLog.debug({ operationId: op.id, type: op.type, constants: op.constants, params: req.params }, 'runtime operation resolved');
      if (!hasAnyRole(deps.model, user, op.allowedRoles)) throw notAllowed();
      // Only operations that write take the signal (a retrieve is bounded by the statement timeout and the deadline's answer).
      const signal = op.type === 'retrieve' ? undefined : requestSignal(request);
      const out = await executeOperation({ ...deps.handler, user, ...(signal ? { signal } : {}) }, op, req);
      return out instanceof JsonText ? reply.type(JSON_CONTENT_TYPE).send(out.text) : out;
    },
  });
}

/** `get_session_data`: the user, roles, CSRF token and the model metadata the client needs. */
export function sessionDataAction(deps: ActionDeps): XasAction {
  return xasAction(PlainRequest, {
    requiresCsrf: false,
    async handler(_body, request, reply) {
      const user = await deps.session.ensureContext(request, reply);
      const securityLevel = deps.model.security.level;
      if (!user) return { user: null, roles: [], csrftoken: null, anonymous: true, metadata: [], enumerations: [], constants: {}, securityLevel };
      const csrftoken = (await deps.session.csrfTokenOf(request)) ?? null;
      const userJson = user.userId === null ? null : {
        guid: user.userId.toString(), objectType: user.userEntity, attributes: { Name: { value: user.userName } },
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
