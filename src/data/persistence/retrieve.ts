import type { CAssociation, CompiledModel } from '../../model/compiled/types.js';
import { createMxObject, createMxObjectFromRow, createMxObjectWithSlots, putValue, type MxObject } from '../../objects/mx-object.js';
import { shapeOf, type Shape } from '../../objects/slot-map.js';
import type { ObjectId } from '../../objects/values.js';
import type { Queryable } from '../database.js';
import type { Dialect, ValueDecoder } from '../dialects/dialect.js';
import { decodeId } from '../dialects/value-codecs.js';
import { TYPE_COLUMN } from '../schema/model-schema.js';
import { entityMap, type ColumnMap, type TableMap } from './mapping.js';
import { chunks, inListText, SqlWriter } from './sql.js';

export interface RetrieveOptions {
  /** Load only these attributes (names); default all. The id and the object's type are always loaded. */
  readonly attributes?: readonly string[];
  /** Load the values of the associations the objects own (default true). */
  readonly references?: boolean;
}

/**
 * Loads objects by id, as objects of their concrete entity: the requested
 * entity's chain of tables joined on id, then — for objects of a
 * specialization — the specialization's own tables in a follow-up query, then
 * the owned associations (one query per association, not per object).
 * Ids not found (or not of this entity) are left out; order follows `ids`.
 */
export async function retrieveByIds(
  q: Queryable,
  model: CompiledModel,
  entity: string,
  ids: readonly ObjectId[],
  opts: RetrieveOptions = {},
): Promise<MxObject[]> {
  // Ids in ascending order (how a batch of ids mostly comes: handed out in sequence) hold no repeats.
  const unique = ids.length === 1 || ascending(ids) ? ids : [...new Set(ids)];
  if (unique.length === 0) return [];
  const map = entityMap(model, entity);
  const wanted = opts.attributes ? new Set(opts.attributes) : undefined;
  const plan = selectPlan(q.dialect, map.tables, wanted, true);
  // One id of an entity without specializations or associations (the common
  // single read): no bookkeeping beyond the one query.
  if (unique.length === 1 && !map.typeColumn && (opts.references === false || (map.owned.length === 0 && map.alsoOwned.length === 0))) {
    const rows = await selectTables(q, plan, unique);
    return rows.length ? [toObject(model, entity, plan, rows[0]!)] : [];
  }
  const got: MxObject[] = [];
  for (const part of chunks(q.dialect, unique, 1)) {
    const rows = await selectTables(q, plan, part);
    for (let i = 0; i < rows.length; i++) got.push(toObject(model, entity, plan, rows[i]!));
  }
  // Every id found, in the order asked (the databases return an IN list of
  // ascending ids in index order), and nothing more to load: no lookup table.
  const simple = !map.typeColumn && (opts.references === false || (map.owned.length === 0 && map.alsoOwned.length === 0));
  if (simple && sameOrder(got, unique)) return got;
  const found = new Map<ObjectId, MxObject>();
  for (const o of got) found.set(o.id, o);
  // Specializations: their own tables, one query per concrete entity.
  if (map.typeColumn) await loadSpecializationMembers(q, model, entity, [...found.values()], { wanted: () => wanted, references: false });
  // Without specializations, only this entity's owned associations can be there to load.
  if (opts.references !== false && (map.typeColumn || map.owned.length > 0 || map.alsoOwned.length > 0)) await loadReferences(q, model, [...found.values()]);
  const out: MxObject[] = [];
  for (const id of unique) {
    const o = found.get(id);
    if (o) out.push(o);
  }
  return out;
}

function ascending(ids: readonly ObjectId[]): boolean {
  for (let i = 1; i < ids.length; i++) if (ids[i - 1]! >= ids[i]!) return false;
  return true;
}

function sameOrder(objs: readonly MxObject[], ids: readonly ObjectId[]): boolean {
  if (objs.length !== ids.length) return false;
  for (let i = 0; i < objs.length; i++) if (objs[i]!.id !== ids[i]) return false;
  return true;
}

interface SelectPlan {
  readonly head: string;
  /** Position of the type column in the select list, -1 when not selected. */
  readonly typeIndex: number;
  readonly idColumn: string;
  /** The selected columns but the type column, with the decoder of their type on this dialect. */
  readonly columns: readonly SelectedColumn[];
  /** The whole statement by number of ids. */
  readonly texts: Map<number, string>;
  /** `slotsOf`'s answer for the shape last asked for. */
  slots?: { readonly shape: Shape; readonly at: readonly number[] | undefined };
}

interface SelectedColumn {
  readonly column: string;
  /** Position in the select list (rows read as arrays); the id is 0. */
  readonly index: number;
  readonly key: string;
  readonly reference: boolean;
  readonly decode: ValueDecoder;
}

const plans = new WeakMap<readonly TableMap[], Map<string, SelectPlan>>();
/** The keys of the usual "all attributes" plans, by dialect. */
const allKeys = new Map<Dialect, readonly [string, string]>();

function allKeysOf(dialect: Dialect): readonly [string, string] {
  let keys = allKeys.get(dialect);
  if (!keys) {
    keys = [`${dialect.name}|false|*`, `${dialect.name}|true|*`];
    allKeys.set(dialect, keys);
  }
  return keys;
}

/** The SELECT ... FROM ... JOIN part for a list of tables, built once per tables, dialect and attribute list. */
function selectPlan(dialect: Dialect, tables: readonly TableMap[], wanted: ReadonlySet<string> | undefined, withType: boolean): SelectPlan {
  let byKey = plans.get(tables);
  if (!byKey) {
    byKey = new Map();
    plans.set(tables, byKey);
  }
  // Constant keys for the usual "all attributes" plans: no string built per call.
  const key = wanted ? `${dialect.name}|${withType}|${[...wanted].sort().join(',')}` : allKeysOf(dialect)[withType ? 1 : 0];
  let plan = byKey.get(key);
  if (!plan) {
    const w = new SqlWriter(dialect);
    const first = tables[0]!;
    const cols = [`${w.q(first.table)}.${w.q('id')}`];
    const columns: SelectedColumn[] = [];
    let typeIndex = -1;
    for (const t of tables) {
      for (const c of t.columns) {
        if (!include(c, wanted, withType)) continue;
        const index = cols.length;
        cols.push(`${w.q(t.table)}.${w.q(c.column)}`);
        if (c.source === 'type') typeIndex = index;
        else columns.push({ column: c.column, index, key: c.key, reference: c.source === 'reference', decode: dialect.values.decoderFor(c.type) });
      }
    }
    let from = w.q(first.table);
    for (const t of tables.slice(1)) from += ` INNER JOIN ${w.q(t.table)} ON ${w.q(t.table)}.${w.q('id')} = ${w.q(first.table)}.${w.q('id')}`;
    plan = { head: `SELECT ${cols.join(', ')} FROM ${from} WHERE `, typeIndex, idColumn: `${w.q(first.table)}.${w.q('id')} `, columns, texts: new Map() };
    byKey.set(key, plan);
  }
  return plan;
}

/** A row as the driver gave it: an object by column name, or (SQLite outside a transaction) an array in select-list order. */
type Row = Record<string, unknown> | unknown[];

function rowId(row: Row): unknown {
  return Array.isArray(row) ? row[0] : row.id;
}

function selectTables(q: FollowUpQueryable, plan: SelectPlan, ids: readonly ObjectId[]): Promise<Row[]> {
  const values = q.dialect.values;
  const params = values.bigintsAsIs ? ids : ids.map(values.encodeId);
  // The same string object for the same statement: the drivers' statement caches hash it once.
  let text = plan.texts.get(ids.length);
  if (text === undefined) {
    text = plan.head + plan.idColumn + inListText(q.dialect, 0, ids.length);
    plan.texts.set(ids.length, text);
  }
  const arrays = q.queryArraysNow?.(text, params);
  return arrays !== undefined ? Promise.resolve(arrays) : q.query(text, params);
}

function include(c: ColumnMap, wanted: ReadonlySet<string> | undefined, withType: boolean): boolean {
  if (c.source === 'type') return withType;
  return !wanted || wanted.has(c.key);
}

/** A row of the requested entity's tables as an object of its concrete entity. */
function toObject(model: CompiledModel, entity: string, plan: SelectPlan, row: Row): MxObject {
  const type = plan.typeIndex < 0 ? undefined : Array.isArray(row) ? row[plan.typeIndex] : row[TYPE_COLUMN];
  const concrete = typeof type === 'string' && type !== entity && model.entities.has(type) ? type : entity;
  const rawId = rowId(row);
  const shape = shapeOf(concrete);
  const at = slotsOf(plan, shape);
  if (at === undefined) {
    const obj = createMxObject(concrete, decodeId(rawId), 'persisted');
    fill(obj, plan, row);
    return obj;
  }
  // The values go straight into the slots of the entity's shape: no lookup of a
  // name per column and row.
  const cols = plan.columns;
  const array = Array.isArray(row) ? row : undefined;
  const slots = new Array<unknown>(shape.names.length);
  let refs: [string, bigint | null][] | undefined;
  for (let i = 0; i < cols.length; i++) {
    const c = cols[i]!;
    const raw = array ? array[c.index] : (row as Record<string, unknown>)[c.column];
    if (c.reference) (refs ??= []).push([c.key, raw === null || raw === undefined ? null : decodeId(raw)]);
    else slots[at[i]!] = raw === null || raw === undefined ? null : c.decode(raw);
  }
  // An id the driver gives as text (PostgreSQL's int8) stays text until someone needs the number.
  const obj =
    typeof rawId === 'string' ? createMxObjectFromRow(concrete, rawId, slots) : createMxObjectWithSlots(concrete, decodeId(rawId), slots, 'persisted');
  if (refs) for (const [k, v] of refs) obj.references.set(k, v);
  return obj;
}

/**
 * The slot of each selected column's attribute in `shape` (-1 for references),
 * remembered per plan for the shape last asked for; undefined when the shape
 * has no room for them (then the values are set by name).
 */
function slotsOf(plan: SelectPlan, shape: Shape): readonly number[] | undefined {
  const cached = plan.slots;
  if (cached !== undefined && cached.shape === shape) return cached.at;
  const at = plan.columns.map((c) => (c.reference ? -1 : shape.slot(c.key)));
  const usable = at.every((i, k) => i >= 0 || plan.columns[k]!.reference) ? at : undefined;
  plan.slots = { shape, at: usable };
  return usable;
}

function fill(obj: MxObject, plan: SelectPlan, row: Row): void {
  const cols = plan.columns;
  const array = Array.isArray(row) ? row : undefined;
  for (let i = 0; i < cols.length; i++) {
    const c = cols[i]!;
    const raw = array ? array[c.index] : (row as Record<string, unknown>)[c.column];
    if (raw === null || raw === undefined) {
      if (c.reference) obj.references.set(c.key, null);
      else putValue(obj, c.key, null);
    } else if (c.reference) obj.references.set(c.key, decodeId(raw));
    else putValue(obj, c.key, c.decode(raw));
  }
}

/** What the follow-up loads need of a connection: the data layer's Database and the query engine's executor both fit. */
export interface FollowUpQueryable extends Pick<Queryable, 'dialect' | 'queryArraysNow'> {
  query(sql: string, params: readonly unknown[]): Promise<Record<string, unknown>[]>;
}

/** The owned associations' values, one query per association over all objects that own it. */
async function loadReferences(q: FollowUpQueryable, model: CompiledModel, objects: readonly MxObject[]): Promise<void> {
  const byAssoc = new Map<string, MxObject[]>();
  const byChild = new Map<string, MxObject[]>();
  for (const o of objects) {
    const m = entityMap(model, o.entity);
    for (const a of m.owned) push(byAssoc, a.name, o);
    for (const a of m.alsoOwned) push(byChild, a.name, o);
  }
  for (const [name, objs] of byAssoc) await loadAssociation(q, model.associations.get(name)!, objs);
  for (const [name, objs] of byChild) await loadAssociation(q, model.associations.get(name)!, objs, true);
}

/**
 * The values of one association for objects that own it: one query per
 * IDS_PER_STATEMENT objects. Each object gets the child id (or null) of a
 * Reference, the ascending child ids (or []) of a ReferenceSet. The follow-up
 * load of retrieveByIds and of the query engine (reference sets, the
 * associations of specializations).
 */
export async function loadAssociation(q: FollowUpQueryable, a: CAssociation, objects: readonly MxObject[], fromChild = false): Promise<void> {
  if (objects.length === 0) return;
  const name = a.name;
  // From the child side (an association owned by both ends): the objects are children, the values parent ids.
  const mine = fromChild ? a.childColumn : a.parentColumn;
  const other = fromChild ? a.parentColumn : a.childColumn;
  const set = a.type !== 'Reference';
  const byId = new Map<ObjectId, MxObject>();
  for (const o of objects) {
    byId.set(o.id, o);
    o.references.set(name, set ? [] : null);
  }
  const sets = new Map<ObjectId, bigint[]>();
  for (const part of chunks(q.dialect, objects, 1)) {
    const w = new SqlWriter(q.dialect);
    // `child IS NOT NULL`: a column-stored association's parent row without a link holds NULL.
    const sql = `SELECT ${w.q(mine)}, ${w.q(other)} FROM ${w.q(a.table)} WHERE ${w.q(mine)} ${w.inList(part.map((o) => q.dialect.values.encodeId(o.id)))} AND ${w.q(a.childColumn)} IS NOT NULL`;
    for (const row of await q.query(sql, w.params)) {
      const parent = decodeId(row[mine]);
      const child = decodeId(row[other]);
      if (!set) byId.get(parent)?.references.set(name, child);
      else push(sets, parent, child);
    }
  }
  for (const [parent, children] of sets)
    byId.get(parent)?.references.set(
      name,
      children.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)),
    );
}

export interface SpecializationLoad {
  /** The attributes to load of objects of a concrete entity (names); undefined = every column of its tables. */
  readonly wanted?: (concrete: string) => ReadonlySet<string> | undefined;
  /** Also load the associations a specialization owns beyond `entity`'s (default true). */
  readonly references?: boolean;
}

/**
 * Objects of specializations found as objects of `entity` get the members their
 * own entity adds: the columns of its tables below `entity`'s, one query per
 * concrete entity (per IDS_PER_STATEMENT objects), and — unless
 * `references: false` — the associations it owns beyond `entity`'s, one query
 * per association. Objects of `entity` itself are left alone.
 */
export async function loadSpecializationMembers(
  q: FollowUpQueryable,
  model: CompiledModel,
  entity: string,
  objects: readonly MxObject[],
  opts: SpecializationLoad = {},
): Promise<void> {
  const byConcrete = new Map<string, MxObject[]>();
  for (const o of objects) if (o.entity !== entity) push(byConcrete, o.entity, o);
  if (byConcrete.size === 0) return;
  const map = entityMap(model, entity);
  for (const [concrete, objs] of byConcrete) {
    if (!model.entities.has(concrete)) continue;
    const cmap = entityMap(model, concrete);
    const extra = cmap.extraTables(map.tables.length);
    const wanted = opts.wanted?.(concrete);
    const xplan = extra.length ? selectPlan(q.dialect, extra, wanted, false) : undefined;
    if (xplan && xplan.columns.length) {
      const byId = new Map<ObjectId, MxObject>();
      for (const o of objs) byId.set(o.id, o);
      for (const part of chunks(q.dialect, objs, 1)) {
        const rows = await selectTables(
          q,
          xplan,
          part.map((o) => o.id),
        );
        for (const row of rows) {
          const o = byId.get(decodeId(rowId(row)));
          if (o) fill(o, xplan, row);
        }
      }
    }
    if (opts.references === false) continue;
    for (const a of cmap.owned) if (!map.owned.includes(a)) await loadAssociation(q, a, objs);
  }
}

export function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}
