/**
 * The logic layer: the Mendix expression language and the microflow engine,
 * with the object actions (create, commit, delete, rollback) that run event
 * handlers and validation rules for commits from the client and from
 * microflows alike.
 *
 *   const engine = new MicroflowEngine({ model, data: dataPort(model, ids), query: queryPort(db.dialect), db, log });
 *   const { value, messages, feedback } = await engine.runMicroflow('Sales.Order_Confirm', { Order: order }, user);
 */
export { MicroflowEngine, type MicroflowResult, type EngineOptions } from './engine/engine.js';
export { LogicSession, type ClientMessage } from './engine/session.js';
export { MicroflowError, ValidationFailedError, EventCancelledError, MicroflowAccessError, type FeedbackItem } from './engine/errors.js';
export type { DataPort, QueryPort, DbPort, SqlPort } from './engine/ports.js';
export { ObjectActions } from './object-actions.js';
export { validateObjects } from './validation.js';
export { defineAction, loadActions, type ActionContext, type ActionDefinition } from './ts-actions.js';
export { dataPort, queryPort, dbPort } from './wiring.js';
export { checkMicroflows } from './model-check.js';
export { logicComponent, MICROFLOWS_SERVICE } from './component.js';
export * from './expressions/index.js';
