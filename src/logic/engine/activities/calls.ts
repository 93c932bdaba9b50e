import type { Value } from '../../expressions/runtime.js';
import { T, type XType } from '../../expressions/types.js';
import { NEXT } from '../compiled.js';
import type { StepExpr } from '../compiler.js';
import { prefetchAll } from '../compiler.js';
import { MicroflowError } from '../errors.js';
import type { MicroflowCompiler, Path } from '../compiler.js';
import type { RetryPolicy } from '../ports.js';
import { isMxObject } from '../../expressions/runtime.js';
import { host, type ActivityCompiler, type ActivityDefOf, type StepBody } from './types.js';

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
  if (d.queue === undefined) {
    if (d.delay !== undefined) c.error([...path, 'delay'], 'delay applies only to a call run in a task queue (add queue)');
    if (d.retry !== undefined) c.error([...path, 'retry'], 'retry applies only to a call run in a task queue (add queue)');
  } else {
    const queued = queuedCall(c, d, path, name, params, defined(args));
    return ok ? queued : undefined;
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

const defined = (args: readonly (StepExpr | undefined)[]): StepExpr[] => args.filter((a): a is StepExpr => a !== undefined);

/** One day: Mendix's longest wait of an exponential retry unless told otherwise. */
const ONE_DAY_MS = 86400000;

/**
 * A call with `queue`: the microflow runs later in the task queue, as its
 * own transaction, in the caller's user context. Checked here: the queue
 * exists, nothing is returned, object parameters are of persistable entities
 * (only committed objects can travel); at run time each object must be
 * committed, unchanged since.
 */
function queuedCall(
  c: MicroflowCompiler,
  d: ActivityDefOf<'call'>,
  path: Path,
  name: string,
  params: readonly [string, string][],
  args: readonly StepExpr[],
): StepBody | undefined {
  const queue = d.queue!.includes('.') ? d.queue! : `${c.module}.${d.queue}`;
  let ok = true;
  if (!c.model.taskQueues?.has(queue)) {
    const known = [...(c.model.taskQueues?.keys() ?? [])];
    c.error(
      [...path, 'queue'],
      `unknown task queue '${queue}'${known.length ? ` (known: ${known.join(', ')})` : ' (declare it in modules/<Module>/task-queues/<Name>.yaml)'}`,
    );
    ok = false;
  }
  if (d.into !== undefined) {
    c.error([...path, 'into'], `a microflow run in a task queue returns nothing to its caller: remove into, or remove queue`);
    ok = false;
  }
  const types: XType[] = [];
  for (const [p, typeText] of params) {
    const t = c.type(typeText, [...path, 'with', p]);
    if (t) types.push(t);
    if (t && (t.kind === 'Object' || t.kind === 'List') && c.model.entities.get(t.entity)?.persistable === false) {
      c.error([...path, 'with', p], `parameter ${p} of ${name} is a non-persistable ${t.entity}: a task in a queue takes committed objects or primitives only`);
      ok = false;
    }
  }
  if (!ok || args.length !== params.length || types.length !== params.length) return undefined;
  const retry: RetryPolicy | undefined = d.retry
    ? {
        attempts: d.retry.attempts,
        intervalMs: Math.round(d.retry.interval * 1000),
        backoff: d.retry.backoff ?? 'fixed',
        maxIntervalMs: d.retry.maxInterval !== undefined ? Math.round(d.retry.maxInterval * 1000) : ONE_DAY_MS,
      }
    : undefined;
  const delayMs = Math.round((d.delay ?? 0) * 1000);
  return {
    sync: false,
    async exec(r) {
      await prefetchAll(r, args as StepExpr[]);
      const values = new Map<string, { type: XType; value: Value }>();
      params.forEach(([p], i) => {
        const e = args[i]!;
        const value = e.evaluate(r);
        const objects = value === null ? [] : Array.isArray(value) ? (value as Value[]) : [value];
        for (const o of objects)
          if (isMxObject(o) && (o.state === 'new' || o.changed.size > 0))
            throw new MicroflowError(
              `argument ${p} of ${name} (queued in ${queue}) is an object with changes that are not committed: commit it before the call, a task takes committed objects only`,
              r.stack,
              'kiln.UncommittedTaskArgument',
            );
        values.set(p, { type: types[i]!, value });
      });
      await host(r).enqueue({ queue, microflow: name, args: values, delayMs, ...(retry ? { retry } : {}) }, r);
      return NEXT;
    },
  };
}
