import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import type { ErrorBody, PublicError } from '../core/errors.js';
import { RequestStop, type StopSignal } from '../core/stop-signal.js';

/**
 * A deadline per request (the RequestTimeout setting). Every route's handler
 * is raced against a timer: when the timer wins, the request is answered 503
 * with `Retry-After` through the one error handler, and the request's signal
 * aborts. The signal also aborts when the client disconnects before its answer
 * was written. Work that takes the signal (the client API passes it to the
 * database transaction) stops there: the transaction is rolled back, never
 * committed.
 *
 * Per request: no timer of its own and one promise. The requests in flight
 * are in one list in the order of their deadlines (all have the same length),
 * walked by one interval timer (DeadlineSweep) that runs only while requests
 * come: the 503 goes out within a tick (a 40th of the deadline, 5–250 ms)
 * after the deadline. The stop signal and the socket listener are made
 * only for requests that ask for the signal. A handler that answers on its own
 * without returning a promise is left alone.
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
  stop: RequestStop | undefined;
  /** Why the request was aborted, once it was. */
  reason: Error | undefined;
  /** When the deadline passes (Date.now() time). */
  readonly due: number;
  /** Neighbours in DeadlineSweep's list while the handler runs. */
  prev: RequestDeadline | undefined;
  next: RequestDeadline | undefined;
  inList: boolean;
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
export function requestSignal(request: FastifyRequest): StopSignal | undefined {
  const d = request.kilnDeadline;
  if (!d) return undefined;
  if (!d.stop) {
    const stop = new RequestStop();
    d.stop = stop;
    if (d.reason) stop.stop(d.reason);
    else {
      const res = d.reply.raw;
      const onClose = () => {
        if (!res.writableEnded) abort(d, new ClientGoneError());
      };
      if (res.destroyed || res.socket?.destroyed) onClose();
      // Not once(): 'close' comes once, and once() would wrap the listener in a closure of its own.
      else res.on('close', onClose);
    }
  }
  return d.stop;
}

function abort(d: RequestDeadline, reason: Error): void {
  if (d.reason) return;
  d.reason = reason;
  d.stop?.stop(reason);
}

/**
 * The requests whose handler runs, oldest deadline first (every request has
 * the same RequestTimeout, so the order of arrival is the order of deadlines).
 * One interval timer answers the expired ones; it stops once a tick saw no
 * request come or stay.
 */
class DeadlineSweep {
  private head: RequestDeadline | undefined;
  private tail: RequestDeadline | undefined;
  private timer: NodeJS.Timeout | undefined;
  private added = false;
  private readonly tickMs: number;

  constructor(private readonly timeoutMs: number) {
    this.tickMs = Math.min(250, Math.max(5, Math.floor(timeoutMs / 40)));
  }

  add(d: RequestDeadline): void {
    d.prev = this.tail;
    if (this.tail) this.tail.next = d;
    else this.head = d;
    this.tail = d;
    d.inList = true;
    this.added = true;
    if (!this.timer) {
      this.timer = setInterval(() => this.sweep(), this.tickMs);
      // Never what keeps a stopping process alive.
      this.timer.unref();
    }
  }

  remove(d: RequestDeadline): void {
    if (!d.inList) return;
    d.inList = false;
    if (d.prev) d.prev.next = d.next;
    else this.head = d.next;
    if (d.next) d.next.prev = d.prev;
    else this.tail = d.prev;
    d.prev = undefined;
    d.next = undefined;
  }

  private sweep(): void {
    const now = Date.now();
    for (let d = this.head; d !== undefined && d.due <= now; d = this.head) {
      this.remove(d);
      const err = new RequestTimeoutError(this.timeoutMs);
      abort(d, err);
      // Through the one error handler, as a thrown error; the handler's later result is dropped (deadlined).
      // Guarded: a throw here would end the process (it runs from a timer, not from a request).
      try {
        if (!d.reply.sent) d.reply.send(err);
      } catch (e) {
        d.reply.log.error({ err: e }, 'the deadline answer could not be sent');
      }
    }
    if (this.head === undefined && !this.added) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    this.added = false;
  }
}

/** Puts every route registered from now on under a deadline of `timeoutMs` (0: none). */
export function installDeadlines(app: FastifyInstance, timeoutMs: number): void {
  if (!(timeoutMs > 0)) return;
  app.decorateRequest('kilnDeadline', null);
  const sweep = new DeadlineSweep(timeoutMs);
  app.addHook('onRoute', (route) => {
    const handler = route.handler as RouteHandlerMethod;
    route.handler = function deadlined(this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
      const d: RequestDeadline = {
        reply,
        stop: undefined,
        reason: undefined,
        due: Date.now() + timeoutMs,
        prev: undefined,
        next: undefined,
        inList: false,
      };
      request.kilnDeadline = d;
      const out = handler.call(this, request, reply) as unknown;
      if (!isThenable(out)) return out;
      sweep.add(d);
      // Settling after the deadline changes nothing: the 503 has gone (undefined: Fastify sends nothing more).
      return out.then(
        (v) => {
          sweep.remove(d);
          return d.reason instanceof RequestTimeoutError ? undefined : v;
        },
        (e: unknown) => {
          sweep.remove(d);
          if (d.reason instanceof RequestTimeoutError) return undefined;
          throw e;
        },
      );
    } as RouteHandlerMethod;
  });
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function';
}
