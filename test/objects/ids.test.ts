import { describe, expect, it } from 'vitest';
import { createMxObject, createMxObjectFromRow, guidOf } from '../../src/objects/mx-object.js';
import { isCanonicalGuid } from '../../src/objects/values.js';

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
});
