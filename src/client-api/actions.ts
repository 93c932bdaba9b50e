import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../core/logger.js';
import type { XasAction } from '../http/xas.js';
import { DatabaseConnectionError, DeletePreventedError, UniqueViolationError, ValueOutOfRangeError } from '../data/index.js';
import type { CompiledModel } from '../model/compiled/types.js';
import { hasAnyRole } from '../security/document-access.js';
import type { UserContext } from '../security/user-context.js';
import { ValidationFailed } from './backend.js';
import { ClientApiError, notAllowed } from './errors.js';
import { executeOperation, type HandlerContext } from './operations/handlers.js';
import { JSON_CONTENT_TYPE, JsonText } from './protocol/json-text.js';
import { parseRuntimeOperation } from './protocol/request.js';
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

/** `runtimeOperation`: look the id up, check the caller's module roles, execute. */
export function runtimeOperationAction(deps: ActionDeps): XasAction {
  const idLog = deps.log.child({ node: 'IDResolution' });
  return {
    requiresCsrf: true,
    async handler(body, request, reply) {
      try {
        const req = parseRuntimeOperation(body);
        const op = deps.registry.get(req.operationId);
        if (!op) throw new ClientApiError(404, `unknown operation '${req.operationId}'`, { field: 'operationId' });
        const user = await deps.session.contextOf(request);
        if (!user) throw new ClientApiError(401, 'no valid session: log in (again)');
        if (idLog.isLevelEnabled('debug')) idLog.debug({ operationId: op.id, type: op.type, constants: op.constants, params: req.params }, 'runtime operation resolved');
        if (!hasAnyRole(deps.model, user, op.allowedRoles)) throw notAllowed();
        const out = await executeOperation({ ...deps.handler, user }, op, req);
        return out instanceof JsonText ? reply.type(JSON_CONTENT_TYPE).send(out.text) : out;
      } catch (e) {
        return sendError(reply, e, deps.log);
      }
    },
  };
}

/** `get_session_data`: the user, roles, CSRF token and the model metadata the client needs. */
export function sessionDataAction(deps: ActionDeps): XasAction {
  return {
    requiresCsrf: false,
    async handler(_body, request, reply) {
      try {
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
      } catch (e) {
        return sendError(reply, e, deps.log);
      }
    },
  };
}

/** `keepalive`: nothing to do beyond what the session guard did (it marks the session active). */
export function keepaliveAction(deps: ActionDeps): XasAction {
  return {
    requiresCsrf: true,
    async handler(_body, request, reply) {
      try {
        if (!(await deps.session.contextOf(request))) throw new ClientApiError(401, 'no valid session: log in (again)');
        return {};
      } catch (e) {
        return sendError(reply, e, deps.log);
      }
    },
  };
}

/**
 * Errors as JSON with their status, mapped in one place: the database being
 * away is 503, a prevented delete 409 with the model's message, a duplicate 409.
 * Anything else is logged and answered 500 without details.
 */
function sendError(reply: FastifyReply, e: unknown, log: Logger): FastifyReply {
  if (e instanceof ClientApiError) return reply.code(e.status).send(e.toJSON());
  if (e instanceof ValidationFailed) {
    const datavalidation: Record<string, Record<string, string>> = {};
    for (const f of e.feedback) (datavalidation[f.guid] ??= {})[f.member] = f.message;
    return reply.code(422).send({ error: 'validation failed', datavalidation });
  }
  if (e instanceof DatabaseConnectionError) return reply.code(503).send({ error: 'the database is not available' });
  if (e instanceof DeletePreventedError) return reply.code(409).send({ error: e.message });
  if (e instanceof UniqueViolationError) return reply.code(409).send({ error: 'another object already has this value' });
  if (e instanceof ValueOutOfRangeError) return reply.code(400).send({ error: e.message, field: e.attribute });
  log.error({ err: e }, 'runtime operation failed');
  return reply.code(500).send({ error: 'internal error' });
}
