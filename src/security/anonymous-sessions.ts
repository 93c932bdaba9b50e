import type { FastifyReply, FastifyRequest } from 'fastify';
import type { XasDispatcher } from '../http/xas.js';
import type { CompiledModel } from '../model/compiled/types.js';
import type { SessionsService } from './services.js';
import type { SessionResolver } from './sessions-service.js';

/** State-changing actions that never start a session: without one there is nothing to end or keep alive. */
const NO_NEW_SESSION = new Set(['logout', 'keepalive']);

/**
 * Anonymous sessions only when needed. In an app with an anonymous role, a
 * client without a session is shown the anonymous role's session data and
 * pages without any row being written (viewerOf); its first request that
 * needs a session (a runtime operation: data, microflows, commits) starts
 * one here: user and session rows, the cookie, and the CSRF token in the
 * X-Csrf-Token response header. Only a request that carries no CSRF token
 * does: a client that sends one believes it has a session, and losing it is a
 * 401 (so a client never silently continues in a new session). Creation is
 * throttled per client address (ensureContext: 429 with Retry-After).
 *
 * That request's own CSRF check is moot (the CSRF guard lets it pass): it
 * carried no session, so it cannot act with anyone's authority but a new
 * anonymous user's, which anybody may get.
 */
export function addAnonymousSessionGuard(xas: XasDispatcher, model: CompiledModel, sessions: SessionsService, resolveSession: SessionResolver): void {
  if (model.security.level === 'off' || !model.security.anonymousRole) return;
  // A plain true for the requests that cannot start a session (nearly all): no promise for them.
  xas.addGuard((name, action, request, reply) => {
    if (!action.requiresCsrf || NO_NEW_SESSION.has(name) || request.headers['x-csrf-token'] !== undefined) return true;
    return startIfNone(sessions, resolveSession, request, reply);
  });
}

async function startIfNone(sessions: SessionsService, resolveSession: SessionResolver, request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
  if (await resolveSession(request)) return true;
  await sessions.ensureContext(request, reply);
  const created = await resolveSession(request);
  if (created) reply.header('x-csrf-token', created.csrfToken);
  return true;
}
