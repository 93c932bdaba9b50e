import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError, malformedRequest } from '../core/errors.js';
import { commitObjects, type Database, type IdGenerator, type Queryable, type Transaction } from '../data/index.js';
import { createObject } from '../data/index.js';
import type { CompiledModel, MemberRight } from '../model/compiled/types.js';
import type { CRestNested, CRestOperation, CRestParameter, CRestService } from '../model/compiled/rest-services.js';
import { setReference, setValue, type MxObject } from '../objects/mx-object.js';
import { compileQuery, retrieve, type QueryPlan } from '../query/index.js';
import { entityAccess } from '../security/entity-access.js';
import type { SecurityService, SessionsService } from '../security/services.js';
import type { UserContext } from '../security/user-context.js';
import type { MicroflowEngine } from '../logic/engine/engine.js';
import { EventCancelledError, ValidationFailedError } from '../logic/engine/errors.js';
import type { SqlPort } from '../logic/engine/ports.js';
import { isMxObject, type Value } from '../logic/expressions/runtime.js';
import { ValidationFailed } from '../client-api/backend.js';
import type { ObjectLogic } from '../client-api/ports.js';
import { idToGuid } from '../objects/values.js';
import { ServiceAuthenticator } from './authentication.js';
import { HTTP_RESPONSE } from '../model/compiled/rest-services.js';
import { SYSTEM_CONTEXT } from '../security/user-context.js';
import { MappingError } from '../logic/mappings/json-values.js';
import { bodyText, applyHeaders, headersOf, httpRequestObjects, newHttpResponse, statusOf } from './http-messages.js';
import { valueFromRestJson, valueFromText, valueToJsonText } from './json-values.js';

export interface RestDeps {
  readonly model: CompiledModel;
  readonly db: Database;
  readonly ids: IdGenerator;
  readonly engine: MicroflowEngine;
  readonly sessions: SessionsService | undefined;
  readonly security: SecurityService | undefined;
  readonly logic: ObjectLogic | undefined;
}

/** Ids per SELECT when finding which access rules returned objects match. */
const ID_CHUNK = 50;

/**
 * Serves one published REST service: routes a request to its operation (404,
 * 405 with Allow), authenticates it (Basic, then the active session with its
 * X-Csrf-Token; 401 with WWW-Authenticate when neither gives a user), checks
 * the service's roles (403), binds the microflow's parameters (400 naming the
 * bad one), imports the body, runs the microflow in one transaction, and
 * answers with what it returns, showing per object only the members the
 * caller may read (objects the caller may not read at all are left out; a
 * single one is a 404).
 */
export class RestServiceHandler {
  private readonly plans = new Map<string, QueryPlan>();
  private readonly auth: ServiceAuthenticator;

  constructor(
    readonly service: CRestService,
    private readonly deps: RestDeps,
  ) {
    const custom = service.authenticationMicroflow;
    this.auth = new ServiceAuthenticator(service, deps, custom ? (request, reply) => this.customAuthentication(custom, request, reply) : undefined);
  }

  /** `rest` is the URL path below the service location, without query string; `located` the location's path parameters as sent. */
  async handle(request: FastifyRequest, reply: FastifyReply, rest: string, located: ReadonlyMap<string, string> = new Map()): Promise<void> {
    const segments = rest.split('/').filter((s, i, all) => s !== '' || (i > 0 && i < all.length - 1));
    let decoded: string[];
    const fromLocation = new Map<string, string>();
    try {
      decoded = segments.map((s) => decodeURIComponent(s));
      for (const [k, v] of located) fromLocation.set(k, decodeURIComponent(v));
    } catch {
      throw new HttpError(400, 'malformed request: the URL path is not valid percent-encoding');
    }
    const matching = this.service.operations
      .map((op) => ({ op, params: matchPath(op, decoded) }))
      .filter((m): m is { op: CRestOperation; params: Map<string, string> } => m.params !== undefined);
    if (matching.length === 0) throw new HttpError(404, 'not found');
    const found = matching.find((m) => m.op.method === request.method);
    if (!found) {
      reply.header('Allow', [...new Set(matching.map((m) => m.op.method))].join(', '));
      throw new HttpError(405, 'method not allowed');
    }
    const user = await this.auth.authenticate(request, reply);
    if (user === 'answered') return;
    const args = this.bind(found.op.parameters, new Map([...fromLocation, ...found.params]), request);
    await this.run(found.op, user, args, request, reply);
  }

  /**
   * Runs the custom authentication microflow in the system context with the
   * request as System.HttpRequest and a System.HttpResponse it may fill. A
   * status other than 200 on the response is the answer (with its headers and
   * content); a returned user is the caller (when that user may log in, with
   * the response's headers added); empty: the next method is tried.
   */
  private async customAuthentication(microflow: string, request: FastifyRequest, reply: FastifyReply): Promise<UserContext | undefined | 'answered'> {
    const { model, ids, engine, db, sessions } = this.deps;
    const { message, all } = await httpRequestObjects(model, ids, request);
    const response = await newHttpResponse(model, ids);
    const params: Record<string, Value> = {};
    for (const [p, v] of this.bind(this.service.authenticationParameters ?? [], new Map(), request)) params[p.name] = v;
    for (const p of this.service.authenticationParameters ?? [])
      if (p.source === 'request' || p.source === 'response') params[p.name] = p.source === 'response' ? response : message;
    const held = [...all, response];
    const r = engine.isReadOnly(microflow)
      ? await engine.runWithoutTransaction(microflow, params, SYSTEM_CONTEXT, held)
      : await db.transaction((tx) => engine.runMicroflow(microflow, params, SYSTEM_CONTEXT, tx as unknown as SqlPort, held));
    const headers = headersOf(r.dirty, response);
    const status = statusOf(response);
    if (status !== undefined && status !== 200) {
      applyHeaders(reply, headers);
      const content = response.values.get('Content');
      reply.code(status);
      if (typeof content === 'string' && content !== '') reply.send(content);
      else reply.send();
      return 'answered';
    }
    const u = r.value;
    if (!isMxObject(u)) return undefined;
    const ctx = await sessions?.contextOfUser?.(u.id);
    if (ctx) applyHeaders(reply, headers);
    return ctx;
  }

  /** Path, query and header parameters, converted to the microflow parameters' types. */
  private bind(parameters: readonly CRestParameter[], pathParams: ReadonlyMap<string, string>, request: FastifyRequest): Map<CRestParameter, Value> {
    const out = new Map<CRestParameter, Value>();
    const query = (request.query ?? {}) as Record<string, string | string[] | undefined>;
    for (const p of parameters) {
      if (p.source === 'body' || p.source === 'request' || p.source === 'response') continue;
      let text: string | undefined;
      if (p.source === 'path') text = pathParams.get(p.key);
      else if (p.source === 'query') {
        const q = Object.hasOwn(query, p.key) ? query[p.key] : undefined;
        text = Array.isArray(q) ? q[0] : typeof q === 'string' ? q : undefined;
      } else {
        const h = Object.hasOwn(request.headers, p.key.toLowerCase()) ? request.headers[p.key.toLowerCase()] : undefined;
        text = Array.isArray(h) ? h[0] : typeof h === 'string' ? h : undefined;
      }
      if (text === undefined) {
        if (p.required) throw malformedRequest(p.key, `is required (${p.source} parameter)`);
        out.set(p, null);
        continue;
      }
      out.set(p, valueFromText(this.deps.model, p.type, text, p.key) as Value);
    }
    return out;
  }

  private async run(op: CRestOperation, user: UserContext, args: Map<CRestParameter, Value>, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const { db, engine, model, ids } = this.deps;
    const bodyParam = op.parameters.find((p) => p.source === 'body');
    const body = bodyParam ? parseBody(request, bodyParam, model) : undefined;
    // The HttpRequest and HttpResponse parameters: the request itself, and a response the microflow may fill.
    const held: MxObject[] = [];
    let response: MxObject | undefined;
    for (const p of op.parameters) {
      if (p.source === 'request') {
        const r = await httpRequestObjects(model, ids, request);
        held.push(...r.all);
        args.set(p, r.message);
      } else if (p.source === 'response') {
        response ??= await newHttpResponse(model, ids);
        held.push(response);
        args.set(p, response);
      }
    }
    // A GET whose microflow provably only reads runs outside a transaction: no BEGIN, SAVEPOINT and COMMIT round trips.
    const readOnly = op.method === 'GET' && !bodyParam && engine.isReadOnly(op.microflow) && (!op.exportMapping || engine.mappingIsReadOnly(op.exportMapping));
    const work = async (inTx: Transaction | undefined) => {
      const tx: Queryable = inTx ?? db;
      const objects: MxObject[] = [...held];
      if (bodyParam && inTx) args.set(bodyParam, await this.importBody(inTx, user, op, bodyParam, body, objects));
      const params: Record<string, Value> = {};
      for (const [p, v] of args) params[p.name] = v;
      const r = await withFeedback(() =>
        inTx
          ? engine.runMicroflow(op.microflow, params, user, inTx as unknown as SqlPort, objects)
          : engine.runWithoutTransaction(op.microflow, params, user, objects),
      );
      if (op.returns?.kind === 'object' && op.returns.entity === HTTP_RESPONSE) return builtAnswer(r.value, r.dirty);
      const a = op.exportMapping
        ? await this.mapped(tx, user, op.exportMapping, op.returns?.kind === 'list', r.value, r.dirty)
        : await this.answer(tx, user, op, r.value);
      if (!response) return a;
      // An HttpResponse parameter: its status and headers win; its content is the body when the microflow returns nothing.
      const content = response.values.get('Content');
      const withContent = !op.returns && typeof content === 'string' && content !== '';
      return {
        ...a,
        status: statusOf(response) ?? (withContent ? 200 : a.status),
        headers: [...(a.headers ?? []), ...headersOf(r.dirty, response)],
        ...(withContent ? { body: content, type: 'text/plain; charset=utf-8' } : {}),
      };
    };
    const answer = readOnly ? await work(undefined) : await db.transaction(work);
    if (answer.headers) applyHeaders(reply, answer.headers);
    reply.code(answer.status);
    if (answer.body === undefined) return void reply.send();
    if (!reply.hasHeader('content-type')) reply.header('Content-Type', answer.type);
    return void reply.send(answer.body);
  }

  /** The body as the body parameter's value: a String as sent; an object or list imported from JSON by attribute name. */
  private async importBody(tx: Transaction, user: UserContext, op: CRestOperation, p: CRestParameter, body: unknown, into: MxObject[]): Promise<Value> {
    if (p.type.kind === 'primitive') return typeof body === 'string' ? body : null;
    if (p.type.kind !== 'object' && p.type.kind !== 'list') return null;
    if (p.type.kind === 'object' && this.deps.model.entities.get(p.type.entity)?.chain.includes(FILE_DOCUMENT))
      return this.fileFromBody(tx, user, p.type.entity, body as FileBody, into);
    if (op.importMapping) {
      const mapping = op.importMapping;
      try {
        const r = await withFeedback(() => this.deps.engine.importWithMapping(mapping, body, user, tx as unknown as SqlPort, 'body'));
        into.push(...r.objects);
        return r.value;
      } catch (e) {
        if (e instanceof MappingError)
          throw e.status === 403 ? new HttpError(403, 'not allowed') : malformedRequest(e.field, e.message.slice(e.field.length + 1));
        throw e;
      }
    }
    const { model, ids } = this.deps;
    const entity = model.entities.get(p.type.entity)!;
    const access = entityAccess(model, user, entity.name);
    if (access.restricted && !access.canCreate) throw new HttpError(403, 'not allowed');
    const importable =
      op.importAttributes ??
      [...entity.attributes.values()].filter((a) => !a.system && !a.calculated && a.type !== 'AutoNumber' && a.type !== 'Binary').map((a) => a.name);
    const one = async (json: unknown, field: string): Promise<MxObject> => {
      if (json === null || typeof json !== 'object' || Array.isArray(json)) throw malformedRequest(field, 'must be a JSON object');
      const obj = await createObject(model, entity.name, ids, user.userId !== null ? { user: user.userId } : {});
      for (const name of importable) {
        if (!Object.hasOwn(json, name)) continue;
        const attr = entity.attributes.get(name)!;
        if (attr.type === 'AutoNumber' || attr.system || attr.calculated || (access.restricted && !access.writable(name)))
          throw malformedRequest(`${field}.${name}`, 'cannot be set');
        setValue(obj, name, valueFromRestJson(model, attr, (json as Record<string, unknown>)[name], `${field}.${name}`));
      }
      for (const n of op.importAssociations) {
        if (!Object.hasOwn(json, n.key)) continue;
        const f = `${field}.${n.key}`;
        if (access.restricted && !access.writable(n.association)) throw malformedRequest(f, 'cannot be set');
        const nested = (json as Record<string, unknown>)[n.key];
        if (nested === null) {
          setReference(obj, n.association, null);
          continue;
        }
        if (typeof nested !== 'object' || Array.isArray(nested) || !Object.hasOwn(nested, n.keyAttribute))
          throw malformedRequest(f, `must be null or an object with ${n.keyAttribute}`);
        const keyAttr = model.entities.get(n.entity)!.attributes.get(n.keyAttribute)!;
        const keyValue = valueFromRestJson(model, keyAttr, (nested as Record<string, unknown>)[n.keyAttribute], `${f}.${n.keyAttribute}`);
        const found = await retrieve(tx, model, this.keyPlan(n.entity, n.keyAttribute), user, { Key: keyValue }, { amount: 1 });
        const target = found.objects[0];
        if (!target) throw malformedRequest(f, `refers to no ${n.entity} the caller can see`);
        setReference(obj, n.association, target.id);
      }
      into.push(obj);
      return obj;
    };
    let value: Value;
    if (p.type.kind === 'object') value = await one(body, 'body');
    else {
      if (!Array.isArray(body)) throw malformedRequest('body', 'must be a JSON array');
      const list: MxObject[] = [];
      for (let i = 0; i < body.length; i++) list.push(await one(body[i], `body.${i}`));
      value = list;
    }
    if (op.importCommit && into.length > 0) {
      if (op.importCommit === true && this.deps.logic) await this.deps.logic.commit(tx, user, into);
      else {
        const weak = await this.deps.security?.beforeCommit(into, tx, user.sessionObjectId);
        if (weak?.length) throw new ValidationFailed(weak.map(({ guid, member, message }) => ({ guid, member, message })));
        await commitObjects(tx, model, into, user.userId !== null ? { user: user.userId } : {});
      }
    }
    return value;
  }

  /**
   * A FileDocument body: a new object of the parameter's entity (the caller must
   * be allowed to create it), committed, holding the body's bytes; named from
   * the request's Content-Disposition filename.
   */
  private async fileFromBody(tx: Transaction, user: UserContext, entity: string, body: FileBody, into: MxObject[]): Promise<MxObject> {
    const { model, ids, engine } = this.deps;
    const files = engine.files();
    if (!files) throw new Error('file contents are not available (no files component)');
    const access = entityAccess(model, user, entity);
    if (access.restricted && !access.canCreate) throw new HttpError(403, 'not allowed');
    const o = await createObject(model, entity, ids, user.userId !== null ? { user: user.userId } : {});
    await commitObjects(tx, model, [o], user.userId !== null ? { user: user.userId } : {});
    const name = body.name;
    const w = await files.write(o, body.bytes, name, tx as unknown as SqlPort);
    o.values.set('Size', BigInt(w.size));
    o.values.set('HasContents', true);
    if (name !== undefined) o.values.set('Name', name);
    into.push(o);
    return o;
  }

  /** A FileDocument result: its contents as they are (application/octet-stream, named); an empty, unreadable or contentless one is a 404. */
  private async fileAnswer(tx: Queryable, user: UserContext, value: Value): Promise<Answer> {
    if (!isMxObject(value)) throw new HttpError(404, 'not found');
    const rights = (await this.rightsOf(tx, user, [value])).get(value);
    if (rights === undefined) throw new HttpError(404, 'not found');
    const s = await this.deps.engine.files()?.read(value, tx as unknown as SqlPort);
    if (!s) throw new HttpError(404, 'not found');
    const parts: Buffer[] = [];
    for await (const c of s) parts.push(Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array));
    const name = value.values.get('Name');
    const filename = typeof name === 'string' && name !== '' && (rights === 'all' || (rights.get('Name') ?? 'None') !== 'None') ? name : 'file';
    return {
      status: 200,
      type: 'application/octet-stream',
      body: Buffer.concat(parts),
      headers: [['Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`]],
    };
  }

  /** The result through the operation's export mapping, showing only what the caller may read (an unreadable single object is a 404). */
  private async mapped(tx: Queryable, user: UserContext, mapping: string, list: boolean, value: Value, held: readonly MxObject[]): Promise<Answer> {
    if (!list && !isMxObject(value)) throw new HttpError(404, 'not found');
    const text = await this.deps.engine.exportWithMapping(mapping, value, user, tx as unknown as SqlPort, held, (objects) => this.rightsOf(tx, user, objects));
    if (text === undefined) throw new HttpError(404, 'not found');
    return { status: 200, type: 'application/json; charset=utf-8', body: text };
  }

  /** What the microflow returned, as the answer: JSON of readable members for objects, text for a primitive, 204 for nothing. */
  private async answer(tx: Queryable, user: UserContext, op: CRestOperation, value: Value): Promise<Answer> {
    const rt = op.returns;
    if (!rt) return { status: 204, type: '' };
    if (rt.kind === 'object' && this.deps.model.entities.get(rt.entity)?.chain.includes(FILE_DOCUMENT)) return this.fileAnswer(tx, user, value);
    if (rt.kind === 'object' || rt.kind === 'list') {
      const objects = rt.kind === 'object' ? (isMxObject(value) ? [value] : []) : Array.isArray(value) ? (value as MxObject[]).filter(isMxObject) : [];
      const rights = await this.rightsOf(tx, user, objects);
      // Nested objects per exported association: loaded at once, under the caller's read constraint and member rights.
      const nested = new Map<string, Map<bigint, string>>();
      for (const n of op.exportAssociations) {
        const ids = new Set<bigint>();
        for (const o of objects) {
          const r = rights.get(o);
          if (r === undefined || (r !== 'all' && (r.get(n.association) ?? 'None') === 'None')) continue;
          const ref = o.references.get(n.association);
          if (typeof ref === 'bigint') ids.add(ref);
        }
        nested.set(n.association, await this.loadNested(tx, user, n, [...ids]));
      }
      const texts: string[] = [];
      for (const o of objects) {
        const r = rights.get(o);
        if (r === undefined) continue;
        texts.push(this.objectJson(rt.entity, op.exportAttributes, o, r, op.exportAssociations, nested));
      }
      if (rt.kind === 'object') {
        if (texts.length === 0) throw new HttpError(404, 'not found');
        return { status: 200, type: 'application/json; charset=utf-8', body: texts[0]! };
      }
      return { status: 200, type: 'application/json; charset=utf-8', body: `[${texts.join(',')}]` };
    }
    if (value === null || value === undefined) return { status: 204, type: '' };
    const text =
      value instanceof Date
        ? value.toISOString()
        : typeof value === 'object' && value !== null && 'toFixed' in value
          ? (value as { toFixed(): string }).toFixed()
          : String(value);
    return { status: 200, type: 'text/plain; charset=utf-8', body: text };
  }

  private objectJson(
    declared: string,
    attributes: readonly string[] | undefined,
    o: MxObject,
    rights: ReadonlyMap<string, MemberRight> | 'all',
    associations: readonly CRestNested[] = [],
    nested?: ReadonlyMap<string, ReadonlyMap<bigint, string>>,
  ): string {
    const entity = this.deps.model.entities.get(declared)!;
    const names = attributes ?? [...entity.attributes.keys()];
    const parts: string[] = [];
    for (const name of names) {
      const attr = entity.attributes.get(name)!;
      if (rights !== 'all' && (rights.get(name) ?? 'None') === 'None') continue;
      const text = valueToJsonText(attr, o.values.get(name));
      if (text !== undefined) parts.push(`${JSON.stringify(name)}:${text}`);
    }
    for (const n of associations) {
      if (rights !== 'all' && (rights.get(n.association) ?? 'None') === 'None') continue;
      const ref = o.references.get(n.association);
      parts.push(`${JSON.stringify(n.key)}:${(typeof ref === 'bigint' && nested?.get(n.association)?.get(ref)) || 'null'}`);
    }
    return `{${parts.join(',')}}`;
  }

  /** The JSON of associated objects by id: those the caller may read, with the members it may read on each. */
  private async loadNested(tx: Queryable, user: UserContext, n: CRestNested, ids: readonly bigint[]): Promise<Map<bigint, string>> {
    const out = new Map<bigint, string>();
    for (let i = 0; i < ids.length; i += ID_CHUNK) {
      const part = ids.slice(i, i + ID_CHUNK);
      const vars: Record<string, unknown> = {};
      part.forEach((id, j) => {
        vars[`Id${j}`] = id;
      });
      const r = await retrieve(tx, this.deps.model, this.byIdPlan(n.entity, part.length, true), user, vars, {});
      r.objects.forEach((o, j) => {
        const access = entityAccess(this.deps.model, user, o.entity);
        const rights = access.restricted ? access.rightsFor(r.matched?.[j] ?? access.rules.map(() => true)) : 'all';
        out.set(o.id, this.objectJson(n.entity, n.attributes, o, rights));
      });
    }
    return out;
  }

  /**
   * Member rights per returned object, from the access rules each matches (one
   * SELECT per entity and chunk of ids); objects the caller may not read at all
   * are missing from the map. New objects pass every rule's XPath.
   */
  private async rightsOf(tx: Queryable, user: UserContext, objects: readonly MxObject[]): Promise<Map<MxObject, ReadonlyMap<string, MemberRight> | 'all'>> {
    const out = new Map<MxObject, ReadonlyMap<string, MemberRight> | 'all'>();
    const byEntity = new Map<string, MxObject[]>();
    for (const o of objects) {
      const access = entityAccess(this.deps.model, user, o.entity);
      if (!access.restricted) out.set(o, 'all');
      else if (access.rules.length === 0) continue;
      else if (o.state === 'new' || access.rules.every((r) => !r.xpath)) out.set(o, access.rightsFor(access.rules.map(() => true)));
      else byEntity.set(o.entity, [...(byEntity.get(o.entity) ?? []), o]);
    }
    for (const [entity, list] of byEntity) {
      const access = entityAccess(this.deps.model, user, entity);
      for (let i = 0; i < list.length; i += ID_CHUNK) {
        const part = list.slice(i, i + ID_CHUNK);
        const vars: Record<string, unknown> = {};
        part.forEach((o, j) => {
          vars[`Id${j}`] = o.id;
        });
        const r = await retrieve(tx, this.deps.model, this.byIdPlan(entity, part.length), user, vars, { matchRulesOnly: true });
        const matched = new Map(r.objects.map((o, j) => [o.id, r.matched?.[j] ?? access.rules.map(() => true)]));
        for (const o of part) {
          const m = matched.get(o.id);
          if (m?.some(Boolean)) out.set(o, access.rightsFor(m));
        }
      }
    }
    return out;
  }

  /** `//Entity[Attr = $Key]`, compiled once per entity and attribute. */
  private keyPlan(entity: string, attribute: string): QueryPlan {
    const key = `${entity}|key|${attribute}`;
    let plan = this.plans.get(key);
    if (!plan) {
      plan = compileQuery(this.deps.model, { xpath: `//${entity}[${attribute} = $Key]`, attributes: [] }, this.deps.db.dialect);
      this.plans.set(key, plan);
    }
    return plan;
  }

  private byIdPlan(entity: string, n: number, full = false): QueryPlan {
    const key = `${entity}|${n}|${full}`;
    let plan = this.plans.get(key);
    if (!plan) {
      const constraint = Array.from({ length: n }, (_, j) => `id = $Id${j}`).join(' or ');
      plan = compileQuery(this.deps.model, { xpath: `//${entity}[${constraint}]`, ...(full ? {} : { attributes: [] }) }, this.deps.db.dialect);
      this.plans.set(key, plan);
    }
    return plan;
  }
}

/** What the operation microflow built as its HttpResponse, sent as it is; an empty one is the microflow's failure (500), as in Mendix. */
function builtAnswer(value: Value, held: readonly MxObject[]): Answer {
  if (!isMxObject(value)) throw new Error('the operation microflow returned an empty HttpResponse');
  const content = value.values.get('Content');
  return {
    status: statusOf(value) ?? 200,
    type: 'text/plain; charset=utf-8',
    headers: headersOf(held, value),
    ...(typeof content === 'string' && content !== '' ? { body: content } : {}),
  };
}

/** A FileDocument body: its bytes and the filename of its Content-Disposition. */
interface FileBody {
  readonly bytes: Buffer;
  readonly name?: string;
}

const FILE_DOCUMENT = 'System.FileDocument';

interface Answer {
  readonly status: number;
  readonly type: string;
  readonly body?: string | Buffer;
  readonly headers?: readonly [string, string][];
}

function matchPath(op: CRestOperation, segments: readonly string[]): Map<string, string> | undefined {
  if (op.segments.length !== segments.length) return undefined;
  const params = new Map<string, string>();
  for (let i = 0; i < segments.length; i++) {
    const s = op.segments[i]!;
    if ('literal' in s) {
      if (s.literal !== segments[i]) return undefined;
    } else params.set(s.param, segments[i]!);
  }
  return params;
}

/** The request body for the body parameter: JSON for objects and lists (400 when not JSON), the text for a String. */
function parseBody(request: FastifyRequest, p: CRestParameter, model: CompiledModel): unknown {
  if (p.type.kind === 'object' && model.entities.get(p.type.entity)?.chain.includes(FILE_DOCUMENT)) {
    const disposition = String(request.headers['content-disposition'] ?? '');
    const name = /filename="?([^";]+)"?/i.exec(disposition)?.[1]?.slice(0, 400);
    return { bytes: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0), ...(name ? { name } : {}) } satisfies FileBody;
  }
  const raw = bodyText(request);
  if (p.type.kind === 'primitive') return raw;
  const type = String(request.headers['content-type'] ?? '');
  if (!/^application\/(json|[\w.+-]+\+json)\s*(;|$)/i.test(type)) throw new HttpError(400, 'unsupported Content-Type: send application/json');
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw malformedRequest('body', 'is not valid JSON');
  }
}

/** Validation and cancelled commits are the caller's 422, as for the client API. */
export async function withFeedback<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const v = e instanceof ValidationFailedError ? e : e instanceof Error && e.cause instanceof ValidationFailedError ? e.cause : undefined;
    if (v) throw new ValidationFailed(v.feedback.map((f) => ({ guid: idToGuid(f.objectId), member: f.member, message: f.message })));
    const c = e instanceof EventCancelledError ? e : e instanceof Error && e.cause instanceof EventCancelledError ? e.cause : undefined;
    if (c) throw new HttpError(422, `${c.action} was refused by an event handler`, {}, { cause: c });
    throw e;
  }
}
