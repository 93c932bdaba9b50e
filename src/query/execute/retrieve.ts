import type { CompiledModel } from '../../model/compiled/types.js';
import type { Dialect, ValueDecoder } from '../../data/dialects/dialect.js';
import { createMxObject, createMxObjectFromRow, createMxObjectWithSlots, type MxObject } from '../../objects/mx-object.js';
import { shapeOf } from '../../objects/slot-map.js';
import type { CAssociation } from '../../model/compiled/types.js';
import type { OqlSelect } from '../oql/ast.js';
import type { AttributeValue } from '../../objects/values.js';
import type { UserContext } from '../../security/user-context.js';
import { QueryError } from '../errors.js';
import type { SortKey } from '../oql/build.js';
import { QueryPlan, type QueryRequest } from '../plan.js';
import { referenceAlias, ruleFlagAlias, type SqlStatement } from '../sql/compile.js';
import type { QuerySyntax } from '../../data/dialects/query-syntax.js';
import { bindParams, paramValue, type BindContext } from './bind.js';
import { decodeId, decodeValue } from './decode.js';
import { loadChildSideReferences, loadReferenceSets, loadSpecializationMembers } from './follow-up.js';
import { fillCalculated, hasCalculated } from './calculated.js';

/** What the query engine needs of a connection or transaction (the data layer's Database satisfies it). */
export interface QueryExecutor {
  readonly dialect: Dialect;
  query(sql: string, params: readonly unknown[]): Promise<Record<string, unknown>[]>;
}

/** Per-request paging and sorting (the client's options), overriding the plan's. */
export interface RetrieveOptions {
  readonly offset?: number;
  readonly amount?: number;
  readonly sort?: readonly SortKey[];
  readonly wantCount?: boolean;
  /** Fixed clock for tokens (tests); default now. */
  readonly now?: Date;
  /**
   * Do not filter by the user's access rules; report in `matched` which of
   * them each object matches (objects already in hand, such as a microflow's
   * result, whose member rights the client must get).
   */
  readonly matchRulesOnly?: boolean;
}

export interface RetrieveResult {
  readonly objects: MxObject[];
  readonly count?: number;
  /**
   * Per object (same order), which of the user's applicable rules for its
   * entity (`applicableRules` order) its XPath matches, read from the page's
   * own statement; absent, or undefined for an object, when the rights do not
   * depend on the object (all rules give the same): use every rule.
   */
  readonly matched?: readonly (readonly boolean[] | undefined)[];
}

function validInt(name: string, v: number | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isSafeInteger(v) || v < 0) throw new QueryError(`${name} must be a whole number >= 0, not ${String(v)}`);
  return v;
}

function toPlan(model: CompiledModel, p: QueryPlan | QueryRequest, dialect: Dialect): QueryPlan {
  if (p instanceof QueryPlan) {
    if (p.dialect.name !== dialect.name) throw new QueryError(`the plan was compiled for ${p.dialect.name}, the database is ${dialect.name}`);
    return p;
  }
  return new QueryPlan(model, p, dialect);
}

/**
 * Runs a retrieve: the page of objects (with the requested attributes and owned
 * references) and, when asked, the total count — two statements, plus one per
 * reference set requested.
 */
export async function retrieve(
  db: QueryExecutor,
  model: CompiledModel,
  planOrRequest: QueryPlan | QueryRequest,
  user: UserContext,
  variables: Readonly<Record<string, unknown>> = {},
  options: RetrieveOptions = {},
): Promise<RetrieveResult> {
  const plan = toPlan(model, planOrRequest, db.dialect);
  if (plan.aggregate) throw new QueryError('this XPath is an aggregate: use aggregate()');
  const ctx: BindContext = { user, variables, now: options.now ?? new Date() };
  const v = plan.variant(user, options.sort, emptyVariables(plan, ctx), options.matchRulesOnly);
  const offset = validInt('offset', options.offset ?? plan.request.offset);
  const amountRaw = validInt('amount', options.amount ?? plan.request.amount);
  const amount = amountRaw ? amountRaw : undefined;
  // `id ASC` keeps pages stable; a retrieve of everything needs no order.
  const stmt = amount === undefined && !offset && v.selectUnordered ? v.selectUnordered : v.select;
  const sql = pagedText(stmt, plan.syntax, amount, offset);
  const wantCount = options.wantCount ?? plan.request.wantCount;
  // The count does not wait for the page: both statements are on their way at once (pooled connections).
  const pageRows = db.query(sql, bindParams(stmt.params, ctx, plan.syntax));
  const countRows = wantCount ? db.query(v.count.text, bindParams(v.count.params, ctx, plan.syntax)) : undefined;
  countRows?.catch(() => undefined);
  const rows = await pageRows;
  const sel = v.oql.select;
  if (sel.kind !== 'objects') throw new Error('internal: not an objects query');
  const objects = rows.map(rowDecoder(sel, plan.entity.name, db.dialect));
  const flags = v.ruleFlags;
  const matched = flags
    ? rows.map((row, i) => {
        const cols = flags.byEntity.get(objects[i]!.entity);
        return cols?.map((c) => c === undefined || Number(row[ruleFlagAlias(c)]) === 1);
      })
    : undefined;
  // Each follow-up only when it has something to do: no promise and no turn of the event loop for the others.
  const sets = referenceSets(sel);
  if (sets.length) await loadReferenceSets(db, objects, sets);
  if (plan.entity.alsoOwns?.length) await loadChildSideReferences(db, model, plan, objects);
  if (!plan.request.attributes && sel.withType) await loadSpecializationMembers(db, model, plan.entity, objects);
  if (hasCalculated(model)) await fillCalculated(db, model, plan, user, objects);
  if (!countRows) return matched ? { objects, matched } : { objects };
  const counted = await countRows;
  return { objects, count: Number(Object.values(counted[0] ?? { c: 0 })[0]), ...(matched ? { matched } : {}) };
}

/** Per statement, its text with the paging last asked for. */
const paged = new WeakMap<SqlStatement, { amount: number | undefined; offset: number | undefined; text: string }>();

/**
 * The statement's text with its paging: the same string object while the paging stays the same
 * (a grid asks for the same page again and again), so that it is not concatenated, flattened and
 * hashed anew (the drivers' statement caches and the socket's write).
 */
function pagedText(stmt: SqlStatement, syntax: QuerySyntax, amount: number | undefined, offset: number | undefined): string {
  const last = paged.get(stmt);
  if (last !== undefined && last.amount === amount && last.offset === offset) return last.text;
  const text = stmt.text + syntax.paging(amount, offset);
  paged.set(stmt, { amount, offset, text });
  return text;
}

type ObjectsSelect = Extract<OqlSelect, { kind: 'objects' }>;
type RowDecoder = (row: Record<string, unknown>) => MxObject;

/** Per select (a plan's variant: one dialect), its reference sets and its row decoder, derived once. */
const referenceSetsOf = new WeakMap<ObjectsSelect, readonly CAssociation[]>();
const rowDecoders = new WeakMap<ObjectsSelect, RowDecoder>();

function referenceSets(sel: ObjectsSelect): readonly CAssociation[] {
  let sets = referenceSetsOf.get(sel);
  if (!sets) {
    sets = sel.references.filter((r) => r.type === 'ReferenceSet');
    referenceSetsOf.set(sel, sets);
  }
  return sets;
}

/**
 * A row to an object, compiled once per select: each attribute's decoder for
 * its type on this database and its slot in the entity's shape are looked up
 * here, not per row and column. A select that may return specializations (a
 * type column) decodes by name, as objects of different entities have
 * different shapes.
 */
function rowDecoder(sel: ObjectsSelect, entity: string, dialect: Dialect): RowDecoder {
  let decode = rowDecoders.get(sel);
  if (decode) return decode;
  const attrs = sel.attributes;
  const refs = sel.references.filter((r) => r.type === 'Reference').map((r) => ({ name: r.name, column: referenceAlias(r.name) }));
  const shape = shapeOf(entity);
  const slots = attrs.map((a) => shape.slot(a.name));
  if (sel.withType || slots.some((i) => i < 0)) {
    decode = (row) => {
      const name = sel.withType ? String(row.submetaobjectname ?? entity) : entity;
      const obj = createMxObject(name, decodeId(row.id), 'persisted');
      for (const a of attrs) obj.values.set(a.name, decodeValue(dialect, a, row[a.column]));
      for (const r of refs) {
        const raw = row[r.column];
        obj.references.set(r.name, raw === null || raw === undefined ? null : decodeId(raw));
      }
      return obj;
    };
  } else {
    const decoders = attrs.map((a) => dialect.values.decoderFor(a.type));
    const fill = slotFiller(
      attrs.map((a) => a.column),
      slots,
    );
    decode = (row) => {
      // Sized for the shape's names now (it may have gained some since: a short array reads them as absent).
      const values = new Array<unknown>(shape.names.length);
      fill(row, values, decoders);
      const id = row.id;
      // An id the driver gives as text (PostgreSQL's int8) stays text until someone needs the number.
      const obj = typeof id === 'string' ? createMxObjectFromRow(entity, id, values) : createMxObjectWithSlots(entity, decodeId(id), values, 'persisted');
      for (let i = 0; i < refs.length; i++) {
        const raw = row[refs[i]!.column];
        obj.references.set(refs[i]!.name, raw === null || raw === undefined ? null : decodeId(raw));
      }
      return obj;
    };
  }
  rowDecoders.set(sel, decode);
  return decode;
}

type SlotFiller = (row: Record<string, unknown>, values: unknown[], decoders: readonly ValueDecoder[]) => void;

/**
 * `for (i) values[slots[i]] = decode(row[columns[i]])` written out, one statement per column
 * with its name as a literal: V8 then loads each column by the hidden class the rows of a
 * statement share, where the loop's load by a name that changes every turn misses its caches
 * (a megamorphic load per column and row). The source holds nothing but the select's column
 * aliases, as JSON string literals, and slot numbers.
 */
function slotFiller(columns: readonly string[], slots: readonly number[]): SlotFiller {
  let src = 'let r;\n';
  for (let i = 0; i < columns.length; i++) {
    const slot = slots[i]!;
    if (!Number.isInteger(slot) || slot < 0) throw new Error(`internal: slot ${slot} of column ${columns[i]}`);
    src += `r = row[${JSON.stringify(columns[i])}];\nvalues[${slot}] = r === null || r === undefined ? null : decoders[${i}](r);\n`;
  }
  return new Function('row', 'values', 'decoders', src) as SlotFiller;
}

/** The compared variables that are empty in this execution (a missing one is reported when binding). */
function emptyVariables(plan: QueryPlan, ctx: BindContext): string[] {
  const out: string[] = [];
  for (const v of plan.comparedVariables) {
    if (!Object.hasOwn(ctx.variables, v.name)) continue;
    let value: unknown;
    // A variable itself (the by-id loads' $Id0...: asked per query) is read as paramValue reads it, without a source object made for it.
    if (v.path.length === 0) value = ctx.variables[v.name];
    else
      try {
        value = paramValue({ kind: 'variable', name: v.name, path: v.path, pos: 0 }, ctx);
      } catch {
        continue;
      }
    if (value === null || value === undefined) out.push([v.name, ...v.path].join('/'));
  }
  return out;
}

/** Runs an aggregate XPath (`count(//E[...])`, `sum(//E[...]/Attr)`, ...). */
export async function aggregate(
  db: QueryExecutor,
  model: CompiledModel,
  planOrRequest: QueryPlan | QueryRequest,
  user: UserContext,
  variables: Readonly<Record<string, unknown>> = {},
  options: { now?: Date } = {},
): Promise<AttributeValue | number> {
  const plan = toPlan(model, planOrRequest, db.dialect);
  if (!plan.aggregate) throw new QueryError('this XPath is not an aggregate (count(...), sum(...), avg(...), min(...), max(...))');
  const ctx: BindContext = { user, variables, now: options.now ?? new Date() };
  const v = plan.variant(user, undefined, emptyVariables(plan, ctx));
  const rows = await db.query(v.select.text, bindParams(v.select.params, ctx, plan.syntax));
  const raw = Object.values(rows[0] ?? {})[0];
  const sel = v.oql.select;
  if (sel.kind === 'count') return Number(raw ?? 0);
  if (sel.kind !== 'aggregate') throw new Error('internal: not an aggregate');
  if (raw === null || raw === undefined) return null;
  if (sel.fn === 'avg') return decodeValue(db.dialect, { type: 'Decimal' }, typeof raw === 'number' ? String(raw) : raw);
  return decodeValue(
    db.dialect,
    sel.attribute.type === 'Decimal' && typeof raw === 'number' ? { type: 'Decimal' } : sel.attribute,
    typeof raw === 'number' && sel.attribute.type === 'Decimal' ? String(raw) : raw,
  );
}
