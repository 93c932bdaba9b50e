import { coerceValue } from '../../expressions/compile.js';
import { ExpressionError } from '../../expressions/runtime.js';
import { T, typeToString } from '../../expressions/types.js';
import { NEXT, RETURN, BREAK, type Block, type Signal } from '../compiled.js';
import type { MxObject } from '../../../objects/mx-object.js';
import { prefetchAll, simpleStep, type StepExpr } from '../compiler.js';
import { runBlock, runBlockSync, runIteration, type Run } from '../run.js';
import { listOf, type ActivityCompiler, type StepBody } from './types.js';

/** Control flow: decision, loop, while, break, continue, return. */

export const decision: ActivityCompiler<'decision'> = (c, d, path, st) => {
  if ('if' in d) {
    if ('on' in d || 'cases' in d) {
      c.error(path, "a decision has either 'if' (with then/else) or 'on' (with cases), not both");
      return undefined;
    }
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
  if (!('on' in d)) {
    c.error(path, "a decision needs 'if' (Boolean) or 'on' (enumeration) with cases");
    return undefined;
  }
  const on = c.expr(d.on, [...path, 'on'], st.scope, undefined, 'decision value');
  if (!on) return undefined;
  if (on.type.kind === 'Object') return objectTypeDecision(c, d, path, st, on, on.type.entity);
  const cases = new Map<string | null, Block>();
  let keys: readonly string[] | undefined;
  if (on.type.kind === 'Enumeration') keys = c.model.enumerations.get(on.type.enumeration)?.values.map((v) => v.key);
  else if (on.type.kind === 'Boolean') keys = ['true', 'false'];
  else {
    c.error([...path, 'on'], `a decision branches on an enumeration, a Boolean or an object's type, not ${typeToString(on.type)}`);
    return undefined;
  }
  for (const [k, body] of Object.entries(d.cases ?? {})) {
    if (k !== 'empty' && !keys?.includes(k)) {
      c.error([...path, 'cases', k], `'${k}' is not a value of ${typeToString(on.type)} (values: ${keys?.join(', ')})`);
      continue;
    }
    cases.set(k === 'empty' ? null : k, c.block(body, [...path, 'cases', k], { ...st, scope: st.scope.child() }));
  }
  const elseB = d.else !== undefined ? c.block(d.else, [...path, 'else'], { ...st, scope: st.scope.child() }) : undefined;
  const missing = (keys ?? []).filter((k) => !cases.has(k));
  if (missing.length > 0 && !elseB) {
    c.error([...path, 'cases'], `no case for ${missing.join(', ')}: add them or an else branch`);
    return undefined;
  }
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
  return {
    sync: false,
    async exec(r) {
      await prefetchAll(r, [on]);
      return runBlock(pick(r), r);
    },
  };
};

type DecisionDef = Parameters<ActivityCompiler<'decision'>>[1];

/**
 * An object-type (inheritance) decision: the branch of the object's own type or
 * its nearest generalization that has a case, `empty` for no object, else `else`.
 */
function objectTypeDecision(
  c: Parameters<ActivityCompiler<'decision'>>[0],
  d: DecisionDef,
  path: Parameters<ActivityCompiler<'decision'>>[2],
  st: Parameters<ActivityCompiler<'decision'>>[3],
  on: StepExpr,
  declared: string,
): StepBody | undefined {
  const model = c.model;
  const base = model.entities.get(declared)!;
  const cases = new Map<string | null, Block>();
  for (const [k, body] of Object.entries(d.cases ?? {})) {
    if (k === 'empty') {
      cases.set(null, c.block(body, [...path, 'cases', k], { ...st, scope: st.scope.child() }));
      continue;
    }
    const q = k.includes('.') ? k : `${c.module}.${k}`;
    if (q !== declared && !base.allSpecializations.includes(q)) {
      const options = [declared, ...base.allSpecializations].join(', ');
      c.error([...path, 'cases', k], `'${k}' is not ${declared} or one of its specializations (${options})`);
      continue;
    }
    cases.set(q, c.block(body, [...path, 'cases', k], { ...st, scope: st.scope.child() }));
  }
  const elseB = d.else !== undefined ? c.block(d.else, [...path, 'else'], { ...st, scope: st.scope.child() }) : undefined;
  const pick = (r: Run): Block => {
    const v = on.evaluate(r);
    if (v === null) {
      const b = cases.get(null) ?? elseB;
      if (!b) throw new ExpressionError('no decision branch for empty');
      return b;
    }
    const o = v as MxObject;
    for (const e of model.entities.get(o.entity)?.chain ?? [o.entity]) {
      const b = cases.get(e);
      if (b) return b;
    }
    if (!elseB) throw new ExpressionError(`no decision branch for an object of type ${o.entity}`);
    return elseB;
  };
  const all = [...cases.values(), ...(elseB ? [elseB] : [])];
  if (all.every((b) => b.sync)) return simpleStep([on], (r) => runBlockSync(pick(r), r));
  return {
    sync: false,
    async exec(r) {
      await prefetchAll(r, [on]);
      return runBlock(pick(r), r);
    },
  };
}

export const loop: ActivityCompiler<'loop'> = (c, d, path, st) => {
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

export const whileLoop: ActivityCompiler<'while'> = (c, d, path, st) => {
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

export const loopControl =
  (sig: Signal, word: 'break' | 'continue'): ActivityCompiler<'break' | 'continue'> =>
  (c, def, path, st) => {
    if (def !== true) {
      c.error(path, `write '${word}: true'`);
      return undefined;
    }
    if (st.loopDepth === 0) {
      c.error(path, `${word} is only allowed inside a loop`);
      return undefined;
    }
    return { sync: true, exec: () => sig };
  };

export const returnActivity: ActivityCompiler<'return'> = (c, def, path, st) => {
  const rt = c.returnType;
  if (def === null || def === undefined) {
    if (rt.kind !== 'Nothing' && rt.kind !== 'Unknown') {
      c.error(path, `the microflow returns ${typeToString(rt)}: give a value`);
      return undefined;
    }
    return {
      sync: true,
      exec(r) {
        r.returnValue = null;
        return RETURN;
      },
    };
  }
  if (rt.kind === 'Nothing') {
    c.error(path, 'the microflow returns nothing (declare returns: <type> to return a value)');
    return undefined;
  }
  const e = c.expr(def, path, st.scope, rt, 'return value');
  if (!e) return undefined;
  const ev = e.evaluate;
  return simpleStep([e], (r) => {
    r.returnValue = coerceValue(ev(r), rt);
    return RETURN;
  });
};
