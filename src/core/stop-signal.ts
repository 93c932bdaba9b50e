/**
 * What work is given to be told to stop (a request's deadline passed, its client went away):
 * the part of AbortSignal that Kiln's own work uses. An AbortSignal is one; a request's is a
 * RequestStop, made for every writing request, where an AbortController's signal is an
 * EventTarget (its own event map, an Event object per abort, listener records).
 */
export interface StopSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: StopListener, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: StopListener): void;
}

export type StopListener = (() => void) | { handleEvent(): void };

/**
 * A StopSignal that one owner stops once. Each listener is called once, at the stop, in the
 * order added (as `{ once: true }` or not: there is no second stop); one added after the stop is
 * not called, as with an AbortSignal. A listener's throw does not keep the others from their
 * call; it is thrown again afterwards, outside (an uncaught exception, as EventTarget reports it).
 */
export class RequestStop implements StopSignal {
  aborted = false;
  reason: unknown = undefined;
  private listeners: StopListener[] | undefined;

  addEventListener(_type: 'abort', listener: StopListener): void {
    if (this.aborted) return;
    (this.listeners ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: StopListener): void {
    const all = this.listeners;
    if (all === undefined) return;
    const i = all.indexOf(listener);
    if (i >= 0) all.splice(i, 1);
  }

  stop(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const all = this.listeners;
    this.listeners = undefined;
    if (all === undefined) return;
    for (const l of all) {
      try {
        if (typeof l === 'function') l();
        else l.handleEvent();
      } catch (e) {
        process.nextTick(() => {
          throw e;
        });
      }
    }
  }
}
