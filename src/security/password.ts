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
  if (!hash || !isBcryptHash(hash)) return false;
  return hashPool().compare(plain, hash);
}

export function isBcryptHash(s: string): boolean {
  return /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/.test(s);
}

/** The cost a stored hash was made with (to re-hash after the setting changed). */
export function costOf(hash: string): number | undefined {
  const m = /^\$2[aby]\$(\d{2})\$/.exec(hash);
  return m ? Number(m[1]) : undefined;
}

/**
 * A hash of a random password at the configured cost. A login for an unknown
 * user (or one whose stored hash is missing) is verified against it, so every
 * failed login costs one bcrypt comparison and takes the same time.
 */
export class DummyHash {
  private hash: Promise<string> | undefined;
  constructor(private readonly cost: number) {}
  get(): Promise<string> {
    this.hash ??= hashPassword(randomBytes(16).toString('hex'), this.cost);
    return this.hash;
  }
}
