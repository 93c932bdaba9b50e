import type { CEntity, CompiledModel, MemberRight } from '../../model/compiled/types.js';
import type { MxObject } from '../../objects/mx-object.js';
import { guidToId, idToGuid, type AssociationValue, type AttributeValue } from '../../objects/values.js';
import { entityAccess } from '../../security/entity-access.js';
import type { UserContext } from '../../security/user-context.js';
import type { BackendTx, ClientApiBackend } from '../backend.js';
import { ClientApiError, malformed } from '../errors.js';
import type { ClientObject, RuntimeOperationRequest } from '../protocol/request.js';
import type { ObjectSigner } from '../protocol/signing.js';
import { valueFromJson, valueFromSigned } from '../protocol/values.js';
import { Guid } from '../../http/xas-wire.js';

/** An object id as the wire allows it (at most 2^63 - 1). */
const GUID = new RegExp(Guid.pattern!);

/** An object an operation works on, with the user's rights on it. */
export interface ResolvedObject {
  readonly object: MxObject;
  readonly rights: (member: string) => MemberRight;
  readonly deletable: boolean;
}

interface Held {
  readonly client: ClientObject;
  readonly entity: CEntity;
  readonly state: 'new' | 'changed';
}

/**
 * The state the client sent with a request: signed objects it holds (new, or
 * changed by the server and not committed) and its own `changes`. Signatures
 * are checked up front (a forged object refuses the whole request); changes are
 * applied only to members the user may write on that object.
 */
export class ClientState {
  private readonly held = new Map<string, Held>();

  constructor(
    private readonly model: CompiledModel,
    private readonly backend: ClientApiBackend,
    private readonly user: UserContext,
    private readonly req: RuntimeOperationRequest,
    signer: ObjectSigner,
  ) {
    req.objects.forEach((o, i) => {
      const entity = model.entities.get(o.objectType);
      if (!entity) throw malformed(`objects.${i}.objectType`, `names no entity ('${o.objectType}')`);
      const state = signer.verify(o.objectType, o.guid, o.attributes, o.hash);
      if (!state) throw new ClientApiError(400, `object ${o.guid} was not sent by the server or was altered (signature mismatch)`, { field: `objects.${i}.hash` });
      this.held.set(o.guid, { client: o, entity, state });
    });
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
    const out = new Map<string, ResolvedObject>();
    const toLoad = new Map<string, bigint[]>();
    for (const guid of guids) {
      const h = this.held.get(guid);
      const id = guidToId(guid);
      const entity = h?.entity.name ?? this.backend.entityOfId(id);
      if (!entity) throw new ClientApiError(404, `object ${guid} not found`, { field });
      if (expectEntity && !this.model.entities.get(entity)!.chain.includes(expectEntity)) throw new ClientApiError(403, 'not allowed');
      if (h?.state === 'new') {
        const obj = this.backend.instantiate(entity, id);
        this.applyHeld(obj, h);
        const access = entityAccess(this.model, this.user, entity);
        out.set(guid, {
          object: obj, deletable: true,
          rights: (m) => (access.writable(m) ? 'ReadWrite' : access.readable(m) ? 'Read' : 'None'),
        });
      } else {
        const list = toLoad.get(entity) ?? [];
        list.push(id);
        toLoad.set(entity, list);
      }
    }
    for (const [entity, ids] of toLoad) {
      const loaded = await this.backend.load(q, this.user, entity, ids);
      for (const l of loaded) {
        const guid = idToGuid(l.object.id);
        const h = this.held.get(guid);
        if (h) this.applyHeld(l.object, h);
        out.set(guid, { object: l.object, deletable: l.deletable, rights: (m) => l.rights.get(m) ?? 'None' });
      }
    }
    const result: ResolvedObject[] = [];
    for (const guid of guids) {
      const r = out.get(guid);
      if (!r) throw new ClientApiError(404, `object ${guid} not found`, { field });
      this.applyChanges(guid, r);
      result.push(r);
    }
    return result;
  }

  /** Values the server signed: trusted, set without write checks. */
  private applyHeld(obj: MxObject, h: Held): void {
    for (const [name, v] of Object.entries(h.client.attributes)) {
      const attr = h.entity.attributes.get(name);
      if (attr) setIfDifferent(obj, name, valueFromSigned(this.model, attr, v, `objects.${h.client.guid}.${name}`));
      else if (h.entity.parentOf.includes(name)) setRefIfDifferent(obj, name, refFromJson(this.model, name, v, `objects.${h.client.guid}.${name}`));
    }
  }

  /** The client's own changes: each member must exist and be writable by the user on this object. */
  private applyChanges(guid: string, r: ResolvedObject): void {
    const changes = this.req.changes.get(guid);
    if (!changes) return;
    const entity = this.model.entities.get(r.object.entity)!;
    // Check everything first so that a refused change leaves the object untouched.
    const planned: (() => void)[] = [];
    for (const [member, v] of changes) {
      const field = `changes.${guid}.${member}`;
      const attr = entity.attributes.get(member);
      const isRef = !attr && entity.parentOf.includes(member);
      if (!attr && !isRef) throw malformed(field, `names no member of ${entity.name}`);
      if (r.rights(member) !== 'ReadWrite') throw new ClientApiError(403, `not allowed to change ${entity.name}.${member}`, { field });
      if (attr) {
        const value = valueFromJson(this.model, attr, v, field);
        planned.push(() => setIfDifferent(r.object, member, value));
      } else {
        const value = refFromJson(this.model, member, v, field);
        planned.push(() => setRefIfDifferent(r.object, member, value));
      }
    }
    for (const p of planned) p();
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

function setIfDifferent(obj: MxObject, name: string, value: AttributeValue): void {
  if (obj.state === 'persisted' && sameValue(obj.values.get(name), value)) return;
  obj.values.set(name, value);
  obj.changed.add(name);
}

function setRefIfDifferent(obj: MxObject, name: string, value: AssociationValue): void {
  const cur = obj.references.get(name);
  const same = Array.isArray(value) && Array.isArray(cur)
    ? value.length === cur.length && value.every((x, i) => x === cur[i])
    : cur === value;
  if (obj.state === 'persisted' && same) return;
  obj.references.set(name, value);
  obj.changed.add(name);
}
