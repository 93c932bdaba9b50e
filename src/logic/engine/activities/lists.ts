import type { Decimal } from 'decimal.js';
import type { MxObject } from '../../../objects/mx-object.js';
import { coerceValue } from '../../expressions/compile.js';
import { ExactDecimal, ExpressionError, isMxObject, type Value } from '../../expressions/runtime.js';
import { assignable, attributeXType, isNumeric, T, typeToString, type XType } from '../../expressions/types.js';
import { NEXT, type Signal } from '../compiled.js';
import type { StepExpr } from '../compiler.js';
import { simpleStep } from '../compiler.js';
import type { Run } from '../run.js';
import { compareValues, sortObjects, sortSpec, valuesEqual } from './sorting.js';
import { listOf, type ActivityCompiler, type StepBody } from './types.js';

/** List activities: aggregate, list operation, change list, create list. */

/**
 * A step over a list whose expressions may follow associations from `$currentObject`:
 * what they reach is loaded for every item at once before `body` runs (one query per
 * entity and step of the path), not one object at a time.
 */
function overList(listSlot: number, itemSlot: number, exprs: readonly StepExpr[], body: (r: Run) => Signal): StepBody {
  const fromItems = exprs.flatMap((e) => e.prefetch.filter((p) => p.slot === itemSlot).map((p) => p.associations));
  const other = exprs.flatMap((e) => e.prefetch.filter((p) => p.slot !== itemSlot));
  if (fromItems.length === 0 && other.length === 0) return { sync: true, exec: body } as StepBody;
  return {
    sync: false,
    async exec(r) {
      if (other.length) await r.session.prefetch(r.vars, other);
      const items = listOf(r.vars[listSlot] ?? null);
      for (const associations of fromItems) await r.session.prefetchFrom(items, associations);
      return body(r);
    },
  } as StepBody;
}

export const aggregate: ActivityCompiler<'aggregate'> = (c, d, path, st) => {
  const v = c.variable(d.list, [...path, 'list'], st.scope, ['List']);
  const fn = d.function;
  if (!v || v.type.kind !== 'List') return undefined;
  if (fn === 'all' || fn === 'any' || fn === 'reduce') return predicateOrReduce(c, d, path, st, v.slot, v.type.entity);
  if (d.initial !== undefined || d.returns !== undefined) {
    c.error(path, `initial and returns belong to reduce, not ${fn}`);
    return undefined;
  }
  const entity = c.model.entities.get(v.type.entity)!;
  let valueType: XType | undefined;
  let read: ((o: MxObject, r: Run) => Value) | undefined;
  let exprs: StepExpr[] = [];
  let itemSlot = -1;
  if (fn !== 'count' || d.attribute !== undefined || d.expression !== undefined) {
    if (d.attribute !== undefined && d.expression !== undefined) {
      c.error(path, 'give attribute or expression, not both');
      return undefined;
    }
    if (typeof d.attribute === 'string') {
      const attr = entity.attributes.get(d.attribute);
      if (!attr) {
        c.error([...path, 'attribute'], `entity ${entity.name} has no attribute '${d.attribute}'`);
        return undefined;
      }
      valueType = attributeXType(attr.type, attr.enumeration);
      const an = attr.name;
      read = (o) => o.values.get(an) ?? null;
    } else if (typeof d.expression === 'string') {
      const { scope, slot } = st.scope.with('currentObject', T.object(entity.name));
      const e = c.expr(d.expression, [...path, 'expression'], scope, undefined, 'aggregate expression');
      if (!e) return undefined;
      exprs = [e];
      itemSlot = slot;
      valueType = e.type;
      read = (o, r) => {
        r.vars[slot] = o;
        return e.evaluate(r);
      };
    } else if (fn !== 'count') {
      c.error(path, `${fn} needs an attribute or an expression`);
      return undefined;
    }
  }
  if (valueType && fn !== 'count' && !(isNumeric(valueType) || ((fn === 'min' || fn === 'max') && valueType.kind === 'DateTime'))) {
    c.error(path, `${fn} needs a number${fn === 'min' || fn === 'max' ? ' or a date' : ''}, not ${typeToString(valueType)}`);
    return undefined;
  }
  const resultType: XType =
    fn === 'count' ? T.Integer : fn === 'average' ? T.Decimal : fn === 'sum' ? (valueType!.kind === 'Decimal' ? T.Decimal : T.Long) : valueType!;
  const slot = c.declare(st.scope, d.into, resultType, [...path, 'into']);
  if (slot === undefined) return undefined;
  const ls = v.slot;
  return overList(ls, itemSlot, exprs, (r) => {
    const items = listOf(r.vars[ls] ?? null);
    if (fn === 'count' && !read) {
      r.vars[slot] = items.length;
      return NEXT;
    }
    const vals: Value[] = [];
    for (const o of items) {
      const x = read!(o, r);
      if (x !== null) vals.push(x);
    }
    if (fn === 'count') {
      r.vars[slot] = vals.length;
      return NEXT;
    }
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
  });
};

type AggregateDef = Parameters<ActivityCompiler<'aggregate'>>[1];

/**
 * Mendix 10's expression aggregates: `all`/`any` test a Boolean expression over
 * `$currentObject` (true / false for an empty list, stopping at the first answer);
 * `reduce` folds the list from `initial` with `$currentResult` and `$currentObject`.
 */
function predicateOrReduce(
  c: Parameters<ActivityCompiler<'aggregate'>>[0],
  d: AggregateDef,
  path: Parameters<ActivityCompiler<'aggregate'>>[2],
  st: Parameters<ActivityCompiler<'aggregate'>>[3],
  listSlot: number,
  entityName: string,
): StepBody | undefined {
  const fn = d.function;
  if (typeof d.expression !== 'string') {
    c.error(path, `${fn} needs an expression`);
    return undefined;
  }
  if (d.attribute !== undefined) {
    c.error([...path, 'attribute'], `${fn} takes an expression, not an attribute`);
    return undefined;
  }
  const { scope: withObject, slot: objSlot } = st.scope.with('currentObject', T.object(entityName));
  if (fn !== 'reduce') {
    if (d.initial !== undefined || d.returns !== undefined) {
      c.error(path, `initial and returns belong to reduce, not ${fn}`);
      return undefined;
    }
    const e = c.expr(d.expression, [...path, 'expression'], withObject, T.Boolean, `${fn} expression`);
    if (!e) return undefined;
    const slot = c.declare(st.scope, d.into, T.Boolean, [...path, 'into']);
    if (slot === undefined) return undefined;
    const want = fn === 'any';
    return overList(listSlot, objSlot, [e], (r) => {
      let answer = !want;
      for (const o of listOf(r.vars[listSlot] ?? null)) {
        r.vars[objSlot] = o;
        if (e.evaluate(r) === want) {
          answer = want;
          break;
        }
      }
      r.vars[slot] = answer;
      return NEXT;
    });
  }
  if (d.initial === undefined) {
    c.error(path, 'reduce needs an initial value');
    return undefined;
  }
  const declared = d.returns === undefined ? undefined : c.type(d.returns, [...path, 'returns']);
  if (d.returns !== undefined && !declared) return undefined;
  const init = c.expr(d.initial, [...path, 'initial'], st.scope, declared, 'reduce initial value');
  if (!init) return undefined;
  const resultType = declared ?? init.type;
  const { scope, slot: resSlot } = withObject.with('currentResult', resultType);
  const e = c.expr(d.expression, [...path, 'expression'], scope, resultType, 'reduce expression');
  if (!e) return undefined;
  const slot = c.declare(st.scope, d.into, resultType, [...path, 'into']);
  if (slot === undefined) return undefined;
  return overList(listSlot, objSlot, [init, e], (r) => {
    let acc = coerceValue(init.evaluate(r), resultType);
    for (const o of listOf(r.vars[listSlot] ?? null)) {
      r.vars[objSlot] = o;
      r.vars[resSlot] = acc;
      acc = coerceValue(e.evaluate(r), resultType);
    }
    r.vars[slot] = acc;
    return NEXT;
  });
}

/** Mendix's cast object: the same object as a specialization, checked when it runs. */
export const cast: ActivityCompiler<'cast'> = (c, d, path, st) => {
  const v = c.variable(d.object, [...path, 'object'], st.scope, ['Object']);
  const target = c.entity(d.to, [...path, 'to']);
  if (!v || v.type.kind !== 'Object' || !target) return undefined;
  const from = c.model.entities.get(v.type.entity)!;
  if (target.name !== from.name && !from.allSpecializations.includes(target.name)) {
    c.error([...path, 'to'], `${target.name} is not a specialization of ${from.name}`);
    return undefined;
  }
  const slot = c.declare(st.scope, d.into, T.object(target.name), [...path, 'into']);
  if (slot === undefined) return undefined;
  const src = v.slot,
    to = target.name;
  return simpleStep([], (r) => {
    const o = r.vars[src] as MxObject | null;
    if (o !== null && !c.model.entities.get(o.entity)?.chain.includes(to)) throw new ExpressionError(`cannot cast an object of type ${o.entity} to ${to}`);
    r.vars[slot] = o;
    return NEXT;
  });
};

export const listOperation: ActivityCompiler<'listOperation'> = (c, d, path, st) => {
  const op = d.operation;
  const v = c.variable(d.list, [...path, 'list'], st.scope, ['List']);
  if (!v || v.type.kind !== 'List') return undefined;
  const entity = c.model.entities.get(v.type.entity)!;
  const ls = v.slot;
  const listT = T.list(entity.name),
    objT = T.object(entity.name);
  let resultType: XType = listT;
  let exprs: StepExpr[] = [];
  /** Expressions over `$currentObject` (by-expression operations), prefetched for every item. */
  let itemExprs: { slot: number; exprs: StepExpr[] } | undefined;
  let fnBody: (list: MxObject[], r: Run) => Value;
  const other = (): { slot: number; list: boolean } | undefined => {
    const o = c.variable(d.other, [...path, 'other'], st.scope, ['List', 'Object']);
    return o ? { slot: o.slot, list: o.type.kind === 'List' } : undefined;
  };
  switch (op) {
    case 'union':
    case 'intersect':
    case 'subtract':
    case 'contains':
    case 'equals': {
      const o = other();
      if (!o) return undefined;
      if (op === 'contains' || op === 'equals') resultType = T.Boolean;
      fnBody = (list, r) => {
        const second = listOf(r.vars[o.slot] ?? null);
        const ids = new Set(second.map((x) => x.id));
        const mine = new Set(list.map((x) => x.id));
        switch (op) {
          case 'union': {
            const out = [...new Map(list.map((x) => [x.id, x])).values()];
            for (const x of second)
              if (!mine.has(x.id)) {
                out.push(x);
                mine.add(x.id);
              }
            return out;
          }
          case 'intersect':
            return list.filter((x) => ids.has(x.id));
          case 'subtract':
            return list.filter((x) => !ids.has(x.id));
          case 'contains':
            return second.every((x) => mine.has(x.id));
          default:
            return mine.size === ids.size && [...mine].every((id) => ids.has(id));
        }
      };
      break;
    }
    case 'sort': {
      const spec = sortSpec(c, entity, d.sort, [...path, 'sort']);
      if (spec.length === 0) {
        c.error([...path, 'sort'], 'sort needs at least one attribute');
        return undefined;
      }
      fnBody = (list) => sortObjects(list, spec);
      break;
    }
    case 'filter':
    case 'find': {
      if (typeof d.attribute !== 'string') {
        c.error(path, `${op} needs an attribute (or use ${op}ByExpression)`);
        return undefined;
      }
      const attr = entity.attributes.get(d.attribute);
      const assoc = c.model.associations.get(d.attribute);
      if (!attr && !assoc) {
        c.error([...path, 'attribute'], `entity ${entity.name} has no attribute or association '${d.attribute}'`);
        return undefined;
      }
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
    case 'filterByExpression':
    case 'findByExpression': {
      const { scope, slot } = st.scope.with('currentObject', objT);
      const e = c.expr(d.expression, [...path, 'expression'], scope, T.Boolean, 'expression');
      if (!e) return undefined;
      itemExprs = { slot, exprs: [e] };
      if (op === 'findByExpression') resultType = objT;
      fnBody = (list, r) => {
        const test = (x: MxObject): boolean => {
          r.vars[slot] = x;
          return e.evaluate(r) === true;
        };
        return op === 'findByExpression' ? (list.find(test) ?? null) : list.filter(test);
      };
      break;
    }
    case 'head':
      resultType = objT;
      fnBody = (list) => list[0] ?? null;
      break;
    case 'tail':
      fnBody = (list) => list.slice(1);
      break;
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
    default:
      c.error([...path, 'operation'], `unknown list operation '${op}'`);
      return undefined;
  }
  const slot = c.declare(st.scope, d.into, resultType, [...path, 'into']);
  if (slot === undefined) return undefined;
  const f = fnBody;
  const body = (r: Run): Signal => {
    r.vars[slot] = f(listOf(r.vars[ls] ?? null), r);
    return NEXT;
  };
  return itemExprs ? overList(ls, itemExprs.slot, [...exprs, ...itemExprs.exprs], body) : simpleStep(exprs, body);
};

export const changeList: ActivityCompiler<'changeList'> = (c, d, path, st) => {
  const v = c.variable(d.list, [...path, 'list'], st.scope, ['List']);
  if (!v || v.type.kind !== 'List') return undefined;
  const op = d.operation;
  let e: StepExpr | undefined;
  if (op !== 'clear') {
    e = c.expr(d.value, [...path, 'value'], st.scope, undefined, 'value');
    if (!e) return undefined;
    const ok =
      e.type.kind === 'Empty' ||
      ((e.type.kind === 'Object' || e.type.kind === 'List') && assignable(c.model, T.object(e.type.entity), T.object(v.type.entity)));
    if (!ok) {
      c.error([...path, 'value'], `expected ${v.type.entity} objects, not ${typeToString(e.type)}`);
      return undefined;
    }
  } else if (d.value !== undefined) {
    c.error([...path, 'value'], 'clear takes no value');
    return undefined;
  }
  const slot = v.slot;
  return simpleStep([e], (r) => {
    let list = r.vars[slot] as MxObject[] | null;
    if (list === null) {
      list = [];
      r.vars[slot] = list;
    }
    const items = e ? listOf(e.evaluate(r)) : [];
    switch (op) {
      case 'add':
        list.push(...items);
        break;
      case 'remove':
        for (const x of items) {
          const i = list.findIndex((y) => y.id === x.id);
          if (i >= 0) list.splice(i, 1);
        }
        break;
      case 'clear':
        list.length = 0;
        break;
      default:
        list.length = 0;
        list.push(...items);
    }
    return NEXT;
  });
};

export const createList: ActivityCompiler<'createList'> = (c, d, path, st) => {
  const e = c.entity(d.entity, [...path, 'entity']);
  if (!e) return undefined;
  const slot = c.declare(st.scope, d.into, T.list(e.name), [...path, 'into']);
  if (slot === undefined) return undefined;
  return {
    sync: true,
    exec(r) {
      r.vars[slot] = [];
      return NEXT;
    },
  };
};
