import { idFromDb, idToDb, placeholder, quoteIdentifier } from '../../data/index.js';
import type { CMapping, CMappingChild, CMappingNode } from '../../model/compiled/mappings.js';
import type { MemberRight } from '../../model/compiled/types.js';
import type { MxObject } from '../../objects/mx-object.js';
import { isMxObject, type Value } from '../expressions/runtime.js';
import type { AttributeValue } from '../../objects/values.js';
import type { EngineHost } from '../engine/host.js';
import type { LogicSession } from '../engine/session.js';
import { valueToJsonText } from './json-values.js';

/** Per object the members the reader may see ('all' = every one); an object missing from the map is not shown at all. */
export type ReadRights = (objects: readonly MxObject[]) => Promise<ReadonlyMap<MxObject, ReadonlyMap<string, MemberRight> | 'all'>>;

interface Tree {
  readonly node: CMappingNode;
  readonly objects: MxObject[];
  /** Per child mapping: per parent object, its nested objects. */
  readonly children: Map<CMappingChild, { readonly tree: Tree; readonly of: Map<MxObject, MxObject[]> }>;
}

/**
 * Applies an export mapping to an object (or a list, for a mapping of an
 * array) and writes the JSON text: per level the mapped attributes under their
 * JSON keys, nested objects and arrays over the associations (loaded a level
 * at a time: references and reference sets by id, associations the nested
 * entity owns with one query per level). With `rights`, objects the reader may
 * not read are left out (an unreadable root object gives undefined) and so are
 * the members it may not read.
 */
export async function exportJson(
  session: LogicSession,
  mapping: CMapping,
  value: Value,
  rights?: ReadRights,
  stack: readonly string[] = [],
): Promise<string | undefined> {
  const host = session.host as EngineHost;
  const roots = mapping.list ? (Array.isArray(value) ? (value as MxObject[]).filter(isMxObject) : []) : isMxObject(value) ? [value] : [];
  const tree = await gather(session, mapping.root, roots);
  const seen = rights ? await rights(collect(tree)) : undefined;
  const write = async (t: Tree, o: MxObject): Promise<string | undefined> => {
    const r = seen ? seen.get(o) : 'all';
    if (r === undefined) return undefined;
    const can = (member: string) => r === 'all' || (r.get(member) ?? 'None') !== 'None';
    const entity = session.model.entities.get(t.node.entity)!;
    const parts: string[] = [];
    for (const { key, attribute, convert } of t.node.attributes) {
      if (!can(attribute)) continue;
      // A converter gets the attribute's value and gives the JSON value, written as its result type.
      const text = convert
        ? valueToJsonText(convert.json, (await host.callInSession(session, convert.microflow, [o.values.get(attribute) ?? null], stack)) as AttributeValue)
        : valueToJsonText(entity.attributes.get(attribute)!, o.values.get(attribute));
      if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
    }
    for (const [c, { tree: sub, of }] of t.children) {
      if (c.forward && !can(c.association)) continue;
      // An association the nested objects own is their member: each shows only when the reader may read it there.
      const nested = (of.get(o) ?? []).filter((n) => {
        if (c.forward || !seen) return true;
        const nr = seen.get(n);
        return nr !== undefined && (nr === 'all' || (nr.get(c.association) ?? 'None') !== 'None');
      });
      const texts: string[] = [];
      for (const n of nested) {
        const x = await write(sub, n);
        if (x !== undefined) texts.push(x);
      }
      parts.push(`${JSON.stringify(c.key)}:${c.list ? `[${texts.join(',')}]` : (texts[0] ?? 'null')}`);
    }
    return `{${parts.join(',')}}`;
  };
  const texts: (string | undefined)[] = [];
  for (const o of tree.objects) texts.push(await write(tree, o));
  if (mapping.list) return `[${texts.filter((x): x is string => x !== undefined).join(',')}]`;
  return texts[0];
}

function collect(t: Tree, out: MxObject[] = []): MxObject[] {
  out.push(...t.objects);
  for (const { tree } of t.children.values()) collect(tree, out);
  return out;
}

/** The objects of every level, one level at a time. */
async function gather(session: LogicSession, node: CMappingNode, objects: MxObject[]): Promise<Tree> {
  const children = new Map<CMappingChild, { tree: Tree; of: Map<MxObject, MxObject[]> }>();
  for (const c of node.children) {
    const of = new Map<MxObject, MxObject[]>();
    if (c.forward) {
      const ids: bigint[] = [];
      for (const o of objects) {
        const ref = o.references.get(c.association);
        if (typeof ref === 'bigint') ids.push(ref);
        else if (Array.isArray(ref)) ids.push(...(ref as bigint[]));
      }
      await session.loadIds(ids);
      for (const o of objects) {
        const ref = o.references.get(c.association);
        const mine = ref === undefined || ref === null ? [] : typeof ref === 'bigint' ? [ref] : [...(ref as bigint[])];
        of.set(
          o,
          mine.map((id) => session.objects.get(id)).filter((x): x is MxObject => x !== undefined && !session.deleted.has(x.id)),
        );
      }
    } else {
      const owners = await ownersOf(session, c, objects);
      for (const o of objects) of.set(o, owners.get(o.id) ?? []);
    }
    const all = [...new Set([...of.values()].flat())];
    children.set(c, { tree: await gather(session, c.node, all), of });
  }
  return { node, objects, children };
}

/** For an association the nested entity owns: per parent id, the objects pointing at it (stored ones and the session's own). */
async function ownersOf(session: LogicSession, c: CMappingChild, parents: readonly MxObject[]): Promise<Map<bigint, MxObject[]>> {
  const a = session.model.associations.get(c.association)!;
  const ids = new Set<bigint>();
  const persisted = parents.filter((p) => p.state === 'persisted').map((p) => p.id);
  if (persisted.length > 0 && session.tx && session.model.entities.get(a.parent)?.persistable) {
    const d = session.tx.dialect;
    for (let i = 0; i < persisted.length; i += 100) {
      const part = persisted.slice(i, i + 100);
      const rows = await session.tx.query<Record<string, unknown>>(
        `SELECT ${quoteIdentifier(d, a.parentColumn)} AS p FROM ${quoteIdentifier(d, a.table)} WHERE ${quoteIdentifier(d, a.childColumn)} IN (${part
          .map((_, j) => placeholder(d, j + 1))
          .join(', ')}) ORDER BY ${quoteIdentifier(d, a.parentColumn)}`,
        part.map((id) => idToDb(d, id)),
      );
      for (const row of rows) ids.add(idFromDb(row.p));
    }
    await session.loadIds([...ids]);
  }
  const wanted = new Set(parents.map((p) => p.id));
  const out = new Map<bigint, MxObject[]>();
  const candidates = [...session.objects.values()].filter((o) => session.model.entities.get(o.entity)?.chain.includes(c.node.entity));
  candidates.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  for (const o of candidates) {
    if (session.deleted.has(o.id)) continue;
    const ref = o.references.get(c.association);
    const targets = ref === undefined || ref === null ? [] : typeof ref === 'bigint' ? [ref] : (ref as bigint[]);
    for (const t of targets) {
      if (!wanted.has(t)) continue;
      const list = out.get(t) ?? [];
      list.push(o);
      out.set(t, list);
    }
  }
  return out;
}
