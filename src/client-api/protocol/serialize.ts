import type { CAttribute, CompiledModel } from '../../model/compiled/types.js';
import { ownedAssociations } from '../../model/compiled/owned-associations.js';
import { getValue, type MxObject } from '../../objects/mx-object.js';
import { idToGuid } from '../../objects/values.js';
import type { SessionSigner } from './signing.js';
import { valueToJson, type JsonValue } from './values.js';

export type MemberJson = JsonValue | string[];

/** An object as the client receives it (`objects`, `partialObjects`). */
export interface ObjectJson {
  objectType: string;
  guid: string;
  attributes: Record<string, { value: MemberJson }>;
  hash?: string;
}

export interface SerializeOptions {
  /** Members (attribute names, qualified association names) the user may read on this object. */
  readonly readable: (member: string) => boolean;
  /** Only these attributes (a retrieve's used attributes); default every readable attribute. */
  readonly attributes?: readonly string[];
  /** Only these associations; default every readable owned association. */
  readonly associations?: readonly string[];
  /** Sign the object (new, or changed and not committed) for the request's session: it comes back in `objects`. */
  readonly signer?: SessionSigner;
}

/**
 * MxObject -> JSON for the client with only the members the user may read;
 * unreadable attributes never leave the server. Binary and HashedString values
 * are never sent.
 */
export function serializeObject(model: CompiledModel, obj: MxObject, opts: SerializeOptions): ObjectJson {
  const entity = model.entities.get(obj.entity);
  if (!entity) throw new Error(`unknown entity '${obj.entity}'`);
  const attributes: Record<string, { value: MemberJson }> = {};
  // The flat values are only needed to sign (new and changed objects), not for the pages of a retrieve.
  const flat: Record<string, MemberJson> | undefined = opts.signer ? {} : undefined;
  // Every attribute in the model's order unless a list is given (walked without copying the names).
  if (opts.attributes) for (const name of opts.attributes) putAttribute(attributes, flat, obj, entity.attributes.get(name), opts.readable);
  else for (const attr of entity.attributes.values()) putAttribute(attributes, flat, obj, attr, opts.readable);
  const owned = ownedAssociations(entity);
  const assocs = opts.associations ?? owned;
  for (const a of assocs) {
    if (!owned.includes(a) || !opts.readable(a)) continue;
    const ref = obj.references.get(a);
    const v: MemberJson = ref === undefined || ref === null ? null : Array.isArray(ref) ? (ref as bigint[]).map(idToGuid) : idToGuid(ref as bigint);
    attributes[a] = { value: v };
    if (flat) flat[a] = v;
  }
  const out: ObjectJson = { objectType: obj.entity, guid: idToGuid(obj.id), attributes };
  if (opts.signer && flat) out.hash = opts.signer.sign(obj.entity, out.guid, obj.state === 'new', flat, objectVersion(entity.systemMembers.changedDate, obj));
  return out;
}

function putAttribute(
  attributes: Record<string, { value: MemberJson }>,
  flat: Record<string, MemberJson> | undefined,
  obj: MxObject,
  attr: CAttribute | undefined,
  readable: (member: string) => boolean,
): void {
  if (!attr || attr.type === 'Binary' || attr.type === 'HashedString' || !readable(attr.name)) return;
  const v = valueToJson(attr, getValue(obj, attr.name));
  attributes[attr.name] = { value: v };
  if (flat) flat[attr.name] = v;
}

/** The version of a persisted object a signature is bound to: its changedDate (epoch ms), when the entity has one. */
export function objectVersion(hasChangedDate: boolean, obj: MxObject): number | null {
  if (!hasChangedDate || obj.state === 'new') return null;
  const v = getValue(obj, 'changedDate');
  return v instanceof Date ? v.getTime() : null;
}
