/**
 * The login decision as a pure function of the user's stored state, whether
 * the password matched and the clock: Mendix's rules. Kept apart from the
 * database so each rule is testable alone; the login service applies the
 * resulting update in one statement.
 */
export interface LoginUserState {
  readonly active: boolean;
  readonly blocked: boolean;
  readonly blockedSince: Date | null;
  readonly failedLogins: number;
  readonly webServiceUser: boolean;
  readonly isAnonymous: boolean;
}

export interface LoginPolicy {
  /** LoginMaxAttempts: consecutive failures after which the user is blocked. */
  readonly maxAttempts: number;
  /** LoginBlockDuration in milliseconds. */
  readonly blockDurationMs: number;
  /** Blocking applies at the production security level only. */
  readonly blockingEnabled: boolean;
}

export type LoginFailure = 'unknown-user' | 'blocked' | 'wrong-password' | 'inactive' | 'web-service-user' | 'anonymous-user' | 'no-password';

export interface UserUpdate {
  readonly failedLogins?: number;
  readonly blocked?: boolean;
  readonly blockedSince?: Date | null;
  readonly lastLogin?: Date;
}

export type LoginDecision =
  | { readonly ok: true; readonly update: UserUpdate }
  | { readonly ok: false; readonly reason: LoginFailure; readonly update?: UserUpdate };

/** Whether a blocked user is still inside the block. A block without a start time (set by an administrator) does not expire. */
export function isBlocked(user: Pick<LoginUserState, 'blocked' | 'blockedSince'>, now: Date, policy: LoginPolicy): boolean {
  if (!user.blocked) return false;
  if (!user.blockedSince) return true;
  return now.getTime() - user.blockedSince.getTime() < policy.blockDurationMs;
}

export function decideLogin(user: LoginUserState | undefined, passwordOk: boolean, now: Date, policy: LoginPolicy): LoginDecision {
  if (!user) return { ok: false, reason: 'unknown-user' };
  let failedLogins = user.failedLogins;
  let unblock: UserUpdate | undefined;
  if (user.blocked) {
    if (isBlocked(user, now, policy)) return { ok: false, reason: 'blocked' };
    // The block ran out: unblock now rather than wait for the periodic action.
    unblock = { blocked: false, blockedSince: null, failedLogins: 0 };
    failedLogins = 0;
  }
  if (!passwordOk) {
    const failed = failedLogins + 1;
    if (policy.blockingEnabled && failed >= policy.maxAttempts) {
      return { ok: false, reason: 'wrong-password', update: { failedLogins: failed, blocked: true, blockedSince: now } };
    }
    return { ok: false, reason: 'wrong-password', update: { ...unblock, failedLogins: failed } };
  }
  const refuse = !user.active ? 'inactive' : user.webServiceUser ? 'web-service-user' : user.isAnonymous ? 'anonymous-user' : undefined;
  if (refuse) return { ok: false, reason: refuse, ...(unblock ? { update: unblock } : {}) };
  return { ok: true, update: { failedLogins: 0, blocked: false, blockedSince: null, lastLogin: now } };
}
