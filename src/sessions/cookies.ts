import type { FastifyReply, FastifyRequest } from 'fastify';

/** Mendix's session cookie name. */
export const SESSION_COOKIE = 'XASSESSIONID';

/** The value of one cookie from the request's Cookie header, or undefined. */
export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const v = part.slice(eq + 1).trim();
      try { return decodeURIComponent(v); } catch { return undefined; }
    }
  }
  return undefined;
}

/**
 * Secure when the request came over TLS, or through a trusted proxy that says
 * https (Fastify's `request.protocol` reads X-Forwarded-Proto only when the
 * TrustProxy setting is on).
 */
export function isSecure(request: FastifyRequest): boolean {
  return request.protocol === 'https';
}

/** HttpOnly (scripts cannot read it), SameSite=Strict (not sent on cross-site requests), no expiry (ends with the browser). */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, sessionId: string): void {
  reply.header('set-cookie', `${SESSION_COOKIE}=${encodeURIComponent(sessionId)}; Path=/; HttpOnly; SameSite=Strict${isSecure(request) ? '; Secure' : ''}`);
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict${isSecure(request) ? '; Secure' : ''}`);
}
