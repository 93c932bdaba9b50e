import type { CAttribute } from '../model/compiled/types.js';
import type { AttributeValue, ObjectId } from '../objects/values.js';
import { decodeId } from './dialects/value-codecs.js';
import type { Dialect } from './dialects/dialect.js';

/**
 * The value to bind for an attribute (in a WHERE clause as well as in a
 * write): exact for every type on every database. See dialects/value-codecs.ts
 * for the storage of each type. Throws ValueOutOfRangeError when the value does
 * not fit its column (Integer beyond 32 bits, Decimal beyond 20 integer digits).
 */
export function toDbValue(dialect: Dialect, attr: Pick<CAttribute, 'type' | 'qualifiedName'>, v: AttributeValue): unknown {
  return dialect.values.encodeValue(attr.type, attr.qualifiedName, v);
}

/** The in-memory value (src/objects/values.ts) of a column value as the driver returned it. */
export function fromDbValue(dialect: Dialect, attr: Pick<CAttribute, 'type'>, raw: unknown): AttributeValue {
  return dialect.values.decodeValue(attr.type, raw);
}

/** An object id (or any BIGINT, e.g. an association column) to bind. */
export function idToDb(dialect: Dialect, id: ObjectId): unknown {
  return dialect.values.encodeId(id);
}

/** An id column as returned by the driver (bigint on SQLite, text on the others) to a bigint. */
export function idFromDb(raw: unknown): ObjectId {
  return decodeId(raw);
}
