import type { DatePart, ValueType } from '../../objects/value-types.js';
import type { AttributeValue } from '../../objects/values.js';
import type { ValueCodecs } from './dialect.js';

/**
 * What the query engine's SQL compiler needs to know about a database (a
 * dialect's `query`, written in its folder): the only place where its SQL
 * text differs per dialect. Operands are SQL text already built;
 * placeholders come from `placeholder`.
 */
export interface QuerySyntax {
  quote(name: string): string;
  /** Placeholder for the 1-based parameter `index`. */
  placeholder(index: number): string;
  /** Case-sensitive string (in)equality, alike on every database. `right` may be emitted twice via `again`. */
  textEquals(left: string, op: '=' | '!=', right: string, again: () => string): string;
  /** Case-insensitive LIKE; the pattern parameter is already lower-cased and escaped with '!'. */
  likeInsensitive(operand: string, pattern: string): string;
  length(operand: string): string;
  /** A date part of a UTC DateTime column in a time zone (zone / offset are placeholders). */
  datePart(part: DatePart, operand: string, zone: () => string, offset: () => string): string;
  /** LIMIT / OFFSET clause (with a leading space) for validated integers; '' when neither. */
  paging(limit: number | undefined, offset: number | undefined): string;
  readonly falseCondition: string;
  readonly trueCondition: string;
  /** Converts an in-memory value to what the driver binds for a column of this type. */
  toParam(type: ValueType, value: unknown): unknown;
  aggregate: AggregateSql;
}

/**
 * Shared by the dialects: an in-memory value to what the driver binds, with the
 * data layer's storage codecs (so a Decimal on SQLite compares in its stored
 * sortable form, a DateTime as epoch ms or UTC text, ...).
 */
export function commonParam(codecs: ValueCodecs, type: ValueType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'Id') return codecs.encodeId(typeof value === 'bigint' ? value : BigInt(value as string | number));
  const attrType = type === 'Enumeration' ? 'String' : type;
  let v = value;
  if (attrType === 'Long' && typeof v === 'number') v = BigInt(Math.trunc(v));
  return codecs.encodeValue(attrType, `XPath ${type} value`, v as AttributeValue);
}

/** Aggregate over a column; SQLite keeps Decimal as sortable text, so SUM/AVG read it as REAL there. */
export type AggregateSql = (fn: 'count' | 'sum' | 'avg' | 'min' | 'max', operand: string, type: ValueType) => string;
