import {
  createTableIfMissing,
  dateTimeMs,
  dbNowDateTime,
  dbNowMs,
  idToDb,
  instanceLive,
  INSTANCE_TABLE,
  placeholder,
  quoteIdentifier,
  UniqueViolationError,
  type Database,
  type IdGenerator,
  type Queryable,
} from '../data/index.js';

/** The leader lease (row `leader`) and the model versions seen (rows `model:<fingerprint>`). */
const CLUSTER_TABLE = 'kiln$cluster';

export interface LeaseRow {
  holder: string;
  term: number;
  expires: number;
  now: number;
}

/**
 * The cluster's SQL on the database every instance shares. Times are the
 * database's clock, so instances' clocks need not agree. Instances are the
 * System.XASInstance objects (the model's table, made by schema
 * synchronisation; administrators read them as any entity): XASId,
 * LastUpdate, StartedAt, Address, ModelVersion.
 * Every statement is a conditional one: the lease changes hands only through
 * an UPDATE whose WHERE still sees the state it expects.
 */
export class ClusterStore {
  private readonly q: (n: string) => string;
  private readonly ph: (i: number) => string;
  private readonly inst: string;
  private readonly lease: string;
  /** The database's current time in epoch milliseconds, as an SQL expression. */
  readonly now: string;
  /** The database's current time as a DateTime column holds it. */
  private readonly nowDateTime: string;

  constructor(
    private readonly db: Database,
    private readonly ids: IdGenerator,
  ) {
    this.q = (n) => quoteIdentifier(db.dialect, n);
    this.ph = (i) => placeholder(db.dialect, i);
    this.inst = this.q(INSTANCE_TABLE);
    this.lease = this.q(CLUSTER_TABLE);
    this.now = dbNowMs(db.dialect.name);
    this.nowDateTime = dbNowDateTime(db.dialect.name);
  }

  async setup(): Promise<void> {
    const q = this.q;
    await createTableIfMissing(
      this.db,
      CLUSTER_TABLE,
      `CREATE TABLE IF NOT EXISTS ${this.lease} (${q('name')} VARCHAR(100) NOT NULL PRIMARY KEY, ${q('holder')} VARCHAR(64) NOT NULL, ` +
        `${q('term')} BIGINT NOT NULL, ${q('expires')} BIGINT NOT NULL, ${q('renewals')} BIGINT NOT NULL)`,
    );
    await this.insertIgnoringDuplicate(this.db, 'leader');
  }

  /** Inserts the named row of the cluster table; false when it exists already. */
  async insertIgnoringDuplicate(q: Queryable, name: string): Promise<boolean> {
    try {
      // Not a failing INSERT: on PostgreSQL that would abort the caller's transaction.
      const r = await q.execute(
        `INSERT INTO ${this.lease} (${this.q('name')}, ${this.q('holder')}, ${this.q('term')}, ${this.q('expires')}, ${this.q('renewals')}) ` +
          `SELECT ${this.ph(1)}, '', 0, 0, 0 FROM (SELECT 1 AS ${this.q('x')}) ${this.q('one')} WHERE NOT EXISTS (SELECT 1 FROM ${this.lease} WHERE ${this.q('name')} = ${this.ph(2)})`,
        [name, name],
      );
      return r.affectedRows > 0;
    } catch (e) {
      if (e instanceof UniqueViolationError) return false;
      throw e;
    }
  }

  // ---- instances ----

  /** A System.XASInstance object for this instance, its times (and createdDate) the database's now. */
  async register(id: string, address: string, modelVersion: string): Promise<void> {
    const q = this.q;
    const objectId = await this.ids.nextId('System.XASInstance');
    await this.db.execute(
      `INSERT INTO ${this.inst} (${q('id')}, ${q('xasid')}, ${q('lastupdate')}, ${q('startedat')}, ${q('createddate')}, ${q('address')}, ${q('modelversion')}) ` +
        `VALUES (${this.ph(1)}, ${this.ph(2)}, ${this.nowDateTime}, ${this.nowDateTime}, ${this.nowDateTime}, ${this.ph(3)}, ${this.ph(4)})`,
      [idToDb(this.db.dialect, objectId), id, address, modelVersion],
    );
  }

  /** Refreshes the instance's last update; false when its row is gone (it had expired). */
  async heartbeat(id: string): Promise<boolean> {
    const r = await this.db.execute(`UPDATE ${this.inst} SET ${this.q('lastupdate')} = ${this.nowDateTime} WHERE ${this.q('xasid')} = ${this.ph(1)}`, [id]);
    return r.affectedRows > 0;
  }

  async unregister(id: string): Promise<void> {
    await this.db.execute(`DELETE FROM ${this.inst} WHERE ${this.q('xasid')} = ${this.ph(1)}`, [id]);
  }

  async instances(q: Queryable = this.db): Promise<{ id: string; lastUpdate: number; address: string; modelVersion: string }[]> {
    const rows = await q.query<Record<string, unknown>>(
      `SELECT ${this.q('xasid')} AS ${this.q('id')}, ${dateTimeMs(this.db.dialect.name, this.q('lastupdate'))} AS ${this.q('lu')}, ${this.q('address')} AS ${this.q('address')}, ` +
        `${this.q('modelversion')} AS ${this.q('mv')} FROM ${this.inst} ORDER BY ${this.q('startedat')}, ${this.q('xasid')}`,
      [],
    );
    return rows.map((r) => ({ id: String(r.id), lastUpdate: Number(r.lu), address: String(r.address ?? ''), modelVersion: String(r.mv ?? '') }));
  }

  /** Removes the instances not refreshed for `ageMs`; their ids. */
  async removeExpired(q: Queryable, ageMs: number): Promise<string[]> {
    const cond = `NOT (${instanceLive(this.db.dialect.name, this.q('lastupdate'), this.ph(1))})`;
    const rows = await q.query<{ id: unknown }>(`SELECT ${this.q('xasid')} AS ${this.q('id')} FROM ${this.inst} WHERE ${cond}`, [ageMs]);
    if (rows.length === 0) return [];
    await q.execute(`DELETE FROM ${this.inst} WHERE ${cond}`, [ageMs]);
    return rows.map((r) => String(r.id));
  }

  // ---- the leader lease ----

  async readLease(q: Queryable = this.db): Promise<LeaseRow> {
    const r = (
      await q.query<Record<string, unknown>>(
        `SELECT ${this.q('holder')} AS ${this.q('holder')}, ${this.q('term')} AS ${this.q('term')}, ${this.q('expires')} AS ${this.q('expires')}, ` +
          `${this.now} AS ${this.q('now')} FROM ${this.lease} WHERE ${this.q('name')} = 'leader'`,
        [],
      )
    )[0];
    return { holder: String(r?.holder ?? ''), term: Number(r?.term ?? 0), expires: Number(r?.expires ?? 0), now: Number(r?.now ?? 0) };
  }

  /**
   * Takes the lease when it is free or has expired (or is still this
   * instance's own), with the next term. Resolves to the new term, or
   * undefined when another instance holds it.
   */
  async acquire(id: string, ttlMs: number): Promise<number | undefined> {
    const q = this.q;
    const r = await this.db.execute(
      `UPDATE ${this.lease} SET ${q('holder')} = ${this.ph(1)}, ${q('term')} = ${q('term')} + 1, ${q('expires')} = ${this.now} + ${this.ph(2)}, ` +
        `${q('renewals')} = ${q('renewals')} + 1 WHERE ${q('name')} = 'leader' AND (${q('expires')} < ${this.now} OR ${q('holder')} = '' OR ${q('holder')} = ${this.ph(3)})`,
      [id, ttlMs, id],
    );
    if (r.affectedRows === 0) return undefined;
    const lease = await this.readLease();
    return lease.holder === id ? lease.term : undefined;
  }

  /**
   * Extends the lease when this instance still holds it in this term; in a
   * transaction the row stays locked until it ends, so no other instance can
   * take the lease meanwhile (the fence of leader tasks).
   */
  async renew(q: Queryable, id: string, term: number, ttlMs: number): Promise<boolean> {
    const c = this.q;
    const r = await q.execute(
      `UPDATE ${this.lease} SET ${c('expires')} = ${this.now} + ${this.ph(1)}, ${c('renewals')} = ${c('renewals')} + 1 ` +
        `WHERE ${c('name')} = 'leader' AND ${c('holder')} = ${this.ph(2)} AND ${c('term')} = ${this.ph(3)}`,
      [ttlMs, id, term],
    );
    return r.affectedRows > 0;
  }

  /** Gives the lease up (a graceful stop): the next instance to look takes it at once. */
  async release(id: string, term: number): Promise<void> {
    const c = this.q;
    await this.db.execute(
      `UPDATE ${this.lease} SET ${c('holder')} = '', ${c('expires')} = 0, ${c('renewals')} = ${c('renewals')} + 1 ` +
        `WHERE ${c('name')} = 'leader' AND ${c('holder')} = ${this.ph(1)} AND ${c('term')} = ${this.ph(2)}`,
      [id, term],
    );
  }

  /** Deletes every session (and its link to its user): after a deploy of a changed model. */
  async clearSessions(q: Queryable, sessionTable: string, linkTable: string): Promise<number> {
    await q.execute(`DELETE FROM ${this.q(linkTable)}`, []);
    return (await q.execute(`DELETE FROM ${this.q(sessionTable)}`, [])).affectedRows;
  }
}
