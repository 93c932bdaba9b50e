import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * What the database holds instead of a session's secrets (ASVS 3.2.3 / 3.5):
 * the SHA-256 of the session id the cookie carries, and the SHA-256 of the
 * CSRF token. Base64url without padding: 43 characters, within the
 * 50-character System.Session columns. Anyone who reads the table (a backup,
 * a SQL injection elsewhere) learns neither the cookie nor the token.
 */
export function secretHash(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}

/**
 * The session's CSRF token: HMAC-SHA256(deployment secret, session id). Not
 * stored: derived whenever the client needs it again (get_session_data in a
 * new tab), identically on every instance of a cluster (they share the
 * deployment secret), and unknowable from the database, which holds only
 * hashes.
 */
export function csrfTokenFor(secret: Buffer, sessionId: string): string {
  return createHmac('sha256', secret).update(`kiln/csrf/v1\0${sessionId}`).digest('base64url');
}

/** Whether a token sent by a client has the stored hash (constant time). */
export function matchesHash(token: string, storedHash: string): boolean {
  const a = Buffer.from(secretHash(token));
  const b = Buffer.from(storedHash);
  return a.length === b.length && timingSafeEqual(a, b);
}
