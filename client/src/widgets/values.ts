import type { Guid, WireValue } from '../api/types';
import type { ObjectStore } from '../store/object-store';

/**
 * The value of an attribute or of a path over a reference
 * (`Module.Assoc/Module.Entity/Attr`): the referenced object is looked up in the
 * store; a server that flattens the path into the row is read directly.
 */
export function valueAt(store: ObjectStore, guid: Guid, path: string): WireValue | undefined {
  const direct = store.get(guid, path);
  if (direct !== undefined || !path.includes('/')) return direct;
  const parts = path.split('/');
  let current: Guid | undefined = guid;
  for (let i = 0; i < parts.length - 1 && current; i += 2) {
    const ref = store.get(current, parts[i]!);
    current = typeof ref === 'string' && ref !== '' ? ref : undefined;
  }
  if (current) return store.get(current, parts[parts.length - 1]!);
  return undefined;
}

/**
 * The values of an attribute or of a path whose steps may be reference sets
 * (`Module.Book_Author/Module.Author/Name`): one value per object reached.
 */
export function valuesAt(store: ObjectStore, guid: Guid, path: string): WireValue[] {
  if (!path.includes('/')) {
    const v = store.get(guid, path);
    return v === undefined ? [] : [v];
  }
  const parts = path.split('/');
  let current: Guid[] = [guid];
  for (let i = 0; i < parts.length - 1; i += 2) {
    const next: Guid[] = [];
    for (const g of current) {
      const ref: unknown = store.get(g, parts[i]!);
      if (typeof ref === 'string' && ref !== '') next.push(ref);
      else if (Array.isArray(ref)) for (const r of ref) if (typeof r === 'string' && r !== '') next.push(r);
    }
    current = next;
  }
  const out: WireValue[] = [];
  for (const g of current) {
    const v = store.get(g, parts[parts.length - 1]!);
    if (v !== undefined) out.push(v);
  }
  return out;
}
