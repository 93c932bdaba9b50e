import { isIPv6 } from 'node:net';

/**
 * Per client address throttle of login attempts (LoginThrottleAttempts within
 * LoginThrottleWindow). An attempt takes a slot when it starts and gives it
 * back when it succeeds, so what counts is failed attempts plus attempts
 * under way: a burst of parallel guesses is bounded as well as a slow series,
 * while users who log in successfully (many behind one office address) never
 * use the budget up.
 *
 * In memory, per instance: behind a load balancer with N instances an
 * address gets up to N times the budget. Blocking a user after
 * LoginMaxAttempts failures stays in the database and counts across the
 * cluster; this throttle only bounds how fast one address can try.
 *
 * An IPv6 address counts by its /64 prefix (what one subscriber usually
 * holds); an IPv4-mapped IPv6 address counts as its IPv4 address.
 */
export type ThrottleAnswer = { readonly allowed: true; release(): void } | { readonly allowed: false; readonly retryAfterSeconds: number };

/** Above this many addresses, entries whose attempts are all outside the window are swept. */
const SWEEP_ABOVE = 10000;

export class LoginThrottle {
  /** Address key -> start times (epoch ms) of the attempts that count, oldest first. */
  private readonly attempts = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Takes a slot for an attempt from `address`, or says how long to wait. Call `release()` when the attempt succeeded. */
  attempt(address: string): ThrottleAnswer {
    if (this.limit <= 0) return { allowed: true, release: () => {} };
    const now = this.clock();
    const key = addressKey(address);
    const list = (this.attempts.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (list.length >= this.limit) {
      this.attempts.set(key, list);
      const retryAfterMs = list[0]! + this.windowMs - now;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) };
    }
    if (!this.attempts.has(key) && this.attempts.size >= SWEEP_ABOVE) this.sweep(now);
    list.push(now);
    this.attempts.set(key, list);
    let released = false;
    return {
      allowed: true,
      release: () => {
        if (released) return;
        released = true;
        const current = this.attempts.get(key);
        const i = current?.indexOf(now) ?? -1;
        if (i >= 0) current!.splice(i, 1);
        if (current?.length === 0) this.attempts.delete(key);
      },
    };
  }

  private sweep(now: number): void {
    for (const [key, list] of this.attempts) {
      if (!list.some((t) => now - t < this.windowMs)) this.attempts.delete(key);
    }
  }
}

/** The key an address counts under: IPv4 as is, IPv6 by its first 64 bits. */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') && tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
