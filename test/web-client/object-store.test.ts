import { describe, expect, it } from 'vitest';
import { ObjectStore } from '../../client/src/store/object-store.js';

const emp = (guid: string, first: string, hash?: string) => ({
  objectType: 'MyFirstModule.Employee',
  guid,
  attributes: { Firstname: { value: first }, Lastname: { value: 'Jones' } },
  ...(hash ? { hash } : {}),
});

describe('client object store', () => {
  it('reuses what a retrieve brought and sends only the changes of an existing object (seed 004, 4.3)', () => {
    const s = new ObjectStore();
    s.ingest({ partialObjects: [emp('11540474045137256', 'Elisa')] });
    expect(s.get('11540474045137256', 'Firstname')).toBe('Elisa');
    s.set('11540474045137256', 'Firstname', 'Ellie');
    expect(s.get('11540474045137256', 'Firstname')).toBe('Ellie');
    expect(s.stateOf(['11540474045137256'])).toEqual({ objects: [], changes: { '11540474045137256': { Firstname: { value: 'Ellie' } } } });
    s.ingest({ commits: ['11540474045137256'] });
    expect(s.get('11540474045137256', 'Firstname')).toBe('Ellie');
    expect(s.isDirty('11540474045137256')).toBe(false);
    expect(s.stateOf(['11540474045137256'])).toEqual({ objects: [], changes: {} });
  });

  it('sends a new object with its signature and original values, plus the changes (seed 004, 4.2)', () => {
    const s = new ObjectStore();
    s.ingest(
      { objects: [{ objectType: 'MyFirstModule.Employee', guid: '11540474045150458', attributes: { Firstname: { value: null } }, hash: 'r6PD' }] },
      { created: true },
    );
    s.set('11540474045150458', 'Firstname', 'Peter');
    expect(s.stateOf(['11540474045150458'])).toEqual({
      objects: [{ objectType: 'MyFirstModule.Employee', guid: '11540474045150458', attributes: { Firstname: { value: null } }, hash: 'r6PD' }],
      changes: { '11540474045150458': { Firstname: { value: 'Peter' } } },
    });
    expect(s.dirtyGuids()).toEqual(['11540474045150458']);
    s.discard('11540474045150458');
    expect(s.has('11540474045150458')).toBe(false);
  });

  it('tells lists of the entity to reload after commits and deletes', () => {
    const s = new ObjectStore();
    const seen: string[][] = [];
    s.onRefresh((e) => seen.push([...e]));
    s.ingest({ partialObjects: [emp('1', 'A'), emp('2', 'B')] });
    s.ingest({ deletes: ['2'] });
    expect(s.has('2')).toBe(false);
    expect(seen).toEqual([['MyFirstModule.Employee']]);
  });
});
