import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createMxObject } from '../../src/objects/mx-object.js';
import { Shape, SlotMap } from '../../src/objects/slot-map.js';
import type { AttributeValue } from '../../src/objects/values.js';

// An object's values live in slots shared per entity, not in a Map of its own;
// to every reader and writer they must behave as the Map they stand for.
type Op = ['set', string, AttributeValue | undefined] | ['delete', string] | ['clear'];

const names = fc.constantFrom('Name', 'Amount', 'When', 'Active', 'Code', 'Other');
const values = fc.oneof(fc.constant(null), fc.constant(undefined), fc.string(), fc.integer(), fc.boolean(), fc.bigInt());
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.tuple(fc.constant('set' as const), names, values), weight: 6 },
  { arbitrary: fc.tuple(fc.constant('delete' as const), names), weight: 2 },
  { arbitrary: fc.tuple(fc.constant('clear' as const)), weight: 1 },
);

function apply(m: Map<string, AttributeValue>, o: Op): unknown {
  if (o[0] === 'set') return m.set(o[1], o[2] as AttributeValue) === m;
  if (o[0] === 'delete') return m.delete(o[1]);
  return m.clear();
}

const sorted = (m: Map<string, AttributeValue>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1));

describe('the values of an object', () => {
  it('answer get, has, size, delete and iteration as a Map does', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), fc.array(op, { maxLength: 10 }), (ops, otherOps) => {
        const shape = new Shape();
        const slots = new SlotMap(shape);
        const other = new SlotMap(shape); // another object of the entity, teaching the shape names in its own order
        const map = new Map<string, AttributeValue>();
        for (const o of otherOps) apply(other, o);
        for (const o of ops) expect(apply(slots, o)).toEqual(apply(map, o));
        expect(slots.size).toBe(map.size);
        for (const n of ['Name', 'Amount', 'When', 'Active', 'Code', 'Other', 'Unknown']) {
          expect(slots.has(n)).toBe(map.has(n));
          expect(slots.get(n)).toBe(map.get(n));
        }
        expect(sorted(slots)).toEqual(sorted(map));
        expect([...slots.keys()].sort()).toEqual([...map.keys()].sort());
        expect([...slots.values()].length).toBe(map.size);
        const seen: [string, unknown][] = [];
        slots.forEach((v, k, m) => {
          expect(m).toBe(slots);
          seen.push([k, v]);
        });
        expect(seen.sort(([a], [b]) => (a < b ? -1 : 1))).toEqual(sorted(map));
      }),
      { numRuns: 500 },
    );
  });

  it('iterate in the order the entity first got each name, and copy into a Map', () => {
    const a = createMxObject('T.Slots', 1n, 'new');
    a.values.set('First', 1).set('Second', 2).set('Third', 3);
    const b = createMxObject('T.Slots', 2n, 'new');
    b.values.set('Third', 'c').set('First', 'a');
    expect([...b.values.keys()]).toEqual(['First', 'Third']);
    expect(new Map(b.values)).toEqual(
      new Map([
        ['First', 'a'],
        ['Third', 'c'],
      ]),
    );
    expect(Object.fromEntries(a.values)).toEqual({ First: 1, Second: 2, Third: 3 });
    expect(Object.prototype.toString.call(a.values)).toBe('[object Map]');
  });

  it('keep names past the slots an entity may have in a Map of their own', () => {
    const o = createMxObject('T.Many', 1n, 'new');
    for (let i = 0; i < 300; i++) o.values.set(`A${i}`, i);
    expect(o.values.size).toBe(300);
    expect(o.values.get('A299')).toBe(299);
    expect(o.values.delete('A299')).toBe(true);
    expect(o.values.has('A299')).toBe(false);
    expect([...o.values.keys()]).toHaveLength(299);
  });
});
