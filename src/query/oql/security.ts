import type { CEntity, CompiledModel } from '../../model/compiled/types.js';
import { applicableRules, rowConstraint } from '../../security/applicable-rules.js';
import { parseXPath } from '../xpath/parser.js';
import type { OqlExpr, OqlHop, OqlSource } from './ast.js';
import { and, or, Resolver } from './resolve.js';

function concreteTypes(entity: CEntity, model: CompiledModel): CEntity[] {
  return [entity, ...entity.allSpecializations.map((s) => model.entities.get(s)!)].filter((e) => e.persistable);
}

/**
 * The row constraint of entity access for a user: for each concrete entity the
 * query can return, the OR of the XPath of its rules that the user's module
 * roles match (a rule without XPath allows every object; no rule, no object).
 * Rules are not inherited: an object of a specialization is judged by that
 * specialization's rules. Entities with the same rule text share one condition.
 */
export function securityConstraint(model: CompiledModel, entity: CEntity, main: OqlSource, moduleRoles: ReadonlySet<string>, aliasBase: number): OqlExpr {
  const types = concreteTypes(entity, model);
  const groups = new Map<string, { types: CEntity[]; xpaths: string[] | 'all' | 'none' }>();
  for (const t of types) {
    const c = rowConstraint(applicableRules(t, moduleRoles));
    const xpaths: string[] | 'all' | 'none' = c.kind === 'any' ? [...c.xpaths].sort() : c.kind;
    const key = typeof xpaths === 'string' ? xpaths : JSON.stringify(xpaths);
    const g = groups.get(key);
    if (g) g.types.push(t); else groups.set(key, { types: [t], xpaths });
  }
  let alias = aliasBase;
  const resolverFor = (text: string) => {
    const r = new Resolver(model, text, alias);
    return { r, done: () => { alias = r.aliasCount; } };
  };
  const branches: OqlExpr[] = [];
  for (const g of groups.values()) {
    if (g.xpaths === 'none') continue;
    const all = g.types.length === types.length;
    const typeTest: OqlExpr | undefined = all ? undefined : { kind: 'typeIn', source: main, entities: g.types.map((t) => t.name) };
    if (g.xpaths === 'all') { branches.push(typeTest ?? { kind: 'const', value: true }); continue; }
    // Resolve against the queried entity when the rules only use its members;
    // otherwise per specialization, seen through a cast to it.
    const cond = tryOn(entity, main, g.xpaths);
    if (cond) { branches.push(and([typeTest, cond])!); continue; }
    const perType: OqlExpr[] = [];
    for (const t of g.types) {
      const { r, done } = resolverFor('');
      const to = r.newSource(t.name);
      done();
      const c = orOf(t, to, g.xpaths);
      const exact: OqlExpr | undefined = t.allSpecializations.length ? { kind: 'typeIn', source: main, entities: [t.name] } : undefined;
      perType.push(and([exact, { kind: 'exists', hops: [{ kind: 'cast', from: main, to }], where: c }])!);
    }
    branches.push(or(perType));
  }
  return or(branches);

  function orOf(t: CEntity, src: OqlSource, xpaths: string[]): OqlExpr {
    return or(xpaths.map((x) => {
      const { r, done } = resolverFor(x);
      const c = r.constraint(parseXPath(x).predicates, src) ?? { kind: 'const', value: true };
      done();
      void t;
      return c;
    }));
  }

  function tryOn(e: CEntity, src: OqlSource, xpaths: string[]): OqlExpr | undefined {
    try { return orOf(e, src, xpaths); } catch { return undefined; }
  }
}

/**
 * Entity access on the objects a constraint reaches over associations: a path
 * step only reaches objects the user may read (their entities' rules, as for
 * the queried entity), so a constraint cannot reveal data of objects the user
 * cannot see. Applied to the query's own constraints, not to access rules'
 * XPath (those are evaluated with full rights).
 */
export function pathSecurity(model: CompiledModel, moduleRoles: ReadonlySet<string>, aliasBase: number): { secure: (x: OqlExpr) => OqlExpr; readonly aliasCount: number } {
  let alias = aliasBase;
  const cache = new Map<string, boolean>();
  const unrestricted = (entity: CEntity): boolean => {
    // Every concrete type readable without a constraint: nothing to add.
    let v = cache.get(entity.name);
    if (v === undefined) {
      v = concreteTypes(entity, model).every((t) => rowConstraint(applicableRules(t, moduleRoles)).kind === 'all');
      cache.set(entity.name, v);
    }
    return v;
  };
  const hopConstraints = (hops: readonly OqlHop[]): OqlExpr[] => {
    const extra: OqlExpr[] = [];
    for (const h of hops) {
      if (h.kind === 'cast') continue;
      const target = model.entities.get(h.to.entity)!;
      if (unrestricted(target)) continue;
      extra.push(securityConstraint(model, target, h.to, moduleRoles, alias));
      alias += 100;
    }
    return extra;
  };
  const walk = (x: OqlExpr): OqlExpr => {
    switch (x.kind) {
      case 'and': case 'or': return { ...x, items: x.items.map(walk) };
      case 'not': return { ...x, operand: walk(x.operand) };
      case 'exists': return { ...x, where: and([...hopConstraints(x.hops), x.where ? walk(x.where) : undefined]) };
      // Sorting over a path: only readable related objects give the sort value.
      case 'scalar': {
        const where = and([...hopConstraints(x.hops), x.where ? walk(x.where) : undefined]);
        return where ? { ...x, where } : x;
      }
      default: return x;
    }
  };
  return { secure: walk, get aliasCount() { return alias; } };
}
