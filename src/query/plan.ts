import type { CEntity, CompiledModel } from '../model/compiled/types.js';
import type { Dialect } from '../data/dialects/dialect.js';
import type { QuerySyntax } from '../data/dialects/query-syntax.js';
import type { UserContext } from '../security/user-context.js';
import { QueryError, XPathResolveError } from './errors.js';
import type { OqlQuery, OqlSource } from './oql/ast.js';
import { buildConstraint, buildOrder, objectsQuery, type SortKey } from './oql/build.js';
import { and, Resolver, variableKey } from './oql/resolve.js';
import { pathSecurity, ruleFlags, securityConstraint, type RuleFlags } from './oql/security.js';
import { SqlCompiler, type SqlStatement } from './sql/compile.js';
import type { AggregateFn, XExpr, XQuery } from './xpath/ast.js';
import { parseXPath } from './xpath/parser.js';
import { rewriteQueryPath } from './xpath/rewrite.js';

export interface QueryRequest {
  /** `//Module.Entity[...]`, a constraint `[...]` (then `entity` is required), or a parsed query. */
  readonly xpath: string | XQuery;
  readonly entity?: string;
  readonly sort?: readonly SortKey[];
  readonly offset?: number;
  /** 0 or undefined = all. */
  readonly amount?: number;
  /** Attribute names (or `Module.Entity/Module.Entity.Attr`) and owned association names; default all. */
  readonly attributes?: readonly string[];
  readonly wantCount?: boolean;
  /** An additional constraint `[...]`, ANDed (the client's search and filter widgets). */
  readonly extraXpath?: string;
}

/** One compiled form of a plan: for one set of applicable access rules and one sort order. */
export interface PlanVariant {
  readonly oql: OqlQuery;
  readonly select: SqlStatement;
  /**
   * Without sort keys: the same statement without ORDER BY, for a retrieve that
   * neither sorts nor pages (as Mendix sends a microflow's plain retrieve).
   */
  readonly selectUnordered: SqlStatement | undefined;
  readonly countOql: OqlQuery;
  readonly count: SqlStatement;
  /**
   * Which access rules each returned object matches (flag columns in `select`),
   * for per-object member rights; undefined when every object the user can get
   * has the same rights (no extra columns).
   */
  readonly ruleFlags: RuleFlags | undefined;
}

const MAX_VARIANTS = 64;

/**
 * A query compiled once (at start-up, per operation): parsed, resolved and
 * checked. The SQL for a user is compiled on first use for each combination of
 * applicable access rules (and sort override) and cached; user values
 * ([%CurrentUser%], time tokens, variables) are bound per execution.
 */
export class QueryPlan {
  readonly entity: CEntity;
  readonly syntax: QuerySyntax;
  readonly xquery: XQuery;
  readonly extra: XQuery | undefined;
  readonly aggregate: { readonly fn: AggregateFn; readonly attribute?: string } | undefined;
  private readonly variants = new Map<string, PlanVariant>();
  /** Variables compared with `=` / `!=` etc.: an empty one changes the query (see Resolver.nullVariables). */
  readonly comparedVariables: readonly { readonly name: string; readonly path: readonly string[] }[];

  constructor(
    readonly model: CompiledModel,
    readonly request: QueryRequest,
    readonly dialect: Dialect,
  ) {
    this.syntax = dialect.query;
    this.xquery = rewriteQueryPath(model, typeof request.xpath === 'string' ? parseXPath(request.xpath) : request.xpath);
    this.extra = request.extraXpath && request.extraXpath.trim() ? parseXPath(request.extraXpath) : undefined;
    const name = this.xquery.entity ?? request.entity;
    if (!name) throw new QueryError('the XPath names no entity (//Module.Entity) and no entity was given');
    if (this.xquery.entity && request.entity && request.entity !== this.xquery.entity) {
      const e = model.entities.get(request.entity);
      if (!e || !model.entities.get(this.xquery.entity)?.chain.includes(request.entity)) {
        throw new QueryError(`the XPath queries ${this.xquery.entity} but the entity ${request.entity} was given`);
      }
    }
    const entity = model.entities.get(name);
    if (!entity) throw new XPathResolveError(`unknown entity '${name}'`, this.xquery.entityPos, this.xquery.text);
    if (!entity.persistable) throw new XPathResolveError(`${name} is not persistable: it has no table to query`, this.xquery.entityPos, this.xquery.text);
    this.entity = entity;
    if (this.xquery.aggregate) {
      this.aggregate = { fn: this.xquery.aggregate, ...(this.xquery.attribute ? { attribute: this.xquery.attribute.name } : {}) };
      if (this.xquery.attribute) {
        const a = entity.attributes.get(this.xquery.attribute.name);
        if (!a) throw new XPathResolveError(`unknown attribute '${this.xquery.attribute.name}' of ${name}`, this.xquery.attribute.pos, this.xquery.text);
        const numeric = ['Integer', 'Long', 'Decimal', 'AutoNumber'].includes(a.type);
        if ((this.aggregate.fn === 'sum' || this.aggregate.fn === 'avg') && !numeric)
          throw new XPathResolveError(`${this.aggregate.fn}() needs a number attribute; ${a.name} is ${a.type}`, this.xquery.attribute.pos, this.xquery.text);
      }
    }
    this.comparedVariables = [...comparedVariables(this.xquery), ...(this.extra ? comparedVariables(this.extra) : [])];
    // Resolve once now so that a bad XPath fails at compile time, not at the first request.
    this.variant(null, undefined);
  }

  /**
   * The compiled form for a user (null = no entity access applied) and an optional sort override.
   * `matchRulesOnly`: the rows are not filtered by the user's access rules; each says which of them it matches.
   */
  variant(user: UserContext | null, sort: readonly SortKey[] | undefined, emptyVariables: readonly string[] = [], matchRulesOnly = false): PlanVariant {
    const secured = !!user && user.applyEntityAccess;
    // Path constraints are secured with other entities' rules too: key on the whole role set.
    // The usual key (no sort override, no empty variable) is the same string object every time: its hash is kept.
    const key =
      !sort && !emptyVariables.length && !(secured && matchRulesOnly)
        ? secured
          ? plainKey(user)
          : '*##'
        : `${secured ? rolesKey(user) : '*'}#${sort ? JSON.stringify(sort) : ''}#${emptyVariables.length ? emptyVariables.join(',') : ''}${secured && matchRulesOnly ? '#m' : ''}`;
    let v = this.variants.get(key);
    if (!v) {
      v = this.build(secured ? user.moduleRoles : null, sort ?? this.request.sort ?? [], new Set(emptyVariables), secured && matchRulesOnly);
      if (this.variants.size >= MAX_VARIANTS) this.variants.delete(this.variants.keys().next().value!);
      this.variants.set(key, v);
    }
    return v;
  }

  private build(rolesIn: ReadonlySet<string> | null, sort: readonly SortKey[], emptyVariables: ReadonlySet<string>, matchRulesOnly = false): PlanVariant {
    const roles = matchRulesOnly ? null : rolesIn;
    const resolver = new Resolver(this.model, this.xquery.text);
    resolver.nullVariables = emptyVariables;
    const main: OqlSource = { alias: this.entity.shortName, entity: this.entity.name };
    const own = buildConstraint(
      this.model,
      { entity: this.entity, query: this.xquery, ...(this.extra ? { extra: this.extra } : {}), sort, members: this.request.attributes },
      main,
      resolver,
    );
    // Sort keys first, then entity access, so that every source has its own alias.
    const order = this.aggregate ? [] : buildOrder(this.model, resolver, main, sort);
    let constraint = own;
    let orderBy = order;
    let aliases = resolver.aliasCount;
    if (roles) {
      const paths = pathSecurity(this.model, roles, aliases);
      constraint = own ? paths.secure(own) : undefined;
      orderBy = order.map((o) => ({ ...o, expr: paths.secure(o.expr) }));
      aliases = paths.aliasCount;
    }
    const security = roles ? securityConstraint(this.model, this.entity, main, roles, aliases) : undefined;
    const where = and([constraint, security]);
    // After the row constraint's aliases: the same rule XPath, compiled again as a 1/0 column per object.
    const flags =
      rolesIn && !this.aggregate ? ruleFlags(this.model, this.entity, main, rolesIn, aliases + 1000, matchRulesOnly ? 'all' : 'differing').flags : undefined;
    let oql: OqlQuery;
    if (this.aggregate) {
      const attr = this.aggregate.attribute ? this.entity.attributes.get(this.aggregate.attribute)! : undefined;
      oql = {
        source: main,
        select: attr && this.aggregate.fn !== 'count' ? { kind: 'aggregate', fn: this.aggregate.fn, attribute: attr } : { kind: 'count' },
        where,
        orderBy: [],
        paged: false,
      };
    } else {
      oql = objectsQuery(this.model, this.entity, main, where, orderBy, this.request.attributes);
      if (flags && oql.select.kind === 'objects') oql = { ...oql, select: { ...oql.select, flags: flags.exprs } };
    }
    const countOql: OqlQuery = { source: main, select: { kind: 'count' }, where, orderBy: [], paged: false };
    return new Variant(oql, countOql, flags, !this.aggregate && sort.length === 0, (q) => new SqlCompiler(this.model, this.syntax).compile(q));
  }
}

/**
 * A variant whose SQL is compiled when first asked for: the constructor's variant only proves the
 * XPath resolves (`kiln check` runs no query), and a retrieve that never counts needs no count.
 * Every problem with a query is found while building its OQL; compiling that to SQL only reports
 * internal errors.
 */
class Variant implements PlanVariant {
  private readonly sql: { select?: SqlStatement; unordered?: SqlStatement; count?: SqlStatement } = {};

  constructor(
    readonly oql: OqlQuery,
    readonly countOql: OqlQuery,
    readonly ruleFlags: RuleFlags | undefined,
    private readonly hasUnordered: boolean,
    private readonly compile: (q: OqlQuery) => SqlStatement,
  ) {}

  get select(): SqlStatement {
    this.sql.select ??= this.compile(this.oql);
    return this.sql.select;
  }

  get selectUnordered(): SqlStatement | undefined {
    if (!this.hasUnordered) return undefined;
    this.sql.unordered ??= this.compile({ ...this.oql, orderBy: [] });
    return this.sql.unordered;
  }

  get count(): SqlStatement {
    this.sql.count ??= this.compile(this.countOql);
    return this.sql.count;
  }
}

/** A user's module roles as a variant key, once per user context (a session keeps its context): this runs on every retrieve. */
const roleKeys = new WeakMap<UserContext, string>();
/** `variant`'s key for the roles alone (`<roles>##`), once per user context. */
const plainKeys = new WeakMap<UserContext, string>();

function plainKey(user: UserContext): string {
  let k = plainKeys.get(user);
  if (k === undefined) {
    k = `${rolesKey(user)}##`;
    plainKeys.set(user, k);
  }
  return k;
}

function rolesKey(user: UserContext): string {
  let k = roleKeys.get(user);
  if (k === undefined) {
    k = [...user.moduleRoles].sort().join(',');
    roleKeys.set(user, k);
  }
  return k;
}

function comparedVariables(q: XQuery): { name: string; path: readonly string[] }[] {
  const out = new Map<string, { name: string; path: readonly string[] }>();
  const walk = (x: XExpr): void => {
    switch (x.kind) {
      case 'or':
      case 'and':
      case 'arith':
        walk(x.left);
        walk(x.right);
        return;
      case 'compare':
        for (const side of [x.left, x.right]) if (side.kind === 'variable') out.set(variableKey(side.name, side.path), { name: side.name, path: side.path });
        walk(x.left);
        walk(x.right);
        return;
      case 'not':
        walk(x.operand);
        return;
      case 'call':
        x.args.forEach(walk);
        return;
      case 'path':
        for (const s of x.steps) s.predicates.forEach(walk);
        return;
      default:
        return;
    }
  };
  q.predicates.forEach(walk);
  for (const s of q.path ?? []) s.predicates.forEach(walk);
  return [...out.values()];
}
