import type { Queryable } from '../database.js';
import { quoteIdentifier } from '../dialects/names.js';
import { tableExistsQuery } from '../dialects/ddl.js';
import { SYS } from './system-tables.js';
import { typeOfCode, type ColumnDef, type IndexDef, type TableDef } from './types.js';

/** What the system tables say the schema holds. */
export interface StoredSchema {
  readonly exists: boolean;
  readonly tables: TableDef[];
  /** entity metadata id -> short id. */
  readonly shortIds: Map<string, number>;
  /** attribute metadata id -> AutoNumber sequence present. */
  readonly sequences: Set<string>;
}

type Row = Record<string, unknown>;

const SYSTEM_MEMBERS = new Set(['System.owner', 'System.changedBy']);

/** Reads the record; an empty database (no system tables yet) reads as an empty record. */
export async function readStoredSchema(q: Queryable): Promise<StoredSchema> {
  const Q = (n: string) => quoteIdentifier(q.dialect, n);
  const exists = await systemTablesExist(q);
  if (!exists) return { exists: false, tables: [], shortIds: new Map(), sequences: new Set() };
  const all = (t: string) => q.query<Row>(`SELECT * FROM ${Q(t)}`, []);
  // One after the other: inside a transaction they share one connection.
  const entities = await all(SYS.entity);
  const idents = await all(SYS.entityIdentifier);
  const attrs = await all(SYS.attribute);
  const assocs = await all(SYS.association);
  const indexes = await all(SYS.index);
  const indexCols = await all(SYS.indexColumn);
  const uniques = await all(SYS.uniqueConstraint);
  const seqs = await all(SYS.sequence);
  const s = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  const entityName = new Map(entities.map((e) => [s(e.id), s(e.entity_name)]));
  const entityTable = new Map(entities.map((e) => [s(e.id), s(e.table_name)]));
  // Mendix names an index's column by the id of its attribute or association
  // (mendixsystem$index_column.column_id); Kiln by the column itself. Both read as the column.
  const columnOfId = new Map<string, string>([
    ...attrs.map((a) => [s(a.id), s(a.column_name)] as const),
    ...assocs.map((a) => [s(a.id), s(a.child_column_name)] as const),
  ]);
  const colsByIndex = new Map<string, { column: string; descending: boolean; ordinal: number }[]>();
  for (const c of indexCols) {
    const l = colsByIndex.get(s(c.index_id)) ?? [];
    const order = s(c.sort_order).toUpperCase();
    l.push({ column: columnOfId.get(s(c.column_id)) ?? s(c.column_id), descending: order === 'DESC' || order === 'TRUE', ordinal: Number(c.ordinal) });
    colsByIndex.set(s(c.index_id), l);
  }
  const indexesOf = (tableId: string, table: string, assocColumns?: { parent: string; child: string }): IndexDef[] => {
    const out: IndexDef[] = indexes
      .filter((i) => s(i.table_id) === tableId)
      .map((i) => ({
        name: s(i.index_name),
        unique: false,
        columns: (colsByIndex.get(s(i.id)) ?? []).sort((a, b) => a.ordinal - b.ordinal).map(({ column, descending }) => ({ column, descending })),
      }));
    for (const u of uniques.filter((x) => s(x.table_id) === tableId)) {
      // Mendix records a generated id in column_id; its name `uniq_<table>_<column>` says the column.
      const prefix = `uniq_${table}_`;
      const named = s(u.name).startsWith(prefix) ? s(u.name).slice(prefix.length) : '';
      // A name shortened with a hash (over 60 characters) says no column; an association table's unique constraint is on its parent column.
      const generated = /^[0-9a-f]{8}-[0-9a-f]{4}-/.test(s(u.column_id));
      const fromName = assocColumns && named !== assocColumns.parent && named !== assocColumns.child ? assocColumns.parent : named;
      const column = columnOfId.get(s(u.column_id)) ?? (generated && fromName ? fromName : s(u.column_id));
      out.push({ name: s(u.name), unique: true, columns: [{ column, descending: false }] });
    }
    return out;
  };
  const tables: TableDef[] = [];
  for (const e of entities) {
    const id = s(e.id);
    const columns: ColumnDef[] = attrs
      .filter((a) => s(a.entity_id) === id)
      .map((a) => ({
        id: s(a.id),
        key: s(a.attribute_name),
        column: s(a.column_name),
        type: typeOfCode(Number(a.type)),
        length: Number(a.length ?? 0),
        defaultValue: a.default_value === null || a.default_value === '' ? null : s(a.default_value),
        previousKeys: [],
      }));
    const superId = s(e.superentity_id);
    tables.push({
      kind: 'entity',
      id,
      key: s(e.entity_name),
      table: s(e.table_name),
      previousKeys: [],
      columns,
      indexes: indexesOf(id, s(e.table_name)),
      ...(superId && entityName.has(superId) ? { superKey: entityName.get(superId)! } : {}),
    });
  }
  for (const a of assocs) {
    const id = s(a.id);
    const parentKey = entityName.get(s(a.parent_entity_id)) ?? '';
    const childKey = entityName.get(s(a.child_entity_id)) ?? '';
    // Mendix records System.owner and System.changedBy of an entity as column-stored associations; Kiln's
    // model has them as the entity's system columns (keys System.owner, System.changedBy): read as such.
    if (SYSTEM_MEMBERS.has(s(a.association_name)) && s(a.parent_column_name) === 'id') {
      const i = tables.findIndex((x) => x.kind === 'entity' && x.id === s(a.parent_entity_id));
      if (i >= 0) {
        const e = tables[i]!;
        const column: ColumnDef = {
          id,
          key: s(a.association_name),
          column: s(a.child_column_name),
          type: 'Long',
          length: 0,
          defaultValue: null,
          previousKeys: [],
        };
        tables[i] = { ...e, columns: [...e.columns, column] };
        continue;
      }
    }
    // Mendix's format Column: the parent's row holds the link (parent_column_name `id`, table_name the column).
    if (s(a.parent_column_name) === 'id') {
      tables.push({
        kind: 'association',
        storage: 'column',
        id,
        key: s(a.association_name),
        table: entityTable.get(s(a.parent_entity_id)) ?? '',
        previousKeys: [],
        columns: [{ key: 'child', column: s(a.child_column_name), type: 'Long', length: 0, defaultValue: null, previousKeys: [] }],
        indexes: indexesOf(id, entityTable.get(s(a.parent_entity_id)) ?? ''),
        parentKey,
        childKey,
      });
      continue;
    }
    const parent = s(a.parent_column_name);
    const child = s(a.child_column_name);
    const recorded = indexesOf(id, s(a.table_name), { parent, child });
    // Mendix records an association table's index only by name (index_name): over child and parent, as Kiln creates it.
    if (s(a.index_name) && !recorded.some((i) => !i.unique))
      recorded.unshift({
        name: s(a.index_name),
        unique: false,
        columns: [
          { column: child, descending: false },
          { column: parent, descending: false },
        ],
      });
    tables.push({
      kind: 'association',
      id,
      key: s(a.association_name),
      table: s(a.table_name),
      previousKeys: [],
      columns: [
        { key: 'parent', column: parent, type: 'Long', length: 0, defaultValue: null, previousKeys: [] },
        { key: 'child', column: child, type: 'Long', length: 0, defaultValue: null, previousKeys: [] },
      ],
      indexes: recorded,
      parentKey,
      childKey,
    });
  }
  // An index Mendix recorded on the parent's table over a column-stored association's column belongs to the association.
  for (const a of tables.filter((t) => t.storage === 'column')) {
    const owner = tables.find((t) => t.kind === 'entity' && t.table === a.table);
    const column = a.columns[0]!.column;
    if (!owner || a.indexes.length) continue;
    const moved = owner.indexes.filter((i) => i.columns[0]?.column === column);
    if (!moved.length) continue;
    tables[tables.indexOf(owner)] = { ...owner, indexes: owner.indexes.filter((i) => !moved.includes(i)) };
    tables[tables.indexOf(a)] = { ...a, indexes: moved };
  }
  return {
    exists: true,
    tables,
    shortIds: new Map(idents.map((i) => [s(i.id), Number(i.short_id)])),
    sequences: new Set(seqs.map((x) => s(x.attribute_id))),
  };
}

/** Whether the system tables are there, asked without an error (which would abort a PostgreSQL transaction). */
export async function systemTablesExist(q: Queryable): Promise<boolean> {
  return (await q.query(tableExistsQuery(q.dialect), [SYS.version])).length > 0;
}
