import { valueToString } from '../../expressions/runtime.js';
import type { BlockState, MicroflowCompiler, Path, StepExpr } from '../compiler.js';
import type { Run } from '../run.js';

/**
 * Message templates with {1}, {2}, ... placeholders (log, show message, validation feedback,
 * error). A message the user reads may be given per language (`{en_US: ..., nl_NL: ...}`):
 * it is rendered in the language of the run's user (their client's, else System.User_Language),
 * else the app's default language, else the first given.
 */
export function template(
  c: MicroflowCompiler,
  text: unknown,
  params: unknown,
  path: Path,
  st: BlockState,
): { exprs: StepExpr[]; render: (r: Run) => string } | undefined {
  const texts =
    typeof text === 'string' ? { '': text } : text && typeof text === 'object' && !Array.isArray(text) ? (text as Record<string, unknown>) : undefined;
  const entries = texts ? Object.entries(texts) : [];
  if (entries.length === 0 || entries.some(([, t]) => typeof t !== 'string')) {
    c.error([...path, 'message'], 'expected a message text (or one text per language)');
    return undefined;
  }
  const exprs: StepExpr[] = [];
  (Array.isArray(params) ? params : []).forEach((p, i) => {
    const e = c.expr(p, [...path, 'params', i], st.scope, undefined, `parameter {${i + 1}}`);
    if (e) exprs.push(e);
  });
  const byLanguage = new Map<string, string[]>();
  for (const [lang, t] of entries as [string, string][]) {
    for (const m of t.matchAll(/\{(\d+)\}/g)) {
      const n = Number(m[1]);
      if (n < 1 || n > exprs.length) c.error([...path, 'message', ...(lang ? [lang] : [])], `placeholder {${n}} has no parameter (${exprs.length} given)`);
    }
    byLanguage.set(lang, t.split(/(\{\d+\})/));
  }
  const fallback = byLanguage.get(c.model.app.languages?.[0] ?? '') ?? [...byLanguage.values()][0]!;
  const single = byLanguage.size === 1 ? fallback : undefined;
  return {
    exprs,
    render: (r) =>
      (single ?? byLanguage.get(r.session.user.language ?? '') ?? fallback)
        .map((p) => {
          const m = /^\{(\d+)\}$/.exec(p);
          return m ? valueToString(exprs[Number(m[1]) - 1]?.evaluate(r) ?? null, r.ctx.timeZone) : p;
        })
        .join(''),
  };
}
