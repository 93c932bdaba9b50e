import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { CompiledModel } from '../model/compiled/types.js';
import { openContext, userContextFor } from './contexts.js';
import { withRequestLanguage } from './request-language.js';
import { tooManyRequests, type AddressThrottle } from './sessions/address-throttle.js';
import { readCookie, setSessionCookie, SESSION_COOKIE } from './sessions/cookies.js';
import type { ActiveSession, SessionManager } from './sessions/session-manager.js';
import type { SessionsService } from './services.js';
import type { UserContext } from './user-context.js';
import type { UserStore } from './user-store.js';

/** The request's session from its cookie, looked up once per request. */
export interface SessionResolver {
  (request: FastifyRequest): Promise<ActiveSession | undefined>;
  /** Records the session created for a request (an anonymous one) as its session. */
  remember(request: FastifyRequest, session: ActiveSession): void;
  /** Whether the request's session was created by this request (remember). */
  createdHere(request: FastifyRequest): boolean;
}

export function sessionResolver(mgr: SessionManager): SessionResolver {
  // The lookup is kept on the request itself under a key of this resolver, not in a WeakMap: a
  // WeakMap entry per request gave each request an identity hash and the GC an ephemeron to
  // trace. The key is a symbol no other code holds; the request object lives as long as before.
  const resolved = Symbol('kiln session lookup');
  const created = new WeakSet<FastifyRequest>();
  type WithLookup = FastifyRequest & { [resolved]?: Promise<ActiveSession | undefined> };
  const resolve = (request: FastifyRequest): Promise<ActiveSession | undefined> => {
    let p = (request as WithLookup)[resolved];
    if (!p) {
      const id = readCookie(request, SESSION_COOKIE);
      p = id ? mgr.resolve(id) : Promise.resolve(undefined);
      (request as WithLookup)[resolved] = p;
    }
    return p;
  };
  return Object.assign(resolve, {
    remember: (request: FastifyRequest, session: ActiveSession) => {
      (request as WithLookup)[resolved] = Promise.resolve(session);
      created.add(request);
    },
    createdHere: (request: FastifyRequest) => created.has(request),
  });
}

/**
 * The anonymous role's context without a session (no user, no rows): what a
 * client that has not yet done anything needing state is shown (session data,
 * page definitions). Its first request that needs a session creates one.
 */
function anonymousViewer(model: CompiledModel, role: string): UserContext {
  return {
    ...userContextFor(model, {
      userId: 0n,
      userName: '',
      userEntity: 'System.User',
      userRoles: [role],
      anonymous: true,
      sessionId: null,
      sessionObjectId: null,
    }),
    userId: null,
    userName: null,
    userEntity: null,
  };
}

/** The 'sessions' service: the request's user context (security off: the open one), anonymous sessions, flush and clean-up. */
export function sessionsService(
  model: CompiledModel,
  mgr: SessionManager,
  users: UserStore,
  resolveSession: SessionResolver,
  blockDurationMs: number,
  anonymousThrottle: AddressThrottle,
): SessionsService {
  const off = model.security.level === 'off';
  const open = openContext(model);
  const anonymousRole = model.security.anonymousRole;
  const viewer = anonymousRole ? anonymousViewer(model, anonymousRole) : undefined;
  return {
    resolveSession,
    resolveSessionId: (id) => mgr.resolve(id),
    // Each context carries the language the request's texts are rendered in (request-language.ts).
    async contextOf(request) {
      if (off) return withRequestLanguage(model, open, request);
      return withRequestLanguage(model, (await resolveSession(request))?.context, request);
    },
    async resolve(request) {
      if (off) return withRequestLanguage(model, open, request);
      return withRequestLanguage(model, (await resolveSession(request))?.context ?? null, request);
    },
    async viewerOf(request) {
      if (off) return withRequestLanguage(model, open, request);
      return withRequestLanguage(model, (await resolveSession(request))?.context ?? viewer, request);
    },
    async ensureContext(request, reply) {
      if (off) return withRequestLanguage(model, open, request);
      const s = await resolveSession(request);
      if (s || !anonymousRole) return withRequestLanguage(model, s?.context, request);
      // Per client address (request.ip honours TrustProxy): one client cannot fill the session table.
      const wait = anonymousThrottle.take(request.ip);
      if (wait > 0) {
        reply.header('retry-after', String(Math.max(1, Math.ceil(wait / 1000))));
        throw tooManyRequests('new anonymous sessions', wait);
      }
      const roleIds = await users.ensureUserRoles([anonymousRole]);
      const name = `Anonymous_${randomUUID()}`;
      const id = await users.create({ name, passwordHash: null, roleIds: [roleIds.get(anonymousRole)!], isAnonymous: true });
      const created = await mgr.create({ id, name, entity: 'System.User', roles: [anonymousRole], anonymous: true });
      resolveSession.remember(request, created);
      setSessionCookie(request, reply, created.sessionId);
      return withRequestLanguage(model, created.context, request);
    },
    async csrfTokenOf(request) {
      return (await resolveSession(request))?.csrfToken;
    },
    endAllOf: (userId) => mgr.endAllOf(userId),
    flush: () => mgr.flush(),
    async cleanup() {
      const r = await mgr.cleanup();
      const unblocked = await users.unblockExpired(new Date(Date.now() - blockDurationMs));
      return { ...r, unblocked };
    },
  };
}
