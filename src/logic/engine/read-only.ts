import type { CMappingNode } from '../../model/compiled/mappings.js';
import type { CompiledModel } from '../../model/compiled/types.js';

/** Activities that never write to the database (nor run app code that might). */
const READING = new Set([
  'retrieve',
  'change', // without commit: only the object in memory (checked below)
  'decision',
  'loop',
  'while',
  'break',
  'continue',
  'aggregate',
  'listOperation',
  'changeList',
  'createList',
  'createVariable',
  'changeVariable',
  'log',
  'showMessage',
  'validationFeedback',
  'error',
  'return',
]);

const cache = new WeakMap<CompiledModel, Map<string, boolean>>();

/**
 * Whether a microflow provably only reads: none of its activities (nor those
 * of the microflows it calls) commits, deletes, rolls back, creates a
 * persistable object (its event handlers could write), runs a TypeScript
 * action or a call whose answer an import mapping commits, nor uses a mapping
 * whose converter microflow writes. Such a microflow
 * can run outside a database transaction (published GETs do: no BEGIN and
 * COMMIT round trips, no connection held for the request). Unknown shapes
 * count as writing.
 */
export function isReadOnly(model: CompiledModel, name: string): boolean {
  let byName = cache.get(model);
  if (!byName) {
    byName = new Map();
    cache.set(model, byName);
  }
  const known = byName.get(name);
  if (known !== undefined) return known;
  byName.set(name, false); // a recursive call is not proven read-only
  const mf = model.microflows.get(name);
  const result = mf !== undefined && body(model, mf.module, mf.def.body);
  byName.set(name, result);
  return result;
}

/** Whether every converter microflow of a mapping only reads (a mapping without converters does; an unknown one does not). */
export function mappingIsReadOnly(model: CompiledModel, name: string): boolean {
  const mapping = model.mappings?.get(name);
  if (!mapping) return false;
  const level = (n: CMappingNode): boolean =>
    n.attributes.every((a) => !a.convert || isReadOnly(model, a.convert.microflow)) && n.children.every((c) => level(c.node));
  return level(mapping.root);
}

function body(model: CompiledModel, module: string, activities: unknown): boolean {
  if (activities === undefined) return true;
  if (!Array.isArray(activities)) return false;
  return activities.every((a) => activity(model, module, a));
}

function activity(model: CompiledModel, module: string, a: unknown): boolean {
  if (!a || typeof a !== 'object') return false;
  const rec = a as Record<string, unknown>;
  const onError = rec.onError;
  if (onError && typeof onError === 'object') {
    const h = onError as Record<string, unknown>;
    if (!body(model, module, h.customWithRollback ?? h.customWithoutRollback)) return false;
  }
  const keys = Object.keys(rec).filter((k) => k !== 'onError' && k !== 'caption');
  if (keys.length !== 1) return false;
  const key = keys[0]!;
  const d = rec[key] as Record<string, unknown> | undefined;
  switch (key) {
    case 'call': {
      const target = typeof d?.microflow === 'string' ? d.microflow : '';
      return isReadOnly(model, target.includes('.') ? target : `${module}.${target}`);
    }
    case 'create': {
      const e = typeof d?.entity === 'string' ? d.entity : '';
      const entity = model.entities.get(e.includes('.') ? e : `${module}.${e}`);
      return entity !== undefined && !entity.persistable && !d?.commit;
    }
    case 'callRest': {
      const q = (m: unknown) => (String(m).includes('.') ? String(m) : `${module}.${String(m)}`);
      const x = d?.exportMapping;
      if (x && typeof x === 'object' && !mappingIsReadOnly(model, q((x as { mapping?: unknown }).mapping))) return false;
      const r = d?.response;
      if (r && typeof r === 'object' && 'importMapping' in r) {
        const m = q((r as { importMapping: unknown }).importMapping);
        return model.mappings?.get(m)?.commit === false && mappingIsReadOnly(model, m);
      }
      return true;
    }
    case 'change':
      return !d?.commit;
    case 'decision':
      return (
        body(model, module, d?.then) &&
        body(model, module, d?.else) &&
        Object.values((d?.cases as Record<string, unknown>) ?? {}).every((b) => body(model, module, b))
      );
    case 'loop':
    case 'while':
      return body(model, module, d?.body);
    default:
      return READING.has(key);
  }
}
