import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isPublicError, type ErrorBody, type PublicError } from '../core/errors.js';
import { REFUSED } from './refusals.js';

/**
 * The one error path of the HTTP server: every error a route throws (or that
 * Fastify raises itself: body too large, not JSON) is answered here.
 *
 * - An error that says how it is answered (core's PublicError: HttpError, the
 *   client API's validation failure, the data layer's DatabaseConnectionError,
 *   ...) gets its status and public body; so does a 503 wrapped by another
 *   error (a microflow's error whose cause is the database being away or busy,
 *   or the schema having changed under an older model).
 * - Fastify's own request errors (4xx) get their status and `{error: message}`.
 * - Anything else is a 500 `{error: 'internal error', requestId}`: no stack,
 *   no driver text. The log has the details.
 *
 * One log line per error, with the request id (`reqId`): a 500 at error level
 * with the stack, another 5xx (503: the database is busy or away, a deadline
 * passed) at warn, a 400, 409, 413 or 422 (the caller's mistake) at info with
 * the message (and its cause, e.g. the event handler that refused a commit); a
 * 401, 403 or 404 at warn by the refusal log (./refusals.ts), which also sees
 * the answers guards send. An error logged once per incident elsewhere
 * (`loggedOnce`: the database is away) is logged at debug. A 503 carries
 * `Retry-After` (the error's `retryAfter`, else 1 second).
 */
function answerError(error: unknown, requestId: string): { status: number; body: ErrorBody; internal: boolean } {
  const pub = publicOf(error);
  if (pub) return { status: pub.status, body: pub.publicBody(), internal: false };
  // Fastify's own timeout (unused: see ./deadline.ts), should it ever be configured.
  if ((error as { code?: unknown } | undefined)?.code === 'FST_ERR_HANDLER_TIMEOUT')
    return { status: 503, body: { error: 'the request took too long: try again' }, internal: false };
  const statusCode = (error as Partial<FastifyError> | undefined)?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return { status: statusCode, body: { error: (error as Error).message }, internal: false };
  }
  return { status: 500, body: { error: 'internal error', requestId }, internal: true };
}

export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
  const { status, body, internal } = answerError(error, String(request.id));
  const where = { status, method: request.method, url: request.url, action: actionOf(request.body) };
  const pub = publicOf(error);
  if (internal) request.log.error({ ...where, err: error }, 'request failed: internal error');
  // An outage is logged once by the layer that met it, not once per request.
  else if (pub?.loggedOnce) request.log.debug({ ...where, error: messageOf(error) }, `request failed: ${body.error}`);
  else if (status >= 500) request.log.warn({ ...where, error: messageOf(error), cause: messageOf((error as Error).cause) }, `request failed: ${body.error}`);
  // 401, 403, 404: the refusal line of ./refusals.ts (who, what, why), written for every such answer.
  else if (!REFUSED.has(status)) request.log.info({ ...where, error: body.error, cause: messageOf((error as Error).cause) }, `request rejected: ${body.error}`);
  if (reply.sent) return;
  if (pub?.retryAfter !== undefined) reply.header('Retry-After', String(pub.retryAfter));
  else if (status === 503) reply.header('Retry-After', '1');
  return reply.code(status).send(body);
}

/** The error itself when public, else a 503 in its causes (the database away or busy, the schema changed): try again, not a fault. */
function publicOf(error: unknown): PublicError | undefined {
  if (isPublicError(error)) return error;
  for (let e = (error as Error | undefined)?.cause, depth = 0; e !== undefined && depth < 5; e = (e as Error).cause, depth++)
    if (isPublicError(e) && e.status === 503) return e;
  return undefined;
}

function actionOf(body: unknown): string | undefined {
  const a = body && typeof body === 'object' ? (body as { action?: unknown }).action : undefined;
  return typeof a === 'string' ? a.slice(0, 100) : undefined;
}

function messageOf(e: unknown): string | undefined {
  return e instanceof Error ? e.message : e === undefined ? undefined : String(e);
}
