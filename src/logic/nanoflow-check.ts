import type { Diagnostic } from '../model/diagnostics.js';
import type { CMicroflow, CNanoflow, CompiledModel } from '../model/compiled/types.js';
import type { MicroflowFile } from '../model/schema/microflow.js';
import { qualify } from '../model/compiled/compile-domain.js';
import { sqlite } from '../data/dialects/sqlite/index.js';
import { MicroflowCompiler } from './engine/compiler.js';
import { parseExpression } from './expressions/parser.js';
import type { Node } from './expressions/ast.js';
import { queryPort } from './query-port.js';
import { nanoflowActivities as activities } from '../model/compiled/nanoflow-activities.js';
import { xpathVariables } from '../model/compiled/nanoflow-retrieves.js';

/**
 * `kiln check` for nanoflows (the microflow language in the browser). A nanoflow is
 * checked as a microflow is — types, variables, members, expressions with their
 * columns — after its client-only activities (closePage, showPage, calls of other
 * nanoflows) are set aside; then every activity that runs on the server only, or that
 * the browser client does not run yet, is refused at its line, and so is an expression
 * function the client does not evaluate.
 */

/** Activities a nanoflow may not hold, with the reason given. */
const REFUSED: Readonly<Record<string, string>> = {
  delete: 'deleting runs on the server: call a microflow, or use a delete button',
  rollback: 'rolling back runs on the server: use a cancel button',
  callRest: 'calling a REST service runs on the server: call a microflow',
  log: 'logging runs on the server: call a microflow',
  error: 'error events in a nanoflow are not supported yet',
};

/** Functions of the expression language the browser client evaluates. */
const CLIENT_FUNCTIONS: ReadonlySet<string> = new Set([
  'toString',
  'toUpperCase',
  'toLowerCase',
  'length',
  'trim',
  'contains',
  'startsWith',
  'endsWith',
  'substring',
  'round',
  'floor',
  'ceil',
  'abs',
  'max',
  'min',
  'parseInteger',
  'parseDecimal',
]);

type Path = (string | number)[];

/** Whether a `call` names a nanoflow (a nanoflow may call nanoflows and microflows). */
function callsNanoflow(model: CompiledModel, module: string, name: unknown): boolean {
  return typeof name === 'string' && model.nanoflows.has(qualify(name, module)) && !model.microflows.has(qualify(name, module));
}

export function checkNanoflows(model: CompiledModel, out: Diagnostic[]): void {
  const query = queryPort(sqlite);
  for (const nf of model.nanoflows.values()) {
    const file = nf.source.file;
    for (const { a, key, path } of activities(nf.def.body, ['body'])) {
      const reason = REFUSED[key];
      if (reason) out.push(file.diagnostic([...path, key], `${key} cannot be used in a nanoflow: ${reason}`));
      const onError = a.onError as Record<string, unknown> | string | undefined;
      if (onError && typeof onError === 'object' && 'customWithRollback' in onError)
        out.push(
          file.diagnostic(
            [...path, 'onError', 'customWithRollback'],
            'a nanoflow has no transaction to roll back: use customWithoutRollback (as Mendix nanoflows do) or continue',
          ),
        );
      if (onError === 'continue' && (key === 'loop' || key === 'while'))
        out.push(
          file.diagnostic([...path, 'onError'], `continue on a ${key} in a nanoflow is not supported yet: put the error handling on the activities inside it`),
        );
      if (key === 'showPage') {
        const page = (a.showPage as { page?: unknown }).page;
        if (typeof page !== 'string' || !model.pages.has(qualify(page, nf.module)))
          out.push(file.diagnostic([...path, 'showPage', 'page'], `unknown page '${String(page)}'`));
      }
      if (key === 'retrieve') retrieveRules(model, nf.module, a.retrieve, [...path, 'retrieve'], file, out);
      if (key === 'call') {
        const name = (a.call as { microflow?: unknown }).microflow;
        if (typeof name === 'string' && !model.microflows.has(qualify(name, nf.module)) && !model.nanoflows.has(qualify(name, nf.module)))
          out.push(file.diagnostic([...path, 'call', 'microflow'], `unknown microflow or nanoflow '${name}'`));
      }
      forEachExpression(a[key], [...path, key], (text, at) => {
        let tree: Node;
        try {
          tree = parseExpression(text);
        } catch {
          return; // the microflow compiler reports syntax errors with their column
        }
        for (const c of constants(tree)) {
          const def = model.constants.get(c.name);
          if (def && (!def.exposedToClient || def.type === 'DateTime')) {
            const pos = file.locateInside(at, c.start);
            out.push({
              severity: 'error',
              file: file.relPath,
              line: pos.line,
              column: pos.column,
              path: at.join('.'),
              message: `@${c.name} is not available in the browser: ${def.type === 'DateTime' ? 'a DateTime constant' : 'expose it to the client (exposedToClient: true)'}, or call a microflow`,
            });
          }
        }
        for (const v of variables(tree))
          if (v.name === 'latestError') {
            const pos = file.locateInside(at, v.start);
            out.push({
              severity: 'error',
              file: file.relPath,
              line: pos.line,
              column: pos.column,
              path: at.join('.'),
              message: '$latestError is not available in a nanoflow yet: the handler runs without the error',
            });
          }
        for (const call of calls(tree)) {
          if (!CLIENT_FUNCTIONS.has(call.name)) {
            const pos = file.locateInside(at, call.start);
            out.push({
              severity: 'error',
              file: file.relPath,
              line: pos.line,
              column: pos.column,
              path: at.join('.'),
              message: `${call.name}() is not evaluated in the browser: use ${[...CLIENT_FUNCTIONS].join(', ')}, or call a microflow`,
            });
          }
        }
      });
    }
    // Types, variables and members, as a microflow's.
    const c = new MicroflowCompiler({ model, query }, asMicroflow(model, nf));
    c.compile();
    out.push(...c.diagnostics);
  }
}

/**
 * A retrieve in the browser: from the database the server runs the model's XPath and the
 * browser sends its variables' values (an object as its id), so a variable's member
 * (`$Order/Total`) cannot be used; by association, a self-association is not supported yet.
 */
function retrieveRules(model: CompiledModel, module: string, d: unknown, at: Path, file: CNanoflow['source']['file'], out: Diagnostic[]): void {
  if (!d || typeof d !== 'object') return;
  const r = d as { from?: unknown; xpath?: unknown };
  if (typeof r.xpath === 'string')
    for (const v of xpathVariables(r.xpath))
      if (v.path)
        out.push(
          file.diagnostic(
            [...at, 'xpath'],
            `$${v.name}/... cannot be used in a nanoflow's XPath: the browser sends $${v.name} as it is (an object as its id); put the member in a variable first`,
          ),
        );
  const assoc = typeof r.from === 'string' ? /^\$\w+\/(.+)$/.exec(r.from.trim()) : null;
  const association = assoc ? model.associations.get(qualify(assoc[1]!.trim(), module)) : undefined;
  if (association && association.parent === association.child)
    out.push(file.diagnostic([...at, 'from'], `retrieving over the self-association ${association.name} in a nanoflow is not supported yet: call a microflow`));
}

/** The type of what a called nanoflow returns, its entity names qualified in the callee's module (String when it returns nothing). */
function resultType(model: CompiledModel, module: string, name: string): string {
  const callee = model.nanoflows.get(qualify(name, module))!;
  const returns = typeof callee.def.returns === 'string' ? callee.def.returns.trim() : '';
  const list = /^List of (.+)$/.exec(returns);
  const inner = list ? list[1]!.trim() : returns;
  const entity = model.entities.has(qualify(inner, callee.module)) ? qualify(inner, callee.module) : undefined;
  if (!returns || returns === 'Nothing') return 'String';
  return entity ? (list ? `List of ${entity}` : entity) : returns;
}

/** The nanoflow as the microflow compiler checks it: client-only activities become a harmless placeholder at the same index. */
function asMicroflow(model: CompiledModel, nf: CNanoflow): CMicroflow {
  const placeholder = { log: { message: '' } };
  const strip = (body: unknown): unknown =>
    Array.isArray(body)
      ? body.map((a) => {
          if (!a || typeof a !== 'object') return a;
          const act = a as Record<string, unknown>;
          // An error handler's activities are checked as the microflow's are.
          const onError = act.onError as Record<string, unknown> | string | undefined;
          const handler = onError && typeof onError === 'object' ? Object.fromEntries(Object.entries(onError).map(([k, b]) => [k, strip(b)])) : onError;
          const guarded = handler !== undefined ? { onError: handler } : {};
          if ('closePage' in act || 'showPage' in act) return { ...placeholder, ...guarded };
          if ('call' in act && callsNanoflow(model, nf.module, (act.call as { microflow?: unknown }).microflow)) {
            const into = (act.call as { into?: unknown }).into;
            // The result is a variable of the called nanoflow's return type, so its uses are checked as any variable's.
            return typeof into === 'string'
              ? { createVariable: { name: into, type: resultType(model, nf.module, (act.call as { microflow: string }).microflow) }, ...guarded }
              : { ...placeholder, ...guarded };
          }
          const key = Object.keys(act).find((k) => k !== 'caption' && k !== 'onError');
          const d = key ? act[key] : undefined;
          if (!key || !d || typeof d !== 'object' || Array.isArray(d)) return { ...act, ...guarded };
          const inner: Record<string, unknown> = { ...(d as Record<string, unknown>) };
          for (const k of ['then', 'else', 'body']) if (k in inner) inner[k] = strip(inner[k]);
          if (inner.cases && typeof inner.cases === 'object')
            inner.cases = Object.fromEntries(Object.entries(inner.cases as Record<string, unknown>).map(([c, b]) => [c, strip(b)]));
          return { ...act, [key]: inner, ...guarded };
        })
      : body;
  const def = { parameters: nf.def.parameters, returns: nf.def.returns, body: strip(nf.def.body) } as MicroflowFile;
  return { name: nf.name, module: nf.module, shortName: nf.shortName, def, allowedRoles: [], source: nf.source };
}

/** Expression texts of an activity's definition (conditions, values, arguments, template parameters), with their paths. */
function forEachExpression(d: unknown, path: Path, fn: (text: string, at: Path) => void): void {
  if (typeof d === 'string') fn(d, path); // return
  if (!d || typeof d !== 'object') return;
  const o = d as Record<string, unknown>;
  for (const k of ['if', 'on', 'condition', 'value', 'expression', 'initial', 'offset', 'amount'] as const)
    if (typeof o[k] === 'string') fn(o[k] as string, [...path, k]);
  if (o.range && typeof o.range === 'object') forEachExpression(o.range, [...path, 'range'], fn);
  for (const k of ['set', 'with'] as const)
    if (o[k] && typeof o[k] === 'object')
      for (const [m, v] of Object.entries(o[k] as Record<string, unknown>)) if (typeof v === 'string') fn(v, [...path, k, m]);
  if (Array.isArray(o.params)) for (const [i, v] of o.params.entries()) if (typeof v === 'string') fn(v, [...path, 'params', i]);
}

/** Every node of an expression tree, depth first. */
function* nodes(n: Node): Generator<Node> {
  yield n;
  switch (n.kind) {
    case 'call':
      for (const a of n.args) yield* nodes(a);
      return;
    case 'unary':
      yield* nodes(n.operand);
      return;
    case 'binary':
      yield* nodes(n.left);
      yield* nodes(n.right);
      return;
    case 'if':
      yield* nodes(n.cond);
      yield* nodes(n.then);
      yield* nodes(n.else);
      return;
    default:
      return;
  }
}

function* constants(n: Node): Generator<{ name: string; start: number }> {
  for (const x of nodes(n)) if (x.kind === 'constant') yield { name: x.name, start: x.start };
}

function* variables(n: Node): Generator<{ name: string; start: number }> {
  for (const x of nodes(n)) if (x.kind === 'variable') yield { name: x.name, start: x.start };
}

function* calls(n: Node): Generator<{ name: string; start: number }> {
  for (const x of nodes(n)) if (x.kind === 'call') yield { name: x.name, start: x.start };
}
