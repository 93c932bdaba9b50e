import type { Value } from '../../expressions/runtime.js';
import { T, type XType } from '../../expressions/types.js';
import { NEXT } from '../compiled.js';
import type { StepExpr } from '../compiler.js';
import { prefetchAll } from '../compiler.js';
import { MicroflowError } from '../errors.js';
import { host, type ActivityCompiler } from './types.js';

/** Calls: microflow call, TypeScript action. */

export const call: ActivityCompiler<'call'> = (c, d, path, st) => {
  if (typeof d.microflow !== 'string') {
    c.error([...path, 'microflow'], 'expected a microflow name');
    return undefined;
  }
  const name = d.microflow.includes('.') ? d.microflow : `${c.module}.${d.microflow}`;
  const target = c.model.microflows.get(name);
  // An unknown name is reported by the model's reference check.
  if (!target) return undefined;
  const params = Object.entries(target.def.parameters ?? {});
  const given: Readonly<Record<string, unknown>> = d.with ?? {};
  const args: (StepExpr | undefined)[] = [];
  let ok = true;
  for (const k of Object.keys(given))
    if (!params.some(([p]) => p === k)) {
      c.error([...path, 'with', k], `${name} has no parameter '${k}'`);
      ok = false;
    }
  for (const [p, typeText] of params) {
    const t = c.type(typeText, [...path, 'with', p]);
    if (!(p in given)) {
      c.error([...path, 'with'], `missing argument for parameter ${p} of ${name}`);
      ok = false;
      continue;
    }
    const e = c.expr(given[p], [...path, 'with', p], st.scope, t, `argument ${p}`);
    if (!e) ok = false;
    args.push(e);
  }
  let slot: number | undefined;
  if (d.into !== undefined) {
    const rt = target.def.returns ? c.type(target.def.returns, [...path, 'into']) : T.Nothing;
    if (!rt) return undefined;
    if (rt.kind === 'Nothing') {
      c.error([...path, 'into'], `${name} returns nothing`);
      return undefined;
    }
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

export const action: ActivityCompiler<'action'> = (c, d, path, st) => {
  if (typeof d.name !== 'string') {
    c.error([...path, 'name'], 'expected the name of a TypeScript action');
    return undefined;
  }
  const name = d.name;
  const sig = c.cc.actions?.get(name);
  if (c.cc.actions && !sig) {
    c.error([...path, 'name'], `unknown action '${name}' (expected a file actions/${name}.ts or .js in the app or module folder)`);
    return undefined;
  }
  const given: Readonly<Record<string, unknown>> = d.with ?? {};
  const args: [string, StepExpr][] = [];
  for (const [k, v] of Object.entries(given)) {
    let t: XType | undefined;
    const declared = sig?.parameters?.[k];
    if (sig?.parameters && declared === undefined) {
      c.error([...path, 'with', k], `action ${name} has no parameter '${k}'`);
      continue;
    }
    if (declared) t = c.type(declared, [...path, 'with', k]);
    const e = c.expr(v, [...path, 'with', k], st.scope, t, `argument ${k}`);
    if (e) args.push([k, e]);
  }
  let slot: number | undefined;
  if (d.into !== undefined) {
    const rtText = d.returns ?? sig?.returns;
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
      await prefetchAll(
        r,
        args.map(([, e]) => e),
      );
      const values: Record<string, Value> = {};
      for (const [k, e] of args) values[k] = e.evaluate(r);
      const result = await a.run(values, r);
      if (slot !== undefined) r.vars[slot] = result ?? null;
      return NEXT;
    },
  };
};
