import { describe, expect, it } from 'vitest';
import { RequestStop, type StopSignal } from '../../src/core/stop-signal.js';

describe('RequestStop (a request deadline’s stop signal)', () => {
  it('calls each listener once at the stop, in the order added, with the reason set before', () => {
    const s = new RequestStop();
    const seen: string[] = [];
    s.addEventListener('abort', () => seen.push(`f:${String((s.reason as Error).message)}:${s.aborted}`));
    s.addEventListener('abort', { handleEvent: () => seen.push('object') });
    expect(s.aborted).toBe(false);
    s.stop(new Error('deadline'));
    s.stop(new Error('again'));
    expect(seen).toEqual(['f:deadline:true', 'object']);
    expect((s.reason as Error).message).toBe('deadline');
  });

  it('does not call a removed listener, nor one added after the stop', () => {
    const s = new RequestStop();
    const seen: string[] = [];
    const gone = () => seen.push('removed');
    s.addEventListener('abort', gone);
    s.addEventListener('abort', () => seen.push('kept'));
    s.removeEventListener('abort', gone);
    s.stop('client gone');
    s.addEventListener('abort', () => seen.push('late'));
    expect(seen).toEqual(['kept']);
  });

  it('keeps calling the others when a listener throws', () => {
    const s = new RequestStop();
    const seen: string[] = [];
    const thrown: unknown[] = [];
    const tick = process.nextTick;
    // The throw is rethrown on the next tick (an uncaught exception): caught here instead.
    process.nextTick = ((fn: () => void) => {
      try {
        fn();
      } catch (e) {
        thrown.push(e);
      }
    }) as typeof process.nextTick;
    try {
      s.addEventListener('abort', () => {
        throw new Error('listener bug');
      });
      s.addEventListener('abort', () => seen.push('second'));
      s.stop('x');
    } finally {
      process.nextTick = tick;
    }
    expect(seen).toEqual(['second']);
    expect(thrown.map((e) => (e as Error).message)).toEqual(['listener bug']);
  });

  it('is a StopSignal as an AbortSignal is (the database takes either)', () => {
    const ac = new AbortController();
    const either: StopSignal[] = [ac.signal, new RequestStop()];
    expect(either.every((x) => x.aborted === false)).toBe(true);
  });
});
