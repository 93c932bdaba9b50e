import type { DatePart } from '../../../objects/value-types.js';
import { commonParam, type QuerySyntax } from '../query-syntax.js';
import { doubleQuoted } from '../names.js';
import { postgresValues } from './values.js';

const PG_PART: Record<DatePart, string> = {
  year: 'YEAR',
  month: 'MONTH',
  day: 'DAY',
  hours: 'HOUR',
  minutes: 'MINUTE',
  seconds: 'SECOND',
  quarter: 'QUARTER',
  'day-of-year': 'DOY',
  week: 'WEEK',
  weekday: 'DOW',
};

/** DateTime columns are TIMESTAMP (without time zone) holding UTC, as Mendix does. */
export const postgresQuerySyntax: QuerySyntax = {
  quote: doubleQuoted,
  placeholder: (i) => `$${i}`,
  textEquals: (l, op, r) => `${l} ${op === '=' ? '=' : '<>'} ${r}`,
  likeInsensitive: (o, p) => `LOWER(${o}) LIKE ${p} ESCAPE '!'`,
  length: (o) => `LENGTH(${o})`,
  datePart: (part, o, zone) => {
    const local = `((${o}) AT TIME ZONE 'UTC') AT TIME ZONE ${zone()}`;
    const e = `EXTRACT(${PG_PART[part]} FROM ${local})`;
    if (part === 'weekday') return `CAST(${e} AS INTEGER) + 1`;
    return `CAST(FLOOR(${e}) AS INTEGER)`;
  },
  paging: (limit, offset) => `${limit !== undefined ? ` LIMIT ${limit}` : ''}${offset ? ` OFFSET ${offset}` : ''}`,
  falseCondition: '1 = 0',
  trueCondition: '1 = 1',
  toParam: (type, v) => commonParam(postgresValues, type, v),
  aggregate: (fn, o) => `${fn.toUpperCase()}(${o})`,
};
