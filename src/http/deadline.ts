import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import type { ErrorBody, PublicError } from '../core/errors.js';

/**
 * A deadline per request (the RequestTimeout setting). Every route's handler
 * is raced against a timer: when the timer wins, the request is answered 503
 * with `Retry-After` through the one error handler, and the request's signal
 * aborts. The signal also aborts when the client disconnects before its answer
 * was written. Work that takes the signal (the client API passes it to the
 * database transaction) stops there: the transaction is rolled back, never
 * committed.
 *
 * Per request: a timer and one promise; the AbortController and the socket
 * listener are made only for requests that ask for the signal. A handler that
 * answers on its own without returning a promise is left alone.
 */

/** The request passed RequestTimeout: 503 with Retry-After. */
class RequestTimeoutError extends Error implements PublicError {
  readonly status = 503;
  readonly retryAfter = 1;
  constructor(readonly timeoutMs: number) {
    super(`the request passed its deadline of ${timeoutMs} ms (RequestTimeout)`);
    this.name = 'RequestTimeoutError';
  }
  publicBody(): ErrorBody {
    return { error: 'the request took too long: try again' };
  }
}

/** The client closed the connection before its answer was written (no one hears the answer). */
class ClientGoneError extends Error {
  constructor() {
    super('the client disconnected before the answer');
    this.name = 'ClientGoneError';
  }
}

interface RequestDeadline {
  readonly reply: FastifyReply;
  controller: AbortController | undefined;
  /** Why the request was aborted, once it was. */
  reason: Error | undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set for routes under a deadline; read through `requestSignal`. */
    kilnDeadline: RequestDeadline | null;
  }
}

/**
 * The request's signal: aborts when its deadline passes or its client
 * disconnects before the answer. Undefined when the server has no deadline
 * (RequestTimeout 0) and the route no handler wrapper.
 */
export function requestSignal(request: FastifyRequest): AbortSignal | undefined {
  const d = request.kilnDeadline;
  if (!d) return undefined;
  if (!d.controller) {
    const controller = new AbortController();
    d.controller = controller;
    if (d.reason) controller.abort(d.reason);
    else {
      const res = d.reply.raw;
      const onClose = () => {
        if (!res.writableEnded) abort(d, new ClientGoneError());
      };
      if (res.destroyed || res.socket?.destroyed) onClose();
      else res.once('close', onClose);
    }
  }
  return d.controller.signal;
}

function abort(d: RequestDeadline, reason: Error): void {
  if (d.reason) return;
  d.reason = reason;
  d.controller?.abort(reason);
}

/** Puts every route registered from now on under a deadline of `timeoutMs` (0: none). */
export function installDeadlines(app: FastifyInstance, timeoutMs: number): void {
  if (!(timeoutMs > 0)) return;
  app.decorateRequest('kilnDeadline', null);
  app.addHook('onRoute', (route) => {
    const handler = route.handler as RouteHandlerMethod;
    route.handler = function deadlined(this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
      const d: RequestDeadline = { reply, controller: undefined, reason: undefined };
      request.kilnDeadline = d;
      const out = handler.call(this, request, reply) as unknown;
      if (!isThenable(out)) return out;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          const err = new RequestTimeoutError(timeoutMs);
          abort(d, err);
          reject(err);
        }, timeoutMs);
        // Never what keeps a stopping process alive.
        timer.unref();
        // Settling after the timer changes nothing: the answer has gone.
        out.then(
          (v) => {
            clearTimeout(timer);
            resolve(v);
          },
          (e: unknown) => {
            clearTimeout(timer);
            reject(e);
          },
        );
      });
    } as RouteHandlerMethod;
  });
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function';
}
