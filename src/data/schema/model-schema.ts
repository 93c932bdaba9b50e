import type { CAssociation, CEntity, CompiledModel } from '../../model/compiled/types.js';
import { qualify } from '../../model/compiled/compile-domain.js';
import type { ColumnDef, IndexDef, TableDef } from './types.js';

/** Column of the concrete entity's name in the root table of a hierarchy. */
export const TYPE_COLUMN = 'submetaobjectname';
export const OWNER_COLUMN = 'system$owner';
export const CHANGED_BY_COLUMN = 'system$changedby';

/**
 * The tables the model needs (persistable entities and associations between
 * them), with the names the compiled model decided, in a stable order.
 */
export function modelSchema(model: CompiledModel): TableDef[] {
  const out: TableDef[] = [];
  for (const e of [...model.entities.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.persistable) out.push(entityTable(model, e));
  }
  for (const a of [...model.associations.values()].sort((x, y) => x.name.localeCompare(y.name))) {
    const p = model.entities.get(a.parent);
    const c = model.entities.get(a.child);
    if (p?.persistable && c?.persistable) out.push(associationTable(a));
  }
  return out;
}

function entityTable(model: CompiledModel, e: CEntity): TableDef {
  // Calculated attributes are computed when read: no column.
  const calculated = e.ownAttributes.filter((a) => a.calculated).map((a) => a.name);
  const columns: ColumnDef[] = e.ownAttributes
    .filter((a) => !a.calculated)
    .map((a) => {
      const values = a.type === 'Enumeration' && a.enumeration ? model.enumerations.get(a.enumeration)?.values.map((v) => v.key) : undefined;
      return {
        key: a.name,
        column: a.column,
        type: a.type,
        length: a.length,
        defaultValue: a.defaultValue === null ? null : String(a.defaultValue),
        previousKeys: a.previousName ? [a.previousName] : [],
        ...(values ? { enumValues: values } : {}),
      };
    });
  const indexes: IndexDef[] = e.indexes.map((i) => ({
    name: shorten(i.name),
    columns: [...i.columns.map((c) => ({ column: c.column, descending: c.descending })), { column: 'id', descending: false }],
    unique: false,
  }));
  const sys = (key: string, column: string): void => {
    columns.push({ key, column, type: 'Long', length: 0, defaultValue: null, previousKeys: [] });
    indexes.push({
      name: indexName(e.table, column),
      columns: [
        { column, descending: false },
        { column: 'id', descending: false },
      ],
      unique: false,
    });
  };
  if (e.name === 'System.FileDocument') {
    // Mendix's hidden columns of file documents (not attributes): the storage key of the contents, the legacy file number,
    // recorded under Mendix's names (Kiln recorded them as System.__uuid__ and System.__filename__ before).
    columns.push({ key: '__UUID__', column: '__uuid__', type: 'String', length: 36, defaultValue: null, previousKeys: ['System.__uuid__'] });
    columns.push({ key: '__FileName__', column: '__filename__', type: 'Long', length: 0, defaultValue: '0', previousKeys: ['System.__filename__'] });
    indexes.push({ name: indexName(e.table, '__uuid__'), columns: [{ column: '__uuid__', descending: false }], unique: false });
  }
  if (e.ownSystemMembers.owner) sys('System.owner', OWNER_COLUMN);
  if (e.ownSystemMembers.changedBy) sys('System.changedBy', CHANGED_BY_COLUMN);
  if (e.hasTypeColumn) {
    columns.push({ key: TYPE_COLUMN, column: TYPE_COLUMN, type: 'String', length: 255, defaultValue: e.name, previousKeys: [] });
    indexes.push({
      name: indexName(e.table, TYPE_COLUMN),
      columns: [
        { column: TYPE_COLUMN, descending: false },
        { column: 'id', descending: false },
      ],
      unique: false,
    });
  }
  return {
    kind: 'entity',
    key: e.name,
    table: e.table,
    previousKeys: e.previousName ? [qualify(e.previousName, e.module)] : [],
    columns,
    indexes,
    ...(e.generalization ? { superKey: e.generalization } : {}),
    ...(calculated.length ? { calculatedKeys: calculated } : {}),
  };
}

function associationTable(a: CAssociation): TableDef {
  if (a.storage === 'column') return associationColumn(a);
  const strip = (c: string) => c.replace(/id[12]?$/, '');
  const indexes: IndexDef[] = [
    {
      name: indexName(a.table, `${strip(a.childColumn)}_${strip(a.parentColumn)}`),
      columns: [
        { column: a.childColumn, descending: false },
        { column: a.parentColumn, descending: false },
      ],
      unique: false,
    },
  ];
  if (a.type === 'Reference') {
    indexes.push({ name: constraintName('uniq', a.table, a.parentColumn), columns: [{ column: a.parentColumn, descending: false }], unique: true });
    if (a.owner === 'Both')
      indexes.push({ name: constraintName('uniq', a.table, a.childColumn), columns: [{ column: a.childColumn, descending: false }], unique: true });
  }
  return {
    kind: 'association',
    key: a.name,
    table: a.table,
    previousKeys: a.previousName ? [qualify(a.previousName, a.module)] : [],
    columns: [
      { key: 'parent', column: a.parentColumn, type: 'Long', length: 0, defaultValue: null, previousKeys: [] },
      { key: 'child', column: a.childColumn, type: 'Long', length: 0, defaultValue: null, previousKeys: [] },
    ],
    indexes,
    parentKey: a.parent,
    childKey: a.child,
  };
}

/**
 * Column storage (Mendix's format Column): the column `module$association` on
 * the parent's table, with the index Mendix gives a reference column
 * (`idx_<table>_<column>` over the column and id).
 */
function associationColumn(a: CAssociation): TableDef {
  const index: IndexDef = {
    name: indexName(a.table, a.childColumn),
    columns: [
      { column: a.childColumn, descending: false },
      { column: 'id', descending: false },
    ],
    unique: false,
  };
  // Owned by both (one-to-one): a child is referred to by one parent at most (NULLs, no link, do not count).
  const unique: IndexDef[] =
    a.owner === 'Both' ? [{ name: constraintName('uniq', a.table, a.childColumn), columns: [{ column: a.childColumn, descending: false }], unique: true }] : [];
  return {
    kind: 'association',
    storage: 'column',
    key: a.name,
    table: a.table,
    previousKeys: a.previousName ? [qualify(a.previousName, a.module)] : [],
    columns: [{ key: 'child', column: a.childColumn, type: 'Long', length: 0, defaultValue: null, previousKeys: [] }],
    indexes: [index, ...unique],
    parentKey: a.parent,
    childKey: a.child,
  };
}

/**
 * Index and constraint names as Mendix writes them (`idx_<table>_<columns>`,
 * `uniq_<table>_<column>`), shortened with a hash when longer than the 60
 * characters PostgreSQL (63) and MariaDB (64) allow.
 */
function indexName(table: string, suffix: string): string {
  return shorten(`idx_${table}_${suffix}`);
}

function constraintName(prefix: string, table: string, column: string): string {
  return shorten(`${prefix}_${table}_${column}`);
}

export function shorten(name: string): string {
  if (name.length <= 60) return name;
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return `${name.slice(0, 51)}_${(h >>> 0).toString(16).padStart(8, '0')}`;
}
