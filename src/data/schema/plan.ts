import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { AttributeType } from '../../model/compiled/types.js';
import type { Queryable, Transaction } from '../database.js';
import {
  bigintType,
  columnType,
  convertExpression,
  dropIndexNamesTable,
  failedStatementAbortsTransaction,
  idColumnType,
  lengthFunction,
  tableExistsQuery,
} from '../dialects/ddl.js';
import { placeholder, quoteIdentifier } from '../dialects/names.js';
import { encodeValue } from '../dialects/value-codecs.js';
import { Dec } from '../dialects/decimal-format.js';
import type { AttributeValue } from '../../objects/values.js';
import { pendingInsert, type PendingRemoval } from './pending.js';
import type { StoredSchema } from './record.js';
import { SYS, SYSTEM_VERSION } from './system-tables.js';
import { shorten } from './model-schema.js';
import { TYPE_CODES, type ColumnDef, type IndexDef, type TableDef } from './types.js';

export interface PlanStep {
  readonly sql: string;
  readonly params: readonly unknown[];
  /** DDL (vs. a write to the system tables or a data conversion). */
  readonly ddl: boolean;
}

export interface SyncPlan {
  readonly steps: PlanStep[];
  /** What destructive changes would lose (rows, values); empty when nothing is lost. */
  readonly losses: string[];
  /** One line per change, for the log. */
  readonly summary: string[];
}

export interface PlanOptions {
  readonly modelVersion: string;
  /** Current time for mendixsystem$version.lastsyncdate. */
  readonly now?: Date;
  /**
   * Expand/contract: a live instance of an older model may use what this model
   * removes. Removed columns and tables are then kept and recorded as pending
   * removal with this sequence (the model's in the history), not dropped.
   */
  readonly deferRemovals?: number;
  /** Columns and tables pending removal (a name the model uses again is dropped first). */
  readonly pending?: readonly PendingRemoval[];
}

const STRINGS: readonly AttributeType[] = ['String', 'HashedString', 'Enumeration'];
const TEXT_WIDTH: Partial<Record<AttributeType, number>> = { Integer: 11, Long: 20, AutoNumber: 20, Decimal: 30, Boolean: 5 };

type Change = 'same' | 'widen' | 'narrow' | 'lossy';

/**
 * The difference between the model's schema and the record as statements:
 * DDL first, then the writes to the system tables. Reads the data only to
 * find out what a destructive change would lose (row counts, values that do
 * not fit); the caller refuses the plan when `losses` is not empty unless
 * destructive changes are allowed.
 *
 * Phases: match tables (by key, then previous name), drop the tables no longer
 * in the model, change the tables in both (columns, indexes, their records),
 * create the new tables, stamp the version row.
 */
export async function planSync(q: Queryable, k: Kysely<any>, desired: readonly TableDef[], stored: StoredSchema, opts: PlanOptions): Promise<SyncPlan> {
  const { matched, used, entityIds } = matchTables(desired, stored);
  const p = planner(q, k, entityIds, opts);
  await planDroppedTables(
    p,
    stored,
    used,
    desired.filter((t) => !matched.has(t)),
  );
  for (const [t, s] of matched) await planChangedTable(p, t, s);
  planNewTables(p, desired, matched, stored);
  planVersion(p, opts);
  return { steps: [...p.steps, ...p.meta], losses: p.losses, summary: p.summary };
}

interface TableMatch {
  /** Desired table -> the stored table it continues. */
  readonly matched: Map<TableDef, TableDef>;
  /** Stored tables that are matched. */
  readonly used: Set<TableDef>;
  /** Entity key -> its id in the system tables (kept, or new). */
  readonly entityIds: Map<string, string>;
}

/** Matching: by key, then by a previous name. */
function matchTables(desired: readonly TableDef[], stored: StoredSchema): TableMatch {
  const storedByKey = new Map(stored.tables.map((t) => [`${t.kind}:${t.key}`, t]));
  const matched = new Map<TableDef, TableDef>();
  const used = new Set<TableDef>();
  for (const t of desired) {
    const s = [t.key, ...t.previousKeys].map((key) => storedByKey.get(`${t.kind}:${key}`)).find((x) => x && !used.has(x));
    if (s) {
      matched.set(t, s);
      used.add(s);
    }
  }
  const entityIds = new Map<string, string>();
  for (const s of stored.tables) if (s.kind === 'entity') entityIds.set(s.key, s.id!);
  for (const [t, s] of matched) if (t.kind === 'entity') entityIds.set(t.key, s.id!);
  for (const t of desired) if (t.kind === 'entity' && !matched.has(t)) entityIds.set(t.key, randomUUID());
  return { matched, used, entityIds };
}

type Compilable = { compile(): { sql: string; parameters: readonly unknown[] } };

/** The plan being built and the helpers its phases share: statements, probes of the data, system-table records. */
interface Planner {
  readonly q: Queryable;
  readonly k: Kysely<any>;
  readonly d: Queryable['dialect'];
  readonly steps: PlanStep[];
  readonly meta: PlanStep[];
  readonly losses: string[];
  readonly summary: string[];
  readonly entityIds: ReadonlyMap<string, string>;
  /** PlanOptions.deferRemovals. */
  readonly defer: number | undefined;
  Q(n: string): string;
  /** Records a column ('' = the table) as pending removal instead of dropping it. */
  keep(table: string, column: string, what: string): void;
  /** Before a name is (re)used: a column or table of that name pending removal is dropped first. */
  reuse(table: string, column: string): void;
  /** A table renamed: its columns pending removal go with it. */
  renamePending(from: string, to: string): void;
  /** A table dropped or kept whole: its columns pending removal are no longer listed apart. */
  forgetColumnsOf(table: string): void;
  /** A DDL statement. */
  ddl(c: Compilable): void;
  /** A data statement (conversion, fill, clean-up), run among the DDL. */
  raw(text: string, params?: readonly unknown[]): void;
  /** A write to the system tables, run after all DDL. */
  m(c: Compilable): void;
  count(text: string, params?: readonly unknown[]): Promise<number>;
  tolerant(table: string, fn: () => Promise<number>): Promise<number>;
  rowsIn(table: string): Promise<number>;
  valuesIn(table: string, col: string): Promise<number>;
  duplicates(table: string, col: string): Promise<number>;
  narrowFailures(table: string, from: ColumnDef, to: ColumnDef): Promise<number>;
  /** The condition true for the rows whose value does not fit a narrower type (over the column's current name `col`). */
  misfit(from: ColumnDef, to: ColumnDef, col: string): string;
  /** The ids of the rows matching a condition, for a loss line: `ids 1, 2, 3` (the first 20, then how many more). */
  idsWhere(table: string, condition: string, params?: readonly unknown[]): Promise<string>;
  dropIndex(table: string, name: string): void;
  createIndex(table: string, i: IndexDef): void;
  colType(c: ColumnDef): ReturnType<typeof sql.raw>;
  fillNewColumn(t: TableDef, c: ColumnDef): void;
  /** The index records of a table; `only`: just these (the table's own, as read: record.ts may have moved others to a column-stored association). */
  deleteIndexMeta(tableId: string, only?: readonly IndexDef[]): void;
  insertIndexMeta(tableId: string, indexes: readonly IndexDef[]): void;
  attributeValues(c: ColumnDef, entityId: string): Record<string, unknown>;
  tableMeta(t: TableDef, id: string, insert: boolean): void;
  sequenceMeta(t: TableDef, c: ColumnDef, attrId: string): void;
}

function planner(q: Queryable, k: Kysely<any>, entityIds: ReadonlyMap<string, string>, opts: PlanOptions): Planner {
  const d = q.dialect;
  const Q = (n: string) => quoteIdentifier(d, n);
  const steps: PlanStep[] = [];
  const meta: PlanStep[] = [];
  const ddl = (c: Compilable) => {
    const x = c.compile();
    steps.push({ sql: x.sql, params: x.parameters, ddl: true });
  };
  const raw = (text: string, params: readonly unknown[] = []) => {
    steps.push({ sql: text, params, ddl: false });
  };
  const m = (c: Compilable) => {
    const x = c.compile();
    meta.push({ sql: x.sql, params: x.parameters, ddl: false });
  };
  const count = async (text: string, params: readonly unknown[] = []) => Number(Object.values((await q.query(text, params))[0] ?? { n: 0 })[0] ?? 0);
  const valuesIn = (table: string, col: string) => count(`SELECT COUNT(*) AS n FROM ${Q(table)} WHERE ${Q(col)} IS NOT NULL`);
  const pending = [...(opts.pending ?? [])];
  const forget = (table: string, column: string) => m(k.deleteFrom(SYS.pendingRemoval).where('table_name', '=', table).where('column_name', '=', column));
  return {
    q,
    k,
    d,
    steps,
    meta,
    losses: [],
    summary: [],
    entityIds,
    defer: opts.deferRemovals,
    Q,
    keep(table, column, what) {
      const x = pendingInsert(k, { table, column, sequence: opts.deferRemovals ?? 0, what });
      meta.push({ ...x, ddl: false });
    },
    reuse(table, column) {
      const i = pending.findIndex((x) => x.table === table && x.column === column);
      if (i < 0) return;
      ddl(column ? k.schema.alterTable(table).dropColumn(column) : k.schema.dropTable(table).ifExists());
      forget(table, column);
      pending.splice(i, 1);
    },
    renamePending(from, to) {
      if (!pending.some((x) => x.table === from && x.column !== '')) return;
      m(k.updateTable(SYS.pendingRemoval).set({ table_name: to }).where('table_name', '=', from).where('column_name', '<>', ''));
    },
    forgetColumnsOf(table) {
      if (pending.some((x) => x.table === table && x.column !== ''))
        m(k.deleteFrom(SYS.pendingRemoval).where('table_name', '=', table).where('column_name', '<>', ''));
    },
    ddl,
    raw,
    m,
    count,
    valuesIn,
    /**
     * A count over a table the record names: 0 when the table is not there
     * (dropped by hand). On PostgreSQL the probe runs in a savepoint, since a
     * failed statement would abort the whole synchronisation transaction.
     */
    async tolerant(table, fn) {
      try {
        return failedStatementAbortsTransaction(d) && 'savepoint' in q ? await (q as Transaction).savepoint(fn) : await fn();
      } catch (e) {
        if ((await q.query(tableExistsQuery(d), [table])).length === 0) return 0;
        throw e;
      }
    },
    rowsIn: (table) => count(`SELECT COUNT(*) AS n FROM ${Q(table)}`),
    duplicates: (table, col) => count(`SELECT COUNT(*) AS n FROM (SELECT ${Q(col)} FROM ${Q(table)} GROUP BY ${Q(col)} HAVING COUNT(*) > 1) ${Q('dup')}`),
    async narrowFailures(table, from, to) {
      return count(`SELECT COUNT(*) AS n FROM ${Q(table)} WHERE ${this.misfit(from, to, from.column)}`);
    },
    misfit(from, to, col) {
      if (STRINGS.includes(to.type)) return `${lengthFunction(q.dialect)}(${convertExpression(d, from.type, to.type, col)}) > ${Number(to.length)}`;
      if (to.type === 'Integer') return `(${Q(col)} < -2147483648 OR ${Q(col)} > 2147483647)`;
      return `${Q(col)} IS NOT NULL`;
    },
    async idsWhere(table, condition, params = []) {
      const rows = await q.query<Record<string, unknown>>(`SELECT ${Q('id')} FROM ${Q(table)} WHERE ${condition} ORDER BY ${Q('id')}`, params);
      const shown = rows.slice(0, 20).map((r) => String(r.id));
      return `id${rows.length === 1 ? '' : 's'} ${shown.join(', ')}${rows.length > shown.length ? ` and ${rows.length - shown.length} more` : ''}`;
    },
    dropIndex(table, name) {
      const b = k.schema.dropIndex(name);
      ddl(dropIndexNamesTable(d) ? b.on(table) : b);
    },
    createIndex(table, i) {
      let b = k.schema
        .createIndex(i.name)
        .on(table)
        .columns(i.columns.map((c) => (c.descending ? `${c.column} desc` : c.column)));
      if (i.unique) b = b.unique();
      ddl(b);
    },
    colType: (c) => sql.raw(columnType(d, c.type, c.length)),
    fillNewColumn(t, c) {
      if (c.type === 'AutoNumber') raw(`UPDATE ${Q(t.table)} SET ${Q(c.column)} = ${Q('id')} % 281474976710656`);
      else if (c.defaultValue !== null && ['Boolean', 'Integer', 'Long', 'Decimal'].includes(c.type)) {
        const v = encodeValue(d, c.type, c.key, defaultOf(c));
        raw(`UPDATE ${Q(t.table)} SET ${Q(c.column)} = ${placeholder(d, 1)}`, [v]);
      } else if (c.key === 'submetaobjectname' && c.defaultValue !== null)
        raw(`UPDATE ${Q(t.table)} SET ${Q(c.column)} = ${placeholder(d, 1)}`, [c.defaultValue]);
    },
    deleteIndexMeta(tableId, only) {
      if (only) {
        const names = only.filter((i) => !i.unique).map((i) => i.name);
        const uniques = only.filter((i) => i.unique).map((i) => i.name);
        if (names.length) {
          const ids = k.selectFrom(SYS.index).select('id').where('table_id', '=', tableId).where('index_name', 'in', names);
          // MariaDB cannot delete from a table it selects from in a subquery: the index rows go after their columns, through a derived table.
          m(k.deleteFrom(SYS.indexColumn).where('index_id', 'in', k.selectFrom(ids.as('x')).select('x.id')));
          m(k.deleteFrom(SYS.index).where('table_id', '=', tableId).where('index_name', 'in', names));
        }
        if (uniques.length) m(k.deleteFrom(SYS.uniqueConstraint).where('table_id', '=', tableId).where('name', 'in', uniques));
        return;
      }
      m(k.deleteFrom(SYS.indexColumn).where('index_id', 'in', k.selectFrom(SYS.index).select('id').where('table_id', '=', tableId)));
      m(k.deleteFrom(SYS.index).where('table_id', '=', tableId));
      m(k.deleteFrom(SYS.uniqueConstraint).where('table_id', '=', tableId));
    },
    insertIndexMeta(tableId, indexes) {
      for (const i of indexes) {
        if (i.unique) {
          m(k.insertInto(SYS.uniqueConstraint).values({ name: i.name, table_id: tableId, column_id: i.columns[0]!.column }));
          continue;
        }
        const id = randomUUID();
        m(k.insertInto(SYS.index).values({ id, table_id: tableId, index_name: i.name }));
        i.columns.forEach((c, n) => {
          m(k.insertInto(SYS.indexColumn).values({ index_id: id, column_id: c.column, sort_order: c.descending ? 'DESC' : 'ASC', ordinal: n }));
        });
      }
    },
    attributeValues(c, entityId) {
      return {
        entity_id: entityId,
        attribute_name: c.key,
        column_name: c.column,
        type: TYPE_CODES[c.type],
        length: c.length,
        default_value: c.defaultValue ?? '',
        is_auto_number: c.type === 'AutoNumber',
      };
    },
    tableMeta(t, id, insert) {
      if (t.kind === 'entity') {
        const values = {
          entity_name: t.key,
          table_name: t.table,
          superentity_id: t.superKey ? (entityIds.get(t.superKey) ?? null) : null,
          remote: false,
          remote_primary_key: false,
        };
        m(insert ? k.insertInto(SYS.entity).values({ id, ...values }) : k.updateTable(SYS.entity).set(values).where('id', '=', id));
      } else if (t.storage === 'column') {
        // As Mendix records a column-stored association: table_name and child_column_name the column, parent_column_name `id`.
        const column = t.columns[0]!.column;
        const values = {
          association_name: t.key,
          table_name: column,
          parent_entity_id: entityIds.get(t.parentKey!) ?? null,
          child_entity_id: entityIds.get(t.childKey!) ?? null,
          parent_column_name: 'id',
          child_column_name: column,
          pk_index_name: null,
          index_name: t.indexes.find((i) => !i.unique)?.name ?? null,
        };
        m(insert ? k.insertInto(SYS.association).values({ id, ...values }) : k.updateTable(SYS.association).set(values).where('id', '=', id));
      } else {
        const values = {
          association_name: t.key,
          table_name: t.table,
          parent_entity_id: entityIds.get(t.parentKey!) ?? null,
          child_entity_id: entityIds.get(t.childKey!) ?? null,
          parent_column_name: t.columns[0]!.column,
          child_column_name: t.columns[1]!.column,
          pk_index_name: null,
          index_name: t.indexes.find((i) => !i.unique)?.name ?? null,
        };
        m(insert ? k.insertInto(SYS.association).values({ id, ...values }) : k.updateTable(SYS.association).set(values).where('id', '=', id));
      }
    },
    sequenceMeta(t, c, attrId) {
      m(k.insertInto(SYS.sequence).values({ attribute_id: attrId, name: `${t.table}_${c.column}_mxseq`, start_value: 1, current_value: 0 }));
    },
  };
}

/** 1. Tables no longer in the model. */
async function planDroppedTables(p: Planner, stored: StoredSchema, used: ReadonlySet<TableDef>, added: readonly TableDef[]): Promise<void> {
  const { k, m } = p;
  const droppedTables = new Set(stored.tables.filter((s) => !used.has(s) && s.kind === 'entity').map((s) => s.table));
  for (const s of stored.tables) {
    if (used.has(s)) continue;
    if (s.storage === 'column') {
      await planDroppedColumnAssociation(p, s, droppedTables.has(s.table));
      continue;
    }
    const n = await p.tolerant(s.table, () => p.rowsIn(s.table));
    if (n > 0)
      p.losses.push(
        `${s.kind} ${s.key}: table ${s.table} holds ${n} row${n === 1 ? '' : 's'}${renameHint(
          s.key,
          added.filter((t) => t.kind === s.kind).map((t) => t.key),
          true,
        )}`,
      );
    // Its columns pending removal go with the table.
    p.forgetColumnsOf(s.table);
    if (p.defer !== undefined) {
      p.summary.push(`keep ${s.kind} ${s.key} (table ${s.table}) while an instance of an older model runs: pending removal`);
      p.keep(s.table, '', `${s.kind} ${s.key}`);
    } else {
      p.summary.push(`drop ${s.kind} ${s.key} (table ${s.table})`);
      p.ddl(k.schema.dropTable(s.table).ifExists());
    }
    m(k.deleteFrom(s.kind === 'entity' ? SYS.entity : SYS.association).where('id', '=', s.id!));
    if (s.kind === 'entity') {
      m(k.deleteFrom(SYS.attribute).where('entity_id', '=', s.id!));
      for (const c of s.columns) if (c.key.startsWith('System.')) m(k.deleteFrom(SYS.association).where('id', '=', c.id!));
      m(k.deleteFrom(SYS.entityIdentifier).where('id', '=', s.id!));
      for (const c of s.columns) if (c.type === 'AutoNumber') m(k.deleteFrom(SYS.sequence).where('attribute_id', '=', c.id!));
    }
    p.deleteIndexMeta(s.id!);
  }
}

/** A column-stored association no longer in the model: its column goes (with the parent's table, when that goes too). */
async function planDroppedColumnAssociation(p: Planner, s: TableDef, tableDropped: boolean): Promise<void> {
  const column = s.columns[0]!.column;
  if (!tableDropped) {
    const n = await p.tolerant(s.table, () => p.valuesIn(s.table, column));
    if (n > 0) p.losses.push(`association ${s.key}: column ${s.table}.${column} holds ${n} link${n === 1 ? '' : 's'}`);
    // Its indexes go now in either case (a kept column is dropped later without them; SQLite cannot drop an indexed column).
    for (const i of s.indexes) p.dropIndex(s.table, i.name);
    if (p.defer !== undefined) {
      p.summary.push(`keep column ${s.table}.${column} (association ${s.key}) while an instance of an older model runs: pending removal`);
      p.keep(s.table, column, `association ${s.key}`);
    } else {
      p.summary.push(`drop association ${s.key} (column ${s.table}.${column})`);
      p.ddl(p.k.schema.alterTable(s.table).dropColumn(column));
    }
  }
  p.m(p.k.deleteFrom(SYS.association).where('id', '=', s.id!));
  p.deleteIndexMeta(s.id!);
}

/** How a matched table's columns change. */
interface ColumnDiff {
  /** Desired column -> the stored column it continues. */
  readonly colMatch: Map<ColumnDef, ColumnDef>;
  readonly usedCols: Set<ColumnDef>;
  /** Columns dropped, renamed or changed: indexes on them are rebuilt. */
  readonly touched: Set<string>;
  readonly renames: [string, string][];
  readonly drops: ColumnDef[];
  readonly converts: [ColumnDef, ColumnDef][];
  /** Values that do not fit a narrower type, made to fit first (AllowDestructiveSync): strings cut to the new length, others emptied. */
  readonly fits: [ColumnDef, ColumnDef][];
  /** Enumeration columns whose values the model no longer has: emptied (AllowDestructiveSync). */
  readonly enumCleanups: ColumnDef[];
  readonly recreates: ColumnDef[];
  readonly adds: ColumnDef[];
  /** The attribute records need rewriting. */
  dirtyMeta: boolean;
}

/** 2. Tables in both: rename, columns, indexes, and their records. */
async function planChangedTable(p: Planner, t: TableDef, s: TableDef): Promise<void> {
  const id = s.id!;
  let dirtyMeta = false;
  if ((t.storage ?? 'table') !== (s.storage ?? 'table')) {
    await planStorageChange(p, t, s);
    return;
  }
  // A column-stored association's table is its parent's: a rename is the entity's.
  if (s.table !== t.table && t.storage !== 'column') {
    p.reuse(t.table, '');
    p.ddl(p.k.schema.alterTable(s.table).renameTo(t.table));
    p.renamePending(s.table, t.table);
    p.summary.push(`rename table ${s.table} to ${t.table}`);
    dirtyMeta = true;
  }
  if (s.key !== t.key || (s.superKey ?? '') !== (t.superKey ?? '') || s.parentKey !== t.parentKey || s.childKey !== t.childKey) dirtyMeta = true;
  const cols = await diffColumns(p, t, s);
  if (cols.dirtyMeta) dirtyMeta = true;
  // Indexes: stale ones go first (a column cannot be dropped under an index on SQLite).
  const keep = s.indexes.filter((si) => t.indexes.some((ti) => sameIndex(si, ti)) && !si.columns.some((c) => cols.touched.has(c.column)));
  for (const si of s.indexes)
    if (!keep.includes(si)) {
      p.dropIndex(t.table, si.name);
      dirtyMeta = true;
    }
  if (alterColumns(p, t, cols)) dirtyMeta = true;
  if (await createMissingIndexes(p, t, s, keep, cols.renames)) dirtyMeta = true;
  if (dirtyMeta) rewriteTableMeta(p, recordedNames(t, keep), s, id, cols);
}

/** The model's table with the names of the indexes kept under the name the database has (Mendix's long names). */
function recordedNames(t: TableDef, keep: readonly IndexDef[]): TableDef {
  return { ...t, indexes: t.indexes.map((ti) => ({ ...ti, name: keep.find((si) => sameIndex(si, ti))?.name ?? ti.name })) };
}

/**
 * An association whose storage format changed: the links move. Table to
 * column: the column is added to the parent's table, filled from the
 * association table, which is then dropped. Column to table: the table is
 * created, filled from the column, which is then dropped.
 */
async function planStorageChange(p: Planner, t: TableDef, s: TableDef): Promise<void> {
  const { k, Q } = p;
  for (const i of s.indexes) p.dropIndex(s.table, i.name);
  if (t.storage === 'column') {
    const column = t.columns[0]!.column;
    const [sp, sc] = s.columns;
    p.summary.push(`store association ${t.key} as column ${t.table}.${column} (was table ${s.table})`);
    p.reuse(t.table, column);
    p.ddl(k.schema.alterTable(t.table).addColumn(column, sql.raw(bigintType(p.d))));
    p.raw(
      `UPDATE ${Q(t.table)} SET ${Q(column)} = (SELECT ${Q('a')}.${Q(sc!.column)} FROM ${Q(s.table)} ${Q('a')} WHERE ${Q('a')}.${Q(sp!.column)} = ${Q(t.table)}.${Q('id')})`,
    );
    p.ddl(k.schema.dropTable(s.table));
  } else {
    const column = s.columns[0]!.column;
    const [pc, cc] = t.columns;
    p.summary.push(`store association ${t.key} in table ${t.table} (was column ${s.table}.${column})`);
    createAssociationTable(p, t);
    p.raw(`INSERT INTO ${Q(t.table)} (${Q(pc!.column)}, ${Q(cc!.column)}) SELECT ${Q('id')}, ${Q(column)} FROM ${Q(s.table)} WHERE ${Q(column)} IS NOT NULL`);
    p.ddl(k.schema.alterTable(s.table).dropColumn(column));
  }
  for (const i of t.indexes) p.createIndex(t.table, i);
  p.tableMeta(t, s.id!, false);
  p.deleteIndexMeta(s.id!);
  p.insertIndexMeta(s.id!, t.indexes);
}

function createAssociationTable(p: Planner, t: TableDef): void {
  const [pc, c] = t.columns;
  p.ddl(
    p.k.schema
      .createTable(t.table)
      .addColumn(pc!.column, sql.raw(bigintType(p.d)), (x) => x.notNull())
      .addColumn(c!.column, sql.raw(bigintType(p.d)), (x) => x.notNull())
      .addPrimaryKeyConstraint(`pk_${t.table}`.slice(0, 60), [pc!.column, c!.column] as never),
  );
}

/** Matches the columns (by key, then previous name) and classifies each change; counts what it would lose. */
async function diffColumns(p: Planner, t: TableDef, s: TableDef): Promise<ColumnDiff> {
  const d = p.d;
  const sCols = new Map(s.columns.map((c) => [c.key, c]));
  const diff: ColumnDiff = {
    colMatch: new Map(),
    usedCols: new Set(),
    touched: new Set(),
    renames: [],
    drops: [],
    converts: [],
    fits: [],
    enumCleanups: [],
    recreates: [],
    adds: [],
    dirtyMeta: false,
  };
  const { colMatch, usedCols, touched } = diff;
  for (const c of t.columns) {
    const sc = [c.key, ...c.previousKeys].map((x) => sCols.get(x)).find((x) => x && !usedCols.has(x));
    if (sc) {
      colMatch.set(c, sc);
      usedCols.add(sc);
    }
  }
  const addedKeys = t.columns.filter((c) => !colMatch.has(c)).map((c) => c.key);
  for (const sc of s.columns) {
    if (usedCols.has(sc)) continue;
    // A stored attribute that became calculated keeps its column and data (nothing reads or writes it any more).
    if (t.calculatedKeys?.includes(sc.key)) continue;
    const n = await p.tolerant(s.table, () => p.valuesIn(s.table, sc.column));
    if (n > 0)
      p.losses.push(
        `attribute ${s.key}.${sc.key}: column ${s.table}.${sc.column} holds ${n} value${n === 1 ? '' : 's'}${renameHint(sc.key, addedKeys, false)}`,
      );
    diff.drops.push(sc);
    touched.add(sc.column);
    p.summary.push(
      keptColumn(p, t, sc)
        ? `keep column ${t.table}.${sc.column} while an instance of an older model runs: pending removal`
        : `drop column ${t.table}.${sc.column}`,
    );
  }
  for (const c of t.columns) {
    const sc = colMatch.get(c);
    if (!sc) {
      diff.adds.push(c);
      p.summary.push(`add column ${t.table}.${c.column}`);
      continue;
    }
    if (sc.column !== c.column) {
      diff.renames.push([sc.column, c.column]);
      touched.add(sc.column);
      p.summary.push(`rename column ${t.table}.${sc.column} to ${c.column}`);
    }
    const change = classify(sc, c);
    const storageDiffers = columnType(d, sc.type, sc.length) !== columnType(d, c.type, c.length) || (sc.type === 'Decimal') !== (c.type === 'Decimal');
    if (c.enumValues && STRINGS.includes(sc.type)) await checkEnumValues(p, t, s, sc, c, diff);
    if (change === 'same' && !storageDiffers) {
      if (!sameMeta(sc, c)) diff.dirtyMeta = true;
      continue;
    }
    diff.dirtyMeta = true;
    p.summary.push(`change column ${t.table}.${c.column} from ${describe(sc)} to ${describe(c)}`);
    touched.add(c.column);
    if (change === 'lossy') {
      const n = await p.valuesIn(s.table, sc.column);
      if (n > 0)
        p.losses.push(
          `attribute ${t.key}.${c.key}: ${n} value${n === 1 ? '' : 's'} cannot be converted from ${describe(sc)} to ${describe(c)} and would be emptied (${await p.idsWhere(s.table, `${p.Q(sc.column)} IS NOT NULL`)})`,
        );
      diff.recreates.push(c);
      continue;
    }
    if (change === 'narrow') {
      const n = await p.narrowFailures(s.table, sc, c);
      if (n > 0) {
        // In place: the values that fit are kept; those that do not are cut (strings) or emptied, by row.
        const cut = STRINGS.includes(sc.type) && STRINGS.includes(c.type);
        const what = cut ? `would be cut to ${c.length} characters` : 'would be emptied';
        p.losses.push(
          `attribute ${t.key}.${c.key}: ${n} value${n === 1 ? '' : 's'} do${n === 1 ? 'es' : ''} not fit ${describe(c)} and ${what} (${await p.idsWhere(s.table, p.misfit(sc, c, sc.column))}); every other value is kept`,
        );
        diff.fits.push([sc, c]);
      }
    }
    if (storageDiffers) diff.converts.push([sc, c]);
  }
  return diff;
}

/** The column DDL of a matched table: renames, drops, conversions, re-creations, additions. True when the records change. */
function alterColumns(p: Planner, t: TableDef, cols: ColumnDiff): boolean {
  const { k, ddl, Q } = p;
  const table = t.table;
  let dirtyMeta = false;
  for (const [from, to] of cols.renames) {
    p.reuse(table, to);
    ddl(k.schema.alterTable(table).renameColumn(from, to));
  }
  for (const sc of cols.drops) {
    if (keptColumn(p, t, sc)) p.keep(table, sc.column, `attribute ${t.key}.${sc.key}`);
    else ddl(k.schema.alterTable(table).dropColumn(sc.column));
  }
  if (cols.drops.length) dirtyMeta = true;
  for (const c of cols.enumCleanups) {
    p.raw(
      `UPDATE ${Q(table)} SET ${Q(c.column)} = NULL WHERE ${Q(c.column)} IS NOT NULL AND ${Q(c.column)} NOT IN (${c.enumValues!.map((_, i) => placeholder(p.d, i + 1)).join(', ')})`,
      c.enumValues!,
    );
  }
  for (const [sc, c] of cols.fits) {
    const cut = STRINGS.includes(sc.type) && STRINGS.includes(c.type);
    p.raw(`UPDATE ${Q(table)} SET ${Q(c.column)} = ${cut ? `SUBSTR(${Q(c.column)}, 1, ${Number(c.length)})` : 'NULL'} WHERE ${p.misfit(sc, c, c.column)}`);
  }
  for (const [sc, c] of cols.converts) {
    const tmp = `${c.column}__kiln`;
    ddl(k.schema.alterTable(table).addColumn(tmp, p.colType(c)));
    p.raw(`UPDATE ${Q(table)} SET ${Q(tmp)} = ${convertExpression(p.d, sc.type, c.type, c.column)}`);
    ddl(k.schema.alterTable(table).dropColumn(c.column));
    ddl(k.schema.alterTable(table).renameColumn(tmp, c.column));
  }
  for (const c of cols.recreates) {
    ddl(k.schema.alterTable(table).dropColumn(c.column));
    ddl(k.schema.alterTable(table).addColumn(c.column, p.colType(c)));
    p.fillNewColumn(t, c);
  }
  for (const c of cols.adds) {
    p.reuse(table, c.column);
    ddl(k.schema.alterTable(table).addColumn(c.column, p.colType(c)));
    p.fillNewColumn(t, c);
    dirtyMeta = true;
  }
  return dirtyMeta;
}

/**
 * The indexes a matched table lacks. A new unique single-column index (a
 * Reference's association table) first deletes the rows whose value occurs
 * more than once, and counts them as a loss. True when any is created.
 */
async function createMissingIndexes(p: Planner, t: TableDef, s: TableDef, keep: readonly IndexDef[], renames: readonly [string, string][]): Promise<boolean> {
  const { Q } = p;
  const table = t.table;
  let created = false;
  for (const ti of t.indexes) {
    if (keep.some((si) => sameIndex(si, ti))) continue;
    if (ti.unique && ti.columns.length === 1) {
      const n = await p.tolerant(s.table, () => p.duplicates(s.table, renamedColumn(ti.columns[0]!.column, renames)));
      if (n > 0) {
        p.losses.push(
          `${t.kind} ${t.key}: ${n} value${n === 1 ? '' : 's'} of ${ti.columns[0]!.column} occur${n === 1 ? 's' : ''} more than once (a Reference holds one object); the rows holding them would be deleted`,
        );
        const col = Q(ti.columns[0]!.column);
        p.raw(`DELETE FROM ${Q(table)} WHERE ${col} IN (SELECT ${col} FROM (SELECT ${col} FROM ${Q(table)} GROUP BY ${col} HAVING COUNT(*) > 1) ${Q('dup')})`);
      }
    }
    p.createIndex(table, ti);
    created = true;
  }
  return created;
}

/** A matched table's records: the table row, its attributes and sequences, its indexes. */
function rewriteTableMeta(p: Planner, t: TableDef, s: TableDef, id: string, cols: ColumnDiff): void {
  const { k, m } = p;
  p.tableMeta(t, id, false);
  if (t.kind === 'entity') {
    for (const sc of s.columns)
      if (!cols.usedCols.has(sc) && !t.calculatedKeys?.includes(sc.key)) {
        m(k.deleteFrom(SYS.attribute).where('id', '=', sc.id!));
        // Mendix records System.owner / System.changedBy as an association row (record.ts).
        if (sc.key.startsWith('System.')) m(k.deleteFrom(SYS.association).where('id', '=', sc.id!));
        if (sc.type === 'AutoNumber') m(k.deleteFrom(SYS.sequence).where('attribute_id', '=', sc.id!));
      }
    for (const c of t.columns) {
      const sc = cols.colMatch.get(c);
      if (sc) {
        m(k.updateTable(SYS.attribute).set(p.attributeValues(c, id)).where('id', '=', sc.id!));
        if (c.type === 'AutoNumber' && sc.type !== 'AutoNumber') p.sequenceMeta(t, c, sc.id!);
        if (c.type !== 'AutoNumber' && sc.type === 'AutoNumber') m(k.deleteFrom(SYS.sequence).where('attribute_id', '=', sc.id!));
      } else {
        const attrId = randomUUID();
        m(k.insertInto(SYS.attribute).values({ id: attrId, ...p.attributeValues(c, id) }));
        if (c.type === 'AutoNumber') p.sequenceMeta(t, c, attrId);
      }
    }
  }
  p.deleteIndexMeta(id, s.indexes);
  p.insertIndexMeta(id, t.indexes);
}

/** 3. New tables, with their records. */
function planNewTables(p: Planner, desired: readonly TableDef[], matched: ReadonlyMap<TableDef, TableDef>, stored: StoredSchema): void {
  const { k, m, d } = p;
  let nextShort = Math.max(0, ...stored.shortIds.values()) + 1;
  // Mendix writes an entity's identifier when it stores its first object: an entity recorded without one gets it now.
  for (const [t, s] of matched)
    if (t.kind === 'entity' && !stored.shortIds.has(s.id!)) {
      p.summary.push(`number entity ${t.key} (short id ${nextShort})`);
      m(k.insertInto(SYS.entityIdentifier).values({ id: s.id!, short_id: nextShort++, object_sequence: 0 }));
    }
  for (const t of desired) {
    if (matched.has(t)) continue;
    p.summary.push(`create ${t.kind} ${t.key} (table ${t.table})`);
    const id = t.kind === 'entity' ? p.entityIds.get(t.key)! : randomUUID();
    if (t.storage === 'column') {
      // Column storage: the column on the parent's table (created above when the entity is new too).
      const column = t.columns[0]!.column;
      p.reuse(t.table, column);
      p.ddl(k.schema.alterTable(t.table).addColumn(column, sql.raw(bigintType(d))));
    } else if (t.kind === 'entity') {
      p.reuse(t.table, '');
      let b = k.schema.createTable(t.table).addColumn('id', sql.raw(idColumnType(d)), (c) => c.notNull().primaryKey());
      for (const c of t.columns) b = b.addColumn(c.column, p.colType(c));
      p.ddl(b);
    } else {
      p.reuse(t.table, '');
      createAssociationTable(p, t);
    }
    for (const i of t.indexes) p.createIndex(t.table, i);
    p.tableMeta(t, id, true);
    if (t.kind === 'entity') {
      m(k.insertInto(SYS.entityIdentifier).values({ id, short_id: nextShort++, object_sequence: 0 }));
      for (const c of t.columns) {
        const attrId = randomUUID();
        m(k.insertInto(SYS.attribute).values({ id: attrId, ...p.attributeValues(c, id) }));
        if (c.type === 'AutoNumber') p.sequenceMeta(t, c, attrId);
      }
    }
    p.insertIndexMeta(id, t.indexes);
  }
}

/** The version row, rewritten whenever anything changes. */
function planVersion(p: Planner, opts: PlanOptions): void {
  const { k, m } = p;
  if (p.steps.length || p.meta.length) {
    const now = opts.now ?? new Date();
    const p2 = (n: number) => String(n).padStart(2, '0');
    const stamp = `${now.getUTCFullYear()}${p2(now.getUTCMonth() + 1)}${p2(now.getUTCDate())} ${p2(now.getUTCHours())}:${p2(now.getUTCMinutes())}:${p2(now.getUTCSeconds())}`;
    m(k.deleteFrom(SYS.version));
    m(k.insertInto(SYS.version).values({ versionnumber: SYSTEM_VERSION, lastsyncdate: stamp, modelversionnumber: opts.modelVersion, mendixversion: 'kiln' }));
  }
}

/**
 * A removed column kept for older instances (expand/contract), unless the
 * model uses its name again (then it goes now, as without older instances).
 */
function keptColumn(p: Planner, t: TableDef, sc: ColumnDef): boolean {
  return p.defer !== undefined && !t.columns.some((c) => c.column === sc.column);
}

/**
 * The same index: same columns, same name, or a name past 60 characters that
 * Kiln shortens to the other (Mendix's names run longer; the index it made is kept).
 * A last column `id` counts as implicit: Mendix creates an entity's indexes over
 * (columns…, id) but records only the columns; Kiln records `id` too.
 */
function sameIndex(a: IndexDef, b: IndexDef): boolean {
  const sameName = a.name === b.name || (a.name.length > 60 && shorten(a.name) === b.name) || (b.name.length > 60 && shorten(b.name) === a.name);
  const ac = withoutTrailingId(a);
  const bc = withoutTrailingId(b);
  return sameName && a.unique === b.unique && ac.length === bc.length && ac.every((c, i) => c.column === bc[i]!.column && c.descending === bc[i]!.descending);
}

function withoutTrailingId(i: IndexDef): IndexDef['columns'] {
  const last = i.columns.at(-1);
  return !i.unique && i.columns.length > 1 && last?.column === 'id' && !last.descending ? i.columns.slice(0, -1) : i.columns;
}

function renamedColumn(col: string, renames: readonly [string, string][]): string {
  return renames.find(([, to]) => to === col)?.[0] ?? col;
}

function sameMeta(a: ColumnDef, b: ColumnDef): boolean {
  return (
    a.key === b.key &&
    a.column === b.column &&
    TYPE_CODES[a.type] === TYPE_CODES[b.type] &&
    a.length === b.length &&
    (a.defaultValue ?? '') === (b.defaultValue ?? '')
  );
}

function describe(c: ColumnDef): string {
  return STRINGS.includes(c.type) ? `${c.type}(${c.length === 0 ? 'unlimited' : c.length})` : c.type;
}

/** How a column's values fare when its type changes (Mendix converts where it is safe). */
function classify(from: ColumnDef, to: ColumnDef): Change {
  const f = from.type;
  const t = to.type;
  if (STRINGS.includes(f) && STRINGS.includes(t)) {
    if (from.length === to.length) return 'same';
    return to.length === 0 || (from.length !== 0 && to.length >= from.length) ? 'widen' : 'narrow';
  }
  if (f === t || (f === 'Long' && t === 'AutoNumber') || (f === 'AutoNumber' && t === 'Long')) return 'same';
  if ((f === 'Integer' && (t === 'Long' || t === 'AutoNumber' || t === 'Decimal')) || ((f === 'Long' || f === 'AutoNumber') && t === 'Decimal')) return 'widen';
  if ((f === 'Long' || f === 'AutoNumber') && t === 'Integer') return 'narrow';
  if (STRINGS.includes(t) && TEXT_WIDTH[f] !== undefined) return to.length === 0 || to.length >= TEXT_WIDTH[f]! ? 'widen' : 'narrow';
  return 'lossy';
}

function defaultOf(c: ColumnDef): AttributeValue {
  const v = c.defaultValue;
  if (v === null) return null;
  switch (c.type) {
    case 'Boolean':
      return v === 'true';
    case 'Integer':
      return Number(v);
    case 'Long':
    case 'AutoNumber':
      return BigInt(v);
    case 'Decimal':
      return new Dec(v);
    default:
      return v;
  }
}

/**
 * The fix that keeps the data, for a loss line: when the model adds something
 * of the same kind, it may be the lost one renamed without `previousName`.
 */
function renameHint(lost: string, added: readonly string[], qualified: boolean): string {
  if (added.length === 0) return '';
  const short = (key: string) => (qualified ? key.slice(key.indexOf('.') + 1) : key);
  const sameModule = (key: string) => !qualified || key.slice(0, key.indexOf('.')) === lost.slice(0, lost.indexOf('.'));
  const fixes = added.slice(0, 3).map((a) => `\`${a}\` with \`previousName: ${sameModule(a) ? short(lost) : lost}\``);
  return ` — if it was renamed, give the new name its previous one to keep the data: ${fixes.join(' or ')}`;
}

/** Rows holding enumeration values the model no longer has: a loss (emptied with AllowDestructiveSync), listed by value and row. */
async function checkEnumValues(p: Planner, t: TableDef, s: TableDef, sc: ColumnDef, c: ColumnDef, diff: ColumnDiff): Promise<void> {
  const values = c.enumValues!;
  if (values.length === 0) return;
  const col = p.Q(sc.column);
  const cond = `${col} IS NOT NULL AND ${col} NOT IN (${values.map((_, i) => placeholder(p.d, i + 1)).join(', ')})`;
  if ((await p.tolerant(s.table, () => p.count(`SELECT COUNT(*) AS n FROM ${p.Q(s.table)} WHERE ${cond}`, values))) === 0) return;
  const held = await p.q.query<Record<string, unknown>>(
    `SELECT ${col} AS v, COUNT(*) AS n FROM ${p.Q(s.table)} WHERE ${cond} GROUP BY ${col} ORDER BY ${col}`,
    values,
  );
  const n = held.reduce((a, r) => a + Number(r.n), 0);
  const byValue = held.map((r) => `'${String(r.v)}' in ${Number(r.n)} row${Number(r.n) === 1 ? '' : 's'}`).join(', ');
  p.losses.push(
    `attribute ${t.key}.${c.key}: ${n} value${n === 1 ? '' : 's'} no longer in the enumeration (${byValue}; ${await p.idsWhere(s.table, cond, values)}) would be emptied`,
  );
  diff.enumCleanups.push(c);
  diff.dirtyMeta = true;
}
