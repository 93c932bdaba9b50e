import type { Diagnostic } from '../../model/diagnostics.js';
import { pathToString } from '../../model/diagnostics.js';
import type { CEntity, CMicroflow, CompiledModel } from '../../model/compiled/types.js';
import type { SourceFile } from '../../model/load/source-file.js';
import { ACTIVITY_KEYS, type ActivityDef, type ActivityKey } from '../../model/schema/microflow.js';
import { compileExpression, type CompiledExpression, type PrefetchPath, type Scope, type VarInfo } from '../expressions/compile.js';
import type { Value } from '../expressions/runtime.js';
import { parseTypeName, T, typeToString, type XType } from '../expressions/types.js';
import { compileActivity } from './activities/index.js';
import { block, type Block, type CompiledMicroflow, type ErrorHandler, type Signal, type Step } from './compiled.js';
import type { ActionSignatures } from './host.js';
import type { QueryPort } from './ports.js';
import type { Run } from './run.js';

export type Path = readonly (string | number)[];

/** Block scope: variables declared in a branch or loop body are visible only inside it. */
export class VarScope implements Scope {
  private readonly vars = new Map<string, VarInfo>();
  constructor(
    private readonly parent: VarScope | undefined,
    private readonly root: MicroflowCompiler,
  ) {}
  lookup(name: string): VarInfo | undefined {
    return this.vars.get(name) ?? this.parent?.lookup(name) ?? (this.parent ? undefined : this.root.builtin(name));
  }
  declare(name: string, type: XType): VarInfo | string {
    if (this.lookup(name)) return `variable $${name} already exists`;
    const v = { slot: this.root.newSlot(), type };
    this.vars.set(name, v);
    return v;
  }
  child(): VarScope {
    return new VarScope(this, this.root);
  }
  /** A scope with one extra variable that shadows nothing (e.g. $currentObject, $latestError). */
  with(name: string, type: XType): { scope: VarScope; slot: number } {
    const s = new VarScope(this, this.root);
    const slot = this.root.newSlot();
    s.vars.set(name, { slot, type });
    return { scope: s, slot };
  }
}

export interface CompileContext {
  readonly model: CompiledModel;
  /** Prepares database retrieves; absent when only checking. */
  readonly query?: QueryPort;
  /** TypeScript actions found in the app; absent = unknown (not checked). */
  readonly actions?: ActionSignatures;
}

/** An expression ready inside a step: sync unless it follows associations (then the step prefetches). */
export interface StepExpr {
  readonly type: XType;
  readonly evaluate: (r: Run) => Value;
  readonly prefetch: readonly PrefetchPath[];
}

/** State while compiling the activities of one block. */
export interface BlockState {
  readonly scope: VarScope;
  readonly loopDepth: number;
  /** Slot of $latestError when inside an error handler. */
  readonly errorSlot?: number;
  /** Set for a loop whose `onError` is `continue`: each iteration runs in a savepoint (read by loop/while only). */
  readonly continueOnError?: boolean;
}

export class MicroflowCompiler {
  readonly diagnostics: Diagnostic[] = [];
  private slots = 0;
  currentUserSlot: number | undefined;
  currentSessionSlot: number | undefined;
  readonly file: SourceFile;
  readonly returnType: XType;

  constructor(
    readonly cc: CompileContext,
    readonly mf: CMicroflow,
  ) {
    this.file = mf.source.file;
    const rt = mf.def.returns ? parseTypeName(cc.model, mf.def.returns, mf.module) : T.Nothing;
    if (typeof rt === 'string') {
      this.error(['returns'], rt);
      this.returnType = T.Unknown;
    } else this.returnType = rt;
  }

  get model(): CompiledModel {
    return this.cc.model;
  }
  get module(): string {
    return this.mf.module;
  }
  newSlot(): number {
    return this.slots++;
  }
  get slotCount(): number {
    return this.slots;
  }

  private latestHttpResponseSlot: number | undefined;

  builtin(name: string): VarInfo | undefined {
    if (name === 'currentUser') {
      this.currentUserSlot ??= this.newSlot();
      return { slot: this.currentUserSlot, type: T.object('System.User') };
    }
    if (name === 'currentSession') {
      this.currentSessionSlot ??= this.newSlot();
      return { slot: this.currentSessionSlot, type: T.object('System.Session') };
    }
    if (name === 'latestHttpResponse') {
      // Mendix: the answer of the microflow's latest callRest (empty before one), in its error handler too.
      this.latestHttpResponseSlot ??= this.newSlot();
      return { slot: this.latestHttpResponseSlot, type: T.object('System.HttpResponse') };
    }
    return undefined;
  }

  error(path: Path, message: string): void {
    this.diagnostics.push(this.file.diagnostic(path, message));
  }

  /** An error at a character offset inside the text at `path` (expressions, XPath). */
  errorAt(path: Path, offset: number, message: string): void {
    const at = this.file.locateInside(path, Math.max(0, offset));
    this.diagnostics.push({ severity: 'error', file: this.file.relPath, line: at.line, column: at.column, path: pathToString(path), message });
  }

  /** Compiles an expression written at `path`; problems are reported at their column inside it. */
  expr(value: unknown, path: Path, scope: Scope, expected?: XType, what = 'expression'): StepExpr | undefined {
    if (value === undefined || value === null) {
      this.error(path, `missing ${what}`);
      return undefined;
    }
    const text = typeof value === 'string' ? value : String(value);
    const r = compileExpression(text, { model: this.model, module: this.module, scope }, expected);
    if (!r.ok) {
      for (const p of r.problems) {
        const at = typeof value === 'string' ? this.file.locateInside(path, p.start) : this.file.locate(path);
        this.diagnostics.push({
          severity: 'error',
          file: this.file.relPath,
          line: at.line,
          column: at.column,
          path: pathToString(path),
          message: `${what}: ${p.message}`,
        });
      }
      return undefined;
    }
    return stepExpr(r.expression);
  }

  /** A variable reference `$Name` in an activity field. */
  variable(ref: unknown, path: Path, scope: Scope, kinds: readonly XType['kind'][]): (VarInfo & { name: string }) | undefined {
    if (typeof ref !== 'string' || !ref.startsWith('$')) {
      this.error(path, 'expected a variable ($Name)');
      return undefined;
    }
    const name = ref.slice(1);
    const v = scope.lookup(name);
    if (!v) {
      this.error(path, `unknown variable ${ref}`);
      return undefined;
    }
    if (!kinds.includes(v.type.kind) && v.type.kind !== 'Unknown') {
      this.error(
        path,
        `${ref} is ${typeToString(v.type)}; expected ${kinds.map((k) => (k === 'List' ? 'a list' : k === 'Object' ? 'an object' : k)).join(' or ')}`,
      );
      return undefined;
    }
    return { ...v, name };
  }

  type(text: unknown, path: Path): XType | undefined {
    if (typeof text !== 'string') {
      this.error(path, 'expected a type name');
      return undefined;
    }
    const t = parseTypeName(this.model, text, this.module);
    if (typeof t === 'string') {
      this.error(path, t);
      return undefined;
    }
    return t;
  }

  entity(name: unknown, path: Path): CEntity | undefined {
    if (typeof name !== 'string') {
      this.error(path, 'expected an entity name');
      return undefined;
    }
    const q = name.includes('.') ? name : `${this.module}.${name}`;
    const e = this.model.entities.get(q);
    if (!e) {
      this.error(path, `unknown entity '${name}'`);
      return undefined;
    }
    return e;
  }

  declare(scope: VarScope, name: unknown, type: XType, path: Path): number | undefined {
    if (typeof name !== 'string') {
      this.error(path, 'expected a variable name');
      return undefined;
    }
    const v = scope.declare(name, type);
    if (typeof v === 'string') {
      this.error(path, v);
      return undefined;
    }
    return v.slot;
  }

  block(activities: unknown, path: Path, st: BlockState): Block {
    if (!Array.isArray(activities)) {
      this.error(path, 'expected a list of activities');
      return block([]);
    }
    const steps: Step[] = [];
    activities.forEach((a, i) => {
      const s = this.activity(a as ActivityDef, [...path, i], st);
      if (s) steps.push(s);
    });
    return block(steps);
  }

  private activity(a: ActivityDef, path: Path, st: BlockState): Step | undefined {
    if (!a || typeof a !== 'object') {
      this.error(path, 'an activity must be an object with one action key');
      return undefined;
    }
    const keys = Object.keys(a).filter((k) => k !== 'caption' && k !== 'onError');
    const actionKeys = keys.filter((k) => (ACTIVITY_KEYS as readonly string[]).includes(k));
    if (actionKeys.length !== 1) {
      this.error(
        path,
        actionKeys.length === 0
          ? `an activity needs one action key (${ACTIVITY_KEYS.join(', ')})`
          : `an activity has one action key, found ${actionKeys.join(', ')}`,
      );
      return undefined;
    }
    const key = actionKeys[0] as ActivityKey;
    const body = a[key];
    // On a loop, Mendix's `continue` means: undo the failed iteration and go on with the next one.
    const perIteration = (key === 'loop' || key === 'while') && a.onError === 'continue';
    const step = compileActivity(this, key, body as never, [...path, key], perIteration ? { ...st, continueOnError: true } : st);
    if (!step) {
      this.declareAfterError(body, st);
      return undefined;
    }
    const label = typeof a.caption === 'string' ? a.caption : `${key} (${pathToString(path)})`;
    if (perIteration) return { ...step, label, kind: key };
    const onError = a.onError === undefined ? undefined : this.errorHandler(a.onError, [...path, 'onError'], st);
    if (onError === undefined && a.onError !== undefined && a.onError !== 'rollback') return undefined;
    return { ...step, label, kind: key, ...(onError ? { onError } : {}) };
  }

  /**
   * An activity that failed to compile still declares its output variable (with
   * the Unknown type), so that its uses do not add follow-on errors.
   */
  private declareAfterError(body: unknown, st: BlockState): void {
    if (!body || typeof body !== 'object') return;
    const into = (body as Record<string, unknown>).into;
    if (typeof into === 'string' && /^[A-Za-z_]\w*$/.test(into) && !st.scope.lookup(into)) st.scope.declare(into, T.Unknown);
  }

  private errorHandler(h: unknown, path: Path, st: BlockState): ErrorHandler | undefined {
    if (h === 'rollback') return undefined;
    if (h === 'continue') return { mode: 'continue' };
    if (h && typeof h === 'object') {
      const rollback = 'customWithRollback' in h;
      const body = (h as Record<string, unknown>)[rollback ? 'customWithRollback' : 'customWithoutRollback'];
      const { scope, slot } = st.scope.with('latestError', T.object('System.Error'));
      const b = this.block(body, [...path, rollback ? 'customWithRollback' : 'customWithoutRollback'], { ...st, scope, errorSlot: slot });
      return { mode: 'custom', rollback, body: b, errorSlot: slot };
    }
    this.error(path, 'onError must be rollback, continue, { customWithRollback: [...] } or { customWithoutRollback: [...] }');
    return undefined;
  }

  compile(): CompiledMicroflow | undefined {
    const root = new VarScope(undefined, this);
    const params: { name: string; type: XType; slot: number }[] = [];
    for (const [name, typeText] of Object.entries(this.mf.def.parameters ?? {})) {
      // An unknown qualified parameter type is already reported by the model's reference check.
      const q = typeof typeText === 'string' ? typeText.replace(/^List of\s+/i, '').trim() : '';
      const reported = q.includes('.') && !this.model.entities.has(q) && !this.model.enumerations.has(q);
      const t = reported ? undefined : this.type(typeText, ['parameters', name]);
      const slot = this.declare(root, name, t ?? T.Unknown, ['parameters', name]);
      if (slot !== undefined) params.push({ name, type: t ?? T.Unknown, slot });
    }
    const body = this.block(this.mf.def.body, ['body'], { scope: root, loopDepth: 0 });
    if (this.returnType.kind !== 'Nothing' && this.returnType.kind !== 'Unknown' && !endsDefinitely(this.mf.def.body)) {
      this.error(['body'], `the microflow returns ${typeToString(this.returnType)}: every path must end with a return (or an error)`);
    }
    if (this.diagnostics.some((d) => d.severity === 'error')) return undefined;
    return {
      name: this.mf.name,
      module: this.mf.module,
      parameters: params,
      returnType: this.returnType,
      slotCount: this.slotCount,
      body,
      allowedRoles: this.mf.allowedRoles,
      applyEntityAccess: this.mf.def.applyEntityAccess ?? false,
      ...(this.currentUserSlot !== undefined ? { currentUserSlot: this.currentUserSlot } : {}),
      ...(this.currentSessionSlot !== undefined ? { currentSessionSlot: this.currentSessionSlot } : {}),
      source: this.mf.source,
    };
  }
}

/** Does a list of activities always end in return or error (so a value is always returned)? */
function endsDefinitely(body: unknown): boolean {
  if (!Array.isArray(body) || body.length === 0) return false;
  const last = body[body.length - 1] as Record<string, unknown>;
  if (!last || typeof last !== 'object') return false;
  if ('return' in last || 'error' in last) return true;
  const d = last.decision as Record<string, unknown> | undefined;
  if (d) {
    if ('if' in d) return endsDefinitely(d.then) && endsDefinitely(d.else);
    const cases = d.cases as Record<string, unknown> | undefined;
    return !!cases && Object.values(cases).every(endsDefinitely) && (d.else === undefined || endsDefinitely(d.else));
  }
  return false;
}

function stepExpr(e: CompiledExpression): StepExpr {
  return { type: e.type, evaluate: e.evaluate as (r: Run) => Value, prefetch: e.prefetch };
}

/**
 * Builds a step from a body that only evaluates expressions and touches no
 * database: sync when none of its expressions follows an association.
 */
export function simpleStep(exprs: readonly (StepExpr | undefined)[], body: (r: Run) => Signal, inner: readonly Block[] = []): Omit<Step, 'label'> {
  const pf = exprs.flatMap((e) => e?.prefetch ?? []);
  const innerSync = inner.every((b) => b.sync);
  if (pf.length === 0 && innerSync) return { sync: true, exec: body };
  return {
    sync: false,
    exec: async (r) => {
      if (pf.length) await r.session.prefetch(r.vars, pf);
      return body(r);
    },
  };
}

export async function prefetchAll(r: Run, exprs: readonly (StepExpr | undefined)[]): Promise<void> {
  for (const e of exprs) if (e && e.prefetch.length) await r.session.prefetch(r.vars, e.prefetch);
}
