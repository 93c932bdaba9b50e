import type { Logger } from '../../core/logger.js';
import { ownedAssociations } from '../../model/compiled/owned-associations.js';
import type { CEntity, CompiledModel, MemberRight } from '../../model/compiled/types.js';
import { getValue, guidOf, setReference, setValue, withKnownId, type MxObject } from '../../objects/mx-object.js';
import { guidToId, idToGuid, type AssociationValue, type AttributeValue, type ObjectId } from '../../objects/values.js';
import { clientPasswordRefusal } from '../../security/client-passwords.js';
import { entityAccess, type EntityAccess } from '../../security/entity-access.js';
import { grantRefusal, USER_ROLES_ASSOCIATION } from '../../security/grantable-roles.js';
import { SYSTEM_CONTEXT, type UserContext } from '../../security/user-context.js';
import { ValidationFailed, type BackendTx, type ClientApiBackend } from '../backend.js';
import { ClientApiError, malformed } from '../errors.js';
import type { ClientObject, RuntimeOperationRequest } from '../protocol/request.js';
import { objectVersion } from '../protocol/serialize.js';
import type { SessionSigner } from '../protocol/signing.js';
import { valueFromJson, valueFromSigned } from '../protocol/values.js';
import { Guid } from '../../http/xas-wire.js';

/** An object id as the wire allows it (at most 2^63 - 1). */
const GUID = new RegExp(Guid.pattern!);

/** An object an operation works on, with the user's rights on it. */
export interface ResolvedObject {
  readonly object: MxObject;
  rights(member: string): MemberRight;
  readonly deletable: boolean;
}

/**
 * A resolved object: its member rights are those of the rules the loaded object matches
 * (`memberRights`), or for an object the client holds as new, the entity access's (every
 * rule: a new object passes every XPath). One class rather than a closure per object.
 */
class Resolved implements ResolvedObject {
  constructor(
    readonly object: MxObject,
    readonly deletable: boolean,
    private readonly memberRights: ReadonlyMap<string, MemberRight> | null,
    private readonly access: EntityAccess | null,
  ) {}

  rights(member: string): MemberRight {
    const m = this.memberRights;
    if (m !== null) return m.get(member) ?? 'None';
    const a = this.access!;
    return a.writable(member) ? 'ReadWrite' : a.readable(member) ? 'Read' : 'None';
  }
}

/** A checked change, applied once the whole request checked out: an attribute's value or a reference's ids. */
interface Step {
  readonly object: MxObject;
  readonly member: string;
  readonly attribute: boolean;
  readonly value: AttributeValue | AssociationValue;
}

interface Held {
  readonly client: ClientObject;
  readonly entity: CEntity;
  readonly state: 'new' | 'changed';
  /** changedDate of the persisted object the signed copy was made from. */
  readonly version: number | null;
}

/** Object ids a change sets on a reference (set) member, to be checked before anything is applied. */
interface RefTarget {
  readonly field: string;
  readonly association: string;
  /** The entity the ids must be of: the association's child, or its parent when changed from the child side (owner Both). */
  readonly entity: string;
  readonly ids: readonly ObjectId[];
}

/**
 * The state the client sent with a request: signed objects it holds (new, or
 * changed by the server and not committed) and its own `changes`. Signatures
 * are checked up front against the session's key (a forged, foreign or expired
 * object refuses the whole request), the version of a held persisted object
 * when it is loaded (409 when it changed since it was signed); changes are
 * applied only to members the user may write on that object, and references
 * only to existing objects of the association's entity the user may read.
 */
export class ClientState {
  private readonly held = new Map<string, Held>();

  constructor(
    private readonly model: CompiledModel,
    private readonly backend: ClientApiBackend,
    private readonly user: UserContext,
    private readonly req: RuntimeOperationRequest,
    signer: SessionSigner,
    private readonly log?: Logger,
  ) {
    req.objects.forEach((o, i) => {
      const entity = model.entities.get(o.objectType);
      if (!entity) throw malformed(`objects.${i}.objectType`, `names no entity ('${o.objectType}')`);
      const signed = signer.verify(o.objectType, o.guid, o.attributes, o.hash);
      if (signed === 'invalid' || signed === 'expired') {
        this.refused(o.guid, o.objectType, signed === 'invalid' ? 'signature not valid for this session' : 'signature expired');
        throw new ClientApiError(
          400,
          signed === 'invalid'
            ? `object ${o.guid} was not sent by the server to this session or was altered (signature mismatch): reload`
            : `object ${o.guid} was sent by the server too long ago (signature expired): reload`,
          { field: `objects.${i}.hash` },
        );
      }
      this.held.set(o.guid, { client: o, entity, state: signed.state, version: signed.version });
    });
  }

  /** One warn line per refused client object: who sent what, and why. */
  private refused(guid: string, objectType: string, reason: string): void {
    this.log?.warn({ user: this.user.userName, anonymous: this.user.anonymous, objectType, guid, reason }, 'client object refused');
  }

  /** The object the client holds with this guid: no Map lookup (and hash of the guid's text) when it holds none, as a plain Save or edit. */
  private heldObject(guid: string): Held | undefined {
    return this.held.size === 0 ? undefined : this.held.get(guid);
  }

  isHeldNew(guid: string): boolean {
    return this.held.get(guid)?.state === 'new';
  }

  /**
   * The objects with these ids, with the client's changes applied: held new
   * objects are rebuilt from their signed values; the others are loaded (the
   * user's read constraint applied), then held values and changes applied.
   * `expectEntity` restricts them to an entity and its specializations.
   */
  async resolve(q: BackendTx | null, guids: readonly string[], field: string, expectEntity?: string): Promise<ResolvedObject[]> {
    // By guid; for the usual one guid, no Map: the one object.
    const byGuid = guids.length > 1 ? new Map<string, ResolvedObject>() : undefined;
    let only: ResolvedObject | undefined;
    // The entities to load and their ids, in order of first appearance (few entities: arrays, searched, not Maps).
    const loadEntities: string[] = [];
    const loadIds: ObjectId[][] = [];
    let firstId: ObjectId | undefined;
    for (let i = 0; i < guids.length; i++) {
      const guid = guids[i]!;
      const h = this.heldObject(guid);
      const id = guidToId(guid);
      if (i === 0) firstId = id;
      const entity = h?.entity.name ?? this.backend.entityOfId(id);
      if (!entity) throw new ClientApiError(404, `object ${guid} not found`, { field });
      if (expectEntity && !this.model.entities.get(entity)!.chain.includes(expectEntity)) throw new ClientApiError(403, 'not allowed');
      if (h?.state === 'new') {
        const obj = this.backend.instantiate(entity, id);
        this.applyHeld(obj, h);
        const r = new Resolved(obj, true, null, entityAccess(this.model, this.user, entity));
        if (byGuid) byGuid.set(guid, r);
        else only = r;
      } else {
        let k = loadEntities.indexOf(entity);
        if (k < 0) {
          k = loadEntities.length;
          loadEntities.push(entity);
          loadIds.push([]);
        }
        loadIds[k]!.push(id);
      }
    }
    for (let k = 0; k < loadEntities.length; k++) {
      const entity = loadEntities[k]!;
      const loaded = await this.backend.load(q, this.user, entity, loadIds[k]!);
      const hasVersion = this.model.entities.get(entity)!.systemMembers.changedDate;
      for (const l of loaded) {
        // The guid the object was read with (the id's canonical text): no id parsed and written back for it.
        const guid = guidOf(l.object);
        const h = this.heldObject(guid);
        if (h && hasVersion && objectVersion(true, l.object) !== h.version) {
          this.refused(guid, entity, 'stale: the object changed since it was signed');
          throw new ClientApiError(409, `object ${guid} was changed since it was sent to the client: reload it`, { field });
        }
        if (h) this.applyHeld(l.object, h);
        const r = new Resolved(l.object, l.deletable, l.rights, null);
        if (byGuid) byGuid.set(guid, r);
        else if (guid === guids[0]) {
          // The id parsed from this same text above: the commit's statements use it without parsing the text again.
          withKnownId(l.object, guid, firstId!);
          only = r;
        }
      }
    }
    const result: ResolvedObject[] = [];
    const planned: Step[] = [];
    const targets: RefTarget[] = [];
    const grants: RefTarget[] = [];
    for (let i = 0; i < guids.length; i++) {
      const guid = guids[i]!;
      const r = byGuid ? byGuid.get(guid) : only;
      if (!r) throw new ClientApiError(404, `object ${guid} not found`, { field });
      this.planChanges(guid, r, planned, targets, grants);
      result.push(r);
    }
    if (targets.length) await this.checkTargets(q, targets);
    if (grants.length) await this.checkGrants(q, grants);
    // Everything checked: only now are the objects touched.
    for (const p of planned) {
      if (p.attribute) setIfDifferent(p.object, p.member, p.value as AttributeValue);
      else setRefIfDifferent(p.object, p.member, p.value as AssociationValue);
    }
    return result;
  }

  /**
   * Objects the client sets on references must exist, be of the association's
   * entity (or a specialization) and be readable by the user: one SELECT (the
   * user's read constraint applied) per target entity, for all references of
   * the request. Missing and unreadable targets get the same answer.
   */
  private async checkTargets(q: BackendTx | null, targets: readonly RefTarget[]): Promise<void> {
    const toQuery = new Map<string, Map<ObjectId, string>>();
    const refuse = (t: RefTarget, id: ObjectId): never => {
      this.refused(idToGuid(id), t.entity, `${t.field}: no readable object`);
      throw new ClientApiError(403, `not allowed: '${t.field}' refers to an object that does not exist or that the user may not read`, { field: t.field });
    };
    for (const t of targets) {
      const child = t.entity;
      for (const id of t.ids) {
        const h = this.held.get(idToGuid(id));
        const entity = h?.entity.name ?? this.backend.entityOfId(id);
        const e = entity === undefined ? undefined : this.model.entities.get(entity);
        if (!e || !e.chain.includes(child)) {
          this.refused(idToGuid(id), entity ?? '?', `${t.field}: not a ${child}`);
          throw new ClientApiError(400, `malformed request: '${t.field}' must refer to a ${child} object`, { field: t.field });
        }
        if (h?.state === 'new') {
          // Created by the server for this session (signed): it exists; readable when any rule lets the user read it.
          const access = entityAccess(this.model, this.user, e.name);
          if (access.restricted && access.rules.length === 0) refuse(t, id);
          continue;
        }
        if (!e.persistable) refuse(t, id);
        const ids = toQuery.get(e.name) ?? new Map<ObjectId, string>();
        if (!ids.has(id)) ids.set(id, t.field);
        toQuery.set(e.name, ids);
      }
    }
    for (const [entity, ids] of toQuery) {
      const found = await this.backend.readableIds(q, this.user, entity, [...ids.keys()]);
      for (const [id, f] of ids) if (!found.has(id)) refuse(targets.find((t) => t.field === f)!, id);
    }
  }

  /** Values the server signed: trusted, set without write checks. */
  private applyHeld(obj: MxObject, h: Held): void {
    for (const [name, v] of Object.entries(h.client.attributes)) {
      const attr = h.entity.attributes.get(name);
      if (attr) setIfDifferent(obj, name, valueFromSigned(this.model, attr, v, `objects.${h.client.guid}.${name}`));
      else if (ownedAssociations(h.entity).includes(name)) setRefIfDifferent(obj, name, refFromJson(this.model, name, v, `objects.${h.client.guid}.${name}`));
    }
  }

  /**
   * The client's own changes: each member must exist and be writable by the
   * user on this object. Returned as steps (applied once the whole request
   * checked out) and the newly set reference targets to check.
   */
  private planChanges(guid: string, r: ResolvedObject, planned: Step[], targets: RefTarget[], grants: RefTarget[]): void {
    const changes = this.req.changes.get(guid);
    if (!changes) return;
    const entity = this.model.entities.get(r.object.entity)!;
    for (const [member, v] of changes) {
      const field = `changes.${guid}.${member}`;
      const attr = entity.attributes.get(member);
      // Both-owned associations are changeable from the child side too (when its rules grant write).
      const isRef = !attr && ownedAssociations(entity).includes(member);
      if (!attr && !isRef) throw malformed(field, `names no member of ${entity.name}`);
      if (r.rights(member) !== 'ReadWrite') throw new ClientApiError(403, `not allowed to change ${entity.name}.${member}`, { field });
      if (attr) {
        const value = valueFromJson(this.model, attr, v, field);
        this.checkPassword(guid, r.object, entity, member, value, field);
        planned.push({ object: r.object, member, attribute: true, value });
      } else {
        const value = refFromJson(this.model, member, v, field);
        // Only what the client adds is checked: ids the object already refers to stay (even unreadable ones).
        const cur = r.object.references.get(member);
        const had = new Set<ObjectId>(cur === undefined || cur === null ? [] : Array.isArray(cur) ? (cur as ObjectId[]) : [cur as ObjectId]);
        const added = (value === null ? [] : Array.isArray(value) ? (value as ObjectId[]) : [value as ObjectId]).filter((id) => !had.has(id));
        const a = this.model.associations.get(member)!;
        if (added.length) targets.push({ field, association: member, entity: entity.parentOf.includes(member) ? a.child : a.parent, ids: added });
        if (member === USER_ROLES_ASSOCIATION && this.user.applyEntityAccess) {
          const now = new Set(Array.isArray(value) ? (value as ObjectId[]) : []);
          const removed = [...had].filter((id) => !now.has(id));
          if (added.length || removed.length) grants.push({ field, association: member, entity: a.child, ids: [...added, ...removed] });
        }
        planned.push({ object: r.object, member, attribute: false, value });
      }
    }
  }

  /**
   * Roles added to or removed from a user must be ones the caller's roles may
   * grant (System.grantableRoles). Their names are read without the caller's
   * read constraint: whether the role exists and is readable is checkTargets' answer.
   */
  private async checkGrants(q: BackendTx | null, grants: readonly RefTarget[]): Promise<void> {
    for (const g of grants) {
      const roles = await this.backend.load(q, SYSTEM_CONTEXT, 'System.UserRole', g.ids);
      const refusal = grantRefusal(
        this.model,
        this.user,
        roles.map((r) => String(r.object.values.get('Name') ?? '')),
      );
      if (refusal) {
        const guid = g.field.split('.')[1] ?? '';
        this.refused(guid, this.held.get(guid)?.entity.name ?? this.backend.entityOfId(guidToId(guid)) ?? 'System.User', `${g.field}: ${refusal}`);
        throw new ClientApiError(403, refusal, { field: g.field });
      }
    }
  }

  /** One's own password only through change_password; never a pre-hashed value (src/security/client-passwords.ts). */
  private checkPassword(guid: string, obj: MxObject, entity: CEntity, member: string, value: AttributeValue, field: string): void {
    const refusal = clientPasswordRefusal(this.user, entity, obj.id, member, value);
    if (!refusal) return;
    this.refused(guid, entity.name, `${field}: ${refusal.kind}`);
    if (refusal.kind === 'own-password') throw new ClientApiError(403, refusal.message, { field });
    throw new ValidationFailed([{ guid, member, message: refusal.message }]);
  }
}

function refFromJson(model: CompiledModel, association: string, v: unknown, field: string): AssociationValue {
  const a = model.associations.get(association)!;
  const one = (x: unknown): bigint => {
    if (typeof x !== 'string' || !GUID.test(x)) throw malformed(field, Guid.errorMessage as string);
    return guidToId(x);
  };
  if (a.type === 'Reference') return v === null || v === undefined || v === '' ? null : one(v);
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) throw malformed(field, 'must be a list of object ids');
  return v.map(one);
}

function sameValue(a: AttributeValue | undefined, b: AttributeValue): boolean {
  if (a === undefined) return false;
  if (a === null || b === null) return a === b;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (typeof a === 'object' && typeof b === 'object' && 'equals' in (a as object) && 'equals' in (b as object)) {
    return (a as { equals(x: unknown): boolean }).equals(b);
  }
  if (a instanceof Uint8Array || b instanceof Uint8Array) return false;
  return a === b;
}

// Through the object's slot helpers: no Map view of the values or Set of the changed names made for it.
function setIfDifferent(obj: MxObject, name: string, value: AttributeValue): void {
  if (obj.state === 'persisted' && sameValue(getValue(obj, name), value)) return;
  setValue(obj, name, value);
}

function setRefIfDifferent(obj: MxObject, name: string, value: AssociationValue): void {
  const cur = obj.references.get(name);
  const same = Array.isArray(value) && Array.isArray(cur) ? value.length === cur.length && value.every((x, i) => x === cur[i]) : cur === value;
  if (obj.state === 'persisted' && same) return;
  setReference(obj, name, value);
}
