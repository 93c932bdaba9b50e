import { DateTime } from 'luxon';
import type { DatePart, ValueType } from '../../../objects/value-types.js';
import { commonParam, type QuerySyntax } from '../query-syntax.js';
import { doubleQuoted } from '../names.js';
import { sqliteValues } from './values.js';

/**
 * SQLite has no Unicode case folding (LIKE and lower() are ASCII-only) and no
 * time zones, so the query engine uses two functions registered on every
 * connection: `kiln_lower(text)` and `kiln_datepart(part, value, zone)`.
 */
const sqliteQueryFunctions = {
  kiln_lower: (s: unknown): unknown => (typeof s === 'string' ? s.toLowerCase() : s),
  kiln_datepart: (part: unknown, value: unknown, zone: unknown): number | null => {
    if (value === null || value === undefined) return null;
    const ms =
      typeof value === 'number' || typeof value === 'bigint'
        ? Number(value)
        : Date.parse(String(value).replace(' ', 'T') + (String(value).endsWith('Z') ? '' : 'Z'));
    if (Number.isNaN(ms)) return null;
    const d = DateTime.fromMillis(ms, { zone: typeof zone === 'string' ? zone : 'UTC' });
    return datePartOf(String(part) as DatePart, d);
  },
};

function datePartOf(part: DatePart, d: DateTime): number {
  switch (part) {
    case 'year':
      return d.year;
    case 'month':
      return d.month;
    case 'day':
      return d.day;
    case 'hours':
      return d.hour;
    case 'minutes':
      return d.minute;
    case 'seconds':
      return d.second;
    case 'quarter':
      return d.quarter;
    case 'day-of-year':
      return d.ordinal;
    case 'week':
      return d.weekNumber;
    case 'weekday':
      return (d.weekday % 7) + 1; // Mendix: 1 = Sunday ... 7 = Saturday
  }
}

/** Registers the functions on a better-sqlite3 connection (the data layer calls this per connection). */
export function registerSqliteQueryFunctions(db: {
  function(name: string, options: { deterministic: boolean }, fn: (...args: unknown[]) => unknown): unknown;
}): void {
  db.function('kiln_lower', { deterministic: true }, (s) => sqliteQueryFunctions.kiln_lower(s));
  db.function('kiln_datepart', { deterministic: true }, (p, v, z) => sqliteQueryFunctions.kiln_datepart(p, v, z));
}

export const sqliteQuerySyntax: QuerySyntax = {
  quote: doubleQuoted,
  placeholder: () => '?',
  // String columns are COLLATE NOCASE (ASCII): = first narrows with the index, then compares exactly.
  textEquals: (l, op, r, again) => (op === '=' ? `(${l} = ${r} AND ${l} = ${again()} COLLATE BINARY)` : `${l} <> ${r} COLLATE BINARY`),
  likeInsensitive: (o, p) => `kiln_lower(${o}) LIKE ${p} ESCAPE '!'`,
  length: (o) => `LENGTH(${o})`,
  datePart: (part, o, zone) => `kiln_datepart('${part}', ${o}, ${zone()})`,
  paging: (limit, offset) => {
    if (limit === undefined && !offset) return '';
    return ` LIMIT ${limit ?? -1}${offset ? ` OFFSET ${offset}` : ''}`;
  },
  falseCondition: '1 = 0',
  trueCondition: '1 = 1',
  toParam: (type: ValueType, v: unknown) => commonParam(sqliteValues, type, v),
  aggregate: (fn, o, type) => (type === 'Decimal' && (fn === 'sum' || fn === 'avg') ? `${fn.toUpperCase()}(kiln_dec_real(${o}))` : `${fn.toUpperCase()}(${o})`),
};
