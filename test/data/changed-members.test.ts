import { describe, expect, it } from 'vitest';
import { clearChanges, createMxObject, setReference, setValue } from '../../src/objects/mx-object.js';

// An object records the members set on it until a commit forgets them; `changed`
// lists each once, in the order they were first set, however it is kept inside.
describe('the changed members of an object', () => {
  it('lists each member set once, in the order first set', () => {
    const o = createMxObject('M.E', 1n, 'new');
    setValue(o, 'B', 'x'); setValue(o, 'A', 1); setValue(o, 'B', 'y'); setReference(o, 'M.E_F', 2n);
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
});
