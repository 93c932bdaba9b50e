export { createObject } from './create.js';
export { retrieveByIds } from './retrieve.js';
export { commitObjects } from './commit.js';
export { deleteObjects } from './delete.js';
