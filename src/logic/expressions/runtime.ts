import { javaDateString } from './dates.js';
import { Decimal } from 'decimal.js';
import type { CompiledModel } from '../../model/compiled/types.js';
import { isCreatedMxObject, type MxObject } from '../../objects/mx-object.js';
import type { AttributeValue } from '../../objects/values.js';

/** A value during evaluation: an attribute value, an object, or a list of objects. Enumeration values are their keys. */
export type Value = AttributeValue | MxObject | readonly MxObject[];

/**
 * Exact arithmetic for + - * (Mendix uses unbounded BigDecimal there) and
 * Java's DECIMAL128 (34 significant digits, half-even) for division.
 * Clones share decimal.js's prototype, so their values are `Decimal` instances.
 */
export const ExactDecimal = Decimal.clone({ precision: 1000, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -1000, toExpPos: 1000 });
export const Decimal34 = Decimal.clone({ precision: 34, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -1000, toExpPos: 1000 });

/** An error raised while evaluating: becomes a microflow error ($latestError/Message). */
export class ExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpressionError';
  }
}

/** What an expression may ask of the runtime while evaluating. */
export interface EvalContext {
  readonly model: CompiledModel;
  /** IANA time zone of the user (non-UTC date functions, tokens). */
  readonly timeZone: string;
  /** The request's current time. */
  now(): Date;
  /** Objects reached over an association; served from the request's object cache (filled by prefetch). */
  follow(obj: MxObject, association: string): MxObject | readonly MxObject[] | null;
  /** Round half-even instead of half away from zero (app setting `roundingMode: HalfEven`). */
  readonly roundHalfEven: boolean;
}

/** One evaluation's variables: `vars` by slot (decided at compile time), `ctx` the runtime. */
export interface Frame {
  readonly vars: Value[];
  readonly ctx: EvalContext;
}

export type Evaluator = (f: Frame) => Value;

export function isMxObject(v: unknown): v is MxObject {
  // Objects of createMxObject are recognised without making their values' Map view.
  if (isCreatedMxObject(v)) return true;
  return typeof v === 'object' && v !== null && (v as MxObject).values instanceof Map && typeof (v as MxObject).id === 'bigint';
}

export function toDecimal(v: Value): Decimal {
  if (v instanceof Decimal) return v;
  if (typeof v === 'number' || typeof v === 'bigint') return new ExactDecimal(v.toString());
  throw new ExpressionError(`expected a number, got ${describe(v)}`);
}

export function toBigInt(v: Value): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(v);
  throw new ExpressionError(`expected an integer, got ${describe(v)}`);
}

function describe(v: Value): string {
  if (v === null) return 'empty';
  if (isMxObject(v)) return `an object of ${v.entity}`;
  if (Array.isArray(v)) return 'a list';
  return `'${String(v)}'`;
}

/** The text form of a value as `toString` and string concatenation give it. */
/** The text of a value, as toString, concatenation and message templates show it; dates in `zone` (ISO 8601 UTC without one). */
export function valueToString(v: Value, zone?: string): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v instanceof Decimal) return decimalToString(v);
  if (v instanceof Date) return zone ? javaDateString(v, zone) : v.toISOString();
  if (isMxObject(v)) return v.id.toString();
  if (v instanceof Uint8Array) return `[${v.length} bytes]`;
  return `[list of ${(v as readonly MxObject[]).length}]`;
}

/** Plain notation (never exponent), like Java's BigDecimal.toPlainString. */
function decimalToString(d: Decimal): string {
  return d.toFixed();
}

/** A checked Integer result: JS numbers are exact only up to 2^53. */
export function checkInteger(n: number): number {
  if (!Number.isSafeInteger(n)) throw new ExpressionError(`integer overflow: ${n} is out of range (use Long or Decimal)`);
  return n;
}
