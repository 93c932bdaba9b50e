import type { Logger } from '../core/logger.js';
import { xasAction, type XasDispatcher } from '../http/xas.js';
import { ChangePasswordRequest } from '../http/xas-wire.js';
import type { CompiledModel } from '../model/compiled/types.js';
import { PREHASHED_MESSAGE } from './client-passwords.js';
import { hashPassword, isBcryptHash, verifyPassword } from './password.js';
import { passwordProblems } from './password-policy.js';
import type { SessionManager } from './sessions/session-manager.js';
import type { SessionResolver } from './sessions-service.js';
import type { UserStore } from './user-store.js';

/** The one answer to a wrong current password (and to a session without a password to check). */
const WRONG_PASSWORD = { error: 'The current password is incorrect.' } as const;

export interface ChangePasswordDeps {
  readonly model: CompiledModel;
  readonly users: UserStore;
  readonly mgr: SessionManager;
  readonly resolveSession: SessionResolver;
  readonly cost: number;
  /** Failed-login counting: a wrong current password counts as a failed login (blocking at the production level). */
  readonly maxAttempts: number;
  readonly blockingEnabled: boolean;
  readonly log: Logger;
}

/**
 * `/xas/` action `change_password` {params: {oldPassword, newPassword}}: the
 * change-password form Mendix has (old and new password). Needs a session and
 * its CSRF token (the guard); the current password is checked with one bcrypt
 * comparison (401, one answer, counted as a failed login), the new one against
 * the password policy (422 with every unmet requirement), then hashed and
 * stored. The user's other sessions end; this one goes on (same id and token).
 */
export function registerChangePassword(xas: XasDispatcher, d: ChangePasswordDeps): void {
  const policy = d.model.security.passwordPolicy;
  xas.register(
    'change_password',
    xasAction(ChangePasswordRequest, {
      requiresCsrf: true,
      async handler(body, request, reply) {
        if (d.model.security.level === 'off') return reply.code(400).send({ error: "change_password is not available: the app's security level is off" });
        const s = await d.resolveSession(request);
        const user = s && !s.context.anonymous && s.context.userId !== null ? await d.users.findById(s.context.userId) : undefined;
        const { oldPassword, newPassword } = body.params;
        if (!s || !user || !(await verifyPassword(oldPassword, user.passwordHash))) {
          if (user) await d.users.recordFailure(user.id, new Date(), d.maxAttempts, d.blockingEnabled);
          d.log.warn(
            { user: s?.context.userName ?? null, operation: 'change_password', reason: user ? 'wrong current password' : 'no user with a password' },
            'change_password refused',
          );
          return reply.code(401).send(WRONG_PASSWORD);
        }
        const problems = isBcryptHash(newPassword) ? [PREHASHED_MESSAGE] : passwordProblems(policy, newPassword);
        if (problems.length) {
          d.log.info({ user: user.name, operation: 'change_password', reason: 'password policy' }, 'change_password refused');
          return reply.code(422).send({ error: 'The new password does not meet the password policy.', problems });
        }
        await d.users.setPassword(user.id, await hashPassword(newPassword, d.cost));
        const ended = await d.mgr.endAllOf(user.id, undefined, s.context.sessionObjectId ?? undefined);
        d.log.info({ user: user.name, sessionsEnded: ended }, 'password changed');
        return reply.code(200).send({});
      },
    }),
  );
}
