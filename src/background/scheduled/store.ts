import type { CEntity } from '../../model/compiled/types.js';
import {
  createTableIfMissing,
  idToDb,
  INSTANCE_TABLE,
  instanceLive,
  placeholder,
  quoteIdentifier,
  toDbValue,
  UniqueViolationError,
  type Database,
  type IdGenerator,
  type Queryable,
} from '../../data/index.js';

/** The claims and records of scheduled-event runs: one row per (event, period), the key that makes a period run once. */
const RUN_TABLE = 'kiln$scheduledeventrun';

/** Mendix's EventStatus, plus Skipped (a period that found the previous run still running, overlap: skip). */
export type RunStatus = 'Running' | 'Completed' | 'Error' | 'Stopped' | 'Skipped';

/** A run whose instance stopped refreshing (died or was paused too long) while it ran. */
export interface DiedRun {
  readonly event: string;
  readonly period: number;
  readonly instance: string;
}

const INFO_ENTITY = 'System.ScheduledEventInformation';
/** Longest error text kept (Description is unlimited; a stack of nested errors should not be). */
const MAX_ERROR = 4000;

/**
 * The scheduled events' SQL on the database all instances share. A period is
 * claimed by inserting its row: the primary key (event, period start) admits
 * one, so whichever instance inserts it runs the period and every other
 * instance's insert fails. The same transaction writes the run's
 * System.ScheduledEventInformation row (Mendix's record of a run), which
 * follows the status of the claim. Times in the claim table are the running
 * instance's clock in epoch milliseconds (the periods are computed on it).
 */
export class ScheduledEventStore {
  private readonly q: (n: string) => string;
  private readonly ph: (i: number) => string;
  private readonly runs: string;
  private readonly info: { table: string; cols: Record<'name' | 'description' | 'start' | 'end' | 'status', string> } | undefined;

  constructor(
    private readonly db: Database,
    private readonly ids: IdGenerator | undefined,
    infoEntity: CEntity | undefined,
  ) {
    this.q = (n) => quoteIdentifier(db.dialect, n);
    this.ph = (i) => placeholder(db.dialect, i);
    this.runs = this.q(RUN_TABLE);
    const col = (a: string) => infoEntity?.attributes.get(a)?.column;
    const [name, description, start, end, status] = ['Name', 'Description', 'StartTime', 'EndTime', 'Status'].map(col);
    this.info =
      infoEntity?.persistable && ids && name && description && start && end && status
        ? { table: this.q(infoEntity.table), cols: { name, description, start, end, status } }
        : undefined;
  }

  async setup(): Promise<void> {
    const q = this.q;
    await createTableIfMissing(
      this.db,
      RUN_TABLE,
      `CREATE TABLE IF NOT EXISTS ${this.runs} (${q('event')} VARCHAR(200) NOT NULL, ${q('periodstart')} BIGINT NOT NULL, ` +
        `${q('xasid')} VARCHAR(64) NOT NULL, ${q('status')} VARCHAR(16) NOT NULL, ${q('started')} BIGINT NOT NULL, ${q('ended')} BIGINT, ` +
        `${q('error')} TEXT, ${q('infoid')} BIGINT, PRIMARY KEY (${q('event')}, ${q('periodstart')}))`,
    );
  }

  /**
   * Claims the period for this instance: true when this instance inserted its
   * row (and runs it, or records it skipped), false when another instance has.
   * Status Error records a failed run whose Running claim did not survive.
   */
  async claim(event: string, period: number, instance: string, status: 'Running' | 'Skipped' | 'Error', started: number, note?: string): Promise<boolean> {
    const ended = status === 'Running' ? null : status === 'Error' ? Date.now() : started;
    const infoId = this.info ? await this.ids!.nextId(INFO_ENTITY) : undefined;
    const c = this.q;
    try {
      return await this.db.transaction(async (tx) => {
        // Not a plain INSERT: most losers see the row and insert nothing; a loser racing the winner gets the unique violation.
        const r = await tx.execute(
          `INSERT INTO ${this.runs} (${c('event')}, ${c('periodstart')}, ${c('xasid')}, ${c('status')}, ${c('started')}, ${c('ended')}, ${c('error')}, ${c('infoid')}) ` +
            `SELECT ${this.ph(1)}, ${this.ph(2)}, ${this.ph(3)}, ${this.ph(4)}, ${this.ph(5)}, ${this.ph(6)}, ${this.ph(7)}, ${this.ph(8)} FROM (SELECT 1 AS ${c('x')}) ${c('one')} ` +
            `WHERE NOT EXISTS (SELECT 1 FROM ${this.runs} WHERE ${c('event')} = ${this.ph(9)} AND ${c('periodstart')} = ${this.ph(10)})`,
          [event, period, instance, status, started, ended, note ?? null, infoId === undefined ? null : idToDb(this.db.dialect, infoId), event, period],
        );
        if (r.affectedRows === 0) return false;
        if (this.info && infoId !== undefined) {
          const i = this.info;
          await tx.execute(
            `INSERT INTO ${i.table} (${c('id')}, ${c(i.cols.name)}, ${c(i.cols.description)}, ${c(i.cols.start)}, ${c(i.cols.end)}, ${c(i.cols.status)}) ` +
              `VALUES (${this.ph(1)}, ${this.ph(2)}, ${this.ph(3)}, ${this.ph(4)}, ${this.ph(5)}, ${this.ph(6)})`,
            [idToDb(this.db.dialect, infoId), event, note ?? null, this.date(started), ended === null ? null : this.date(ended), status],
          );
        }
        return true;
      });
    } catch (e) {
      if (e instanceof UniqueViolationError) return false;
      // Another way to lose the race (a deadlock between two inserts of the same key on MariaDB): the winner's row is there.
      if (await this.claimedByOther(event, period, instance).catch(() => false)) return false;
      throw e;
    }
  }

  private async claimedByOther(event: string, period: number, instance: string): Promise<boolean> {
    const c = this.q;
    const rows = await this.db.query<{ xasid: unknown }>(
      `SELECT ${c('xasid')} AS ${c('xasid')} FROM ${this.runs} WHERE ${c('event')} = ${this.ph(1)} AND ${c('periodstart')} = ${this.ph(2)}`,
      [event, period],
    );
    return rows.length > 0 && String(rows[0]!.xasid) !== instance;
  }

  /**
   * Ends a run this instance holds: in the microflow's own transaction for
   * Completed (so the record says Completed exactly when its work committed),
   * in a transaction of its own for Error and Stopped (both tables change
   * together). False when the run is no longer Running (the leader
   * marked it Stopped while this instance was cut off): the caller rolls back.
   */
  async finish(q: Queryable, event: string, period: number, status: 'Completed' | 'Error' | 'Stopped', ended: number, error?: string): Promise<boolean> {
    return this.setStatus(q, event, period, 'Running', status, ended, error);
  }

  /**
   * Marks Stopped the runs whose instance is gone from system$xasinstance or
   * has not refreshed its row within `liveMs` (it died or stopped mid-run; its
   * transaction rolled back, so the period's work did not happen). Run by the
   * leader, in its fenced transaction; its own runs are alive by definition
   * (on SQLite its refresh may wait for a long run's connection).
   */
  async markDied(q: Queryable, liveMs: number, now: number, self: string): Promise<DiedRun[]> {
    const c = this.q;
    const rows = await q.query<Record<string, unknown>>(
      `SELECT ${c('event')} AS ${c('event')}, ${c('periodstart')} AS ${c('period')}, ${c('xasid')} AS ${c('xasid')} FROM ${this.runs} ${c('r')} ` +
        `WHERE ${c('r')}.${c('status')} = 'Running' AND ${c('r')}.${c('xasid')} <> ${this.ph(1)} AND NOT EXISTS (SELECT 1 FROM ${c(INSTANCE_TABLE)} ${c('i')} WHERE ${c('i')}.${c('xasid')} = ${c('r')}.${c('xasid')} ` +
        `AND ${instanceLive(this.db.dialect.name, `${c('i')}.${c('lastupdate')}`, this.ph(2))})`,
      [self, liveMs],
    );
    const died: DiedRun[] = [];
    for (const r of rows) {
      const run = { event: String(r.event), period: Number(r.period), instance: String(r.xasid) };
      const why = `the instance ${run.instance} stopped (died or was cut off) during the run; its work was rolled back`;
      if (await this.setStatus(q, run.event, run.period, 'Running', 'Stopped', now, why)) died.push(run);
    }
    return died;
  }

  /** Deletes the finished records that started before `before` (both tables); the number of runs deleted. */
  async cleanUp(q: Queryable, before: number): Promise<number> {
    const c = this.q;
    if (this.info) {
      await q.execute(`DELETE FROM ${this.info.table} WHERE ${c(this.info.cols.start)} < ${this.ph(1)} AND ${c(this.info.cols.status)} <> 'Running'`, [
        this.date(before),
      ]);
    }
    const r = await q.execute(`DELETE FROM ${this.runs} WHERE ${c('started')} < ${this.ph(1)} AND ${c('status')} <> 'Running'`, [before]);
    return r.affectedRows;
  }

  private async setStatus(q: Queryable, event: string, period: number, from: RunStatus, to: RunStatus, ended: number, error?: string): Promise<boolean> {
    const c = this.q;
    const text = error === undefined ? null : error.length > MAX_ERROR ? `${error.slice(0, MAX_ERROR)}…` : error;
    const key = `${c('event')} = ${this.ph(4)} AND ${c('periodstart')} = ${this.ph(5)} AND ${c('status')} = ${this.ph(6)}`;
    const r = await q.execute(
      `UPDATE ${this.runs} SET ${c('status')} = ${this.ph(1)}, ${c('ended')} = ${this.ph(2)}, ${c('error')} = ${this.ph(3)} WHERE ${key}`,
      [to, ended, text, event, period, from],
    );
    if (r.affectedRows === 0) return false;
    if (this.info) {
      const i = this.info;
      await q.execute(
        `UPDATE ${i.table} SET ${c(i.cols.status)} = ${this.ph(1)}, ${c(i.cols.end)} = ${this.ph(2)}, ${c(i.cols.description)} = ${this.ph(3)} ` +
          `WHERE ${c('id')} = (SELECT ${c('infoid')} FROM ${this.runs} WHERE ${c('event')} = ${this.ph(4)} AND ${c('periodstart')} = ${this.ph(5)})`,
        [to, this.date(ended), text, event, period],
      );
    }
    return true;
  }

  private date(ms: number): unknown {
    return toDbValue(this.db.dialect, { type: 'DateTime', qualifiedName: `${INFO_ENTITY}.StartTime` }, new Date(ms));
  }
}
