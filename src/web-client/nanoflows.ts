import type { CNanoflow, CompiledModel } from '../model/compiled/types.js';
import { qualify } from '../model/compiled/compile-domain.js';
import { parseExpression } from '../logic/expressions/parser.js';
import type { ListOperationName, NanoflowPlan, PlanExpr, PlanStep, PlanType } from './nanoflow-plan.js';
import { nanoflowRetrieves, type NanoflowRetrieve } from '../model/compiled/nanoflow-retrieves.js';
import { translate } from '../model/text.js';

type Path = (string | number)[];

/**
 * Builds the plan the browser runs for a nanoflow (`kiln check` has checked it:
 * src/logic/nanoflow-check.ts): expressions parsed into syntax trees, names
 * qualified, member types looked up, and each microflow call given the runtime
 * operation the user may run (none: the step tells the user they may not).
 */
export function buildNanoflowPlan(
  model: CompiledModel,
  nf: CNanoflow,
  microflowOperation: (microflow: string) => string | undefined,
  createOperation: (entity: string) => string | undefined,
  jsActionUrl: (action: string) => string | undefined = () => undefined,
  retrieveOperation: (nanoflow: string, r: NanoflowRetrieve) => string | undefined = () => undefined,
  /** The page's language: messages given per language are sent in it. */
  language?: string,
  /** The page's commit operation for its nanoflows (absent: the user may not commit). */
  commitOperation: () => string | undefined = () => undefined,
): NanoflowPlan {
  const vars = new Map<string, string>(); // variable -> type text (entity, "List of E", primitive)
  const parameters = Object.entries(nf.def.parameters ?? {}).map(([name, type]) => {
    const t = type.trim();
    vars.set(name, t.includes('.') && !t.startsWith('List of') ? qualify(t, nf.module) : t);
    return { name, type: vars.get(name)! };
  });
  const expr = (v: unknown): PlanExpr => withConstants(model, parseExpression(typeof v === 'string' ? v : String(v)));
  const name = (ref: unknown) => String(ref ?? '').replace(/^\$/, '');
  const entityOf = (variable: string) => {
    const t = vars.get(variable) ?? '';
    return model.entities.get(t.replace(/^List of\s+/i, '').trim());
  };
  const typeOf = (t: string | undefined): PlanType => {
    if (!t) return 'Unknown';
    if (/^List of/i.test(t)) return 'List';
    if (model.entities.has(t)) return 'Object';
    if (model.enumerations.has(t)) return 'Enumeration';
    return PRIMITIVES.find((x) => x === t && x !== 'Enumeration') ?? 'Unknown';
  };
  const message = (m: unknown) => translate(m, language, model.app.languages?.[0]) ?? String(m);
  const templateParams = (params: unknown) => (Array.isArray(params) ? params.map(expr) : []);
  const members = (entityName: string, set: unknown) => {
    const entity = model.entities.get(entityName);
    return Object.entries((set ?? {}) as Record<string, unknown>).map(([member, v]) => {
      const attr = entity?.attributes.get(member);
      const t = attr?.type === 'AutoNumber' ? 'Long' : attr?.type;
      const type: PlanType = !attr ? 'Object' : (PRIMITIVES.find((x) => x === t) ?? 'Unknown');
      return { member, type, expr: expr(v) };
    });
  };

  const commit = (objects: string[]): PlanStep => {
    const op = commitOperation();
    return { kind: 'commit', objects, ...(op ? { operationId: op } : {}) };
  };
  const retrieves = new Map(nanoflowRetrieves(model, nf).map((r) => [r.at, r]));
  const block = (body: unknown, at: Path): PlanStep[] => (Array.isArray(body) ? body.flatMap((a, i) => step(a as Record<string, unknown>, [...at, i])) : []);
  const step = (a: Record<string, unknown>, path: Path): PlanStep[] => {
    const onError = a.onError as Record<string, unknown> | string | undefined;
    const steps = bare(a, path);
    if (onError === 'continue') return [{ kind: 'guarded', steps, onError: 'continue' }];
    if (onError && typeof onError === 'object' && Array.isArray(onError.customWithoutRollback))
      return [{ kind: 'guarded', steps, onError: block(onError.customWithoutRollback, [...path, 'onError', 'customWithoutRollback']) }];
    return steps;
  };
  const bare = (a: Record<string, unknown>, path: Path): PlanStep[] => {
    const key = Object.keys(a).find((k) => k !== 'caption' && k !== 'onError');
    const d = (key ? a[key] : undefined) as Record<string, unknown>;
    switch (key) {
      case 'create': {
        const entity = qualify(String(d.entity), nf.module);
        vars.set(String(d.into), entity);
        const op = createOperation(entity);
        return [
          { kind: 'create', entity, ...(op ? { operationId: op } : {}), set: members(entity, d.set), into: String(d.into) },
          ...(d.commit ? [commit([String(d.into)])] : []),
        ];
      }
      case 'change':
        return [
          { kind: 'change', object: name(d.object), set: members(entityOf(name(d.object))?.name ?? '', d.set) },
          ...(d.commit ? [commit([name(d.object)])] : []),
        ];
      case 'commit': {
        const objects = typeof d === 'object' && d !== null && 'objects' in d ? d.objects : d;
        return [commit([name(objects)])];
      }
      case 'decision':
        if (d.on !== undefined) {
          const cases: Record<string, readonly PlanStep[]> = {};
          for (const [k, b] of Object.entries((d.cases ?? {}) as Record<string, unknown>)) cases[k] = block(b, [...path, 'decision', 'cases', k]);
          return [{ kind: 'switch', on: expr(d.on), cases }];
        }
        return [
          { kind: 'decision', cond: expr(d.if), ifTrue: block(d.then, [...path, 'decision', 'then']), ifFalse: block(d.else, [...path, 'decision', 'else']) },
        ];
      case 'loop':
        vars.set(String(d.as), (vars.get(name(d.over)) ?? '').replace(/^List of\s+/i, '').trim());
        return [{ kind: 'loop', over: name(d.over), as: String(d.as), body: block(d.body, [...path, 'loop', 'body']) }];
      case 'while':
        return [{ kind: 'while', cond: expr(d.condition), body: block(d.body, [...path, 'while', 'body']) }];
      case 'break':
        return [{ kind: 'break' }];
      case 'continue':
        return [{ kind: 'continue' }];
      case 'createVariable': {
        const t = String(d.type).trim();
        vars.set(String(d.name), t.includes('.') ? qualify(t, nf.module) : t);
        return [
          { kind: 'setVariable', name: String(d.name), type: typeOf(vars.get(String(d.name))), ...(d.value !== undefined ? { expr: expr(d.value) } : {}) },
        ];
      }
      case 'changeVariable':
        return [{ kind: 'setVariable', name: String(d.name), type: typeOf(vars.get(String(d.name))), expr: expr(d.value) }];
      case 'showMessage': {
        const type = d.type === 'warning' || d.type === 'error' ? d.type : 'info';
        return [{ kind: 'showMessage', type, template: message(d.message), params: templateParams(d.params) }];
      }
      case 'validationFeedback':
        return [
          { kind: 'validationFeedback', object: name(d.object), member: String(d.member), template: message(d.message), params: templateParams(d.params) },
        ];
      case 'call': {
        const target = qualify(String(d.microflow), nf.module);
        const into = typeof d.into === 'string' ? { into: d.into } : {};
        const withArgs = Object.entries((d.with ?? {}) as Record<string, unknown>);
        const mf = model.microflows.get(target);
        if (mf) {
          const ret = mf.def.returns?.trim();
          if (typeof d.into === 'string' && ret) vars.set(d.into, ret.includes('.') ? qualify(ret, mf.module) : ret);
          const args = withArgs.map(([p, v]) => {
            const ptype = mf.def.parameters?.[p]?.trim() ?? '';
            const isObject = model.entities.has(qualify(ptype, mf.module));
            return isObject && typeof v === 'string' && /^\$\w+$/.test(v.trim()) ? { name: p, object: name(v.trim()) } : { name: p, expr: expr(v) };
          });
          const op = microflowOperation(target);
          return [{ kind: 'callMicroflow', microflow: target, ...(op ? { operationId: op } : {}), args, ...into }];
        }
        const callee = model.nanoflows.get(target);
        const ret = callee?.def.returns?.trim();
        // The result's type, as for a microflow's: a change or call after it needs to know its entity.
        if (typeof d.into === 'string' && callee && ret) {
          const inner = ret.replace(/^List of\s+/i, '').trim();
          const q = inner.includes('.') || model.entities.has(qualify(inner, callee.module)) ? qualify(inner, callee.module) : inner;
          vars.set(d.into, ret === inner ? q : `List of ${q}`);
        }
        return [{ kind: 'callNanoflow', nanoflow: target, args: withArgs.map(([p, v]) => ({ name: p, expr: expr(v) })), ...into }];
      }
      case 'action': {
        const action = String(d.name).includes('.') ? String(d.name) : `${nf.module}.${String(d.name)}`;
        const returns = typeof d.returns === 'string' ? d.returns.trim() : '';
        if (typeof d.into === 'string' && returns) vars.set(d.into, returns.includes('.') ? qualify(returns, nf.module) : returns);
        const args = Object.entries((d.with ?? {}) as Record<string, unknown>).map(([p, v]) =>
          typeof v === 'string' && /^\$\w+$/.test(v.trim()) && typeOf(vars.get(name(v.trim()))) === 'Object'
            ? { name: p, object: name(v.trim()) }
            : { name: p, expr: expr(v) },
        );
        const url = jsActionUrl(action);
        return [
          {
            kind: 'jsAction',
            action,
            ...(url ? { url } : {}),
            args,
            ...(typeof d.into === 'string' ? { into: d.into } : {}),
            returns: typeOf(returns ? vars.get(String(d.into)) : undefined),
          },
        ];
      }
      case 'retrieve': {
        const r = retrieves.get(path.join('.'));
        if (!r) return [];
        const range = d.range;
        const first = range === 'first' || (r.association?.fromOwner === true && model.associations.get(r.association.name)?.type === 'Reference');
        vars.set(String(d.into), first ? r.entity : `List of ${r.entity}`);
        const op = retrieveOperation(nf.name, r);
        const bounds = range && typeof range === 'object' ? (range as { offset?: unknown; amount?: unknown }) : {};
        return [
          {
            kind: 'retrieve',
            entity: r.entity,
            ...(op ? { operationId: op } : {}),
            variables: r.variables,
            ...(r.association ? { association: { ...r.association, single: first } } : {}),
            first,
            ...(bounds.offset !== undefined ? { offset: expr(bounds.offset) } : {}),
            ...(bounds.amount !== undefined ? { amount: expr(bounds.amount) } : {}),
            into: String(d.into),
          },
        ];
      }
      case 'aggregate': {
        const fn = d.function as Extract<PlanStep, { kind: 'aggregate' }>['fn'];
        return [
          {
            kind: 'aggregate',
            list: name(d.list),
            fn,
            ...(typeof d.attribute === 'string' ? { attribute: d.attribute } : {}),
            ...(d.expression !== undefined ? { expr: expr(d.expression) } : {}),
            ...(d.initial !== undefined ? { initial: expr(d.initial) } : {}),
            into: String(d.into),
          },
        ];
      }
      case 'listOperation': {
        const op = d.operation as ListOperationName;
        const list = name(d.list);
        const single = op === 'find' || op === 'findByExpression' || op === 'head';
        const boolean = op === 'contains' || op === 'equals';
        if (!boolean) vars.set(String(d.into), single ? (vars.get(list) ?? '').replace(/^List of\s+/i, '') : (vars.get(list) ?? ''));
        const sort = Array.isArray(d.sort)
          ? d.sort.map((x) => {
              const [attribute, dir] = String(x).trim().split(/\s+/);
              return { attribute: attribute!, descending: /^desc/i.test(dir ?? '') };
            })
          : undefined;
        return [
          {
            kind: 'listOperation',
            op,
            list,
            ...(typeof d.other === 'string' ? { other: name(d.other.trim()) } : {}),
            ...(typeof d.attribute === 'string' ? { attribute: d.attribute } : {}),
            ...(d.value !== undefined ? { value: expr(d.value) } : {}),
            ...(d.expression !== undefined ? { expr: expr(d.expression) } : {}),
            ...(sort ? { sort } : {}),
            ...(d.offset !== undefined ? { offset: expr(d.offset) } : {}),
            ...(d.amount !== undefined ? { amount: expr(d.amount) } : {}),
            into: String(d.into),
          },
        ];
      }
      case 'changeList':
        return [
          {
            kind: 'changeList',
            list: name(d.list),
            op: d.operation as 'add' | 'remove' | 'clear' | 'replace',
            ...(d.value !== undefined ? { value: expr(d.value) } : {}),
          },
        ];
      case 'createList':
        vars.set(String(d.into), `List of ${qualify(String(d.entity), nf.module)}`);
        return [{ kind: 'createList', into: String(d.into) }];
      case 'closePage':
        return [{ kind: 'closePage' }];
      case 'showPage': {
        const object = typeof d.object === 'string' ? { object: name(d.object) } : {};
        return [{ kind: 'showPage', page: qualify(String(d.page), nf.module), ...object }];
      }
      case 'return':
        return [{ kind: 'return', ...(a.return !== null && a.return !== undefined ? { expr: expr(a.return) } : {}) }];
      default:
        // kiln check refuses every other activity in a nanoflow: a model with one does not start.
        return [];
    }
  };
  return { name: nf.name, parameters, body: block(nf.def.body, ['body']) };
}

const PRIMITIVES = ['String', 'Integer', 'Long', 'Decimal', 'Boolean', 'DateTime', 'Enumeration'] as const;

/** The nanoflows reachable from these (through `call`), by qualified name. */
export function reachableNanoflows(model: CompiledModel, roots: Iterable<string>): CNanoflow[] {
  const out = new Map<string, CNanoflow>();
  const visit = (q: string) => {
    const nf = model.nanoflows.get(q);
    if (!nf || out.has(q)) return;
    out.set(q, nf);
    const walk = (body: unknown) => {
      if (!Array.isArray(body)) return;
      for (const a of body) {
        if (!a || typeof a !== 'object') continue;
        for (const [k, d] of Object.entries(a as Record<string, unknown>)) {
          if (!d || typeof d !== 'object') continue;
          const o = d as Record<string, unknown>;
          if (k === 'call' && typeof o.microflow === 'string') visit(qualify(o.microflow, nf.module));
          for (const b of [o.then, o.else, o.body, ...Object.values((o.cases ?? {}) as Record<string, unknown>)]) walk(b);
        }
      }
    };
    walk(nf.def.body);
  };
  for (const r of roots) visit(r);
  return [...out.values()];
}

/**
 * Constants exposed to the client become literals of the plan (the browser has no model);
 * kiln check refuses the others in nanoflows, and a DateTime constant stays a constant
 * (the browser refuses it when it runs).
 */
function withConstants(model: CompiledModel, n: PlanExpr): PlanExpr {
  switch (n.kind) {
    case 'constant': {
      const c = model.constants.get(n.name);
      if (!c?.exposedToClient || c.type === 'DateTime') return n;
      const at = { start: n.start, end: n.end };
      if (c.value === null) return { kind: 'literal', valueKind: 'Empty', text: 'empty', ...at };
      const valueKind = c.type === 'String' ? 'String' : c.type === 'Boolean' ? 'Boolean' : c.type === 'Decimal' ? 'Decimal' : 'Integer';
      return { kind: 'literal', valueKind, text: String(c.value), ...at };
    }
    case 'call':
      return { ...n, args: n.args.map((a) => withConstants(model, a)) };
    case 'unary':
      return { ...n, operand: withConstants(model, n.operand) };
    case 'binary':
      return { ...n, left: withConstants(model, n.left), right: withConstants(model, n.right) };
    case 'if':
      // biome-ignore lint/suspicious/noThenProperty: the expression tree's if-node branch, never awaited
      return { ...n, cond: withConstants(model, n.cond), then: withConstants(model, n.then), else: withConstants(model, n.else) };
    default:
      return n;
  }
}
