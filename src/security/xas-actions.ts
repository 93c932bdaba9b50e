import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../core/errors.js';
import { xasAction, type XasDispatcher } from '../http/xas.js';
import { LoginRequest, PlainRequest } from '../http/xas-wire.js';
import { clearSessionCookie, readCookie, setSessionCookie, SESSION_COOKIE } from './sessions/cookies.js';
import { matchesSessionToken } from './sessions/session-secrets.js';
import type { ActiveSession, SessionManager } from './sessions/session-manager.js';
import type { LoginService } from './login-service.js';
import type { LoginThrottle } from './login-throttle.js';
import type { SessionResolver } from './sessions-service.js';

/** The one answer to every failed login, whatever the reason. */
const LOGIN_FAILED = { error: 'The user name or password is incorrect.' } as const;

/**
 * The /xas/ actions login and logout. A login first takes a slot of its client
 * address's throttle (request.ip: the proxy's X-Forwarded-For when TrustProxy
 * is set); without one it is answered 429 with Retry-After before any lookup
 * or hash.
 */
export function registerLoginActions(
  xas: XasDispatcher,
  off: boolean,
  login: LoginService,
  mgr: SessionManager,
  resolveSession: SessionResolver,
  throttle: LoginThrottle,
): void {
  xas.register(
    'login',
    xasAction(LoginRequest, {
      requiresCsrf: false,
      malformed: (field) => new HttpError(400, 'malformed login: params.username and params.password must be strings', { field }),
      async handler(body, request, reply) {
        if (off) return reply.code(400).send({ error: "login is not available: the app's security level is off" });
        const { params } = body;
        const slot = throttle.attempt(request.ip);
        if (!slot.allowed) {
          request.log.warn({ address: request.ip, retryAfterSeconds: slot.retryAfterSeconds }, 'login throttled: too many attempts from this address');
          reply.header('Retry-After', String(slot.retryAfterSeconds));
          throw new HttpError(429, `too many login attempts from this address: try again in ${slot.retryAfterSeconds} s`);
        }
        const result = await login.login(params.username, params.password);
        if (!result.ok) return reply.code(401).send(LOGIN_FAILED);
        slot.release();
        // No fixation: whatever session the browser held (anonymous or another user's) ends here.
        const old = readCookie(request, SESSION_COOKIE);
        if (old) await mgr.end(old);
        setSessionCookie(request, reply, result.session.sessionId);
        return reply.code(200).send({ csrftoken: result.session.csrfToken });
      },
    }),
  );
  xas.register(
    'logout',
    xasAction(PlainRequest, {
      requiresCsrf: true,
      async handler(_body, request, reply) {
        const s = await resolveSession(request);
        if (s) await mgr.end(s.sessionId);
        clearSessionCookie(request, reply);
        return reply.code(200).send({});
      },
    }),
  );
}

/** The /xas/ guard: a state-changing action needs a valid session and its CSRF token (header X-Csrf-Token). */
export function addCsrfGuard(xas: XasDispatcher, off: boolean, resolveSession: SessionResolver): void {
  // Synchronous when the session is known at once (resolveSession.now): the dispatcher then awaits nothing.
  xas.addGuard((_name, action, request, reply) => {
    if (off || !action.requiresCsrf) return true;
    const s = resolveSession.now(request);
    return s instanceof Promise ? s.then((found) => csrfCheck(resolveSession, found, request, reply)) : csrfCheck(resolveSession, s, request, reply);
  });
}

function csrfCheck(resolveSession: SessionResolver, s: ActiveSession | undefined, request: FastifyRequest, reply: FastifyReply): boolean | Promise<boolean> {
  if (!s) return refuse(reply, 401, 'no valid session: log in (again)');
  // A session this very request started (anonymous-sessions.ts) has no token to check yet.
  if (resolveSession.createdHere(request)) return true;
  // The database holds the token's hash: compare hashes, in constant time.
  const header = request.headers['x-csrf-token'];
  if (typeof header !== 'string' || !matchesSessionToken(s, header)) return refuse(reply, 403, 'missing or invalid CSRF token (header X-Csrf-Token)');
  return true;
}

/** Answers the refusal and resolves false (the handler must not run) once it is sent. */
async function refuse(reply: FastifyReply, status: number, error: string): Promise<false> {
  await reply.code(status).send({ error });
  return false;
}
