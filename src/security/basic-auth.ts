import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { CompiledModel } from '../model/compiled/types.js';
import { userContextFor } from './contexts.js';
import { decideLogin, type LoginPolicy } from './login-rules.js';
import type { LoginThrottle } from './login-throttle.js';
import { DummyHash, verifyPassword } from './password.js';
import type { UserContext } from './user-context.js';
import type { UserStore } from './user-store.js';

/** How long a verified user name and password are trusted without a new bcrypt comparison. */
const VERIFIED_TTL_MS = 10_000;
const VERIFIED_MAX = 1000;

/**
 * HTTP Basic authentication of published services against the app's users
 * (Mendix: "Username and password"), without a session. Mendix's login rules
 * apply (unknown, blocked, inactive and anonymous users are refused; failures
 * count towards blocking), except that web service users may use it: that is
 * what they are for. Failed attempts take slots of the address's login
 * throttle (429 when used up). Every failure costs one bcrypt comparison, as a
 * login does. A success is remembered for 10 seconds under an HMAC of the
 * credentials (a random key per process), so that an API client's requests do
 * not each pay for bcrypt; a password change or a block takes effect after
 * that time at the latest.
 */
export function basicAuthenticator(
  model: CompiledModel,
  users: UserStore,
  policy: LoginPolicy,
  cost: number,
  throttle: LoginThrottle,
  log: Logger,
): (request: FastifyRequest, userName: string, password: string) => Promise<UserContext | undefined> {
  const dummy = new DummyHash(cost);
  const key = randomBytes(32);
  const verified = new Map<string, { context: UserContext; until: number }>();
  return async (request, userName, password) => {
    const mac = createHmac('sha256', key).update(userName).update('\0').update(password).digest('base64');
    const hit = verified.get(mac);
    if (hit && hit.until > Date.now()) return hit.context;
    if (hit) verified.delete(mac);
    const slot = throttle.attempt(request.ip);
    if (!slot.allowed) {
      throw Object.assign(new HttpError(429, 'too many failed authentication attempts: try again later'), { retryAfter: slot.retryAfterSeconds });
    }
    const user = await users.findByName(userName);
    const passwordOk = await verifyPassword(password, user?.passwordHash ?? (await dummy.get()));
    const now = new Date();
    const decision = decideLogin(user, passwordOk && !!user?.passwordHash, now, policy);
    const ok = user && (decision.ok || (!decision.ok && decision.reason === 'web-service-user'));
    if (!user || !ok) {
      const reason = decision.ok ? 'refused' : decision.reason;
      if (user && reason === 'wrong-password') await users.recordFailure(user.id, now, policy.maxAttempts, policy.blockingEnabled);
      log.info({ user: userName, reason }, 'basic authentication failed');
      return undefined;
    }
    slot.release();
    if (user.failedLogins > 0 || user.blocked) await users.recordSuccess(user.id, now, new Date(now.getTime() - policy.blockDurationMs));
    const context = userContextFor(model, {
      userId: user.id,
      userName: user.name,
      userEntity: user.entity,
      userRoles: await users.roleNames(user.id),
      anonymous: false,
      sessionId: null,
      sessionObjectId: null,
    });
    if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!);
    verified.set(mac, { context, until: Date.now() + VERIFIED_TTL_MS });
    return context;
  };
}
