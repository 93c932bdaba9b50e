import type { FastifyReply, FastifyRequest } from 'fastify';
import { isPublicError } from '../../core/errors.js';
import type { Database, IdGenerator } from '../../data/index.js';
import type { CompiledModel } from '../../model/compiled/types.js';
import type { CODataAction, CODataNavigation, CODataService, CODataSet } from '../../model/compiled/odata-services.js';
import { filterable } from '../../security/entity-access.js';
import type { SecurityService, SessionsService } from '../../security/services.js';
import type { UserContext } from '../../security/user-context.js';
import type { ObjectLogic } from '../../client-api/ports.js';
import type { MicroflowEngine } from '../../logic/engine/engine.js';
import { runAction } from './actions.js';
import { ValidationFailed } from '../../client-api/backend.js';
import { ServiceAuthenticator } from '../authentication.js';
import type { WriteOptions } from './entity-json.js';
import { ODataError, odataErrorBody } from './errors.js';
import { metadataXml, serviceDocument } from './metadata.js';
import { parseOptions, type RequestOptions } from './options.js';
import { SetReader } from './reader.js';
import { EntityWriter } from './writer.js';

export interface ODataDeps {
  readonly model: CompiledModel;
  readonly db: Database;
  readonly ids: IdGenerator;
  readonly sessions: SessionsService | undefined;
  readonly security: SecurityService | undefined;
  readonly logic: ObjectLogic | undefined;
  readonly engine: MicroflowEngine;
}

const JSON_TYPE = 'application/json; odata.metadata=minimal; charset=utf-8';
/** Largest page a client may ask for with `Prefer: odata.maxpagesize` (or get without a set page size) - a guard, not a default. */
const MAX_PAGE = 10_000;

type Target =
  | { readonly kind: 'service' }
  | { readonly kind: 'action'; readonly action: CODataAction }
  | { readonly kind: 'metadata' }
  | { readonly kind: 'set'; readonly set: CODataSet }
  | { readonly kind: 'count'; readonly set: CODataSet }
  | { readonly kind: 'query'; readonly set: CODataSet }
  | { readonly kind: 'entity'; readonly set: CODataSet; readonly id: bigint }
  /** `Orders(1)/Customer`, `Customers(1)/Orders`, `Customers(1)/Orders/$count`. */
  | { readonly kind: 'navigation'; readonly set: CODataSet; readonly id: bigint; readonly nav: CODataNavigation; readonly count: boolean };

/**
 * Serves one published OData v4 service under its location: the service
 * document, `$metadata`, entity sets (GET with the query options, `/$count`,
 * `POST .../$query`), entities by key (GET, PATCH, DELETE) and inserts (POST),
 * each per the set's capabilities; authentication as for published REST.
 * Every error is OData's JSON error body with its status.
 */
export class ODataServiceHandler {
  readonly base: string;
  readonly metadata: string;
  private readonly auth: ServiceAuthenticator;
  private readonly reader: SetReader;
  private readonly writer: EntityWriter;

  constructor(
    readonly service: CODataService,
    private readonly deps: ODataDeps,
  ) {
    this.base = `/${service.location}`;
    this.metadata = metadataXml(deps.model, service);
    this.auth = new ServiceAuthenticator(service, deps);
    this.reader = new SetReader(deps.model, service, deps.db.dialect);
    this.writer = new EntityWriter(deps, service, this.reader);
  }

  /** `rest`: the URL path below the location (without the leading slash); `query`: the raw query string. */
  async handle(request: FastifyRequest, reply: FastifyReply, rest: string, query: string): Promise<void> {
    reply.header('OData-Version', '4.0');
    try {
      const target = this.route(rest);
      const method = request.method;
      if (target.kind === 'service' || target.kind === 'metadata') {
        this.allow(reply, method, ['GET']);
        // The schema is the service's too: only for callers the service admits.
        if ((await this.auth.authenticate(request, reply)) === 'answered') return;
        if (target.kind === 'metadata') return void reply.type('application/xml; charset=utf-8').send(this.metadata);
        return void reply.type(JSON_TYPE).send(serviceDocument(this.service, this.base));
      }
      if (target.kind === 'action') {
        this.allow(reply, method, ['POST']);
        const user = await this.auth.authenticate(request, reply);
        if (user === 'answered') return;
        const write: WriteOptions = { ieee754: /IEEE754Compatible=true/i.test(String(request.headers.accept ?? '')) };
        return await runAction(this.deps, this.service, this.reader, target.action, request, reply, user, write);
      }
      if (target.kind === 'navigation') {
        this.allow(reply, method, target.set.capabilities.readable ? ['GET'] : []);
        const user = await this.auth.authenticate(request, reply);
        if (user === 'answered') return;
        const write: WriteOptions = { ieee754: /IEEE754Compatible=true/i.test(String(request.headers.accept ?? '')) };
        return await this.getNavigation(request, reply, target, user, parseOptions(query), write);
      }
      const caps = target.set.capabilities;
      const allowed =
        target.kind === 'entity'
          ? [...(caps.readable ? ['GET'] : []), ...(caps.updatable ? ['PATCH'] : []), ...(caps.deletable ? ['DELETE'] : [])]
          : target.kind === 'query'
            ? caps.readable
              ? ['POST']
              : []
            : [...(caps.readable ? ['GET'] : []), ...(target.kind === 'set' && caps.insertable ? ['POST'] : [])];
      this.allow(reply, method, allowed);
      const user = await this.auth.authenticate(request, reply);
      // OData services have no custom authentication microflow: nothing answers for them.
      if (user === 'answered') return;
      const write: WriteOptions = { ieee754: /IEEE754Compatible=true/i.test(String(request.headers.accept ?? '')) };
      if (target.kind === 'entity') {
        if (method === 'GET') return await this.getEntity(reply, target.set, target.id, user, parseOptions(query), write);
        if (method === 'PATCH') return await this.writer.update(request, reply, target.set, target.id, user, write);
        return await this.writer.remove(reply, target.set, target.id, user);
      }
      if (method === 'POST' && target.kind === 'set') return await this.writer.insert(request, reply, target.set, user, write);
      if (target.kind === 'query') {
        const body = typeof request.body === 'string' ? request.body : '';
        if (!/^text\/plain\b/i.test(String(request.headers['content-type'] ?? '')))
          throw new ODataError(415, 'POST $query takes the query options as text/plain');
        return await this.getSet(request, reply, target.set, user, parseOptions(query ? `${query}&${body.trim()}` : body.trim()), write, false);
      }
      return await this.getSet(request, reply, target.set, user, parseOptions(query), write, target.kind === 'count');
    } catch (e) {
      return this.fail(reply, e);
    }
  }

  private allow(reply: FastifyReply, method: string, allowed: readonly string[]): void {
    if (allowed.includes(method)) return;
    reply.header('Allow', allowed.join(', '));
    throw new ODataError(405, `${method} is not allowed here${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ''}`);
  }

  private route(rest: string): Target {
    let path: string;
    try {
      path = decodeURIComponent(rest);
    } catch {
      throw new ODataError(400, 'the URL path is not valid percent-encoding');
    }
    if (path === '' || path === '/') return { kind: 'service' };
    if (path === '$metadata') return { kind: 'metadata' };
    const action = this.service.actions.find((a) => a.name === path);
    if (action) return { kind: 'action', action };
    const n = /^([A-Za-z_][A-Za-z0-9_]*)\((?:ID=)?(\d{1,19})\)\/([A-Za-z_][A-Za-z0-9_]*)(\/\$count)?$/.exec(path);
    if (n) {
      const set = this.service.sets.find((s) => s.name === n[1]);
      const nav = set?.navigations.find((x) => x.name === n[3]);
      const id = BigInt(n[2]!);
      if (!set || !nav || id >= 2n ** 63n || (n[4] && !nav.collection)) throw new ODataError(404, `no resource '${path.slice(0, 200)}' in this service`);
      return { kind: 'navigation', set, id, nav, count: n[4] !== undefined };
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:\((?:ID=)?(\d{1,19})\))?(?:\/(\$count|\$query))?$/.exec(path);
    const set = m ? this.service.sets.find((s) => s.name === m[1]) : undefined;
    if (!m || !set) throw new ODataError(404, `no resource '${path.slice(0, 200)}' in this service`);
    if (m[2] !== undefined) {
      if (m[3]) throw new ODataError(404, `no resource '${path.slice(0, 200)}' in this service`);
      const id = BigInt(m[2]);
      if (id >= 2n ** 63n) throw new ODataError(404, 'no such entity');
      return { kind: 'entity', set, id };
    }
    if (m[3] === '$count') return { kind: 'count', set };
    if (m[3] === '$query') return { kind: 'query', set };
    return { kind: 'set', set };
  }

  private async getSet(
    request: FastifyRequest,
    reply: FastifyReply,
    set: CODataSet,
    user: UserContext,
    opts: RequestOptions,
    write: WriteOptions,
    countOnly: boolean,
    extra?: { xpath: string; variables: Record<string, unknown> },
  ): Promise<void> {
    checkFormat(opts.format);
    const caps = set.capabilities;
    if ((opts.top !== undefined || opts.skip !== undefined) && !caps.topSkip) throw new ODataError(400, `${set.name} does not support $top and $skip`);
    if ((opts.count || countOnly) && !caps.countable) throw new ODataError(400, `${set.name} is not countable`);
    if (countOnly) {
      const r = await this.reader.page(
        this.deps.db,
        set,
        user,
        { ...opts, count: true, select: [], expand: undefined },
        { amount: 1, ...(extra ? { extra } : {}) },
        write,
      );
      return void reply.type('text/plain; charset=utf-8').send(String(r.count ?? 0));
    }
    const prefer = /odata\.maxpagesize=(\d{1,9})/i.exec(String(request.headers.prefer ?? ''));
    const pageSize = Math.min(set.pageSize ?? MAX_PAGE, prefer ? Math.max(1, Number(prefer[1])) : MAX_PAGE);
    const skip = opts.skip ?? 0;
    const top = opts.top;
    // One more than the page: a next link only when there is a next page.
    const wanted = top === undefined ? pageSize + 1 : Math.min(top, pageSize + 1);
    const r =
      top === 0
        ? opts.count
          ? {
              items: [],
              count: (await this.reader.page(this.deps.db, set, user, { ...opts, expand: undefined }, { amount: 1, ...(extra ? { extra } : {}) }, write)).count,
            }
          : { items: [] }
        : await this.reader.page(this.deps.db, set, user, opts, { offset: skip, amount: wanted, ...(extra ? { extra } : {}) }, write);
    const more = r.items.length > pageSize;
    const items = more ? r.items.slice(0, pageSize) : r.items;
    if (prefer && set.pageSize === undefined) reply.header('Preference-Applied', `odata.maxpagesize=${pageSize}`);
    const head = [`"@odata.context":${JSON.stringify(`${this.base}/$metadata#${set.name}`)}`];
    if (r.count !== undefined) head.push(`"@odata.count":${r.count}`);
    const value = `"value":[${items.map((i) => `{${i.parts.join(',')}}`).join(',')}]`;
    const tail: string[] = [];
    if (more) tail.push(`"@odata.nextLink":${JSON.stringify(this.nextLink(request, skip + pageSize, top === undefined ? undefined : top - pageSize))}`);
    reply.type(JSON_TYPE).send(`{${[...head, value, ...tail].join(',')}}`);
  }

  /** The same request's URL for the next page: `$skip` moved on, `$top` what remains; other options as sent. */
  private nextLink(request: FastifyRequest, skip: number, top: number | undefined): string {
    const url = request.url;
    const q = url.indexOf('?');
    const query = q >= 0 ? url.slice(q + 1) : '';
    // POST .../$query: the next page is a GET of the collection with the body's options.
    const body = request.method === 'POST' ? String(request.body ?? '').trim() : '';
    const raw = [query, body].filter(Boolean).join('&');
    const path = (q >= 0 ? url.slice(0, q) : url).replace(/\/\$query$/, '');
    const kept = raw.split('&').filter((p) => p && !/^(\$|%24)(skip|top)=/i.test(p));
    kept.push(`$skip=${skip}`);
    if (top !== undefined) kept.push(`$top=${top}`);
    const host = request.headers.host ?? 'localhost';
    return `${request.protocol}://${host}${path}?${kept.join('&')}`;
  }

  /**
   * The entities related to one entity: the target set's query with the constraint
   * `[Assoc/ParentEntity[id = $n0]]`, which the query engine secures like any path
   * (the parent must be readable too); the association must be readable on every
   * object (as in a filter). A single-valued one is the entity, or 204 when empty.
   */
  private async getNavigation(
    request: FastifyRequest,
    reply: FastifyReply,
    t: Extract<Target, { kind: 'navigation' }>,
    user: UserContext,
    opts: RequestOptions,
    write: WriteOptions,
  ): Promise<void> {
    const { model, db } = this.deps;
    const target = this.reader.setNamed(t.nav.target)!;
    if (!filterable(model, user, this.reader.holds(t.set, t.nav) ? t.set.entity : target.entity, t.nav.association))
      throw new ODataError(403, `you may not read the navigation property '${t.nav.name}' of ${t.set.typeName}`);
    const parent = await this.reader.page(db, t.set, user, { select: [] }, { extra: { xpath: '[id = $k0]', variables: { k0: t.id } } }, write);
    if (parent.items.length === 0) throw new ODataError(404, `no ${t.set.typeName} with ID ${t.id}`);
    const extra = { xpath: `[${t.nav.association}/${t.set.entity}[id = $n0]]`, variables: { n0: t.id } };
    if (t.nav.collection) return this.getSet(request, reply, target, user, opts, write, t.count, extra);
    checkFormat(opts.format);
    if (opts.filter || opts.orderby || opts.top !== undefined || opts.skip !== undefined || opts.count)
      throw new ODataError(400, 'a single-valued navigation takes only $select and $expand');
    const r = await this.reader.page(db, target, user, opts, { extra, amount: 1 }, write);
    const item = r.items[0];
    if (!item) return void reply.code(204).send();
    const context = `"@odata.context":${JSON.stringify(`${this.base}/$metadata#${target.name}/$entity`)}`;
    reply.type(JSON_TYPE).send(`{${[context, ...item.parts].join(',')}}`);
  }

  private async getEntity(reply: FastifyReply, set: CODataSet, id: bigint, user: UserContext, opts: RequestOptions, write: WriteOptions): Promise<void> {
    checkFormat(opts.format);
    if (opts.filter || opts.orderby || opts.top !== undefined || opts.skip !== undefined || opts.count)
      throw new ODataError(400, 'an entity takes only $select and $expand');
    const r = await this.reader.page(this.deps.db, set, user, opts, { extra: { xpath: '[id = $k0]', variables: { k0: id } } }, write);
    const item = r.items[0];
    if (!item) throw new ODataError(404, `no ${set.typeName} with ID ${id}`);
    const context = `"@odata.context":${JSON.stringify(`${this.base}/$metadata#${set.name}/$entity`)}`;
    reply.type(JSON_TYPE).send(`{${[context, ...item.parts].join(',')}}`);
  }

  /** Every public error as OData's error body; validation as 422 with a detail per member; anything else goes to the server's handler (500, logged). */
  private fail(reply: FastifyReply, e: unknown): void {
    if (e instanceof ValidationFailed) {
      return void reply
        .code(422)
        .type(JSON_TYPE)
        .send(
          odataErrorBody(
            422,
            e.feedback.map((f) => f.message).join('; ') || 'validation failed',
            e.feedback.map((f) => ({ target: f.member, message: f.message })),
          ),
        );
    }
    if (isPublicError(e)) {
      const body = e.publicBody();
      if (e.retryAfter !== undefined) reply.header('Retry-After', String(e.retryAfter));
      const field = typeof body.field === 'string' ? body.field : undefined;
      return void reply
        .code(e.status)
        .type(JSON_TYPE)
        .send(odataErrorBody(e.status, body.error, undefined, field));
    }
    throw e;
  }
}

function checkFormat(format: string | undefined): void {
  if (format !== undefined && !/^(json|application\/json)\b/i.test(format))
    throw new ODataError(406, `$format=${format.slice(0, 50)}: this service answers JSON`);
}
