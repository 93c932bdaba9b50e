import { commitObjects, createObject, deleteObjects, retrieveByIds, type Database, type Dialect, type IdGenerator, type Transaction } from '../data/index.js';
import type { CompiledModel } from '../model/compiled/types.js';
import { compileQuery, retrieve } from '../query/index.js';
import type { DataPort, DbPort, QueryPort, SqlPort } from './engine/ports.js';
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
      return commitObjects(tx as Transaction, model, objects, { ...(opts.user !== undefined ? { user: opts.user } : {}), now: opts.now });
    },
    deleteObjects: (tx, objects, opts) => deleteObjects(tx as Transaction, model, objects, opts?.beforeDelete ? { beforeDelete: opts.beforeDelete } : {}),
    entityOf: (id) => ids.entityOf(id),
  };
}

/**
 * The engine's query port on the query engine (src/query): each retrieve
 * activity's XPath is compiled once, for the database's dialect (or SQLite's
 * when only checking the model).
 */
export function queryPort(dialect: Dialect): QueryPort {
  return {
    prepare(model, request, applyEntityAccess) {
      const xpath = request.xpath ? (request.xpath.trim().startsWith('//') ? request.xpath : `//${request.entity}${request.xpath}`) : `//${request.entity}`;
      const plan = compileQuery(model, { xpath, entity: request.entity, sort: request.sort }, dialect);
      return {
        async run(q, user, variables, range) {
          const u = applyEntityAccess ? user : { ...user, applyEntityAccess: false };
          const { objects } = await retrieve(q as SqlPort & { dialect: Dialect }, model, plan, u, variables, {
            ...(range.offset !== undefined ? { offset: range.offset } : {}),
            ...(range.amount !== undefined ? { amount: range.amount } : {}),
          });
          return objects;
        },
      };
    },
  };
}

export function dbPort(db: Database): DbPort {
  return db as unknown as DbPort;
}
