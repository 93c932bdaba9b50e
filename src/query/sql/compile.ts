import type { CEntity, CompiledModel } from '../../model/compiled/types.js';
import type { QuerySyntax } from '../../data/dialects/query-syntax.js';
import { attrValueType } from '../oql/resolve.js';
import type { OqlExpr, OqlHop, OqlQuery, OqlSource, ParamSource, ValueType } from '../oql/ast.js';

/** One bound parameter of a statement: where its value comes from and how it is typed. */
export interface SqlParam {
  readonly source: ParamSource;
  readonly type: ValueType;
}

/** A statement without paging: the paging clause is appended per execution. */
export interface SqlStatement {
  readonly text: string;
  readonly params: readonly SqlParam[];
}

/** Column alias of the i-th access-rule flag of an objects query. */
export function ruleFlagAlias(i: number): string {
  return `kiln_rule${i}`;
}

/** Column aliases of reference values selected with the objects. */
export function referenceAlias(association: string): string {
  return `ref$${association}`;
}

interface SourceTables {
  /** Entity name -> SQL qualifier of that entity's table for this source. */
  readonly tables: Map<string, string>;
  /** SQL for the source's object id. */
  id: string;
}

/**
 * Compiles an OQL query to SQL text for one dialect. The main source's tables
 * are qualified by their table names (as Mendix prints them); sources inside
 * subqueries get aliases t1, t2, ... Only the tables a source actually uses are
 * joined: an association step compared by id alone reads the association table.
 */
export class SqlCompiler {
  private params: SqlParam[] = [];
  private readonly needs = new Map<string, Set<string>>();
  private readonly sources = new Map<string, SourceTables>();

  constructor(
    private readonly model: CompiledModel,
    private readonly syntax: QuerySyntax,
  ) {}

  private q(name: string): string {
    return this.syntax.quote(name);
  }
  private entity(name: string): CEntity {
    return this.model.entities.get(name)!;
  }

  private need(alias: string, entity: string): void {
    let s = this.needs.get(alias);
    if (!s) {
      s = new Set();
      this.needs.set(alias, s);
    }
    s.add(entity);
  }

  /** Records which entity tables each source needs (before any SQL is emitted). */
  private scan(e: OqlExpr | undefined): void {
    if (!e) return;
    switch (e.kind) {
      case 'attr':
        this.need(e.source.alias, e.attribute.entity);
        break;
      case 'typeIn': {
        const ent = this.entity(e.source.entity);
        this.need(e.source.alias, ent.chain[ent.chain.length - 1]!);
        break;
      }
      case 'compare':
      case 'arith':
        this.scan(e.left);
        this.scan(e.right);
        break;
      case 'like':
        this.scan(e.operand);
        this.scan(e.pattern);
        break;
      case 'isNull':
      case 'not':
      case 'length':
      case 'datePart':
        this.scan(e.operand);
        break;
      case 'and':
      case 'or':
        e.items.forEach((i) => {
          this.scan(i);
        });
        break;
      case 'exists':
      case 'scalar':
        for (const h of e.hops) this.scanHop(h);
        this.scan(e.where);
        if (e.kind === 'scalar') this.scan(e.value);
        break;
      default:
        break;
    }
  }

  private scanHop(h: OqlHop): void {
    if (h.kind === 'cast' || h.cast) this.need(h.to.alias, h.to.entity);
    if (h.kind === 'systemMember') this.need(h.from.alias, this.memberTable(h.from.entity, h.member));
  }

  private memberTable(entity: string, member: 'owner' | 'changedBy'): string {
    const e = this.entity(entity);
    return e.chain.find((c) => this.entity(c).ownSystemMembers[member])!;
  }

  private qualifier(src: OqlSource, entity: string): string {
    const t = this.sources.get(src.alias)!.tables.get(entity);
    if (!t) throw new Error(`internal: table of ${entity} not joined for ${src.alias}`);
    return t;
  }

  private col(src: OqlSource, entity: string, column: string): string {
    return `${this.qualifier(src, entity)}.${this.q(column)}`;
  }

  private param(source: ParamSource, type: ValueType): string {
    this.params.push({ source, type });
    return this.syntax.placeholder(this.params.length);
  }

  /** The main statement: objects, count or aggregate, without paging. */
  compile(query: OqlQuery): SqlStatement {
    this.params = [];
    const main = query.source;
    const ent = this.entity(main.entity);
    this.need(main.alias, ent.name);
    if (query.select.kind === 'objects') {
      for (const a of query.select.attributes) this.need(main.alias, a.entity);
      if (query.select.withType) this.need(main.alias, ent.chain[ent.chain.length - 1]!);
      for (const f of query.select.flags ?? []) this.scan(f);
    }
    if (query.select.kind === 'aggregate') this.need(main.alias, query.select.attribute.entity);
    this.scan(query.where);
    for (const o of query.orderBy) this.scan(o.expr);
    // Main tables: own table first, then generalizations, qualified by table name.
    const tables = new Map<string, string>();
    const needed = this.needs.get(main.alias)!;
    let from = this.q(ent.table);
    tables.set(ent.name, this.q(ent.table));
    for (const g of ent.chain.slice(1)) {
      if (!needed.has(g)) continue;
      const t = this.q(this.entity(g).table);
      tables.set(g, t);
      from += ` INNER JOIN ${t} ON ${t}.${this.q('id')} = ${this.q(ent.table)}.${this.q('id')}`;
    }
    this.sources.set(main.alias, { tables, id: `${this.q(ent.table)}.${this.q('id')}` });

    let select: string;
    const sel = query.select;
    if (sel.kind === 'count') select = 'COUNT(*)';
    else if (sel.kind === 'aggregate')
      select = this.syntax.aggregate(sel.fn, this.col(main, sel.attribute.entity, sel.attribute.column), attrValueType(sel.attribute));
    else {
      const cols = [this.sources.get(main.alias)!.id];
      if (sel.withType) cols.push(this.col(main, ent.chain[ent.chain.length - 1]!, 'submetaobjectname'));
      const attrs = [...sel.attributes].sort((a, b) => (a.column < b.column ? -1 : a.column > b.column ? 1 : 0));
      for (const a of attrs) cols.push(this.col(main, a.entity, a.column));
      // Reference sets come in a follow-up query; a Reference is at most one row.
      for (const r of sel.references.filter((x) => x.type === 'Reference')) {
        cols.push(
          `(SELECT ${this.q('r')}.${this.q(r.childColumn)} FROM ${this.q(r.table)} ${this.q('r')} WHERE ${this.q('r')}.${this.q(r.parentColumn)} = ${this.sources.get(main.alias)!.id}) AS ${this.q(referenceAlias(r.name))}`,
        );
      }
      // Which access rules the object matches: compiled (and bound) as the row constraint is.
      (sel.flags ?? []).forEach((f, i) => {
        cols.push(`CASE WHEN ${this.expr(f)} THEN 1 ELSE 0 END AS ${this.q(ruleFlagAlias(i))}`);
      });
      select = cols.join(', ');
    }
    let sql = `SELECT ${select} FROM ${from}`;
    if (query.where) sql += ` WHERE ${this.expr(query.where)}`;
    if (query.orderBy.length) {
      sql += ` ORDER BY ${query.orderBy.map((o) => `${this.expr(o.expr)} ${o.descending ? 'DESC' : 'ASC'}`).join(', ')}`;
    }
    return { text: sql, params: this.params };
  }

  /** Joins for a source reached inside a subquery; returns FROM items and conditions. */
  private hopSql(h: OqlHop, from: string[], where: string[]): void {
    const join = (src: OqlSource, idExpr: string, force: boolean) => {
      const ent = this.entity(src.entity);
      const needed = this.needs.get(src.alias) ?? new Set<string>();
      const tables = new Map<string, string>();
      let n = 0;
      let id = idExpr;
      for (const c of ent.chain) {
        if (!(needed.has(c) || (force && c === ent.name))) continue;
        const alias = this.q(n === 0 ? src.alias : `${src.alias}_${n}`);
        n++;
        tables.set(c, alias);
        from.push(`${this.q(this.entity(c).table)} ${alias}`);
        where.push(`${alias}.${this.q('id')} = ${idExpr}`);
        if (n === 1) id = `${alias}.${this.q('id')}`;
      }
      this.sources.set(src.alias, { tables, id });
    };
    const fromId = this.sources.get(h.from.alias)!.id;
    switch (h.kind) {
      case 'association': {
        const a = h.association;
        const alias = this.q(`${h.to.alias}a`);
        const [mine, other] = h.forward ? [a.parentColumn, a.childColumn] : [a.childColumn, a.parentColumn];
        from.push(`${this.q(a.table)} ${alias}`);
        where.push(`${alias}.${this.q(mine)} = ${fromId}`);
        // Column storage: the parent's row is there with or without a link; an empty link is NULL.
        if (a.storage === 'column') where.push(`${alias}.${this.q(other)} IS NOT NULL`);
        join(h.to, `${alias}.${this.q(other)}`, h.cast);
        return;
      }
      case 'systemMember': {
        const colRef = this.col(h.from, this.memberTable(h.from.entity, h.member), `system$${h.member.toLowerCase()}`);
        const before = from.length;
        join(h.to, colRef, h.cast);
        if (from.length === before) where.push(`${colRef} IS NOT NULL`);
        return;
      }
      case 'cast':
        join(h.to, fromId, true);
        return;
    }
  }

  private subquery(hops: readonly OqlHop[], what: string, inner: () => string | undefined): { sql: string; tableless: boolean; conds: string[] } {
    const from: string[] = [];
    const where: string[] = [];
    for (const h of hops) this.hopSql(h, from, where);
    const w = inner();
    if (w) where.push(w);
    if (from.length === 0) return { sql: '', tableless: true, conds: where };
    return { sql: `SELECT ${what} FROM ${from.join(', ')}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`, tableless: false, conds: where };
  }

  expr(e: OqlExpr): string {
    switch (e.kind) {
      case 'attr':
        return this.col(e.source, e.attribute.entity, e.attribute.column);
      case 'id':
        return this.sources.get(e.source.alias)!.id;
      case 'param':
        return this.param(e.source, e.type);
      case 'const':
        return e.value ? this.syntax.trueCondition : this.syntax.falseCondition;
      case 'compare': {
        const l = this.expr(e.left);
        if (e.text && (e.op === '=' || e.op === '!=')) {
          const right = e.right;
          return this.syntax.textEquals(l, e.op, this.expr(right), () => this.expr(right));
        }
        return `${l} ${e.op === '!=' ? '<>' : e.op} ${this.expr(e.right)}`;
      }
      case 'like':
        return this.syntax.likeInsensitive(this.expr(e.operand), this.expr(e.pattern));
      case 'isNull':
        return `${this.expr(e.operand)} IS ${e.negated ? 'NOT ' : ''}NULL`;
      case 'and':
      case 'or':
        return `(${e.items.map((i) => this.expr(i)).join(e.kind === 'and' ? ' AND ' : ' OR ')})`;
      case 'not':
        return `NOT (${this.expr(e.operand)})`;
      case 'exists': {
        const s = this.subquery(e.hops, '1', () => (e.where ? this.expr(e.where) : undefined));
        if (s.tableless) return s.conds.length ? `(${s.conds.join(' AND ')})` : this.syntax.trueCondition;
        return `EXISTS (${s.sql})`;
      }
      case 'scalar': {
        let value = '';
        const s = this.subquery(e.hops, 'MIN(__v__)', () => {
          value = this.expr(e.value);
          return e.where ? this.expr(e.where) : undefined;
        });
        if (s.tableless) return s.conds.length ? `CASE WHEN ${s.conds.join(' AND ')} THEN ${value} END` : value;
        return `(${s.sql.replace('MIN(__v__)', `MIN(${value})`)})`;
      }
      case 'length':
        return this.syntax.length(this.expr(e.operand));
      case 'datePart': {
        const operand = this.expr(e.operand);
        const zone = e.zone;
        return this.syntax.datePart(
          e.part,
          operand,
          () => this.param(zone, 'String'),
          () => this.param({ kind: 'zoneOffset', ...(zone.kind === 'zone' && zone.zone ? { zone: zone.zone } : {}) }, 'String'),
        );
      }
      case 'arith':
        return `(${this.expr(e.left)} ${e.op === 'div' ? '/' : e.op} ${this.expr(e.right)})`;
      case 'typeIn': {
        const ent = this.entity(e.source.entity);
        const c = this.col(e.source, ent.chain[ent.chain.length - 1]!, 'submetaobjectname');
        return `${c} IN (${e.entities.map((t) => this.param({ kind: 'literal', value: t }, 'String')).join(', ')})`;
      }
      case 'userRole': {
        const u = this.q('ur');
        return `(SELECT ${u}.${this.q('id')} FROM ${this.q('system$userrole')} ${u} WHERE ${u}.${this.q('name')} = ${this.param({ kind: 'literal', value: e.name }, 'String')})`;
      }
    }
  }
}
