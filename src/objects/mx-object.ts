import { isCanonicalGuid, type AssociationValue, type AttributeValue, type ObjectId } from './values.js';
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
  /** The changed names once they are not bits: in order in an array, then (once read, or past 16) the Set. */
  #list: string[] | Set<string> | undefined = undefined;
  /**
   * Bit i: slot i of the values changed; only while `#list` is undefined. Bits
   * are only ever added above the highest one, so that is the last slot set.
   */
  #bits = 0;
  /**
   * The id and its decimal text (the guid), each made from the other when first asked: an
   * object read from the database keeps the driver's text, and a page written to the client
   * writes it back without a BigInt made and turned into text again; an object made with its
   * id turns it into text once however often it is written.
   */
  #id: ObjectId | undefined;
  #guid: string | undefined;

  constructor(
    readonly entity: string,
    id: ObjectId | undefined,
    state: MxObject['state'],
    slots?: unknown[],
    guid?: string,
  ) {
    super(shapeOf(entity), slots);
    this.state = state;
    this.#id = id;
    this.#guid = guid;
  }

  get id(): ObjectId {
    return (this.#id ??= BigInt(this.#guid!));
  }

  get guid(): string {
    return (this.#guid ??= this.#id!.toString());
  }

  /** Takes `id` as the id of an object read with `guid` as its text, when the id was not made yet (the caller parsed it from that same text). */
  knowId(guid: string, id: ObjectId): void {
    if (this.#id === undefined && this.#guid === guid) this.#id = id;
  }

  /** The values as a Map: a view of this object's slots, made on first use. */
  get values(): Map<string, AttributeValue> {
    return (this.#values ??= new SlotMap(this));
  }

  get references(): Map<string, AssociationValue> {
    return (this.#references ??= new Map());
  }

  get changed(): Set<string> {
    const l = this.#list;
    if (l instanceof Set) return l;
    const set = new Set(l ?? this.#bitNames());
    this.#list = set;
    this.#bits = 0;
    return set;
  }

  /** Records a changed member (`slot`: its slot in the values, -1 for any other member). */
  markChanged(name: string, slot = -1): void {
    let l = this.#list;
    if (l === undefined) {
      if (slot >= 0 && slot < 31) {
        const bit = 1 << slot;
        const bits = this.#bits;
        if (bits & bit) return;
        if (bit > bits) {
          this.#bits = bits | bit;
          return;
        }
      }
      l = this.#list = this.#bitNames();
      this.#bits = 0;
    } else if (l instanceof Set) {
      l.add(name);
      return;
    }
    if (l.includes(name)) return;
    l.push(name);
    // A Set past 16 names, to keep the search short.
    if (l.length > 16) this.#list = new Set(l);
  }

  /** Whether `name` changed, without making the Set. */
  hasChanged(name: string): boolean {
    const l = this.#list;
    if (l !== undefined) return l instanceof Set ? l.has(name) : l.includes(name);
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
    const l = this.#list;
    // A Set someone may hold stays the record, emptied.
    if (l instanceof Set) l.clear();
    else this.#list = undefined;
    this.#bits = 0;
  }
}

export function createMxObject(entity: string, id: ObjectId, state: MxObject['state']): MxObject {
  return new LazyMxObject(entity, id, state);
}

/**
 * An object whose values start as `slots` of the entity's shape (taken over,
 * not copied): what `createObject` makes from an
 * entity's template of defaults, and a read makes of a row. Nothing is marked changed.
 */
export function createMxObjectWithSlots(entity: string, id: ObjectId, slots: unknown[], state: MxObject['state'] = 'new'): MxObject {
  return new LazyMxObject(entity, id, state, slots);
}

/**
 * A persisted object read from a row whose id the driver gave as text (`slots` as in
 * `createMxObjectWithSlots`). Text in the id's canonical decimal form is kept as the object's
 * guid and turned into the id only when someone asks for it; any other text is read now, as
 * the data layer's id decoder reads it (and refused as it refuses it).
 */
export function createMxObjectFromRow(entity: string, idText: string, slots: unknown[]): MxObject {
  return isCanonicalGuid(idText)
    ? new LazyMxObject(entity, undefined, 'persisted', slots, idText)
    : new LazyMxObject(entity, BigInt(idText), 'persisted', slots);
}

/** The object's id as the guid the client knows it by (`idToGuid(obj.id)`), made once per object of `createMxObject`. */
export function guidOf(obj: MxObject): string {
  return obj instanceof LazyMxObject ? obj.guid : obj.id.toString();
}

/**
 * Gives an object read from a row with `guid` as its id text the id `id`, which the caller
 * parsed from that same text (`guidToId(guid)`): it is not parsed a second time when asked for.
 * Nothing changes for an object whose id is made or whose text is another.
 */
export function withKnownId(obj: MxObject, guid: string, id: ObjectId): void {
  if (obj instanceof LazyMxObject) obj.knowId(guid, id);
}

export function setValue(obj: MxObject, attribute: string, value: AttributeValue): void {
  if (obj instanceof LazyMxObject) obj.markChanged(attribute, obj.putValue(attribute, value));
  else {
    obj.values.set(attribute, value);
    obj.changed.add(attribute);
  }
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
