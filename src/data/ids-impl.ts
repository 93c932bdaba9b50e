import type { CAttribute, CompiledModel } from '../model/compiled/types.js';
import { ID_SEQUENCE_BITS, makeId, type ObjectId } from '../objects/values.js';
import type { Database } from './database.js';
import { placeholder, quoteIdentifier } from './dialects/names.js';
import { decodeId, encodeId } from './dialects/value-codecs.js';
import type { IdGenerator } from './ids.js';
import { SYS } from './schema/system-tables.js';

interface Block {
  next: bigint;
  last: bigint;
  size: bigint;
  reservedAt: number;
  pending?: Promise<void>;
}

const MIN_BLOCK = 100n;
const SEQUENCE_LIMIT = 1n << ID_SEQUENCE_BITS;
const MAX_BLOCK = 10000n;

/**
 * The id generator over the system tables: `mendixsystem$entityidentifier`
 * (short id and last reserved sequence per entity) and `mendixsystem$sequence`
 * (AutoNumber counters). A block is reserved with one atomic UPDATE in its own
 * transaction, so instances sharing the database never hand out the same
 * value; blocks grow (100 up to 10,000) while objects are created quickly.
 * At start the counters are raised to at least the highest value stored, so a
 * reservation lost with a rolled-back transaction (SQLite, where it joins the
 * open transaction) never leads to a duplicate.
 */
export async function createIdGenerator(db: Database, model: CompiledModel): Promise<IdGenerator> {
  const Q = (n: string) => quoteIdentifier(db.dialect, n);
  const P = (i: number) => placeholder(db.dialect, i);
  const rows = await db.query<Record<string, unknown>>(
    `SELECT ${Q('e')}.${Q('entity_name')}, ${Q('i')}.${Q('id')}, ${Q('i')}.${Q('short_id')} FROM ${Q(SYS.entity)} ${Q('e')} INNER JOIN ${Q(SYS.entityIdentifier)} ${Q('i')} ON ${Q('i')}.${Q('id')} = ${Q('e')}.${Q('id')}`,
    [],
  );
  const entities = new Map<string, { metaId: string; shortId: number; floor: bigint }>();
  const byShort = new Map<number, string>();
  // The highest id stored per entity: one statement for many entities (a start-up of a model
  // with 200 entities otherwise waits for 200 round trips).
  const idMax: { name: string; shortId: number; table: string }[] = [];
  for (const r of rows) {
    const name = String(r.entity_name);
    const shortId = Number(r.short_id);
    entities.set(name, { metaId: String(r.id), shortId, floor: 0n });
    byShort.set(shortId, name);
    const e = model.entities.get(name);
    if (e?.persistable) idMax.push({ name, shortId, table: e.table });
  }
  const idMaxima = await maxima(
    db,
    idMax.map((x) => ({ column: 'id', table: x.table, range: [encodeId(db.dialect, makeId(x.shortId, 0n)), encodeId(db.dialect, makeId(x.shortId + 1, 0n))] })),
  );
  idMax.forEach((x, i) => {
    const max = idMaxima[i];
    if (max !== null && max !== undefined) entities.get(x.name)!.floor = decodeId(max) - makeId(x.shortId, 0n);
  });
  const seqRows = await db.query<Record<string, unknown>>(
    `SELECT ${Q('s')}.${Q('attribute_id')}, ${Q('a')}.${Q('attribute_name')}, ${Q('e')}.${Q('entity_name')} FROM ${Q(SYS.sequence)} ${Q('s')} INNER JOIN ${Q(SYS.attribute)} ${Q('a')} ON ${Q('a')}.${Q('id')} = ${Q('s')}.${Q('attribute_id')} INNER JOIN ${Q(SYS.entity)} ${Q('e')} ON ${Q('e')}.${Q('id')} = ${Q('a')}.${Q('entity_id')}`,
    [],
  );
  const sequences = new Map<string, { attrId: string; floor: bigint }>();
  const seqMax: { key: string; table: string; column: string }[] = [];
  for (const r of seqRows) {
    const key = `${r.entity_name}.${r.attribute_name}`;
    sequences.set(key, { attrId: String(r.attribute_id), floor: 0n });
    const entity = model.entities.get(String(r.entity_name));
    const attr = entity?.attributes.get(String(r.attribute_name));
    if (entity && attr) seqMax.push({ key, table: entity.table, column: attr.column });
  }
  const seqMaxima = await maxima(
    db,
    seqMax.map((x) => ({ column: x.column, table: x.table })),
  );
  seqMax.forEach((x, i) => {
    const max = seqMaxima[i];
    if (max !== null && max !== undefined) sequences.get(x.key)!.floor = decodeId(max);
  });

  const blocks = new Map<string, Block>();
  /** Reserves `size` values after max(stored counter, floor); returns the last value reserved. */
  const reserve = async (table: string, keyCol: string, valueCol: string, key: string, floor: bigint, size: bigint): Promise<bigint> =>
    db.independentTransaction(async (tx) => {
      const v = Q(valueCol);
      await tx.execute(`UPDATE ${Q(table)} SET ${v} = (CASE WHEN ${v} < ${P(1)} THEN ${P(2)} ELSE ${v} END) + ${P(3)} WHERE ${Q(keyCol)} = ${P(4)}`, [
        encodeId(db.dialect, floor),
        encodeId(db.dialect, floor),
        encodeId(db.dialect, size),
        key,
      ]);
      const r = await tx.query<Record<string, unknown>>(`SELECT ${v} AS v FROM ${Q(table)} WHERE ${Q(keyCol)} = ${P(1)}`, [key]);
      if (!r[0]) throw new Error(`no counter row for ${key} in ${table}; schema synchronisation has not run`);
      return decodeId(r[0].v);
    });

  const take = async (name: string, refill: (size: bigint) => Promise<bigint>): Promise<bigint> => {
    for (;;) {
      const b = blocks.get(name);
      if (b && b.next <= b.last) return b.next++;
      if (b?.pending) {
        await b.pending;
        continue;
      }
      const prev = b;
      const size = prev ? (Date.now() - prev.reservedAt < 2000 ? (prev.size * 2n > MAX_BLOCK ? MAX_BLOCK : prev.size * 2n) : MIN_BLOCK) : MIN_BLOCK;
      const holder: Block = prev ?? { next: 1n, last: 0n, size, reservedAt: 0 };
      blocks.set(name, holder);
      holder.pending = (async () => {
        try {
          const last = await refill(size);
          // Never go back: keep the highest value seen in this process.
          holder.next = last - size + 1n > holder.next ? last - size + 1n : holder.next;
          holder.last = last;
          holder.size = size;
          holder.reservedAt = Date.now();
        } finally {
          holder.pending = undefined;
        }
      })();
      await holder.pending;
    }
  };

  // Non-persistable entities are never stored: their objects take ids from a counter of this process, under
  // short ids counted down from the top of the range (schema synchronisation counts up from 1), so that an id
  // never equals a stored object's. entityOf does not know them: an id a client sends for one is "not found",
  // never a lookup in a table that does not exist.
  const local = new Map<string, { base: bigint; next: bigint }>();
  let localShort = 0x7fff;
  for (const e of model.entities.values()) {
    if (e.persistable || entities.has(e.name)) continue;
    local.set(e.name, { base: makeId(localShort--, 0n), next: 1n });
  }
  const localId = (entity: string): ObjectId | undefined => {
    const l = local.get(entity);
    return l && l.base | l.next++;
  };

  /** Per entity, for the synchronous path: the id's upper bits and the entity's id block once it exists. */
  const fast = new Map<string, { base: bigint; block?: Block }>();
  for (const [name, e] of entities) fast.set(name, { base: makeId(e.shortId, 0n) });

  return {
    nextIdNow(entity: string): ObjectId | undefined {
      const f = fast.get(entity);
      if (f === undefined) return localId(entity);
      const b = (f.block ??= blocks.get(`id:${entity}`));
      if (!b || b.pending || b.next > b.last || b.next >= SEQUENCE_LIMIT) return undefined;
      return f.base | b.next++;
    },
    async nextId(entity: string): Promise<ObjectId> {
      const e = entities.get(entity);
      const l = e ? undefined : localId(entity);
      if (l !== undefined) return l;
      if (!e) throw new Error(`entity ${entity} has no id counter (is it persistable, and has schema synchronisation run?)`);
      const seq = await take(`id:${entity}`, (size) => reserve(SYS.entityIdentifier, 'id', 'object_sequence', e.metaId, e.floor, size));
      if (seq >= 1n << ID_SEQUENCE_BITS) throw new Error(`entity ${entity} has used up its 2^48 object ids`);
      return makeId(e.shortId, seq);
    },
    async nextAutoNumber(attr: CAttribute): Promise<bigint> {
      const s = sequences.get(attr.qualifiedName);
      if (!s) throw new Error(`AutoNumber ${attr.qualifiedName} has no counter (has schema synchronisation run?)`);
      return take(`seq:${attr.qualifiedName}`, (size) => reserve(SYS.sequence, 'attribute_id', 'current_value', s.attrId, s.floor, size));
    },
    entityOf: (id) => byShort.get(Number(id >> ID_SEQUENCE_BITS)),
    shortIdOf: (entity) => entities.get(entity)?.shortId,
  };
}

/** Statements per round trip in `maxima`: well under every database's limit on bound parameters (SQLite's 999 included). */
const MAXIMA_PER_STATEMENT = 100;

interface MaxPart {
  readonly column: string;
  readonly table: string;
  /** Only values from the first (inclusive) to the second (exclusive). */
  readonly range?: readonly [unknown, unknown];
}

/**
 * `SELECT MAX(column) FROM table [WHERE column in range]` for each part, in order, sent as
 * `UNION ALL` of up to 100 at a time, each branch tagged with its position.
 */
async function maxima(db: Database, parts: readonly MaxPart[]): Promise<unknown[]> {
  const Q = (n: string) => quoteIdentifier(db.dialect, n);
  const out: unknown[] = new Array(parts.length).fill(null);
  for (let start = 0; start < parts.length; start += MAXIMA_PER_STATEMENT) {
    const params: unknown[] = [];
    const bind = (value: unknown) => {
      params.push(value);
      return placeholder(db.dialect, params.length);
    };
    const branches = parts.slice(start, start + MAXIMA_PER_STATEMENT).map((p, i) => {
      const where = p.range ? ` WHERE ${Q(p.column)} >= ${bind(p.range[0])} AND ${Q(p.column)} < ${bind(p.range[1])}` : '';
      // The tag is the branch's position: a number made here, not a value from outside.
      return `SELECT ${start + i} AS ${Q('k')}, MAX(${Q(p.column)}) AS ${Q('m')} FROM ${Q(p.table)}${where}`;
    });
    const rows = await db.query<Record<string, unknown>>(branches.join(' UNION ALL '), params);
    for (const r of rows) out[Number(r.k)] = r.m;
  }
  return out;
}
