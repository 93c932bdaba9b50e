import type { EvalContext, Frame, Value } from '../expressions/runtime.js';
import { type ActivityWrap, NEXT, type Block, type CompiledMicroflow, type Signal, type Step } from './compiled.js';
import { MicroflowError, errorTypeOf } from './errors.js';
import type { LogicSession } from './session.js';

/** One invocation of a microflow: its variables (by slot) and where it sits in the call stack. */
export class Run implements Frame {
  readonly vars: Value[];
  readonly ctx: EvalContext;
  returnValue: Value = null;
  /** The error being handled, for `error: true` (rethrow) in a handler. */
  latestError: MicroflowError | undefined;
  constructor(
    readonly session: LogicSession,
    readonly mf: CompiledMicroflow,
    readonly stack: readonly string[],
    /** Set while activities are traced; undefined keeps the steps' plain calls. */
    readonly wrap?: ActivityWrap,
  ) {
    this.vars = new Array<Value>(mf.slotCount).fill(null);
    this.ctx = session.evalCtx;
  }
}

export function runBlockSync(b: Block, r: Run): Signal {
  const steps = b.steps;
  const wrap = r.wrap;
  if (wrap) {
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i]!;
      const sig = wrap(r.mf.name, s, () => s.exec(r)) as Signal;
      if (sig !== NEXT) return sig;
    }
    return NEXT;
  }
  for (let i = 0; i < steps.length; i++) {
    const sig = steps[i]!.exec(r) as Signal;
    if (sig !== NEXT) return sig;
  }
  return NEXT;
}

/** A step's run, wrapped when activities are traced. */
function exec(s: Step, r: Run): Signal | Promise<Signal> {
  return r.wrap ? r.wrap(r.mf.name, s, () => s.exec(r)) : s.exec(r);
}

export async function runBlock(b: Block, r: Run): Promise<Signal> {
  if (b.sync) return runBlockSync(b, r);
  for (const s of b.steps) {
    const sig = s.onError ? await runGuarded(s, r) : s.sync ? (exec(s, r) as Signal) : await exec(s, r);
    if (sig !== NEXT) return sig;
  }
  return NEXT;
}

/**
 * One pass of a loop whose error handling is `continue`: the pass runs in a
 * savepoint; when it fails, its work is undone, the error is logged and the
 * loop goes on with the next pass (NEXT).
 */
export async function runIteration(b: Block, r: Run): Promise<Signal> {
  const session = r.session;
  const sp = await session.savepoint();
  try {
    const sig = await runBlock(b, r);
    await session.release(sp);
    return sig;
  } catch (e) {
    const err = toMicroflowError(e, r.stack);
    await session.rollbackTo(sp);
    session.log.warn({ microflow: r.mf.name, error: err.message, stack: err.microflowStack }, 'error in a loop iteration ignored (continue)');
    return NEXT;
  }
}

/** Wraps any failure as a MicroflowError with the microflow stack where it happened (kept if already wrapped). */
export function toMicroflowError(e: unknown, stack: readonly string[]): MicroflowError {
  if (e instanceof MicroflowError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new MicroflowError(message, stack, errorTypeOf(e), { cause: e });
}

/**
 * Runs a step with its error handler. `continue` and custom-without-rollback
 * run the step in a savepoint so only its own work is undone; custom-with-
 * rollback undoes the work of the innermost enclosing savepoint (or all of the
 * request's, back to its base savepoint) before the handler runs.
 */
async function runGuarded(s: Step, r: Run): Promise<Signal> {
  const h = s.onError!;
  const session = r.session;
  const partial = h.mode === 'continue' || !h.rollback;
  const sp = partial ? await session.savepoint() : undefined;
  try {
    const sig = s.sync ? (exec(s, r) as Signal) : await exec(s, r);
    if (sp) await session.release(sp);
    return sig;
  } catch (e) {
    const err = toMicroflowError(e, r.stack);
    // A failed handler's own errors (savepoint gone because the connection died) surface as they are.
    if (sp) await session.rollbackTo(sp);
    else await session.rollbackInnermost();
    session.log.warn(
      { microflow: r.mf.name, activity: s.label, error: err.message, stack: err.microflowStack },
      h.mode === 'continue' ? 'error ignored (continue)' : 'error handled by a custom error handler',
    );
    if (h.mode === 'continue') return NEXT;
    r.vars[h.errorSlot] = session.errorObject(err);
    const previous = r.latestError;
    r.latestError = err;
    try {
      return await runBlock(h.body, r);
    } finally {
      r.latestError = previous;
    }
  }
}
