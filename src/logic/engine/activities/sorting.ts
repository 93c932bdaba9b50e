import { Decimal } from 'decimal.js';
import type { CEntity } from '../../../model/compiled/types.js';
import type { MxObject } from '../../../objects/mx-object.js';
import { ExactDecimal, type Value } from '../../expressions/runtime.js';
import type { MicroflowCompiler, Path } from '../compiler.js';

/** Sort specifications and value comparison for retrieves and list operations. */
export function sortSpec(c: MicroflowCompiler, entity: CEntity | undefined, sort: unknown, path: Path): { attribute: string; descending: boolean }[] {
  if (sort === undefined) return [];
  if (!Array.isArray(sort)) {
    c.error(path, 'sort is a list of "Attribute [asc|desc]"');
    return [];
  }
  const out: { attribute: string; descending: boolean }[] = [];
  sort.forEach((s, i) => {
    const m = typeof s === 'string' ? /^\s*([A-Za-z_][\w.]*)\s*(asc|desc)?\s*$/i.exec(s) : null;
    if (!m) {
      c.error([...path, i], 'expected "Attribute", "Attribute asc" or "Attribute desc"');
      return;
    }
    if (entity && !entity.attributes.has(m[1]!)) {
      c.error([...path, i], `entity ${entity.name} has no attribute '${m[1]}'`);
      return;
    }
    out.push({ attribute: m[1]!, descending: (m[2] ?? '').toLowerCase() === 'desc' });
  });
  return out;
}

export function compareValues(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : 1;
  if (a instanceof Decimal || b instanceof Decimal) return new ExactDecimal(a as never).cmp(new ExactDecimal(b as never));
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (typeof a === 'boolean') return a === b ? 0 : a ? 1 : -1;
  return String(a).localeCompare(String(b));
}

export function sortObjects(list: readonly MxObject[], spec: readonly { attribute: string; descending: boolean }[]): MxObject[] {
  return [...list].sort((x, y) => {
    for (const s of spec) {
      const d = compareValues(x.values.get(s.attribute) ?? null, y.values.get(s.attribute) ?? null);
      if (d !== 0) return s.descending ? -d : d;
    }
    return 0;
  });
}

export function valuesEqual(a: Value, b: Value): boolean {
  return compareValues(a, b) === 0;
}
