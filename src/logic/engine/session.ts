import type { Logger } from '../../core/logger.js';
import type { CompiledModel } from '../../model/compiled/types.js';
import { translate, type ModelText } from '../../model/text.js';
import { createMxObject, type MxObject } from '../../objects/mx-object.js';
import type { UserContext } from '../../security/user-context.js';
import type { PrefetchPath } from '../expressions/compile.js';
import type { EvalContext, Value } from '../expressions/runtime.js';
import type { FeedbackItem, MicroflowError } from './errors.js';
import type { DataPort, QueryPort, SqlPort } from './ports.js';

/** A message for the user, from a show-message activity. */
/** A page to open or close in the client that called the microflow, in the order the activities ran. */
export type PageInstruction =
  | { readonly kind: 'show'; readonly page: string; readonly parameter?: string; readonly object?: MxObject }
  | { readonly kind: 'close' };

export interface ClientMessage {
  readonly type: 'info' | 'warning' | 'error';
  readonly message: string;
  readonly blocking: boolean;
}

/** What a session needs from the engine that created it. */
export interface SessionHost {
  readonly model: CompiledModel;
  readonly data: DataPort;
  readonly query: QueryPort;
  readonly log: Logger;
  readonly roundHalfEven: boolean;
  /** Computes the calculated attributes of objects read by id (by-association retrieves); absent: none are computed. */
  readonly calculate?: (tx: SqlPort, user: UserContext, objects: readonly MxObject[]) => Promise<void>;
}

/**
 * The state of one request in the logic layer: the user, the transaction, the
 * objects the request holds (parameters, created, retrieved by association),
 * and what goes back to the client (messages, validation feedback, objects
 * committed, deleted or to refresh).
 */
export class LogicSession {
  /** Objects the request holds, by id: by-association retrieves and expressions see their in-memory state. */
  readonly objects = new Map<bigint, MxObject>();
  readonly messages: ClientMessage[] = [];
  readonly pages: PageInstruction[] = [];
  readonly feedback: FeedbackItem[] = [];
  readonly committed = new Map<bigint, MxObject>();
  readonly deleted = new Set<bigint>();
  readonly refresh = new Map<bigint, MxObject>();
  readonly evalCtx: EvalContext;
  readonly now: Date;
  private savepoints: { readonly name: string; readonly mark: number }[] = [];
  /** How to forget committed/deleted bookkeeping, newest last; savepoints remember their position. */
  private undo: (() => void)[] = [];
  private spCounter = 0;
  private tempIds = 0n;
  private userObject: MxObject | null | undefined;
  private sessionObject: MxObject | null | undefined;

  constructor(
    readonly host: SessionHost,
    readonly user: UserContext,
    readonly tx: SqlPort | undefined,
    readonly log: Logger,
    /** False for a read-only microflow run on the database outside a transaction: no savepoints then. */
    private readonly inTransaction = true,
  ) {
    this.now = new Date();
    const objects = this.objects;
    this.evalCtx = {
      model: host.model,
      timeZone: user.timeZone || 'UTC',
      now: () => new Date(),
      roundHalfEven: host.roundHalfEven,
      follow(o, association) {
        const ref = o.references.get(association);
        if (ref === undefined || ref === null) return null;
        if (typeof ref === 'bigint') return objects.get(ref) ?? null;
        return ref.map((id) => objects.get(id)).filter((x): x is MxObject => x !== undefined);
      },
    };
  }

  /** A model text (a message, a validation text) in the user's language, else the app's default. */
  text(t: ModelText): string {
    return translate(t, this.user.language, this.host.model.app.languages?.[0]) ?? '';
  }

  get model(): CompiledModel {
    return this.host.model;
  }

  track(o: MxObject): MxObject {
    const held = this.objects.get(o.id);
    if (held && held !== o && held.changed.size > 0) return held;
    this.objects.set(o.id, o);
    return o;
  }

  /**
   * Objects read by an XPath retrieve, as the database has them: one the
   * request holds with uncommitted changes comes back as the fresh copy
   * (Mendix: XPath retrieves ignore earlier changes of the request); an
   * unchanged one keeps its identity; new ones join the request.
   */
  fromDatabase(found: readonly MxObject[]): MxObject[] {
    return found.map((o) => {
      const h = this.objects.get(o.id);
      if (!h) {
        this.objects.set(o.id, o);
        return o;
      }
      return h.changed.size > 0 || h.state === 'new' ? o : h;
    });
  }

  /** The transaction; a microflow that reaches the database outside one is a programming error. */
  sql(): SqlPort {
    if (!this.tx) throw new Error('this action needs a database transaction');
    return this.tx;
  }

  /** Loads the objects an expression reaches over associations into the object cache. */
  async prefetch(vars: readonly Value[], paths: readonly PrefetchPath[]): Promise<void> {
    for (const p of paths) {
      const start = vars[p.slot];
      await this.prefetchFrom(start && typeof start === 'object' && 'references' in start ? [start as MxObject] : [], p.associations);
    }
  }

  /**
   * Loads what `associations` reach from every object of `start`, level by level
   * (one query per entity and level): a list expression over `$currentObject/Assoc/...`
   * costs as many queries as the path has steps, not one per object.
   */
  async prefetchFrom(start: readonly MxObject[], associations: readonly string[]): Promise<void> {
    let level = start;
    for (const assoc of associations) {
      const ids: bigint[] = [];
      for (const o of level) {
        const ref = o.references.get(assoc);
        if (typeof ref === 'bigint') ids.push(ref);
        else if (Array.isArray(ref)) ids.push(...(ref as bigint[]));
      }
      await this.loadIds(ids);
      level = ids.map((id) => this.objects.get(id)).filter((x): x is MxObject => x !== undefined);
    }
  }

  /** Makes sure the objects with these ids are in the cache (one query per entity). */
  async loadIds(ids: readonly bigint[]): Promise<void> {
    const missing = ids.filter((id) => !this.objects.has(id) && !this.deleted.has(id));
    if (missing.length === 0 || !this.tx) return;
    const byEntity = new Map<string, bigint[]>();
    for (const id of missing) {
      const e = this.host.data.entityOf(id);
      // A non-persistable object not held by this request is gone: nothing stored to load.
      if (!e || !this.model.entities.get(e)?.persistable) continue;
      const root = this.model.entities.get(e)?.chain.at(-1) ?? e;
      const list = byEntity.get(root) ?? [];
      list.push(id);
      byEntity.set(root, list);
    }
    for (const [entity, list] of byEntity) {
      const found = await this.host.data.retrieveByIds(this.tx, entity, list);
      // Read from the database like an XPath retrieve's objects: their calculated attributes get values too.
      if (this.host.calculate) await this.host.calculate(this.tx, this.user, found);
      for (const o of found) this.track(o);
    }
  }

  async currentUser(): Promise<MxObject | null> {
    if (this.userObject === undefined) {
      const id = this.user.userId;
      if (id === null) this.userObject = null;
      else {
        await this.loadIds([id]);
        this.userObject = this.objects.get(id) ?? null;
      }
    }
    return this.userObject;
  }

  async currentSession(): Promise<MxObject | null> {
    if (this.sessionObject === undefined) {
      const id = this.user.sessionObjectId;
      if (id === null) this.sessionObject = null;
      else {
        await this.loadIds([id]);
        this.sessionObject = this.objects.get(id) ?? null;
      }
    }
    return this.sessionObject;
  }

  /** A System.Error object for $latestError (non-persistable, never committed). */
  errorObject(e: MicroflowError): MxObject {
    const o = createMxObject('System.Error', -++this.tempIds, 'new');
    o.values.set('ErrorType', e.errorType);
    o.values.set('Message', e.message);
    o.values.set(
      'Stacktrace',
      [...e.microflowStack]
        .reverse()
        .map((m) => `\tat microflow ${m}`)
        .join('\n'),
    );
    return o;
  }

  // --- bookkeeping that follows the database work (undone with it)

  /** Records an object as committed by this request; forgotten again when its work is rolled back. */
  noteCommitted(o: MxObject): void {
    if (!this.committed.has(o.id)) {
      this.undo.push(() => {
        this.committed.delete(o.id);
        // The row is gone again; the request still holds the object.
        if (!this.objects.has(o.id) && !this.deleted.has(o.id)) this.objects.set(o.id, o);
      });
    }
    this.committed.set(o.id, o);
  }

  /** Records an object as deleted by this request; back again when its work is rolled back. */
  noteDeleted(o: MxObject): void {
    const held = this.objects.get(o.id);
    const committed = this.committed.get(o.id);
    if (!this.deleted.has(o.id)) {
      this.undo.push(() => {
        this.deleted.delete(o.id);
        if (held) this.objects.set(o.id, held);
        if (committed) this.committed.set(o.id, committed);
      });
    }
    this.deleted.add(o.id);
    this.objects.delete(o.id);
    this.committed.delete(o.id);
  }

  private undoTo(mark: number): void {
    while (this.undo.length > mark) this.undo.pop()!();
  }

  // --- savepoints (raw SQL: the same statements on SQLite, PostgreSQL and MariaDB)

  /** Marks the start of the request's work: custom-with-rollback handlers outside any savepoint return here. */
  async begin(): Promise<void> {
    if (!this.tx || !this.inTransaction) return;
    await this.tx.execute('SAVEPOINT kiln_mf_base', []);
  }

  async savepoint(): Promise<string | undefined> {
    if (!this.tx || !this.inTransaction) return undefined;
    const name = `kiln_mf_${++this.spCounter}`;
    await this.tx.execute(`SAVEPOINT ${name}`, []);
    this.savepoints.push({ name, mark: this.undo.length });
    return name;
  }

  async release(name: string | undefined): Promise<void> {
    if (!name || !this.tx) return;
    const i = this.savepoints.findLastIndex((s) => s.name === name);
    if (i < 0) return; // undone by a rollback of an enclosing scope: nothing left to release
    this.savepoints.length = i;
    await this.tx.execute(`RELEASE SAVEPOINT ${name}`, []);
  }

  async rollbackTo(name: string | undefined): Promise<void> {
    if (!name || !this.tx) return;
    const i = this.savepoints.findLastIndex((s) => s.name === name);
    if (i < 0) return;
    const sp = this.savepoints[i]!;
    this.savepoints.length = i;
    await this.tx.execute(`ROLLBACK TO SAVEPOINT ${name}`, []);
    await this.tx.execute(`RELEASE SAVEPOINT ${name}`, []);
    this.undoTo(sp.mark);
  }

  /**
   * Custom with rollback: undoes the work of the innermost enclosing
   * sub-transaction — the savepoint of a call (or activity) guarded by
   * custom-without-rollback or continue — or, outside any, all database work
   * of the request. That savepoint is consumed: work done afterwards (the
   * handler's) belongs to the enclosing scope, as in Mendix, where the
   * handler runs in a new transaction whose work the outer guard keeps.
   */
  async rollbackInnermost(): Promise<void> {
    if (!this.tx || !this.inTransaction) return;
    const sp = this.savepoints.pop();
    if (sp) {
      await this.tx.execute(`ROLLBACK TO SAVEPOINT ${sp.name}`, []);
      await this.tx.execute(`RELEASE SAVEPOINT ${sp.name}`, []);
      this.undoTo(sp.mark);
      return;
    }
    await this.tx.execute('ROLLBACK TO SAVEPOINT kiln_mf_base', []);
    this.undoTo(0);
  }
}
