import type { FastifyReply, FastifyRequest } from 'fastify';

/** Mendix's session cookie name. */
export const SESSION_COOKIE = 'XASSESSIONID';

/** The value of one cookie from the request's Cookie header, or undefined. Runs on every /xas/ request: no split, no regex. */
export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  let start = 0;
  while (start < header.length) {
    let end = header.indexOf(';', start);
    if (end < 0) end = header.length;
    const eq = header.indexOf('=', start);
    if (eq >= 0 && eq < end && header.slice(start, eq).trim() === name) {
      const v = header.slice(eq + 1, end).trim();
      if (!v.includes('%')) return v;
      try {
        return decodeURIComponent(v);
      } catch {
        return undefined;
      }
    }
    start = end + 1;
  }
  return undefined;
}

/**
 * Secure when the request came over TLS, or through a trusted proxy that says
 * https (Fastify's `request.protocol` reads X-Forwarded-Proto only when the
 * TrustProxy setting is on).
 */
function isSecure(request: FastifyRequest): boolean {
  return request.protocol === 'https';
}

/** HttpOnly (scripts cannot read it), SameSite=Strict (not sent on cross-site requests), no expiry (ends with the browser). */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, sessionId: string): void {
  reply.header('set-cookie', `${SESSION_COOKIE}=${encodeURIComponent(sessionId)}; Path=/; HttpOnly; SameSite=Strict${isSecure(request) ? '; Secure' : ''}`);
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict${isSecure(request) ? '; Secure' : ''}`);
}
