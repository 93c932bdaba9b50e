/**
 * Errors of microflow execution. Any failure inside an activity (an expression
 * error, a database error, a validation failure, an error end event) becomes a
 * MicroflowError carrying the stack of microflow names at the point it was
 * raised; that is what `$latestError` shows and what callers receive.
 */
export class MicroflowError extends Error {
  constructor(
    message: string,
    /** Microflow names, outermost first, where the error was raised. */
    readonly microflowStack: readonly string[],
    /** Java-style error type shown in $latestError/ErrorType. */
    readonly errorType: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MicroflowError';
  }
}

/** One validation message for one member of one object (rules or a validation-feedback activity). */
export interface FeedbackItem {
  readonly objectId: bigint;
  readonly entity: string;
  readonly member: string;
  readonly message: string;
}

/** A commit refused by validation rules; reaches the client as validation feedback. */
export class ValidationFailedError extends Error {
  constructor(readonly feedback: readonly FeedbackItem[]) {
    super(feedback.map((f) => `${f.entity}.${f.member}: ${f.message}`).join('; '));
    this.name = 'ValidationFailedError';
  }
}

/** A before-event handler returned false for an action configured to raise. */
export class EventCancelledError extends Error {
  constructor(
    readonly handler: string,
    readonly action: string,
  ) {
    super(`${action} was cancelled: the event handler ${handler} returned false`);
    this.name = 'EventCancelledError';
  }
}

export function errorTypeOf(e: unknown): string {
  if (e instanceof MicroflowError) return e.errorType;
  if (e instanceof ValidationFailedError) return 'com.mendix.core.CoreRuntimeException';
  if (e instanceof Error) return e.name === 'ExpressionError' ? 'com.mendix.core.CoreRuntimeException' : `kiln.${e.name}`;
  return 'kiln.Error';
}
