import type { CompiledModel } from '../../model/compiled/types.js';
import type { MxObject } from '../../objects/mx-object.js';
import type { ObjectId } from '../../objects/values.js';
import type { Dialect } from '../../data/dialects/dialect.js';
import type { UserContext } from '../../security/user-context.js';

/**
 * What the microflow engine needs from the data layer and the query engine,
 * as narrow interfaces: the engine is wired to `src/data` and `src/query` in
 * its component, and the interfaces say exactly which of their calls it makes.
 */

/** SQL on one connection (the data layer's Queryable / Transaction). */
export interface SqlPort {
  readonly dialect: Dialect;
  query<T = Record<string, unknown>>(sql: string, params: readonly unknown[]): Promise<T[]>;
  execute(sql: string, params: readonly unknown[]): Promise<{ affectedRows: number }>;
}

export interface DbPort extends SqlPort {
  transaction<T>(fn: (tx: SqlPort) => Promise<T>): Promise<T>;
}

export interface DataPort {
  createObject(entity: string, opts: { user?: ObjectId; now: Date }): Promise<MxObject>;
  retrieveByIds(q: SqlPort, entity: string, ids: readonly ObjectId[]): Promise<MxObject[]>;
  /** `session`: the System.Session object id of the session committing (a password it changes ends the user's other sessions only). */
  commitObjects(tx: SqlPort, objects: readonly MxObject[], opts: { user?: ObjectId; session?: ObjectId; now: Date }): Promise<void>;
  /**
   * Deletes persisted objects with their associations' delete behaviour; returns every object deleted (cascades included).
   * `beforeDelete` sees every object about to go, cascades included, and returns those to keep.
   */
  deleteObjects(
    tx: SqlPort,
    objects: readonly MxObject[],
    opts?: { readonly beforeDelete?: (objects: readonly MxObject[]) => Promise<readonly MxObject[] | undefined> },
  ): Promise<MxObject[]>;
  /** The concrete entity of an id (from its short id). */
  entityOf(id: ObjectId): string | undefined;
}

export interface RetrieveRequest {
  readonly entity: string;
  readonly xpath?: string;
  readonly sort: readonly { readonly attribute: string; readonly descending: boolean }[];
  readonly offset?: number;
  /** 0 or undefined = all. */
  readonly amount?: number;
}

/** A retrieve compiled once (at microflow compile time) and run per call. */
export interface PreparedRetrieve {
  run(q: SqlPort, user: UserContext, variables: Readonly<Record<string, unknown>>, range: { offset?: number; amount?: number }): Promise<MxObject[]>;
}

export interface QueryPort {
  /** Compiles a database retrieve once; throws with a clear message for a bad XPath. */
  prepare(model: CompiledModel, request: RetrieveRequest, applyEntityAccess: boolean): PreparedRetrieve;
}

/**
 * Exclusive execution of microflows marked `disallowConcurrentExecution`
 * (the composition root passes the cluster-wide one; default: in-process).
 */
export interface ExclusivePort {
  /**
   * Takes the lock `name` for the transaction `tx` without waiting. Resolves to
   * its release (call it when the microflow ends), or undefined when another
   * execution holds the lock.
   */
  tryLock(name: string, tx: SqlPort | undefined): Promise<(() => Promise<void>) | undefined>;
}

/** Locks held in this process only, re-entrant per transaction (a single instance, or SQLite). */
export function inProcessExclusive(): ExclusivePort {
  const held = new Map<string, { owner: unknown; count: number }>();
  return {
    async tryLock(name, tx) {
      const owner = tx ?? {};
      const h = held.get(name);
      if (h && h.owner !== owner) return undefined;
      if (h) h.count++;
      else held.set(name, { owner, count: 1 });
      return async () => {
        const cur = held.get(name);
        if (cur && --cur.count <= 0) held.delete(name);
      };
    },
  };
}

/**
 * FileDocument contents for TypeScript actions and the built-in file actions
 * (the composition root adapts the files component's service). Contents are
 * recorded in the microflow's transaction: a rollback leaves the object's old
 * contents.
 */
export interface FilePort {
  read(object: MxObject, sql: SqlPort): Promise<import('node:stream').Readable | undefined>;
  write(
    object: MxObject,
    contents: import('node:stream').Readable | Uint8Array | string,
    name: string | undefined,
    sql: SqlPort,
  ): Promise<{ readonly size: number }>;
}

/** How a task run from a queue is retried after it fails. */
export interface RetryPolicy {
  /** Retries after the first failed run. */
  readonly attempts: number;
  /** Milliseconds before the first retry. */
  readonly intervalMs: number;
  readonly backoff: 'fixed' | 'exponential';
  /** Exponential: the longest wait in milliseconds. */
  readonly maxIntervalMs: number;
}

/** A microflow call to run in a task queue instead of inline. */
export interface QueuedCall {
  readonly queue: string;
  readonly microflow: string;
  /** Arguments by parameter name: committed objects, lists of them, primitives. */
  readonly args: ReadonlyMap<string, { readonly type: import('../expressions/types.js').XType; readonly value: import('../expressions/runtime.js').Value }>;
  /** Whose context the task runs in. */
  readonly user: UserContext;
  readonly delayMs: number;
  readonly retry?: RetryPolicy;
}

/**
 * Task queues (the composition root passes src/background's): `enqueue`
 * writes the task in the caller's transaction, so it exists exactly when the
 * caller commits.
 */
export interface QueuePort {
  enqueue(tx: SqlPort, call: QueuedCall): Promise<void>;
}

/** One outbound HTTP request of a callRest activity. */
export interface OutboundRequest {
  readonly url: URL;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  /** Milliseconds for the whole call (0 = none). */
  readonly timeoutMs: number;
  /** Largest response body read; a larger one is an error. */
  readonly maxBytes: number;
}

export interface OutboundResponse {
  readonly status: number;
  readonly statusText: string;
  readonly httpVersion: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Uint8Array;
}

/**
 * Outbound HTTP for callRest: connection reuse, the limits per route and in
 * total, the proxy and the connect and read timeouts of the runtime settings
 * (./http-client.ts). Rejects with OutboundError.
 */
export interface HttpPort {
  request(req: OutboundRequest): Promise<OutboundResponse>;
}

/** A failed outbound call: the message names what happened (timeout, refused, too large), never credentials. */
export class OutboundError extends Error {
  constructor(
    message: string,
    readonly timedOut = false,
  ) {
    super(message);
    this.name = 'OutboundError';
  }
}
