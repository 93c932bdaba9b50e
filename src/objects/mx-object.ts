import type { AssociationValue, AttributeValue, ObjectId } from './values.js';

/**
 * An object of an entity in memory during one request. `values` holds attribute
 * values by attribute name; `references` holds association values by qualified
 * association name (only associations the object's entity owns, i.e. is the parent of).
 * `changed` names the members set since the object was loaded or created, so a
 * commit writes only those columns.
 */
export interface MxObject {
  /** Qualified name of the object's concrete entity. */
  readonly entity: string;
  readonly id: ObjectId;
  /** new: not yet in the database (INSERT on commit); persisted: loaded from it (UPDATE). */
  state: 'new' | 'persisted';
  readonly values: Map<string, AttributeValue>;
  readonly references: Map<string, AssociationValue>;
  /** Attribute names and association names changed since load / create. */
  readonly changed: Set<string>;
}

export function createMxObject(entity: string, id: ObjectId, state: MxObject['state']): MxObject {
  return { entity, id, state, values: new Map(), references: new Map(), changed: new Set() };
}

export function setValue(obj: MxObject, attribute: string, value: AttributeValue): void {
  obj.values.set(attribute, value);
  obj.changed.add(attribute);
}

export function setReference(obj: MxObject, association: string, value: AssociationValue): void {
  obj.references.set(association, value);
  obj.changed.add(association);
}
