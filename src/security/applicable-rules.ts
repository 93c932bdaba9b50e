import type { CAccessRule, CEntity } from '../model/compiled/types.js';

/**
 * The access rules of `entity` that apply to a user with `moduleRoles`: the
 * entity's own rules (not inherited from a generalization) that name one of the
 * roles, in model order. The one place this is decided: entity access
 * (`entityAccess`) and the query engine's row constraints both use it.
 */
export function applicableRules(entity: CEntity, moduleRoles: ReadonlySet<string>): CAccessRule[] {
  return entity.access.filter((r) => r.roles.some((role) => moduleRoles.has(role)));
}

/**
 * Which objects of an entity a set of rules lets a user see or delete:
 * `all` (some applicable rule has no XPath), `none` (no applicable rule), or
 * `any` of the listed XPath constraints (rules are OR-ed, as in Mendix).
 */
export type RowConstraint = { readonly kind: 'all' } | { readonly kind: 'none' } | { readonly kind: 'any'; readonly xpaths: readonly string[] };

/** The row constraint of applicable rules; `xpaths` without repeats, in the rules' order. */
export function rowConstraint(rules: readonly CAccessRule[]): RowConstraint {
  if (rules.length === 0) return { kind: 'none' };
  if (rules.some((r) => !r.xpath)) return { kind: 'all' };
  return { kind: 'any', xpaths: [...new Set(rules.map((r) => r.xpath!))] };
}
