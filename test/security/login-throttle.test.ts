import { describe, expect, it } from 'vitest';
import bcrypt from 'bcryptjs';
import { HashPool } from '../../src/security/hash-pool.js';
import { addressKey, LoginThrottle } from '../../src/security/login-throttle.js';

describe('LoginThrottle', () => {
  it('counts failed and running attempts per address within the window, and gives the time to wait', () => {
    let now = 1_000_000;
    const th = new LoginThrottle(2, 60000, () => now);
    expect(th.attempt('10.0.0.1').allowed).toBe(true);
    now += 10000;
    expect(th.attempt('10.0.0.1').allowed).toBe(true);
    expect(th.attempt('10.0.0.1')).toEqual({ allowed: false, retryAfterSeconds: 50 });
    expect(th.attempt('10.0.0.2').allowed).toBe(true);
    now += 50000;
    expect(th.attempt('10.0.0.1').allowed).toBe(true);
  });

  it('gives the slot of a successful attempt back', () => {
    const th = new LoginThrottle(1, 60000);
    for (let i = 0; i < 5; i++) {
      const a = th.attempt('10.0.0.1');
      expect(a.allowed).toBe(true);
      if (a.allowed) a.release();
    }
  });

  it('is off at 0', () => {
    const th = new LoginThrottle(0, 60000);
    for (let i = 0; i < 5; i++) expect(th.attempt('10.0.0.1').allowed).toBe(true);
  });

  it('keys IPv6 by /64 and IPv4-mapped addresses by their IPv4 address', () => {
    expect(addressKey('192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0DB8:0001:0002:ffff:0:0:9')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });
});

describe('HashPool', () => {
  it('hashes and compares in worker threads, compatible with bcryptjs, keeping the event loop free', async () => {
    const pool = new HashPool(2);
    try {
      let ticks = 0;
      let worstGap = 0;
      let last = performance.now();
      const timer = setInterval(() => {
        const n = performance.now();
        worstGap = Math.max(worstGap, n - last);
        last = n;
        ticks++;
      }, 5);
      const hashes = await Promise.all(['a', 'b', 'c', 'd'].map((p) => pool.hash(p, 10)));
      clearInterval(timer);
      expect(hashes.every((h) => bcrypt.compareSync(['a', 'b', 'c', 'd'][hashes.indexOf(h)]!, h))).toBe(true);
      expect(await pool.compare('a', hashes[0]!)).toBe(true);
      expect(await pool.compare('b', hashes[0]!)).toBe(false);
      expect(await pool.compare('x', bcrypt.hashSync('x', 4))).toBe(true);
      // Four hashes at cost 10 take a few hundred ms of CPU; the event loop kept ticking meanwhile.
      expect(ticks).toBeGreaterThan(5);
      expect(worstGap, `worst gap between timer ticks ${worstGap.toFixed(0)} ms`).toBeLessThan(250);
    } finally {
      await pool.close();
    }
  });

  it('answers bad arguments with an error, and goes on hashing', async () => {
    const pool = new HashPool(1);
    try {
      await expect(pool.hash(123 as unknown as string, 4)).rejects.toThrow(/Illegal arguments/);
      expect(await pool.compare('a', await pool.hash('a', 4))).toBe(true);
    } finally {
      await pool.close();
    }
  });
});
