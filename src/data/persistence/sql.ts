import type { DialectName } from '../dialects/names.js';
import { MAX_PARAMS, placeholder, quoteIdentifier } from '../dialects/names.js';

/** Small helpers to write the seeds' SQL shapes with the dialect's quoting and placeholders. */
export class SqlWriter {
  readonly params: unknown[] = [];
  constructor(readonly dialect: DialectName) {}
  q(name: string): string { return quoteIdentifier(this.dialect, name); }
  p(value: unknown): string { this.params.push(value); return placeholder(this.dialect, this.params.length); }
  /** `= ?` for one value, `IN (?, ?, ...)` for several. */
  inList(values: readonly unknown[]): string {
    const text = inListText(this.dialect, this.params.length, values.length);
    for (const v of values) this.params.push(v);
    return text;
  }
}

const inLists = new Map<string, string>();

/** `= ?` or `IN (?, ?, ...)` for `count` parameters after the first `offset` ones; cached (hot path). */
export function inListText(dialect: DialectName, offset: number, count: number): string {
  const key = `${dialect}:${offset}:${count}`;
  let text = inLists.get(key);
  if (text === undefined) {
    text = count === 1 ? `= ${placeholder(dialect, offset + 1)}` : `IN (${Array.from({ length: count }, (_, i) => placeholder(dialect, offset + i + 1)).join(', ')})`;
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
export function chunks<T>(dialect: DialectName, items: readonly T[], paramsPerItem: number): T[][] {
  const size = Math.max(1, Math.min(IDS_PER_STATEMENT, Math.floor(MAX_PARAMS[dialect] / Math.max(1, paramsPerItem))));
  if (items.length <= size) return [items as T[]];
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
