import type { Logger } from '../core/logger.js';
import type { CompiledModel } from '../model/compiled/types.js';
import type { ActiveSession, SessionManager } from './sessions/session-manager.js';
import { decideLogin, type LoginFailure, type LoginPolicy } from './login-rules.js';
import { costOf, DummyHash, hashPassword, verifyPassword } from './password.js';
import type { UserStore } from './user-store.js';

export type LoginResult = { readonly ok: true; readonly session: ActiveSession } | { readonly ok: false; readonly reason: LoginFailure };

/**
 * Login with Mendix's rules (login-rules.ts). Every attempt, whatever its
 * outcome, costs exactly one bcrypt comparison (an unknown user is compared
 * against a dummy hash), so the answer time does not tell whether a user
 * exists or is blocked. The reason of a failure is logged, never answered.
 */
export class LoginService {
  private readonly dummy: DummyHash;

  constructor(
    private readonly users: UserStore,
    private readonly sessions: SessionManager,
    private readonly model: CompiledModel,
    private readonly policy: LoginPolicy,
    private readonly cost: number,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
  ) {
    this.dummy = new DummyHash(cost);
  }

  async login(userName: string, password: string): Promise<LoginResult> {
    const user = await this.users.findByName(userName);
    const passwordOk = await verifyPassword(password, user?.passwordHash ?? (await this.dummy.get()));
    const nowMs = this.clock();
    const now = new Date(nowMs);
    const blockedBefore = new Date(nowMs - this.policy.blockDurationMs);
    const decision = decideLogin(user, passwordOk && !!user?.passwordHash, now, this.policy);
    if (!user) return this.fail(userName, 'unknown-user');
    if (decision.ok) {
      // Conditional on the user not being blocked: a parallel attempt may have blocked it meanwhile.
      if (!(await this.users.recordSuccess(user.id, now, blockedBefore))) return this.fail(userName, 'blocked');
      // A hash made at another cost is renewed at the configured one, so that every
      // user's check (and the dummy's) costs the same again.
      if (costOf(user.passwordHash!) !== this.cost) await this.users.setPassword(user.id, await hashPassword(password, this.cost));
      const roles = await this.users.roleNames(user.id);
      const session = await this.sessions.create({ id: user.id, name: user.name, entity: user.entity, roles, anonymous: false });
      this.log.info({ user: user.name }, 'login');
      return { ok: true, session };
    }
    if (decision.update?.blocked === false) await this.users.unblockExpired(blockedBefore, user.id);
    if (decision.reason === 'wrong-password') {
      // The block refuses new logins only: the user's open sessions go on, so that
      // someone who knows a user name cannot end that user's work with wrong passwords.
      const blockedNow = await this.users.recordFailure(user.id, now, this.policy.maxAttempts, this.policy.blockingEnabled);
      if (blockedNow) this.log.warn({ user: user.name }, 'user blocked after too many failed logins (open sessions kept)');
    }
    return this.fail(userName, decision.reason);
  }

  private fail(userName: string, reason: LoginFailure): LoginResult {
    this.log.info({ user: userName, reason }, 'login failed');
    return { ok: false, reason };
  }

  get securityLevel(): CompiledModel['security']['level'] {
    return this.model.security.level;
  }
}
