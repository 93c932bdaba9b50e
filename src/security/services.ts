import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ActiveSession } from './sessions/session-manager.js';
import type { Queryable } from '../data/index.js';
import type { MxObject } from '../objects/mx-object.js';
import type { EntityAccess } from './entity-access.js';
import type { HashedStringProblem } from './hashed-strings.js';
import type { UserContext } from './user-context.js';

/** Service names the security component provides. */
export const SESSIONS_SERVICE = 'sessions';
export const SECURITY_SERVICE = 'security';

declare module '../core/services.js' {
  interface Services {
    sessions: SessionsService;
    security: SecurityService;
  }
}

/**
 * Sessions as the other components see them (client API, file handlers,
 * published services). Every answer is checked against the database (cached
 * for SessionValidationTimeout); nothing is taken from the client but the
 * session cookie and the CSRF header.
 */
export interface SessionsService {
  /** The request's valid session (cookie XASSESSIONID), looked up once per request; undefined when none. */
  resolveSession(request: FastifyRequest): Promise<ActiveSession | undefined>;
  /** The same for a session id that arrived another way (tests, other transports). */
  resolveSessionId(sessionId: string): Promise<ActiveSession | undefined>;
  /**
   * Who is asking: the session's user context; with security off an open
   * context (no login); undefined when there is no valid session.
   */
  contextOf(request: FastifyRequest): Promise<UserContext | undefined>;
  /** contextOf without a promise when the session is known at once (a cached session: nearly every request). */
  contextNow?(request: FastifyRequest): UserContext | undefined | Promise<UserContext | undefined>;
  /** contextOf with null for "no user" (the browser client's page definitions use this shape). */
  resolve(request: FastifyRequest): Promise<UserContext | null>;
  /**
   * Who may look (session data, page definitions): as contextOf, but without a
   * valid session in an app that allows anonymous users, the anonymous role's
   * context without a session (creates nothing).
   */
  viewerOf(request: FastifyRequest): Promise<UserContext | undefined>;
  /**
   * As contextOf, but when there is no valid session and the app allows
   * anonymous users, creates an anonymous user and session and sets the
   * cookie (for the client's first request that needs a session). At most
   * AnonymousSessionRateLimit per client address per minute: then HttpError
   * 429 with Retry-After.
   */
  ensureContext(request: FastifyRequest, reply: FastifyReply): Promise<UserContext | undefined>;
  /** The CSRF token of the request's session (get_session_data returns it). */
  csrfTokenOf(request: FastifyRequest): Promise<string | undefined>;
  /**
   * HTTP Basic authentication for published services (./basic-auth.ts): the
   * user's context without a session, undefined when refused; HttpError 429
   * when the address used up its login attempts.
   */
  authenticateBasic?(request: FastifyRequest, userName: string, password: string): Promise<UserContext | undefined>;
  /**
   * The context (without a session) of a user a custom authentication
   * microflow returned (./service-users.ts); undefined when the user may not
   * log in (inactive, blocked, anonymous).
   */
  contextOfUser?(userId: bigint): Promise<UserContext | undefined>;
  /** Ends every session of a user: call after blocking or deactivating a user. */
  endAllOf(userId: bigint): Promise<number>;
  /** Writes remembered last-active times now (also runs periodically). */
  flush(): Promise<number>;
  /** Expired sessions, sessions of disabled users, orphan anonymous users; blocked users whose block ran out. */
  cleanup(): Promise<{ expired: number; disabled: number; anonymousUsers: number; unblocked: number }>;
}

export interface SecurityService {
  entityAccess(user: UserContext, entity: string): EntityAccess;
  canOpenPage(user: UserContext, page: string): boolean;
  canCallMicroflow(user: UserContext, microflow: string): boolean;
  hasAnyRole(user: UserContext, allowedRoles: readonly string[]): boolean;
  /** Problems of a new password under the app's policy (empty = acceptable). */
  passwordProblems(password: string): string[];
  /** Checks the policy (throws PasswordPolicyError) and hashes with bcrypt at HashAlgorithmCost. */
  hashNewPassword(password: string): Promise<string>;
  verifyPassword(password: string, hash: string | null): Promise<boolean>;
  /**
   * Call before committing objects, in the commit's transaction: checks the
   * password policy on every changed HashedString attribute and replaces its
   * value by the bcrypt hash, and ends (in `tx`) the sessions of users this
   * commit deactivates or blocks, and the other sessions of users whose
   * password it changes (`actingSession`, the System.Session object id of the
   * session committing, stays). Returns the policy problems (then do not
   * commit: answer them as validation feedback).
   */
  beforeCommit(objects: readonly MxObject[], tx: Queryable, actingSession?: bigint | null): Promise<HashedStringProblem[]>;
}
