import type { FastifyRequest } from 'fastify';
import type { RuntimeContext } from '../core/runtime-context.js';
import { openContext } from '../security/contexts.js';
import type { UserContext } from '../security/user-context.js';

/** The part of the security component's 'sessions' service used here: who a request's page definitions are for. */
export interface SessionResolver {
  viewerOf(request: FastifyRequest): Promise<UserContext | undefined>;
}

/**
 * The user asking for a page definition. Security off: everyone, with every
 * role. Otherwise the session of the request's cookie, as the sessions
 * component resolves it; without a session, the anonymous role when the app
 * has one (no session is created for reading pages); else no user.
 */
export async function resolveUser(ctx: RuntimeContext, request: FastifyRequest): Promise<UserContext | null> {
  if (ctx.model.security.level === 'off') return openContext(ctx.model);
  const sessions: SessionResolver | undefined = ctx.services.get('sessions');
  if (!sessions) return null;
  return (await sessions.viewerOf(request)) ?? null;
}
