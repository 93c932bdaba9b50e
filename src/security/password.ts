import { randomBytes } from 'node:crypto';
import { hashPool } from './hash-pool.js';

/**
 * HashedString values: bcrypt (salted, slow, cost from the HashAlgorithmCost
 * setting). The stored text is the standard `$2b$<cost>$...` form, so a hash
 * made with another cost still verifies after the setting changes. Hashing
 * and comparing run on the worker threads of hash-pool.ts, never on the event loop.
 */
const MIN_COST = 4;
const MAX_COST = 31;

export function checkCost(cost: number): number {
  if (!Number.isInteger(cost) || cost < MIN_COST || cost > MAX_COST) {
    throw new Error(`HashAlgorithmCost must be a whole number from ${MIN_COST} to ${MAX_COST}, got ${cost}`);
  }
  return cost;
}

export async function hashPassword(plain: string, cost: number): Promise<string> {
  return hashPool().hash(plain, checkCost(cost));
}

/** False for a null or malformed hash: a user without a password cannot log in. */
export async function verifyPassword(plain: string, hash: string | null): Promise<boolean> {
  const h = hash === null ? null : withoutMendixPrefix(hash);
  if (!h || !isBcryptHash(h)) return false;
  return hashPool().compare(plain, h);
}

/** Mendix stores its bcrypt hashes as `{BCrypt}$2a$...`: a user of a Mendix database logs in with the password Mendix knew. */
function withoutMendixPrefix(hash: string): string {
  return hash.startsWith('{BCrypt}') ? hash.slice('{BCrypt}'.length) : hash;
}

export function isBcryptHash(s: string): boolean {
  return /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/.test(s);
}

/** The cost a stored hash was made with (to re-hash after the setting changed). */
export function costOf(hash: string): number | undefined {
  const m = /^\$2[aby]\$(\d{2})\$/.exec(withoutMendixPrefix(hash));
  return m ? Number(m[1]) : undefined;
}

/** bcrypt's own base64 alphabet (not RFC 4648's). */
const BCRYPT_BASE64 = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `bytes` in bcrypt's base64, `chars` characters long (the last one padded with zero bits). */
function bcryptBase64(bytes: Uint8Array, chars: number): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6 && out.length < chars) {
      bits -= 6;
      out += BCRYPT_BASE64[(acc >> bits) & 63];
    }
    acc &= (1 << bits) - 1;
  }
  if (out.length < chars) out += BCRYPT_BASE64[(acc << (6 - bits)) & 63];
  return out;
}

/**
 * A well-formed bcrypt hash at the configured cost that no password matches.
 * A login for an unknown user (or one whose stored hash is missing) is
 * verified against it, so every failed login costs one bcrypt comparison at
 * that cost and takes the same time. It is random salt and random digest
 * rather than the hash of a random password: the comparison costs the same
 * (bcrypt recomputes the digest from the salt either way), and start-up does
 * not spend a bcrypt computation (0.1-0.4 s) on making it.
 */
export class DummyHash {
  private readonly hash: string;
  constructor(cost: number) {
    // 16 bytes of salt in 22 characters, 23 bytes of digest in 31, as bcrypt writes them.
    this.hash = `$2b$${String(checkCost(cost)).padStart(2, '0')}$${bcryptBase64(randomBytes(16), 22)}${bcryptBase64(randomBytes(23), 31)}`;
  }
  get(): Promise<string> {
    return Promise.resolve(this.hash);
  }
}
