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
function matchesHash(token: string, storedHash: string): boolean {
  return sameText(secretHash(token), storedHash);
}

function sameText(x: string, y: string): boolean {
  const a = Buffer.from(x);
  const b = Buffer.from(y);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Per session (the session cache's object), the token whose hash matched its stored one. */
const matched = new WeakMap<{ readonly csrfHash: string }, string>();

/**
 * Whether a client's CSRF token is the session's: its hash is the stored one. The token that
 * matched is remembered with the session's cached object, so the session's next requests
 * compare it (in constant time) rather than hashing again (a SHA-256 per state-changing
 * request, about a tenth of an overview's CPU time). The answer is the same: the remembered
 * token is one whose hash matched, and any other is hashed and compared as before. The token is
 * no secret from this process (it derives it from the session id, csrfTokenFor).
 */
export function matchesSessionToken(session: { readonly csrfHash: string }, token: string): boolean {
  const known = matched.get(session);
  if (known !== undefined && sameText(token, known)) return true;
  if (!matchesHash(token, session.csrfHash)) return false;
  matched.set(session, token);
  return true;
}
