import type { CompiledModel } from '../model/compiled/types.js';
import { ownedAssociations, referredEntity } from '../model/compiled/owned-associations.js';
import { entityAccess } from '../security/entity-access.js';
import type { UserContext } from '../security/user-context.js';

export interface AttributeMetadata {
  type: string;
  /** String: maximum length (0 = unlimited). */
  length?: number;
  /** Enumeration: qualified name; its values are in `enumerations`. */
  enumeration?: string;
  /** True when the user can never change it (read-only right, AutoNumber, system members). */
  readonly: boolean;
}

export interface EntityMetadata {
  objectType: string;
  superObjectType?: string;
  persistable: boolean;
  canCreate: boolean;
  canDelete: boolean;
  attributes: Record<string, AttributeMetadata>;
  /** Owned associations the user can read: name -> {type, child, readonly}. */
  associations: Record<string, { type: 'Reference' | 'ReferenceSet'; entity: string; readonly: boolean }>;
}

export interface SessionMetadata {
  metadata: EntityMetadata[];
  enumerations: { name: string; values: { key: string; caption: string }[] }[];
  constants: Record<string, string | number | boolean | null>;
}

const cache = new WeakMap<CompiledModel, Map<string, SessionMetadata>>();

/**
 * What the browser client needs to know about the model for this user: the
 * entities the user may read (only readable members, with types), every
 * enumeration, and the constants exposed to the client. Cached per set of
 * module roles; computed from the compiled model only.
 */
export function sessionMetadata(model: CompiledModel, user: UserContext): SessionMetadata {
  let perModel = cache.get(model);
  if (!perModel) {
    perModel = new Map();
    cache.set(model, perModel);
  }
  const key = `${user.applyEntityAccess}|${[...user.moduleRoles].sort().join(',')}`;
  const hit = perModel.get(key);
  if (hit) return hit;
  const metadata: EntityMetadata[] = [];
  for (const e of model.entities.values()) {
    const access = entityAccess(model, user, e.name);
    if (access.restricted && access.rules.length === 0) continue;
    const attributes: Record<string, AttributeMetadata> = {};
    for (const a of e.attributes.values()) {
      if (!access.readable(a.name) || a.type === 'Binary' || a.type === 'HashedString') continue;
      attributes[a.name] = {
        type: a.type,
        ...(a.type === 'String' ? { length: a.length } : {}),
        ...(a.enumeration ? { enumeration: a.enumeration } : {}),
        readonly: !access.writable(a.name),
      };
    }
    const associations: EntityMetadata['associations'] = {};
    for (const name of ownedAssociations(e)) {
      const a = model.associations.get(name)!;
      if (!access.readable(name)) continue;
      // From the child side of a Both-owned association, the other end is the parent.
      associations[name] = { type: a.type, entity: referredEntity(e, a)!, readonly: !access.writable(name) };
    }
    metadata.push({
      objectType: e.name,
      ...(e.generalization ? { superObjectType: e.generalization } : {}),
      persistable: e.persistable,
      canCreate: access.canCreate,
      canDelete: access.canDelete,
      attributes,
      associations,
    });
  }
  const enumerations = [...model.enumerations.values()].map((en) => ({ name: en.name, values: en.values.map((v) => ({ key: v.key, caption: v.caption })) }));
  const constants: Record<string, string | number | boolean | null> = {};
  for (const c of model.constants.values()) if (c.exposedToClient) constants[c.name] = c.value;
  const result = { metadata, enumerations, constants };
  perModel.set(key, result);
  return result;
}
