import { STATUS_CODES } from 'node:http';
import { Agent, ProxyAgent, request, type Dispatcher } from 'undici';
import { OutboundError, type HttpPort, type OutboundRequest, type OutboundResponse } from './engine/ports.js';

/** The outbound HTTP settings, as Mendix's runtime has them (docs/settings.md: HttpClient*, HttpProxy*). */
export interface HttpClientOptions {
  /** Connections kept per origin (scheme, host, port); further requests to it queue. */
  readonly maxConnectionsPerRoute: number;
  /** Requests in flight at once over every origin; further ones wait for a free one. */
  readonly maxConnectionsTotal: number;
  readonly connectTimeoutMs: number;
  /** Longest wait for the answer's headers and between two pieces of its body (0 = none). */
  readonly readTimeoutMs: number;
  readonly proxy?: { readonly host: string; readonly port: number; readonly user?: string; readonly password?: string };
  /** Host names reached without the proxy: exact, or `*.example.com` for a domain and its subdomains. */
  readonly nonProxyHosts?: readonly string[];
}

/** The settings' defaults (src/core/settings-registry.ts), for an engine made without the runtime's settings. */
export const DEFAULT_HTTP: HttpClientOptions = { maxConnectionsPerRoute: 2, maxConnectionsTotal: 20, connectTimeoutMs: 10_000, readTimeoutMs: 0 };

/** Redirects followed (Authorization and cookies are dropped when one leads to another origin). */
const MAX_REDIRECTS = 5;

/**
 * The callRest client: undici (the HTTP client inside Node's own fetch) with one
 * Agent for direct calls and one ProxyAgent when a proxy is set, both keeping
 * connections alive and reusing them per origin, at most
 * `maxConnectionsPerRoute` per origin; a counter holds the total in flight to
 * `maxConnectionsTotal`. The answer's body is read up to `maxBytes`.
 */
export function createHttpClient(o: HttpClientOptions): HttpPort & { close(): Promise<void> } {
  const common = {
    connections: o.maxConnectionsPerRoute > 0 ? o.maxConnectionsPerRoute : null,
    connect: { timeout: o.connectTimeoutMs },
    headersTimeout: o.readTimeoutMs,
    bodyTimeout: o.readTimeoutMs,
  };
  const direct = new Agent(common);
  const proxy = o.proxy
    ? new ProxyAgent({
        ...common,
        uri: `http://${o.proxy.host}:${o.proxy.port}`,
        ...(o.proxy.user ? { token: `Basic ${Buffer.from(`${o.proxy.user}:${o.proxy.password ?? ''}`).toString('base64')}` } : {}),
      })
    : undefined;
  const bypass = (o.nonProxyHosts ?? []).map((h) => h.trim().toLowerCase()).filter(Boolean);
  const dispatcherFor = (url: URL): Dispatcher => {
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
          dispatcher: dispatcherFor(req.url),
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
      await Promise.all([direct.close(), proxy?.close()]);
    },
  };
}
