import type { ClientObjectWire, Guid, WireChanges, WireObject, WireValue, XasResponse } from '../api/types';

interface Held {
  objectType: string;
  guid: Guid;
  /** Values as the server last sent them. */
  attributes: Record<string, WireValue>;
  /** The values and signature exactly as the server signed them (new or server-changed objects): sent back as they came. */
  signed?: { attributes: Record<string, WireValue>; hash: string };
  /** Created by a create operation and not yet committed: lives only here. */
  isNew: boolean;
}

/**
 * The client's copy of the objects it has seen, plus its uncommitted state: new
 * objects (with the signature the server gave them) and changed attribute values.
 * The server keeps no state between requests (seed 004), so every request that
 * acts on objects carries their state from here; a page that shows an object the
 * grid already fetched reads it from here without a new retrieve.
 */
export class ObjectStore {
  private readonly held = new Map<Guid, Held>();
  private readonly changes = new Map<Guid, Record<string, WireValue>>();
  private readonly listeners = new Set<() => void>();
  private readonly refreshListeners = new Set<(entities: ReadonlySet<string>) => void>();
  private version = 0;

  subscribe(l: () => void): () => void {
    this.listeners.add(l);
    return () => {
      this.listeners.delete(l);
    };
  }
  getVersion(): number {
    return this.version;
  }

  /** Grids listen here to reload after commits and deletes of their entity. */
  onRefresh(l: (entities: ReadonlySet<string>) => void): () => void {
    this.refreshListeners.add(l);
    return () => {
      this.refreshListeners.delete(l);
    };
  }

  has(guid: Guid): boolean {
    return this.held.has(guid);
  }
  objectType(guid: Guid): string | undefined {
    return this.held.get(guid)?.objectType;
  }
  isNew(guid: Guid): boolean {
    return this.held.get(guid)?.isNew ?? false;
  }
  isDirty(guid: Guid): boolean {
    return this.held.get(guid)?.isNew === true || this.changes.get(guid) !== undefined;
  }

  /**
   * Whether the client's copy misses any of these members: a grid's row holds only
   * the grid's columns, so a page that shows more has to retrieve the object.
   * New objects came whole from the server and lack nothing.
   */
  lacks(guid: Guid, members: Iterable<string>): boolean {
    const h = this.held.get(guid);
    if (!h) return true;
    if (h.isNew) return false;
    for (const m of members) if (!(m in h.attributes)) return true;
    return false;
  }

  /** The value the user sees: their change if any, else the server's. */
  get(guid: Guid, attribute: string): WireValue | undefined {
    const ch = this.changes.get(guid);
    if (ch && attribute in ch) return ch[attribute];
    return this.held.get(guid)?.attributes[attribute];
  }

  set(guid: Guid, attribute: string, value: WireValue): void {
    const h = this.held.get(guid);
    if (!h) throw new Error(`object ${guid} is not in the client`);
    const ch = this.changes.get(guid) ?? {};
    ch[attribute] = value;
    this.changes.set(guid, ch);
    this.bump();
  }

  /**
   * Takes in what a response says: objects and partial objects (merged, so a
   * grid's partial row and a full object add up), server-side changes, commits
   * (the change becomes the known value) and deletes.
   */
  ingest(res: XasResponse, opts: { created?: boolean } = {}): void {
    for (const o of [...(res.objects ?? []), ...(res.partialObjects ?? [])]) this.put(o, opts.created === true);
    for (const [guid, attrs] of Object.entries(res.changes ?? {})) {
      if (!this.held.has(guid)) continue;
      const ch = this.changes.get(guid) ?? {};
      for (const [a, v] of Object.entries(attrs)) ch[a] = (v?.value ?? null) as WireValue;
      this.changes.set(guid, ch);
    }
    const entities = new Set<string>();
    for (const guid of res.commits ?? []) {
      const h = this.held.get(guid);
      if (!h) continue;
      entities.add(h.objectType);
      Object.assign(h.attributes, this.changes.get(guid) ?? {});
      this.changes.delete(guid);
      h.isNew = false;
      delete h.signed;
    }
    // A rollback resets persisted objects to their database state: the client's changes go.
    for (const guid of Object.keys(res.resets ?? {})) {
      const h = this.held.get(guid);
      this.changes.delete(guid);
      if (h) delete h.signed;
    }
    for (const guid of res.deletes ?? []) {
      const h = this.held.get(guid);
      if (h) entities.add(h.objectType);
      this.held.delete(guid);
      this.changes.delete(guid);
    }
    this.bump();
    if (entities.size > 0) for (const l of this.refreshListeners) l(entities);
  }

  /** Tells grids of these entities to reload (after a microflow whose effects are unknown). */
  refresh(entities: Iterable<string>): void {
    const set = new Set(entities);
    for (const l of this.refreshListeners) l(set);
  }

  private put(o: WireObject, created: boolean): void {
    const prev = this.held.get(o.guid);
    const attributes: Record<string, WireValue> = prev ? prev.attributes : {};
    for (const [name, a] of Object.entries(o.attributes ?? {})) {
      if (a && 'value' in a) attributes[name] = (a.value ?? null) as WireValue;
    }
    const h: Held = { objectType: o.objectType, guid: o.guid, attributes, isNew: created || (prev?.isNew ?? false) };
    if (o.hash !== undefined) {
      const signedValues: Record<string, WireValue> = {};
      for (const [name, a] of Object.entries(o.attributes ?? {})) signedValues[name] = (a?.value ?? null) as WireValue;
      h.signed = { attributes: signedValues, hash: o.hash };
    } else if (prev?.signed) h.signed = prev.signed;
    this.held.set(o.guid, h);
  }

  /** Drops the user's changes; a new object disappears altogether. */
  discard(guid: Guid): void {
    this.changes.delete(guid);
    if (this.held.get(guid)?.isNew) this.held.delete(guid);
    this.bump();
  }

  /**
   * The client-held state of these objects, as a request carries it: new (or
   * signed) objects in `objects` with the values the server signed, and the
   * user's changes in `changes`.
   */
  stateOf(guids: Iterable<Guid>): { objects: ClientObjectWire[]; changes: WireChanges } {
    const objects: ClientObjectWire[] = [];
    const changes: WireChanges = {};
    for (const guid of new Set(guids)) {
      const h = this.held.get(guid);
      if (!h) continue;
      if (h.signed) {
        const attributes: Record<string, { value: WireValue }> = {};
        for (const [k, v] of Object.entries(h.signed.attributes)) attributes[k] = { value: v };
        objects.push({ objectType: h.objectType, guid, attributes, hash: h.signed.hash });
      }
      const ch = this.changes.get(guid);
      if (ch && Object.keys(ch).length > 0) {
        const c: Record<string, { value: WireValue }> = {};
        for (const [k, v] of Object.entries(ch)) c[k] = { value: v };
        changes[guid] = c;
      }
    }
    return { objects, changes };
  }

  /** Every dirty object: what a microflow call carries when it cannot know what the microflow reaches. */
  dirtyGuids(): Guid[] {
    const out = new Set<Guid>(this.changes.keys());
    for (const h of this.held.values()) if (h.isNew) out.add(h.guid);
    return [...out];
  }

  /** Forget everything (logout). */
  clear(): void {
    this.held.clear();
    this.changes.clear();
    this.bump();
  }

  private bump(): void {
    this.version++;
    for (const l of this.listeners) l();
  }
}
