import type { CAssociation, CAttribute, CEntity, CompiledModel } from '../../model/compiled/types.js';
import { QueryError, XPathResolveError } from '../errors.js';
import type { XQuery, XStep } from '../xpath/ast.js';
import type { OqlExpr, OqlHop, OqlOrder, OqlQuery, OqlSelect, OqlSource } from './ast.js';
import { and, Resolver } from './resolve.js';

export interface SortKey {
  /** An attribute, or a path over references ending in one: `Module.Assoc/Module.Entity/Attr`. */
  readonly attribute: string;
  readonly descending?: boolean;
}

export interface BuildInput {
  readonly entity: CEntity;
  readonly query: XQuery;
  readonly extra?: XQuery;
  readonly sort: readonly SortKey[];
  /** Attribute names and owned association names wanted; undefined = all. */
  readonly members: readonly string[] | undefined;
}

/** The query's own constraint over the main source (XPath predicates and the extra XPath). */
export function buildConstraint(model: CompiledModel, input: BuildInput, main: OqlSource, resolver: Resolver): OqlExpr | undefined {
  const own = resolver.constraint(input.query.predicates, main);
  if (!input.extra) return own;
  // Continue the alias numbering so that sources never clash.
  const r2 = new Resolver(model, input.extra.text, resolver.aliasCount);
  r2.nullVariables = resolver.nullVariables;
  const extra = r2.constraint(input.extra.predicates, main);
  resolver.aliasCount = r2.aliasCount;
  return and([own, extra]);
}

/** Selected attributes and owned references for a members list (undefined = all). */
function selectMembers(
  model: CompiledModel,
  entity: CEntity,
  members: readonly string[] | undefined,
): { attributes: CAttribute[]; references: CAssociation[] } {
  const owned = entity.parentOf.map((a) => model.associations.get(a)!);
  if (!members) {
    // Calculated attributes have no column: the retrieve computes them after reading the rows.
    return { attributes: [...entity.attributes.values()].filter((a) => a.type !== 'Binary' && !a.calculated), references: owned };
  }
  const attributes: CAttribute[] = [];
  const references: CAssociation[] = [];
  for (const raw of members) {
    // Accept Mendix's UsedAttributes form `Module.Entity/Module.Entity.Attr` too.
    const m = raw.includes('/') ? raw.slice(raw.lastIndexOf('/') + 1) : raw;
    const attrName = m.startsWith(`${entity.name}.`) ? m.slice(entity.name.length + 1) : m;
    const attr = entity.attributes.get(attrName) ?? [...entity.attributes.values()].find((a) => a.qualifiedName === m);
    if (attr) {
      if (!attributes.includes(attr) && !attr.calculated) attributes.push(attr);
      continue;
    }
    const assoc = owned.find((a) => a.name === m || a.shortName === m);
    if (assoc) {
      if (!references.includes(assoc)) references.push(assoc);
      continue;
    }
    // Owned from the child side (owner Both): loaded after the rows by the retrieve, not selected here.
    if ((entity.alsoOwns ?? []).some((a) => a === m || a.slice(a.indexOf('.') + 1) === m)) continue;
    throw new QueryError(`unknown attribute or owned association '${raw}' of ${entity.name}`);
  }
  return { attributes, references };
}

/** Resolves a sort key to an expression: an attribute, or MIN over a path's related objects. */
function sortExpr(model: CompiledModel, resolver: Resolver, main: OqlSource, key: SortKey): OqlExpr {
  const steps: XStep[] = key.attribute.split('/').map((name) => ({ name: name.trim(), predicates: [], reversed: false, pos: 0 }));
  const hops: OqlHop[] = [];
  const filters: OqlExpr[] = [];
  let end: ReturnType<Resolver['walk']>;
  try {
    end = resolver.walk(steps, main, hops, filters);
  } catch (e) {
    if (e instanceof XPathResolveError) throw new QueryError(`cannot sort on '${key.attribute}': ${e.detail}`);
    throw e;
  }
  if (end.kind === 'object') throw new QueryError(`cannot sort on '${key.attribute}': the path must end at an attribute`);
  const value: OqlExpr = end.kind === 'id' ? { kind: 'id', source: end.source } : { kind: 'attr', source: end.source, attribute: end.attr };
  if (end.kind === 'attr' && (end.attr.type === 'Binary' || end.attr.type === 'HashedString'))
    throw new QueryError(`cannot sort on ${end.attr.type} attribute '${end.attr.name}'`);
  void model;
  return hops.length ? { kind: 'scalar', hops, value } : value;
}

/** Sort keys plus `id ASC` last, as the Mendix runtime does. */
export function buildOrder(model: CompiledModel, resolver: Resolver, main: OqlSource, sort: readonly SortKey[]): OqlOrder[] {
  const out: OqlOrder[] = sort.map((k) => ({ expr: sortExpr(model, resolver, main, k), descending: !!k.descending }));
  out.push({ expr: { kind: 'id', source: main }, descending: false });
  return out;
}

export function objectsQuery(
  model: CompiledModel,
  entity: CEntity,
  main: OqlSource,
  where: OqlExpr | undefined,
  orderBy: OqlOrder[],
  members: readonly string[] | undefined,
): OqlQuery {
  const { attributes, references } = selectMembers(model, entity, members);
  const select: OqlSelect = { kind: 'objects', attributes, references, withType: entity.allSpecializations.length > 0 };
  return { source: main, select, where, orderBy, paged: true };
}
