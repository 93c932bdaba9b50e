import { commitObjects, createObject, type Database, type IdGenerator } from '../data/index.js';
import type { CompiledModel } from '../model/compiled/types.js';
import { setReference, setValue } from '../objects/mx-object.js';
import type { ObjectWriter } from './object-writer.js';

/** ObjectWriter over the data layer: createObject (ids, defaults, system members) and commitObjects in one transaction. */
export function dataLayerWriter(model: CompiledModel, db: Database, ids: IdGenerator): ObjectWriter {
  return {
    async create(entity, values, references = {}) {
      const obj = await createObject(model, entity, ids);
      for (const [k, v] of Object.entries(values)) setValue(obj, k, v);
      for (const [k, v] of Object.entries(references)) setReference(obj, k, v);
      await db.transaction((tx) => commitObjects(tx, model, [obj]));
      return obj.id;
    },
  };
}
