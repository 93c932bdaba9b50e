import type { AttributeType, CAssociation, CAttribute, CEntity, CompiledModel } from '../../model/compiled/types.js';
import { PersistenceError } from '../errors.js';
import { CHANGED_BY_COLUMN, OWNER_COLUMN, TYPE_COLUMN } from '../schema/model-schema.js';

/** A column of an entity's table and where its value lives in an MxObject. */
export interface ColumnMap {
  readonly column: string;
  /** `values` key (attribute), `references` key (System.owner / System.changedBy), or the type column. */
  readonly source: 'attribute' | 'reference' | 'type';
  readonly key: string;
  readonly type: AttributeType;
  readonly attr?: CAttribute;
}

export interface TableMap {
  readonly entity: CEntity;
  readonly table: string;
  readonly columns: readonly ColumnMap[];
  /** Unique in the process (another model's map of the same table has another): names the table in cache keys. */
  readonly number: number;
}

let nextTableNumber = 0;

/** How one entity's objects are stored: one table per entity of the chain, this entity's first. */
export interface EntityMap {
  readonly entity: CEntity;
  readonly tables: readonly TableMap[];
  /** The root's table has the concrete entity's name (only when the hierarchy has specializations). */
  readonly typeColumn: boolean;
  /** Persistable associations whose parent is this entity or a generalization (the ones its objects own). */
  readonly owned: readonly CAssociation[];
  /** Persistable associations whose child is this entity or a generalization. */
  readonly referredBy: readonly CAssociation[];
  /** Of `referredBy`, the ones owned by both ends (not self-associations): its objects hold them too, as parent ids. */
  readonly alsoOwned: readonly CAssociation[];
  /** This entity's tables above the first `inherited` of its generalization's (same list each call, for caches). */
  extraTables(inherited: number): readonly TableMap[];
}

const cache = new WeakMap<CompiledModel, Map<string, EntityMap>>();

/** Compiled once per model and entity. */
export function entityMap(model: CompiledModel, name: string): EntityMap {
  let byName = cache.get(model);
  if (!byName) {
    byName = new Map();
    cache.set(model, byName);
  }
  let m = byName.get(name);
  if (!m) {
    m = build(model, name);
    byName.set(name, m);
  }
  return m;
}

function build(model: CompiledModel, name: string): EntityMap {
  const entity = model.entities.get(name);
  if (!entity) throw new PersistenceError(`unknown entity '${name}'`);
  if (!entity.persistable) throw new PersistenceError(`entity ${name} is not persistable: its objects are not stored in the database`);
  const tables: TableMap[] = entity.chain.map((en) => {
    const e = model.entities.get(en)!;
    // Calculated attributes have no column: their values are computed when read, never stored.
    const columns: ColumnMap[] = e.ownAttributes
      .filter((a) => !a.calculated)
      .map((a) => ({ column: a.column, source: 'attribute', key: a.name, type: a.type, attr: a }));
    if (e.ownSystemMembers.owner) columns.push({ column: OWNER_COLUMN, source: 'reference', key: 'System.owner', type: 'Long' });
    if (e.ownSystemMembers.changedBy) columns.push({ column: CHANGED_BY_COLUMN, source: 'reference', key: 'System.changedBy', type: 'Long' });
    if (e.hasTypeColumn) columns.push({ column: TYPE_COLUMN, source: 'type', key: TYPE_COLUMN, type: 'String' });
    return { entity: e, table: e.table, columns, number: nextTableNumber++ };
  });
  const persistable = (a: CAssociation) => !!model.entities.get(a.parent)?.persistable && !!model.entities.get(a.child)?.persistable;
  const owned = entity.parentOf.map((n) => model.associations.get(n)!).filter(persistable);
  const referredBy = entity.childOf.map((n) => model.associations.get(n)!).filter(persistable);
  const alsoOwned = (entity.alsoOwns ?? []).map((n) => model.associations.get(n)!).filter(persistable);
  const root = model.entities.get(entity.chain[entity.chain.length - 1]!)!;
  const extras = new Map<number, readonly TableMap[]>();
  const extraTables = (inherited: number) => {
    let x = extras.get(inherited);
    if (!x) {
      x = tables.slice(0, tables.length - inherited);
      extras.set(inherited, x);
    }
    return x;
  };
  return { entity, tables, typeColumn: root.hasTypeColumn, owned, referredBy, alsoOwned, extraTables };
}
