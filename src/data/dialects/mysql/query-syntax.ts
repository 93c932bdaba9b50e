import type { DatePart } from '../../../objects/value-types.js';
import { commonParam, type QuerySyntax } from '../query-syntax.js';
import { doubleQuoted } from '../names.js';
import { mysqlValues } from './values.js';

const FN: Record<DatePart, (t: string) => string> = {
  year: (t) => `YEAR(${t})`,
  month: (t) => `MONTH(${t})`,
  day: (t) => `DAYOFMONTH(${t})`,
  hours: (t) => `HOUR(${t})`,
  minutes: (t) => `MINUTE(${t})`,
  seconds: (t) => `SECOND(${t})`,
  quarter: (t) => `QUARTER(${t})`,
  'day-of-year': (t) => `DAYOFYEAR(${t})`,
  week: (t) => `WEEK(${t}, 3)`,
  weekday: (t) => `DAYOFWEEK(${t})`,
};

/**
 * MariaDB / MySQL (sessions run with ANSI_QUOTES). String columns use a case-insensitive collation, so `=` adds a
 * binary comparison (the first, collation-aware one can use an index). Date parts
 * use named zones when the server has its time zone tables, else the zone's
 * current offset (see docs/xpath.md).
 */
export const mysqlQuerySyntax: QuerySyntax = {
  quote: doubleQuoted,
  placeholder: () => '?',
  textEquals: (l, op, r, again) => (op === '=' ? `(${l} = ${r} AND BINARY ${l} = BINARY ${again()})` : `BINARY ${l} <> BINARY ${r}`),
  // Bytes after lower-casing: the collation would also ignore accents ('ä' LIKE 'a'). The pattern's
  // only wildcards are the leading/trailing '%', so byte-wise matching is exact.
  likeInsensitive: (o, p) => `BINARY LOWER(${o}) LIKE BINARY ${p} ESCAPE '!'`,
  length: (o) => `CHAR_LENGTH(${o})`,
  datePart: (part, o, zone, offset) => FN[part](`COALESCE(CONVERT_TZ(${o}, '+00:00', ${zone()}), CONVERT_TZ(${o}, '+00:00', ${offset()}))`),
  paging: (limit, offset) => {
    if (limit === undefined && !offset) return '';
    return ` LIMIT ${limit ?? '18446744073709551615'}${offset ? ` OFFSET ${offset}` : ''}`;
  },
  falseCondition: '1 = 0',
  trueCondition: '1 = 1',
  toParam: (type, v) => commonParam(mysqlValues, type, v),
  aggregate: (fn, o) => `${fn.toUpperCase()}(${o})`,
};
