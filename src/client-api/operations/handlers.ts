import type { CAttribute, CompiledModel } from '../../model/compiled/types.js';
import type { AttributeValue } from '../../objects/values.js';
import type { MxObject } from '../../objects/mx-object.js';
import { guidToId, idToGuid } from '../../objects/values.js';
import { entityAccess, filterable } from '../../security/entity-access.js';
import type { UserContext } from '../../security/user-context.js';
import type { BackendTx, ClientApiBackend, MicroflowArg, MicroflowOutcome } from '../backend.js';
import type { OnceRecord } from '../idempotency.js';
import { malformed, notAllowed } from '../errors.js';
import type {
  CallMicroflowOperation,
  CommitOperation,
  CreateOperation,
  DeleteOperation,
  RetrieveOperation,
  RollbackOperation,
  RuntimeOperation,
} from '../registry/types.js';
import { objectGuid, objectGuids, type RuntimeOperationRequest } from '../protocol/request.js';
import { serializeObject } from '../protocol/serialize.js';
import { valueFromJson } from '../protocol/values.js';
import type { ObjectSigner, SessionSigner } from '../protocol/signing.js';
import type { Logger } from '../../core/logger.js';
import { ClientState } from './client-state.js';
import { compileFilters } from '../filters.js';
import { referenceKey } from '../reference-paths.js';
import { committedAnswer, createdAnswer, deletedAnswer, emptyResponse, type OperationResponse } from './response.js';
import { retrieveShape } from './retrieve-writer.js';
import { JsonText } from '../protocol/json-text.js';
import { QueryError } from '../../query/errors.js';
import type { StopSignal } from '../../core/stop-signal.js';

/** Most objects one retrieve returns (also for amount -1, "all"). */
const MAX_ROWS = 10000;
/** Above this many committed objects the response lists their ids only (Mendix's CommittedObjectsThreshold). */
const COMMITTED_OBJECTS_THRESHOLD = 100;

/** Everything a handler needs for one request. */
export interface HandlerContext {
  readonly model: CompiledModel;
  readonly backend: ClientApiBackend;
  /** Signs for the user's session (`forSession`): client-held objects are bound to it. */
  readonly signer: ObjectSigner;
  readonly user: UserContext;
  /** Where refused client objects and references are logged (node ClientAPI). */
  readonly log?: Logger;
  /** Checks a client `extraXpath` against the operation (entity, readable attributes); returns it normalised or throws 400. */
  readonly checkExtraXpath: (op: RetrieveOperation, user: UserContext, xpath: string) => string;
  /**
   * The request's Idempotency-Key record (commit, delete and microflow calls):
   * claimed first and given the answer last in the operation's transaction.
   */
  readonly once?: OnceRecord;
  /** The request's deadline and disconnect: aborts the request's transaction (rolled back, never committed). */
  readonly signal?: StopSignal;
}

/**
 * Executes a runtime operation whose allowed roles the caller has. Not an async function: it
 * hands on the operation's own promise (an async function returning a promise wraps it in
 * another, two more turns of the microtask queue); a throw is returned as a rejection.
 */
export function executeOperation(ctx: HandlerContext, op: RuntimeOperation, req: RuntimeOperationRequest): Promise<OperationResponse | JsonText> {
  try {
    // A retrieve signs nothing: the session's key is derived for the other operations only.
    if (op.type === 'retrieve') return retrieve(ctx, op, req);
    const sctx: SessionContext = { ...ctx, session: ctx.signer.forSession(ctx.user.sessionId) };
    switch (op.type) {
      case 'create':
        return create(sctx, op);
      case 'commit':
        return commit(sctx, op, req);
      case 'delete':
        return remove(sctx, op, req);
      case 'rollback':
        return rollback(sctx, op, req);
      case 'callMicroflow':
        return callMicroflow(sctx, op, req);
    }
  } catch (e) {
    return Promise.reject(e);
  }
}

/** The handler context with the signer of the user's session. */
interface SessionContext extends HandlerContext {
  readonly session: SessionSigner;
}

/** A primitive microflow parameter from JSON, checked and converted like an attribute of its type. */
function primitiveParam(model: CompiledModel, type: string, value: unknown, field: string): AttributeValue {
  const isEnum = model.enumerations.has(type);
  const attrType = isEnum ? 'Enumeration' : type;
  if (!['String', 'Integer', 'Long', 'Decimal', 'Boolean', 'DateTime', 'Enumeration'].includes(attrType))
    throw malformed(field, `has the unsupported type ${type}`);
  if (value === undefined) return attrType === 'Boolean' ? false : null;
  const attr = {
    name: field,
    qualifiedName: field,
    entity: '',
    type: attrType,
    length: 0,
    defaultValue: null,
    localize: false,
    column: '',
    system: false,
    ...(isEnum ? { enumeration: type } : {}),
  } as CAttribute;
  return valueFromJson(model, attr, value, field);
}

async function retrieve(ctx: HandlerContext, op: RetrieveOperation, req: RuntimeOperationRequest): Promise<JsonText> {
  const { options } = req;
  const shape = retrieveShape(ctx.model, op);
  let sort: readonly { attribute: string; descending: boolean }[] = NO_SORT;
  if (options.sort.length) {
    sort = options.sort.map(([attribute, dir], i) => {
      if (attribute.includes('/')) {
        const key = referenceKey(ctx.model, op, ctx.user, attribute, `options.sort.${i}`, 'sort');
        if (key.attribute.type === 'Binary' || key.attribute.type === 'HashedString') throw malformed(`options.sort.${i}`, `cannot sort on '${attribute}'`);
        return { attribute: key.path, descending: dir === 'desc' };
      }
      if (!shape.sortable.has(attribute)) throw malformed(`options.sort.${i}`, `cannot sort on '${attribute}'`);
      if (ctx.model.entities.get(op.entity)?.attributes.get(attribute)?.calculated)
        throw malformed(`options.sort.${i}`, `cannot sort on '${attribute}': it is calculated when read, not stored`);
      // Readable on some objects only (per-object member rights): the order would reveal the others' values.
      if (!filterable(ctx.model, ctx.user, op.entity, attribute))
        throw malformed(`options.sort.${i}`, `cannot sort on '${attribute}': it is not readable on every object you can see`);
      return { attribute, descending: dir === 'desc' };
    });
  }
  const search = options.extraXpath ? ctx.checkExtraXpath(op, ctx.user, options.extraXpath) : '';
  const filters = compileFilters(ctx.model, op, ctx.user, options.filters);
  const extraXpath = search + filters.xpath;
  let id: bigint | undefined;
  if (op.byParameter) {
    const guid = objectGuid(req.params, op.byParameter);
    if (guid === null) throw malformed(`params.${op.byParameter}`, 'is required ({guid})');
    id = guidToId(guid);
  }
  // "All" (-1) is still bounded: one request never pulls more than MAX_ROWS objects.
  const amount = op.byParameter ? 1 : options.amount < 0 ? MAX_ROWS : Math.min(options.amount, MAX_ROWS);
  const variables = op.variables ? { ...xpathVariableValues(op.variables, req.params), ...filters.variables } : filters.variables;
  const result = await ctx.backend
    .retrieve(op, ctx.user, {
      offset: options.offset,
      amount,
      sort,
      wantCount: options.wantCount,
      extraXpath,
      ...(filters.xpath || op.variables ? { variables } : {}),
      ...(id !== undefined ? { id } : {}),
    })
    .catch((e: unknown) => {
      // A variable's value that does not fit what the XPath compares it with is the client's mistake.
      if (op.variables && e instanceof QueryError) throw malformed('params', e.message);
      throw e;
    });
  const count = result.count;
  const hasMoreItems = count !== undefined ? options.offset + result.objects.length < count : amount > 0 && result.objects.length >= amount;
  // Written straight to JSON text: the page is the one response sent on every scroll and search.
  return shape.write({ objects: result.objects, related: result.related, count, hasMoreItems });
}

/**
 * The values of a nanoflow retrieve's XPath variables, as the client sends them: an object
 * as `{guid}` (its id), a primitive as a JSON value, `null` for empty. The XPath is the
 * model's; the values only ever become bound parameters, and the user's entity access
 * applies to what comes back, so a value the client makes up finds nothing it may not read.
 */
function xpathVariableValues(names: readonly string[], params: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const v = params[name];
    if (v === undefined) throw malformed(`params.${name}`, 'is required (the XPath uses it)');
    if (v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) out[name] = v;
    else if (typeof v === 'object' && !Array.isArray(v)) {
      const guid = objectGuid(params, name)!;
      if (!/^[0-9]{1,19}$/.test(guid)) throw malformed(`params.${name}.guid`, 'is not an object id');
      out[name] = guidToId(guid);
    } else throw malformed(`params.${name}`, 'must be {guid}, a string, a number, a Boolean or null');
  }
  return out;
}

const NO_SORT: readonly { attribute: string; descending: boolean }[] = [];

async function create(ctx: SessionContext, op: CreateOperation): Promise<JsonText> {
  const access = entityAccess(ctx.model, ctx.user, op.entity);
  if (!access.canCreate) throw notAllowed();
  const obj = await ctx.backend.create(null, ctx.user, op.entity);
  // Written straight to JSON text, signed over the same values' text (response.ts).
  return createdAnswer(ctx.model, obj, (m) => access.readable(m), ctx.session);
}

/** Not an async function (as executeOperation): its checks before the transaction throw into executeOperation's catch. */
function commit(ctx: SessionContext, _op: CommitOperation, req: RuntimeOperationRequest): Promise<OperationResponse | JsonText> {
  const guids = objectGuids(req.params);
  const state = new ClientState(ctx.model, ctx.backend, ctx.user, req, ctx.session, ctx.log);
  // This callback reads no write's result or failure, and no microflow runs after the commit's
  // write unless a commit event began a savepoint before it (client-logic.ts): its write may be
  // deferred, and a Save of one new object is one INSERT, sent without BEGIN and COMMIT.
  return written(
    ctx,
    async (tx) => {
      const objects = await state.resolve(tx, guids, 'params.Objects.guids');
      for (const r of objects) {
        if (r.object.state === 'new' && !entityAccess(ctx.model, ctx.user, r.object.entity).canCreate) throw notAllowed();
      }
      await ctx.backend.commit(
        tx,
        ctx.user,
        objects.map((r) => r.object),
      );
      return committedAnswer(
        ctx.model,
        objects.map((r) => ({ object: r.object, readable: (m: string) => r.rights(m) !== 'None' })),
        COMMITTED_OBJECTS_THRESHOLD,
      );
    },
    true,
  );
}

/**
 * Runs a writing operation's transaction, which ends with building its answer.
 * With an Idempotency-Key the record is claimed first and the answer (as the
 * JSON text sent) stored last, so both commit with the work or neither does.
 */

function written(ctx: HandlerContext, fn: (tx: BackendTx) => Promise<OperationResponse | JsonText>, deferWrite = false): Promise<OperationResponse | JsonText> {
  const once = ctx.once;
  // With an Idempotency-Key the record commits with the work: never deferred.
  if (!once) return ctx.backend.transaction(fn, ctx.signal, deferWrite);
  return ctx.backend.transaction(async (tx) => {
    await once.claim(tx);
    const out = await fn(tx);
    // The text stored is the text sent (an answer written as text is stored as it is).
    const answer = out instanceof JsonText ? out : new JsonText(JSON.stringify(out));
    await once.store(tx, 200, answer.text);
    return answer;
  }, ctx.signal);
}

async function remove(ctx: SessionContext, op: DeleteOperation, req: RuntimeOperationRequest): Promise<OperationResponse | JsonText> {
  const guids = objectGuids(req.params);
  const access = entityAccess(ctx.model, ctx.user, op.entity);
  if (!access.canDelete) throw notAllowed();
  const state = new ClientState(ctx.model, ctx.backend, ctx.user, req, ctx.session, ctx.log);
  return written(ctx, async (tx) => {
    const resolved = await state.resolve(tx, guids, 'params.Objects.guids', op.entity);
    if (resolved.some((r) => !r.deletable || !entityAccess(ctx.model, ctx.user, r.object.entity).canDelete)) throw notAllowed();
    // New objects held by the client are simply dropped: no SQL.
    await ctx.backend.delete(
      tx,
      ctx.user,
      resolved.map((r) => r.object).filter((o) => o.state === 'persisted'),
    );
    return deletedAnswer(guids);
  });
}

async function rollback(ctx: SessionContext, _op: RollbackOperation, req: RuntimeOperationRequest): Promise<OperationResponse> {
  const guids = objectGuids(req.params);
  const state = new ClientState(ctx.model, ctx.backend, ctx.user, req, ctx.session, ctx.log);
  // Only objects the client holds have something to roll back; the others are unchanged in the database.
  const held = guids.filter((g) => state.isHeldNew(g));
  const objs = held.length ? (await state.resolve(null, held, 'params.Objects.guids')).map((r) => r.object) : [];
  await ctx.backend.rollback(ctx.user, objs);
  const resets: Record<string, unknown> = {};
  for (const g of guids) if (!state.isHeldNew(g)) resets[g] = {};
  return { ...emptyResponse(), deletes: held, resets };
}

async function callMicroflow(ctx: SessionContext, op: CallMicroflowOperation, req: RuntimeOperationRequest): Promise<OperationResponse | JsonText> {
  const state = new ClientState(ctx.model, ctx.backend, ctx.user, req, ctx.session, ctx.log);
  return written(ctx, async (tx) => {
    const args = new Map<string, MicroflowArg>();
    for (const [name, [type]] of Object.entries(op.parameters)) {
      const field = `params.${name}`;
      if (type!.startsWith('[')) {
        const p = req.params[name];
        const guids = p === undefined ? [] : objectGuids(req.params, name);
        const objs = guids.length ? await state.resolve(tx, guids, field, type!.slice(1, -1)) : [];
        args.set(name, { kind: 'list', objects: objs.map((r) => r.object) });
      } else if (ctx.model.entities.has(type!)) {
        const guid = objectGuid(req.params, name);
        const [r] = guid ? await state.resolve(tx, [guid], field, type!) : [];
        args.set(name, { kind: 'object', object: r?.object ?? null });
      } else {
        const p = req.params[name];
        const value = p && typeof p === 'object' && 'value' in (p as object) ? (p as { value: unknown }).value : p;
        args.set(name, { kind: 'value', value: primitiveParam(ctx.model, type!, value, field) });
      }
    }
    return microflowResponse(ctx, await ctx.backend.callMicroflow(tx, ctx.user, op.microflow, args), tx);
  });
}

/** A microflow call's answer: its result and the objects it left changed, as far as the user may read them. */
async function microflowResponse(ctx: SessionContext, outcome: MicroflowOutcome, tx: BackendTx): Promise<OperationResponse> {
  const out = emptyResponse();
  const r = outcome.result;
  const toSend = [...(r?.kind === 'list' ? r.objects : r?.kind === 'object' && r.object ? [r.object] : []), ...outcome.dirty, ...(outcome.shown ?? [])];
  // Per object: the members the rules it matches let the user read (one SELECT per entity for persisted objects).
  const rights = toSend.length ? await ctx.backend.rightsOn(ctx.user, toSend, tx) : new Map<MxObject, never>();
  const sent = new Set<string>();
  const send = (o: MxObject | null) => {
    if (!o) return;
    const guid = idToGuid(o.id);
    if (sent.has(guid)) return;
    const access = entityAccess(ctx.model, ctx.user, o.entity);
    if (access.restricted && access.rules.length === 0) return; // the user cannot read this entity at all
    sent.add(guid);
    const own = rights.get(o)?.rights;
    const dirty = o.state === 'new' || o.changed.size > 0;
    out.objects.push(
      serializeObject(ctx.model, o, {
        readable: (m) => {
          const x = own?.get(m);
          return x === 'Read' || x === 'ReadWrite';
        },
        ...(dirty ? { signer: ctx.session } : {}),
      }),
    );
    if (o.state === 'new') out.newpersistable.push(guid);
  };
  if (r?.kind === 'list') {
    out.actionResult = { type: 'ObjectReferenceSet', value: r.objects.map((o) => idToGuid(o.id)) };
    r.objects.forEach(send);
  } else if (r?.kind === 'object') {
    out.actionResult = { type: 'ObjectReference', value: r.object ? idToGuid(r.object.id) : null };
    send(r.object);
  } else if (r?.kind === 'value') {
    const v = r.value;
    out.actionResult = {
      type: 'Primitive',
      value: typeof v === 'bigint' ? v.toString() : v instanceof Date ? v.getTime() : v === null || typeof v !== 'object' ? v : String(v),
    };
  }
  outcome.dirty.forEach(send);
  out.commits = outcome.committed.map(idToGuid);
  out.deletes = outcome.deleted.map(idToGuid);
  if (outcome.feedback?.length) {
    // Validation feedback activities: shown next to the fields; the microflow itself went on.
    const dv: Record<string, Record<string, string>> = {};
    for (const f of outcome.feedback) (dv[f.guid] ??= {})[f.member] = f.message;
    out.datavalidation = dv;
  }
  outcome.shown?.forEach(send);
  const instructions: { type: string; args: Record<string, unknown> }[] = outcome.messages.map((m) => ({
    type: 'text_message',
    args: { type: m.type, message: m.text },
  }));
  // Mendix's client instructions for show page / close page: `open_form` and `close`.
  for (const p of outcome.pages ?? []) {
    if (p.kind === 'close') instructions.push({ type: 'close', args: {} });
    else instructions.push({ type: 'open_form', args: { page: p.page, ...(p.parameter && p.guid ? { params: { [p.parameter]: p.guid } } : {}) } });
  }
  if (instructions.length) out.instructions = instructions;
  return out;
}
