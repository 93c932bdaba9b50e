import type { CAccessRule, CEntity, CompiledModel, MemberRight } from '../../model/compiled/types.js';
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
    if (g) g.types.push(t);
    else groups.set(key, { types: [t], xpaths });
  }
  let alias = aliasBase;
  const resolverFor = (text: string) => {
    const r = new Resolver(model, text, alias);
    return {
      r,
      done: () => {
        alias = r.aliasCount;
      },
    };
  };
  const branches: OqlExpr[] = [];
  for (const g of groups.values()) {
    if (g.xpaths === 'none') continue;
    const all = g.types.length === types.length;
    const typeTest: OqlExpr | undefined = all ? undefined : { kind: 'typeIn', source: main, entities: g.types.map((t) => t.name) };
    if (g.xpaths === 'all') {
      branches.push(typeTest ?? { kind: 'const', value: true });
      continue;
    }
    // Resolve against the queried entity when the rules only use its members;
    // otherwise per specialization, seen through a cast to it.
    const cond = tryOn(entity, main, g.xpaths);
    if (cond) {
      branches.push(and([typeTest, cond])!);
      continue;
    }
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
    return or(
      xpaths.map((x) => {
        const { r, done } = resolverFor(x);
        const c = r.constraint(parseXPath(x).predicates, src) ?? { kind: 'const', value: true };
        done();
        void t;
        return c;
      }),
    );
  }

  function tryOn(e: CEntity, src: OqlSource, xpaths: string[]): OqlExpr | undefined {
    try {
      return orOf(e, src, xpaths);
    } catch {
      return undefined;
    }
  }
}

/**
 * Entity access on the objects a constraint reaches over associations: a path
 * step only reaches objects the user may read (their entities' rules, as for
 * the queried entity), so a constraint cannot reveal data of objects the user
 * cannot see. Applied to the query's own constraints, not to access rules'
 * XPath (those are evaluated with full rights).
 */
export function pathSecurity(
  model: CompiledModel,
  moduleRoles: ReadonlySet<string>,
  aliasBase: number,
): { secure: (x: OqlExpr) => OqlExpr; readonly aliasCount: number } {
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
      case 'and':
      case 'or':
        return { ...x, items: x.items.map(walk) };
      case 'not':
        return { ...x, operand: walk(x.operand) };
      case 'exists':
        return { ...x, where: and([...hopConstraints(x.hops), x.where ? walk(x.where) : undefined]) };
      // Sorting over a path: only readable related objects give the sort value.
      case 'scalar': {
        const where = and([...hopConstraints(x.hops), x.where ? walk(x.where) : undefined]);
        return where ? { ...x, where } : x;
      }
      default:
        return x;
    }
  };
  return {
    secure: walk,
    get aliasCount() {
      return alias;
    },
  };
}

/**
 * Per-object member rights inside the retrieve's own statement: one boolean
 * column per distinct access-rule XPath, so that each row says which of the
 * user's rules its object matches (Mendix decides member rights per object:
 * a member is readable on an object when a rule whose XPath it satisfies
 * grants it). `byEntity` maps a concrete entity to, per applicable rule (the
 * order of `applicableRules`), the index of its flag column, or `undefined`
 * for a rule without XPath (it matches every object).
 *
 * `differing`: only entities whose rules can give objects different member
 * rights get flags (with the row constraint applied, a row matches at least
 * one rule; when every rule the object could match gives the same rights, no
 * column is needed). `all`: every entity with an XPath rule (rows not filtered
 * by the rules: an object may match none).
 */
export interface RuleFlags {
  readonly exprs: readonly OqlExpr[];
  readonly byEntity: ReadonlyMap<string, readonly (number | undefined)[]>;
}

export function ruleFlags(
  model: CompiledModel,
  entity: CEntity,
  main: OqlSource,
  moduleRoles: ReadonlySet<string>,
  aliasBase: number,
  mode: 'differing' | 'all',
): { flags: RuleFlags | undefined; aliasCount: number } {
  const exprs: OqlExpr[] = [];
  const index = new Map<string, number>();
  const byEntity = new Map<string, (number | undefined)[]>();
  let alias = aliasBase;
  const resolve = (src: OqlSource, x: string): OqlExpr => {
    const r = new Resolver(model, x, alias);
    const c = r.constraint(parseXPath(x).predicates, src) ?? { kind: 'const', value: true };
    alias = r.aliasCount;
    return c;
  };
  for (const t of concreteTypes(entity, model)) {
    const rules = applicableRules(t, moduleRoles);
    if (mode === 'differing' ? !rightsDiffer(rules) : rules.every((r) => !r.xpath) && rules.length > 0) continue;
    byEntity.set(
      t.name,
      rules.map((rule) => {
        const x = rule.xpath;
        if (!x) return undefined;
        // As the row constraint: on the queried entity when the XPath only uses its members, else through a cast.
        let key = `*|${x}`;
        let i = index.get(key);
        if (i !== undefined) return i;
        const saved = alias;
        let expr: OqlExpr;
        try {
          expr = resolve(main, x);
        } catch {
          alias = saved;
          key = `${t.name}|${x}`;
          i = index.get(key);
          if (i !== undefined) return i;
          const r = new Resolver(model, '', alias);
          const to = r.newSource(t.name);
          alias = r.aliasCount;
          expr = { kind: 'exists', hops: [{ kind: 'cast', from: main, to }], where: resolve(to, x) };
        }
        exprs.push(expr);
        index.set(key, exprs.length - 1);
        return exprs.length - 1;
      }),
    );
  }
  return { flags: byEntity.size ? { exprs, byEntity } : undefined, aliasCount: alias };
}

/** Whether objects read under these rules can get different member rights (or delete right) depending on the rules they match. */
function rightsDiffer(rules: readonly CAccessRule[]): boolean {
  const withXPath = rules.filter((r) => r.xpath);
  if (withXPath.length === 0) return false;
  const base = rules.filter((r) => !r.xpath);
  // Rules without XPath always match: differences only when an XPath rule grants more than they do.
  if (base.length) {
    return withXPath.some(
      (r) =>
        (r.delete && !base.some((b) => b.delete)) ||
        [...r.members].some(([m, right]) => RANK[right] > Math.max(0, ...base.map((b) => RANK[b.members.get(m) ?? 'None']))),
    );
  }
  // Only XPath rules: every object matches at least one; the same rights when they all grant the same.
  const first = withXPath[0]!;
  return withXPath.some(
    (r) =>
      r.delete !== first.delete ||
      [...new Set([...r.members.keys(), ...first.members.keys()])].some((m) => (first.members.get(m) ?? 'None') !== (r.members.get(m) ?? 'None')),
  );
}

const RANK: Record<MemberRight, number> = { None: 0, Read: 1, ReadWrite: 2 };
