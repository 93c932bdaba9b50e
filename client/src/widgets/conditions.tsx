import type { ReactNode } from 'react';
import type { ClientCondition, ClientExpr } from '../../../src/web-client/page-definition';
import type { Guid, WireValue } from '../api/types';
import { useApp, useStoreVersion } from '../app/context';
import type { ObjectStore } from '../store/object-store';

type V = string | number | boolean | null;

/** Numbers travel as numbers (Integer) or strings (Long, Decimal); compare them as numbers. */
function num(v: V): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

function evaluate(e: ClientExpr, get: (attr: string) => WireValue | undefined): V {
  switch (e.op) {
    case 'lit':
      return e.value;
    case 'attr': {
      const v = get(e.name);
      if (v === undefined || v === '') return null;
      return typeof v === 'object' && v !== null ? (v as readonly string[]).join(',') : v;
    }
    case 'not':
      return !evaluate(e.arg, get);
    case 'and':
      return evaluate(e.args[0], get) === true && evaluate(e.args[1], get) === true;
    case 'or':
      return evaluate(e.args[0], get) === true || evaluate(e.args[1], get) === true;
  }
  const a = evaluate(e.args[0], get);
  const b = evaluate(e.args[1], get);
  const na = num(a);
  const nb = num(b);
  const numeric = na !== null && nb !== null && (typeof a === 'number' || typeof b === 'number');
  switch (e.op) {
    case '=':
      return numeric ? na === nb : a === b;
    case '!=':
      return numeric ? na !== nb : a !== b;
    case '<':
    case '<=':
    case '>':
    case '>=': {
      if (a === null || b === null) return false;
      const [x, y] = na !== null && nb !== null ? [na, nb] : [String(a), String(b)];
      return e.op === '<' ? x < y : e.op === '<=' ? x <= y : e.op === '>' ? x > y : x >= y;
    }
    case '+':
      if (typeof a === 'string' && na === null) return a + (b ?? '');
      return na !== null && nb !== null ? na + nb : null;
    case '-':
      return na !== null && nb !== null ? na - nb : null;
    case '*':
      return na !== null && nb !== null ? na * nb : null;
    case 'div':
      return na !== null && nb !== null && nb !== 0 ? na / nb : null;
  }
}

/**
 * Whether a widget's condition holds for the object it sits in: the attribute has one
 * of the values, and the expression is true. Without an object it does not hold.
 */
export function holds(c: ClientCondition | undefined, store: ObjectStore, object: Guid | undefined): boolean {
  if (!c) return true;
  if (!object) return !c.attribute && !c.expr;
  const get = (a: string) => store.get(object, a);
  if (c.attribute && c.values) {
    const v = get(c.attribute);
    const value = v === 'true' ? true : v === 'false' ? false : v;
    if (!c.values.some((x) => x === value)) return false;
  }
  return c.expr ? evaluate(c.expr, get) === true : true;
}

/** Renders its children while the condition holds, re-evaluated whenever an object changes (the user typing included). */
export function Visible({ when, object, children }: { when: ClientCondition | undefined; object: Guid | undefined; children: ReactNode }) {
  const app = useApp();
  useStoreVersion(app.store);
  return holds(when, app.store, object) ? children : null;
}
