export { buildRegistry, registryCheck, writeOperationsFile } from './build-registry.js';
export { operationId } from './operation-id.js';
export type * from './types.js';
