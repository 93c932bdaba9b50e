import type { Decimal } from 'decimal.js';
import type { AttributeType } from '../../model/compiled/types.js';
import type { AttributeValue } from '../../objects/values.js';
import { ValueOutOfRangeError } from '../errors.js';
import { decimalText, Dec, decodeSortableDecimal, encodeSortableDecimal, normaliseDecimal, plainDecimalFast, sortableDecimalFast } from './decimal-format.js';
import type { Dialect, ValueCodecs, ValueDecoder, ValueEncoder } from './dialect.js';

export type { ValueDecoder, ValueEncoder } from './dialect.js';

/**
 * How one database stores the attribute types whose storage differs between
 * databases (declared in each dialect's folder; `makeValueCodecs` builds its
 * codecs from them). Strings, Integers and Binaries are stored alike everywhere.
 */
export interface StoredForms {
  /** Long, AutoNumber and ids bound as bigints (SQLite), else as decimal text. */
  readonly bigintsAsIs: boolean;
  /** Decimal as fixed-width text whose byte order is the numeric order (SQLite), else plain decimal text. */
  readonly sortableDecimals: boolean;
  /** Boolean as 0/1 (SQLite, MariaDB), else as a boolean. */
  readonly booleansAsBits: boolean;
  /** DateTime as epoch milliseconds (SQLite), else as UTC text (`2026-11-23 12:11:42.123`). */
  readonly dateTimesAsEpochMs: boolean;
  /**
   * The DateTime encoder's common case, when the driver binds a Date directly
   * (mysql2, within DATETIME's years); `general` takes the rest.
   */
  dateTimeEncoder?(general: ValueEncoder): ValueEncoder;
}

/** A dialect's value codecs, from its stored forms; the specialised decoders are made once per type. */
export function makeValueCodecs(forms: StoredForms): ValueCodecs {
  const decoders = new Map<AttributeType, ValueDecoder>();
  const codecs: ValueCodecs = {
    encodeValue: (type, name, v, maxLength = 0) => encode(forms, type, name, v, maxLength),
    decodeValue: (type, raw) => decode(forms, type, raw),
    encodeId: forms.bigintsAsIs ? (id) => id : (id) => id.toString(),
    decoderFor(type) {
      let fn = decoders.get(type);
      if (!fn) {
        fn = makeDecoder(forms, type);
        decoders.set(type, fn);
      }
      return fn;
    },
    encoderFor: (type, name, maxLength = 0) => makeEncoder(forms, type, name, maxLength),
    bigintsAsIs: forms.bigintsAsIs,
    booleansAsBits: forms.booleansAsBits,
    dateTimesAsEpochMs: forms.dateTimesAsEpochMs,
  };
  return codecs;
}

/** Date as the UTC text PostgreSQL's TIMESTAMP and MariaDB's DATETIME(3) take. */
export function utcText(d: Date): string {
  const y = d.getUTCFullYear();
  // toISOString formats through the C library (vsnprintf) and its text needed two replaces:
  // a DateTime bound on every INSERT and UPDATE paid ~2 µs for it. Years outside 1000-9999
  // (a sign, more digits) and invalid dates (a RangeError) take that way still.
  if (!(y >= 1000 && y <= 9999)) return d.toISOString().replace('T', ' ').replace('Z', '');
  const ms = d.getUTCMilliseconds();
  return `${y}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}`;
}

function two(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/** The dialect's `values.encodeValue` (a call form kept for the schema planner and the stores). */
export function encodeValue(dialect: Dialect, type: AttributeType, name: string, v: AttributeValue, maxLength = 0): unknown {
  return dialect.values.encodeValue(type, name, v, maxLength);
}

export function encodeId(dialect: Dialect, id: bigint): unknown {
  return dialect.values.encodeId(id);
}

export function decoderFor(dialect: Dialect, type: AttributeType): ValueDecoder {
  return dialect.values.decoderFor(type);
}

export function encoderFor(dialect: Dialect, type: AttributeType, name: string, maxLength = 0): ValueEncoder {
  return dialect.values.encoderFor(type, name, maxLength);
}

/**
 * How each attribute type is stored on each database, both ways. The
 * in-memory types are those of src/objects/values.ts; nothing passes through
 * binary floating point.
 *
 * | type        | SQLite                     | PostgreSQL          | MariaDB          |
 * | ----------- | -------------------------- | ------------------- | ---------------- |
 * | Long, ids   | INTEGER (bigint)           | BIGINT (text)       | BIGINT (text)    |
 * | Decimal     | TEXT, sortable fixed width | NUMERIC(28,8) text  | DECIMAL(28,8)    |
 * | DateTime    | INTEGER epoch ms           | TIMESTAMP(3) UTC    | DATETIME(3) UTC  |
 * | Boolean     | INTEGER 0/1                | BOOLEAN             | TINYINT(1)       |
 * | Binary      | BLOB                       | BYTEA               | LONGBLOB         |
 */
function encode(forms: StoredForms, type: AttributeType, name: string, v: AttributeValue, maxLength: number): unknown {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'String':
    case 'HashedString':
    case 'Enumeration':
      return type === 'String' && maxLength > 0 ? checkLength(name, String(v), maxLength) : String(v);
    case 'Integer': {
      const n = typeof v === 'bigint' ? Number(v) : Number(v);
      if (!Number.isInteger(n) || n < -2147483648 || n > 2147483647)
        throw new ValueOutOfRangeError(`value ${String(v)} of ${name} is not a 32-bit integer`, name);
      return n;
    }
    case 'Long':
    case 'AutoNumber': {
      const b = typeof v === 'bigint' ? v : BigInt(String(v));
      if (b < -(2n ** 63n) || b >= 2n ** 63n) throw new ValueOutOfRangeError(`value ${b} of ${name} does not fit in a 64-bit Long`, name);
      return forms.bigintsAsIs ? b : b.toString();
    }
    case 'Decimal': {
      const d = normaliseDecimal(isDecimal(v) ? v : new Dec(String(v)));
      if (!d) throw new ValueOutOfRangeError(`value ${String(v)} of ${name} has more than 20 integer digits`, name);
      return forms.sortableDecimals ? encodeSortableDecimal(d) : decimalText(d);
    }
    case 'Boolean':
      return forms.booleansAsBits ? (v ? 1 : 0) : Boolean(v);
    case 'DateTime': {
      const d = v instanceof Date ? v : new Date(v as string | number);
      if (Number.isNaN(d.getTime())) throw new ValueOutOfRangeError(`value of ${name} is not a valid date`, name);
      return forms.dateTimesAsEpochMs ? d.getTime() : utcText(d);
    }
    case 'Binary': {
      const u = v instanceof Uint8Array ? v : Buffer.from(String(v));
      return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
    }
  }
}

function decode(forms: StoredForms, type: AttributeType, raw: unknown): AttributeValue {
  if (raw === null || raw === undefined) return null;
  switch (type) {
    case 'String':
    case 'HashedString':
    case 'Enumeration':
      return typeof raw === 'string' ? raw : Buffer.isBuffer(raw) ? raw.toString('utf8') : String(raw);
    case 'Integer':
      return typeof raw === 'number' ? raw : Number(raw);
    case 'Long':
    case 'AutoNumber':
      return typeof raw === 'bigint' ? raw : BigInt(typeof raw === 'number' ? Math.trunc(raw) : String(raw));
    case 'Decimal': {
      if (typeof raw === 'string') return forms.sortableDecimals && SORTABLE.test(raw) ? decodeSortableDecimal(raw) : new Dec(trimDecimals(raw));
      return new Dec(String(raw));
    }
    case 'Boolean':
      if (typeof raw === 'boolean') return raw;
      if (typeof raw === 'string') return raw === '1' || raw === 't' || raw === 'true';
      return Number(raw) !== 0;
    case 'DateTime':
      if (raw instanceof Date) return raw;
      if (typeof raw === 'bigint' || typeof raw === 'number') return new Date(Number(raw));
      return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(String(raw)) ? String(raw) : `${String(raw).replace(' ', 'T')}Z`);
    case 'Binary':
      if (raw instanceof Uint8Array) return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
      return new Uint8Array(Buffer.from(String(raw)));
  }
}

/**
 * Refuses a String longer than its attribute allows, as Mendix does at commit. Counted in
 * characters (code points), as PostgreSQL and MariaDB count them, so that all three databases
 * refuse the same values (SQLite would store anything) with the same message.
 */
function checkLength(name: string, s: string, max: number): string {
  if (s.length <= max) return s; // UTF-16 units are never fewer than code points
  let n = 0;
  for (const _ of s) n++;
  if (n > max) throw new ValueOutOfRangeError(`value of ${name} is ${n} characters long; at most ${max} are allowed`, name);
  return s;
}

export function decodeId(raw: unknown): bigint {
  return typeof raw === 'bigint' ? raw : BigInt(raw as string | number);
}

const SORTABLE = /^-?\d{20}\.\d{8}$/;

/** '50025.25000000' -> '50025.25': the same value, fewer digits for decimal.js to parse. */
function trimDecimals(s: string): string {
  if (s.indexOf('.') < 0 || s.indexOf('e') >= 0 || s.indexOf('E') >= 0) return s;
  let j = s.length;
  while (s.charCodeAt(j - 1) === 48) j--;
  if (s.charCodeAt(j - 1) === 46) j--;
  return j === s.length ? s : s.slice(0, j);
}

function isDecimal(v: unknown): v is Decimal {
  return typeof v === 'object' && v !== null && typeof (v as Decimal).toFixed === 'function' && typeof (v as Decimal).isNegative === 'function';
}

/**
 * `decode` specialised for one database and type, for the hot paths that
 * decode every column of every row (retrieve by ids): the common driver forms
 * are handled first, anything else falls back to `decode`. Same results.
 */
function makeDecoder(forms: StoredForms, type: AttributeType): ValueDecoder {
  let fn: ValueDecoder;
  const slow: ValueDecoder = (raw) => decode(forms, type, raw);
  switch (type) {
    case 'String':
    case 'HashedString':
    case 'Enumeration':
      fn = (raw) => (typeof raw === 'string' ? raw : slow(raw));
      break;
    case 'Integer':
      // SQLite returns every integer as a bigint (safe integers): the same Number(raw) as decodeValue, without the switch.
      fn = (raw) => (typeof raw === 'number' ? raw : typeof raw === 'bigint' ? Number(raw) : slow(raw));
      break;
    case 'Long':
    case 'AutoNumber':
      fn = (raw) => (typeof raw === 'bigint' ? raw : slow(raw));
      break;
    case 'Decimal':
      fn = forms.sortableDecimals
        ? (raw) => (typeof raw === 'string' && raw.length === 29 && raw.charCodeAt(20) === 46 ? plainDecimal(raw) : slow(raw))
        : (raw) => (typeof raw === 'string' ? plainDecimal(raw) : slow(raw));
      break;
    case 'Boolean':
      fn = forms.booleansAsBits
        ? (raw) => (raw === 1 || raw === 1n ? true : raw === 0 || raw === 0n ? false : slow(raw))
        : (raw) => (typeof raw === 'boolean' ? raw : slow(raw));
      break;
    case 'DateTime':
      fn = forms.dateTimesAsEpochMs ? (raw) => (typeof raw === 'bigint' ? new Date(Number(raw)) : slow(raw)) : (raw) => (raw instanceof Date ? raw : slow(raw));
      break;
    default:
      fn = slow;
  }
  return fn;
}

/**
 * `new Dec(text)` for plain decimal text (`-?digits(.digits)?`, what the
 * drivers return, SQLite's sortable form of a non-negative value included:
 * leading and trailing zeros are skipped), without decimal.js's validation
 * regexes and without a string made on the way: one pass over the characters
 * gives the same digits (base 1e7 words), exponent and sign that decimal.js
 * 10's own parser (parseDecimal) gives, on an object of the same class.
 * Reads are dominated by this per Decimal column per row. Anything else goes
 * to `new Dec`.
 */
export function plainDecimal(text: string): Decimal {
  const n = text.length;
  const neg = text.charCodeAt(0) === 45;
  const start = neg ? 1 : 0;
  if (n === start) return new Dec(text);
  let point = -1;
  let first = -1;
  let last = -1;
  for (let k = start; k < n; k++) {
    const c = text.charCodeAt(k);
    if (c === 46) {
      if (point >= 0 || k === start || k === n - 1) return new Dec(text);
      point = k;
    } else if (c < 48 || c > 57) return new Dec(text);
    else if (c !== 48) {
      if (first < 0) first = k;
      last = k;
    }
  }
  const sign = neg ? -1 : 1;
  if (first < 0) return new DecimalOf(sign, 0, [0]);
  if (point < 0) point = n;
  // The exponent of the first significant digit; the first word holds the
  // digits down to the next exponent divisible by 7 (decimal.js's alignment).
  const e = first < point ? point - first - 1 : point - first;
  let size = (e + 1) % LOG_BASE;
  if (e < 0) size += LOG_BASE;
  if (size === 0) size = LOG_BASE;
  const d: number[] = [];
  let word = 0;
  let count = 0;
  for (let k = first; k <= last; k++) {
    const c = text.charCodeAt(k);
    if (c === 46) continue;
    word = word * 10 + (c - 48);
    if (++count === size) {
      d.push(word);
      word = 0;
      count = 0;
      size = LOG_BASE;
    }
  }
  if (count > 0) d.push(word * POW10[size - count]!);
  return new DecimalOf(sign, e, d);
}

const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000];

/**
 * Makes objects of decimal.js's class from their parts (what its constructor
 * does after parsing): a constructor function sharing Decimal's prototype, so
 * that `instanceof Decimal` holds and every method works.
 */
const DecimalOf = function DecimalOf(this: DecimalFields, s: number, e: number, d: number[]) {
  this.constructor = Dec;
  this.s = s;
  this.e = e;
  this.d = d;
} as unknown as new (
  s: number,
  e: number,
  d: number[],
) => Decimal;
(DecimalOf as unknown as { prototype: object }).prototype = Dec.prototype;

/** decimal.js 10's representation: sign, base-10 exponent, digits in base 1e7 words. */
interface DecimalFields {
  constructor: typeof Dec;
  s: number;
  e: number;
  d: number[];
}
const LOG_BASE = 7;

/** `encode` for one database, type and attribute name (for messages), chosen once per column. */
function makeEncoder(forms: StoredForms, type: AttributeType, name: string, maxLength: number): ValueEncoder {
  switch (type) {
    case 'String':
      if (maxLength > 0) return (v) => (typeof v === 'string' && v.length <= maxLength ? v : encode(forms, type, name, v, maxLength));
      return (v) => (typeof v === 'string' ? v : encode(forms, type, name, v, 0));
    case 'HashedString':
    case 'Enumeration':
      return (v) => (typeof v === 'string' ? v : encode(forms, type, name, v, 0));
    case 'Integer':
      return (v) => (typeof v === 'number' && (v | 0) === v ? v : encode(forms, type, name, v, 0));
    case 'Boolean':
      return forms.booleansAsBits ? (v) => (v === true ? 1 : v === false ? 0 : encode(forms, type, name, v, 0)) : (v) => encode(forms, type, name, v, 0);
    case 'DateTime': {
      if (forms.dateTimesAsEpochMs) return (v) => (v instanceof Date && !Number.isNaN(v.getTime()) ? v.getTime() : encode(forms, type, name, v, 0));
      const general: ValueEncoder = (v) => encode(forms, type, name, v, 0);
      return forms.dateTimeEncoder ? forms.dateTimeEncoder(general) : general;
    }
    case 'Decimal':
      // decimal.js's own class (every Decimal Kiln makes): one toFixed in the common case; all else the general path.
      return forms.sortableDecimals
        ? (v) => (v instanceof Dec ? sortableDecimalFast(v) : undefined) ?? encode(forms, type, name, v, 0)
        : (v) => (v instanceof Dec ? plainDecimalFast(v) : undefined) ?? encode(forms, type, name, v, 0);
    default:
      return (v) => encode(forms, type, name, v, 0);
  }
}
