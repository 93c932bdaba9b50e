import type { Decimal } from 'decimal.js';

/**
 * The in-memory value of an attribute, by attribute type. Chosen so that no
 * value ever passes through binary floating point or loses 64-bit precision:
 *
 * | type                | value            |
 * | ------------------- | ---------------- |
 * | String, HashedString, Enumeration (key) | string |
 * | Integer             | number (32-bit)  |
 * | Long, AutoNumber    | bigint           |
 * | Decimal             | Decimal (decimal.js) |
 * | Boolean             | boolean          |
 * | DateTime            | Date (UTC instant, millisecond precision) |
 * | Binary              | Uint8Array       |
 *
 * `null` is empty for every type.
 */
export type AttributeValue = string | number | bigint | Decimal | boolean | Date | Uint8Array | null;

/** A Reference holds one id or null; a ReferenceSet a list of ids. */
export type AssociationValue = bigint | null | readonly bigint[];

/** Object ids: entity short id in the upper 16 bits, a sequence in the lower 48. */
export type ObjectId = bigint;

export const ID_SEQUENCE_BITS = 48n;

export function makeId(shortId: number, sequence: bigint): ObjectId {
  return (BigInt(shortId) << ID_SEQUENCE_BITS) | sequence;
}

/** Ids travel as decimal strings in JSON ("guid"), never as numbers. */
export function idToGuid(id: ObjectId): string {
  return id.toString();
}

/**
 * Whether `s` is an id's text exactly as `idToGuid` writes it (decimal digits, no sign, no
 * leading zero): such text and the id it reads as are interchangeable.
 */
export function isCanonicalGuid(s: string): boolean {
  const n = s.length;
  if (n === 0 || (n > 1 && s.charCodeAt(0) === 48)) return false;
  return allDigits(s);
}

/** Whether every char of `s` is an ASCII digit. */
function allDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** `/^\d{1,20}$/` written out (asked per object id of every request): 1 to 20 ASCII digits. */
function isDigits(s: string): boolean {
  // Whatever else a caller typed as text is tested as the pattern tests it (as its String()).
  if (typeof s !== 'string') return /^\d{1,20}$/.test(s);
  const n = s.length;
  if (n === 0 || n > 20) return false;
  return allDigits(s);
}

export function guidToId(guid: string): ObjectId {
  if (!isDigits(guid)) throw new Error(`invalid object id '${guid}'`);
  return BigInt(guid);
}
