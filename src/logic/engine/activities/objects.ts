// Not the data layer's index: compiling a microflow (kiln check) must not load Kysely.
import { placeholder, quoteIdentifier } from '../../../data/dialects/names.js';
import { idFromDb, idToDb } from '../../../data/values.js';
import type { MxObject } from '../../../objects/mx-object.js';
import { ExpressionError } from '../../expressions/runtime.js';
import { T } from '../../expressions/types.js';
import { NEXT } from '../compiled.js';
import type { BlockState, MicroflowCompiler, Path, StepExpr } from '../compiler.js';
import { prefetchAll, simpleStep } from '../compiler.js';
import type { Run } from '../run.js';
import { commitMode, markRefresh, memberSetters } from './members.js';
import { sortSpec } from './sorting.js';
import { host, listOf, type ActivityCompiler, type ActivityDefOf, type StepBody } from './types.js';

/** Object activities: retrieve, create, change, commit, delete, rollback. */

export const retrieve: ActivityCompiler<'retrieve'> = (c, d, path, st) => {
  const from = d.from;
  if (typeof from !== 'string') {
    c.error([...path, 'from'], 'expected Module.Entity or $Object/Module.Association');
    return undefined;
  }
  if (from.startsWith('$')) return retrieveByAssociation(c, d, path, st);
  const entity = c.entity(from, [...path, 'from']);
  if (!entity) return undefined;
  if (!entity.persistable) {
    c.error([...path, 'from'], `${entity.name} is not persistable: retrieve it by association`);
    return undefined;
  }
  const sort = sortSpec(c, entity, d.sort, [...path, 'sort']);
  const xpath = typeof d.xpath === 'string' ? d.xpath : undefined;
  const xpathVars = xpath ? [...new Set([...xpath.matchAll(/\$([A-Za-z_]\w*)/g)].map((m) => m[1]!))] : [];
  const varSlots: [string, number][] = [];
  for (const v of xpathVars) {
    const info = st.scope.lookup(v);
    if (!info) c.error([...path, 'xpath'], `unknown variable $${v} in the XPath constraint`);
    else varSlots.push([v, info.slot]);
  }
  let first = false;
  let offsetE: StepExpr | undefined, amountE: StepExpr | undefined;
  const range = d.range;
  if (range === 'first') first = true;
  else if (range && typeof range === 'object') {
    if (range.offset !== undefined) offsetE = c.expr(range.offset, [...path, 'range', 'offset'], st.scope, T.Integer, 'offset');
    if (range.amount !== undefined) amountE = c.expr(range.amount, [...path, 'range', 'amount'], st.scope, T.Integer, 'amount');
  }
  const slot = c.declare(st.scope, d.into, first ? T.object(entity.name) : T.list(entity.name), [...path, 'into']);
  if (slot === undefined) return undefined;
  let prepared: ReturnType<NonNullable<typeof c.cc.query>['prepare']> | undefined;
  if (c.cc.query) {
    try {
      prepared = c.cc.query.prepare(c.model, { entity: entity.name, ...(xpath ? { xpath } : {}), sort }, c.mf.def.applyEntityAccess ?? false);
    } catch (e) {
      const x = e as { position?: number; xpath?: string; detail?: string };
      if (xpath && typeof x.position === 'number' && typeof x.xpath === 'string' && x.xpath.endsWith(xpath)) {
        c.errorAt([...path, 'xpath'], x.position - (x.xpath.length - xpath.length), `XPath: ${x.detail ?? (e as Error).message}`);
      } else c.error([...path, xpath ? 'xpath' : 'from'], (e as Error).message);
      return undefined;
    }
  }
  return {
    sync: false,
    async exec(r) {
      if (!prepared) throw new Error('retrieves need the query engine, which is not available');
      await prefetchAll(r, [offsetE, amountE]);
      const vars: Record<string, unknown> = {};
      for (const [n, s] of varSlots) vars[n] = r.vars[s];
      const offset = offsetE ? Number(offsetE.evaluate(r) ?? 0) : undefined;
      const amount = first ? 1 : amountE ? Number(amountE.evaluate(r) ?? 0) : undefined;
      const found = await prepared.run(r.session.sql(), r.session.user, vars, { ...(offset ? { offset } : {}), ...(amount ? { amount } : {}) });
      const objs = r.session.fromDatabase(found);
      r.vars[slot] = first ? (objs[0] ?? null) : objs;
      return NEXT;
    },
  };
};

function retrieveByAssociation(c: MicroflowCompiler, d: ActivityDefOf<'retrieve'>, path: Path, st: BlockState): StepBody | undefined {
  const m = /^\$([A-Za-z_]\w*)\/([A-Za-z_]\w*\.[A-Za-z_]\w*)$/.exec(d.from);
  if (!m) {
    c.error([...path, 'from'], 'expected $Object/Module.Association');
    return undefined;
  }
  const v = c.variable(`$${m[1]}`, [...path, 'from'], st.scope, ['Object']);
  const a = c.model.associations.get(m[2]!);
  if (!a) {
    c.error([...path, 'from'], `unknown association '${m[2]}'`);
    return undefined;
  }
  if (!v || v.type.kind !== 'Object') return undefined;
  const ent = c.model.entities.get(v.type.entity)!;
  const forward = ent.parentOf.includes(a.name);
  if (!forward && !ent.childOf.includes(a.name)) {
    c.error([...path, 'from'], `${ent.name} is not on either side of ${a.name}`);
    return undefined;
  }
  const single = forward && a.type === 'Reference';
  const target = forward ? a.child : a.parent;
  const slot = c.declare(st.scope, d.into, single ? T.object(target) : T.list(target), [...path, 'into']);
  if (slot === undefined) return undefined;
  const vs = v.slot;
  return {
    sync: false,
    async exec(r) {
      const o = r.vars[vs] as MxObject | null;
      if (o === null) throw new ExpressionError(`cannot retrieve over ${a.name}: $${m[1]} is empty`);
      const session = r.session;
      if (forward) {
        const ref = o.references.get(a.name);
        const ids = ref === undefined || ref === null ? [] : typeof ref === 'bigint' ? [ref] : [...ref];
        await session.loadIds(ids);
        const objs = ids.map((id) => session.objects.get(id)).filter((x): x is MxObject => x !== undefined);
        r.vars[slot] = single ? (objs[0] ?? null) : objs;
        return NEXT;
      }
      // Reverse: the owners pointing at o, from the database and from the request's own objects.
      const ids = new Set<bigint>();
      if (o.state === 'persisted' && session.tx) {
        const d = session.tx.dialect;
        const rows = await session.tx.query<Record<string, unknown>>(
          `SELECT ${quoteIdentifier(d, a.parentColumn)} AS p FROM ${quoteIdentifier(d, a.table)} WHERE ${quoteIdentifier(d, a.childColumn)} = ${placeholder(d, 1)}`,
          [idToDb(d, o.id)],
        );
        for (const row of rows) ids.add(idFromDb(row.p));
      }
      await session.loadIds([...ids]);
      for (const held of session.objects.values()) {
        const ref = held.references.get(a.name);
        const has = ref === o.id || (Array.isArray(ref) && (ref as bigint[]).includes(o.id));
        if (ref !== undefined && !has) ids.delete(held.id);
        if (has && held.entity && c.model.entities.get(held.entity)?.chain.includes(a.parent)) ids.add(held.id);
      }
      r.vars[slot] = [...ids].map((id) => session.objects.get(id)).filter((x): x is MxObject => x !== undefined && !session.deleted.has(x.id));
      return NEXT;
    },
  };
}

export const create: ActivityCompiler<'create'> = (c, d, path, st) => {
  const entity = c.entity(d.entity, [...path, 'entity']);
  if (!entity) return undefined;
  const setters = memberSetters(c, entity, d.set, [...path, 'set'], st, 'set');
  const mode = commitMode(c, d.commit, [...path, 'commit']);
  const slot = c.declare(st.scope, d.into, T.object(entity.name), [...path, 'into']);
  if (slot === undefined || mode === undefined) return undefined;
  const refresh = d.refresh === true;
  const name = entity.name;
  return {
    sync: false,
    async exec(r) {
      const h = host(r);
      const o = await h.actions.create(r.session, name, r.stack);
      await prefetchAll(
        r,
        setters.map((s) => s.expr),
      );
      for (const s of setters) s.apply(o, r);
      if (mode) await h.actions.commit(r.session, [o], { events: mode === 'events' }, r.stack);
      if (refresh) markRefresh(r, [o]);
      r.vars[slot] = o;
      return NEXT;
    },
  };
};

export const change: ActivityCompiler<'change'> = (c, d, path, st) => {
  const v = c.variable(d.object, [...path, 'object'], st.scope, ['Object']);
  if (!v || v.type.kind !== 'Object') return undefined;
  const entity = c.model.entities.get(v.type.entity)!;
  const setters = [
    ...memberSetters(c, entity, d.set, [...path, 'set'], st, 'set'),
    ...memberSetters(c, entity, d.add, [...path, 'add'], st, 'add'),
    ...memberSetters(c, entity, d.remove, [...path, 'remove'], st, 'remove'),
  ];
  const mode = commitMode(c, d.commit, [...path, 'commit']);
  if (mode === undefined) return undefined;
  const refresh = d.refresh === true;
  const slot = v.slot;
  const label = v.name;
  const apply = (r: Run): MxObject => {
    const o = r.vars[slot] as MxObject | null;
    if (o === null) throw new ExpressionError(`cannot change $${label}: it is empty`);
    for (const s of setters) s.apply(o, r);
    return o;
  };
  if (!mode && !refresh)
    return simpleStep(
      setters.map((s) => s.expr),
      (r) => {
        apply(r);
        return NEXT;
      },
    );
  return {
    sync: false,
    async exec(r) {
      await prefetchAll(
        r,
        setters.map((s) => s.expr),
      );
      const o = apply(r);
      if (mode) await host(r).actions.commit(r.session, [o], { events: mode === 'events' }, r.stack);
      if (refresh) markRefresh(r, [o]);
      return NEXT;
    },
  };
};

export function objectsActivity<K extends 'commit' | 'delete' | 'rollback'>(kind: K): ActivityCompiler<K> {
  return (c, def, path, st) => {
    const d: { objects: string; events?: boolean; refresh?: boolean } = typeof def === 'string' ? { objects: def } : def;
    const p = typeof def === 'string' ? path : [...path, 'objects'];
    const v = c.variable(d.objects, p, st.scope, ['Object', 'List']);
    if (!v) return undefined;
    const events = d.events !== false;
    const refresh = d.refresh === true;
    const slot = v.slot;
    return {
      sync: false,
      async exec(r) {
        const objs = listOf(r.vars[slot] ?? null);
        const h = host(r);
        if (kind === 'commit') await h.actions.commit(r.session, objs, { events }, r.stack);
        else if (kind === 'delete') await h.actions.delete(r.session, objs, { events: true }, r.stack);
        else await h.actions.rollback(r.session, objs, r.stack);
        if (refresh) markRefresh(r, objs);
        return NEXT;
      },
    };
  };
}
