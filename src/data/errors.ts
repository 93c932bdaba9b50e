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
  publicBody(): ErrorBody { return { error: 'the database is not available' }; }
}

/** A delete was refused by an association's delete behaviour "prevent"; `message` is the model's. */
export class DeletePreventedError extends DataError implements PublicError {
  readonly status = 409;
  constructor(message: string, readonly entity: string, readonly association: string, readonly objectIds: readonly bigint[]) {
    super(message);
  }
  publicBody(): ErrorBody { return { error: this.message }; }
}

/** A unique constraint of the database refused a write (duplicate key). */
export class UniqueViolationError extends DataError implements PublicError {
  readonly status = 409;
  constructor(message: string, readonly table: string | undefined, readonly constraint: string | undefined, options?: { cause?: unknown }) {
    super(message, options);
  }
  publicBody(): ErrorBody { return { error: 'another object already has this value' }; }
}

/** A value does not fit its column (Decimal with more than 20 integer digits, Integer out of range, ...). */
export class ValueOutOfRangeError extends DataError implements PublicError {
  readonly status = 400;
  constructor(message: string, readonly attribute: string) {
    super(message);
  }
  publicBody(): ErrorBody { return { error: this.message, field: this.attribute }; }
}

/** Schema synchronisation refused a change that would destroy data. */
export class DestructiveSyncError extends DataError {
  constructor(readonly losses: readonly string[]) {
    super(`schema synchronisation would destroy data and was refused:\n${losses.map((l) => `  - ${l}`).join('\n')}\n`
      + 'If an entity or attribute was renamed, give it `previousName` in the model (this keeps the data); '
      + 'otherwise set AllowDestructiveSync=true (KILN_ALLOW_DESTRUCTIVE_SYNC=true) to apply it, losing what is listed above.');
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
 * The transaction was aborted from outside (shut-down passed `ShutdownTimeout`):
 * its work was rolled back and its connection dropped; it never commits. A
 * kind of DatabaseConnectionError, so callers answer it as the database being
 * unavailable (503), not as a fault of the request.
 */
export class TransactionAbortedError extends DatabaseConnectionError {}
