import type { CAssociation, CEntity, CompiledModel } from '../../model/compiled/types.js';
import { clearChanges, getValue, isChanged, putValue, setReference, setValue, slotStoreOf, type MxObject } from '../../objects/mx-object.js';
import type { AssociationValue, ObjectId } from '../../objects/values.js';
import type { Queryable } from '../database.js';
import type { Dialect, ValueEncoder } from '../dialects/dialect.js';
import { entityMap, type ColumnMap, type TableMap } from './mapping.js';
import { push } from './retrieve.js';
import { chunks, SqlWriter } from './sql.js';
import { linkPairs, unlinkChildren, unlinkParents } from './association-rows.js';
import { shapeOf, type Shape } from '../../objects/slot-map.js';

export interface CommitOptions {
  /** The committing user: System.changedBy (and System.owner of new objects that have none). */
  readonly user?: ObjectId;
  /** changedDate of the committed objects. Default now. */
  readonly now?: Date;
}

/**
 * Writes objects: new ones are INSERTed into every table of their chain (many
 * objects per statement), persisted ones get an UPDATE of only their changed
 * columns per table (`UPDATE "t" SET "a" = ? WHERE "id" = ?`). Owned
 * associations set on the objects are written to the association tables.
 * Afterwards the objects are `persisted` with no changes pending.
 * Run it inside a transaction so that a failure leaves nothing half-written.
 */
export async function commitObjects(tx: Queryable, model: CompiledModel, objects: readonly MxObject[], opts: CommitOptions = {}): Promise<void> {
  if (objects.length === 0) return;
  const now = opts.now ?? new Date();

  // One pass over the objects: system members maintained on commit, new ones
  // grouped by entity, persisted ones listed, association rows collected. The
  // entity of the previous object is remembered: a commit's objects mostly
  // come in runs of one entity.
  // The maps are made when first needed: a commit of one changed object mostly needs none.
  let byEntity: Map<string, MxObject[]> | undefined;
  const persisted: MxObject[] = [];
  let replace: Map<string, MxObject[]> | undefined;
  let rows: Map<string, [ObjectId, ObjectId][]> | undefined;
  let lastEntity: string | undefined;
  let sm: CEntity['systemMembers'] | undefined;
  let anySystem = false;
  let owned: readonly CAssociation[] = [];
  let alsoOwned: readonly CAssociation[] = [];
  // Both-owned associations changed from the child side: their rows of these children are replaced.
  let replaceChild: Map<string, MxObject[]> | undefined;
  // Parents given a child from the child side of a Reference: a parent refers to one child, so its former link goes.
  let movedParents: Map<string, ObjectId[]> | undefined;
  let freshRun: MxObject[] | undefined;
  for (const o of objects) {
    if (o.entity !== lastEntity) {
      const m = entityMap(model, o.entity);
      sm = m.entity.systemMembers;
      anySystem = sm.changedDate || sm.createdDate || sm.changedBy || sm.owner;
      owned = m.owned;
      alsoOwned = m.alsoOwned;
      freshRun = undefined;
      lastEntity = o.entity;
    }
    const isNew = o.state === 'new';
    if (anySystem) {
      if (sm!.changedDate) setValue(o, 'changedDate', now);
      if (sm!.createdDate && isNew && !getValue(o, 'createdDate')) putValue(o, 'createdDate', now);
      if (sm!.changedBy && opts.user !== undefined) setReference(o, 'System.changedBy', opts.user);
      if (sm!.owner && isNew && opts.user !== undefined && (o.references.get('System.owner') ?? null) === null) o.references.set('System.owner', opts.user);
    }
    if (isNew) {
      // The entities' INSERTs go in the order their first new object came.
      if (freshRun === undefined) {
        byEntity ??= new Map();
        freshRun = byEntity.get(o.entity);
        if (!freshRun) {
          freshRun = [];
          byEntity.set(o.entity, freshRun);
        }
      }
      freshRun.push(o);
    } else persisted.push(o);
    // Associations: new objects' non-empty values; persisted objects' changed ones (replaced).
    for (let k = 0; k < owned.length; k++) {
      const a = owned[k]!;
      if (!isNew) {
        if (!isChanged(o, a.name)) continue;
        push((replace ??= new Map()), a.name, o);
      }
      for (const child of children(o.references.get(a.name))) push((rows ??= new Map()), a.name, [o.id, child]);
    }
    for (let k = 0; k < alsoOwned.length; k++) {
      const a = alsoOwned[k]!;
      // A new child's value is written only when set: an empty one says nothing about the parents' side.
      if (!isChanged(o, a.name)) continue;
      if (!isNew) push((replaceChild ??= new Map()), a.name, o);
      for (const parent of children(o.references.get(a.name))) {
        push((rows ??= new Map()), a.name, [parent, o.id]);
        if (a.type === 'Reference') push((movedParents ??= new Map()), a.name, parent);
      }
    }
  }

  // INSERT new objects, grouped by entity, root table first.
  if (byEntity)
    for (const [entity, objs] of byEntity) {
      const tables = entityMap(model, entity).tables;
      for (let i = tables.length - 1; i >= 0; i--) await insertRows(tx, tables[i]!, objs, entity);
    }

  // UPDATE persisted objects: only the changed columns, per table; objects
  // whose changed columns are the same share a statement. The groups keep the
  // order in which their first object came. One object (the usual save) has at
  // most one group per table, in table order: no grouping then.
  if (persisted.length === 1) {
    const o = persisted[0]!;
    const tables = entityMap(model, o.entity).tables;
    for (let i = tables.length - 1; i >= 0; i--) {
      const t = tables[i]!;
      const key = changedKey(t, o);
      if (key !== undefined) await updateOne(tx, t, updateShape(tx.dialect, t, key, o), o);
    }
  } else if (persisted.length > 1) {
    const updates = new Map<number | string, UpdateGroup>();
    let updEntity: string | undefined;
    let updTables: readonly TableMap[] = [];
    for (const o of persisted) {
      if (o.entity !== updEntity) {
        updTables = entityMap(model, o.entity).tables;
        updEntity = o.entity;
      }
      for (let i = updTables.length - 1; i >= 0; i--) {
        const t = updTables[i]!;
        const key = changedKey(t, o);
        if (key === undefined) continue;
        const g = updates.get(key);
        if (g) g.objs.push(o);
        else updates.set(key, { t, shape: updateShape(tx.dialect, t, key, o), objs: [o] });
      }
    }
    for (const { t, shape, objs } of updates.values()) await updateRows(tx, t, shape, objs);
  }

  // Association rows: replaced ones deleted, then all collected ones inserted.
  if (replace)
    for (const [name, objs] of replace)
      await unlinkParents(
        tx,
        model.associations.get(name)!,
        objs.map((o) => o.id),
      );
  if (replaceChild)
    for (const [name, objs] of replaceChild)
      await unlinkChildren(
        tx,
        model.associations.get(name)!,
        objs.map((o) => o.id),
      );
  if (movedParents) for (const [name, parents] of movedParents) await unlinkParents(tx, model.associations.get(name)!, parents);
  if (rows)
    for (const [name, pairs] of rows) {
      const a = model.associations.get(name)!;
      await linkPairs(tx, a, a.owner === 'Both' ? distinct(pairs) : pairs);
    }

  for (const o of objects) {
    o.state = 'persisted';
    clearChanges(o);
  }
}

interface UpdateGroup {
  readonly t: TableMap;
  readonly shape: UpdateShape;
  readonly objs: MxObject[];
}

/** One set of changed columns of a table: which they are and the UPDATE texts that set them. */
interface UpdateShape {
  /** Positions in `t.columns` of the changed columns. */
  readonly at: readonly number[];
  /** `UPDATE "t" SET "a" = ? WHERE "id" = ?`: one object. */
  readonly one: string;
  /** The dialect's batch UPDATE by number of rows (made when first needed). */
  many: Map<number, string> | undefined;
}

/**
 * Which of the table's columns changed on the object, as one key: the table's
 * number and a bit per column (a string past 30 columns); undefined when none
 * did. Objects with the same key share an UPDATE; per dialect, the key finds
 * the statement's text made for the first of them (updateShape).
 */
function changedKey(t: TableMap, o: MxObject): number | string | undefined {
  const cols = t.columns;
  const n = t.number;
  if (cols.length <= 30 && n < 1 << 21) {
    let bits = 0;
    for (let j = 0; j < cols.length; j++) if (cols[j]!.source !== 'type' && isChanged(o, cols[j]!.key)) bits |= 1 << j;
    return bits === 0 ? undefined : n * 2 ** 31 + bits;
  }
  const at = changedColumns(t, o);
  return at.length === 0 ? undefined : `${n}:${at.join(',')}`;
}

function changedColumns(t: TableMap, o: MxObject): number[] {
  const at: number[] = [];
  const cols = t.columns;
  for (let j = 0; j < cols.length; j++) if (cols[j]!.source !== 'type' && isChanged(o, cols[j]!.key)) at.push(j);
  return at;
}

/**
 * UPDATE shapes by dialect and changedKey (which names the table too: TableMap.number never
 * comes again, not even for another model's tables). Compiled at the first object with those
 * changed columns, then reused: the save of a form changes the same columns every time.
 */
const updateShapes = new WeakMap<Dialect, Map<number | string, UpdateShape>>();
/** The last dialect's shapes: a process mostly runs on one database. */
let lastDialect: Dialect | undefined;
let lastShapes: Map<number | string, UpdateShape> | undefined;

function updateShape(d: Dialect, t: TableMap, key: number | string, o: MxObject): UpdateShape {
  let byKey = d === lastDialect ? lastShapes : updateShapes.get(d);
  if (!byKey) {
    byKey = new Map();
    updateShapes.set(d, byKey);
  }
  lastDialect = d;
  lastShapes = byKey;
  let shape = byKey.get(key);
  if (shape === undefined) {
    const at = changedColumns(t, o);
    const w = new SqlWriter(d);
    const set = at.map((j) => `${w.q(t.columns[j]!.column)} = ${w.p(null)}`).join(', ');
    shape = { at, one: `UPDATE ${w.q(t.table)} SET ${set} WHERE ${w.q('id')} = ${w.p(null)}`, many: undefined };
    if (byKey.size > 2000) byKey.clear();
    byKey.set(key, shape);
  }
  return shape;
}

/** The batch UPDATE of `rows` objects with the shape's columns (PostgreSQL, MariaDB). */
function batchText(d: Dialect, t: TableMap, shape: UpdateShape, rows: number): string {
  shape.many ??= new Map();
  let text = shape.many.get(rows);
  if (text === undefined) {
    const w = new SqlWriter(d);
    text = d.batchUpdate!(
      t.table,
      shape.at.map((j) => t.columns[j]!),
      rows,
      () => w.p(null),
    );
    if (shape.many.size > 100) shape.many.clear();
    shape.many.set(rows, text);
  }
  return text;
}

/** The value bound for column `j` of the table (its writer) from the object. */
function boundValue(writers: readonly ColumnWriter[], encodeId: (id: ObjectId) => unknown, o: MxObject, j: number): unknown {
  const c = writers[j]!;
  if (c.source === 'reference') {
    const v = o.references.get(c.key);
    return typeof v === 'bigint' ? encodeId(v) : null;
  }
  const v = getValue(o, c.key);
  return v === null || v === undefined ? null : c.encode(v);
}

/** The UPDATE of one object: its changed values, then its id. */
function updateParams(d: Dialect, t: TableMap, at: readonly number[], o: MxObject): unknown[] {
  const writers = columnWriters(d, t);
  const encodeId = d.values.encodeId;
  const p = new Array<unknown>(at.length + 1);
  for (let k = 0; k < at.length; k++) p[k] = boundValue(writers, encodeId, o, at[k]!);
  p[at.length] = encodeId(o.id);
  return p;
}

async function updateOne(tx: Queryable, t: TableMap, shape: UpdateShape, o: MxObject): Promise<void> {
  const p = updateParams(tx.dialect, t, shape.at, o);
  // executeEach pays off where it runs synchronously (SQLite); elsewhere it is `execute` in a loop.
  if (tx.executeEach && tx.dialect.singleConnection) await tx.executeEach(shape.one, [p]);
  else await tx.execute(shape.one, p);
}

/**
 * `UPDATE "t" SET "a" = ? WHERE "id" = ?` for one object. For several on
 * PostgreSQL and MariaDB, one statement per chunk joining the table with the
 * rows of new values (a round trip per object would dominate); SQLite has no
 * round trips, so there each object keeps its own prepared statement, all run
 * in one call where the transaction allows (`executeEach`).
 */
async function updateRows(tx: Queryable, t: TableMap, shape: UpdateShape, objs: readonly MxObject[]): Promise<void> {
  const d = tx.dialect;
  const at = shape.at;
  if (objs.length === 1 || d.batchUpdate === undefined) {
    const sets = objs.map((o) => updateParams(d, t, at, o));
    if (tx.executeEach) await tx.executeEach(shape.one, sets);
    else for (const p of sets) await tx.execute(shape.one, p);
    return;
  }
  const writers = columnWriters(d, t);
  const encodeId = d.values.encodeId;
  for (const part of chunks(d, objs, at.length + 1)) {
    const params: unknown[] = [];
    for (const o of part) {
      params.push(encodeId(o.id));
      for (const j of at) params.push(boundValue(writers, encodeId, o, j));
    }
    await tx.execute(batchText(d, t, shape, part.length), params);
  }
}

function children(v: AssociationValue | undefined): readonly bigint[] {
  if (v === undefined || v === null) return [];
  return typeof v === 'bigint' ? [v] : v;
}

const insertTexts = new WeakMap<TableMap, Map<string, string>>();

/** `INSERT INTO "t" ("id", ...) VALUES (?, ...), (?, ...)` for `rows` rows, built once per table, dialect and row count. */
function insertText(dialect: Dialect, t: TableMap, rows: number): string {
  let byKey = insertTexts.get(t);
  if (!byKey) {
    byKey = new Map();
    insertTexts.set(t, byKey);
  }
  const key = `${dialect.name}:${rows}`;
  let text = byKey.get(key);
  if (text === undefined) {
    const w = new SqlWriter(dialect);
    const head = [w.q('id'), ...t.columns.map((c) => w.q(c.column))].join(', ');
    const width = t.columns.length + 1;
    const tuples: string[] = [];
    for (let r = 0; r < rows; r++) tuples.push(`(${Array.from({ length: width }, (_, c) => dialect.placeholder(r * width + c + 1)).join(', ')})`);
    text = `INSERT INTO ${w.q(t.table)} (${head}) VALUES ${tuples.join(', ')}`;
    byKey.set(key, text);
  }
  return text;
}

/** How each column of a table gets its bound value from an object, chosen once per table and dialect. */
interface ColumnWriter {
  readonly source: ColumnMap['source'];
  readonly key: string;
  readonly encode: ValueEncoder;
  /**
   * Strings up to this length are bound as they are, without calling `encode`
   * (which would return them unchanged): String columns are the most common,
   * and one call site shared by all encoders cannot be inlined. -1: never.
   */
  readonly plainString: number;
  /**
   * The common cases bound inline by `insertRows`, the rest through `encode`
   * (a call site shared by every column's encoder is not inlined by the JIT).
   */
  readonly kind: WriterKind;
}

// biome-ignore lint/suspicious/noConstEnum: file-local, inlined into the INSERT loop
const enum WriterKind {
  Encode,
  Text,
  Integer,
  Bit,
  EpochMs,
  Reference,
  Type,
}

function writerKind(dialect: Dialect, c: ColumnMap): WriterKind {
  if (c.source === 'reference') return WriterKind.Reference;
  if (c.source === 'type') return WriterKind.Type;
  switch (c.type) {
    case 'String':
    case 'HashedString':
    case 'Enumeration':
      return WriterKind.Text;
    case 'Integer':
      return WriterKind.Integer;
    case 'Boolean':
      return dialect.values.booleansAsBits ? WriterKind.Bit : WriterKind.Encode;
    case 'DateTime':
      return dialect.values.dateTimesAsEpochMs ? WriterKind.EpochMs : WriterKind.Encode;
    default:
      return WriterKind.Encode;
  }
}

const writers = new WeakMap<TableMap, Map<Dialect, readonly ColumnWriter[]>>();

function columnWriters(dialect: Dialect, t: TableMap): readonly ColumnWriter[] {
  let byDialect = writers.get(t);
  if (!byDialect) {
    byDialect = new Map();
    writers.set(t, byDialect);
  }
  let w = byDialect.get(dialect);
  if (!w) {
    w = t.columns.map((c) => ({
      source: c.source,
      key: c.key,
      encode: c.source === 'attribute' ? dialect.values.encoderFor(c.type, c.attr!.qualifiedName, c.attr!.length) : (v: unknown) => v,
      plainString:
        c.source !== 'attribute'
          ? -1
          : c.type === 'String'
            ? c.attr!.length > 0
              ? c.attr!.length
              : Infinity
            : c.type === 'HashedString' || c.type === 'Enumeration'
              ? Infinity
              : -1,
      kind: writerKind(dialect, c),
    }));
    byDialect.set(dialect, w);
  }
  return w;
}

/** Per table and concrete entity: each column's slot in the entity's shape, once all have one. */
const slotsByTable = new WeakMap<TableMap, Map<string, readonly number[]>>();

/**
 * Each column's slot in the shape (-1: no attribute, or no slot yet: read through getValue).
 * Kept once every attribute column has its slot (slots are never taken away); until then
 * worked out per call, so that a slot the shape gains later is used.
 */
function columnSlots(t: TableMap, cols: readonly ColumnWriter[], concrete: string, shape: Shape): readonly number[] {
  let byEntity = slotsByTable.get(t);
  const known = byEntity?.get(concrete);
  if (known !== undefined) return known;
  let complete = true;
  const slots = cols.map((c) => {
    if (c.source !== 'attribute') return -1;
    const at = shape.index.get(c.key) ?? -1;
    if (at < 0) complete = false;
    return at;
  });
  if (complete) {
    if (byEntity === undefined) slotsByTable.set(t, (byEntity = new Map()));
    byEntity.set(concrete, slots);
  }
  return slots;
}

async function insertRows(tx: Queryable, t: TableMap, objs: readonly MxObject[], concrete: string): Promise<void> {
  const perRow = t.columns.length + 1;
  const dialect = tx.dialect;
  const cols = columnWriters(dialect, t);
  // Ids bound as they are (SQLite) or as text: inline, not through encodeId.
  const bigintsAsIs = dialect.values.bigintsAsIs;
  // The objects are all of one entity: each attribute's slot in its shape is
  // looked up once here, not once per object (objects not made by
  // createMxObject fall back to `get`).
  const shape = shapeOf(concrete);
  const slots = columnSlots(t, cols, concrete, shape);
  for (const part of chunks(dialect, objs, perRow)) {
    const params = new Array<unknown>(part.length * perRow);
    let n = 0;
    for (let i = 0; i < part.length; i++) {
      const o = part[i]!;
      const store = slotStoreOf(o);
      const inSlots = store !== undefined && store.shape === shape;
      params[n++] = bigintsAsIs ? o.id : o.id.toString();
      for (let j = 0; j < cols.length; j++) {
        const c = cols[j]!;
        const kind = c.kind;
        if (kind === WriterKind.Reference) {
          const v = o.references.get(c.key);
          params[n++] = typeof v === 'bigint' ? (bigintsAsIs ? v : v.toString()) : null;
          continue;
        }
        if (kind === WriterKind.Type) {
          params[n++] = concrete;
          continue;
        }
        const at = slots[j]!;
        const v = inSlots && at >= 0 ? store.valueAt(at) : getValue(o, c.key);
        if (v === null || v === undefined) {
          params[n++] = null;
          continue;
        }
        switch (kind) {
          case WriterKind.Text:
            params[n++] = typeof v === 'string' && v.length <= c.plainString ? v : c.encode(v);
            break;
          case WriterKind.Integer:
            params[n++] = typeof v === 'number' && (v | 0) === v ? v : c.encode(v);
            break;
          case WriterKind.Bit:
            params[n++] = v === true ? 1 : v === false ? 0 : c.encode(v);
            break;
          case WriterKind.EpochMs: {
            const ms = v instanceof Date ? v.getTime() : NaN;
            params[n++] = Number.isNaN(ms) ? c.encode(v) : ms;
            break;
          }
          default:
            params[n++] = c.encode(v);
        }
      }
    }
    // A write whose result is not read: a transaction that defers its write may hold it (TransactionOptions.deferWrite).
    const text = insertText(dialect, t, part.length);
    if (tx.write) await tx.write(text, params);
    else await tx.execute(text, params);
  }
}

/** Pairs without repeats: a Both-owned association changed on both ends in one commit names a pair twice. */
function distinct(pairs: readonly [ObjectId, ObjectId][]): [ObjectId, ObjectId][] {
  const seen = new Set<string>();
  return pairs.filter(([p, c]) => {
    const k = `${p}:${c}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
