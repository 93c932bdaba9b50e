import type { MxObject } from '../objects/mx-object.js';
import type { MicroflowEngine } from './engine/engine.js';
import type { PreparedRetrieve } from './engine/ports.js';
import type { Run } from './engine/run.js';
import type { ActionContext } from './ts-actions.js';
import { getMember, setMember } from './action-values.js';

/** The context API handed to TypeScript actions, bound to the calling microflow's session. */
export function actionContextFactory(engineRef: () => MicroflowEngine): (caller: Run) => ActionContext {
  const plans = new Map<string, PreparedRetrieve>();
  return (caller) => {
    const engine = engineRef();
    const session = caller.session;
    const list = (o: MxObject | readonly MxObject[]): readonly MxObject[] => (Array.isArray(o) ? o : [o as MxObject]);
    return {
      user: session.user,
      async retrieve(entity, xpath, variables = {}) {
        const key = `${entity}\u0000${xpath ?? ''}`;
        let p = plans.get(key);
        if (!p) {
          p = engine.query.prepare(engine.model, { entity, ...(xpath ? { xpath } : {}), sort: [] }, caller.mf.applyEntityAccess);
          plans.set(key, p);
        }
        const found = await p.run(session.sql(), session.user, variables, {});
        return session.fromDatabase(found);
      },
      create: (entity) => engine.actions.create(session, entity, caller.stack),
      get: (o, member) => getMember(engine.model, o, member),
      set: (o, member, value) => setMember(engine.model, o, member, value, (x) => session.track(x)),
      commit: (objects, options) => engine.actions.commit(session, list(objects), { events: options?.events ?? true }, caller.stack),
      delete: (objects) => engine.actions.delete(session, list(objects), { events: true }, caller.stack),
      rollback: (objects) => engine.actions.rollback(session, list(objects), caller.stack),
      callMicroflow: (name, params = {}) => engine.callByName(session, name, params, caller.stack),
      log: (level, message) => session.log[level]({ microflow: caller.mf.name }, message),
    };
  };
}
