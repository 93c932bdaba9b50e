import type { Queryable } from '../data/database.js';
import { idFromDb, idToDb } from '../data/values.js';
import type { LoginUserState } from './login-rules.js';
import type { ObjectWriter } from './object-writer.js';
import type { SystemTables } from './system-tables.js';

export interface StoredUser extends LoginUserState {
  readonly id: bigint;
  readonly name: string;
  /** Concrete entity (System.User or a specialization). */
  readonly entity: string;
  readonly passwordHash: string | null;
}

export interface NewUser {
  readonly entity?: string;
  readonly name: string;
  readonly passwordHash: string | null;
  readonly roleIds: readonly bigint[];
  readonly isAnonymous?: boolean;
  readonly webServiceUser?: boolean;
}

const U = 'System.User';

/**
 * System.User rows for login: lookup by name, the failed-login counter and
 * blocking as single conditional statements (so parallel attempts cannot lose
 * a count or slip past a block), user roles.
 */
export class UserStore {
  private readonly selectByName: string;
  private readonly selectById: string;
  private readonly incrementFailures: string;
  private readonly blockIfOver: string;
  private readonly success: string;
  private readonly unblockOne: string;
  private readonly unblockAll: string;

  constructor(
    private readonly db: Queryable,
    private readonly t: SystemTables,
    private readonly writer: ObjectWriter,
  ) {
    const c = (n: string) => t.col(U, n);
    const cols = ['id', c('Name'), c('Password'), c('Active'), c('Blocked'), c('BlockedSince'), c('FailedLogins'), c('WebServiceUser'), c('IsAnonymous')];
    const select = `SELECT ${[...cols.map((x) => (x === 'id' ? t.q('id') : x)), ...(t.userType ? [t.userType] : [])].join(', ')} FROM ${t.user}`;
    this.selectByName = `${select} WHERE ${c('Name')} = ${t.ph(1)}`;
    this.selectById = `${select} WHERE ${t.q('id')} = ${t.ph(1)}`;
    this.incrementFailures = `UPDATE ${t.user} SET ${c('FailedLogins')} = COALESCE(${c('FailedLogins')}, 0) + 1 WHERE ${t.q('id')} = ${t.ph(1)}`;
    this.blockIfOver = `UPDATE ${t.user} SET ${c('Blocked')} = ${t.ph(1)}, ${c('BlockedSince')} = ${t.ph(2)} WHERE ${t.q('id')} = ${t.ph(3)} AND ${c('FailedLogins')} >= ${t.ph(4)} AND ${c('Blocked')} = ${t.ph(5)}`;
    // A success counts only while the user is not blocked (or the block ran out): a block set by a
    // parallel failed attempt during this attempt's password check still wins.
    this.success =
      `UPDATE ${t.user} SET ${c('FailedLogins')} = 0, ${c('Blocked')} = ${t.ph(1)}, ${c('BlockedSince')} = NULL, ${c('LastLogin')} = ${t.ph(2)} ` +
      `WHERE ${t.q('id')} = ${t.ph(3)} AND (${c('Blocked')} = ${t.ph(4)} OR (${c('BlockedSince')} IS NOT NULL AND ${c('BlockedSince')} <= ${t.ph(5)}))`;
    const unblock = `UPDATE ${t.user} SET ${c('FailedLogins')} = 0, ${c('Blocked')} = ${t.ph(1)}, ${c('BlockedSince')} = NULL WHERE ${c('Blocked')} = ${t.ph(2)} AND ${c('BlockedSince')} IS NOT NULL AND ${c('BlockedSince')} <= ${t.ph(3)}`;
    this.unblockAll = unblock;
    this.unblockOne = `${unblock} AND ${t.q('id')} = ${t.ph(4)}`;
  }

  async findByName(name: string): Promise<StoredUser | undefined> {
    const rows = await this.db.query<Record<string, unknown>>(this.selectByName, [this.t.enc(U, 'Name', name)]);
    return rows[0] ? this.toUser(rows[0]) : undefined;
  }

  async findById(id: bigint): Promise<StoredUser | undefined> {
    const rows = await this.db.query<Record<string, unknown>>(this.selectById, [idToDb(this.t.dialect, id)]);
    return rows[0] ? this.toUser(rows[0]) : undefined;
  }

  private toUser(r: Record<string, unknown>): StoredUser {
    const v = (name: string, col: string) => this.t.dec(U, name, r[col]);
    return {
      id: idFromDb(r.id),
      name: v('Name', 'name') as string,
      entity: (this.t.userType ? (r.submetaobjectname as string | null) : null) ?? U,
      passwordHash: v('Password', 'password') as string | null,
      active: v('Active', 'active') !== false,
      blocked: v('Blocked', 'blocked') === true,
      blockedSince: v('BlockedSince', 'blockedsince') as Date | null,
      failedLogins: (v('FailedLogins', 'failedlogins') as number | null) ?? 0,
      webServiceUser: v('WebServiceUser', 'webserviceuser') === true,
      isAnonymous: v('IsAnonymous', 'isanonymous') === true,
    };
  }

  /** Counts a failed attempt; blocks the user when the count reaches `maxAttempts`. True when this attempt blocked the user. */
  async recordFailure(id: bigint, now: Date, maxAttempts: number, blocking: boolean): Promise<boolean> {
    const dbId = idToDb(this.t.dialect, id);
    await this.db.execute(this.incrementFailures, [dbId]);
    if (!blocking) return false;
    const r = await this.db.execute(this.blockIfOver, [
      this.t.enc(U, 'Blocked', true),
      this.t.enc(U, 'BlockedSince', now),
      dbId,
      maxAttempts,
      this.t.enc(U, 'Blocked', false),
    ]);
    return r.affectedRows > 0;
  }

  /** Records a successful login. False when the user is (still) blocked: the login must then fail. */
  async recordSuccess(id: bigint, now: Date, blockedBefore: Date): Promise<boolean> {
    const r = await this.db.execute(this.success, [
      this.t.enc(U, 'Blocked', false),
      this.t.enc(U, 'LastLogin', now),
      idToDb(this.t.dialect, id),
      this.t.enc(U, 'Blocked', false),
      this.t.enc(U, 'BlockedSince', blockedBefore),
    ]);
    return r.affectedRows > 0;
  }

  /** Unblocks users blocked at or before `blockedBefore` (all, or one), resetting their counters. Returns how many. */
  async unblockExpired(blockedBefore: Date, id?: bigint): Promise<number> {
    const params = [this.t.enc(U, 'Blocked', false), this.t.enc(U, 'Blocked', true), this.t.enc(U, 'BlockedSince', blockedBefore)];
    const r =
      id === undefined ? await this.db.execute(this.unblockAll, params) : await this.db.execute(this.unblockOne, [...params, idToDb(this.t.dialect, id)]);
    return r.affectedRows;
  }

  async setPassword(id: bigint, hash: string): Promise<void> {
    await this.db.execute(`UPDATE ${this.t.user} SET ${this.t.col(U, 'Password')} = ${this.t.ph(1)} WHERE ${this.t.q('id')} = ${this.t.ph(2)}`, [
      this.t.enc(U, 'Password', hash),
      idToDb(this.t.dialect, id),
    ]);
  }

  async setActive(id: bigint, active: boolean): Promise<void> {
    await this.db.execute(`UPDATE ${this.t.user} SET ${this.t.col(U, 'Active')} = ${this.t.ph(1)} WHERE ${this.t.q('id')} = ${this.t.ph(2)}`, [
      this.t.enc(U, 'Active', active),
      idToDb(this.t.dialect, id),
    ]);
  }

  async create(u: NewUser): Promise<bigint> {
    return this.writer.create(
      u.entity ?? U,
      {
        Name: u.name,
        Password: u.passwordHash,
        Active: true,
        Blocked: false,
        FailedLogins: 0,
        WebServiceUser: u.webServiceUser ?? false,
        IsAnonymous: u.isAnonymous ?? false,
      },
      { 'System.UserRoles': u.roleIds },
    );
  }

  /** Replaces the user's roles (System.UserRoles rows). */
  async setRoles(userId: bigint, roleIds: readonly bigint[]): Promise<void> {
    const ur = this.t.userRoles;
    const uid = idToDb(this.t.dialect, userId);
    await this.db.execute(`DELETE FROM ${ur.table} WHERE ${ur.user} = ${this.t.ph(1)}`, [uid]);
    for (const r of roleIds) {
      await this.db.execute(`INSERT INTO ${ur.table} (${ur.user}, ${ur.role}) VALUES (${this.t.ph(1)}, ${this.t.ph(2)})`, [uid, idToDb(this.t.dialect, r)]);
    }
  }

  /** User role names of a user. */
  async roleNames(userId: bigint): Promise<string[]> {
    const ur = this.t.userRoles;
    const rows = await this.db.query<{ name: unknown }>(
      `SELECT r.${this.t.col('System.UserRole', 'Name')} AS ${this.t.q('name')} FROM ${ur.table} x JOIN ${this.t.userRole} r ON r.${this.t.q('id')} = x.${ur.role} WHERE x.${ur.user} = ${this.t.ph(1)}`,
      [idToDb(this.t.dialect, userId)],
    );
    return rows.map((r) => String(r.name)).sort();
  }

  /**
   * Makes System.grantableRoles say what the model says (start-up): per user
   * role id, the ids of the roles it may grant. Rows are added and removed
   * only where they differ, so a restart with the same model writes nothing.
   */
  async syncGrantableRoles(wanted: ReadonlyMap<bigint, readonly bigint[]>): Promise<number> {
    const g = this.t.grantableRoles;
    const rows = await this.db.query<{ r: unknown; g: unknown }>(
      `SELECT ${g.role} AS ${this.t.q('r')}, ${g.grantable} AS ${this.t.q('g')} FROM ${g.table}`,
      [],
    );
    const have = new Set(rows.map((x) => `${idFromDb(x.r)}:${idFromDb(x.g)}`));
    const want = new Set([...wanted].flatMap(([r, gs]) => gs.map((x) => `${r}:${x}`)));
    const pair = (k: string) => k.split(':').map((x) => idToDb(this.t.dialect, BigInt(x)));
    let changed = 0;
    for (const k of have) {
      if (want.has(k) || !wanted.has(BigInt(k.split(':')[0]!))) continue;
      await this.db.execute(`DELETE FROM ${g.table} WHERE ${g.role} = ${this.t.ph(1)} AND ${g.grantable} = ${this.t.ph(2)}`, pair(k));
      changed++;
    }
    for (const k of want) {
      if (have.has(k)) continue;
      await this.db.execute(`INSERT INTO ${g.table} (${g.role}, ${g.grantable}) VALUES (${this.t.ph(1)}, ${this.t.ph(2)})`, pair(k));
      changed++;
    }
    return changed;
  }

  /**
   * The System.UserRole object of each user role of the model, created when
   * missing (start-up). Returns name -> id.
   */
  async ensureUserRoles(names: readonly string[]): Promise<Map<string, bigint>> {
    const nameCol = this.t.col('System.UserRole', 'Name');
    const rows = await this.db.query<{ id: unknown; name: unknown }>(`SELECT ${this.t.q('id')}, ${nameCol} AS ${this.t.q('name')} FROM ${this.t.userRole}`, []);
    const out = new Map<string, bigint>();
    for (const r of rows) out.set(String(r.name), idFromDb(r.id));
    for (const n of names) {
      if (!out.has(n)) out.set(n, await this.writer.create('System.UserRole', { Name: n, ModelGUID: null, Description: null }));
    }
    return out;
  }
}
