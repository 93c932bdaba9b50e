import type { CMapping, CMappingNode } from '../../model/compiled/mappings.js';
import { setReference, setValue, type MxObject } from '../../objects/mx-object.js';
import { entityAccess } from '../../security/entity-access.js';
import type { AttributeValue } from '../../objects/values.js';
import type { Value } from '../expressions/runtime.js';
import type { EngineHost } from '../engine/host.js';
import type { PreparedRetrieve } from '../engine/ports.js';
import type { LogicSession } from '../engine/session.js';
import { MappingError, valueFromJsonValue } from './json-values.js';

/** Key lookups per mapping level, prepared once (with and without entity access). */
const finders = new WeakMap<CMappingNode, Map<boolean, PreparedRetrieve>>();

export interface ImportOptions {
  /** Apply the session user's entity access (published services): create, write and find as that user. */
  readonly entityAccess: boolean;
  /** Where the document came from, for error fields: `body`, `response`. */
  readonly field: string;
  readonly stack: readonly string[];
}

/**
 * Applies an import mapping to a parsed JSON document in a microflow session:
 * each JSON object becomes an object of its level's entity — found by the
 * `find` attributes among the existing ones (and the ones this document made),
 * else created (or, per `ifNotFound`, refused or left out) — with the mapped
 * attributes set; nested objects and arrays are linked over their
 * associations (references and reference sets, from either side). The
 * objects are committed as the mapping says. Returns the root object, or the
 * list for a mapping of an array. Bad JSON is a MappingError naming its place.
 */
export async function importJson(session: LogicSession, mapping: CMapping, json: unknown, opts: ImportOptions): Promise<{ value: Value; objects: MxObject[] }> {
  const host = session.host as EngineHost;
  const touched: MxObject[] = [];
  const made = new Map<string, MxObject>();

  const one = async (node: CMappingNode, j: unknown, field: string): Promise<MxObject | undefined> => {
    if (j === null || typeof j !== 'object' || Array.isArray(j)) throw new MappingError(field, 'must be a JSON object');
    const doc = j as Record<string, unknown>;
    const model = session.model;
    const entity = model.entities.get(node.entity)!;
    const access = opts.entityAccess ? entityAccess(model, session.user, node.entity) : undefined;
    const restricted = access?.restricted === true;
    /** The JSON value as the attribute's value, through its converter microflow when it has one (once per value: a key is also set). */
    const converted = new Map<string, AttributeValue>();
    const valueOf = async (m: CMappingNode['attributes'][number]): Promise<AttributeValue> => {
      const attr = entity.attributes.get(m.attribute)!;
      const f = `${field}.${m.key}`;
      if (!m.convert) return valueFromJsonValue(model, attr, doc[m.key], f);
      if (converted.has(m.key)) return converted.get(m.key)!;
      const input = valueFromJsonValue(model, m.convert.json, doc[m.key], f);
      const v = (await host.callInSession(session, m.convert.microflow, [input], opts.stack)) as AttributeValue;
      if (typeof v === 'string' && attr.length > 0 && [...v].length > attr.length)
        throw new MappingError(f, `is longer than ${attr.length} characters once converted by ${m.convert.microflow}`);
      converted.set(m.key, v);
      return v;
    };
    let obj: MxObject | undefined;
    if (node.find.length > 0) {
      const vars: Record<string, unknown> = {};
      for (const [i, a] of node.find.entries()) vars[`K${i}`] = await valueOf(node.attributes.find((x) => x.attribute === a)!);
      const memo = `${node.entity}|${JSON.stringify(Object.values(vars), (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`;
      obj = made.get(memo) ?? (await finder(session, node, opts.entityAccess).run(session.sql(), session.user, vars, { amount: 1 }))[0];
      if (obj) obj = session.fromDatabase([obj])[0]!;
      if (!obj && node.ifNotFound === 'ignore') return undefined;
      if (!obj && node.ifNotFound === 'error')
        throw new MappingError(field, `refers to no ${node.entity} ${restricted ? 'the caller can see' : 'that exists'}`);
      if (!obj) {
        obj = await create(node.entity);
        made.set(memo, obj);
      }
    } else obj = await create(node.entity);
    for (const m of node.attributes) {
      if (!Object.hasOwn(doc, m.key)) continue;
      if (restricted && !access!.writable(m.attribute)) throw new MappingError(`${field}.${m.key}`, 'cannot be set');
      setValue(obj, m.attribute, await valueOf(m));
    }
    for (const c of node.children) {
      if (!Object.hasOwn(doc, c.key)) continue;
      const f = `${field}.${c.key}`;
      const v = doc[c.key];
      const owner = c.forward ? access : opts.entityAccess ? entityAccess(model, session.user, c.node.entity) : undefined;
      if (owner?.restricted && !owner.writable(c.association)) throw new MappingError(f, 'cannot be set');
      if (v === null) {
        if (c.forward) setReference(obj, c.association, c.referenceSet ? [] : null);
        continue;
      }
      const nested: MxObject[] = [];
      if (c.list) {
        if (!Array.isArray(v)) throw new MappingError(f, 'must be a JSON array');
        for (let i = 0; i < v.length; i++) {
          const o = await one(c.node, v[i], `${f}.${i}`);
          if (o) nested.push(o);
        }
      } else {
        const o = await one(c.node, v, f);
        if (o) nested.push(o);
      }
      if (c.forward) setReference(obj, c.association, c.referenceSet ? nested.map((o) => o.id) : (nested[0]?.id ?? null));
      else
        for (const o of nested) {
          if (!c.referenceSet) setReference(o, c.association, obj.id);
          else {
            const had = o.references.get(c.association);
            const ids = Array.isArray(had) ? (had as bigint[]) : [];
            if (!ids.includes(obj.id)) setReference(o, c.association, [...ids, obj.id]);
          }
        }
    }
    if (!touched.includes(obj)) touched.push(obj);
    return obj;

    async function create(name: string): Promise<MxObject> {
      if (restricted && !access!.canCreate) throw new MappingError(field, `cannot create ${name}`, 403);
      const o = await host.data.createObject(name, { ...(session.user.userId !== null ? { user: session.user.userId } : {}), now: new Date() });
      return session.track(o);
    }
  };

  let value: Value;
  if (mapping.list) {
    if (!Array.isArray(json)) throw new MappingError(opts.field, 'must be a JSON array');
    const list: MxObject[] = [];
    for (let i = 0; i < json.length; i++) {
      const o = await one(mapping.root, json[i], `${opts.field}.${i}`);
      if (o) list.push(o);
    }
    value = list;
  } else value = (await one(mapping.root, json, opts.field)) ?? null;
  const persistable = touched.filter((o) => session.model.entities.get(o.entity)?.persistable);
  if (mapping.commit && persistable.length > 0) await host.actions.commit(session, persistable, { events: mapping.commit === true }, opts.stack);
  return { value, objects: touched };
}

/** `//Entity[A = $K0 and B = $K1]` for a level's find attributes, prepared once. */
function finder(session: LogicSession, node: CMappingNode, applyAccess: boolean): PreparedRetrieve {
  let byAccess = finders.get(node);
  if (!byAccess) {
    byAccess = new Map();
    finders.set(node, byAccess);
  }
  let p = byAccess.get(applyAccess);
  if (!p) {
    const xpath = `[${node.find.map((a, i) => `${a} = $K${i}`).join(' and ')}]`;
    p = session.host.query.prepare(session.model, { entity: node.entity, xpath, sort: [] }, applyAccess);
    byAccess.set(applyAccess, p);
  }
  return p;
}
