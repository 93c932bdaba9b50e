/**
 * The logic layer: the Mendix expression language and the microflow engine,
 * with the object actions (create, commit, delete, rollback) that run event
 * handlers and validation rules for commits from the client and from
 * microflows alike.
 *
 *   const engine = new MicroflowEngine({ model, data: dataPort(model, ids), query: queryPort(db.dialect), db, log });
 *   const { value, messages, feedback } = await engine.runMicroflow('Sales.Order_Confirm', { Order: order }, user);
 */
export { MicroflowEngine } from './engine/engine.js';
export { MicroflowError } from './engine/errors.js';
export { loadActions } from './ts-actions.js';
export { dataPort, dbPort } from './wiring.js';
export { queryPort } from './query-port.js';
export { checkMicroflows } from './model-check.js';
export * from './expressions/index.js';
