import type { AssociationValue, AttributeValue, ObjectId } from './values.js';
import { SlotMap, SlotStore, shapeOf } from './slot-map.js';

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
 * The MxObject of `createMxObject`. `values` keeps the attribute values in the
 * slots of the entity's shape (src/objects/slot-map.ts). `references` and
 * `changed` are made on first use: most objects read from the database are
 * never changed, and entities without owned associations never fill
 * `references`; an empty Map or Set costs an allocation of its table, and
 * thousands of them per request show up as garbage-collection time (the data
 * benchmark reads and creates 10,000 objects at a time). To every reader they
 * look like the eager collections.
 *
 * Changes made through `setValue`/`setReference` before anyone reads `changed`
 * are recorded without a Set: attributes set in ascending slot order (as a new
 * object is filled, in the model's order) as bits of a number; anything else
 * (an association, a slot out of order, a slot past 30) moves the record to a
 * small array of names (in order, without duplicates). Reading `changed` turns
 * either into the Set, with the same names in the order first set, and from
 * then on the Set is the only record.
 */
class LazyMxObject extends SlotStore implements MxObject {
  state: MxObject['state'];
  #values: SlotMap | undefined = undefined;
  #references: Map<string, AssociationValue> | undefined = undefined;
  #changed: Set<string> | undefined = undefined;
  #pending: string[] | undefined = undefined;
  /** Bit i: slot i of the values changed; only while `#pending` and `#changed` are undefined. */
  #bits = 0;
  /** The highest slot in `#bits`; a lower new one would break the order. */
  #top = -1;

  constructor(readonly entity: string, readonly id: ObjectId, state: MxObject['state'], slots?: unknown[], filled = 0) {
    super(shapeOf(entity), slots, filled);
    this.state = state;
  }

  /** The values as a Map: a view of this object's slots, made on first use. */
  get values(): Map<string, AttributeValue> {
    return (this.#values ??= new SlotMap(this));
  }

  get references(): Map<string, AssociationValue> {
    return (this.#references ??= new Map());
  }

  get changed(): Set<string> {
    if (this.#changed === undefined) {
      this.#changed = new Set(this.#pending ?? this.#bitNames());
      this.#pending = undefined;
      this.#bits = 0;
    }
    return this.#changed;
  }

  /** Records a changed member (`slot`: its slot in the values, -1 for any other member). */
  markChanged(name: string, slot = -1): void {
    if (this.#changed !== undefined) { this.#changed.add(name); return; }
    let p = this.#pending;
    if (p === undefined) {
      if (slot >= 0 && slot < 31) {
        const bit = 1 << slot;
        if (this.#bits & bit) return;
        if (slot > this.#top) { this.#bits |= bit; this.#top = slot; return; }
      }
      p = this.#pending = this.#bitNames();
      this.#bits = 0;
    }
    if (p.includes(name)) return;
    // A Set past 16 names, to keep the search short.
    if (p.length < 16) p.push(name);
    else { p.push(name); this.#changed = new Set(p); this.#pending = undefined; }
  }

  /** Whether `name` changed, without making the Set. */
  hasChanged(name: string): boolean {
    if (this.#changed !== undefined) return this.#changed.has(name);
    if (this.#pending !== undefined) return this.#pending.includes(name);
    if (this.#bits === 0) return false;
    const slot = this.shape.index.get(name);
    return slot !== undefined && slot < 31 && (this.#bits & (1 << slot)) !== 0;
  }

  #bitNames(): string[] {
    const out: string[] = [];
    const names = this.shape.names;
    for (let i = 0, b = this.#bits; b !== 0; i++, b >>>= 1) if (b & 1) out.push(names[i]!);
    return out;
  }

  /** Forgets the changes (after a commit), without making the Set. */
  clearChanges(): void {
    this.#pending = undefined;
    this.#bits = 0;
    this.#top = -1;
    this.#changed?.clear();
  }
}

export function createMxObject(entity: string, id: ObjectId, state: MxObject['state']): MxObject {
  return new LazyMxObject(entity, id, state);
}

/**
 * An object whose values start as `slots` of the entity's shape (taken over,
 * not copied) with `filled` of them set: what `createObject` makes from an
 * entity's template of defaults, and a read makes of a row. Nothing is marked changed.
 */
export function createMxObjectWithSlots(entity: string, id: ObjectId, slots: unknown[], filled: number, state: MxObject['state'] = 'new'): MxObject {
  return new LazyMxObject(entity, id, state, slots, filled);
}

export function setValue(obj: MxObject, attribute: string, value: AttributeValue): void {
  if (obj instanceof LazyMxObject) obj.markChanged(attribute, obj.putValue(attribute, value));
  else { obj.values.set(attribute, value); obj.changed.add(attribute); }
}

export function setReference(obj: MxObject, association: string, value: AssociationValue): void {
  obj.references.set(association, value);
  if (obj instanceof LazyMxObject) obj.markChanged(association);
  else obj.changed.add(association);
}

/** `obj.values.get(name)`, without making the Map view of an object of `createMxObject`. */
export function getValue(obj: MxObject, name: string): AttributeValue | undefined {
  return obj instanceof LazyMxObject ? obj.getValue(name) : obj.values.get(name);
}

/** `obj.values.set(name, value)` (not marked changed), without making the Map view of an object of `createMxObject`. */
export function putValue(obj: MxObject, name: string, value: AttributeValue): void {
  if (obj instanceof LazyMxObject) obj.putValue(name, value);
  else obj.values.set(name, value);
}

/** The slot storage of an object of `createMxObject` (undefined for any other MxObject), for the data layer's reads and writes by slot. */
export function slotStoreOf(obj: MxObject): SlotStore | undefined {
  return obj instanceof LazyMxObject ? obj : undefined;
}

/** True for the objects `createMxObject` makes. */
export function isCreatedMxObject(v: unknown): v is MxObject {
  return v instanceof LazyMxObject;
}

/** `obj.changed.has(name)`, without making the Set of an object of `createMxObject` (a commit asks this per column and object). */
export function isChanged(obj: MxObject, name: string): boolean {
  return obj instanceof LazyMxObject ? obj.hasChanged(name) : obj.changed.has(name);
}

/** Clears `changed` after a commit; for objects of `createMxObject` without making an empty Set. */
export function clearChanges(obj: MxObject): void {
  if (obj instanceof LazyMxObject) obj.clearChanges();
  else obj.changed.clear();
}
