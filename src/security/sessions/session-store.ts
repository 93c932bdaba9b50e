import type { Database, Queryable } from '../../data/database.js';
import { idFromDb, idToDb } from '../../data/values.js';
import type { ObjectWriter } from '../object-writer.js';
import type { SystemTables } from '../system-tables.js';

/** A session with its user, as one lookup returns it. */
export interface StoredSession {
  readonly objectId: bigint;
  /** SHA-256 of the CSRF token (session-secrets.ts). */
  readonly csrfHash: string;
  /** When the session began (createdDate): SessionMaxLifetime counts from here. */
  readonly created: Date | null;
  readonly lastActive: Date | null;
  readonly userId: bigint;
  readonly userName: string;
  readonly userEntity: string;
  readonly userActive: boolean;
  /**
   * Blocked by an administrator (Blocked without BlockedSince): the user's sessions end.
   * A block from failed logins (with BlockedSince) only refuses new logins, so that
   * wrong passwords sent by someone else never end the user's open sessions.
   */
  readonly userBlocked: boolean;
  readonly anonymous: boolean;
  readonly userRoles: readonly string[];
  /** The Code of the user's System.User_TimeZone (an IANA name), when set. */
  readonly timeZone?: string;
  /** The Code of the user's System.User_Language, when set. */
  readonly language?: string;
}

const S = 'System.Session';
const U = 'System.User';

/**
 * System.Session rows. The per-request lookup is one statement: the session by
 * its indexed SessionId, joined to its user and the user's role names.
 * Every `key` here is what the SessionId column holds: the hash of the
 * session id (session-secrets.ts), never the id the cookie carries.
 */
export class SessionStore {
  private readonly lookup: string;
  private readonly touchOne: string;
  private readonly deleteLinksById: string;
  private readonly deleteById: string;

  constructor(
    private readonly db: Database,
    private readonly t: SystemTables,
    private readonly writer: ObjectWriter,
  ) {
    const su = t.sessionUser;
    const ur = t.userRoles;
    const sc = (n: string) => `s.${t.col(S, n)}`;
    const uc = (n: string) => `u.${t.col(U, n)}`;
    this.lookup =
      `SELECT s.${t.q('id')} AS ${t.q('sid')}, ${sc('CSRFToken')} AS ${t.q('csrf')}, ${sc('LastActive')} AS ${t.q('lastactive')}, ${sc('createdDate')} AS ${t.q('created')}, ` +
      `u.${t.q('id')} AS ${t.q('uid')}, ${uc('Name')} AS ${t.q('uname')}, ${uc('Active')} AS ${t.q('active')}, ${uc('Blocked')} AS ${t.q('blocked')}, ${uc('BlockedSince')} AS ${t.q('blockedsince')}, ` +
      `${uc('IsAnonymous')} AS ${t.q('anon')}, ${t.userType ? `u.${t.userType}` : 'NULL'} AS ${t.q('utype')}, r.${t.col('System.UserRole', 'Name')} AS ${t.q('role')}` +
      t.userPreferences.map((p) => `, ${p.as}.${p.code} AS ${t.q(p.as)}`).join('') +
      ` FROM ${t.session} s JOIN ${su.table} su ON su.${su.session} = s.${t.q('id')} JOIN ${t.user} u ON u.${t.q('id')} = su.${su.user} ` +
      `LEFT JOIN ${ur.table} ur ON ur.${ur.user} = u.${t.q('id')} LEFT JOIN ${t.userRole} r ON r.${t.q('id')} = ur.${ur.role} ` +
      // Zone and language: one reference each, so these joins add no rows.
      t.userPreferences
        .map(
          (p) =>
            `LEFT JOIN ${p.table} ${p.as}_u ON ${p.as}_u.${p.user} = u.${t.q('id')} LEFT JOIN ${p.targetTable} ${p.as} ON ${p.as}.${t.q('id')} = ${p.as}_u.${p.target} `,
        )
        .join('') +
      `WHERE ${sc('SessionId')} = ${t.ph(1)}`;
    // Never move last-active backwards: another instance may have written a later time.
    this.touchOne = `UPDATE ${t.session} SET ${t.col(S, 'LastActive')} = ${t.ph(1)} WHERE ${t.col(S, 'SessionId')} = ${t.ph(2)} AND (${t.col(S, 'LastActive')} IS NULL OR ${t.col(S, 'LastActive')} < ${t.ph(3)})`;
    this.deleteLinksById = `DELETE FROM ${su.table} WHERE ${su.session} = ${t.ph(1)}`;
    this.deleteById = `DELETE FROM ${t.session} WHERE ${t.q('id')} = ${t.ph(1)}`;
  }

  async find(key: string): Promise<StoredSession | undefined> {
    const rows = await this.db.query<Record<string, unknown>>(this.lookup, [this.t.enc(S, 'SessionId', key)]);
    const r = rows[0];
    if (!r) return undefined;
    return {
      objectId: idFromDb(r.sid),
      csrfHash: String(this.t.dec(S, 'CSRFToken', r.csrf) ?? ''),
      created: this.t.dec(S, 'createdDate', r.created) as Date | null,
      lastActive: this.t.dec(S, 'LastActive', r.lastactive) as Date | null,
      userId: idFromDb(r.uid),
      userName: String(this.t.dec(U, 'Name', r.uname) ?? ''),
      userEntity: (r.utype as string | null) ?? U,
      userActive: this.t.dec(U, 'Active', r.active) !== false,
      userBlocked: this.t.dec(U, 'Blocked', r.blocked) === true && r.blockedsince == null,
      anonymous: this.t.dec(U, 'IsAnonymous', r.anon) === true,
      userRoles: rows
        .map((x) => x.role)
        .filter((x): x is string => typeof x === 'string')
        .sort(),
      ...(typeof r.tz === 'string' && r.tz ? { timeZone: r.tz } : {}),
      ...(typeof r.lang === 'string' && r.lang ? { language: r.lang } : {}),
    };
  }

  async create(s: { key: string; csrfHash: string; userId: bigint; now: Date }): Promise<bigint> {
    return this.writer.create(S, { SessionId: s.key, CSRFToken: s.csrfHash, LastActive: s.now, LongLived: false }, { 'System.Session_User': s.userId });
  }

  async deleteByObjectId(objectId: bigint): Promise<void> {
    const id = idToDb(this.t.dialect, objectId);
    await this.db.transaction(async (tx) => {
      await tx.execute(this.deleteLinksById, [id]);
      await tx.execute(this.deleteById, [id]);
    });
  }

  async deleteByKey(key: string): Promise<void> {
    await this.deleteWhere(`${this.t.col(S, 'SessionId')} = ${this.t.ph(1)}`, [this.t.enc(S, 'SessionId', key)]);
  }

  /** Ends every session of a user (blocked, deactivated), or all but one (`except`, a session object id: its password changed). */
  async deleteOfUser(userId: bigint, tx?: Queryable, except?: bigint): Promise<number> {
    const su = this.t.sessionUser;
    const params: unknown[] = [idToDb(this.t.dialect, userId)];
    let where = `${this.t.q('id')} IN (SELECT ${su.session} FROM ${su.table} WHERE ${su.user} = ${this.t.ph(1)})`;
    if (except !== undefined) {
      where += ` AND ${this.t.q('id')} <> ${this.t.ph(2)}`;
      params.push(idToDb(this.t.dialect, except));
    }
    return this.deleteWhere(where, params, tx);
  }

  /** Sessions inactive since before `before`. */
  async deleteExpired(before: Date): Promise<number> {
    const la = this.t.col(S, 'LastActive');
    const enc = this.t.enc(S, 'LastActive', before);
    return this.deleteWhere(`(${la} < ${this.t.ph(1)} OR (${la} IS NULL AND ${this.t.col(S, 'createdDate')} < ${this.t.ph(2)}))`, [enc, enc]);
  }

  /** Sessions begun before `before` (SessionMaxLifetime), however active. */
  async deleteOlderThan(before: Date): Promise<number> {
    return this.deleteWhere(`${this.t.col(S, 'createdDate')} < ${this.t.ph(1)}`, [this.t.enc(S, 'createdDate', before)]);
  }

  /** Sessions whose user was deactivated, or blocked by an administrator (no BlockedSince: not a block from failed logins), since the session began. */
  async deleteOfDisabledUsers(): Promise<number> {
    const su = this.t.sessionUser;
    const uc = (n: string) => this.t.col(U, n);
    return this.deleteWhere(
      `${this.t.q('id')} IN (SELECT x.${su.session} FROM ${su.table} x JOIN ${this.t.user} u ON u.${this.t.q('id')} = x.${su.user} WHERE u.${uc('Active')} = ${this.t.ph(1)} OR (u.${uc('Blocked')} = ${this.t.ph(2)} AND u.${uc('BlockedSince')} IS NULL))`,
      [this.t.enc(U, 'Active', false), this.t.enc(U, 'Blocked', true)],
    );
  }

  /**
   * Removes the sessions matching `where` (on the session table) with their
   * association rows. The ids are read first so that both deletes name the
   * same sessions, and MariaDB never sees a subquery on the table it deletes from.
   */
  private async deleteWhere(where: string, params: unknown[], within?: Queryable): Promise<number> {
    const run = (fn: (tx: Queryable) => Promise<number>) => (within ? fn(within) : this.db.transaction(fn));
    return run(async (tx) => {
      const rows = await tx.query<{ id: unknown }>(`SELECT ${this.t.q('id')} FROM ${this.t.session} WHERE ${where}`, params);
      for (const r of rows) {
        const id = idToDb(this.t.dialect, idFromDb(r.id));
        await tx.execute(this.deleteLinksById, [id]);
        await tx.execute(this.deleteById, [id]);
      }
      return rows.length;
    });
  }

  /** Writes remembered last-active times (one statement per session, one transaction). */
  async touch(entries: readonly { key: string; lastActive: Date }[]): Promise<void> {
    if (!entries.length) return;
    await this.db.transaction(async (tx) => {
      for (const e of entries) {
        const la = this.t.enc(S, 'LastActive', e.lastActive);
        await tx.execute(this.touchOne, [la, this.t.enc(S, 'SessionId', e.key), la]);
      }
    });
  }

  /** Anonymous users left without a session (their session expired or ended). */
  async deleteOrphanAnonymousUsers(): Promise<number> {
    const su = this.t.sessionUser;
    const ur = this.t.userRoles;
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<{ id: unknown }>(
        `SELECT u.${this.t.q('id')} AS ${this.t.q('id')} FROM ${this.t.user} u WHERE u.${this.t.col(U, 'IsAnonymous')} = ${this.t.ph(1)} AND NOT EXISTS (SELECT 1 FROM ${su.table} x WHERE x.${su.user} = u.${this.t.q('id')})`,
        [this.t.enc(U, 'IsAnonymous', true)],
      );
      for (const r of rows) {
        const id = idToDb(this.t.dialect, idFromDb(r.id));
        await tx.execute(`DELETE FROM ${ur.table} WHERE ${ur.user} = ${this.t.ph(1)}`, [id]);
        await tx.execute(`DELETE FROM ${this.t.user} WHERE ${this.t.q('id')} = ${this.t.ph(1)}`, [id]);
      }
      return rows.length;
    });
  }
}
