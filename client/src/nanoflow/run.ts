import type { ClientPage } from '../../../src/web-client/page-definition';
import type { NanoflowPlan, PlanStep } from '../../../src/web-client/nanoflow-plan';
import { Decimal } from 'decimal.js';
import type { Guid, WireValidation, WireValue } from '../api/types';
import { guidsOf } from '../api/operations';
import { validationsOf } from '../api/xas';
import type { AppServices } from '../app/context';
import { evaluate, isList, isObject, NanoflowError, text, toWire, type EvalEnv, type NfValue } from './evaluate';
import { aggregate, changeList, listOperation } from './lists';
import { retrieve } from './retrieve';

/**
 * Runs a nanoflow's plan in the browser: object changes go into the object store as
 * the user's own edits would (the server sees them with the next save), decisions and
 * loops run here, a microflow call is the page's runtime operation, messages and
 * validation feedback appear as the server's do, and closePage/showPage act on the
 * page the nanoflow was started from.
 */
export interface NanoflowTarget {
  readonly page: ClientPage;
  /** Object parameters by name. */
  readonly args: Readonly<Record<string, Guid>>;
  readonly close: () => void;
  readonly onValidation?: (v: readonly WireValidation[]) => void;
}

const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');
type Signal = typeof BREAK | typeof CONTINUE | { readonly returned: NfValue } | undefined;

/** Loops stop here: a nanoflow runs on the page's thread and must not hang it. */
const MAX_ITERATIONS = 100000;

export async function runNanoflow(app: AppServices, name: string, t: NanoflowTarget): Promise<NfValue> {
  return run(app, name, t, new Map(Object.entries(t.args).map(([k, g]) => [k, { guid: g }])), 0);
}

async function run(app: AppServices, name: string, t: NanoflowTarget, vars: Map<string, NfValue>, depth: number): Promise<NfValue> {
  const plan: NanoflowPlan | undefined = t.page.nanoflows?.[name];
  if (!plan) throw new NanoflowError(`the nanoflow ${name} is not available on this page`);
  if (depth > 50) throw new NanoflowError(`${name}: nanoflows call each other too deeply`);
  for (const p of plan.parameters) if (!vars.has(p.name)) vars.set(p.name, null);
  const env: EvalEnv = { store: app.store, page: t.page, vars };
  const feedback: WireValidation[] = [];
  const signal = await block(plan.body);
  if (feedback.length) {
    if (t.onValidation) t.onValidation(feedback);
    else app.showMessage(feedback.map((f) => f.message).join('\n'), 'warning');
  }
  return typeof signal === 'object' ? signal.returned : null;

  async function block(steps: readonly PlanStep[]): Promise<Signal> {
    for (const s of steps) {
      const sig = await step(s);
      if (sig !== undefined) return sig;
    }
    return undefined;
  }

  function objectVar(v: string): Guid {
    const o = vars.get(v);
    if (!isObject(o)) throw new NanoflowError(`$${v} is empty or not an object`);
    return o.guid;
  }

  function fill(template: string, params: readonly NfValue[]): string {
    return template.replace(/\{(\d+)\}/g, (m, i: string) => (Number(i) >= 1 && Number(i) <= params.length ? text(params[Number(i) - 1]!) : m));
  }

  function handle(guid: Guid): ObjectHandle {
    return {
      guid,
      entity: app.store.objectType(guid),
      get: (member) => app.store.get(guid, member),
      set: (member, value) => app.store.set(guid, member, value),
    };
  }

  async function step(s: PlanStep): Promise<Signal> {
    switch (s.kind) {
      case 'change': {
        const guid = objectVar(s.object);
        // Every value first, then the changes: an expression sees the object as it was.
        const values = s.set.map((m) => [m.member, toWire(evaluate(m.expr, env), m.type)] as const);
        for (const [member, v] of values) app.store.set(guid, member, v);
        return undefined;
      }
      case 'create': {
        if (!s.operationId) throw new NanoflowError(`You may not create ${s.entity}.`);
        // The server hands out the id and signs the new object; its members are then the client's changes.
        const guid = await app.ops.create(s.operationId);
        vars.set(s.into, { guid });
        const values = s.set.map((m) => [m.member, toWire(evaluate(m.expr, env), m.type)] as const);
        for (const [member, v] of values) app.store.set(guid, member, v);
        return undefined;
      }
      case 'decision':
        return block(evaluate(s.cond, env) === true ? s.ifTrue : s.ifFalse);
      case 'switch': {
        const v = evaluate(s.on, env);
        return block(s.cases[v === null ? 'empty' : text(v)] ?? s.cases.default ?? []);
      }
      case 'loop': {
        const list = vars.get(s.over);
        if (!isList(list)) return undefined;
        for (const g of list.guids) {
          vars.set(s.as, { guid: g });
          const sig = await block(s.body);
          if (sig === BREAK) break;
          if (typeof sig === 'object') return sig;
        }
        return undefined;
      }
      case 'while': {
        for (let i = 0; evaluate(s.cond, env) === true; i++) {
          if (i >= MAX_ITERATIONS) throw new NanoflowError(`${name}: a while loop ran ${MAX_ITERATIONS} times`);
          const sig = await block(s.body);
          if (sig === BREAK) break;
          if (typeof sig === 'object') return sig;
        }
        return undefined;
      }
      case 'commit': {
        if (!s.operationId) throw new NanoflowError('You may not save these changes.');
        const guids: Guid[] = [];
        for (const v of s.objects) {
          const value = vars.get(v);
          if (isObject(value)) guids.push(value.guid);
          else if (isList(value)) guids.push(...value.guids);
        }
        if (guids.length === 0) return undefined;
        // As a save button: the server commits the objects with the user's changes (and checks their rights and rules).
        await app.ops.commit(s.operationId, guids);
        return undefined;
      }
      case 'guarded':
        try {
          return await block(s.steps);
        } catch {
          // As Mendix's custom-without-rollback and continue: the error ends here; a handler runs, then the nanoflow goes on.
          return s.onError === 'continue' ? undefined : block(s.onError);
        }
      case 'break':
        return BREAK;
      case 'continue':
        return CONTINUE;
      case 'setVariable':
        vars.set(s.name, s.expr ? evaluate(s.expr, env) : null);
        return undefined;
      case 'showMessage':
        app.showMessage(
          fill(
            s.template,
            s.params.map((p) => evaluate(p, env)),
          ),
          s.type,
        );
        return undefined;
      case 'validationFeedback':
        feedback.push({
          guid: objectVar(s.object),
          member: s.member,
          message: fill(
            s.template,
            s.params.map((p) => evaluate(p, env)),
          ),
        });
        return undefined;
      case 'callMicroflow': {
        if (!s.operationId) throw new NanoflowError(`You may not run ${s.microflow}.`);
        const params: Record<string, Guid> = {};
        for (const a of s.args) if (a.object) params[a.name] = objectVar(a.object);
        const res = await app.ops.callMicroflow(s.operationId, params);
        const fb = validationsOf(res);
        if (fb.length) feedback.push(...fb);
        for (const ins of res.instructions ?? []) {
          const msg = ins.type === 'text_message' ? ins.args?.message : undefined;
          if (msg) app.showMessage(msg, ins.args?.type === 'error' ? 'error' : ins.args?.type === 'warning' ? 'warning' : 'info');
        }
        app.store.refresh(['*']);
        if (s.into) {
          const r = res.actionResult as { type?: string; value?: unknown } | undefined;
          const guids = guidsOf(r);
          vars.set(
            s.into,
            r?.type === 'ObjectReferenceSet'
              ? { guids: guids ?? [] }
              : r?.type === 'ObjectReference'
                ? guids?.[0]
                  ? { guid: guids[0] }
                  : null
                : r?.value === null || r?.value === undefined
                  ? null
                  : typeof r.value === 'boolean'
                    ? r.value
                    : String(r.value),
          );
        }
        return undefined;
      }
      case 'callNanoflow': {
        const inner = new Map<string, NfValue>(s.args.map((a) => [a.name, evaluate(a.expr, env)]));
        const result = await run(app, s.nanoflow, t, inner, depth + 1);
        if (s.into) vars.set(s.into, result);
        return undefined;
      }
      case 'jsAction': {
        if (!s.url) throw new NanoflowError(`the JavaScript action ${s.action} is not loaded`);
        const args: Record<string, unknown> = {};
        for (const a of s.args) args[a.name] = a.object ? handle(objectVar(a.object)) : toJs(a.expr ? evaluate(a.expr, env) : null);
        // The action's module, compiled at start-up, from the same origin (the page's CSP allows nothing else).
        const mod = (await import(/* @vite-ignore */ s.url)) as { default?: unknown };
        if (typeof mod.default !== 'function') throw new NanoflowError(`the JavaScript action ${s.action} has no default export function`);
        const result: unknown = await (mod.default as (args: Record<string, unknown>) => unknown)(args);
        if (s.into) vars.set(s.into, fromJs(result));
        return undefined;
      }
      case 'retrieve':
        vars.set(s.into, await retrieve(app, s, env));
        return undefined;
      case 'aggregate':
        vars.set(s.into, aggregate(s, env));
        return undefined;
      case 'listOperation':
        vars.set(s.into, listOperation(s, env));
        return undefined;
      case 'changeList':
        changeList(s, env);
        return undefined;
      case 'createList':
        vars.set(s.into, { guids: [] });
        return undefined;
      case 'closePage':
        t.close();
        return undefined;
      case 'showPage': {
        const def = await app.loadPage(s.page);
        const param = Object.keys(def.parameters)[0];
        app.openPage(s.page, s.object && param ? { params: { [param]: objectVar(s.object) } } : {});
        return undefined;
      }
      case 'return':
        return { returned: s.expr ? evaluate(s.expr, env) : null };
    }
  }
}

/** An object as a JavaScript action sees it: its guid, and its members through the object store (changes are the user's edits). */
export interface ObjectHandle {
  readonly guid: Guid;
  readonly entity: string | undefined;
  get(member: string): WireValue | undefined;
  set(member: string, value: WireValue): void;
}

function toJs(v: NfValue): unknown {
  if (isObject(v)) return { guid: v.guid };
  if (isList(v)) return v.guids.map((guid) => ({ guid }));
  return v; // strings, Booleans, Dates, decimal.js Decimals, null
}

function fromJs(v: unknown): NfValue {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return new Decimal(v);
  if (typeof v === 'string' || typeof v === 'boolean' || v instanceof Date || v instanceof Decimal) return v;
  if (Array.isArray(v)) return { guids: v.map((x) => String((x as { guid?: unknown }).guid ?? x)) };
  if (typeof v === 'object' && typeof (v as { guid?: unknown }).guid === 'string') return { guid: (v as { guid: string }).guid };
  return String(v);
}
