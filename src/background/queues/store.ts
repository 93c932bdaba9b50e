import { randomUUID } from 'node:crypto';
import type { CompiledModel } from '../../model/compiled/types.js';
import {
  idFromDb,
  idToDb,
  INSTANCE_TABLE,
  instanceLive,
  placeholder,
  quoteIdentifier,
  toDbValue,
  type Database,
  type Dialect,
  type IdGenerator,
  type Queryable,
} from '../../data/index.js';
import type { RetryPolicy } from '../../logic/engine/ports.js';

const QUEUED_TASK = 'System.QueuedTask';
const PROCESSED_TASK = 'System.ProcessedQueueTask';

/** One row of system$queuedtask, as the worker needs it. */
export interface TaskRow {
  readonly id: bigint;
  readonly sequence: bigint;
  readonly queueName: string;
  readonly microflow: string;
  readonly contextType: string;
  readonly contextData: string;
  readonly arguments: string;
  readonly created: Date;
  readonly retried: number;
  readonly retry: RetryPolicy | undefined;
}

/** A task to write: everything but the bookkeeping the store fills in. */
export interface NewTask {
  readonly queueName: string;
  readonly microflow: string;
  readonly contextType: 'User' | 'System' | 'Anonymous';
  readonly contextData: string;
  readonly arguments: string;
  readonly delayMs: number;
  readonly retry?: RetryPolicy;
}

function taskRow(r: Record<string, unknown>): TaskRow {
  return {
    id: idFromDb(r.id),
    sequence: BigInt(String(r.seq ?? 0)),
    queueName: String(r.queue),
    microflow: String(r.mf),
    contextType: String(r.ct ?? 'System'),
    contextData: String(r.cd ?? '{}'),
    arguments: String(r.args ?? '{}'),
    created: r.created instanceof Date ? r.created : new Date(Number(r.created)),
    retried: Number(r.retried ?? 0),
    retry: r.retry ? (JSON.parse(String(r.retry)) as RetryPolicy) : undefined,
  };
}

/** A task's run could not be recorded as this instance's: another instance reset and took it. */
export class TaskTakenError extends Error {
  constructor(id: bigint) {
    super(`task ${id} is no longer this instance's (it was reset as abandoned and is run elsewhere); its run is rolled back`);
    this.name = 'TaskTakenError';
  }
}

const COLUMNS = [
  'Sequence',
  'Status',
  'QueueId',
  'QueueName',
  'ContextType',
  'ContextData',
  'MicroflowName',
  'UserActionName',
  'Arguments',
  'XASId',
  'ThreadId',
  'Created',
  'StartAt',
  'Started',
  'Retried',
  'Retry',
  'ErrorMessage',
] as const;
type Column = (typeof COLUMNS)[number] | 'Finished' | 'Duration';

/**
 * The SQL of the task queues on `system$queuedtask` (tasks waiting or
 * running) and `system$processedqueuetask` (finished ones), with the table
 * and column names the compiled model decided. A task changes hands only
 * through statements that say what they expect: a claim takes rows still
 * Idle or Retrying (PostgreSQL and MariaDB skip rows another instance is
 * claiming), completing deletes the row only while it is Running on this
 * instance.
 */
export class TaskStore {
  private readonly q: (n: string) => string;
  private readonly ph: (i: number) => string;
  private readonly col: (c: Column) => string;
  private readonly queued: string;
  private readonly processed: string;
  private readonly skipLocked: string;

  constructor(
    model: CompiledModel,
    private readonly dialect: Dialect,
  ) {
    this.q = (n) => quoteIdentifier(dialect, n);
    this.ph = (i) => placeholder(dialect, i);
    const qe = model.entities.get(QUEUED_TASK)!;
    const pe = model.entities.get(PROCESSED_TASK)!;
    this.queued = this.q(qe.table);
    this.processed = this.q(pe.table);
    this.col = (c) => this.q(pe.attributes.get(c)!.column);
    this.skipLocked = dialect.name === 'sqlite' ? '' : ' FOR UPDATE SKIP LOCKED';
  }

  private date(d: Date): unknown {
    return toDbValue(this.dialect, { type: 'DateTime', qualifiedName: 'System.QueuedTask.StartAt' }, d);
  }

  /** Writes a new Idle task (in the caller's transaction: it exists when the caller commits). */
  async insert(tx: Queryable, ids: IdGenerator, task: NewTask, now: Date): Promise<bigint> {
    const id = await ids.nextId(QUEUED_TASK);
    const values: Record<(typeof COLUMNS)[number], unknown> = {
      Sequence: Number(id & 0xffffffffffffn),
      Status: 'Idle',
      QueueId: randomUUID(),
      QueueName: task.queueName,
      ContextType: task.contextType,
      ContextData: task.contextData,
      MicroflowName: task.microflow,
      UserActionName: null,
      Arguments: task.arguments,
      XASId: null,
      ThreadId: null,
      Created: this.date(now),
      StartAt: this.date(new Date(now.getTime() + task.delayMs)),
      Started: null,
      Retried: 0,
      Retry: task.retry ? JSON.stringify(task.retry) : null,
      ErrorMessage: null,
    };
    const cols = [this.q('id'), ...COLUMNS.map(this.col)];
    await tx.execute(`INSERT INTO ${this.queued} (${cols.join(', ')}) VALUES (${cols.map((_, i) => this.ph(i + 1)).join(', ')})`, [
      idToDb(this.dialect, id),
      ...COLUMNS.map((c) => values[c]),
    ]);
    return id;
  }

  /**
   * Claims up to `n` due tasks of the queue for this instance (status Running,
   * XASId = instance) in one short transaction, oldest first.
   */
  async claim(db: Database, queue: string, instance: string, n: number, now: Date): Promise<TaskRow[]> {
    if (n <= 0) return [];
    const c = this.col;
    const q = this.q;
    const columns =
      `${q('id')} AS ${q('id')}, ${c('Sequence')} AS ${q('seq')}, ${c('QueueName')} AS ${q('queue')}, ${c('MicroflowName')} AS ${q('mf')}, ` +
      `${c('ContextType')} AS ${q('ct')}, ${c('ContextData')} AS ${q('cd')}, ${c('Arguments')} AS ${q('args')}, ${c('Created')} AS ${q('created')}, ` +
      `${c('Retried')} AS ${q('retried')}, ${c('Retry')} AS ${q('retry')}`;
    const due = `${c('QueueName')} = ${this.ph(1)} AND ${c('Status')} IN ('Idle', 'Retrying') AND ${c('StartAt')} <= ${this.ph(2)}`;
    const order = `ORDER BY ${c('StartAt')}, ${q('id')} LIMIT ${Math.floor(n)}`;
    const running = `${c('Status')} = 'Running', ${c('XASId')} = ${this.ph(3)}, ${c('Started')} = ${this.ph(2)}, ${c('ThreadId')} = ${this.ph(4)}`;
    const params = [queue, this.date(now), instance, process.pid];
    if (this.dialect.name === 'postgres') {
      // One statement, one round trip: the rows picked (skipping those another instance is claiming) are set Running and returned.
      const rows = await db.query<Record<string, unknown>>(
        `UPDATE ${this.queued} SET ${running} WHERE ${q('id')} IN (SELECT ${q('id')} FROM ${this.queued} WHERE ${due} ${order} FOR UPDATE SKIP LOCKED) RETURNING ${columns}`,
        params,
      );
      return rows.map(taskRow).sort((a, b) => (a.id < b.id ? -1 : 1));
    }
    // MariaDB (no UPDATE ... RETURNING): the picked rows stay locked by this transaction until they are Running; SQLite: one writer anyway.
    return db.transaction(async (tx) => {
      const rows = await tx.query<Record<string, unknown>>(`SELECT ${columns} FROM ${this.queued} WHERE ${due} ${order}${this.skipLocked}`, params.slice(0, 2));
      if (rows.length === 0) return [];
      await tx.execute(
        `UPDATE ${this.queued} SET ${c('Status')} = 'Running', ${c('XASId')} = ${this.ph(1)}, ${c('Started')} = ${this.ph(2)}, ${c('ThreadId')} = ${this.ph(3)} WHERE ${q('id')} IN (${rows.map((_, i) => this.ph(i + 4)).join(', ')})`,
        [instance, this.date(now), process.pid, ...rows.map((r) => r.id)],
      );
      return rows.map(taskRow);
    });
  }

  /**
   * Records the task as finished (Completed or Failed) in `tx`: removes it
   * from the queue only while this instance still runs it (else throws
   * TaskTakenError, so the run's transaction rolls back) and writes its record.
   */
  async finish(
    tx: Queryable,
    ids: IdGenerator,
    task: TaskRow,
    instance: string,
    outcome: { status: 'Completed' | 'Failed'; started: Date; finished: Date; error?: string },
  ): Promise<void> {
    const c = this.col;
    const r = await tx.execute(
      `DELETE FROM ${this.queued} WHERE ${this.q('id')} = ${this.ph(1)} AND ${c('XASId')} = ${this.ph(2)} AND ${c('Status')} = 'Running'`,
      [idToDb(this.dialect, task.id), instance],
    );
    if (r.affectedRows === 0) throw new TaskTakenError(task.id);
    const id = await ids.nextId(PROCESSED_TASK);
    const cols: Column[] = [
      'Sequence',
      'Status',
      'QueueId',
      'QueueName',
      'ContextType',
      'ContextData',
      'MicroflowName',
      'Arguments',
      'XASId',
      'ThreadId',
      'Created',
      'Started',
      'Finished',
      'Duration',
      'Retried',
      'Retry',
      'ErrorMessage',
    ];
    const values = [
      Number(task.sequence),
      outcome.status,
      task.id.toString(),
      task.queueName,
      task.contextType,
      task.contextData,
      task.microflow,
      task.arguments,
      instance,
      process.pid,
      this.date(task.created),
      this.date(outcome.started),
      this.date(outcome.finished),
      outcome.finished.getTime() - outcome.started.getTime(),
      task.retried,
      task.retry ? JSON.stringify(task.retry) : null,
      outcome.error ?? null,
    ];
    const all = [this.q('id'), ...cols.map(c)];
    await tx.execute(`INSERT INTO ${this.processed} (${all.join(', ')}) VALUES (${all.map((_, i) => this.ph(i + 1)).join(', ')})`, [
      idToDb(this.dialect, id),
      ...values,
    ]);
  }

  /** A failed run with retries left: back to the queue as Retrying, due at `startAt`; false when it was no longer this instance's. */
  async retryLater(db: Queryable, task: TaskRow, instance: string, startAt: Date, error: string): Promise<boolean> {
    const c = this.col;
    const r = await db.execute(
      `UPDATE ${this.queued} SET ${c('Status')} = 'Retrying', ${c('XASId')} = NULL, ${c('ThreadId')} = NULL, ${c('StartAt')} = ${this.ph(1)}, ` +
        `${c('Retried')} = ${this.ph(2)}, ${c('ErrorMessage')} = ${this.ph(3)} WHERE ${this.q('id')} = ${this.ph(4)} AND ${c('XASId')} = ${this.ph(5)} AND ${c('Status')} = 'Running'`,
      [this.date(startAt), task.retried + 1, error, idToDb(this.dialect, task.id), instance],
    );
    return r.affectedRows > 0;
  }

  /**
   * Tasks Running on an instance that is gone (no row in system$xasinstance
   * refreshed within `liveWindowMs`), or on `instance` itself when given (this
   * instance leaves them at shut-down): back to Idle for any instance to run.
   * Returns how many.
   */
  async resetAbandoned(db: Queryable, liveWindowMs: number, only?: { instance: string; ids: readonly bigint[] }): Promise<number> {
    const c = this.col;
    if (only) {
      if (only.ids.length === 0) return 0;
      const r = await db.execute(
        `UPDATE ${this.queued} SET ${c('Status')} = 'Idle', ${c('XASId')} = NULL, ${c('ThreadId')} = NULL WHERE ${c('XASId')} = ${this.ph(1)} AND ${c('Status')} = 'Running' ` +
          `AND ${this.q('id')} IN (${only.ids.map((_, i) => this.ph(i + 2)).join(', ')})`,
        [only.instance, ...only.ids.map((id) => idToDb(this.dialect, id))],
      );
      return r.affectedRows;
    }
    // A plain read first, then an UPDATE by id: MariaDB's UPDATE with a subquery would lock every row it scans (claims would skip them all meanwhile).
    const dead = await db.query<{ id: unknown; xasid: unknown }>(
      `SELECT ${this.q('id')} AS ${this.q('id')}, ${c('XASId')} AS ${this.q('xasid')} FROM ${this.queued} WHERE ${c('Status')} = 'Running' AND ` +
        `(${c('XASId')} IS NULL OR ${c('XASId')} NOT IN (SELECT ${this.q('xasid')} FROM ${this.q(INSTANCE_TABLE)} WHERE ${instanceLive(this.dialect.name, this.q('lastupdate'), this.ph(1))}))`,
      [liveWindowMs],
    );
    let n = 0;
    for (const t of dead) {
      const r = await db.execute(
        `UPDATE ${this.queued} SET ${c('Status')} = 'Idle', ${c('XASId')} = NULL, ${c('ThreadId')} = NULL WHERE ${this.q('id')} = ${this.ph(1)} AND ${c('Status')} = 'Running' AND ` +
          (t.xasid === null ? `${c('XASId')} IS NULL` : `${c('XASId')} = ${this.ph(2)}`),
        t.xasid === null ? [t.id] : [t.id, t.xasid],
      );
      n += r.affectedRows;
    }
    return n;
  }

  /** Every Running task back to Idle: at the start of a single instance without the cluster component (it ran them all). */
  async resetAllRunning(db: Queryable): Promise<number> {
    const c = this.col;
    return (
      await db.execute(`UPDATE ${this.queued} SET ${c('Status')} = 'Idle', ${c('XASId')} = NULL, ${c('ThreadId')} = NULL WHERE ${c('Status')} = 'Running'`, [])
    ).affectedRows;
  }

  /** Live instances (refreshed within the window), at least 1: a cluster-scope queue's threads are shared out over them. */
  async liveInstances(db: Queryable, liveWindowMs: number): Promise<number> {
    const rows = await db.query<{ n: unknown }>(
      `SELECT COUNT(*) AS ${this.q('n')} FROM ${this.q(INSTANCE_TABLE)} WHERE ${instanceLive(this.dialect.name, this.q('lastupdate'), this.ph(1))}`,
      [liveWindowMs],
    );
    return Math.max(1, Number(rows[0]?.n ?? 1));
  }
}
