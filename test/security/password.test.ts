import { describe, expect, it } from 'vitest';
import { costOf, DummyHash, hashPassword, isBcryptHash, verifyPassword } from '../../src/security/password.js';
import { passwordProblems, POLICY_SYMBOLS } from '../../src/security/password-policy.js';
import { decideLogin, type LoginPolicy, type LoginUserState } from '../../src/security/login-rules.js';

describe('password hashing', () => {
  it('hashes with bcrypt at the given cost, salted, and verifies', async () => {
    const a = await hashPassword('Secret1!', 5);
    const b = await hashPassword('Secret1!', 5);
    expect(isBcryptHash(a)).toBe(true);
    expect(costOf(a)).toBe(5);
    expect(a).not.toBe(b);
    expect(await verifyPassword('Secret1!', a)).toBe(true);
    expect(await verifyPassword('secret1!', a)).toBe(false);
    expect(await verifyPassword('Secret1!', null)).toBe(false);
    expect(await verifyPassword('Secret1!', 'Secret1!')).toBe(false);
  });

  it("refuses a cost outside bcrypt's range", async () => {
    await expect(hashPassword('x', 3)).rejects.toThrow(/HashAlgorithmCost must be a whole number from 4 to 31, got 3/);
  });

  it('keeps one dummy hash for unknown users', async () => {
    const d = new DummyHash(4);
    expect(await d.get()).toBe(await d.get());
    expect(await verifyPassword('anything', await d.get())).toBe(false);
  });

  it('makes the dummy a well-formed hash at the cost, so that a check against it costs a full comparison', async () => {
    const d = await new DummyHash(10).get();
    expect(isBcryptHash(d)).toBe(true);
    expect(costOf(d)).toBe(10);
    expect(d).not.toBe(await new DummyHash(10).get());
    // bcrypt computes the digest at the hash's cost before it compares: as long as a check against a real hash.
    const real = await hashPassword('Secret1!', 10);
    const time = async (h: string) => {
      const t = performance.now();
      expect(await verifyPassword('Wrong1!', h)).toBe(false);
      return performance.now() - t;
    };
    await time(real);
    const [a, b] = [await time(d), await time(real)];
    expect(a).toBeGreaterThan(b / 3);
  });
});

describe('password policy', () => {
  const policy = { minLength: 8, requireDigit: true, requireSymbol: true, requireMixedCase: true };
  it('lists every unmet requirement', () => {
    expect(passwordProblems(policy, 'abc')).toEqual([
      'The password must be at least 8 characters long.',
      'The password must contain at least one digit.',
      'The password must contain at least one lowercase and one uppercase character.',
      `The password must contain at least one symbol (${POLICY_SYMBOLS.split('').join(' ')}).`,
    ]);
    expect(passwordProblems(policy, 'Abcdefg1!')).toEqual([]);
  });
  it("counts only Mendix's symbols", () => {
    expect(passwordProblems(policy, 'Abcdefg1?')).toHaveLength(1);
    for (const s of POLICY_SYMBOLS) expect(passwordProblems(policy, `Abcdefg1${s}`)).toEqual([]);
  });
  it('applies no requirement beyond length 1 by default', () => {
    const d = { minLength: 1, requireDigit: false, requireSymbol: false, requireMixedCase: false };
    expect(passwordProblems(d, 'a')).toEqual([]);
    expect(passwordProblems(d, '')).toHaveLength(1);
  });
});

describe('login rules', () => {
  const policy: LoginPolicy = { maxAttempts: 3, blockDurationMs: 300000, blockingEnabled: true };
  const user: LoginUserState = { active: true, blocked: false, blockedSince: null, failedLogins: 0, webServiceUser: false, isAnonymous: false };
  const now = new Date('2026-01-01T12:00:00Z');
  const later = (ms: number) => new Date(now.getTime() + ms);

  it('resets the counter and records the login on success', () => {
    expect(decideLogin({ ...user, failedLogins: 2 }, true, now, policy)).toEqual({
      ok: true,
      update: { failedLogins: 0, blocked: false, blockedSince: null, lastLogin: now },
    });
  });
  it('counts failures and blocks at the maximum', () => {
    expect(decideLogin(user, false, now, policy)).toMatchObject({ ok: false, reason: 'wrong-password', update: { failedLogins: 1 } });
    expect(decideLogin({ ...user, failedLogins: 2 }, false, now, policy)).toEqual({
      ok: false,
      reason: 'wrong-password',
      update: { failedLogins: 3, blocked: true, blockedSince: now },
    });
  });
  it("refuses a blocked user's right password during the block, and lets it in after", () => {
    const blocked = { ...user, blocked: true, blockedSince: now, failedLogins: 3 };
    expect(decideLogin(blocked, true, later(299999), policy)).toMatchObject({ ok: false, reason: 'blocked' });
    expect(decideLogin(blocked, true, later(300000), policy)).toMatchObject({ ok: true });
    // After the block a wrong password counts from zero again.
    expect(decideLogin(blocked, false, later(300000), policy)).toMatchObject({ ok: false, update: { blocked: false, failedLogins: 1 } });
  });
  it('keeps a block set by an administrator (no start time)', () => {
    expect(decideLogin({ ...user, blocked: true }, true, later(1e9), policy)).toMatchObject({ ok: false, reason: 'blocked' });
  });
  it('does not block below production', () => {
    expect(decideLogin({ ...user, failedLogins: 5 }, false, now, { ...policy, blockingEnabled: false })).toMatchObject({ update: { failedLogins: 6 } });
  });
  it('refuses unknown, inactive, web-service and anonymous users', () => {
    expect(decideLogin(undefined, false, now, policy)).toMatchObject({ ok: false, reason: 'unknown-user' });
    expect(decideLogin({ ...user, active: false }, true, now, policy)).toMatchObject({ ok: false, reason: 'inactive' });
    expect(decideLogin({ ...user, webServiceUser: true }, true, now, policy)).toMatchObject({ ok: false, reason: 'web-service-user' });
    expect(decideLogin({ ...user, isAnonymous: true }, true, now, policy)).toMatchObject({ ok: false, reason: 'anonymous-user' });
  });
});
