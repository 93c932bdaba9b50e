export { clientApiComponent, OPERATIONS_SERVICE } from './component.js';
export * from './registry/index.js';
