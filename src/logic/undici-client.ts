import { STATUS_CODES } from 'node:http';
import { Agent, ProxyAgent, request, type Dispatcher } from 'undici';
import type { HttpClientOptions } from './http-client.js';
import { OutboundError, type HttpPort, type OutboundProxy, type OutboundRequest, type OutboundResponse } from './engine/ports.js';

/** Distinct per-activity proxies kept open at once. */
const MAX_OVERRIDES = 16;

/** Redirects followed (Authorization and cookies are dropped when one leads to another origin). */
const MAX_REDIRECTS = 5;

/**
 * The callRest client (made through ./http-client.ts on the first call): undici (the HTTP client inside Node's own fetch) with one
 * Agent for direct calls and one ProxyAgent when a proxy is set, both keeping
 * connections alive and reusing them per origin, at most
 * `maxConnectionsPerRoute` per origin; a counter holds the total in flight to
 * `maxConnectionsTotal`. The answer's body is read up to `maxBytes`.
 */
export function createUndiciClient(o: HttpClientOptions): HttpPort & { close(): Promise<void> } {
  const common = {
    connections: o.maxConnectionsPerRoute > 0 ? o.maxConnectionsPerRoute : null,
    connect: { timeout: o.connectTimeoutMs },
    headersTimeout: o.readTimeoutMs,
    bodyTimeout: o.readTimeoutMs,
  };
  const direct = new Agent(common);
  const proxyAgent = (p: OutboundProxy) =>
    new ProxyAgent({
      ...common,
      uri: `http://${p.host}:${p.port}`,
      ...(p.user ? { token: `Basic ${Buffer.from(`${p.user}:${p.password ?? ''}`).toString('base64')}` } : {}),
    });
  const proxy = o.proxy ? proxyAgent(o.proxy) : undefined;
  // Activities' own proxies, one agent each (a few per app; the oldest is closed past MAX_OVERRIDES).
  const overrides = new Map<string, ProxyAgent>();
  const overrideFor = (p: OutboundProxy): ProxyAgent => {
    const key = JSON.stringify([p.host, p.port, p.user ?? '', p.password ?? '']);
    let a = overrides.get(key);
    if (!a) {
      if (overrides.size >= MAX_OVERRIDES) {
        const [oldest, agent] = overrides.entries().next().value!;
        overrides.delete(oldest);
        void agent.close();
      }
      a = proxyAgent(p);
      overrides.set(key, a);
    }
    return a;
  };
  const bypass = (o.nonProxyHosts ?? []).map((h) => h.trim().toLowerCase()).filter(Boolean);
  const dispatcherFor = (url: URL, override: OutboundRequest['proxy']): Dispatcher => {
    if (override === 'none') return direct;
    if (override) return overrideFor(override);
    if (!proxy) return direct;
    const host = url.hostname.toLowerCase();
    const skip = bypass.some((b) => (b.startsWith('*.') ? host === b.slice(2) || host.endsWith(b.slice(1)) : host === b));
    return skip ? direct : proxy;
  };
  const limit = o.maxConnectionsTotal > 0 ? o.maxConnectionsTotal : Number.POSITIVE_INFINITY;
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  const acquire = async (signal: AbortSignal | undefined): Promise<void> => {
    while (inFlight >= limit) {
      await new Promise<void>((resolve, reject) => {
        const done = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          const i = waiting.indexOf(done);
          if (i >= 0) waiting.splice(i, 1);
          reject(signal!.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        waiting.push(done);
      });
    }
    inFlight++;
  };
  const release = () => {
    inFlight--;
    waiting.shift()?.();
  };

  return {
    async request(req: OutboundRequest): Promise<OutboundResponse> {
      const signal = req.timeoutMs > 0 ? AbortSignal.timeout(req.timeoutMs) : undefined;
      try {
        await acquire(signal);
      } catch {
        throw new OutboundError(`REST call timed out after ${req.timeoutMs / 1000} s (waiting for a free connection)`, true);
      }
      try {
        const res = await request(req.url, {
          method: req.method as Dispatcher.HttpMethod,
          headers: req.headers,
          ...(req.body !== undefined ? { body: req.body } : {}),
          dispatcher: dispatcherFor(req.url, req.proxy),
          maxRedirections: MAX_REDIRECTS,
          ...(signal ? { signal } : {}),
        });
        // Destroying the body of an answer not read to its end reports an abort: expected here.
        res.body.on('error', () => {});
        const length = Number(res.headers['content-length'] ?? 0);
        if (length > req.maxBytes) {
          res.body.destroy();
          throw new OutboundError(`the response is larger than ${req.maxBytes} bytes`);
        }
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of res.body as AsyncIterable<Buffer>) {
          size += chunk.length;
          if (size > req.maxBytes) {
            res.body.destroy();
            throw new OutboundError(`the response is larger than ${req.maxBytes} bytes`);
          }
          chunks.push(chunk);
        }
        const headers: [string, string][] = [];
        for (const [k, v] of Object.entries(res.headers)) {
          if (Array.isArray(v)) for (const x of v) headers.push([k, x]);
          else if (v !== undefined) headers.push([k, v]);
        }
        return { status: res.statusCode, statusText: STATUS_CODES[res.statusCode] ?? '', httpVersion: 'HTTP/1.1', headers, body: Buffer.concat(chunks) };
      } catch (e) {
        if (e instanceof OutboundError) throw e;
        if (signal?.aborted || (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')))
          throw new OutboundError(`REST call timed out after ${req.timeoutMs / 1000} s`, true);
        const code = e instanceof Error && 'code' in e ? String((e as { code: unknown }).code) : '';
        if (code === 'UND_ERR_CONNECT_TIMEOUT') throw new OutboundError(`REST call failed: no connection within ${o.connectTimeoutMs / 1000} s`, true);
        if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')
          throw new OutboundError(`REST call failed: no data for ${o.readTimeoutMs / 1000} s (read timeout)`, true);
        const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : e instanceof Error ? e.message : String(e);
        throw new OutboundError(`REST call failed: ${cause}`);
      } finally {
        release();
      }
    },
    async close() {
      await Promise.all([direct.close(), proxy?.close(), ...[...overrides.values()].map((a) => a.close())]);
    },
  };
}
