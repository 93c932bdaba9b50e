import type { Dialect } from '../dialects/dialect.js';

/** Small helpers to write the seeds' SQL shapes with the dialect's quoting and placeholders. */
export class SqlWriter {
  readonly params: unknown[] = [];
  constructor(readonly dialect: Dialect) {}
  q(name: string): string {
    return this.dialect.quote(name);
  }
  p(value: unknown): string {
    this.params.push(value);
    return this.dialect.placeholder(this.params.length);
  }
  /** `= ?` for one value, `IN (?, ?, ...)` for several. */
  inList(values: readonly unknown[]): string {
    const text = inListText(this.dialect, this.params.length, values.length);
    for (const v of values) this.params.push(v);
    return text;
  }
}

const inLists = new Map<string, string>();

/** `= ?` or `IN (?, ?, ...)` for `count` parameters after the first `offset` ones; cached (hot path). */
export function inListText(dialect: Dialect, offset: number, count: number): string {
  const key = `${dialect.name}:${offset}:${count}`;
  let text = inLists.get(key);
  if (text === undefined) {
    text =
      count === 1 ? `= ${dialect.placeholder(offset + 1)}` : `IN (${Array.from({ length: count }, (_, i) => dialect.placeholder(offset + i + 1)).join(', ')})`;
    if (inLists.size > 5000) inLists.clear();
    inLists.set(key, text);
  }
  return text;
}

/**
 * Most items (ids, rows) one statement carries: the size of every id list
 * (`WHERE id IN (...)`) of a retrieve by ids and of the follow-up loads
 * (associations, specializations' members) of the data layer and the query
 * engine. Far below every driver's parameter limit (32766 in the SQLite
 * bundled with the driver, 65535 in PostgreSQL's and MariaDB's protocols), yet
 * large enough that a page of objects (the client pages by 20 to a few hundred)
 * is one statement; past a thousand, longer lists save few round trips but make
 * long statement texts, each length a new entry in the drivers' statement caches.
 */
export const IDS_PER_STATEMENT = 1000;

/** Splits a list so that each statement stays below the driver's parameter limit, and at most IDS_PER_STATEMENT items. */
export function chunks<T>(dialect: Dialect, items: readonly T[], paramsPerItem: number): T[][] {
  const size = Math.max(1, Math.min(IDS_PER_STATEMENT, Math.floor(dialect.maxParams / Math.max(1, paramsPerItem))));
  if (items.length <= size) return [items as T[]];
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
