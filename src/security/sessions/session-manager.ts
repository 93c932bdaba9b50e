import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../data/index.js';
import type { CompiledModel } from '../../model/compiled/types.js';
import { userContextFor } from '../contexts.js';
import type { UserContext } from '../user-context.js';
import { csrfTokenFor, secretHash } from './session-secrets.js';
import type { SessionStore, StoredSession } from './session-store.js';

export interface SessionOptions {
  /** SessionTimeout: inactivity after which a session expires. */
  readonly timeoutMs: number;
  /** SessionValidationTimeout: how long a validated session is trusted from memory. */
  readonly validationMs: number;
  /** SessionMaxLifetime: age (from creation) after which a session ends however active it is. */
  readonly maxLifetimeMs: number;
  /** The deployment secret: keys the derivation of CSRF tokens (session-secrets.ts). */
  readonly secret: Buffer;
}

/** A valid session as a request sees it. */
export interface ActiveSession {
  /** The id the cookie carries (the database holds only its hash). */
  readonly sessionId: string;
  /** The CSRF token to hand to the client (derived, never stored). */
  readonly csrfToken: string;
  /** What the database holds for the token: check a client's token with `matchesHash`. */
  readonly csrfHash: string;
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
 *
 * The SessionId and CSRFToken columns hold SHA-256 hashes: the cookie's id is
 * hashed for every lookup, and the CSRF token is derived from the id and the
 * deployment secret when the client needs it. Besides the idle timeout, a
 * session ends SessionMaxLifetime after its creation (createdDate), checked
 * from the row at every validation, so on every instance alike.
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
    const csrfHash = secretHash(csrfTokenFor(this.opts.secret, sessionId));
    const now = this.clock();
    const objectId = await this.store.create({ key: secretHash(sessionId), csrfHash, userId: user.id, now: new Date(now) });
    const stored: StoredSession = {
      objectId,
      csrfHash,
      created: new Date(now),
      lastActive: new Date(now),
      userId: user.id,
      userName: user.name,
      userEntity: user.entity,
      userActive: true,
      userBlocked: false,
      anonymous: user.anonymous,
      userRoles: [...user.roles].sort(),
    };
    // The user's time zone and language, read once here so that the session's requests find it cached
    // (an anonymous user was made just now for this session: it has neither).
    const found = user.anonymous ? undefined : await this.store.find(secretHash(sessionId));
    const withLocale: StoredSession = {
      ...stored,
      ...(found?.timeZone ? { timeZone: found.timeZone } : {}),
      ...(found?.language ? { language: found.language } : {}),
    };
    const entry = this.entry(sessionId, withLocale, now);
    this.cache.set(sessionId, entry);
    return entry.active;
  }

  private entry(sessionId: string, stored: StoredSession, now: number): CacheEntry {
    const context = userContextFor(this.model, {
      userId: stored.userId,
      userName: stored.userName,
      userEntity: stored.userEntity,
      userRoles: stored.userRoles,
      anonymous: stored.anonymous,
      sessionId,
      sessionObjectId: stored.objectId,
      ...(stored.timeZone ? { timeZone: stored.timeZone } : {}),
      ...(stored.language ? { language: stored.language } : {}),
    });
    const csrfToken = csrfTokenFor(this.opts.secret, sessionId);
    return { stored, validatedAt: now, active: { sessionId, csrfToken, csrfHash: stored.csrfHash, context } };
  }

  /**
   * The valid session with this id, or undefined (unknown, ended, expired,
   * older than the maximum lifetime, or its user blocked or deactivated).
   * Marks the session active.
   */
  async resolve(sessionId: string): Promise<ActiveSession | undefined> {
    const hit = this.cached(sessionId);
    if (hit !== null) return hit;
    if (!couldBeSessionId(sessionId)) return undefined;
    const now = this.clock();
    let entry = this.cache.get(sessionId);
    if (!entry || now - entry.validatedAt >= this.opts.validationMs) {
      const stored = await this.store.find(secretHash(sessionId));
      if (!stored || !stored.userActive || stored.userBlocked) {
        this.forget(sessionId);
        if (stored) await this.store.deleteByObjectId(stored.objectId);
        return undefined;
      }
      entry = this.entry(sessionId, stored, now);
      this.cache.set(sessionId, entry);
    }
    const last = Math.max(entry.stored.lastActive?.getTime() ?? 0, this.seen.get(sessionId) ?? 0);
    const created = entry.stored.created?.getTime();
    if (now - last > this.opts.timeoutMs || (created !== undefined && now - created > this.opts.maxLifetimeMs)) {
      this.forget(sessionId);
      await this.store.deleteByObjectId(entry.stored.objectId);
      return undefined;
    }
    this.seen.set(sessionId, now);
    this.pending.add(sessionId);
    return entry.active;
  }

  /**
   * What `resolve` answers when that needs neither the database nor a deletion: the cached
   * session, validated within SessionValidationTimeout and neither idle nor older than its
   * maximum lifetime (marked active, as resolve does), or undefined for an id that can name no
   * session. Null when only `resolve` can answer (not cached, due for validation, or expired).
   * Synchronous, so a request whose session is cached waits for nothing.
   */
  cached(sessionId: string): ActiveSession | undefined | null {
    const entry = this.cache.get(sessionId);
    // A cached id passed couldBeSessionId when it was cached (create's ids are random UUIDs).
    if (!entry) return couldBeSessionId(sessionId) ? null : undefined;
    const now = this.clock();
    if (now - entry.validatedAt >= this.opts.validationMs) return null;
    const last = Math.max(entry.stored.lastActive?.getTime() ?? 0, this.seen.get(sessionId) ?? 0);
    const created = entry.stored.created?.getTime();
    if (now - last > this.opts.timeoutMs || (created !== undefined && now - created > this.opts.maxLifetimeMs)) return null;
    this.seen.set(sessionId, now);
    this.pending.add(sessionId);
    return entry.active;
  }

  /** Logout: the session row goes at once. */
  async end(sessionId: string): Promise<void> {
    if (!couldBeSessionId(sessionId)) return;
    this.forget(sessionId);
    await this.store.deleteByKey(secretHash(sessionId));
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
    const pending = [...this.pending];
    const entries = pending.map((sessionId) => ({ key: secretHash(sessionId), lastActive: new Date(this.seen.get(sessionId) ?? this.clock()) }));
    this.pending.clear();
    if (entries.length) {
      try {
        await this.store.touch(entries);
      } catch (e) {
        // Keep them for the next flush rather than lose activity.
        for (const sessionId of pending) if (this.seen.has(sessionId)) this.pending.add(sessionId);
        throw e;
      }
    }
    // Entries not validated for a while are dropped (and looked up again if the session comes back).
    const now = this.clock();
    for (const [id, e] of this.cache) {
      if (now - e.validatedAt >= this.opts.validationMs && !this.pending.has(id)) {
        this.cache.delete(id);
        this.seen.delete(id);
      }
    }
    return entries.length;
  }

  /**
   * The periodic clean-up (leader's action in a cluster; idempotent, so safe
   * on every instance): flush first, so this instance's own activity counts,
   * then delete expired sessions (idle, or older than the maximum lifetime),
   * sessions of blocked or inactive users, and anonymous users left without
   * a session.
   */
  async cleanup(): Promise<{ expired: number; disabled: number; anonymousUsers: number }> {
    await this.flush();
    const now = this.clock();
    const expired =
      (await this.store.deleteExpired(new Date(now - this.opts.timeoutMs))) + (await this.store.deleteOlderThan(new Date(now - this.opts.maxLifetimeMs)));
    const disabled = await this.store.deleteOfDisabledUsers();
    const anonymousUsers = await this.store.deleteOrphanAnonymousUsers();
    return { expired, disabled, anonymousUsers };
  }

  /** Sessions cached in this instance (for statistics). */
  get cachedCount(): number {
    return this.cache.size;
  }
}
