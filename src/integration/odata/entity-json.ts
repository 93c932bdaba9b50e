import type { CompiledModel, MemberRight } from '../../model/compiled/types.js';
import type { CODataSet } from '../../model/compiled/odata-services.js';
import type { MxObject } from '../../objects/mx-object.js';
import { valueToJsonText } from '../json-values.js';

export interface WriteOptions {
  /** `IEEE754Compatible=true` was asked for: Edm.Int64 and Edm.Decimal as JSON strings. */
  readonly ieee754: boolean;
}

/**
 * An entity's JSON members (without braces), OData v4 JSON with minimal
 * metadata: `ID`, then the selected properties the caller may read on this
 * object. DateTimeOffset as ISO 8601 in UTC, enumerations by member name, Int64
 * and Decimal exact (as digits, or strings with IEEE754Compatible=true).
 */
export function entityParts(
  model: CompiledModel,
  set: CODataSet,
  obj: MxObject,
  rights: ReadonlyMap<string, MemberRight> | 'all',
  selected: readonly string[],
  write: WriteOptions,
): string[] {
  const entity = model.entities.get(obj.entity) ?? model.entities.get(set.entity)!;
  const parts = [`"ID":${write.ieee754 ? `"${obj.id}"` : obj.id.toString()}`];
  for (const name of selected) {
    if (rights !== 'all' && (rights.get(name) ?? 'None') === 'None') continue;
    const attr = entity.attributes.get(name);
    if (!attr) continue;
    let text = valueToJsonText(attr, obj.values.get(name));
    if (text === undefined) continue;
    if (write.ieee754 && text !== 'null' && (attr.type === 'Long' || attr.type === 'AutoNumber' || attr.type === 'Decimal')) text = `"${text}"`;
    parts.push(`${JSON.stringify(name)}:${text}`);
  }
  return parts;
}
