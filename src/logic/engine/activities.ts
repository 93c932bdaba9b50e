import { Decimal } from 'decimal.js';
import { idFromDb, idToDb, placeholder, quoteIdentifier } from '../../data/index.js';
import type { CEntity } from '../../model/compiled/types.js';
import { setReference, setValue, type MxObject } from '../../objects/mx-object.js';
import { coerceValue } from '../expressions/compile.js';
import { ExactDecimal, ExpressionError, isMxObject, valueToString, type Value } from '../expressions/runtime.js';
import { assignable, attributeXType, isNumeric, T, typeToString, type XType } from '../expressions/types.js';
import { BREAK, CONTINUE, NEXT, RETURN, type Block, type Signal, type Step } from './compiled.js';
import type { BlockState, MicroflowCompiler, Path, StepExpr } from './compiler.js';
import { prefetchAll, simpleStep } from './compiler.js';
import { MicroflowError } from './errors.js';
import type { EngineHost } from './host.js';
import { runBlock, runBlockSync, runIteration, type Run } from './run.js';

type StepBody = Omit<Step, 'label' | 'onError'>;
type ActivityCompiler = (c: MicroflowCompiler, def: unknown, path: Path, st: BlockState) => StepBody | undefined;

const host = (r: Run): EngineHost => r.session.host as EngineHost;
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const listOf = (v: Value): MxObject[] => (v === null ? [] : Array.isArray(v) ? (v as MxObject[]) : [v as MxObject]);

// ---------------------------------------------------------------- members

interface MemberSetter {
  apply(o: MxObject, r: Run): void;
  readonly expr: StepExpr;
}

/** `set: { Attr: expr, Module.Assoc: expr }` (and `add`/`remove` for reference sets). */
function memberSetters(c: MicroflowCompiler, entity: CEntity, def: unknown, path: Path, st: BlockState, mode: 'set' | 'add' | 'remove'): MemberSetter[] {
  const out: MemberSetter[] = [];
  for (const [member, value] of Object.entries(obj(def))) {
    const p = [...path, member];
    if (member.includes('.')) {
      const a = c.model.associations.get(member);
      if (!a) { c.error(p, `unknown association '${member}'`); continue; }
      if (!entity.parentOf.includes(a.name)) { c.error(p, `${entity.name} does not own ${a.name} (its owner is ${a.parent}): set it on the owner`); continue; }
      if (mode !== 'set' && a.type !== 'ReferenceSet') { c.error(p, `${mode} works on reference sets; ${a.name} is a reference`); continue; }
      const wantList = a.type === 'ReferenceSet' && mode === 'set';
      const e = c.expr(value, p, st.scope, undefined, `value of ${member}`);
      if (!e) continue;
      const okType = e.type.kind === 'Empty' || e.type.kind === 'Unknown'
        || (e.type.kind === 'Object' && assignable(c.model, e.type, T.object(a.child)))
        || ((wantList || mode !== 'set') && e.type.kind === 'List' && assignable(c.model, e.type, T.list(a.child)));
      if (!okType) { c.error(p, `${member} refers to ${a.child}${wantList ? ' (a list)' : ''}, not ${typeToString(e.type)}`); continue; }
      const name = a.name;
      out.push({
        expr: e,
        apply(o, r) {
          const v = e.evaluate(r);
          const objs = listOf(v);
          for (const x of objs) r.session.track(x);
          if (mode === 'set') setReference(o, name, a.type === 'Reference' ? (objs[0]?.id ?? null) : objs.map((x) => x.id));
          else {
            const cur = (o.references.get(name) as readonly bigint[] | null | undefined) ?? [];
            const ids = objs.map((x) => x.id);
            setReference(o, name, mode === 'add' ? [...cur, ...ids.filter((id) => !cur.includes(id))] : cur.filter((id) => !ids.includes(id)));
          }
        },
      });
      continue;
    }
    if (mode !== 'set') { c.error(p, `${mode} works on reference sets; '${member}' is not an association`); continue; }
    const attr = entity.attributes.get(member);
    if (!attr) { c.error(p, `entity ${entity.name} has no attribute '${member}'`); continue; }
    if (attr.type === 'AutoNumber' || attr.system) { c.error(p, `${member} is maintained by the runtime and cannot be set`); continue; }
    const t = attributeXType(attr.type, attr.enumeration);
    const e = c.expr(value, p, st.scope, t, `value of ${member}`);
    if (!e) continue;
    const an = attr.name;
    out.push({ expr: e, apply(o, r) { setValue(o, an, coerceValue(e.evaluate(r), t) as never); } });
  }
  return out;
}

function commitMode(c: MicroflowCompiler, v: unknown, path: Path): false | 'events' | 'noEvents' | undefined {
  if (v === undefined || v === false) return false;
  if (v === true) return 'events';
  if (v === 'withoutEvents') return 'noEvents';
  c.error(path, 'commit must be true, false or withoutEvents');
  return undefined;
}

function markRefresh(r: Run, objects: readonly MxObject[]): void {
  for (const o of objects) r.session.refresh.set(o.id, o);
}

// ---------------------------------------------------------------- templates

function template(c: MicroflowCompiler, text: unknown, params: unknown, path: Path, st: BlockState): { exprs: StepExpr[]; render: (r: Run) => string } | undefined {
  if (typeof text !== 'string') { c.error([...path, 'message'], 'expected a message text'); return undefined; }
  const exprs: StepExpr[] = [];
  (Array.isArray(params) ? params : []).forEach((p, i) => {
    const e = c.expr(p, [...path, 'params', i], st.scope, undefined, `parameter {${i + 1}}`);
    if (e) exprs.push(e);
  });
  for (const m of text.matchAll(/\{(\d+)\}/g)) {
    const n = Number(m[1]);
    if (n < 1 || n > exprs.length) c.error([...path, 'message'], `placeholder {${n}} has no parameter (${exprs.length} given)`);
  }
  const parts = text.split(/(\{\d+\})/);
  return {
    exprs,
    render: (r) => parts.map((p) => { const m = /^\{(\d+)\}$/.exec(p); return m ? valueToString(exprs[Number(m[1]) - 1]?.evaluate(r) ?? null, r.ctx.timeZone) : p; }).join(''),
  };
}

// ---------------------------------------------------------------- list helpers

function sortSpec(c: MicroflowCompiler, entity: CEntity | undefined, sort: unknown, path: Path): { attribute: string; descending: boolean }[] {
  if (sort === undefined) return [];
  if (!Array.isArray(sort)) { c.error(path, 'sort is a list of "Attribute [asc|desc]"'); return []; }
  const out: { attribute: string; descending: boolean }[] = [];
  sort.forEach((s, i) => {
    const m = typeof s === 'string' ? /^\s*([A-Za-z_][\w.]*)\s*(asc|desc)?\s*$/i.exec(s) : null;
    if (!m) { c.error([...path, i], 'expected "Attribute", "Attribute asc" or "Attribute desc"'); return; }
    if (entity && !entity.attributes.has(m[1]!)) { c.error([...path, i], `entity ${entity.name} has no attribute '${m[1]}'`); return; }
    out.push({ attribute: m[1]!, descending: (m[2] ?? '').toLowerCase() === 'desc' });
  });
  return out;
}

function compareValues(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : 1;
  if (a instanceof Decimal || b instanceof Decimal) return new ExactDecimal(a as never).cmp(new ExactDecimal(b as never));
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (typeof a === 'boolean') return a === b ? 0 : a ? 1 : -1;
  return String(a).localeCompare(String(b));
}

export function sortObjects(list: readonly MxObject[], spec: readonly { attribute: string; descending: boolean }[]): MxObject[] {
  return [...list].sort((x, y) => {
    for (const s of spec) {
      const d = compareValues(x.values.get(s.attribute) ?? null, y.values.get(s.attribute) ?? null);
      if (d !== 0) return s.descending ? -d : d;
    }
    return 0;
  });
}

function valuesEqual(a: Value, b: Value): boolean {
  return compareValues(a, b) === 0;
}

// ---------------------------------------------------------------- activities

const retrieve: ActivityCompiler = (c, def, path, st) => {
  const d = obj(def);
  const from = d.from;
  if (typeof from !== 'string') { c.error([...path, 'from'], 'expected Module.Entity or $Object/Module.Association'); return undefined; }
  if (from.startsWith('$')) return retrieveByAssociation(c, d, path, st);
  const entity = c.entity(from, [...path, 'from']);
  if (!entity) return undefined;
  if (!entity.persistable) { c.error([...path, 'from'], `${entity.name} is not persistable: retrieve it by association`); return undefined; }
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
    const rr = range as Record<string, unknown>;
    if (rr.offset !== undefined) offsetE = c.expr(rr.offset, [...path, 'range', 'offset'], st.scope, T.Integer, 'offset');
    if (rr.amount !== undefined) amountE = c.expr(rr.amount, [...path, 'range', 'amount'], st.scope, T.Integer, 'amount');
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

function retrieveByAssociation(c: MicroflowCompiler, d: Record<string, unknown>, path: Path, st: BlockState): StepBody | undefined {
  const m = /^\$([A-Za-z_]\w*)\/([A-Za-z_]\w*\.[A-Za-z_]\w*)$/.exec(d.from as string);
  if (!m) { c.error([...path, 'from'], 'expected $Object/Module.Association'); return undefined; }
  const v = c.variable(`$${m[1]}`, [...path, 'from'], st.scope, ['Object']);
  const a = c.model.associations.get(m[2]!);
  if (!a) { c.error([...path, 'from'], `unknown association '${m[2]}'`); return undefined; }
  if (!v || v.type.kind !== 'Object') return undefined;
  const ent = c.model.entities.get(v.type.entity)!;
  const forward = ent.parentOf.includes(a.name);
  if (!forward && !ent.childOf.includes(a.name)) { c.error([...path, 'from'], `${ent.name} is not on either side of ${a.name}`); return undefined; }
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
        const rows = await session.tx.query<Record<string, unknown>>(`SELECT ${quoteIdentifier(d, a.parentColumn)} AS p FROM ${quoteIdentifier(d, a.table)} WHERE ${quoteIdentifier(d, a.childColumn)} = ${placeholder(d, 1)}`, [idToDb(d, o.id)]);
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

const create: ActivityCompiler = (c, def, path, st) => {
  const d = obj(def);
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
      await prefetchAll(r, setters.map((s) => s.expr));
      for (const s of setters) s.apply(o, r);
      if (mode) await h.actions.commit(r.session, [o], { events: mode === 'events' }, r.stack);
      if (refresh) markRefresh(r, [o]);
      r.vars[slot] = o;
      return NEXT;
    },
  };
};

const change: ActivityCompiler = (c, def, path, st) => {
  const d = obj(def);
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
  if (!mode && !refresh) return simpleStep(setters.map((s) => s.expr), (r) => { apply(r); return NEXT; });
  return {
    sync: false,
    async exec(r) {
      await prefetchAll(r, setters.map((s) => s.expr));
      const o = apply(r);
      if (mode) await host(r).actions.commit(r.session, [o], { events: mode === 'events' }, r.stack);
      if (refresh) markRefresh(r, [o]);
      return NEXT;
    },
  };
};

function objectsActivity(kind: 'commit' | 'delete' | 'rollback'): ActivityCompiler {
  return (c, def, path, st) => {
    const d = typeof def === 'string' ? { objects: def } : obj(def);
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

const decision: ActivityCompiler = (c, def, path, st) => {
  const d = obj(def);
  if ('if' in d) {
    if ('on' in d || 'cases' in d) { c.error(path, "a decision has either 'if' (with then/else) or 'on' (with cases), not both"); return undefined; }
    const cond = c.expr(d.if, [...path, 'if'], st.scope, T.Boolean, 'condition');
    const thenB = c.block(d.then ?? [], [...path, 'then'], { ...st, scope: st.scope.child() });
    const elseB = c.block(d.else ?? [], [...path, 'else'], { ...st, scope: st.scope.child() });
    if (!cond) return undefined;
    const ev = cond.evaluate;
    if (thenB.sync && elseB.sync) {
      return simpleStep([cond], (r) => {
        const v = ev(r);
        if (v === null) throw new ExpressionError('the decision condition is empty');
        return runBlockSync(v ? thenB : elseB, r);
      });
    }
    return {
      sync: false,
      async exec(r) {
        await prefetchAll(r, [cond]);
        const v = ev(r);
        if (v === null) throw new ExpressionError('the decision condition is empty');
        return runBlock(v ? thenB : elseB, r);
      },
    };
  }
  if (!('on' in d)) { c.error(path, "a decision needs 'if' (Boolean) or 'on' (enumeration) with cases"); return undefined; }
  const on = c.expr(d.on, [...path, 'on'], st.scope, undefined, 'decision value');
  if (!on) return undefined;
  const cases = new Map<string | null, Block>();
  let keys: readonly string[] | undefined;
  if (on.type.kind === 'Enumeration') keys = c.model.enumerations.get(on.type.enumeration)?.values.map((v) => v.key);
  else if (on.type.kind === 'Boolean') keys = ['true', 'false'];
  else { c.error([...path, 'on'], `a decision branches on an enumeration or Boolean, not ${typeToString(on.type)}`); return undefined; }
  for (const [k, body] of Object.entries(obj(d.cases))) {
    if (k !== 'empty' && !keys?.includes(k)) { c.error([...path, 'cases', k], `'${k}' is not a value of ${typeToString(on.type)} (values: ${keys?.join(', ')})`); continue; }
    cases.set(k === 'empty' ? null : k, c.block(body, [...path, 'cases', k], { ...st, scope: st.scope.child() }));
  }
  const elseB = d.else !== undefined ? c.block(d.else, [...path, 'else'], { ...st, scope: st.scope.child() }) : undefined;
  const missing = (keys ?? []).filter((k) => !cases.has(k));
  if (missing.length > 0 && !elseB) { c.error([...path, 'cases'], `no case for ${missing.join(', ')}: add them or an else branch`); return undefined; }
  const ev = on.evaluate;
  const isBool = on.type.kind === 'Boolean';
  const pick = (r: Run): Block => {
    const v = ev(r);
    const key = v === null ? null : isBool ? String(v) : (v as string);
    const b = cases.get(key) ?? elseB;
    if (!b) throw new ExpressionError(`no decision branch for ${key === null ? 'empty' : key}`);
    return b;
  };
  const all = [...cases.values(), ...(elseB ? [elseB] : [])];
  if (all.every((b) => b.sync)) return simpleStep([on], (r) => runBlockSync(pick(r), r));
  return { sync: false, async exec(r) { await prefetchAll(r, [on]); return runBlock(pick(r), r); } };
};

const loop: ActivityCompiler = (c, def, path, st) => {
  const d = obj(def);
  const v = c.variable(d.over, [...path, 'over'], st.scope, ['List']);
  const scope = st.scope.child();
  const itemSlot = v && v.type.kind === 'List' ? c.declare(scope, d.as, T.object(v.type.entity), [...path, 'as']) : undefined;
  const guarded = st.continueOnError === true;
  const body = c.block(d.body, [...path, 'body'], { ...st, scope, loopDepth: st.loopDepth + 1, continueOnError: false });
  if (!v || itemSlot === undefined) return undefined;
  const listSlot = v.slot;
  if (guarded) {
    return {
      sync: false,
      async exec(r) {
        for (const it of [...listOf(r.vars[listSlot] ?? null)]) {
          r.vars[itemSlot] = it;
          const sig = await runIteration(body, r);
          if (sig === BREAK) break;
          if (sig === RETURN) return RETURN;
        }
        return NEXT;
      },
    };
  }
  if (body.sync) {
    return {
      sync: true,
      exec(r) {
        const items = [...listOf(r.vars[listSlot] ?? null)];
        for (const it of items) {
          r.vars[itemSlot] = it;
          const sig = runBlockSync(body, r);
          if (sig === BREAK) break;
          if (sig === RETURN) return RETURN;
        }
        return NEXT;
      },
    };
  }
  return {
    sync: false,
    async exec(r) {
      const items = [...listOf(r.vars[listSlot] ?? null)];
      for (const it of items) {
        r.vars[itemSlot] = it;
        const sig = await runBlock(body, r);
        if (sig === BREAK) break;
        if (sig === RETURN) return RETURN;
      }
      return NEXT;
    },
  };
};

const whileLoop: ActivityCompiler = (c, def, path, st) => {
  const d = obj(def);
  const cond = c.expr(d.condition, [...path, 'condition'], st.scope, T.Boolean, 'condition');
  const guarded = st.continueOnError === true;
  const body = c.block(d.body, [...path, 'body'], { ...st, scope: st.scope.child(), loopDepth: st.loopDepth + 1, continueOnError: false });
  if (!cond) return undefined;
  const ev = cond.evaluate;
  const check = (r: Run): boolean => {
    const v = ev(r);
    if (v === null) throw new ExpressionError('the while condition is empty');
    return v as boolean;
  };
  if (body.sync && cond.prefetch.length === 0 && !guarded) {
    return {
      sync: true,
      exec(r) {
        while (check(r)) {
          const sig = runBlockSync(body, r);
          if (sig === BREAK) break;
          if (sig === RETURN) return RETURN;
        }
        return NEXT;
      },
    };
  }
  return {
    sync: false,
    async exec(r) {
      for (;;) {
        await prefetchAll(r, [cond]);
        if (!check(r)) break;
        const sig = guarded ? await runIteration(body, r) : await runBlock(body, r);
        if (sig === BREAK) break;
        if (sig === RETURN) return RETURN;
      }
      return NEXT;
    },
  };
};

const loopControl = (sig: Signal, word: string): ActivityCompiler => (c, def, path, st) => {
  if (def !== true) { c.error(path, `write '${word}: true'`); return undefined; }
  if (st.loopDepth === 0) { c.error(path, `${word} is only allowed inside a loop`); return undefined; }
  return { sync: true, exec: () => sig };
};

const aggregate: ActivityCompiler = (c, def, path, st) => {
  const d = obj(def);
  const v = c.variable(d.list, [...path, 'list'], st.scope, ['List']);
  const fn = d.function as string;
  if (!v || v.type.kind !== 'List') return undefined;
  const entity = c.model.entities.get(v.type.entity)!;
  let valueType: XType | undefined;
  let read: ((o: MxObject, r: Run) => Value) | undefined;
  let exprs: StepExpr[] = [];
  if (fn !== 'count' || d.attribute !== undefined || d.expression !== undefined) {
    if (d.attribute !== undefined && d.expression !== undefined) { c.error(path, 'give attribute or expression, not both'); return undefined; }
    if (typeof d.attribute === 'string') {
      const attr = entity.attributes.get(d.attribute);
      if (!attr) { c.error([...path, 'attribute'], `entity ${entity.name} has no attribute '${d.attribute}'`); return undefined; }
      valueType = attributeXType(attr.type, attr.enumeration);
      const an = attr.name;
      read = (o) => o.values.get(an) ?? null;
    } else if (typeof d.expression === 'string') {
      const { scope, slot } = st.scope.with('currentObject', T.object(entity.name));
      const e = c.expr(d.expression, [...path, 'expression'], scope, undefined, 'aggregate expression');
      if (!e) return undefined;
      exprs = [e];
      valueType = e.type;
      read = (o, r) => { r.vars[slot] = o; return e.evaluate(r); };
    } else if (fn !== 'count') { c.error(path, `${fn} needs an attribute or an expression`); return undefined; }
  }
  if (valueType && fn !== 'count' && !(isNumeric(valueType) || ((fn === 'min' || fn === 'max') && valueType.kind === 'DateTime'))) {
    c.error(path, `${fn} needs a number${fn === 'min' || fn === 'max' ? ' or a date' : ''}, not ${typeToString(valueType)}`);
    return undefined;
  }
  const resultType: XType = fn === 'count' ? T.Integer : fn === 'average' ? T.Decimal : fn === 'sum' ? (valueType!.kind === 'Decimal' ? T.Decimal : T.Long) : valueType!;
  const slot = c.declare(st.scope, d.into, resultType, [...path, 'into']);
  if (slot === undefined) return undefined;
  const ls = v.slot;
  return {
    sync: exprs.every((e) => e.prefetch.length === 0),
    exec(r) {
      const items = listOf(r.vars[ls] ?? null);
      if (fn === 'count' && !read) { r.vars[slot] = items.length; return NEXT; }
      const vals: Value[] = [];
      for (const o of items) { const x = read!(o, r); if (x !== null) vals.push(x); }
      if (fn === 'count') { r.vars[slot] = vals.length; return NEXT; }
      if (fn === 'min' || fn === 'max') {
        let best: Value = null;
        for (const x of vals) if (best === null || (fn === 'min' ? compareValues(x, best) < 0 : compareValues(x, best) > 0)) best = x;
        r.vars[slot] = coerceValue(best, resultType);
        return NEXT;
      }
      let sum = new ExactDecimal(0);
      for (const x of vals) sum = sum.plus(typeof x === 'bigint' || typeof x === 'number' ? x.toString() : (x as Decimal));
      if (fn === 'sum') r.vars[slot] = resultType.kind === 'Decimal' ? sum : BigInt(sum.toFixed(0));
      else r.vars[slot] = vals.length === 0 ? new ExactDecimal(0) : new ExactDecimal(sum.div(vals.length).toSignificantDigits(34));
      return NEXT;
    },
  } as StepBody;
};

const listOperation: ActivityCompiler = (c, def, path, st) => {
  const d = obj(def);
  const op = d.operation as string;
  const v = c.variable(d.list, [...path, 'list'], st.scope, ['List']);
  if (!v || v.type.kind !== 'List') return undefined;
  const entity = c.model.entities.get(v.type.entity)!;
  const ls = v.slot;
  const listT = T.list(entity.name), objT = T.object(entity.name);
  let resultType: XType = listT;
  let exprs: StepExpr[] = [];
  let fnBody: (list: MxObject[], r: Run) => Value;
  const other = (): { slot: number; list: boolean } | undefined => {
    const o = c.variable(d.other, [...path, 'other'], st.scope, ['List', 'Object']);
    return o ? { slot: o.slot, list: o.type.kind === 'List' } : undefined;
  };
  switch (op) {
    case 'union': case 'intersect': case 'subtract': case 'contains': case 'equals': {
      const o = other();
      if (!o) return undefined;
      if (op === 'contains' || op === 'equals') resultType = T.Boolean;
      fnBody = (list, r) => {
        const second = listOf(r.vars[o.slot] ?? null);
        const ids = new Set(second.map((x) => x.id));
        const mine = new Set(list.map((x) => x.id));
        switch (op) {
          case 'union': { const out = [...new Map(list.map((x) => [x.id, x])).values()]; for (const x of second) if (!mine.has(x.id)) { out.push(x); mine.add(x.id); } return out; }
          case 'intersect': return list.filter((x) => ids.has(x.id));
          case 'subtract': return list.filter((x) => !ids.has(x.id));
          case 'contains': return second.every((x) => mine.has(x.id));
          default: return mine.size === ids.size && [...mine].every((id) => ids.has(id));
        }
      };
      break;
    }
    case 'sort': {
      const spec = sortSpec(c, entity, d.sort, [...path, 'sort']);
      if (spec.length === 0) { c.error([...path, 'sort'], 'sort needs at least one attribute'); return undefined; }
      fnBody = (list) => sortObjects(list, spec);
      break;
    }
    case 'filter': case 'find': {
      if (typeof d.attribute !== 'string') { c.error(path, `${op} needs an attribute (or use ${op}ByExpression)`); return undefined; }
      const attr = entity.attributes.get(d.attribute);
      const assoc = c.model.associations.get(d.attribute);
      if (!attr && !assoc) { c.error([...path, 'attribute'], `entity ${entity.name} has no attribute or association '${d.attribute}'`); return undefined; }
      const t = attr ? attributeXType(attr.type, attr.enumeration) : T.object(assoc!.child);
      const e = c.expr(d.value, [...path, 'value'], st.scope, t, 'value');
      if (!e) return undefined;
      exprs = [e];
      if (op === 'find') resultType = objT;
      const member = d.attribute;
      fnBody = (list, r) => {
        const want = e.evaluate(r);
        const test = (x: MxObject): boolean => {
          if (attr) return valuesEqual(x.values.get(member) ?? null, want);
          const ref = x.references.get(member) ?? null;
          return want === null ? ref === null : isMxObject(want) && ref === want.id;
        };
        return op === 'find' ? (list.find(test) ?? null) : list.filter(test);
      };
      break;
    }
    case 'filterByExpression': case 'findByExpression': {
      const { scope, slot } = st.scope.with('currentObject', objT);
      const e = c.expr(d.expression, [...path, 'expression'], scope, T.Boolean, 'expression');
      if (!e) return undefined;
      if (e.prefetch.length) { c.error([...path, 'expression'], 'list-operation expressions cannot follow associations yet; retrieve the associated objects first'); return undefined; }
      if (op === 'findByExpression') resultType = objT;
      fnBody = (list, r) => {
        const test = (x: MxObject): boolean => { r.vars[slot] = x; return e.evaluate(r) === true; };
        return op === 'findByExpression' ? (list.find(test) ?? null) : list.filter(test);
      };
      break;
    }
    case 'head': resultType = objT; fnBody = (list) => list[0] ?? null; break;
    case 'tail': fnBody = (list) => list.slice(1); break;
    case 'range': {
      const off = d.offset !== undefined ? c.expr(d.offset, [...path, 'offset'], st.scope, T.Integer, 'offset') : undefined;
      const amt = d.amount !== undefined ? c.expr(d.amount, [...path, 'amount'], st.scope, T.Integer, 'amount') : undefined;
      exprs = [off, amt].filter((x): x is StepExpr => !!x);
      fnBody = (list, r) => {
        const o = off ? Number(off.evaluate(r) ?? 0) : 0;
        const a = amt ? Number(amt.evaluate(r) ?? 0) : 0;
        return a > 0 ? list.slice(o, o + a) : list.slice(o);
      };
      break;
    }
    default: c.error([...path, 'operation'], `unknown list operation '${op}'`); return undefined;
  }
  const slot = c.declare(st.scope, d.into, resultType, [...path, 'into']);
  if (slot === undefined) return undefined;
  const f = fnBody;
  return simpleStep(exprs, (r) => { r.vars[slot] = f(listOf(r.vars[ls] ?? null), r); return NEXT; });
};

const changeList: ActivityCompiler = (c, def, path, st) => {
  const d = obj(def);
  const v = c.variable(d.list, [...path, 'list'], st.scope, ['List']);
  if (!v || v.type.kind !== 'List') return undefined;
  const op = d.operation as string;
  let e: StepExpr | undefined;
  if (op !== 'clear') {
    e = c.expr(d.value, [...path, 'value'], st.scope, undefined, 'value');
    if (!e) return undefined;
    const ok = e.type.kind === 'Empty' || ((e.type.kind === 'Object' || e.type.kind === 'List') && assignable(c.model, T.object(e.type.entity), T.object(v.type.entity)));
    if (!ok) { c.error([...path, 'value'], `expected ${v.type.entity} objects, not ${typeToString(e.type)}`); return undefined; }
  } else if (d.value !== undefined) { c.error([...path, 'value'], 'clear takes no value'); return undefined; }
  const slot = v.slot;
  return simpleStep([e], (r) => {
    let list = r.vars[slot] as MxObject[] | null;
    if (list === null) { list = []; r.vars[slot] = list; }
    const items = e ? listOf(e.evaluate(r)) : [];
    switch (op) {
      case 'add': list.push(...items); break;
      case 'remove': for (const x of items) { const i = list.findIndex((y) => y.id === x.id); if (i >= 0) list.splice(i, 1); } break;
      case 'clear': list.length = 0; break;
      default: list.length = 0; list.push(...items);
    }
    return NEXT;
  });
};

const createList: ActivityCompiler = (c, def, path, st) => {
  const d = obj(def);
  const e = c.entity(d.entity, [...path, 'entity']);
  if (!e) return undefined;
  const slot = c.declare(st.scope, d.into, T.list(e.name), [...path, 'into']);
  if (slot === undefined) return undefined;
  return { sync: true, exec(r) { r.vars[slot] = []; return NEXT; } };
};

const createVariable: ActivityCompiler = (c, def, path, st) => {
  const d = obj(def);
  const t = c.type(d.type, [...path, 'type']);
  if (!t) return undefined;
  const e = d.value !== undefined ? c.expr(d.value, [...path, 'value'], st.scope, t, 'initial value') : undefined;
  if (d.value !== undefined && !e) return undefined;
  const slot = c.declare(st.scope, d.name, t, [...path, 'name']);
  if (slot === undefined) return undefined;
  if (!e) return { sync: true, exec(r) { r.vars[slot] = t.kind === 'List' ? [] : null; return NEXT; } };
  const ev = e.evaluate;
  if (e.type.kind === t.kind) return simpleStep([e], (r) => { r.vars[slot] = ev(r); return NEXT; });
  return simpleStep([e], (r) => { r.vars[slot] = coerceValue(ev(r), t); return NEXT; });
};

const changeVariable: ActivityCompiler = (c, def, path, st) => {
  const d = obj(def);
  if (typeof d.name !== 'string') { c.error([...path, 'name'], 'expected a variable name'); return undefined; }
  const v = st.scope.lookup(d.name);
  if (!v) { c.error([...path, 'name'], `unknown variable $${d.name}`); return undefined; }
  if (d.name === 'currentUser' || d.name === 'currentSession' || d.name === 'latestError' || d.name === 'currentObject') { c.error([...path, 'name'], `$${d.name} cannot be changed`); return undefined; }
  const e = c.expr(d.value, [...path, 'value'], st.scope, v.type, 'new value');
  if (!e) return undefined;
  const slot = v.slot, t = v.type, ev = e.evaluate;
  if (e.type.kind === t.kind) return simpleStep([e], (r) => { r.vars[slot] = ev(r); return NEXT; });
  return simpleStep([e], (r) => { r.vars[slot] = coerceValue(ev(r), t); return NEXT; });
};

const call: ActivityCompiler = (c, def, path, st) => {
  const d = obj(def);
  if (typeof d.microflow !== 'string') { c.error([...path, 'microflow'], 'expected a microflow name'); return undefined; }
  const name = d.microflow.includes('.') ? d.microflow : `${c.module}.${d.microflow}`;
  const target = c.model.microflows.get(name);
  // An unknown name is reported by the model's reference check.
  if (!target) return undefined;
  const params = Object.entries(target.def.parameters ?? {});
  const given = obj(d.with);
  const args: (StepExpr | undefined)[] = [];
  let ok = true;
  for (const k of Object.keys(given)) if (!params.some(([p]) => p === k)) { c.error([...path, 'with', k], `${name} has no parameter '${k}'`); ok = false; }
  for (const [p, typeText] of params) {
    const t = c.type(typeText, [...path, 'with', p]);
    if (!(p in given)) { c.error([...path, 'with'], `missing argument for parameter ${p} of ${name}`); ok = false; continue; }
    const e = c.expr(given[p], [...path, 'with', p], st.scope, t, `argument ${p}`);
    if (!e) ok = false;
    args.push(e);
  }
  let slot: number | undefined;
  if (d.into !== undefined) {
    const rt = target.def.returns ? c.type(target.def.returns, [...path, 'into']) : T.Nothing;
    if (!rt) return undefined;
    if (rt.kind === 'Nothing') { c.error([...path, 'into'], `${name} returns nothing`); return undefined; }
    slot = c.declare(st.scope, d.into, rt, [...path, 'into']);
    if (slot === undefined) return undefined;
  }
  if (!ok) return undefined;
  const argEs = args as StepExpr[];
  return {
    sync: false,
    async exec(r) {
      await prefetchAll(r, argEs);
      const values = argEs.map((e) => e.evaluate(r));
      const result = await host(r).call(name, values, r);
      if (slot !== undefined) r.vars[slot] = result;
      return NEXT;
    },
  };
};

const action: ActivityCompiler = (c, def, path, st) => {
  const d = obj(def);
  if (typeof d.name !== 'string') { c.error([...path, 'name'], 'expected the name of a TypeScript action'); return undefined; }
  const name = d.name;
  const sig = c.cc.actions?.get(name);
  if (c.cc.actions && !sig) { c.error([...path, 'name'], `unknown action '${name}' (expected a file actions/${name}.ts or .js in the app or module folder)`); return undefined; }
  const given = obj(d.with);
  const args: [string, StepExpr][] = [];
  for (const [k, v] of Object.entries(given)) {
    let t: XType | undefined;
    const declared = sig?.parameters?.[k];
    if (sig?.parameters && declared === undefined) { c.error([...path, 'with', k], `action ${name} has no parameter '${k}'`); continue; }
    if (declared) t = c.type(declared, [...path, 'with', k]);
    const e = c.expr(v, [...path, 'with', k], st.scope, t, `argument ${k}`);
    if (e) args.push([k, e]);
  }
  let slot: number | undefined;
  if (d.into !== undefined) {
    const rtText = (d.returns as string | undefined) ?? sig?.returns;
    const rt = rtText ? c.type(rtText, [...path, d.returns ? 'returns' : 'into']) : T.Unknown;
    if (!rt) return undefined;
    slot = c.declare(st.scope, d.into, rt, [...path, 'into']);
    if (slot === undefined) return undefined;
  }
  return {
    sync: false,
    async exec(r) {
      const a = host(r).tsAction(name);
      if (!a) throw new MicroflowError(`the action '${name}' is not loaded`, r.stack, 'kiln.ActionNotFound');
      await prefetchAll(r, args.map(([, e]) => e));
      const values: Record<string, Value> = {};
      for (const [k, e] of args) values[k] = e.evaluate(r);
      const result = await a.run(values, r);
      if (slot !== undefined) r.vars[slot] = result ?? null;
      return NEXT;
    },
  };
};

const LEVELS = { trace: 'trace', debug: 'debug', info: 'info', warning: 'warn', error: 'error', critical: 'fatal' } as const;
const log: ActivityCompiler = (c, def, path, st) => {
  const d = obj(def);
  const tpl = template(c, d.message, d.params, path, st);
  if (!tpl) return undefined;
  const level = LEVELS[(d.level as keyof typeof LEVELS | undefined) ?? 'info'];
  // The node is a name (`Shop.Orders`) or, as in Mendix, a String expression (`'Orders.' + $Kind`).
  const nodeText = typeof d.node === 'string' ? d.node : c.module;
  const nodeExpr = /^[A-Za-z_][\w.]*$/.test(nodeText) ? undefined : c.expr(nodeText, [...path, 'node'], st.scope, T.String, 'log node');
  if (nodeExpr === undefined && !/^[A-Za-z_][\w.]*$/.test(nodeText)) return undefined;
  const withStack = d.includeLatestStackTrace === true;
  const errSlot = st.errorSlot;
  return simpleStep(nodeExpr ? [...tpl.exprs, nodeExpr] : tpl.exprs, (r) => {
    const node = nodeExpr ? valueToString(nodeExpr.evaluate(r)) || c.module : nodeText;
    const fields: Record<string, unknown> = { node, microflow: r.mf.name };
    if (withStack && errSlot !== undefined && r.latestError) fields.stack = r.latestError.microflowStack;
    r.session.log[level](fields, tpl.render(r));
    return NEXT;
  });
};

const showMessage: ActivityCompiler = (c, def, path, st) => {
  const d = obj(def);
  const tpl = template(c, d.message, d.params, path, st);
  if (!tpl) return undefined;
  const type = (d.type as 'info' | 'warning' | 'error' | undefined) ?? 'info';
  const blocking = d.blocking !== false;
  return simpleStep(tpl.exprs, (r) => { r.session.messages.push({ type, message: tpl.render(r), blocking }); return NEXT; });
};

const validationFeedback: ActivityCompiler = (c, def, path, st) => {
  const d = obj(def);
  const v = c.variable(d.object, [...path, 'object'], st.scope, ['Object']);
  const tpl = template(c, d.message, d.params, path, st);
  if (!v || !tpl || v.type.kind !== 'Object') return undefined;
  const entity = c.model.entities.get(v.type.entity)!;
  if (typeof d.member !== 'string' || (!entity.attributes.has(d.member) && !c.model.associations.has(d.member))) {
    c.error([...path, 'member'], `entity ${entity.name} has no member '${String(d.member)}'`);
    return undefined;
  }
  const member = d.member, slot = v.slot;
  return simpleStep(tpl.exprs, (r) => {
    const o = r.vars[slot] as MxObject | null;
    if (o === null) throw new ExpressionError(`validation feedback on $${v.name}, which is empty`);
    r.session.feedback.push({ objectId: o.id, entity: o.entity, member, message: tpl.render(r) });
    return NEXT;
  });
};

const errorEvent: ActivityCompiler = (c, def, path, st) => {
  if (def === true) {
    if (st.errorSlot === undefined) { c.error(path, "'error: true' rethrows $latestError and is only allowed in an error handler; give a message to raise a new error"); return undefined; }
    return { sync: true, exec(r) { throw r.latestError ?? new MicroflowError('error event', r.stack, 'kiln.ErrorEvent'); } };
  }
  const d = obj(def);
  const tpl = template(c, d.message, d.params, path, st);
  if (!tpl) return undefined;
  return simpleStep(tpl.exprs, (r) => { throw new MicroflowError(tpl.render(r), r.stack, 'kiln.ErrorEvent'); });
};

const returnActivity: ActivityCompiler = (c, def, path, st) => {
  const rt = c.returnType;
  if (def === null || def === undefined) {
    if (rt.kind !== 'Nothing' && rt.kind !== 'Unknown') { c.error(path, `the microflow returns ${typeToString(rt)}: give a value`); return undefined; }
    return { sync: true, exec(r) { r.returnValue = null; return RETURN; } };
  }
  if (rt.kind === 'Nothing') { c.error(path, 'the microflow returns nothing (declare returns: <type> to return a value)'); return undefined; }
  const e = c.expr(def, path, st.scope, rt, 'return value');
  if (!e) return undefined;
  const ev = e.evaluate;
  return simpleStep([e], (r) => { r.returnValue = coerceValue(ev(r), rt); return RETURN; });
};

export const activityCompilers = {
  retrieve, create, change, commit: objectsActivity('commit'), delete: objectsActivity('delete'), rollback: objectsActivity('rollback'),
  decision, loop, while: whileLoop, break: loopControl(BREAK, 'break'), continue: loopControl(CONTINUE, 'continue'),
  aggregate, listOperation, changeList, createList, createVariable, changeVariable, call, action, log, showMessage,
  validationFeedback, error: errorEvent, return: returnActivity,
} satisfies Record<string, ActivityCompiler>;
