import type { MxObject } from '../objects/mx-object.js';
import type { MicroflowEngine } from './engine/engine.js';
import type { FilePort, PreparedRetrieve } from './engine/ports.js';
import type { Run } from './engine/run.js';
import type { ActionContext } from './ts-actions.js';
import { getMember, setMember } from './action-values.js';

/** The context API handed to TypeScript actions, bound to the calling microflow's session. */
export function actionContextFactory(engineRef: () => MicroflowEngine, filesRef: () => FilePort | undefined = () => undefined): (caller: Run) => ActionContext {
  const plans = new Map<string, PreparedRetrieve>();
  return (caller) => {
    const engine = engineRef();
    const session = caller.session;
    const files = (): FilePort => {
      const f = filesRef();
      if (!f) throw new Error('file contents are not available in this runtime (no files component)');
      return f;
    };
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
      readFile: (file) => files().read(file, session.sql()),
      async readFileBytes(file) {
        const s = await files().read(file, session.sql());
        if (!s) return undefined;
        const parts: Buffer[] = [];
        for await (const c of s) parts.push(Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array));
        return Buffer.concat(parts);
      },
      async writeFile(file, contents, name) {
        const r = await files().write(file, contents, name, session.sql());
        // The object in hand shows what the row now holds (not a change to commit).
        file.values.set('Size', String(r.size));
        file.values.set('HasContents', true);
        if (name !== undefined) file.values.set('Name', name.slice(0, 400));
      },
    };
  };
}
