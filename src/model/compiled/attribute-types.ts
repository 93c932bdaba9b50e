import type { AttributeSpecDef } from '../schema/index.js';
import type { AttributeType } from './types.js';

const SIMPLE: Record<string, AttributeType> = {
  string: 'String',
  integer: 'Integer',
  long: 'Long',
  decimal: 'Decimal',
  boolean: 'Boolean',
  datetime: 'DateTime',
  enumeration: 'Enumeration',
  autonumber: 'AutoNumber',
  binary: 'Binary',
  hashedstring: 'HashedString',
};

export interface ParsedAttributeType {
  type: AttributeType;
  length?: number;
  enumeration?: string;
}

/**
 * Parses an attribute's type as written: `String`, `String(100)`, `String(unlimited)`,
 * `Enumeration(Sales.Status)`, `Decimal`, ... Returns an error sentence when unknown.
 */
export function parseAttributeType(text: string): ParsedAttributeType | { error: string } {
  const m = /^\s*([A-Za-z]+)\s*(?:\(\s*([^)]*?)\s*\))?\s*$/.exec(text);
  const type = m ? SIMPLE[m[1]!.toLowerCase()] : undefined;
  if (!m || !type)
    return {
      error: `unknown attribute type '${text}' (expected one of String, Integer, Long, Decimal, Boolean, DateTime, Enumeration, AutoNumber, Binary, HashedString)`,
    };
  const arg = m[2];
  if (arg === undefined || arg === '') return { type };
  if (type === 'String' || type === 'HashedString') {
    if (/^unlimited$/i.test(arg)) return { type, length: 0 };
    const n = Number(arg);
    if (!Number.isInteger(n) || n < 0) return { error: `invalid string length '${arg}' in '${text}' (a whole number, or unlimited)` };
    return { type, length: n };
  }
  if (type === 'Enumeration') return { type, enumeration: arg };
  return { error: `attribute type '${m[1]}' takes no argument (in '${text}')` };
}

export function normaliseAttributeSpec(def: string | AttributeSpecDef): AttributeSpecDef {
  return typeof def === 'string' ? { type: def } : def;
}

export const DEFAULT_STRING_LENGTH = 200;

/** Checks a default value against its type; returns the normalised value or an error sentence. */
export function normaliseDefault(
  type: AttributeType,
  value: unknown,
  enumKeys: readonly string[] | undefined,
): { value: string | number | boolean | null } | { error: string } {
  if (value === undefined || value === null) return { value: null };
  switch (type) {
    case 'String':
    case 'HashedString':
      return typeof value === 'string' ? { value } : { error: `default ${JSON.stringify(value)} is not a string` };
    case 'Integer': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
      if (!Number.isInteger(n) || n < -2147483648 || n > 2147483647) return { error: `default ${JSON.stringify(value)} is not a 32-bit integer` };
      return { value: n };
    }
    case 'Long':
    case 'AutoNumber': {
      const s = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : typeof value === 'string' ? value.trim() : '';
      if (!/^-?\d+$/.test(s)) return { error: `default ${JSON.stringify(value)} is not a whole number` };
      const b = BigInt(s);
      if (b < -(2n ** 63n) || b >= 2n ** 63n) return { error: `default ${s} does not fit in a 64-bit Long` };
      return { value: s };
    }
    case 'Decimal': {
      const s = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
      if (!/^-?\d+(\.\d+)?$/.test(s)) return { error: `default ${JSON.stringify(value)} is not a decimal number` };
      return { value: s };
    }
    case 'Boolean':
      if (typeof value === 'boolean') return { value };
      if (value === 'true' || value === 'false') return { value: value === 'true' };
      return { error: `default ${JSON.stringify(value)} is not true or false` };
    case 'DateTime': {
      if (typeof value !== 'string') return { error: `default ${JSON.stringify(value)} is not a date (yyyy-mm-dd[ hh:mm[:ss]] in UTC or [%CurrentDateTime%])` };
      if (value === '[%CurrentDateTime%]') return { value };
      if (
        !/^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z?)?$/.test(value) ||
        Number.isNaN(Date.parse(value.replace(' ', 'T').replace(/Z?$/, 'Z')))
      ) {
        return { error: `default '${value}' is not a date (yyyy-mm-dd[ hh:mm[:ss]] in UTC or [%CurrentDateTime%])` };
      }
      return { value };
    }
    case 'Enumeration':
      if (typeof value !== 'string') return { error: `default ${JSON.stringify(value)} is not an enumeration key` };
      if (enumKeys && !enumKeys.includes(value)) return { error: `default '${value}' is not a value of the enumeration (${enumKeys.join(', ')})` };
      return { value };
    case 'Binary':
      return { error: 'Binary attributes have no default value' };
  }
}
