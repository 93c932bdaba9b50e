import type { ErrorBody, PublicError } from '../core/errors.js';

/**
 * Typed errors of the data layer. Callers (the client API, the microflow
 * engine) test with `instanceof` and show `message` to the user where it is
 * meant for users (DeletePreventedError, UniqueViolationError). Those a caller
 * over HTTP may be told about are PublicErrors (status + public body, never
 * the driver's text): the HTTP server's error handler answers them.
 */
export class DataError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The database could not be reached or refused the connection. */
export class DatabaseConnectionError extends DataError implements PublicError {
  readonly status = 503;
  readonly retryAfter: number = 5;
  /** The data layer's outage log has the incident (one line when it starts, one when it ends). */
  readonly loggedOnce: boolean = true;
  publicBody(): ErrorBody {
    return { error: 'the database is not available' };
  }
}

/**
 * The database is up but the work could not be done in time: no pooled
 * connection came free within DatabasePoolWaitTimeout (`pool`), a lock was not
 * granted within DatabaseLockTimeout (`lock`), or a statement ran past
 * DatabaseStatementTimeout (`statement`). The transaction is rolled back;
 * answered 503 with Retry-After, since trying again shortly may well succeed.
 */
export class DatabaseBusyError extends DataError implements PublicError {
  readonly status = 503;
  readonly retryAfter = 1;
  constructor(
    readonly kind: 'pool' | 'lock' | 'statement',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
  publicBody(): ErrorBody {
    return { error: 'the database is busy: try again' };
  }
}

/**
 * The database no longer has a table or column this instance's model uses
 * (undefined table / column): during a rolling deploy a newer model renamed
 * it, and this instance, still on the older model, is about to be replaced.
 * Answered 503 with Retry-After, so the browser client tries again (and the
 * load balancer's next try reaches a newer instance), not 500.
 */
export class SchemaChangedError extends DataError implements PublicError {
  readonly status = 503;
  readonly retryAfter = 1;
  publicBody(): ErrorBody {
    return { error: 'the app is being updated: try again' };
  }
}

/** A delete was refused by an association's delete behaviour "prevent"; `message` is the model's. */
export class DeletePreventedError extends DataError implements PublicError {
  readonly status = 409;
  constructor(
    message: string,
    readonly entity: string,
    readonly association: string,
    readonly objectIds: readonly bigint[],
  ) {
    super(message);
  }
  publicBody(): ErrorBody {
    return { error: this.message };
  }
}

/** A unique constraint of the database refused a write (duplicate key). */
export class UniqueViolationError extends DataError implements PublicError {
  readonly status = 409;
  constructor(
    message: string,
    readonly table: string | undefined,
    readonly constraint: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
  publicBody(): ErrorBody {
    return { error: 'another object already has this value' };
  }
}

/** A value does not fit its column (Decimal with more than 20 integer digits, Integer out of range, ...). */
export class ValueOutOfRangeError extends DataError implements PublicError {
  readonly status = 400;
  constructor(
    message: string,
    readonly attribute: string,
  ) {
    super(message);
  }
  publicBody(): ErrorBody {
    return { error: this.message, field: this.attribute };
  }
}

/** Schema synchronisation refused a change that would destroy data. */
export class DestructiveSyncError extends DataError {
  constructor(readonly losses: readonly string[]) {
    super(
      `schema synchronisation would destroy data and was refused:\n${losses.map((l) => `  - ${l}`).join('\n')}\n` +
        'If an entity or attribute was renamed, give it `previousName` in the model (this keeps the data); ' +
        'otherwise set AllowDestructiveSync=true (KILN_ALLOW_DESTRUCTIVE_SYNC=true) to apply it, losing what is listed above.',
    );
  }
}

/**
 * The database was last synchronised by a newer model than this instance's
 * (a rolling deploy, an instance restarted with the old version) and this
 * model cannot work with that schema: the instance does not change the schema
 * and does not start. One line.
 */
export class OlderModelError extends DataError {}

/** An object handed to persistence is not in a state it can handle (unknown entity, not persistable). */
export class PersistenceError extends DataError {}

/**
 * The transaction was aborted from outside (shut-down passed `ShutdownTimeout`,
 * the request passed its deadline, its client went away): its work was rolled
 * back and its connection dropped; it never commits. A kind of
 * DatabaseConnectionError, so callers answer it as 503, not as a fault of the
 * request; not an outage (logged per request, not by the outage log).
 */
export class TransactionAbortedError extends DatabaseConnectionError {
  override readonly retryAfter: number = 1;
  override readonly loggedOnce: boolean = false;
}
