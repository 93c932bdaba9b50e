import type { Dialect } from '../data/dialects/dialect.js';
import { compileQuery, retrieve } from '../query/index.js';
import type { QueryPort, SqlPort } from './engine/ports.js';

// Apart from wiring.ts (the data port): `kiln check` compiles the microflows with this port and
// so does not load the data layer (Kysely and the drivers' code).
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
