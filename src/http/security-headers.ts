import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The policy of every response that is not the browser client's page (JSON of
 * /xas/ and /pages/, /health, errors): nothing may be loaded, run or framed
 * from it. The client component sends its own page policy instead.
 */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** A year, for every subdomain: sent only on requests that arrived over TLS. */
const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * Security headers on every response: no content sniffing, no framing, the
 * referrer only to this origin, a Content-Security-Policy (the route's own, or
 * API_CSP), and HSTS when the request came over https — directly, or through a
 * proxy that says so in X-Forwarded-Proto when TrustProxy is set. Called from
 * the server's one onSend hook (server.ts), for every answer.
 */
export function setSecurityHeaders(request: FastifyRequest, reply: FastifyReply): void {
  // The names in lower case, as Fastify keeps them (reply.header lower-cases each name it is given).
  if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', API_CSP);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('x-frame-options', 'DENY');
  reply.header('referrer-policy', 'same-origin');
  if (request.protocol === 'https') reply.header('strict-transport-security', HSTS);
}
