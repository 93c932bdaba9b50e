import type { Logger } from '../core/logger.js';

/** Periodic jobs that log their failures; stop() clears them all. */
export class Timers {
  private readonly timers: NodeJS.Timeout[] = [];
  constructor(private readonly log: Logger) {}

  every(ms: number, what: string, fn: () => Promise<unknown>): void {
    const t = setInterval(() => {
      fn().catch((e) => this.log.error({ err: e }, `${what} failed`));
    }, ms);
    t.unref();
    this.timers.push(t);
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
  }
}
