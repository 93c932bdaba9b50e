import type { CAccessRule, CEntity, CompiledModel, MemberRight } from '../model/compiled/types.js';
import { ownedAssociations } from '../model/compiled/owned-associations.js';
import { applicableRules, rowConstraint, type RowConstraint } from './applicable-rules.js';
import type { UserContext } from './user-context.js';

export type { RowConstraint };

/**
 * What a user may do with one entity, combined over the access rules of all
 * the user's module roles the way Mendix combines them: rules are additive,
 * so a right is granted when any applicable rule grants it. Rules are the
 * entity's own (not inherited from its generalization).
 *
 * The static answers (`readable`, `writable`) are the union over every
 * applicable rule, which is exact for new objects (new objects pass every
 * XPath) and for entities whose rules carry no XPath. For an existing object,
 * only the rules whose XPath the object matches count: the query engine
 * evaluates `rules[i].xpath` per row and asks `rightsFor(matched)`.
 */
export interface EntityAccess {
  readonly entity: string;
  /** False when entity access is not applied (security off or prototype, system context). */
  readonly restricted: boolean;
  readonly canCreate: boolean;
  /** Some applicable rule allows delete; `deleteConstraint` says which objects. */
  readonly canDelete: boolean;
  readable(member: string): boolean;
  writable(member: string): boolean;
  /**
   * The member is readable on every object the user can retrieve, whichever
   * rules it matches: a rule without XPath grants read, or every applicable
   * rule does. Only such members may be used in a client's filter or sort
   * (otherwise the result would reveal values of objects that hide them).
   */
  readableOnEvery(member: string): boolean;
  /** The entity's rules that apply to this user (empty when unrestricted). */
  readonly rules: readonly CAccessRule[];
  /** Objects the user can retrieve at all. */
  readonly readConstraint: RowConstraint;
  /** Objects the user can delete. */
  readonly deleteConstraint: RowConstraint;
  /** Every rule of `rules` flagged true: what an object matches when the rules do not depend on it (one array, not one per ask). */
  readonly allRules: readonly boolean[];
  /** Member rights on an existing object matched by the rules flagged true (same order as `rules`). */
  rightsFor(matched: readonly boolean[]): ReadonlyMap<string, MemberRight>;
  /** Members (attribute names, qualified association names) the user can read on a new object. */
  readonly readableMembers: readonly string[];
  readonly writableMembers: readonly string[];
}

const cache = new WeakMap<CompiledModel, Map<string, Map<string, EntityAccess>>>();
const roleKeys = new WeakMap<UserContext, string>();

function roleKey(user: UserContext): string {
  let k = roleKeys.get(user);
  if (k === undefined) {
    k = `${user.applyEntityAccess ? 'R' : 'U'}:${[...user.moduleRoles].sort().join(',')}`;
    roleKeys.set(user, k);
  }
  return k;
}

/**
 * The access of `user` to `entityName`, computed once per (entity, set of
 * module roles) and cached on the compiled model: cheap to call per request.
 */
export function entityAccess(model: CompiledModel, user: UserContext, entityName: string): EntityAccess {
  let perModel = cache.get(model);
  if (!perModel) {
    perModel = new Map();
    cache.set(model, perModel);
  }
  // By role set, then by entity: asked on every request (and per object of a commit), so no key is built.
  const roles = roleKey(user);
  let perRoles = perModel.get(roles);
  if (!perRoles) {
    perRoles = new Map();
    perModel.set(roles, perRoles);
  }
  let access = perRoles.get(entityName);
  if (!access) {
    const entity = model.entities.get(entityName);
    if (!entity) throw new Error(`unknown entity '${entityName}'`);
    access = user.applyEntityAccess ? restrictedAccess(model, entity, user.moduleRoles) : unrestrictedAccess(model, entity);
    perRoles.set(entityName, access);
  }
  return access;
}

/**
 * A client may filter or sort a retrieve of `entityName` on `member`: it is
 * readable on every object the user can get, of the entity and of each of
 * its specializations (rules are not inherited: each concrete entity's own).
 */
export function filterable(model: CompiledModel, user: UserContext, entityName: string, member: string): boolean {
  const entity = model.entities.get(entityName);
  if (!entity) return false;
  if (!entityAccess(model, user, entityName).readableOnEvery(member)) return false;
  for (const s of entity.allSpecializations) {
    const e = model.entities.get(s);
    if (!e?.persistable) continue;
    const a = entityAccess(model, user, s);
    // No rule: the user gets no objects of it; nothing to reveal.
    if (a.restricted && a.rules.length === 0) continue;
    if (!a.readableOnEvery(member)) return false;
  }
  return true;
}

/**
 * Members of an entity: every attribute (inherited included) and every association it or a
 * generalization owns — as the parent, or as the child of one owned by both ends.
 */
export function memberNames(model: CompiledModel, entity: CEntity): string[] {
  return [...entity.attributes.keys(), ...ownedAssociations(entity).map((a) => model.associations.get(a)!.name)];
}

/** Resolves an association's short name (`Order_Customer`) to the member key (`Sales.Order_Customer`). */
function memberKey(model: CompiledModel, entity: CEntity, member: string): string {
  if (entity.attributes.has(member) || member.includes('.')) return member;
  const a = ownedAssociations(entity).find((q) => model.associations.get(q)!.shortName === member);
  return a ?? member;
}

function neverWritable(entity: CEntity, member: string): boolean {
  const attr = entity.attributes.get(member);
  return !!attr && (attr.type === 'AutoNumber' || attr.system || !!attr.calculated);
}

function unrestrictedAccess(model: CompiledModel, entity: CEntity): EntityAccess {
  const members = memberNames(model, entity);
  const known = new Set(members);
  const rights = new Map<string, MemberRight>(members.map((m) => [m, neverWritable(entity, m) ? 'Read' : 'ReadWrite']));
  return {
    entity: entity.name,
    restricted: false,
    canCreate: true,
    canDelete: true,
    readable: (m) => known.has(memberKey(model, entity, m)),
    readableOnEvery: (m) => known.has(memberKey(model, entity, m)),
    writable: (m) => rights.get(memberKey(model, entity, m)) === 'ReadWrite',
    rules: [],
    allRules: [],
    readConstraint: { kind: 'all' },
    deleteConstraint: { kind: 'all' },
    rightsFor: () => rights,
    readableMembers: members,
    writableMembers: members.filter((m) => rights.get(m) === 'ReadWrite'),
  };
}

function restrictedAccess(model: CompiledModel, entity: CEntity, roles: ReadonlySet<string>): EntityAccess {
  const rules = applicableRules(entity, roles);
  const members = memberNames(model, entity);
  const union = combine(members, rules);
  const rightsCache = new Map<number | string, ReadonlyMap<string, MemberRight>>();
  return {
    entity: entity.name,
    restricted: true,
    canCreate: rules.some((r) => r.create),
    canDelete: rules.some((r) => r.delete),
    readable: (m) => {
      const r = union.get(memberKey(model, entity, m));
      return r === 'Read' || r === 'ReadWrite';
    },
    writable: (m) => union.get(memberKey(model, entity, m)) === 'ReadWrite',
    readableOnEvery(m) {
      const key = memberKey(model, entity, m);
      const reads = (r: CAccessRule) => {
        const x = r.members.get(key);
        return x === 'Read' || x === 'ReadWrite';
      };
      return rules.length > 0 && (rules.some((r) => !r.xpath && reads(r)) || rules.every(reads));
    },
    rules,
    allRules: Object.freeze(rules.map(() => true)),
    readConstraint: rowConstraint(rules),
    deleteConstraint: rowConstraint(rules.filter((r) => r.delete)),
    rightsFor(matched) {
      // The matched rules as a number (up to 30 rules; beyond, as text): asked per page and per object.
      let k: number | string = 0;
      if (rules.length <= 30) for (let i = 0; i < rules.length; i++) k = matched[i] ? (k as number) | (1 << i) : k;
      else k = rules.map((_, i) => (matched[i] ? '1' : '0')).join('');
      let r = rightsCache.get(k);
      if (!r) {
        r = combine(
          members,
          rules.filter((_, i) => matched[i]),
        );
        rightsCache.set(k, r);
      }
      return r;
    },
    readableMembers: members.filter((m) => union.get(m) !== 'None'),
    writableMembers: members.filter((m) => union.get(m) === 'ReadWrite'),
  };
}

const RANK: Record<MemberRight, number> = { None: 0, Read: 1, ReadWrite: 2 };

function combine(members: readonly string[], rules: readonly CAccessRule[]): Map<string, MemberRight> {
  const out = new Map<string, MemberRight>();
  for (const m of members) {
    let best: MemberRight = 'None';
    for (const r of rules) {
      const right = r.members.get(m) ?? 'None';
      if (RANK[right] > RANK[best]) best = right;
    }
    out.set(m, best);
  }
  return out;
}
