import type { Logger } from '../../core/logger.js';
import type { Diagnostic } from '../../model/diagnostics.js';
import { formatDiagnostic, UserError } from '../../model/diagnostics.js';
import type { CompiledModel } from '../../model/compiled/types.js';
import type { MxObject } from '../../objects/mx-object.js';
import type { UserContext } from '../../security/user-context.js';
import { coerceValue } from '../expressions/compile.js';
import { isMxObject, type Value } from '../expressions/runtime.js';
import { typeToString, type XType } from '../expressions/types.js';
import { ObjectActions } from '../object-actions.js';
import { type ActivityWrap, RETURN, type CompiledMicroflow } from './compiled.js';
import { MicroflowCompiler, type CompileContext } from './compiler.js';
import { MicroflowError, type FeedbackItem } from './errors.js';
import type { ActionSignatures, EngineHost, LoadedAction } from './host.js';
import {
  inProcessExclusive,
  type DataPort,
  type DbPort,
  type ExclusivePort,
  type FilePort,
  type HttpPort,
  type QueryPort,
  type QueuedCall,
  type QueuePort,
  type SqlPort,
} from './ports.js';
import { createHttpClient, DEFAULT_HTTP } from '../http-client.js';
import { importJson } from '../mappings/import-json.js';
import { isReadOnly, mappingIsReadOnly } from './read-only.js';
import { exportJson, type ReadRights } from '../mappings/export-json.js';
import { Run, runBlock, toMicroflowError } from './run.js';
import { LogicSession, type ClientMessage, type PageInstruction } from './session.js';

/** What a microflow call gives back to its caller (the client API, a test, a scheduled event). */
export interface MicroflowResult {
  readonly value: Value;
  readonly messages: readonly ClientMessage[];
  /** Show page / close page activities, for the calling client. */
  readonly pages: readonly PageInstruction[];
  readonly feedback: readonly FeedbackItem[];
  /** Objects committed during the call. */
  readonly committed: readonly MxObject[];
  readonly deleted: readonly bigint[];
  /** Objects the call holds that have changes not committed (the client keeps them). */
  readonly dirty: readonly MxObject[];
  readonly refresh: readonly MxObject[];
}

export interface EngineOptions {
  readonly model: CompiledModel;
  readonly data: DataPort;
  readonly query: QueryPort;
  readonly db?: DbPort;
  readonly log: Logger;
  readonly actions?: ReadonlyMap<string, LoadedAction>;
  /** Locks for microflows marked disallowConcurrentExecution (default: in-process). */
  readonly exclusive?: ExclusivePort;
  /** Task queues for call activities with `queue` (absent: such a call fails with a clear error). */
  readonly queues?: QueuePort;
  /** Outbound HTTP for callRest (default: a client with the settings' defaults). */
  readonly http?: HttpPort;
  /** FileDocument contents for callRest's file bodies and answers (looked up when a call runs). */
  readonly files?: () => FilePort | undefined;
}

/** Maximum depth of microflow calls (a runaway recursion ends with an error instead of a crash). */
const MAX_DEPTH = 200;

/**
 * The microflow engine: every microflow of the model compiled once (nothing
 * is parsed per call), run in a session that holds the request's objects and
 * its database transaction.
 */
export class MicroflowEngine implements EngineHost {
  readonly model: CompiledModel;
  readonly data: DataPort;
  readonly query: QueryPort;
  readonly log: Logger;
  readonly roundHalfEven: boolean;
  readonly actions: ObjectActions;
  private readonly db: DbPort | undefined;
  readonly http: HttpPort;
  readonly files: () => FilePort | undefined;
  /** Wraps each microflow call (metrics, tracing): called with its name and the call, returns the call's result. */
  around: ((name: string, call: () => Promise<Value>) => Promise<Value>) | undefined = undefined;
  /** Wraps each activity's run (tracing): undefined keeps the activities' plain calls. */
  aroundActivity: ActivityWrap | undefined = undefined;
  /** Computes the calculated attributes of objects read by id (the logic component sets it): undefined computes none. */
  calculate: ((tx: SqlPort, user: UserContext, objects: readonly MxObject[]) => Promise<void>) | undefined = undefined;
  private readonly compiled = new Map<string, CompiledMicroflow>();
  private readonly tsActions: ReadonlyMap<string, LoadedAction>;
  private readonly exclusive: ExclusivePort;
  private readonly queues: QueuePort | undefined;
  /** Microflows marked disallowConcurrentExecution, with their outcome when already running. */
  private readonly exclusiveOnes = new Map<string, { message?: string; microflow?: string }>();

  constructor(opts: EngineOptions) {
    this.model = opts.model;
    this.data = opts.data;
    this.query = opts.query;
    this.db = opts.db;
    this.log = opts.log;
    this.tsActions = opts.actions ?? new Map();
    this.exclusive = opts.exclusive ?? inProcessExclusive();
    this.queues = opts.queues;
    this.http = opts.http ?? createHttpClient(DEFAULT_HTTP);
    this.files = opts.files ?? (() => undefined);
    for (const mf of this.model.microflows.values()) {
      const d = mf.def.disallowConcurrentExecution;
      if (d) this.exclusiveOnes.set(mf.name, { ...d, ...(d.microflow && !d.microflow.includes('.') ? { microflow: `${mf.module}.${d.microflow}` } : {}) });
    }
    this.roundHalfEven = String(opts.model.app.settings.RoundingMode ?? '').toLowerCase() === 'halfeven';
    this.actions = new ObjectActions((session, name, args, stack) => this.invoke(session, name, args, stack));
    const signatures: ActionSignatures = new Map(
      [...this.tsActions].map(([n, a]) => [n, { ...(a.parameters ? { parameters: a.parameters } : {}), ...(a.returns ? { returns: a.returns } : {}) }]),
    );
    const cc: CompileContext = { model: this.model, query: this.query, actions: signatures };
    const problems: Diagnostic[] = [];
    for (const mf of this.model.microflows.values()) {
      const c = new MicroflowCompiler(cc, mf);
      const out = c.compile();
      problems.push(...c.diagnostics);
      if (out) this.compiled.set(mf.name, out);
    }
    if (problems.some((d) => d.severity === 'error')) {
      throw new UserError(`the microflows have errors:\n${problems.map(formatDiagnostic).join('\n')}`, problems);
    }
  }

  microflow(name: string): CompiledMicroflow | undefined {
    return this.compiled.get(name);
  }

  tsAction(name: string): LoadedAction | undefined {
    return this.tsActions.get(name);
  }

  /** A session for one request, in the given transaction (object actions from the client API use it). */
  session(user: UserContext, tx: SqlPort | undefined): LogicSession {
    return new LogicSession(this, user, tx, this.log);
  }

  /** Whether the microflow only reads (./read-only.ts): it may then run outside a transaction. */
  isReadOnly(name: string): boolean {
    return isReadOnly(this.model, name);
  }

  /** Whether the mapping's converter microflows only read (./read-only.ts): a published GET's export mapping runs outside a transaction then. */
  mappingIsReadOnly(name: string): boolean {
    return mappingIsReadOnly(this.model, name);
  }

  /**
   * Runs a read-only microflow (isReadOnly) on the database without a
   * transaction: each statement on a pooled connection as it comes, no BEGIN,
   * SAVEPOINT or COMMIT round trips, no connection held between them.
   */
  async runWithoutTransaction(
    name: string,
    params: Readonly<Record<string, Value>>,
    user: UserContext,
    objects: readonly MxObject[] = [],
  ): Promise<MicroflowResult> {
    if (!this.db || !this.isReadOnly(name)) return this.runMicroflow(name, params, user, undefined, objects);
    const session = new LogicSession(this, user, this.db, this.log, false);
    for (const o of objects) session.track(o);
    const value = await this.runInSession(session, name, params);
    return resultOf(session, value);
  }

  /**
   * Applies an import mapping to a JSON document (a published operation's body)
   * in its own session on `tx`, with the user's entity access: the objects it
   * made or found, committed as the mapping says. MappingError for bad JSON.
   */
  async importWithMapping(name: string, json: unknown, user: UserContext, tx: SqlPort, field: string): Promise<{ value: Value; objects: MxObject[] }> {
    const mapping = this.model.mappings?.get(name);
    if (!mapping) throw new Error(`unknown mapping '${name}'`);
    const session = this.session(user, tx);
    await session.begin();
    return importJson(session, mapping, json, { entityAccess: true, field, stack: [] });
  }

  /** Applies an export mapping to what a microflow returned (`held`: the objects its session held, new ones included). */
  async exportWithMapping(
    name: string,
    value: Value,
    user: UserContext,
    tx: SqlPort,
    held: readonly MxObject[],
    rights?: ReadRights,
  ): Promise<string | undefined> {
    const mapping = this.model.mappings?.get(name);
    if (!mapping) throw new Error(`unknown mapping '${name}'`);
    const session = this.session(user, tx);
    for (const o of held) session.track(o);
    if (Array.isArray(value)) for (const o of value) if (isMxObject(o)) session.track(o);
    if (isMxObject(value)) session.track(value);
    return exportJson(session, mapping, value, rights);
  }

  /**
   * Runs a microflow as a request: in the given transaction, or in a new one
   * that commits when the microflow ends and rolls back when it fails.
   * Parameters are given by name; objects among them join the session.
   */
  async runMicroflow(
    name: string,
    params: Readonly<Record<string, Value>>,
    user: UserContext,
    tx?: SqlPort,
    objects: readonly MxObject[] = [],
  ): Promise<MicroflowResult> {
    const mf = this.compiled.get(name);
    if (!mf) throw new MicroflowError(`unknown microflow '${name}'`, [], 'kiln.UnknownMicroflow');
    const go = async (t: SqlPort | undefined): Promise<MicroflowResult> => {
      const session = this.session(user, t);
      for (const o of objects) session.track(o);
      await session.begin();
      const value = await this.runInSession(session, name, params);
      return resultOf(session, value);
    };
    if (tx) return go(tx);
    if (this.db) return this.db.transaction((t) => go(t));
    return go(undefined);
  }

  /** Runs a microflow in an existing session (object actions and the client API share it). */
  async runInSession(session: LogicSession, name: string, params: Readonly<Record<string, Value>>): Promise<Value> {
    const mf = this.compiled.get(name);
    if (!mf) throw new MicroflowError(`unknown microflow '${name}'`, [], 'kiln.UnknownMicroflow');
    const args: Value[] = [];
    for (const p of mf.parameters) {
      if (!(p.name in params)) throw new MicroflowError(`missing parameter ${p.name} of ${name}`, [name], 'kiln.MissingParameter');
      args.push(checkArgument(params[p.name] ?? null, p.type, `parameter ${p.name} of ${name}`, this.model));
    }
    for (const k of Object.keys(params))
      if (!mf.parameters.some((p) => p.name === k)) throw new MicroflowError(`${name} has no parameter '${k}'`, [name], 'kiln.UnknownParameter');
    return this.execute(session, mf, args, []);
  }

  /** A call by name with named parameters in an existing session (TypeScript actions). */
  async callByName(session: LogicSession, name: string, params: Readonly<Record<string, Value>>, stack: readonly string[]): Promise<Value> {
    const mf = this.compiled.get(name);
    if (!mf) throw new MicroflowError(`unknown microflow '${name}'`, stack, 'kiln.UnknownMicroflow');
    const args = mf.parameters.map((p) => checkArgument(params[p.name] ?? null, p.type, `parameter ${p.name} of ${name}`, this.model));
    return this.execute(session, mf, args, stack);
  }

  /** EngineHost: a call activity. */
  call(name: string, args: readonly Value[], caller: Run): Promise<Value> {
    const mf = this.compiled.get(name);
    if (!mf) throw new MicroflowError(`unknown microflow '${name}'`, caller.stack, 'kiln.UnknownMicroflow');
    return this.execute(caller.session, mf, args, caller.stack);
  }

  /** EngineHost: a mapping's converter, in the mapping's session (its transaction and user). */
  callInSession(session: LogicSession, name: string, args: readonly Value[], stack: readonly string[]): Promise<Value> {
    const mf = this.compiled.get(name);
    if (!mf) throw new MicroflowError(`unknown microflow '${name}'`, stack, 'kiln.UnknownMicroflow');
    return this.execute(session, mf, args, stack);
  }

  /** EngineHost: a call activity with `queue`: the task row is written in the caller's transaction. */
  async enqueue(call: Omit<QueuedCall, 'user'>, caller: Run): Promise<void> {
    if (!this.queues)
      throw new MicroflowError(`task queues are not available here: ${call.microflow} cannot run in ${call.queue}`, caller.stack, 'kiln.TaskQueue');
    const tx = caller.session.tx;
    if (!tx) throw new MicroflowError(`${call.microflow} can run in a task queue only from a microflow in a transaction`, caller.stack, 'kiln.TaskQueue');
    await this.queues.enqueue(tx, { ...call, user: caller.session.user });
  }

  /** Event handlers: arguments in parameter order; handlers without parameters get none. */
  private invoke(session: LogicSession, name: string, args: readonly Value[], stack: readonly string[]): Promise<Value> {
    const mf = this.compiled.get(name);
    if (!mf) throw new MicroflowError(`unknown event-handler microflow '${name}'`, stack, 'kiln.UnknownMicroflow');
    return this.execute(
      session,
      mf,
      mf.parameters.map((_, i) => args[i] ?? null),
      stack,
    );
  }

  private async execute(session: LogicSession, mf: CompiledMicroflow, args: readonly Value[], callerStack: readonly string[]): Promise<Value> {
    if (this.exclusiveOnes.size > 0) {
      const dce = this.exclusiveOnes.get(mf.name);
      if (dce) return this.executeExclusive(session, mf, args, callerStack, dce);
    }
    return this.executeNow(session, mf, args, callerStack);
  }

  /**
   * disallowConcurrentExecution: runs `mf` only when its lock is free (across
   * the cluster with the cluster's lock); otherwise shows the message or runs
   * the other microflow with the parameters of the same names, as Mendix does.
   */
  private async executeExclusive(
    session: LogicSession,
    mf: CompiledMicroflow,
    args: readonly Value[],
    callerStack: readonly string[],
    dce: { message?: string; microflow?: string },
  ): Promise<Value> {
    const release = await this.exclusive.tryLock(mf.name, session.tx);
    if (release) {
      try {
        return await this.executeNow(session, mf, args, callerStack);
      } finally {
        await release();
      }
    }
    this.log.info(
      { microflow: mf.name, instead: dce.microflow ?? null },
      `${mf.name} is already running (disallowConcurrentExecution): ${dce.microflow ? `running ${dce.microflow} instead` : 'not run'}`,
    );
    const alt = dce.microflow ? this.compiled.get(dce.microflow) : undefined;
    if (alt) {
      const byName = new Map(mf.parameters.map((p, i) => [p.name, args[i] ?? null]));
      return this.executeNow(
        session,
        alt,
        alt.parameters.map((p) => byName.get(p.name) ?? null),
        callerStack,
      );
    }
    session.messages.push({ type: 'warning', message: dce.message ?? `${mf.name} is already running; try again later.`, blocking: true });
    return null;
  }

  private async executeNow(session: LogicSession, mf: CompiledMicroflow, args: readonly Value[], callerStack: readonly string[]): Promise<Value> {
    const stack = [...callerStack, mf.name];
    if (stack.length > MAX_DEPTH) throw new MicroflowError(`microflow calls nested deeper than ${MAX_DEPTH} (runaway recursion?)`, stack, 'kiln.StackOverflow');
    const r = new Run(session, mf, stack, this.aroundActivity);
    mf.parameters.forEach((p, i) => {
      const v = args[i] ?? null;
      r.vars[p.slot] = v;
      if (isMxObject(v)) session.track(v);
      else if (Array.isArray(v)) for (const o of v as MxObject[]) session.track(o);
    });
    const call = async (): Promise<Value> => {
      try {
        if (mf.currentUserSlot !== undefined) r.vars[mf.currentUserSlot] = await session.currentUser();
        if (mf.currentSessionSlot !== undefined) r.vars[mf.currentSessionSlot] = await session.currentSession();
        const sig = await runBlock(mf.body, r);
        return sig === RETURN ? r.returnValue : null;
      } catch (e) {
        throw toMicroflowError(e, stack);
      }
    };
    return this.around ? this.around(mf.name, call) : call();
  }
}

function checkArgument(v: Value, t: XType, what: string, model: CompiledModel): Value {
  if (v === null) return null;
  const bad = (): never => {
    throw new MicroflowError(`${what} must be ${typeToString(t)}`, [], 'kiln.InvalidArgument');
  };
  switch (t.kind) {
    case 'Object':
      if (!isMxObject(v) || !model.entities.get(v.entity)?.chain.includes(t.entity)) bad();
      return v;
    case 'List':
      if (!Array.isArray(v) || !(v as MxObject[]).every((o) => isMxObject(o) && model.entities.get(o.entity)?.chain.includes(t.entity))) bad();
      return v;
    case 'Boolean':
      return typeof v === 'boolean' ? v : bad();
    case 'String':
    case 'Enumeration':
      return typeof v === 'string' ? v : bad();
    case 'DateTime':
      return v instanceof Date ? v : bad();
    default:
      try {
        return coerceValue(v, t);
      } catch {
        return bad();
      }
  }
}

function resultOf(session: LogicSession, value: Value): MicroflowResult {
  const dirty = [...session.objects.values()].filter((o) => o.id > 0n && (o.state === 'new' || o.changed.size > 0) && !session.committed.has(o.id));
  return {
    value,
    messages: session.messages,
    pages: session.pages,
    feedback: session.feedback,
    committed: [...session.committed.values()],
    deleted: [...session.deleted].filter((id) => id > 0n),
    dirty,
    refresh: [...session.refresh.values()],
  };
}
