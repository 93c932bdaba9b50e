import { HttpError } from '../core/errors.js';

/**
 * A request error of the client API, answered as JSON `{error, ...details}`
 * with its HTTP status: 400 malformed (naming the field), 403 not allowed
 * (without anything about the data), 404 unknown operation, 413 body too large,
 * 422 validation failed (with per-field feedback), 503 database unavailable.
 * The HTTP server's error handler sends it (see src/core/errors.ts).
 */
export class ClientApiError extends HttpError {}

/** 400 naming the offending field (the message as core's malformedRequest words it). */
export const malformed = (field: string, problem: string) => new ClientApiError(400, `malformed request: '${field}' ${problem}`, { field });
export const notAllowed = () => new ClientApiError(403, 'not allowed');
