import { coerceValue } from '../../expressions/compile.js';
import { NEXT } from '../compiled.js';
import { simpleStep } from '../compiler.js';
import type { ActivityCompiler } from './types.js';

/** Variables: create variable, change variable. */

export const createVariable: ActivityCompiler<'createVariable'> = (c, d, path, st) => {
  const t = c.type(d.type, [...path, 'type']);
  if (!t) return undefined;
  const e = d.value !== undefined ? c.expr(d.value, [...path, 'value'], st.scope, t, 'initial value') : undefined;
  if (d.value !== undefined && !e) return undefined;
  const slot = c.declare(st.scope, d.name, t, [...path, 'name']);
  if (slot === undefined) return undefined;
  if (!e)
    return {
      sync: true,
      exec(r) {
        r.vars[slot] = t.kind === 'List' ? [] : null;
        return NEXT;
      },
    };
  const ev = e.evaluate;
  if (e.type.kind === t.kind)
    return simpleStep([e], (r) => {
      r.vars[slot] = ev(r);
      return NEXT;
    });
  return simpleStep([e], (r) => {
    r.vars[slot] = coerceValue(ev(r), t);
    return NEXT;
  });
};

export const changeVariable: ActivityCompiler<'changeVariable'> = (c, d, path, st) => {
  if (typeof d.name !== 'string') {
    c.error([...path, 'name'], 'expected a variable name');
    return undefined;
  }
  const v = st.scope.lookup(d.name);
  if (!v) {
    c.error([...path, 'name'], `unknown variable $${d.name}`);
    return undefined;
  }
  if (d.name === 'currentUser' || d.name === 'currentSession' || d.name === 'latestError' || d.name === 'latestHttpResponse' || d.name === 'currentObject') {
    c.error([...path, 'name'], `$${d.name} cannot be changed`);
    return undefined;
  }
  const e = c.expr(d.value, [...path, 'value'], st.scope, v.type, 'new value');
  if (!e) return undefined;
  const slot = v.slot,
    t = v.type,
    ev = e.evaluate;
  if (e.type.kind === t.kind)
    return simpleStep([e], (r) => {
      r.vars[slot] = ev(r);
      return NEXT;
    });
  return simpleStep([e], (r) => {
    r.vars[slot] = coerceValue(ev(r), t);
    return NEXT;
  });
};
