import type { Transaction } from '../data/index.js';
import type { MxObject } from '../objects/mx-object.js';
import type { UserContext } from '../security/user-context.js';
import type { MicroflowArg, MicroflowOutcome } from './backend.js';

/**
 * What the microflow engine provides to the client API: object actions that
 * run validation rules and event handlers around persistence, and microflow
 * calls. Optional until the logic component is present; without it commits
 * and deletes go straight to the data layer and microflow calls are refused.
 */
export interface ObjectLogic {
  afterCreate?(tx: Transaction | null, user: UserContext, obj: MxObject): Promise<void>;
  commit(tx: Transaction, user: UserContext, objects: readonly MxObject[]): Promise<void>;
  delete(tx: Transaction, user: UserContext, objects: readonly MxObject[]): Promise<void>;
  rollback(user: UserContext, objects: readonly MxObject[]): Promise<void>;
  callMicroflow(tx: Transaction, user: UserContext, name: string, args: ReadonlyMap<string, MicroflowArg>): Promise<MicroflowOutcome>;
}
