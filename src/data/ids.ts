import type { CAttribute } from '../model/compiled/types.js';
import type { ObjectId } from '../objects/values.js';

/**
 * Hands out object ids (entity short id << 48 | sequence) and AutoNumber
 * values from blocks reserved in the database, so that many instances never
 * collide and creating an object needs no round trip of its own.
 */
export interface IdGenerator {
  /** A new id for an object of the (concrete, persistable) entity. */
  nextId(entity: string): Promise<ObjectId>;
  /** The next id when the current block has one left, without waiting; undefined when a block must be reserved first. */
  nextIdNow(entity: string): ObjectId | undefined;
  /** The next value of an AutoNumber attribute. */
  nextAutoNumber(attr: CAttribute): Promise<bigint>;
  /** The concrete entity an id belongs to (from its short id), undefined when unknown. */
  entityOf(id: ObjectId): string | undefined;
  shortIdOf(entity: string): number | undefined;
}
