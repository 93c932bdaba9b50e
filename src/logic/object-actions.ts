import type { CEventHandler } from '../model/compiled/types.js';
import { clearChanges, type MxObject } from '../objects/mx-object.js';
import type { Value } from './expressions/runtime.js';
import { EventCancelledError, ValidationFailedError } from './engine/errors.js';
import type { ObjectActionsApi } from './engine/host.js';
import type { LogicSession } from './engine/session.js';
import { validateObjects } from './validation.js';

/** Runs an event-handler microflow in the session (and transaction) of the action. */
export type HandlerInvoker = (session: LogicSession, microflow: string, args: readonly Value[], stack: readonly string[]) => Promise<Value>;

type Event = CEventHandler['event'];

/**
 * Create, commit, delete and rollback with what Mendix runs around them:
 * before/after event handlers (a before-handler returning false cancels, with
 * an error when configured to raise) and validation rules at commit. Used by
 * microflow activities and by the client API alike, so both get the same
 * behaviour. On a list, each handler runs for all objects before the next
 * handler, and the action is applied to all objects at once (one batched write).
 */
export class ObjectActions implements ObjectActionsApi {
  constructor(private readonly invoke: HandlerInvoker) {}

  private handlersFor(session: LogicSession, entity: string, moment: 'before' | 'after', event: Event): CEventHandler[] {
    return session.model.entities.get(entity)?.events.filter((h) => h.moment === moment && h.event === event) ?? [];
  }

  /** Before-handlers: returns the objects the action goes ahead for. */
  private async before(session: LogicSession, objects: readonly MxObject[], event: Event, stack: readonly string[]): Promise<MxObject[]> {
    const skipped = new Set<bigint>();
    for (const [handler, objs] of this.grouped(session, objects, 'before', event)) {
      for (const o of objs) {
        if (skipped.has(o.id)) continue;
        const result = await this.invoke(session, handler.microflow, handler.passEventObject ? [o] : [], stack);
        if (result === false) {
          if (handler.raiseErrorOnFalse) throw new EventCancelledError(handler.microflow, `${event} of ${o.entity}`);
          skipped.add(o.id);
        }
      }
    }
    return objects.filter((o) => !skipped.has(o.id));
  }

  private async after(session: LogicSession, objects: readonly MxObject[], event: Event, stack: readonly string[]): Promise<void> {
    for (const [handler, objs] of this.grouped(session, objects, 'after', event)) {
      for (const o of objs) await this.invoke(session, handler.microflow, handler.passEventObject ? [o] : [], stack);
    }
  }

  /** Handlers in model order, each with the objects it applies to. */
  private grouped(session: LogicSession, objects: readonly MxObject[], moment: 'before' | 'after', event: Event): Map<CEventHandler, MxObject[]> {
    const out = new Map<CEventHandler, MxObject[]>();
    const byKey = new Map<string, CEventHandler>();
    for (const o of objects) {
      for (const h of this.handlersFor(session, o.entity, moment, event)) {
        const key = `${h.entity}|${h.microflow}|${h.moment}|${h.event}`;
        const canonical = byKey.get(key) ?? h;
        byKey.set(key, canonical);
        const list = out.get(canonical) ?? [];
        list.push(o);
        out.set(canonical, list);
      }
    }
    return out;
  }

  async create(session: LogicSession, entity: string, stack: readonly string[]): Promise<MxObject> {
    for (const h of this.handlersFor(session, entity, 'before', 'create')) {
      const r = await this.invoke(session, h.microflow, [], stack);
      if (r === false && h.raiseErrorOnFalse) throw new EventCancelledError(h.microflow, `create of ${entity}`);
    }
    const o = await session.host.data.createObject(entity, { ...(session.user.userId !== null ? { user: session.user.userId } : {}), now: new Date() });
    session.track(o);
    await this.afterCreate(session, o, stack);
    return o;
  }

  /** After-create handlers for an object made elsewhere (the client API's create). */
  async afterCreate(session: LogicSession, o: MxObject, stack: readonly string[]): Promise<void> {
    session.track(o);
    await this.after(session, [o], 'create', stack);
  }

  async commit(session: LogicSession, objects: readonly MxObject[], opts: { events: boolean }, stack: readonly string[]): Promise<void> {
    const model = session.model;
    // One pass: deleted objects dropped (in place: `unique` gave a new array), the rest tracked,
    // and whether any entity has commit handlers or validation rules. Most have neither: then
    // neither pass is entered (no handler groups built, no promise awaited for them).
    let list = unique(objects);
    let events = false;
    let validate = false;
    let n = 0;
    for (let i = 0; i < list.length; i++) {
      const o = list[i]!;
      if (session.deleted.has(o.id)) continue;
      list[n++] = o;
      session.track(o);
      const e = model.entities.get(o.entity);
      if (e === undefined) continue;
      if (opts.events && !events && hasHandler(e.events, 'commit')) events = true;
      if (e.validation.length > 0) validate = true;
    }
    list.length = n;
    if (events) {
      list = await this.before(session, list, 'commit', stack);
      validate = list.some((o) => (model.entities.get(o.entity)?.validation.length ?? 0) > 0);
    }
    if (list.length === 0) return;
    if (validate) {
      const feedback = await validateObjects(session, list);
      if (feedback.length > 0) throw new ValidationFailedError(feedback);
    }
    const writes: MxObject[] = [];
    for (const o of list) if (model.entities.get(o.entity)?.persistable) writes.push(o);
    // Autocommit: new objects the committed ones refer to are written too (no events, no validation).
    // The set of ids written is made only when such an object is found (mostly none is).
    let inWrite: Set<bigint> | undefined;
    // Only the objects asked for are looked through, not the ones added here.
    for (let i = 0, asked = writes.length; i < asked; i++) {
      for (const ref of writes[i]!.references.values()) {
        if (ref === null) continue;
        if (typeof ref === 'bigint') inWrite = autocommit(session, writes, inWrite, ref);
        else for (const id of ref) inWrite = autocommit(session, writes, inWrite, id);
      }
    }
    if (writes.length > 0) {
      const user = session.user;
      await session.host.data.commitObjects(session.sql(), writes, {
        user: user.userId ?? undefined,
        session: user.sessionObjectId ?? undefined,
        now: new Date(),
      });
    }
    for (const o of list) {
      clearChanges(o);
      session.noteCommitted(o);
    }
    for (const o of writes) session.noteCommitted(o);
    if (events) await this.after(session, list, 'commit', stack);
  }

  async delete(session: LogicSession, objects: readonly MxObject[], opts: { events: boolean }, stack: readonly string[]): Promise<void> {
    let list = unique(objects).filter((o) => !session.deleted.has(o.id));
    if (opts.events) list = await this.before(session, list, 'delete', stack);
    const persisted = list.filter((o) => o.state === 'persisted' && session.model.entities.get(o.entity)?.persistable);
    const gone: MxObject[] = list.filter((o) => !persisted.includes(o));
    if (persisted.length > 0) {
      // Objects a cascading delete behaviour takes along get their before-delete events too, as in Mendix.
      const asked = new Set(persisted.map((o) => o.id));
      const beforeDelete = async (all: readonly MxObject[]) => {
        const cascaded = all.filter((o) => !asked.has(o.id));
        if (cascaded.length === 0) return undefined;
        const go = new Set((await this.before(session, cascaded, 'delete', stack)).map((o) => o.id));
        return cascaded.filter((o) => !go.has(o.id));
      };
      gone.push(...(await session.host.data.deleteObjects(session.sql(), persisted, opts.events ? { beforeDelete } : {})));
    }
    for (const o of gone) session.noteDeleted(o);
    if (opts.events) await this.after(session, gone, 'delete', stack);
  }

  async rollback(session: LogicSession, objects: readonly MxObject[], stack: readonly string[]): Promise<void> {
    let list = unique(objects);
    list = await this.before(session, list, 'rollback', stack);
    const persisted = list.filter((o) => o.state === 'persisted' && o.changed.size > 0);
    for (const o of list) {
      if (o.state === 'new') {
        session.deleted.add(o.id);
        session.objects.delete(o.id);
      }
    }
    if (persisted.length > 0 && session.tx) {
      const byEntity = new Map<string, MxObject[]>();
      for (const o of persisted) byEntity.set(o.entity, [...(byEntity.get(o.entity) ?? []), o]);
      for (const [entity, objs] of byEntity) {
        const fresh = new Map(
          (
            await session.host.data.retrieveByIds(
              session.tx,
              entity,
              objs.map((o) => o.id),
            )
          ).map((f) => [f.id, f]),
        );
        for (const o of objs) {
          const f = fresh.get(o.id);
          if (!f) continue;
          for (const [k, v] of f.values) o.values.set(k, v);
          for (const [k, v] of f.references) o.references.set(k, v);
          o.changed.clear();
        }
      }
    }
    await this.after(session, list, 'rollback', stack);
  }
}

/**
 * Adds the object `id` names to `writes` when the request holds it new and persistable and it is
 * not there yet. `inWrite`: the ids in `writes`, made at the first such object; returned.
 */
function autocommit(session: LogicSession, writes: MxObject[], inWrite: Set<bigint> | undefined, id: bigint): Set<bigint> | undefined {
  const held = session.objects.get(id);
  if (held === undefined || held.state !== 'new' || !session.model.entities.get(held.entity)?.persistable) return inWrite;
  const ids = inWrite ?? new Set(writes.map((w) => w.id));
  if (!ids.has(id)) {
    writes.push(held);
    ids.add(id);
  }
  return ids;
}

function hasHandler(handlers: readonly CEventHandler[] | undefined, event: Event): boolean {
  if (handlers) for (const h of handlers) if (h.event === event) return true;
  return false;
}

function unique(objects: readonly MxObject[]): MxObject[] {
  if (objects.length < 2) return objects.slice();
  const seen = new Set<bigint>();
  return objects.filter((o) => {
    if (seen.has(o.id)) return false;
    seen.add(o.id);
    return true;
  });
}
