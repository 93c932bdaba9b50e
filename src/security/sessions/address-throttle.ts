import { HttpError } from '../../core/errors.js';

/** Addresses remembered before expired windows are swept (bounds the memory an address spray can take). */
const SWEEP_AT = 10_000;

/**
 * At most `limit` events per client address per window, in this instance's
 * memory (with N instances an address gets up to N times the limit). A fixed
 * window per address: cheap, and enough to stop one client from filling the
 * session table. `limit` 0: no limit.
 */
export class AddressThrottle {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Counts one event for `address`; returns 0 when allowed, else the milliseconds until the address may try again. */
  take(address: string): number {
    if (this.limit <= 0) return 0;
    const now = this.clock();
    if (this.windows.size >= SWEEP_AT) for (const [a, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(a);
    let w = this.windows.get(address);
    if (!w || now - w.start >= this.windowMs) {
      w = { start: now, count: 0 };
      this.windows.set(address, w);
    }
    if (w.count >= this.limit) return w.start + this.windowMs - now;
    w.count++;
    return 0;
  }
}

/** 429 for a throttled client; the caller sets Retry-After (whole seconds) on the reply. */
export function tooManyRequests(what: string, retryAfterMs: number): HttpError {
  return new HttpError(429, `too many ${what} from this address: try again in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s`);
}
