import type { CompiledModel, MemberRight } from '../../model/compiled/types.js';
import type { CODataNavigation, CODataService, CODataSet } from '../../model/compiled/odata-services.js';
import type { MxObject } from '../../objects/mx-object.js';
import { compileQuery, QueryError, XPathResolveError, XPathSyntaxError, retrieve, type QueryPlan } from '../../query/index.js';
import type { QueryExecutor } from '../../query/execute/retrieve.js';
import { entityAccess } from '../../security/entity-access.js';
import type { UserContext } from '../../security/user-context.js';
import type { Dialect } from '../../data/dialects/dialect.js';
import { ODataError } from './errors.js';
import { entityParts, type WriteOptions } from './entity-json.js';
import type { ExpandItem, QueryOptions } from './query-syntax.js';
import { FilterTranslator } from './translate.js';

/** An entity read for an answer: the object, the members the caller may read on it, its JSON members so far. */
export interface Loaded {
  readonly obj: MxObject;
  readonly rights: ReadonlyMap<string, MemberRight> | 'all';
  readonly parts: string[];
}

/** Compiled plans kept per query shape (the XPath text with its variables, and the members read). */
const MAX_PLANS = 500;
/** Ids per SELECT when loading expanded entities; padded to these sizes so that few plans serve every request. */
const ID_CHUNKS = [1, 10, 50] as const;

/**
 * Reads entity sets through the query engine: each request's filter, order and
 * paging become one XPath plan run with the caller's entity access in its SQL
 * (rows by the access rules' XPath, members per object from the rules each row
 * matches); `$expand` loads the related entities of a page with one statement
 * per navigation and 50 entities, under the same access.
 */
export class SetReader {
  private readonly plans = new Map<string, QueryPlan>();

  constructor(
    private readonly model: CompiledModel,
    private readonly service: CODataService,
    private readonly dialect: Dialect,
  ) {}

  setNamed(name: string): CODataSet | undefined {
    return this.service.sets.find((s) => s.name === name);
  }

  /** The properties of `set` to write: `$select`'s (each readable, else 403) or every readable one. */
  selected(set: CODataSet, user: UserContext, select: QueryOptions['select']): string[] {
    const access = entityAccess(this.model, user, set.entity);
    const all = set.properties.map((p) => p.name);
    if (!select || select.some((p) => p[0] === '*')) return all.filter((p) => !access.restricted || access.readable(p));
    const out: string[] = [];
    for (const path of select) {
      const name = path[0]!;
      if (path.length > 1) throw new ODataError(400, `$select: '${path.join('/')}' - select properties of related entities inside $expand`);
      if (name === 'ID') continue;
      if (set.navigations.some((n) => n.name === name)) continue;
      if (!all.includes(name)) throw new ODataError(400, `$select: ${set.typeName} has no property '${name}'`);
      if (access.restricted && !access.readable(name)) throw new ODataError(403, `$select: you may not read the property '${name}' of ${set.typeName}`);
      if (!out.includes(name)) out.push(name);
    }
    return out;
  }

  /** Checks that the caller may read the set at all (403 otherwise). */
  checkReadable(set: CODataSet, user: UserContext): void {
    const access = entityAccess(this.model, user, set.entity);
    if (access.restricted && access.rules.length === 0) throw new ODataError(403, `you may not read ${set.name}`);
  }

  /**
   * One page of a set: the filter and order as one plan (the caller's entity
   * access inside its SQL), `amount` rows from `offset`, and the count when
   * asked. Expansions are loaded after, per navigation.
   */
  async page(
    db: QueryExecutor,
    set: CODataSet,
    user: UserContext,
    opts: QueryOptions,
    paging: { offset?: number; amount?: number; extra?: { xpath: string; variables: Record<string, unknown> } },
    write: WriteOptions,
  ): Promise<{ items: Loaded[]; count?: number }> {
    opts = this.withStar(set, opts);
    this.checkReadable(set, user);
    const selected = this.selected(set, user, opts.select);
    const t = new FilterTranslator(this.model, this.service, user);
    const filter = opts.filter ? t.filter(set, opts.filter) : { xpath: '', variables: {} };
    const sort = opts.orderby ? t.orderBy(set, opts.orderby) : [];
    const refs = this.referencesFor(set, opts.expand);
    const xpath = `//${set.entity}${paging.extra?.xpath ?? ''}${filter.xpath}`;
    const plan = this.plan(xpath, [...selected, ...refs]);
    const r = await this.run(() =>
      retrieve(
        db,
        this.model,
        plan,
        user,
        { ...filter.variables, ...paging.extra?.variables },
        {
          ...(paging.offset ? { offset: paging.offset } : {}),
          ...(paging.amount !== undefined ? { amount: paging.amount } : {}),
          sort,
          ...(opts.count ? { wantCount: true } : {}),
        },
      ),
    );
    const items = this.loaded(set, user, r.objects, r.matched, selected, write);
    if (opts.expand) await this.expand(db, set, user, items, opts.expand, write);
    return r.count !== undefined ? { items, count: r.count } : { items };
  }

  /** Whether the set's objects hold the navigation's association: as its parent, or as the child of one owned by both ends. */
  holds(set: CODataSet, nav: CODataNavigation): boolean {
    return nav.fromParent || !!this.model.entities.get(set.entity)?.alsoOwns?.includes(nav.association);
  }

  /** Owned associations to read with the page, for the navigations that $expand follows from this side. */
  private referencesFor(set: CODataSet, expand: readonly ExpandItem[] | undefined): string[] {
    const out: string[] = [];
    for (const e of expand ?? []) {
      const nav = this.navigation(set, e);
      if (this.holds(set, nav) && !out.includes(nav.association)) out.push(nav.association);
    }
    return out;
  }

  /** `$expand=*`: every navigation property of the set, without options. */
  private withStar(set: CODataSet, opts: QueryOptions): QueryOptions {
    if (!opts.expand?.some((e) => e.path.length === 1 && e.path[0] === '*')) return opts;
    const named = opts.expand.filter((e) => e.path[0] !== '*');
    const rest = set.navigations.filter((n) => !named.some((e) => e.path[0] === n.name)).map((n) => ({ path: [n.name], options: {} }));
    return { ...opts, expand: [...named, ...rest] };
  }

  private navigation(set: CODataSet, e: ExpandItem): CODataNavigation {
    if (e.path.length !== 1 || e.path[0] === '*')
      throw new ODataError(400, `$expand: name one navigation property of ${set.typeName} (not '${e.path.join('/')}')`);
    const nav = set.navigations.find((n) => n.name === e.path[0]);
    if (!nav) throw new ODataError(400, `$expand: ${set.typeName} has no navigation property '${e.path[0]}'`);
    return nav;
  }

  private loaded(
    set: CODataSet,
    user: UserContext,
    objects: readonly MxObject[],
    matched: readonly (readonly boolean[] | undefined)[] | undefined,
    selected: readonly string[],
    write: WriteOptions,
  ): Loaded[] {
    return objects.map((obj, i) => {
      // A specialization's objects carry its own access rules (flags are per concrete entity).
      const access = entityAccess(this.model, user, obj.entity);
      const m = matched?.[i];
      const rights = !access.restricted ? 'all' : access.rightsFor(m ?? access.rules.map(() => true));
      return { obj, rights, parts: entityParts(this.model, set, obj, rights, selected, write) };
    });
  }

  private async expand(
    db: QueryExecutor,
    set: CODataSet,
    user: UserContext,
    parents: Loaded[],
    items: readonly ExpandItem[],
    write: WriteOptions,
  ): Promise<void> {
    for (const item of items) {
      const nav = this.navigation(set, item);
      const target = this.setNamed(nav.target)!;
      this.checkReadable(target, user);
      // Expanding is reading the association: it must be readable by some rule of the side that holds it
      // (the parent; the child too for an association owned by both ends).
      const holds = this.holds(set, nav);
      const owner = entityAccess(this.model, user, holds ? set.entity : target.entity);
      if (owner.restricted && !owner.readable(nav.association))
        throw new ODataError(403, `$expand: you may not read the navigation property '${nav.name}' of ${set.typeName}`);
      const readable = (l: Loaded) => l.rights === 'all' || (l.rights.get(nav.association) ?? 'None') !== 'None';
      const o = item.options;
      if (holds) {
        // The set's objects hold the references: load the entities they point at.
        const ids = new Set<bigint>();
        for (const p of parents) {
          if (!readable(p)) continue;
          const ref = p.obj.references.get(nav.association);
          if (typeof ref === 'bigint') ids.add(ref);
          else if (Array.isArray(ref)) for (const id of ref as readonly bigint[]) ids.add(id);
        }
        const children = await this.byIds(db, target, user, [...ids], 'id', o, write);
        const byId = new Map(children.map((c) => [c.obj.id, c]));
        for (const p of parents) {
          const ref = readable(p) ? p.obj.references.get(nav.association) : undefined;
          if (!nav.collection) {
            const c = typeof ref === 'bigint' ? byId.get(ref) : undefined;
            p.parts.push(`${JSON.stringify(nav.name)}:${c ? `{${c.parts.join(',')}}` : 'null'}`);
          } else {
            const set2 = new Set(Array.isArray(ref) ? (ref as readonly bigint[]) : []);
            this.pushCollection(
              p,
              nav,
              children.filter((c) => set2.has(c.obj.id)),
              o,
            );
          }
        }
      } else {
        // The related entities hold the reference: load those that point at the parents.
        const ids = parents.map((p) => p.obj.id);
        const children = await this.byIds(db, target, user, ids, nav.association, o, write, [nav.association]);
        for (const p of parents) {
          const mine = children.filter((c) => {
            if (c.rights !== 'all' && (c.rights.get(nav.association) ?? 'None') === 'None') return false;
            const ref = c.obj.references.get(nav.association);
            return ref === p.obj.id || (Array.isArray(ref) && (ref as readonly bigint[]).includes(p.obj.id));
          });
          this.pushCollection(p, nav, mine, o);
        }
      }
    }
  }

  private pushCollection(p: Loaded, nav: CODataNavigation, list: readonly Loaded[], o: QueryOptions): void {
    const from = o.skip ?? 0;
    const page = list.slice(from, o.top !== undefined ? from + o.top : undefined);
    if (o.count) p.parts.push(`${JSON.stringify(`${nav.name}@odata.count`)}:${list.length}`);
    p.parts.push(`${JSON.stringify(nav.name)}:[${page.map((c) => `{${c.parts.join(',')}}`).join(',')}]`);
  }

  /**
   * Entities of `set` whose `member` (`id` or an association) is one of `ids`,
   * with the nested options' filter, order, members and expansions, in
   * statements of at most 50 ids.
   */
  private async byIds(
    db: QueryExecutor,
    set: CODataSet,
    user: UserContext,
    ids: readonly bigint[],
    member: string,
    o: QueryOptions,
    write: WriteOptions,
    extraRefs: readonly string[] = [],
  ): Promise<Loaded[]> {
    if (ids.length === 0) return [];
    const out: Loaded[] = [];
    const max = ID_CHUNKS[ID_CHUNKS.length - 1]!;
    for (let i = 0; i < ids.length; i += max) {
      const part = ids.slice(i, i + max);
      const size = ID_CHUNKS.find((n) => n >= part.length)!;
      const variables: Record<string, unknown> = {};
      for (let j = 0; j < size; j++) variables[`k${j}`] = part[Math.min(j, part.length - 1)];
      const xpath = `[${Array.from({ length: size }, (_, j) => `${member} = $k${j}`).join(' or ')}]`;
      const nested: QueryOptions = { ...o, top: undefined, skip: undefined, count: undefined };
      const r = await this.pageWithRefs(db, set, user, nested, { xpath, variables }, write, extraRefs);
      out.push(...r);
    }
    return out;
  }

  private async pageWithRefs(
    db: QueryExecutor,
    set: CODataSet,
    user: UserContext,
    opts: QueryOptions,
    extra: { xpath: string; variables: Record<string, unknown> },
    write: WriteOptions,
    extraRefs: readonly string[],
  ): Promise<Loaded[]> {
    if (extraRefs.length === 0) return (await this.page(db, set, user, opts, { extra }, write)).items;
    opts = this.withStar(set, opts);
    const selected = this.selected(set, user, opts.select);
    const t = new FilterTranslator(this.model, this.service, user);
    const filter = opts.filter ? t.filter(set, opts.filter) : { xpath: '', variables: {} };
    const sort = opts.orderby ? t.orderBy(set, opts.orderby) : [];
    const refs = [...new Set([...this.referencesFor(set, opts.expand), ...extraRefs])];
    const plan = this.plan(`//${set.entity}${extra.xpath}${filter.xpath}`, [...selected, ...refs]);
    const r = await this.run(() => retrieve(db, this.model, plan, user, { ...filter.variables, ...extra.variables }, { sort }));
    const items = this.loaded(set, user, r.objects, r.matched, selected, write);
    if (opts.expand) await this.expand(db, set, user, items, opts.expand, write);
    return items;
  }

  plan(xpath: string, attributes: readonly string[]): QueryPlan {
    const key = `${xpath}\n${attributes.join(',')}`;
    let plan = this.plans.get(key);
    if (!plan) {
      try {
        plan = compileQuery(this.model, { xpath, attributes }, this.dialect);
      } catch (e) {
        if (e instanceof XPathResolveError || e instanceof XPathSyntaxError || e instanceof QueryError)
          throw new ODataError(400, e instanceof QueryError ? e.message : e.detail);
        throw e;
      }
      if (this.plans.size >= MAX_PLANS) this.plans.delete(this.plans.keys().next().value!);
      this.plans.set(key, plan);
    }
    return plan;
  }

  /** A query error (a value out of range when bound) is the caller's 400. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof QueryError || e instanceof XPathResolveError) throw new ODataError(400, e.message);
      throw e;
    }
  }
}
