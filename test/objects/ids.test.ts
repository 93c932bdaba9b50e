import { describe, expect, it } from 'vitest';
import { createMxObject, createMxObjectFromRow, guidOf, withKnownId } from '../../src/objects/mx-object.js';
import { guidToId, isCanonicalGuid } from '../../src/objects/values.js';

describe('object ids as text', () => {
  it('knows the text an id is written as', () => {
    for (const s of ['0', '7', '281474976710657', '18446744073709551615']) expect(isCanonicalGuid(s)).toBe(true);
    for (const s of ['', '007', '-1', '+1', '1 ', ' 1', '1e3', '0x10', '１２', '12a']) expect(isCanonicalGuid(s)).toBe(false);
  });

  it('keeps the driver text of a row id as the guid and reads the id from it when asked', () => {
    const o = createMxObjectFromRow('M.E', '281474976710657', []);
    expect(guidOf(o)).toBe('281474976710657');
    expect(o.id).toBe(281474976710657n);
    expect(o.state).toBe('persisted');
  });

  it('reads any other row id text at once, as the id decoder does (and refuses what it refuses)', () => {
    expect(createMxObjectFromRow('M.E', '007', []).id).toBe(7n);
    expect(guidOf(createMxObjectFromRow('M.E', '007', []))).toBe('7');
    expect(() => createMxObjectFromRow('M.E', '12a', [])).toThrow(SyntaxError);
  });

  it('writes the id of an object made with one as its decimal text', () => {
    expect(guidOf(createMxObject('M.E', 2n ** 60n, 'new'))).toBe(String(2n ** 60n));
  });

  it('reads a guid of 1 to 20 ASCII digits as its id and refuses anything else', () => {
    for (const s of ['0', '007', '281474976710657', '18446744073709551615', '99999999999999999999']) expect(guidToId(s)).toBe(BigInt(s));
    for (const s of ['', '123456789012345678901', '-1', '+1', '1 ', ' 1', '1e3', '0x10', '１２', '12a', '1\n'])
      expect(() => guidToId(s)).toThrow(`invalid object id '${s}'`);
  });

  it('takes a known id for a row object only when it was read with that same text', () => {
    const o = createMxObjectFromRow('M.E', '281474976710657', []);
    withKnownId(o, '281474976710658', 1n);
    expect(o.id).toBe(281474976710657n);
    const p = createMxObjectFromRow('M.E', '281474976710657', []);
    const id = guidToId('281474976710657');
    withKnownId(p, '281474976710657', id);
    expect(p.id).toBe(id);
    expect(guidOf(p)).toBe('281474976710657');
    const q = createMxObject('M.E', 5n, 'persisted');
    withKnownId(q, '5', 6n);
    expect(q.id).toBe(5n);
  });
});
