import type { CompiledModel } from '../../model/compiled/types.js';
import type { LoadedObject } from '../backend.js';
import { JsonText } from '../protocol/json-text.js';
import { ObjectWriter, type TextFlags } from '../protocol/object-writer.js';
import { guidOf } from '../../objects/mx-object.js';
import type { RetrieveOperation } from '../registry/types.js';

/**
 * What a retrieve operation needs on every request, derived once per
 * operation: the attributes it may sort on, and the writers of its response
 * (the retrieved objects with the used attributes and associations, the
 * objects shown over references with the attributes shown of them).
 */
export interface RetrieveShape {
  readonly sortable: ReadonlySet<string>;
  readonly write: (page: RetrievePage) => JsonText;
}

export interface RetrievePage {
  readonly objects: readonly LoadedObject[];
  readonly related: readonly LoadedObject[];
  readonly count: number | undefined;
  readonly hasMoreItems: boolean;
}

const shapes = new WeakMap<RetrieveOperation, RetrieveShape>();

export function retrieveShape(model: CompiledModel, op: RetrieveOperation): RetrieveShape {
  let shape = shapes.get(op);
  if (!shape) {
    shape = compileShape(model, op);
    shapes.set(op, shape);
  }
  return shape;
}

/**
 * The response is seed 004's retrieve answer, with the keys in the order the
 * generic response has them (emptyResponse's fields, then count, extraGuids,
 * hasMoreItems, partialObjects, resultGuids).
 */
const HEAD = '{"changes":{},"commits":[],"committedObjectsOmitted":false,"deletes":[],"newpersistable":[],"objects":[],"resets":{}';

function compileShape(model: CompiledModel, op: RetrieveOperation): RetrieveShape {
  const main = new ObjectWriter(model, op.attributes, [...new Set([...op.paths.map((p) => p.association), ...(op.references ?? [])])]);
  // Objects over references: per concrete entity, the shown attributes of it or its generalizations.
  const byEntity = new Map<string, string[]>();
  for (const p of op.paths) byEntity.set(p.entity, [...(byEntity.get(p.entity) ?? []), p.attribute]);
  const relatedWriters = new Map<string, ObjectWriter>();
  const relatedWriter = (entityName: string): ObjectWriter => {
    let w = relatedWriters.get(entityName);
    if (!w) {
      const chain = model.entities.get(entityName)!.chain;
      const attrs = [...byEntity.entries()].filter(([e]) => chain.includes(e)).flatMap(([, a]) => a);
      w = new ObjectWriter(model, attrs, []);
      relatedWriters.set(entityName, w);
    }
    return w;
  };
  return {
    sortable: new Set([...op.attributes, ...op.searchAttributes, ...op.sort.map((s) => s.attribute)]),
    write(page) {
      let s = HEAD;
      if (page.count !== undefined) s += `,"count":${page.count}`;
      s += ',"extraGuids":[';
      const { objects, related } = page;
      for (let i = 0; i < related.length; i++) {
        s += i ? ',"' : '"';
        s += guidOf(related[i]!.object);
        s += '"';
      }
      s += page.hasMoreItems ? '],"hasMoreItems":true,"partialObjects":[' : '],"hasMoreItems":false,"partialObjects":[';
      // Ids, numbers and the fixed text are ASCII: the writers say whether the values were.
      const text: TextFlags = { ascii: true };
      let guids = '';
      for (let i = 0; i < objects.length; i++) {
        const l = objects[i]!;
        if (i) s += ',';
        s = main.append(s, l.object, l.rights, text);
        guids += i ? '","' : '"';
        guids += guidOf(l.object);
      }
      for (let i = 0; i < related.length; i++) {
        const l = related[i]!;
        if (objects.length || i) s += ',';
        s = relatedWriter(l.object.entity).append(s, l.object, l.rights, text);
      }
      s += '],"resultGuids":[';
      if (objects.length) {
        s += guids;
        s += '"';
      }
      s += ']}';
      return new JsonText(s, text.ascii);
    },
  };
}
