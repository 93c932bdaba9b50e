import { Decimal } from 'decimal.js';
import type { CAttribute, CompiledModel } from '../../model/compiled/types.js';
import type { AttributeValue } from '../../objects/values.js';

const DECIMAL_RE = /^-?\d{1,20}(\.\d{1,8})?$/;

/** A JSON value a mapping could not take: `field` is its place in the document (`body.lines.0.qty`). */
export class MappingError extends Error {
  constructor(
    readonly field: string,
    message: string,
    /** 403 when the caller may not create or change what the JSON asks for; otherwise 400. */
    readonly status: 400 | 403 = 400,
  ) {
    super(`${field} ${message}`);
    this.name = 'MappingError';
  }
}

/**
 * An attribute value as JSON text, as Mendix's JSON mappings write it: numbers
 * as JSON numbers (Long and Decimal exact, as their digits), dates as ISO 8601
 * text in UTC, enumerations by key, empty as null. Binary and HashedString
 * values are never written (undefined).
 */
export function valueToJsonText(attr: CAttribute, v: AttributeValue | undefined): string | undefined {
  if (attr.type === 'Binary' || attr.type === 'HashedString') return undefined;
  if (v === null || v === undefined) return 'null';
  switch (attr.type) {
    case 'DateTime':
      return v instanceof Date ? JSON.stringify(v.toISOString()) : 'null';
    case 'Long':
    case 'AutoNumber':
      return typeof v === 'bigint' ? v.toString() : /^-?\d+$/.test(String(v)) ? String(v) : 'null';
    case 'Decimal':
      return Decimal.isDecimal(v) ? (v as Decimal).toFixed() : new Decimal(String(v)).toFixed();
    case 'Integer':
      return Number.isFinite(v as number) ? String(Number(v)) : 'null';
    case 'Boolean':
      return v === true ? 'true' : 'false';
    default:
      return JSON.stringify(typeof v === 'string' ? v : String(v));
  }
}

/** A JSON value -> the attribute's value; a value of the wrong kind is a MappingError naming `field`. */
export function valueFromJsonValue(model: CompiledModel, attr: CAttribute, j: unknown, field: string): AttributeValue {
  if (j === null || j === undefined) {
    if (attr.type === 'Boolean') throw new MappingError(field, 'must be true or false');
    return null;
  }
  switch (attr.type) {
    case 'String':
    case 'HashedString':
      if (typeof j !== 'string') throw new MappingError(field, 'must be a string');
      if (attr.length > 0 && [...j].length > attr.length) throw new MappingError(field, `is longer than ${attr.length} characters`);
      return j;
    case 'Enumeration': {
      const e = attr.enumeration ? model.enumerations.get(attr.enumeration) : undefined;
      if (typeof j !== 'string' || (e && !e.values.some((x) => x.key === j))) throw new MappingError(field, `must be a value of ${attr.enumeration}`);
      return j;
    }
    case 'Integer':
      if (typeof j !== 'number' || !Number.isInteger(j) || j < -2147483648 || j > 2147483647) throw new MappingError(field, 'must be a 32-bit integer');
      return j;
    case 'Long':
      if (typeof j === 'number' && Number.isSafeInteger(j)) return BigInt(j);
      if (typeof j === 'string' && /^-?\d{1,19}$/.test(j)) return BigInt(j);
      throw new MappingError(field, 'must be a 64-bit integer');
    case 'Decimal': {
      const s = typeof j === 'number' && Number.isFinite(j) ? String(j) : j;
      if (typeof s !== 'string' || !DECIMAL_RE.test(s)) throw new MappingError(field, 'must be a decimal number (at most 20 integer and 8 fraction digits)');
      return new Decimal(s);
    }
    case 'Boolean':
      if (typeof j !== 'boolean') throw new MappingError(field, 'must be true or false');
      return j;
    case 'DateTime': {
      const t = typeof j === 'string' && /^\d{4}-\d{2}-\d{2}/.test(j) ? Date.parse(j) : typeof j === 'number' && Number.isInteger(j) ? j : Number.NaN;
      if (Number.isNaN(t)) throw new MappingError(field, 'must be a date in ISO 8601 form (2024-12-31T09:00:00Z)');
      return new Date(t);
    }
    default:
      throw new MappingError(field, `cannot be set from JSON (${attr.type})`);
  }
}
