import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { clearChanges, createMxObject, setReference, setValue } from '../../src/objects/mx-object.js';

// An object records the members set on it until a commit forgets them; `changed`
// lists each once, in the order they were first set, however it is kept inside.
describe('the changed members of an object', () => {
  it('lists each member set once, in the order first set', () => {
    const o = createMxObject('M.E', 1n, 'new');
    setValue(o, 'B', 'x');
    setValue(o, 'A', 1);
    setValue(o, 'B', 'y');
    setReference(o, 'M.E_F', 2n);
    expect([...o.changed]).toEqual(['B', 'A', 'M.E_F']);
    expect(o.values.get('B')).toBe('y');
    setValue(o, 'C', true);
    o.changed.add('D');
    expect([...o.changed]).toEqual(['B', 'A', 'M.E_F', 'C', 'D']);
  });

  it('keeps the order and drops repeats for many members', () => {
    const o = createMxObject('M.E', 1n, 'persisted');
    const names = Array.from({ length: 40 }, (_, i) => `A${(i * 7) % 40}`);
    for (const n of [...names, ...names]) setValue(o, n, 0);
    expect([...o.changed]).toEqual(names);
  });

  it('is empty after clearChanges, whether or not it was read before', () => {
    const a = createMxObject('M.E', 1n, 'new');
    setValue(a, 'A', 1);
    clearChanges(a);
    expect(a.changed.size).toBe(0);
    const b = createMxObject('M.E', 2n, 'new');
    setValue(b, 'A', 1);
    expect(b.changed.has('A')).toBe(true);
    clearChanges(b);
    expect(b.changed.size).toBe(0);
    setValue(b, 'C', 1);
    expect([...b.changed]).toEqual(['C']);
  });

  it('lists any mix of attributes and associations, set and cleared in any order, as first set', () => {
    // Forty names: more than the bits that record changes in slot order, so every way out of them is taken.
    const member = fc.oneof(
      fc.integer({ min: 0, max: 39 }).map((i) => ['value', `V${i}`] as const),
      fc.constantFrom(['ref', 'M.R_1'] as const, ['ref', 'M.R_2'] as const),
    );
    const step = fc.oneof(
      { arbitrary: member, weight: 8 },
      { arbitrary: fc.constant(['clear', ''] as const), weight: 1 },
      { arbitrary: fc.constant(['read', ''] as const), weight: 1 },
    );
    let n = 0;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 39 }), { maxLength: 20 }), fc.array(step, { maxLength: 60 }), (teach, steps) => {
        const entity = `M.Changes${n++ % 7}`;
        const other = createMxObject(entity, 1n, 'new'); // gives the entity's slots an order of its own
        for (const i of teach) setValue(other, `V${i}`, i);
        const o = createMxObject(entity, 2n, 'persisted');
        let expected: string[] = [];
        for (const [kind, name] of steps) {
          if (kind === 'value') setValue(o, name, 1);
          else if (kind === 'ref') setReference(o, name, 3n);
          else if (kind === 'clear') {
            clearChanges(o);
            expected = [];
            continue;
          } else {
            expect([...o.changed]).toEqual(expected);
            continue;
          }
          if (!expected.includes(name)) expected.push(name);
        }
        expect([...o.changed]).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });
});
