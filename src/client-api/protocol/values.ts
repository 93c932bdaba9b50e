import { Decimal } from 'decimal.js';
import type { CAttribute, CompiledModel } from '../../model/compiled/types.js';
import type { AttributeValue } from '../../objects/values.js';
import { malformed } from '../errors.js';

/** An attribute value as it travels in JSON. */
export type JsonValue = string | number | boolean | null;

/**
 * Attribute value -> JSON, the way the client reads it: DateTime as epoch
 * milliseconds, Long/AutoNumber and Decimal as strings (they do not fit a JS
 * number), Enumeration as the key. Binary and HashedString never travel.
 */
export function valueToJson(attr: CAttribute, v: AttributeValue | undefined): JsonValue {
  if (v === null || v === undefined) return null;
  switch (attr.type) {
    case 'DateTime':
      return v instanceof Date ? v.getTime() : null;
    case 'Long':
    case 'AutoNumber':
      return typeof v === 'bigint' ? v.toString() : String(v);
    case 'Decimal':
      return Decimal.isDecimal(v) ? (v as Decimal).toFixed() : String(v);
    case 'Integer':
      return typeof v === 'number' ? v : Number(v);
    case 'Boolean':
      return v === true;
    case 'Binary':
    case 'HashedString':
      return null;
    default:
      return typeof v === 'string' ? v : String(v);
  }
}

const DECIMAL_RE = /^-?\d{1,20}(\.\d{1,8})?$/;

/**
 * JSON from the client -> attribute value, checked against the attribute's type;
 * a wrong value is a 400 naming the field (`changes.<guid>.<Attr>`).
 */
export function valueFromJson(model: CompiledModel, attr: CAttribute, j: unknown, field: string): AttributeValue {
  if (j === null || j === undefined || (j === '' && attr.type !== 'String' && attr.type !== 'HashedString')) {
    if (attr.type === 'Boolean') throw malformed(field, 'must be true or false');
    return null;
  }
  switch (attr.type) {
    case 'String':
    case 'HashedString':
      if (typeof j !== 'string') throw malformed(field, 'must be a string');
      if (attr.length > 0 && [...j].length > attr.length) throw malformed(field, `is longer than ${attr.length} characters`);
      return j;
    case 'Enumeration': {
      if (typeof j !== 'string') throw malformed(field, 'must be an enumeration key');
      const e = attr.enumeration ? model.enumerations.get(attr.enumeration) : undefined;
      if (e && !e.values.some((x) => x.key === j)) throw malformed(field, `'${j}' is not a value of ${attr.enumeration}`);
      return j;
    }
    case 'Integer': {
      const n = typeof j === 'string' && /^-?\d+$/.test(j) ? Number(j) : j;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < -2147483648 || n > 2147483647) throw malformed(field, 'must be a 32-bit integer');
      return n;
    }
    case 'Long': {
      if (typeof j === 'number' && Number.isSafeInteger(j)) return BigInt(j);
      if (typeof j === 'string' && /^-?\d{1,19}$/.test(j)) {
        const b = BigInt(j);
        if (b >= -(2n ** 63n) && b < 2n ** 63n) return b;
      }
      throw malformed(field, 'must be a 64-bit integer (as a string)');
    }
    case 'Decimal': {
      const s = typeof j === 'number' && Number.isFinite(j) ? String(j) : j;
      if (typeof s !== 'string' || !DECIMAL_RE.test(s)) throw malformed(field, 'must be a decimal number (at most 20 integer and 8 fraction digits)');
      return new Decimal(s);
    }
    case 'Boolean':
      if (typeof j !== 'boolean') throw malformed(field, 'must be true or false');
      return j;
    case 'DateTime':
      if (typeof j !== 'number' || !Number.isInteger(j) || Math.abs(j) > 8.64e15) throw malformed(field, 'must be a date as epoch milliseconds');
      return new Date(j);
    default:
      throw malformed(field, `cannot be set by the client (${attr.type})`);
  }
}

/**
 * A value the server itself signed (a client-held object coming back): decoded
 * by type without the client-input rules, so AutoNumber and system members
 * the server set survive the round trip.
 */
export function valueFromSigned(model: CompiledModel, attr: CAttribute, j: unknown, field: string): AttributeValue {
  if (j === null || j === undefined) return null;
  switch (attr.type) {
    case 'AutoNumber':
    case 'Long':
      if (typeof j === 'string' && /^-?\d+$/.test(j)) return BigInt(j);
      throw malformed(field, 'must be a 64-bit integer (as a string)');
    case 'DateTime':
      if (typeof j === 'number' && Number.isFinite(j)) return new Date(j);
      throw malformed(field, 'must be a date as epoch milliseconds');
    default:
      return valueFromJson(model, attr, j, field);
  }
}
