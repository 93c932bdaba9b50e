import { Decimal } from 'decimal.js';
import type { CompiledModel } from '../model/compiled/types.js';
import { setReference, setValue, type MxObject } from '../objects/mx-object.js';
import type { AttributeValue } from '../objects/values.js';
import { ExpressionError, isMxObject, type Value } from './expressions/runtime.js';

/**
 * Reading and writing members of objects from TypeScript actions, with the
 * checks an expression gets at compile time done at run time instead: the
 * member must exist and be writable, and the value must fit its type
 * (Decimal from a Decimal, a number or exact decimal text; Long from a
 * bigint or a safe integer; an enumeration key of that enumeration).
 */
export function getMember(model: CompiledModel, o: MxObject, member: string): Value {
  const entity = model.entities.get(o.entity);
  if (entity?.attributes.has(member)) return (o.values.get(member) ?? null) as Value;
  if (model.associations.has(member)) {
    const ref = o.references.get(member);
    return (ref === undefined ? null : ref) as unknown as Value;
  }
  throw new ExpressionError(`entity ${o.entity} has no member '${member}'`);
}

export function setMember(model: CompiledModel, o: MxObject, member: string, value: unknown, track: (o: MxObject) => void): void {
  const entity = model.entities.get(o.entity);
  if (!entity) throw new ExpressionError(`unknown entity ${o.entity}`);
  const assoc = model.associations.get(member);
  if (assoc) {
    // Owned by both ends: settable on the child too, to its parents.
    const other = entity.parentOf.includes(assoc.name) ? assoc.child : entity.alsoOwns?.includes(assoc.name) ? assoc.parent : undefined;
    if (!other) throw new ExpressionError(`${o.entity} does not own ${assoc.name} (its owner is ${assoc.parent}): set it on the owner`);
    const objs = value === null || value === undefined ? [] : Array.isArray(value) ? value : [value];
    for (const x of objs) {
      if (!isMxObject(x as Value) || !model.entities.get((x as MxObject).entity)?.chain.includes(other))
        throw new ExpressionError(`${assoc.name} refers to ${other} objects`);
      track(x as MxObject);
    }
    const ids = (objs as MxObject[]).map((x) => x.id);
    if (assoc.type === 'Reference' && ids.length > 1) throw new ExpressionError(`${assoc.name} is a reference: give one object`);
    setReference(o, assoc.name, assoc.type === 'Reference' ? (ids[0] ?? null) : ids);
    return;
  }
  const attr = entity.attributes.get(member);
  if (!attr) throw new ExpressionError(`entity ${o.entity} has no member '${member}'`);
  if (attr.type === 'AutoNumber' || attr.system) throw new ExpressionError(`${member} is maintained by the runtime and cannot be set`);
  if (attr.calculated) throw new ExpressionError(`${member} is calculated by ${attr.calculated} and cannot be set`);
  setValue(o, attr.name, convert(model, attr.type, attr.enumeration, value, `${o.entity}.${member}`) as AttributeValue);
}

function convert(model: CompiledModel, type: string, enumeration: string | undefined, v: unknown, what: string): Value {
  if (v === null || v === undefined) return null;
  const bad = (): never => {
    throw new ExpressionError(
      `${what} is ${type}: cannot take ${typeof v === 'object' ? ((v as object).constructor?.name ?? 'an object') : `${typeof v} ${String(v)}`}`,
    );
  };
  switch (type) {
    case 'String':
    case 'HashedString':
      return typeof v === 'string' ? v : bad();
    case 'Boolean':
      return typeof v === 'boolean' ? v : bad();
    case 'DateTime':
      return v instanceof Date && !Number.isNaN(v.getTime()) ? v : bad();
    case 'Integer': {
      const n = typeof v === 'bigint' ? Number(v) : v;
      return typeof n === 'number' && Number.isInteger(n) && n >= -2147483648 && n <= 2147483647 ? n : bad();
    }
    case 'Long':
      if (typeof v === 'bigint') return v;
      return typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : bad();
    case 'Decimal':
      if (v instanceof Decimal) return v;
      if (typeof v === 'number' && Number.isFinite(v)) return new Decimal(String(v));
      if (typeof v === 'bigint') return new Decimal(v.toString());
      if (typeof v === 'string' && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v.trim())) return new Decimal(v.trim());
      return bad();
    case 'Enumeration': {
      const e = enumeration ? model.enumerations.get(enumeration) : undefined;
      return typeof v === 'string' && e?.values.some((x) => x.key === v) ? v : bad();
    }
    default:
      return bad();
  }
}
