export { buildRegistry, registryCheck, writeOperationsFile } from './build-registry.js';
export type * from './types.js';
