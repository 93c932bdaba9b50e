import { valueToString } from '../../expressions/runtime.js';
import type { BlockState, MicroflowCompiler, Path, StepExpr } from '../compiler.js';
import type { Run } from '../run.js';

/** Message templates with {1}, {2}, ... placeholders (log, show message, validation feedback, error). */
export function template(
  c: MicroflowCompiler,
  text: unknown,
  params: unknown,
  path: Path,
  st: BlockState,
): { exprs: StepExpr[]; render: (r: Run) => string } | undefined {
  if (typeof text !== 'string') {
    c.error([...path, 'message'], 'expected a message text');
    return undefined;
  }
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
    render: (r) =>
      parts
        .map((p) => {
          const m = /^\{(\d+)\}$/.exec(p);
          return m ? valueToString(exprs[Number(m[1]) - 1]?.evaluate(r) ?? null, r.ctx.timeZone) : p;
        })
        .join(''),
  };
}
