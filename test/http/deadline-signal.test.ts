import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { installDeadlines, requestSignal } from '../../src/http/deadline.js';

/**
 * The request's signal (src/http/deadline.ts): a controller whose request ended unaborted is
 * handed to a later request, so these check that a reused signal is never aborted by what happens
 * to the request it served before, and that a signal someone still listens on is not reused.
 */
describe('request signal', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const server = async (handler: (signal: AbortSignal) => Promise<unknown>, timeoutMs = 60_000) => {
    app = Fastify();
    installDeadlines(app, timeoutMs);
    app.get('/', async (request) => handler(requestSignal(request)!));
    await app.ready();
    return app;
  };

  it('each request gets an unaborted signal; one that ended unaborted is reused, never aborted afterwards for its old request', async () => {
    const seen: AbortSignal[] = [];
    const a = await server(async (signal) => {
      expect(signal.aborted).toBe(false);
      seen.push(signal);
      return { ok: true };
    });
    for (let i = 0; i < 3; i++) expect((await a.inject({ method: 'GET', url: '/' })).statusCode).toBe(200);
    // One request at a time: the same controller served all three.
    expect(new Set(seen).size).toBe(1);
    expect(seen[0]!.aborted).toBe(false);
  });

  it('a signal with an abort listener left on it is not reused', async () => {
    const seen: AbortSignal[] = [];
    const a = await server(async (signal) => {
      seen.push(signal);
      signal.addEventListener('abort', () => undefined);
      return { ok: true };
    });
    await a.inject({ method: 'GET', url: '/' });
    await a.inject({ method: 'GET', url: '/' });
    expect(seen[0]).not.toBe(seen[1]);
  });

  it('a request past its deadline aborts its signal with the timeout (503), and that signal is not reused', async () => {
    const seen: AbortSignal[] = [];
    let n = 0;
    const a = await server(async (signal) => {
      seen.push(signal);
      if (n++ === 0) await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
      return { ok: true };
    }, 200);
    const first = await a.inject({ method: 'GET', url: '/' });
    expect(first.statusCode).toBe(503);
    expect(seen[0]!.aborted).toBe(true);
    expect(seen[0]!.reason).toBeInstanceOf(Error);
    const second = await a.inject({ method: 'GET', url: '/' });
    expect(second.statusCode).toBe(200);
    expect(seen[1]).not.toBe(seen[0]);
    expect(seen[1]!.aborted).toBe(false);
  });

  it('a handler that fails gives its unaborted signal back too; the error is answered as before', async () => {
    const seen: AbortSignal[] = [];
    let n = 0;
    const a = await server(async (signal) => {
      seen.push(signal);
      if (n++ === 0) throw new Error('boom');
      return { ok: true };
    });
    expect((await a.inject({ method: 'GET', url: '/' })).statusCode).toBe(500);
    expect((await a.inject({ method: 'GET', url: '/' })).statusCode).toBe(200);
    expect(seen[1]).toBe(seen[0]);
    expect(seen[1]!.aborted).toBe(false);
  });
});
