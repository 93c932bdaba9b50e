import type { CSecurity } from '../model/compiled/types.js';

export type PasswordPolicy = CSecurity['passwordPolicy'];

/** The characters Mendix counts as symbols for "require symbol". */
export const POLICY_SYMBOLS = '`~!@#$%^&*()-_=+[{]}\\';

/**
 * Checks a new password against the app's policy. Returns one message per
 * unmet requirement (empty when the password is acceptable), so a form can
 * show them all at once.
 */
export function passwordProblems(policy: PasswordPolicy, password: string): string[] {
  const out: string[] = [];
  if ([...password].length < policy.minLength) out.push(`The password must be at least ${policy.minLength} characters long.`);
  if (policy.requireDigit && !/[0-9]/.test(password)) out.push('The password must contain at least one digit.');
  if (policy.requireMixedCase && !(/\p{Ll}/u.test(password) && /\p{Lu}/u.test(password))) {
    out.push('The password must contain at least one lowercase and one uppercase character.');
  }
  if (policy.requireSymbol && ![...password].some((c) => POLICY_SYMBOLS.includes(c))) {
    out.push(`The password must contain at least one symbol (${POLICY_SYMBOLS.split('').join(' ')}).`);
  }
  return out;
}

class PasswordPolicyError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join(' '));
    this.name = 'PasswordPolicyError';
  }
}

export function assertPasswordAllowed(policy: PasswordPolicy, password: string): void {
  const problems = passwordProblems(policy, password);
  if (problems.length) throw new PasswordPolicyError(problems);
}
