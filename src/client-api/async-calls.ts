import { createHash, randomBytes } from 'node:crypto';
import { HttpError, isPublicError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { createTableIfMissing, instanceLive, INSTANCE_TABLE, placeholder, quoteIdentifier, type Database } from '../data/index.js';

/** Long-running microflow calls from the client (`runtimeOperation` with `async: true`) and their answers. */
const TABLE = 'kiln$asynccall';
/** Calls one session may have running on one instance at a time: more get 429 (no unbounded background work per user). */
const MAX_RUNNING_PER_SESSION = 4;
/** Answers nobody fetched are removed after a day. */
const KEEP_MS = 86400000;

/** What a poll sees. */
export type AsyncCallState =
  | { readonly state: 'running' }
  | { readonly state: 'done'; readonly status: number; readonly body: string }
  | { readonly state: 'lost' }
  | { readonly state: 'unknown' };

/**
 * Microflow calls the client started asynchronously: the call runs on the
 * instance that received it, its answer is stored in the database (so a poll
 * through any instance finds it), bound to the session that started it (by a
 * hash of the session id: only that session can read it), and given out once.
 */
export class AsyncCalls {
  private readonly q: (n: string) => string;
  private readonly ph: (i: number) => string;
  private readonly t: string;
  private readonly running = new Set<Promise<void>>();
  private readonly perSession = new Map<string, number>();

  private constructor(
    private readonly db: Database,
    private readonly instanceId: () => string | undefined,
    private readonly liveWindowMs: number,
    private readonly log: Logger,
  ) {
    this.q = (n) => quoteIdentifier(db.dialect, n);
    this.ph = (i) => placeholder(db.dialect, i);
    this.t = this.q(TABLE);
  }

  static async open(db: Database, instanceId: () => string | undefined, liveWindowMs: number, log: Logger): Promise<AsyncCalls> {
    const s = new AsyncCalls(db, instanceId, liveWindowMs, log);
    const q = s.q;
    const text = db.dialect.columnType('String', 0);
    await createTableIfMissing(
      db,
      TABLE,
      `CREATE TABLE IF NOT EXISTS ${s.t} (${q('id')} VARCHAR(64) NOT NULL PRIMARY KEY, ${q('session')} VARCHAR(64) NOT NULL, ${q('xasid')} VARCHAR(64) NULL, ` +
        `${q('status')} INTEGER NULL, ${q('body')} ${text} NULL, ${q('created')} ${db.dialect.bigintType} NOT NULL)`,
    );
    return s;
  }

  /**
   * Starts `call` in the background for the session; resolves to the id the
   * client polls with once the call is recorded.
   */
  async start(sessionId: string, call: () => Promise<string>): Promise<string> {
    const session = sessionHash(sessionId);
    const mine = this.perSession.get(session) ?? 0;
    if (mine >= MAX_RUNNING_PER_SESSION)
      throw new HttpError(429, `too many long-running calls of this session at once (at most ${MAX_RUNNING_PER_SESSION}); wait for one to finish`);
    const id = randomBytes(16).toString('hex');
    const q = this.q;
    await this.db.execute(`DELETE FROM ${this.t} WHERE ${q('created')} < ${this.ph(1)}`, [Date.now() - KEEP_MS]);
    await this.db.execute(
      `INSERT INTO ${this.t} (${q('id')}, ${q('session')}, ${q('xasid')}, ${q('status')}, ${q('body')}, ${q('created')}) VALUES (${this.ph(1)}, ${this.ph(2)}, ${this.ph(3)}, NULL, NULL, ${this.ph(4)})`,
      [id, session, this.instanceId() ?? null, Date.now()],
    );
    this.perSession.set(session, mine + 1);
    const run = (async () => {
      let status = 200;
      let body: string;
      try {
        body = await call();
      } catch (e) {
        if (isPublicError(e)) {
          status = e.status;
          body = JSON.stringify(e.publicBody());
        } else {
          this.log.error({ err: e, asyncCall: id }, 'an asynchronous microflow call failed');
          status = 500;
          body = JSON.stringify({ error: 'internal error' });
        }
      }
      await this.db.execute(`UPDATE ${this.t} SET ${q('status')} = ${this.ph(1)}, ${q('body')} = ${this.ph(2)} WHERE ${q('id')} = ${this.ph(3)}`, [
        status,
        body,
        id,
      ]);
    })()
      .catch((e) => this.log.error({ err: e, asyncCall: id }, 'could not store the answer of an asynchronous microflow call'))
      .finally(() => {
        this.running.delete(run);
        const left = (this.perSession.get(session) ?? 1) - 1;
        if (left > 0) this.perSession.set(session, left);
        else this.perSession.delete(session);
      });
    this.running.add(run);
    return id;
  }

  /**
   * The call's state for this session. A done call's answer is given out
   * once (the row is deleted); a call whose instance is gone (not refreshed
   * within the live window) is lost: its transaction rolled back with it.
   */
  async poll(sessionId: string, id: string): Promise<AsyncCallState> {
    const q = this.q;
    const rows = await this.db.query<Record<string, unknown>>(
      `SELECT ${q('session')} AS ${q('session')}, ${q('xasid')} AS ${q('xasid')}, ${q('status')} AS ${q('status')}, ${q('body')} AS ${q('body')} FROM ${this.t} WHERE ${q('id')} = ${this.ph(1)}`,
      [id],
    );
    const r = rows[0];
    // Another session's call is as unknown as a made-up id.
    if (!r || r.session !== sessionHash(sessionId)) return { state: 'unknown' };
    if (r.status === null || r.status === undefined) {
      if (r.xasid && !(await this.alive(String(r.xasid)))) {
        await this.db.execute(`DELETE FROM ${this.t} WHERE ${q('id')} = ${this.ph(1)}`, [id]);
        return { state: 'lost' };
      }
      return { state: 'running' };
    }
    const gone = await this.db.execute(`DELETE FROM ${this.t} WHERE ${q('id')} = ${this.ph(1)}`, [id]);
    // A poll through another instance took it a moment ago.
    if (gone.affectedRows === 0) return { state: 'unknown' };
    return { state: 'done', status: Number(r.status), body: String(r.body) };
  }

  private async alive(xasid: string): Promise<boolean> {
    const q = this.q;
    try {
      const rows = await this.db.query(
        `SELECT 1 AS ${q('x')} FROM ${q(INSTANCE_TABLE)} WHERE ${q('xasid')} = ${this.ph(1)} AND ${instanceLive(this.db.dialect.name, q('lastupdate'), this.ph(2))}`,
        [xasid, this.liveWindowMs],
      );
      return rows.length > 0;
    } catch {
      // No instance table (no cluster component): this single instance is the one that runs it.
      return true;
    }
  }

  /** Waits up to `ms` for the calls running here (a graceful stop); those still running then end with the process. */
  async drain(ms: number): Promise<void> {
    if (this.running.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all([...this.running]), new Promise((r) => (timer = setTimeout(r, ms)))]);
    clearTimeout(timer);
  }
}

function sessionHash(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('hex');
}
