import type { ErrorBody, PublicError } from '../core/errors.js';
import type { MemberRight } from '../model/compiled/types.js';
import type { MxObject } from '../objects/mx-object.js';
import type { AttributeValue, ObjectId } from '../objects/values.js';
import type { UserContext } from '../security/user-context.js';
import type { RetrieveOperation } from './registry/types.js';
import type { StopSignal } from '../core/stop-signal.js';

/**
 * What the client API needs from the rest of the runtime (data layer, query
 * engine, security, microflow engine), as one small typed port. The handlers
 * are written against this; `runtime-backend.ts` implements it with the real
 * components. Every method that writes takes the request's transaction so that
 * a failing request writes nothing.
 */
export interface ClientApiBackend {
  /** Runs `fn` in one database transaction: committed when it resolves, rolled back when it throws or `signal` (the request's) aborts first. */
  transaction<T>(fn: (tx: BackendTx) => Promise<T>, signal?: StopSignal, deferWrite?: boolean): Promise<T>;
  /** Entity of an object id (from the entity number in its upper bits), if any. */
  entityOfId(id: ObjectId): string | undefined;
  /** A registered retrieve, with the user's security applied. */
  retrieve(op: RetrieveOperation, user: UserContext, req: RetrieveRequest): Promise<RetrieveResult>;
  /**
   * Loads objects by id that the user may read (the read constraint applied in
   * the SELECT), with the member rights the rules they match give. Missing or
   * unreadable ids are absent from the result.
   */
  load(q: BackendTx | null, user: UserContext, entity: string, ids: readonly ObjectId[]): Promise<LoadedObject[]>;
  /**
   * Which of these ids of objects of `entity` exist and the user may read (its
   * read constraint applied): one SELECT of the ids only, per chunk of ids.
   */
  readableIds(q: BackendTx | null, user: UserContext, entity: string, ids: readonly ObjectId[]): Promise<ReadonlySet<ObjectId>>;
  /**
   * Member rights on objects in hand (a microflow's result) as the user's
   * rules give them per object: new objects pass every rule's XPath; for
   * persisted ones the database says which rules they match (no rule: no
   * member readable). Asked in the request's transaction `q` when given.
   */
  rightsOn(user: UserContext, objects: readonly MxObject[], q?: BackendTx | null): Promise<Map<MxObject, LoadedObject>>;
  /** A new object with its id and default values, after create events (nothing written). */
  create(tx: BackendTx | null, user: UserContext, entity: string): Promise<MxObject>;
  /** An object the client held as new, rebuilt with its id and default values (no events, nothing written). */
  instantiate(entity: string, id: ObjectId): MxObject;
  /** Validation rules and commit events, then INSERT / UPDATE of changed columns. Throws ValidationFailed. */
  commit(tx: BackendTx, user: UserContext, objects: readonly MxObject[]): Promise<void>;
  /** Delete events and delete behaviour, then DELETE (persisted objects only). */
  delete(tx: BackendTx, user: UserContext, objects: readonly MxObject[]): Promise<void>;
  /** Rollback events; no database traffic. */
  rollback(user: UserContext, objects: readonly MxObject[]): Promise<void>;
  /** Runs a microflow called from the client (allowed roles already checked). */
  callMicroflow(tx: BackendTx, user: UserContext, name: string, args: ReadonlyMap<string, MicroflowArg>): Promise<MicroflowOutcome>;
}

/** Opaque to the handlers: the request's transaction. */
export interface BackendTx {
  readonly __backendTx: true;
}

export interface RetrieveRequest {
  readonly offset: number;
  /** -1 = all. */
  readonly amount: number;
  /** Replaces the operation's sort when not empty. */
  readonly sort: readonly { readonly attribute: string; readonly descending: boolean }[];
  readonly wantCount: boolean;
  /** Extra XPath constraint from the client, already checked against the operation's entity and the readable attributes. */
  readonly extraXpath: string;
  /** Values of the variables the extraXpath uses (column filters, `$KilnFilter0`...). */
  readonly variables?: Readonly<Record<string, unknown>>;
  /** Data view over a page parameter: only this object. */
  readonly id?: ObjectId;
}

export interface LoadedObject {
  readonly object: MxObject;
  /** Member rights for this object (the rules whose XPath it matches). */
  readonly rights: ReadonlyMap<string, MemberRight>;
  /** The user may delete this object (delete allowed and the delete constraint matches). */
  readonly deletable: boolean;
}

export interface RetrieveResult {
  readonly objects: readonly LoadedObject[];
  readonly count?: number;
  /** Objects shown over the operation's used associations. */
  readonly related: readonly LoadedObject[];
}

export type MicroflowArg =
  | { readonly kind: 'object'; readonly object: MxObject | null }
  | { readonly kind: 'list'; readonly objects: readonly MxObject[] }
  | { readonly kind: 'value'; readonly value: AttributeValue };

export interface MicroflowOutcome {
  readonly result: MicroflowArg | undefined;
  /** Objects the microflow created or changed and did not commit (go back to the client, signed). */
  readonly dirty: readonly MxObject[];
  readonly committed: readonly ObjectId[];
  readonly deleted: readonly ObjectId[];
  /** Messages for the user (show message activities). */
  readonly messages: readonly { readonly type: 'info' | 'warning' | 'error'; readonly text: string }[];
  /** Show page / close page activities, in order; an object shown is among `shown` (sent to the client). */
  readonly pages?: readonly (
    | { readonly kind: 'show'; readonly page: string; readonly parameter?: string; readonly guid?: string }
    | { readonly kind: 'close' }
  )[];
  /** Objects a show page activity opens the page on, sent to the client with the answer. */
  readonly shown?: readonly MxObject[];
  /** Validation feedback from validation-feedback activities (for the client's data validation). */
  readonly feedback?: readonly { readonly guid: string; readonly member: string; readonly message: string }[];
}

/**
 * Validation rules or validation-feedback activities refused the objects; nothing is written.
 * Answered 422 `{error: 'validation failed', datavalidation: {guid: {member: message}}}`.
 */
export class ValidationFailed extends Error implements PublicError {
  readonly status = 422;
  constructor(readonly feedback: readonly { readonly guid: string; readonly member: string; readonly message: string }[]) {
    super('validation failed');
    this.name = 'ValidationFailed';
  }

  publicBody(): ErrorBody {
    const datavalidation: Record<string, Record<string, string>> = {};
    for (const f of this.feedback) (datavalidation[f.guid] ??= {})[f.member] = f.message;
    return { error: 'validation failed', datavalidation };
  }
}
