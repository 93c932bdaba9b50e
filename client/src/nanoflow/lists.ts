import { Decimal } from 'decimal.js';
import type { PlanStep } from '../../../src/web-client/nanoflow-plan';
import type { Guid } from '../api/types';
import { asDecimal, compare, equal, evaluate, isList, isObject, memberValue, NanoflowError, type EvalEnv, type NfValue } from './evaluate';

/**
 * The list activities of the microflow language in the browser (aggregate, list
 * operation, change list, create list), over lists of guids in the object store. They
 * behave as the server's engine does (src/logic/engine/activities/lists.ts): sum and
 * average over the non-empty values, average of nothing is 0, min/max of nothing is
 * empty, all/any stop at the first answer, union keeps no duplicates, add keeps them.
 */
type Aggregate = Extract<PlanStep, { kind: 'aggregate' }>;
type ListOperation = Extract<PlanStep, { kind: 'listOperation' }>;
type ChangeList = Extract<PlanStep, { kind: 'changeList' }>;

function guidsOf(env: EvalEnv, variable: string): readonly Guid[] {
  const v = env.vars.get(variable);
  if (v === null || v === undefined) return [];
  if (isList(v)) return v.guids;
  if (isObject(v)) return [v.guid];
  throw new NanoflowError(`$${variable} is not a list`);
}

/** Evaluates an expression with `$currentObject` (and more) set, restoring the variables after. */
function withVars<T>(env: EvalEnv, set: Record<string, NfValue>, fn: () => T): T {
  const before = Object.keys(set).map((k) => [k, env.vars.has(k), env.vars.get(k)] as const);
  for (const [k, v] of Object.entries(set)) env.vars.set(k, v);
  try {
    return fn();
  } finally {
    for (const [k, had, v] of before) {
      if (had) env.vars.set(k, v!);
      else env.vars.delete(k);
    }
  }
}

export function aggregate(s: Aggregate, env: EvalEnv): NfValue {
  const items = guidsOf(env, s.list);
  const read = (g: Guid): NfValue =>
    s.attribute !== undefined ? memberValue(env, g, s.attribute) : s.expr ? withVars(env, { currentObject: { guid: g } }, () => evaluate(s.expr!, env)) : g;
  switch (s.fn) {
    case 'all':
    case 'any': {
      const want = s.fn === 'any';
      for (const g of items) if (read(g) === want) return want;
      return !want;
    }
    case 'reduce': {
      let acc = s.initial ? evaluate(s.initial, env) : null;
      for (const g of items) acc = withVars(env, { currentObject: { guid: g }, currentResult: acc }, () => evaluate(s.expr!, env));
      return acc;
    }
    case 'count':
      return new Decimal(s.attribute === undefined && !s.expr ? items.length : items.filter((g) => read(g) !== null).length);
  }
  const values = items.map(read).filter((v): v is NfValue => v !== null);
  if (s.fn === 'min' || s.fn === 'max') {
    let best: NfValue = null;
    for (const v of values) if (best === null || (s.fn === 'min' ? compare(v, best) < 0 : compare(v, best) > 0)) best = v;
    return best;
  }
  const sum = values.reduce<Decimal>((acc, v) => acc.plus(asDecimal(v)), new Decimal(0));
  if (s.fn === 'sum') return sum;
  return values.length === 0 ? new Decimal(0) : sum.div(values.length).toSignificantDigits(34);
}

const whole = (v: NfValue, what: string): number => {
  const n = asDecimal(v);
  if (!n.isInteger() || n.isNeg()) throw new NanoflowError(`${what} must be a whole number of at least 0, not ${n.toString()}`);
  return n.toNumber();
};

export function listOperation(s: ListOperation, env: EvalEnv): NfValue {
  const list = guidsOf(env, s.list);
  const asList = (guids: readonly Guid[]): NfValue => ({ guids: [...guids] });
  const one = (g: Guid | undefined): NfValue => (g === undefined ? null : { guid: g });
  const matches = (g: Guid): boolean =>
    s.op === 'filter' || s.op === 'find'
      ? equal(memberValue(env, g, s.attribute!), s.value ? evaluate(s.value, env) : null)
      : withVars(env, { currentObject: { guid: g } }, () => evaluate(s.expr!, env)) === true;
  switch (s.op) {
    case 'union': {
      const out = [...new Set(list)];
      for (const g of guidsOf(env, s.other!)) if (!out.includes(g)) out.push(g);
      return asList(out);
    }
    case 'intersect': {
      const other = new Set(guidsOf(env, s.other!));
      return asList([...new Set(list)].filter((g) => other.has(g)));
    }
    case 'subtract': {
      const other = new Set(guidsOf(env, s.other!));
      return asList(list.filter((g) => !other.has(g)));
    }
    case 'contains': {
      const mine = new Set(list);
      return guidsOf(env, s.other!).every((g) => mine.has(g));
    }
    case 'equals': {
      const mine = new Set(list);
      const other = new Set(guidsOf(env, s.other!));
      return mine.size === other.size && [...mine].every((g) => other.has(g));
    }
    case 'sort': {
      const keys = s.sort ?? [];
      return asList(
        [...list].sort((a, b) => {
          for (const k of keys) {
            const c = compare(memberValue(env, a, k.attribute), memberValue(env, b, k.attribute));
            if (c !== 0) return k.descending ? -c : c;
          }
          return 0;
        }),
      );
    }
    case 'filter':
    case 'filterByExpression':
      return asList(list.filter(matches));
    case 'find':
    case 'findByExpression':
      return one(list.find(matches));
    case 'head':
      return one(list[0]);
    case 'tail':
      return asList(list.slice(1));
    case 'range': {
      const offset = s.offset ? whole(evaluate(s.offset, env), 'the offset') : 0;
      const amount = s.amount ? whole(evaluate(s.amount, env), 'the amount') : 0;
      return asList(list.slice(offset, amount === 0 ? undefined : offset + amount));
    }
  }
}

/** Changes the list in its variable (a list variable holds its own copy: other variables are not affected). */
export function changeList(s: ChangeList, env: EvalEnv): void {
  const list = [...guidsOf(env, s.list)];
  const value = s.value ? evaluate(s.value, env) : null;
  const given = value === null ? [] : isList(value) ? value.guids : isObject(value) ? [value.guid] : null;
  if (given === null) throw new NanoflowError(`change list: the value is not an object or a list`);
  switch (s.op) {
    case 'add':
      list.push(...given);
      break;
    case 'remove':
      for (const g of given) {
        const i = list.indexOf(g);
        if (i >= 0) list.splice(i, 1);
      }
      break;
    case 'clear':
      list.length = 0;
      break;
    case 'replace':
      list.splice(0, list.length, ...given);
      break;
  }
  env.vars.set(s.list, { guids: list });
}
