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

/**
 * The MxObject of `createMxObject`. `references` and `changed` are made on first
 * use: most objects read from the database are never changed, and entities
 * without owned associations never fill `references`; an empty Map or Set
 * costs an allocation of its table, and thousands of them per request show up
 * as garbage-collection time (the data benchmark reads and creates 10,000
 * objects at a time). To every reader they look like the eager collections.
 *
 * Changes made through `setValue`/`setReference` before anyone reads `changed`
 * are kept in a small array of names (in order, without duplicates) instead of
 * a Set: a new object that is created, filled and committed never needs the
 * Set (the commit INSERTs every column). Reading `changed` turns the array into
 * the Set, with the same names in the same order, and from then on the Set is
 * the only record.
 */
class LazyMxObject implements MxObject {
  state: MxObject['state'];
  readonly values = new Map<string, AttributeValue>();
  #references: Map<string, AssociationValue> | undefined = undefined;
  #changed: Set<string> | undefined = undefined;
  #pending: string[] | undefined = undefined;

  constructor(readonly entity: string, readonly id: ObjectId, state: MxObject['state']) {
    this.state = state;
  }

  get references(): Map<string, AssociationValue> {
    return (this.#references ??= new Map());
  }

  get changed(): Set<string> {
    if (this.#changed === undefined) {
      this.#changed = this.#pending === undefined ? new Set() : new Set(this.#pending);
      this.#pending = undefined;
    }
    return this.#changed;
  }

  /** Records a changed member: in the Set once it exists, else in the array (a Set past 16 names, to keep the search short). */
  markChanged(name: string): void {
    if (this.#changed !== undefined) { this.#changed.add(name); return; }
    const p = this.#pending;
    if (p === undefined) { this.#pending = [name]; return; }
    if (p.includes(name)) return;
    if (p.length < 16) p.push(name);
    else { p.push(name); this.#changed = new Set(p); this.#pending = undefined; }
  }

  /** Forgets the changes (after a commit), without making the Set. */
  clearChanges(): void {
    this.#pending = undefined;
    this.#changed?.clear();
  }
}

export function createMxObject(entity: string, id: ObjectId, state: MxObject['state']): MxObject {
  return new LazyMxObject(entity, id, state);
}

export function setValue(obj: MxObject, attribute: string, value: AttributeValue): void {
  obj.values.set(attribute, value);
  if (obj instanceof LazyMxObject) obj.markChanged(attribute);
  else obj.changed.add(attribute);
}

export function setReference(obj: MxObject, association: string, value: AssociationValue): void {
  obj.references.set(association, value);
  if (obj instanceof LazyMxObject) obj.markChanged(association);
  else obj.changed.add(association);
}

/** Clears `changed` after a commit; for objects of `createMxObject` without making an empty Set. */
export function clearChanges(obj: MxObject): void {
  if (obj instanceof LazyMxObject) obj.clearChanges();
  else obj.changed.clear();
}
