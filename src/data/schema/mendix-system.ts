import type { StoredSchema } from './record.js';
import type { ColumnDef, IndexDef, TableDef } from './types.js';

const isSystem = (t: TableDef): boolean => t.key.startsWith('System.');

/** Index columns without the trailing `id` Mendix and Kiln add to a non-unique index (Mendix's records leave it out). */
const indexColumns = (i: IndexDef): string =>
  (!i.unique && i.columns.at(-1)?.column === 'id' ? i.columns.slice(0, -1) : i.columns).map((c) => `${c.column}${c.descending ? ' desc' : ''}`).join(',');

const sameIndexColumns = (a: IndexDef, b: IndexDef): boolean => a.unique === b.unique && indexColumns(a) === indexColumns(b);

/**
 * A Mendix database's System tables are Mendix's runtime's: they hold
 * tables, columns and indexes the System module does not describe (the
 * runtime's own entities such as `System.WorkflowVersion` or
 * `System.OfflineCreatedGuids`, members such as `system$workflow.previousstate`,
 * Mendix's indexes and unique constraints), under Mendix's names, with
 * records that differ from Kiln's only where nothing depends on it. So
 * synchronisation takes Mendix's side wherever that changes no behaviour:
 * - a stored System table the model lacks is taken out of the stored side:
 *   neither dropped nor its records touched;
 * - a System table both sides have keeps the stored columns and indexes the
 *   model's table lacks (they join the desired side unchanged);
 * - an index of the model's table that Mendix already has over the same
 *   columns takes Mendix's name (no drop and create under another name);
 * - a column's recorded default and its AutoNumber / Long type follow the
 *   record (the runtime's defaults come from the model, not the record, and
 *   both types are a BIGINT column).
 * App modules are synchronised as always.
 */
export function keepMendixSystemParts(desired: readonly TableDef[], stored: StoredSchema): { desired: TableDef[]; stored: StoredSchema } {
  const wanted = new Set(desired.map((t) => `${t.kind}:${t.key}`));
  const storedByKey = new Map(stored.tables.map((s) => [`${s.kind}:${s.key}`, s]));
  const kept = desired.map((t) => {
    const s = storedByKey.get(`${t.kind}:${t.key}`);
    return s && isSystem(t) && s.table === t.table && (s.storage ?? 'table') === (t.storage ?? 'table') ? asMendixHasIt(t, s) : t;
  });
  const tables = stored.tables.filter((s) => !isSystem(s) || wanted.has(`${s.kind}:${s.key}`));
  return { desired: kept, stored: { ...stored, tables } };
}

function asMendixHasIt(t: TableDef, s: TableDef): TableDef {
  const storedCol = new Map(s.columns.map((c) => [c.key.toLowerCase(), c]));
  const columns: ColumnDef[] = t.columns.map((c) => {
    const sc = storedCol.get(c.key.toLowerCase());
    if (!sc || sc.column !== c.column) return c;
    const bigint = (x: ColumnDef) => x.type === 'Long' || x.type === 'AutoNumber';
    return { ...c, defaultValue: sc.defaultValue, ...(bigint(c) && bigint(sc) ? { type: sc.type } : {}) };
  });
  const keys = new Set(t.columns.map((c) => c.key.toLowerCase()));
  const names = new Set(t.columns.map((c) => c.column));
  const extraColumns = s.columns.filter((c) => !keys.has(c.key.toLowerCase()) && !names.has(c.column)).map(({ id: _id, ...c }) => c);
  const used = new Set<IndexDef>();
  const indexes = t.indexes.map((i) => {
    const same = s.indexes.find((si) => !used.has(si) && (si.name === i.name || sameIndexColumns(si, i)));
    if (!same) return i;
    used.add(same);
    return { ...i, name: same.name };
  });
  const extraIndexes = s.indexes.filter((si) => !used.has(si));
  return { ...t, columns: [...columns, ...extraColumns], indexes: [...indexes, ...extraIndexes] };
}
