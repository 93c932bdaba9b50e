import { join } from 'node:path';
import { loadModel, type CompiledModel } from '../../src/model/index.js';
import { compileExpression, parseTypeName, type EvalContext, type Value, type XType } from '../../src/logic/expressions/index.js';
import type { MxObject } from '../../src/objects/mx-object.js';

const SALES_DIR = join(import.meta.dirname, '../../examples/sales');

let cached: CompiledModel | undefined;
export async function salesModel(): Promise<CompiledModel> {
  if (cached) return cached;
  const r = await loadModel(SALES_DIR);
  if (!r.model) throw new Error(`sales example does not compile: ${JSON.stringify(r.diagnostics)}`);
  cached = r.model;
  return cached;
}

export interface Var {
  readonly type: string;
  readonly value: Value;
}

export interface EvalOptions {
  readonly timeZone?: string;
  readonly now?: Date;
  readonly roundHalfEven?: boolean;
  readonly links?: Map<string, MxObject | MxObject[] | null>;
}

/** Compiles and evaluates one expression with typed variables; throws the compile problems as one error. */
export function evaluate(model: CompiledModel, text: string, vars: Record<string, Var> = {}, opts: EvalOptions = {}): Value {
  const names = Object.keys(vars);
  const types = new Map<string, XType>();
  for (const n of names) {
    const t = parseTypeName(model, vars[n]!.type);
    if (typeof t === 'string') throw new Error(t);
    types.set(n, t);
  }
  const r = compileExpression(text, {
    model,
    module: 'Sales',
    scope: { lookup: (n) => (types.has(n) ? { slot: names.indexOf(n), type: types.get(n)! } : undefined) },
  });
  if (!r.ok) throw new Error(`compile: ${r.problems.map((p) => `${p.start}-${p.end} ${p.message}`).join('; ')}`);
  const ctx: EvalContext = {
    model,
    timeZone: opts.timeZone ?? 'UTC',
    now: () => opts.now ?? new Date(Date.UTC(2024, 2, 15, 10, 30, 0)),
    follow: (o, a) => opts.links?.get(`${o.id}:${a}`) ?? null,
    roundHalfEven: opts.roundHalfEven ?? false,
  };
  return r.expression.evaluate({ vars: names.map((n) => vars[n]!.value), ctx });
}

export function problems(model: CompiledModel, text: string, vars: Record<string, string> = {}): string[] {
  const names = Object.keys(vars);
  const r = compileExpression(text, {
    model,
    module: 'Sales',
    scope: {
      lookup: (n) => {
        if (!(n in vars)) return undefined;
        const t = parseTypeName(model, vars[n]!);
        if (typeof t === 'string') throw new Error(t);
        return { slot: names.indexOf(n), type: t };
      },
    },
  });
  return r.ok ? [] : r.problems.map((p) => `${p.start}:${p.message}`);
}

/** Renders a value for table comparison: Decimals as plain text, dates as ISO, bigints with an `n`. */
export function show(v: Value): string {
  if (v === null) return 'empty';
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object' && 'toFixed' in v && typeof (v as { toFixed: unknown }).toFixed === 'function' && !(typeof v === 'number'))
    return `D${(v as { toFixed(): string }).toFixed()}`;
  if (typeof v === 'string') return `'${v}'`;
  return String(v);
}
