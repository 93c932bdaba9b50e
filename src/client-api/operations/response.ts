import type { ObjectJson } from '../protocol/serialize.js';

/**
 * The answer to a runtime operation, in seed 004's shape. Every response has
 * the common fields; retrieves add count/hasMoreItems/partialObjects/
 * resultGuids/extraGuids, microflow calls and creates add actionResult.
 */
export interface OperationResponse {
  actionResult?: { type: string; value: unknown };
  changes: Record<string, unknown>;
  commits: string[];
  committedObjectsOmitted: boolean;
  count?: number;
  deletes: string[];
  extraGuids?: string[];
  hasMoreItems?: boolean;
  newpersistable: string[];
  objects: ObjectJson[];
  partialObjects?: ObjectJson[];
  resets: Record<string, unknown>;
  resultGuids?: string[];
  instructions?: { type: string; args: Record<string, unknown> }[];
  /** Validation feedback from a microflow: guid -> member -> message. */
  datavalidation?: Record<string, Record<string, string>>;
}

export function emptyResponse(): OperationResponse {
  return { changes: {}, commits: [], committedObjectsOmitted: false, deletes: [], newpersistable: [], objects: [], resets: {} };
}
