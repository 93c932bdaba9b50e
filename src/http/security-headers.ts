import type { FastifyInstance } from 'fastify';

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
 * proxy that says so in X-Forwarded-Proto when TrustProxy is set.
 */
export function addSecurityHeaders(app: FastifyInstance): void {
  // Callback style, not async: no promise per response on the hot path.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (!reply.hasHeader('content-security-policy')) reply.header('Content-Security-Policy', API_CSP);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Referrer-Policy', 'same-origin');
    if (request.protocol === 'https') reply.header('Strict-Transport-Security', HSTS);
    done(null, payload);
  });
}
