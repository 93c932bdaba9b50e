import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
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
  /**
   * The same session, without a promise when it is known at once (no cookie, or a session the
   * manager has cached and validated: nearly every request): the per-request checks (the CSRF
   * guard, the client API's user context) then wait for nothing.
   */
  now(request: FastifyRequest): ActiveSession | undefined | Promise<ActiveSession | undefined>;
  /** Records the session created for a request (an anonymous one) as its session. */
  remember(request: FastifyRequest, session: ActiveSession): void;
  /** Whether the request's session was created by this request (remember). */
  createdHere(request: FastifyRequest): boolean;
}

/** A request looked up and found without a session (undefined: not looked up yet). */
const NO_SESSION = null;

type SessionLookup = ActiveSession | typeof NO_SESSION | Promise<ActiveSession | undefined>;

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The request's session lookup (sessionResolver): undefined until looked up. A request
     * decoration (installed by the security component), so that every request object has it from
     * its construction: a property added later, or read while absent, made V8's property loads
     * on requests miss their caches.
     */
    kilnSession: SessionLookup | undefined;
  }
}

/** Gives every request of the server the slot of its session lookup (see FastifyRequest.kilnSession). */
export function decorateSessionLookup(app: FastifyInstance): void {
  app.decorateRequest('kilnSession', undefined);
}

export function sessionResolver(mgr: SessionManager): SessionResolver {
  // The lookup is kept on the request itself (kilnSession), not in a WeakMap: a WeakMap entry per
  // request gave each request an identity hash and the GC an ephemeron to trace.
  const created = new WeakSet<FastifyRequest>();
  const lookup = (request: FastifyRequest): SessionLookup => {
    let l = request.kilnSession;
    if (l === undefined) {
      const id = readCookie(request, SESSION_COOKIE);
      if (!id) l = NO_SESSION;
      else {
        // The manager's synchronous answer when it has one, else its lookup (the database).
        const hit = mgr.cached(id);
        l = hit === null ? mgr.resolve(id) : (hit ?? NO_SESSION);
      }
      request.kilnSession = l;
    }
    return l;
  };
  const now = (request: FastifyRequest): ActiveSession | undefined | Promise<ActiveSession | undefined> => {
    const l = lookup(request);
    return l === NO_SESSION ? undefined : l;
  };
  const resolve = (request: FastifyRequest): Promise<ActiveSession | undefined> => {
    const l = now(request);
    return l instanceof Promise ? l : Promise.resolve(l);
  };
  return Object.assign(resolve, {
    now,
    remember: (request: FastifyRequest, session: ActiveSession) => {
      request.kilnSession = session;
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
  // Without a promise when the session is known at once (resolveSession.now).
  const contextNow = (request: FastifyRequest): UserContext | undefined | Promise<UserContext | undefined> => {
    if (off) return withRequestLanguage(model, open, request);
    const s = resolveSession.now(request);
    if (s instanceof Promise) return s.then((found) => withRequestLanguage(model, found?.context, request));
    return withRequestLanguage(model, s?.context, request);
  };
  return {
    resolveSession,
    resolveSessionId: (id) => mgr.resolve(id),
    // Each context carries the language the request's texts are rendered in (request-language.ts).
    contextOf(request) {
      const c = contextNow(request);
      return c instanceof Promise ? c : Promise.resolve(c);
    },
    contextNow,
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
