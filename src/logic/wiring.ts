import { commitObjects, createObject, deleteObjects, retrieveByIds, type Database, type IdGenerator, type Transaction } from '../data/index.js';
import type { CompiledModel } from '../model/compiled/types.js';
import type { DataPort, DbPort } from './engine/ports.js';
import { ValidationFailedError } from './engine/errors.js';
import type { SecurityService } from '../security/services.js';

/** The engine's data port on the data layer (src/data). */
export function dataPort(model: CompiledModel, ids: IdGenerator, security?: Pick<SecurityService, 'beforeCommit'>): DataPort {
  return {
    createObject: (entity, opts) => createObject(model, entity, ids, opts),
    retrieveByIds: (q, entity, list) => retrieveByIds(q as Transaction, model, entity, list),
    async commitObjects(tx, objects, opts) {
      // No plain password reaches the database (changed HashedString values are policy-checked and hashed);
      // users deactivated or blocked here lose their sessions in the same transaction.
      const weak = await security?.beforeCommit(objects, tx as Transaction, opts.session);
      if (weak?.length) throw new ValidationFailedError(weak.map(({ objectId, entity, member, message }) => ({ objectId, entity, member, message })));
      // The options as they came (user and now are what commitObjects reads): no copy per commit.
      return commitObjects(tx as Transaction, model, objects, opts);
    },
    deleteObjects: (tx, objects, opts) => deleteObjects(tx as Transaction, model, objects, opts?.beforeDelete ? { beforeDelete: opts.beforeDelete } : {}),
    entityOf: (id) => ids.entityOf(id),
  };
}

export function dbPort(db: Database): DbPort {
  return db as unknown as DbPort;
}
