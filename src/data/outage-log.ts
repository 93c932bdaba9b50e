import type { Logger } from '../core/logger.js';

/**
 * Logs a database outage once per incident, not once per request: the first
 * failure to reach the database (error level, with what the driver said) and,
 * when a statement succeeds again, one recovery line with how long it lasted
 * and how many failures it caused. Requests that meet the outage answer 503
 * and log at debug only (DatabaseConnectionError is `loggedOnce`).
 *
 * `ok()` runs after every successful statement: it is one field test while
 * the database is up.
 */
export class OutageLog {
  private since: number | undefined;
  private failures = 0;

  constructor(private readonly log: Logger) {}

  /** The database could not be reached (already translated to a DatabaseConnectionError). */
  failed(err: Error): void {
    this.failures++;
    if (this.since !== undefined) return;
    this.since = Date.now();
    const cause = err.cause instanceof Error ? err.cause.message : undefined;
    this.log.error(
      { error: err.message, ...(cause && cause !== err.message ? { cause } : {}) },
      'database unavailable: requests that need it are answered 503 until it is back',
    );
  }

  /** A statement succeeded: ends the incident, if there is one. */
  ok(): void {
    if (this.since === undefined) return;
    const ms = Date.now() - this.since;
    this.log.info({ downMs: ms, failures: this.failures }, `database available again after ${ms} ms (${this.failures} failure(s))`);
    this.since = undefined;
    this.failures = 0;
  }
}
