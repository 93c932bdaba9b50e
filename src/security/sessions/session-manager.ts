import { randomBytes, randomUUID } from 'node:crypto';
import type { Queryable } from '../../data/index.js';
import type { CompiledModel } from '../../model/compiled/types.js';
import { userContextFor } from '../contexts.js';
import type { UserContext } from '../user-context.js';
import type { SessionStore, StoredSession } from './session-store.js';

export interface SessionOptions {
  /** SessionTimeout: inactivity after which a session expires. */
  readonly timeoutMs: number;
  /** SessionValidationTimeout: how long a validated session is trusted from memory. */
  readonly validationMs: number;
}

/** A valid session as a request sees it. */
export interface ActiveSession {
  readonly sessionId: string;
  readonly csrfToken: string;
  readonly context: UserContext;
}

/**
 * Whether a cookie's value could name a session at all: printable ASCII, at
 * most 200 characters. Anything else (a NUL, which PostgreSQL refuses in text;
 * other control characters; megabytes) names no session, as an unknown id
 * does, without asking the database.
 */
function couldBeSessionId(id: string): boolean {
  return id.length > 0 && id.length <= 200 && /^[\x21-\x7e]+$/.test(id);
}

interface CacheEntry {
  readonly stored: StoredSession;
  readonly active: ActiveSession;
  readonly validatedAt: number;
}

export interface SessionUserRef {
  readonly id: bigint;
  readonly name: string;
  readonly entity: string;
  readonly roles: readonly string[];
  readonly anonymous: boolean;
}

/**
 * Persistent sessions (seed 003): every session is a System.Session row, so
 * any instance can serve any request. A request's session is looked up in one
 * query and then trusted from memory for SessionValidationTimeout (a session
 * ended on another instance may live that long here, as in Mendix). The
 * last-active time is remembered in memory on each request and written by
 * `flush` (run every SessionKeepAliveUpdatesInterval), never per request.
 */
export class SessionManager {
  private readonly cache = new Map<string, CacheEntry>();
  /** Session id -> last activity seen here (epoch ms); kept after a flush, for the expiry check. */
  private readonly seen = new Map<string, number>();
  /** Sessions whose activity seen here is not yet written. */
  private readonly pending = new Set<string>();

  constructor(
    private readonly store: SessionStore,
    private readonly model: CompiledModel,
    private readonly opts: SessionOptions,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Starts a new session for a user: new random id and CSRF token (a login never reuses an id). */
  async create(user: SessionUserRef): Promise<ActiveSession> {
    const sessionId = randomUUID();
    const csrfToken = randomBytes(24).toString('base64url');
    const now = this.clock();
    const objectId = await this.store.create({ sessionId, csrfToken, userId: user.id, now: new Date(now) });
    const stored: StoredSession = {
      objectId, sessionId, csrfToken, lastActive: new Date(now), userId: user.id, userName: user.name, userEntity: user.entity,
      userActive: true, userBlocked: false, anonymous: user.anonymous, userRoles: [...user.roles].sort(),
    };
    const entry = this.entry(stored, now);
    this.cache.set(sessionId, entry);
    return entry.active;
  }

  private entry(stored: StoredSession, now: number): CacheEntry {
    const context = userContextFor(this.model, {
      userId: stored.userId, userName: stored.userName, userEntity: stored.userEntity, userRoles: stored.userRoles,
      anonymous: stored.anonymous, sessionId: stored.sessionId, sessionObjectId: stored.objectId,
    });
    return { stored, validatedAt: now, active: { sessionId: stored.sessionId, csrfToken: stored.csrfToken, context } };
  }

  /**
   * The valid session with this id, or undefined (unknown, ended, expired, or
   * its user blocked or deactivated). Marks the session active.
   */
  async resolve(sessionId: string): Promise<ActiveSession | undefined> {
    if (!couldBeSessionId(sessionId)) return undefined;
    const now = this.clock();
    let entry = this.cache.get(sessionId);
    if (!entry || now - entry.validatedAt >= this.opts.validationMs) {
      const stored = await this.store.find(sessionId);
      if (!stored || !stored.userActive || stored.userBlocked) {
        this.forget(sessionId);
        if (stored) await this.store.deleteByObjectId(stored.objectId);
        return undefined;
      }
      entry = this.entry(stored, now);
      this.cache.set(sessionId, entry);
    }
    const last = Math.max(entry.stored.lastActive?.getTime() ?? 0, this.seen.get(sessionId) ?? 0);
    if (now - last > this.opts.timeoutMs) {
      this.forget(sessionId);
      await this.store.deleteByObjectId(entry.stored.objectId);
      return undefined;
    }
    this.seen.set(sessionId, now);
    this.pending.add(sessionId);
    return entry.active;
  }

  /** Logout: the session row goes at once. */
  async end(sessionId: string): Promise<void> {
    if (!couldBeSessionId(sessionId)) return;
    this.forget(sessionId);
    await this.store.deleteBySessionId(sessionId);
  }

  /**
   * Ends every session of a user (blocked or deactivated); in `tx` when given
   * (the commit that disabled the user). With `except` (a session object id)
   * that one session stays: the one that changed the user's password.
   */
  async endAllOf(userId: bigint, tx?: Queryable, except?: bigint): Promise<number> {
    for (const [id, e] of this.cache) if (e.stored.userId === userId && e.stored.objectId !== except) this.forget(id);
    return this.store.deleteOfUser(userId, tx, except);
  }

  private forget(sessionId: string): void {
    this.cache.delete(sessionId);
    this.seen.delete(sessionId);
    this.pending.delete(sessionId);
  }

  /** Writes the remembered last-active times; returns how many sessions were written. */
  async flush(): Promise<number> {
    const entries = [...this.pending].map((sessionId) => ({ sessionId, lastActive: new Date(this.seen.get(sessionId) ?? this.clock()) }));
    this.pending.clear();
    if (entries.length) {
      try {
        await this.store.touch(entries);
      } catch (e) {
        // Keep them for the next flush rather than lose activity.
        for (const { sessionId } of entries) if (this.seen.has(sessionId)) this.pending.add(sessionId);
        throw e;
      }
    }
    // Entries not validated for a while are dropped (and looked up again if the session comes back).
    const now = this.clock();
    for (const [id, e] of this.cache) {
      if (now - e.validatedAt >= this.opts.validationMs && !this.pending.has(id)) { this.cache.delete(id); this.seen.delete(id); }
    }
    return entries.length;
  }

  /**
   * The periodic clean-up (leader's action in a cluster; idempotent, so safe
   * on every instance): flush first, so this instance's own activity counts,
   * then delete expired sessions, sessions of blocked or inactive users, and
   * anonymous users left without a session.
   */
  async cleanup(): Promise<{ expired: number; disabled: number; anonymousUsers: number }> {
    await this.flush();
    const expired = await this.store.deleteExpired(new Date(this.clock() - this.opts.timeoutMs));
    const disabled = await this.store.deleteOfDisabledUsers();
    const anonymousUsers = await this.store.deleteOrphanAnonymousUsers();
    return { expired, disabled, anonymousUsers };
  }

  /** Sessions cached in this instance (for statistics). */
  get cachedCount(): number {
    return this.cache.size;
  }
}
