/**
 * A request error of the client API, answered as JSON `{error, ...details}`
 * with its HTTP status: 400 malformed (naming the field), 403 not allowed
 * (without anything about the data), 404 unknown operation, 413 body too large,
 * 422 validation failed (with per-field feedback), 503 database unavailable.
 */
export class ClientApiError extends Error {
  constructor(readonly status: number, message: string, readonly details: Readonly<Record<string, unknown>> = {}) {
    super(message);
    this.name = 'ClientApiError';
  }

  toJSON(): Record<string, unknown> {
    return { error: this.message, ...this.details };
  }
}

export const malformed = (field: string, problem: string) => new ClientApiError(400, `malformed request: '${field}' ${problem}`, { field });
export const notAllowed = () => new ClientApiError(403, 'not allowed');
