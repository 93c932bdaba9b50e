import type { CAttribute } from '../../model/compiled/types.js';
import type { Dialect } from '../../data/dialects/dialect.js';
import type { AttributeValue } from '../../objects/values.js';
import { fromDbValue, idFromDb } from '../../data/values.js';

/** A column value as the driver returned it, to the in-memory AttributeValue (the data layer's codecs). */
export function decodeValue(dialect: Dialect, attr: Pick<CAttribute, 'type'>, raw: unknown): AttributeValue {
  return fromDbValue(dialect, attr, raw);
}

export function decodeId(raw: unknown): bigint {
  if (typeof raw === 'number' && !Number.isSafeInteger(raw)) throw new Error(`object id ${raw} lost precision in the driver`);
  return idFromDb(raw);
}
