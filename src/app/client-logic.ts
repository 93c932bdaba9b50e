import type { ObjectLogic } from '../client-api/ports.js';
import { ValidationFailed, type MicroflowArg, type MicroflowOutcome } from '../client-api/backend.js';
import type { Transaction } from '../data/index.js';
import type { CEventHandler } from '../model/compiled/types.js';
import type { MxObject } from '../objects/mx-object.js';
import { idToGuid } from '../objects/values.js';
import type { UserContext } from '../security/user-context.js';
import type { MicroflowEngine } from '../logic/engine/engine.js';
import { EventCancelledError, ValidationFailedError } from '../logic/engine/errors.js';
import { ClientApiError } from '../client-api/errors.js';
import type { SqlPort } from '../logic/engine/ports.js';
import { isMxObject, type Value } from '../logic/expressions/runtime.js';

/**
 * The logic layer as the client API sees it (service `logic`): commits,
 * deletes and rollbacks from the client run the same event handlers and
 * validation rules as microflow activities; callMicroflow runs a microflow in
 * the request's transaction.
 */
export function clientLogic(engine: MicroflowEngine): ObjectLogic {
  const tx = (t: Transaction | null): SqlPort | undefined => (t ? (t as unknown as SqlPort) : undefined);
  const withFeedback = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      throw asClientError(e);
    }
  };
  return {
    async afterCreate(t, user, obj) {
      // Without after-create handlers there is nothing to run: no session, no savepoint.
      if (!hasAfterCreate(engine.model.entities.get(obj.entity)?.events)) return;
      const s = engine.session(user, tx(t));
      await s.begin();
      await engine.actions.afterCreate(s, obj, []);
    },
    async commit(t, user, objects) {
      const s = engine.session(user, tx(t));
      for (const o of objects) s.track(o);
      // The base savepoint serves microflows' error handling; without commit handlers no microflow runs (one round trip less per save).
      if (anyCommitHandler(engine, objects)) await s.begin();
      // As withFeedback, written out: no closure per save.
      try {
        await engine.actions.commit(s, objects, WITH_EVENTS, NO_STACK);
      } catch (e) {
        throw asClientError(e);
      }
    },
    async delete(t, user, objects) {
      const s = engine.session(user, tx(t));
      await s.begin();
      await withFeedback(() => engine.actions.delete(s, objects, { events: true }, []));
    },
    async rollback(user, objects) {
      const s = engine.session(user, undefined);
      await engine.actions.rollback(s, objects, []);
    },
    async callMicroflow(t, user: UserContext, name, args): Promise<MicroflowOutcome> {
      const params: Record<string, Value> = {};
      const objects: MxObject[] = [];
      for (const [k, a] of args) {
        if (a.kind === 'object') {
          params[k] = a.object;
          if (a.object) objects.push(a.object);
        } else if (a.kind === 'list') {
          params[k] = [...a.objects];
          objects.push(...a.objects);
        } else params[k] = a.value;
      }
      const mf = engine.microflow(name);
      const r = await withFeedback(() => engine.runMicroflow(name, params, user, tx(t), objects));
      const rt = mf?.returnType.kind;
      let result: MicroflowArg | undefined;
      if (rt === 'Object') result = { kind: 'object', object: isMxObject(r.value) ? r.value : null };
      else if (rt === 'List') result = { kind: 'list', objects: Array.isArray(r.value) ? (r.value as MxObject[]) : [] };
      else if (rt && rt !== 'Nothing') result = { kind: 'value', value: r.value as Exclude<Value, MxObject | readonly MxObject[]> };
      return {
        result,
        dirty: r.dirty,
        committed: r.committed.map((o) => o.id),
        deleted: r.deleted,
        messages: r.messages.map((m) => ({ type: m.type, text: m.message })),
        pages: r.pages.map((p) =>
          p.kind === 'close'
            ? p
            : { kind: 'show' as const, page: p.page, ...(p.parameter && p.object ? { parameter: p.parameter, guid: idToGuid(p.object.id) } : {}) },
        ),
        shown: r.pages.flatMap((p) => (p.kind === 'show' && p.object ? [p.object] : [])),
        feedback: r.feedback.map((f) => ({ guid: idToGuid(f.objectId), member: f.member, message: f.message })),
      };
    },
  };
}

const WITH_EVENTS = { events: true } as const;
const NO_STACK: readonly string[] = [];

function hasAfterCreate(events: readonly CEventHandler[] | undefined): boolean {
  if (events) for (const h of events) if (h.event === 'create' && h.moment === 'after') return true;
  return false;
}

/** Whether any of the objects' entities has a commit handler (before or after). */
function anyCommitHandler(engine: MicroflowEngine, objects: readonly MxObject[]): boolean {
  const entities = engine.model.entities;
  for (const o of objects) {
    const events = entities.get(o.entity)?.events;
    if (events) for (const h of events) if (h.event === 'commit') return true;
  }
  return false;
}

/**
 * The error the client API answers for a failure of the logic: failed validation rules as
 * feedback, a before-handler's refusal as 422; anything else as it is.
 */
function asClientError(e: unknown): unknown {
  const v = e instanceof ValidationFailedError ? e : e instanceof Error && e.cause instanceof ValidationFailedError ? e.cause : undefined;
  if (v) return new ValidationFailed(v.feedback.map((f) => ({ guid: idToGuid(f.objectId), member: f.member, message: f.message })));
  // A before-commit (before-delete) handler returned false, configured to raise: the model refused, not a server fault.
  const c = e instanceof EventCancelledError ? e : e instanceof Error && e.cause instanceof EventCancelledError ? e.cause : undefined;
  if (c) return new ClientApiError(422, `${c.action} was refused by an event handler`, {}, { cause: c });
  return e;
}
