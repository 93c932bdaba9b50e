/**
 * Errors that know how they are answered over HTTP. The HTTP server's one
 * error handler (src/http/server.ts) answers an error that has `status` and
 * `publicBody` with that status and body; anything else is a 500 that says
 * only "internal error" and the request id (the details go to the log).
 *
 * Declared on the ground floor so that every layer can classify its own
 * errors without importing http: the data layer's DatabaseConnectionError
 * (503), the client API's validation failure (422), a malformed request (400).
 */

/** The JSON body of an error answer: `{error, ...details}` (`field` names a malformed request's field). */
export interface ErrorBody {
  readonly error: string;
  readonly [detail: string]: unknown;
}

/** An error with an HTTP status and a body that may be shown to the caller (no stack, no driver text). */
export interface PublicError {
  /** HTTP status of the answer (4xx, or 5xx for an expected outage such as the database being away). */
  readonly status: number;
  /** What the caller sees. */
  publicBody(): ErrorBody;
  /** Seconds for a `Retry-After` header (a 503 the caller may retry: the database is away or busy, a deadline passed). */
  readonly retryAfter?: number;
  /**
   * Logged once per incident by the layer that raised it (the data layer's
   * outage log): the error handler logs each request at debug only, so an
   * outage is not one log line per request.
   */
  readonly loggedOnce?: boolean;
}

export function isPublicError(e: unknown): e is PublicError {
  return e instanceof Error && typeof (e as Partial<PublicError>).status === 'number' && typeof (e as Partial<PublicError>).publicBody === 'function';
}

/** A request error answered as `{error: message, ...details}` with its status. */
export class HttpError extends Error implements PublicError {
  constructor(
    readonly status: number,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  publicBody(): ErrorBody {
    return { error: this.message, ...this.details };
  }

  toJSON(): ErrorBody {
    return this.publicBody();
  }
}

/** 400 naming the offending field: `malformed request: '<field>' <problem>`, `{field}`. */
export function malformedRequest(field: string, problem: string): HttpError {
  return new HttpError(400, `malformed request: '${field}' ${problem}`, { field });
}
