import type { Node } from '../logic/expressions/ast.js';
import { compileExpression } from '../logic/expressions/index.js';
import { parseExpression } from '../logic/expressions/parser.js';
import type { Diagnostic } from '../model/diagnostics.js';
import { pathToString } from '../model/diagnostics.js';
import type { CompiledModel, SourceRef } from '../model/compiled/types.js';
import { walkPage, walkUnit, type WidgetVisit } from '../model/compiled/widget-walk.js';
import type { ClientExpr } from './page-definition.js';

/**
 * The expressions of conditional visibility and editability, compiled once at start-up
 * into the small trees the browser evaluates ({@link ClientExpr}), by context entity,
 * module and text. The same pass is `kiln check`'s: an expression that does not
 * type-check as a Boolean over `$currentObject`, or uses what the browser does not
 * evaluate (functions, tokens, associations), is an error at its column.
 */
export class ConditionTable {
  private readonly table = new Map<string, ClientExpr>();

  static key(entity: string | undefined, module: string, text: string): string {
    return `${entity ?? ''}|${module}|${text}`;
  }

  get(entity: string | undefined, module: string, text: string): ClientExpr | undefined {
    return this.table.get(ConditionTable.key(entity, module, text));
  }

  static compile(model: CompiledModel, out: Diagnostic[]): ConditionTable {
    const t = new ConditionTable();
    const visit = (v: WidgetVisit) => {
      if (!v.body || typeof v.body !== 'object') return;
      const b = v.body as Record<string, unknown>;
      for (const key of ['visible', 'editable']) t.add(model, v, b[key], [key], out);
      if (v.kind === 'tabContainer' && Array.isArray(b.tabs))
        b.tabs.forEach((tab, i) => {
          if (tab && typeof tab === 'object') t.add(model, v, (tab as Record<string, unknown>).visible, ['tabs', i, 'visible'], out);
        });
    };
    for (const page of model.pages.values()) walkPage(model, page, visit);
    for (const layout of model.layouts?.values() ?? []) walkUnit(model, layout, visit);
    return t;
  }

  private add(model: CompiledModel, v: WidgetVisit, cond: unknown, sub: (string | number)[], out: Diagnostic[]): void {
    if (!cond || typeof cond !== 'object') return;
    const c = cond as Record<string, unknown>;
    const at: SourceRef = { file: v.loc.file, path: [...v.loc.path, ...sub] };
    if ((typeof c.expression === 'string' || typeof c.attribute === 'string') && !v.entity) {
      out.push(
        at.file.diagnostic(at.path, 'a condition on an attribute or expression needs a context object: put the widget in a data view, list view or grid'),
      );
      return;
    }
    if (typeof c.attribute === 'string') {
      const a = model.entities.get(v.entity!)?.attributes.get(c.attribute);
      if (!a) out.push(at.file.diagnostic([...at.path, 'attribute'], `unknown attribute '${c.attribute}' of ${v.entity}`));
      else if (a.type !== 'Enumeration' && a.type !== 'Boolean')
        out.push(
          at.file.diagnostic(
            [...at.path, 'attribute'],
            `a condition by attribute value needs an Enumeration or Boolean attribute; ${c.attribute} is ${a.type}`,
          ),
        );
      else if (!Array.isArray(c.values)) out.push(at.file.diagnostic(at.path, `give the values of ${c.attribute} for which the condition holds`));
      else {
        const keys = a.type === 'Boolean' ? [true, false] : (model.enumerations.get(a.enumeration!)?.values.map((x) => x.key) ?? []);
        c.values.forEach((x, i) => {
          if (!keys.includes(x as never))
            out.push(at.file.diagnostic([...at.path, 'values', i], `'${String(x)}' is not a value of ${c.attribute} (${keys.join(', ')})`));
        });
      }
    }
    if (Array.isArray(c.roles))
      c.roles.forEach((r, i) => {
        const q = typeof r === 'string' && !r.includes('.') ? `${v.module}.${r}` : String(r);
        if (!model.moduleRoles.has(q)) out.push(at.file.diagnostic([...at.path, 'roles', i], `unknown module role '${String(r)}'`));
      });
    if (typeof c.expression !== 'string') return;
    const text = c.expression;
    const key = ConditionTable.key(v.entity, v.module, text);
    if (this.table.has(key)) return;
    const scope = { lookup: (name: string) => (name === 'currentObject' ? { slot: 0, type: { kind: 'Object' as const, entity: v.entity! } } : undefined) };
    const r = compileExpression(text, { model, module: v.module, scope }, { kind: 'Boolean' });
    const problem = r.ok ? toClient(parseExpression(text)) : r.problems[0]!;
    if ('op' in problem) {
      this.table.set(key, problem);
      return;
    }
    const epath = [...at.path, 'expression'];
    const loc = at.file.locateInside(epath, problem.start);
    out.push({
      severity: 'error',
      file: at.file.relPath,
      line: loc.line,
      column: loc.column,
      path: pathToString(epath),
      message: `visibility expression: ${problem.message}`,
    });
  }
}

type Problem = { start: number; end: number; message: string };

const BINARY = new Set(['and', 'or', '=', '!=', '<', '<=', '>', '>=', '+', '-', '*', 'div']);

/** The browser's form of a type-checked expression, or where it uses what the browser does not evaluate. */
function toClient(n: Node): ClientExpr | Problem {
  const no = (what: string): Problem => ({
    start: n.start,
    end: n.end,
    message: `${what} is not evaluated in the browser (use attributes of $currentObject, literals, comparisons, and/or/not, + - * div)`,
  });
  switch (n.kind) {
    case 'literal':
      if (n.valueKind === 'Empty') return { op: 'lit', value: null };
      if (n.valueKind === 'Boolean') return { op: 'lit', value: n.text === 'true' };
      if (n.valueKind === 'String') return { op: 'lit', value: n.text };
      return { op: 'lit', value: Number(n.text) };
    case 'enumValue':
      return { op: 'lit', value: n.name.slice(n.name.lastIndexOf('.') + 1) };
    case 'variable':
      if (n.name !== 'currentObject' || n.path.length !== 1) return no('an object or an association path');
      return { op: 'attr', name: n.path[0]!.name };
    case 'unary': {
      const a = toClient(n.operand);
      if (!('op' in a)) return a;
      return n.op === 'not' ? { op: 'not', arg: a } : { op: '-', args: [{ op: 'lit', value: 0 }, a] };
    }
    case 'binary': {
      if (!BINARY.has(n.op)) return no(`'${n.op}'`);
      const l = toClient(n.left);
      if (!('op' in l)) return l;
      const r = toClient(n.right);
      if (!('op' in r)) return r;
      return { op: n.op as 'and', args: [l, r] };
    }
    case 'call':
      return no(`the function ${n.name}`);
    case 'token':
      return no(`the token ${n.name}`);
    case 'constant':
      return no(`the constant ${n.name}`);
    case 'if':
      return no('if … then … else');
  }
}

/** `kiln check`: every condition of every page, layout and snippet call, with its errors located. */
export function conditionsModelCheck(model: CompiledModel, out: Diagnostic[]): void {
  ConditionTable.compile(model, out);
}
