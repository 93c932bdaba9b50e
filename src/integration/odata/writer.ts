import type { FastifyReply, FastifyRequest } from 'fastify';
import { commitObjects, createObject, deleteObjects, type Transaction } from '../../data/index.js';
import type { MemberRight } from '../../model/compiled/types.js';
import type { CODataNavigation, CODataService, CODataSet } from '../../model/compiled/odata-services.js';
import { setReference, setValue, type MxObject } from '../../objects/mx-object.js';
import { compileQuery, retrieve, type QueryPlan } from '../../query/index.js';
import { entityAccess } from '../../security/entity-access.js';
import { grantRefusal, USER_ROLES_ASSOCIATION } from '../../security/grantable-roles.js';
import { SYSTEM_CONTEXT, type UserContext } from '../../security/user-context.js';
import { valueFromRestJson } from '../json-values.js';
import type { WriteOptions } from './entity-json.js';
import { ODataError } from './errors.js';
import type { SetReader } from './reader.js';
import type { ODataDeps } from './service-handler.js';

const JSON_TYPE = 'application/json; odata.metadata=minimal; charset=utf-8';

/**
 * Inserts, updates and deletes per the set's capabilities, through the same
 * commit and delete logic as the client API (validation rules, event
 * handlers, delete behaviour) and with the caller's entity access: create and
 * delete rights, and per member the write right on the object as the access
 * rules it matches give it. References are set from the owner side with
 * `Nav@odata.bind: "Set(ID)"` or `Nav: {"@id": "Set(ID)"}`, to entities the
 * caller can read.
 */
export class EntityWriter {
  private readonly plans = new Map<string, QueryPlan>();

  constructor(
    private readonly deps: ODataDeps,
    private readonly service: CODataService,
    private readonly reader: SetReader,
  ) {}

  async insert(request: FastifyRequest, reply: FastifyReply, set: CODataSet, user: UserContext, write: WriteOptions): Promise<void> {
    const { model, ids, db, logic } = this.deps;
    const access = entityAccess(model, user, set.entity);
    if (access.restricted && !access.canCreate) throw new ODataError(403, `you may not create ${set.typeName} entities`);
    const body = jsonBody(request);
    const id = await db.transaction(async (tx) => {
      const obj = await createObject(model, set.entity, ids, user.userId !== null ? { user: user.userId } : {});
      await logic?.afterCreate?.(tx, user, obj);
      const rights = access.restricted ? new Map(access.writableMembers.map((m) => [m, 'ReadWrite' as MemberRight])) : 'all';
      await this.apply(tx, set, obj, body, rights, user);
      await this.commit(tx, user, obj);
      return obj.id;
    });
    const r = await this.reader.page(db, set, user, {}, { extra: { xpath: '[id = $k0]', variables: { k0: id } } }, write);
    reply.code(201).header('Location', `${request.protocol}://${request.headers.host ?? 'localhost'}/${this.service.location}/${set.name}(${id})`);
    const item = r.items[0];
    const context = `"@odata.context":${JSON.stringify(`/${this.service.location}/$metadata#${set.name}/$entity`)}`;
    reply.type(JSON_TYPE).send(`{${[context, ...(item ? item.parts : [`"ID":${write.ieee754 ? `"${id}"` : id}`])].join(',')}}`);
  }

  /** PATCH: 204, or with `Prefer: return=representation` 200 and the entity as the caller now sees it. */
  async update(request: FastifyRequest, reply: FastifyReply, set: CODataSet, id: bigint, user: UserContext, write: WriteOptions): Promise<void> {
    const body = jsonBody(request);
    await this.deps.db.transaction(async (tx) => {
      const { obj, rights } = await this.load(tx, set, id, user);
      await this.apply(tx, set, obj, body, rights, user);
      await this.commit(tx, user, obj);
    });
    if (!/return=representation/i.test(String(request.headers.prefer ?? ''))) return void reply.code(204).send();
    const r = await this.reader.page(this.deps.db, set, user, {}, { extra: { xpath: '[id = $k0]', variables: { k0: id } } }, write);
    const item = r.items[0];
    if (!item) return void reply.code(204).send();
    reply.header('Preference-Applied', 'return=representation');
    const context = `"@odata.context":${JSON.stringify(`/${this.service.location}/$metadata#${set.name}/$entity`)}`;
    reply
      .code(200)
      .type(JSON_TYPE)
      .send(`{${[context, ...item.parts].join(',')}}`);
  }

  async remove(reply: FastifyReply, set: CODataSet, id: bigint, user: UserContext): Promise<void> {
    const { model, logic } = this.deps;
    await this.deps.db.transaction(async (tx) => {
      const { obj, deletable } = await this.load(tx, set, id, user);
      if (!deletable) throw new ODataError(403, `you may not delete this ${set.typeName}`);
      if (logic) await logic.delete(tx, user, [obj]);
      else await deleteObjects(tx, model, [obj]);
    });
    reply.code(204).send();
  }

  private async commit(tx: Transaction, user: UserContext, obj: MxObject): Promise<void> {
    if (this.deps.logic) await this.deps.logic.commit(tx, user, [obj]);
    else await commitObjects(tx, this.deps.model, [obj], user.userId !== null ? { user: user.userId } : {});
  }

  /** The entity with every member, if the caller can read it (404 otherwise), with its member rights and whether the caller may delete it. */
  private async load(
    tx: Transaction,
    set: CODataSet,
    id: bigint,
    user: UserContext,
  ): Promise<{ obj: MxObject; rights: ReadonlyMap<string, MemberRight> | 'all'; deletable: boolean }> {
    const { model } = this.deps;
    const r = await retrieve(tx, model, this.fullPlan(set.entity), user, { k0: id }, { matchRulesOnly: true });
    const obj = r.objects[0];
    if (!obj) throw new ODataError(404, `no ${set.typeName} with ID ${id}`);
    const access = entityAccess(model, user, obj.entity);
    if (!access.restricted) return { obj, rights: 'all', deletable: true };
    const m = r.matched?.[0] ?? access.rules.map(() => true);
    if (!m.some(Boolean)) throw new ODataError(404, `no ${set.typeName} with ID ${id}`);
    return { obj, rights: access.rightsFor(m), deletable: access.canDelete && access.rules.some((rule, i) => m[i] && rule.delete) };
  }

  /** Sets the body's properties and references on the object: each must be published and writable by the caller on it. */
  private async apply(
    tx: Transaction,
    set: CODataSet,
    obj: MxObject,
    body: Record<string, unknown>,
    rights: ReadonlyMap<string, MemberRight> | 'all',
    user: UserContext,
  ): Promise<void> {
    const { model } = this.deps;
    const entity = model.entities.get(obj.entity)!;
    const canWrite = (member: string) => rights === 'all' || rights.get(member) === 'ReadWrite';
    for (const [key, value] of Object.entries(body)) {
      if (key.startsWith('@')) continue;
      const bind = key.endsWith('@odata.bind') ? key.slice(0, -'@odata.bind'.length) : undefined;
      const navName = bind ?? key;
      const nav = set.navigations.find((n) => n.name === navName);
      if (nav) {
        if (bind === undefined && (value === null || typeof value !== 'object' || Array.isArray(value) || !('@id' in value)))
          throw new ODataError(
            400,
            `${key}: set a reference with "${key}@odata.bind": "${nav.target}(ID)" or {"@id": "${nav.target}(ID)"} (deep inserts are not supported)`,
            key,
          );
        // From the child side only an association owned by both ends (the child's rules then decide, as from the parent side).
        if (!nav.fromParent && !entity.alsoOwns?.includes(nav.association))
          throw new ODataError(400, `${key}: this association is set from the other side (${nav.target})`, key);
        if (!canWrite(nav.association)) throw new ODataError(403, `you may not set '${navName}' of this ${set.typeName}`, key);
        await this.bind(tx, nav, obj, bind === undefined ? (value as { '@id': unknown })['@id'] : value, key, user);
        continue;
      }
      if (key === 'ID') throw new ODataError(400, 'ID is given by the service and cannot be set', key);
      if (key.includes('@')) continue;
      if (!set.properties.some((p) => p.name === key)) throw new ODataError(400, `${set.typeName} has no property '${key}'`, key);
      const attr = entity.attributes.get(key)!;
      if (attr.type === 'AutoNumber' || attr.system || attr.calculated) throw new ODataError(400, `'${key}' is set by the runtime and cannot be written`, key);
      if (!canWrite(key)) throw new ODataError(403, `you may not write '${key}' of this ${set.typeName}`, key);
      setValue(obj, key, valueFromRestJson(model, attr, value, key));
    }
  }

  private async bind(tx: Transaction, nav: CODataNavigation, obj: MxObject, value: unknown, field: string, user: UserContext): Promise<void> {
    const target = this.reader.setNamed(nav.target)!;
    const refs = nav.collection ? value : [value];
    if (nav.collection && !Array.isArray(refs)) throw new ODataError(400, `${field}: a collection is bound with an array of "${target.name}(ID)"`, field);
    const out: bigint[] = [];
    for (const ref of refs as unknown[]) {
      if (ref === null && !nav.collection) {
        setReference(obj, nav.association, null);
        return;
      }
      const m = typeof ref === 'string' ? /(?:^|\/)([A-Za-z_][A-Za-z0-9_]*)\((?:ID=)?(\d{1,19})\)$/.exec(ref) : null;
      if (!m || m[1] !== target.name) throw new ODataError(400, `${field}: expected a reference such as "${target.name}(ID)"`, field);
      const id = BigInt(m[2]!);
      const plan = this.reader.plan(`//${target.entity}[id = $k0]`, []);
      const found = await retrieve(tx, this.deps.model, plan, user, { k0: id }, { amount: 1 });
      if (!found.objects[0]) throw new ODataError(400, `${field}: refers to no ${target.typeName} you can see`, field);
      out.push(id);
    }
    if (nav.association === USER_ROLES_ASSOCIATION) await this.checkGrants(tx, obj, out, field, user);
    setReference(obj, nav.association, nav.collection ? out : (out[0] ?? null));
  }

  /** Roles added to or removed from a user must be ones the caller's roles may grant (System.grantableRoles). */
  private async checkGrants(tx: Transaction, obj: MxObject, next: readonly bigint[], field: string, user: UserContext): Promise<void> {
    const cur = obj.references.get(USER_ROLES_ASSOCIATION);
    const had = new Set<bigint>(Array.isArray(cur) ? (cur as bigint[]) : []);
    const now = new Set(next);
    const changed = [...next.filter((id) => !had.has(id)), ...[...had].filter((id) => !now.has(id))];
    if (changed.length === 0) return;
    const plan = this.fullPlan('System.UserRole');
    const names: string[] = [];
    for (const id of changed) {
      const r = await retrieve(tx, this.deps.model, plan, SYSTEM_CONTEXT, { k0: id }, { amount: 1 });
      names.push(String(r.objects[0]?.values.get('Name') ?? ''));
    }
    const refusal = grantRefusal(this.deps.model, user, names);
    if (refusal) throw new ODataError(403, refusal, field);
  }

  private fullPlan(entity: string): QueryPlan {
    let plan = this.plans.get(entity);
    if (!plan) {
      plan = compileQuery(this.deps.model, { xpath: `//${entity}[id = $k0]` }, this.deps.db.dialect);
      this.plans.set(entity, plan);
    }
    return plan;
  }
}

function jsonBody(request: FastifyRequest): Record<string, unknown> {
  const type = String(request.headers['content-type'] ?? '');
  if (!/^application\/json\b/i.test(type)) throw new ODataError(415, 'send the entity as application/json');
  let body: unknown;
  try {
    body = JSON.parse(typeof request.body === 'string' ? request.body : '');
  } catch {
    throw new ODataError(400, 'the body is not valid JSON');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ODataError(400, 'the body must be a JSON object (one entity)');
  return body as Record<string, unknown>;
}
