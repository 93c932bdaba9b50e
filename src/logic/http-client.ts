import type { HttpPort, OutboundRequest, OutboundResponse } from './engine/ports.js';

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

/**
 * The callRest client. undici (./undici-client.ts) is imported on the first outbound call, not at
 * start-up: loading and evaluating it costs about 30 ms of CPU on every start, and most apps
 * never call out.
 */
export function createHttpClient(o: HttpClientOptions): HttpPort & { close(): Promise<void> } {
  let client: Promise<HttpPort & { close(): Promise<void> }> | undefined;
  const load = () => (client ??= import('./undici-client.js').then((m) => m.createUndiciClient(o)));
  return {
    request: async (req: OutboundRequest): Promise<OutboundResponse> => (await load()).request(req),
    async close() {
      if (client) await (await client).close();
    },
  };
}
