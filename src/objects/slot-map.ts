import type { AttributeValue } from './values.js';

/**
 * The attribute names seen on objects of one entity, each with a fixed slot
 * number: objects of the entity keep their values in an array by slot instead
 * of a hash table of their own (a Map of 7 values costs about 300 bytes and two
 * table allocations; the array, 72). Shared by every object of the entity, as
 * V8 shares a hidden class; it learns a name the first time any object of the
 * entity is given it, so no model is needed to make one.
 */
export class Shape {
  readonly index = new Map<string, number>();
  readonly names: string[] = [];

  slot(name: string): number {
    let i = this.index.get(name);
    if (i === undefined) {
      if (this.names.length >= MAX_SLOTS) return -1;
      i = this.names.length;
      this.names.push(name);
      this.index.set(name, i);
    }
    return i;
  }
}

/** Names past this many per entity go to a Map of the object's own (a runaway set of keys must not grow every object). */
const MAX_SLOTS = 256;

const shapes = new Map<string, Shape>();
let lastEntity: string | undefined;
let lastShape: Shape | undefined;

/** The shape of an entity's objects (by qualified name), made on first use. */
export function shapeOf(entity: string): Shape {
  if (entity === lastEntity) return lastShape!;
  let s = shapes.get(entity);
  if (!s) {
    s = new Shape();
    shapes.set(entity, s);
  }
  lastEntity = entity;
  lastShape = s;
  return s;
}

/** Stands for a stored `undefined` in a slot: an empty slot (a hole) reads as undefined and means "absent". */
const UNDEFINED = Symbol('undefined');

/**
 * Attribute values by name, stored in the slots of an entity's shape: the
 * storage of an MxObject's values. An object made by `createMxObject` is a
 * SlotStore itself (no second object per MxObject for its values); its
 * `values` Map is a `SlotMap` view made the first time someone asks for it,
 * while the data layer's hot paths read and write the slots directly.
 */
export class SlotStore {
  readonly shape: Shape;
  #slots: unknown[];
  #extra: Map<string, AttributeValue> | undefined = undefined;

  /**
   * `initial`: slots to start from, taken over (not copied) — a new object's
   * defaults copied from its entity's template, or a row read from the
   * database, in one step. (No count of the filled slots is kept: `size` of a
   * values Map is rarely asked, and counting on every write is not free.)
   */
  constructor(shape: Shape, initial?: unknown[]) {
    this.shape = shape;
    // Sized for the names known now, so that filling them does not grow it.
    this.#slots = initial ?? new Array(shape.names.length);
  }

  /** The value in slot `i` of the shape (as `getValue` of that slot's name). */
  valueAt(i: number): AttributeValue | undefined {
    const v = this.#slots[i];
    return (v === UNDEFINED ? undefined : v) as AttributeValue | undefined;
  }

  /** Sets a value, answering the slot the name has (-1: kept outside the slots). */
  putValue(key: string, value: AttributeValue): number {
    let i = this.shape.index.get(key);
    if (i === undefined) i = this.shape.slot(key);
    if (i < 0) {
      (this.#extra ??= new Map()).set(key, value);
      return -1;
    }
    this.#slots[i] = value === undefined ? UNDEFINED : value;
    return i;
  }

  valueCount(): number {
    let n = this.#extra?.size ?? 0;
    const slots = this.#slots;
    for (let i = 0; i < slots.length; i++) if (slots[i] !== undefined) n++;
    return n;
  }

  getValue(key: string): AttributeValue | undefined {
    const i = this.shape.index.get(key);
    if (i !== undefined) {
      const v = this.#slots[i];
      return (v === UNDEFINED ? undefined : v) as AttributeValue | undefined;
    }
    return this.#extra?.get(key);
  }

  hasValue(key: string): boolean {
    const i = this.shape.index.get(key);
    if (i !== undefined) return this.#slots[i] !== undefined;
    return this.#extra?.has(key) ?? false;
  }

  deleteValue(key: string): boolean {
    const i = this.shape.index.get(key);
    if (i === undefined) return this.#extra?.delete(key) ?? false;
    if (this.#slots[i] === undefined) return false;
    this.#slots[i] = undefined;
    return true;
  }

  clearValues(): void {
    this.#slots = [];
    this.#extra = undefined;
  }

  *valueEntries(): Generator<[string, AttributeValue], undefined, unknown> {
    const names = this.shape.names;
    const slots = this.#slots;
    for (let i = 0; i < slots.length; i++) {
      const v = slots[i];
      if (v !== undefined) yield [names[i]!, (v === UNDEFINED ? undefined : v) as AttributeValue];
    }
    if (this.#extra) yield* this.#extra.entries();
  }
}

/**
 * A Map of attribute values by name over a SlotStore. Behaves as a Map for
 * every reader and writer (get/set/has/delete/size/iteration/forEach/clear),
 * with one difference: iteration follows the slots (the order in which the
 * entity's objects first got each name, for objects made by `createObject` or
 * read from the database the model's attribute order), not the order of this
 * object's own insertions.
 */
export class SlotMap implements Map<string, AttributeValue> {
  readonly #store: SlotStore;

  /** A view of `store`, or of a store of its own for a shape. */
  constructor(store: SlotStore | Shape) {
    this.#store = store instanceof Shape ? new SlotStore(store) : store;
  }

  get shape(): Shape {
    return this.#store.shape;
  }

  get size(): number {
    return this.#store.valueCount();
  }

  get(key: string): AttributeValue | undefined {
    return this.#store.getValue(key);
  }

  has(key: string): boolean {
    return this.#store.hasValue(key);
  }

  set(key: string, value: AttributeValue): this {
    this.#store.putValue(key, value);
    return this;
  }

  delete(key: string): boolean {
    return this.#store.deleteValue(key);
  }

  clear(): void {
    this.#store.clearValues();
  }

  forEach(fn: (value: AttributeValue, key: string, map: Map<string, AttributeValue>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.#store.valueEntries()) fn.call(thisArg, v, k, this);
  }

  entries(): MapIterator<[string, AttributeValue]> {
    return this.#store.valueEntries();
  }

  *keys(): MapIterator<string> {
    for (const [k] of this.#store.valueEntries()) yield k;
  }

  *values(): MapIterator<AttributeValue> {
    for (const [, v] of this.#store.valueEntries()) yield v;
  }

  [Symbol.iterator](): MapIterator<[string, AttributeValue]> {
    return this.#store.valueEntries();
  }

  get [Symbol.toStringTag](): string {
    return 'Map';
  }
}
