export { createObject, type CreateOptions } from './create.js';
export { retrieveByIds, type RetrieveOptions } from './retrieve.js';
export { commitObjects, type CommitOptions } from './commit.js';
export { deleteObjects, type DeleteOptions } from './delete.js';
