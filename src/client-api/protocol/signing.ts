import * as crypto from 'node:crypto';
import { createHash, createHmac, timingSafeEqual, type Hash } from 'node:crypto';
import type { JsonValue } from './values.js';

/** Default for how long a signed object stays valid (the SignedObjectMaxAge setting): one day. */
export const DEFAULT_SIGNED_OBJECT_MAX_AGE = 24 * 60 * 60 * 1000;
/** Clocks of the instances of a cluster may differ this much: a signature "from the future" within it is accepted. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
/** Bytes of the `hash` (base64, 44 characters, as Mendix's). */
const HASH_BYTES = 32;
/** Layout: issued-at (seconds, 4 bytes) | version (changedDate ms + 1, 6 bytes; 0 = none) | MAC (22 bytes). */
const MAC_OFFSET = 10;
/** Session signers kept (their keys derived once per session, not per request); the oldest is dropped beyond this. */
const SESSION_KEYS = 4096;
/** SHA-256's block: the HMAC key is padded (or hashed) to it. */
const SHA256_BLOCK = 64;

/** What a valid signature vouches for. */
export interface Signed {
  readonly state: 'new' | 'changed';
  /** changedDate (epoch ms) of the persisted object the client's copy was made from; null for new objects or entities without changedDate. */
  readonly version: number | null;
}

/** Why a signature is refused. */
export type Refusal = 'invalid' | 'expired';

/**
 * Signs the objects the client holds between requests (new objects, and
 * objects changed on the server but not committed), so the server can keep no
 * state: when they come back in `objects`, the signature proves the server
 * sent exactly that type, id, state and those values, to this session, from
 * that version of the object, not longer ago than the maximum age.
 *
 * The key is per session: HMAC-SHA256(deployment secret, session id), so every
 * instance of a cluster (which shares the deployment secret through the
 * database) derives it, the session id itself is never part of the payload,
 * and an object signed for one session (another user's, or the anonymous
 * session before a login, which rotates the session id) is refused in any
 * other. The `hash` keeps Mendix's shape (32 bytes, base64): it carries the
 * time of signing and the object's version (changedDate) next to a 176-bit MAC
 * over all of it.
 */
export class ObjectSigner {
  /**
   * By session id: deriving the key is an HMAC per writing request otherwise. The key is a
   * function of the secret and the session id alone, so a kept one signs and verifies
   * exactly as a fresh one; a request reaches it only with that session's cookie.
   */
  private readonly sessions = new Map<string, SessionSigner>();

  constructor(
    private readonly secret: Buffer,
    private readonly maxAgeMs: number = DEFAULT_SIGNED_OBJECT_MAX_AGE,
    private readonly now: () => number = Date.now,
  ) {
    if (secret.length < 16) throw new Error('the deployment secret must be at least 16 bytes');
  }

  /** The signer for one session (null: no session, security off). */
  forSession(sessionId: string | null): SessionSigner {
    const id = sessionId ?? '';
    let signer = this.sessions.get(id);
    if (signer) return signer;
    const key = createHmac('sha256', this.secret).update(`kiln/client-objects/v2\0${id}`).digest();
    signer = new SessionSigner(key, this.maxAgeMs, this.now);
    if (this.sessions.size >= SESSION_KEYS) this.sessions.delete(this.sessions.keys().next().value!);
    this.sessions.set(id, signer);
    return signer;
  }
}

/**
 * Node's one-shot digest (20.12 and later): no Hash object per call. Where it is missing, the
 * copies of the pads' hash states below are used.
 */
const oneShot = (crypto as { hash?: (algorithm: string, data: Buffer, encoding: 'buffer') => Buffer }).hash;

/** The inner hash's input, reused by every MAC (signing is synchronous): the ipad block, the header, the text. */
let innerInput = Buffer.alloc(1024);

export class SessionSigner {
  /**
   * HMAC-SHA256 with this key (RFC 2104: H((K ^ opad) || H((K ^ ipad) || m)), K zero-padded to
   * the 64-byte block). With one-shot digests: the padded blocks kept, each hash one call over
   * one buffer. Otherwise: the pads' hash states kept, each MAC copying them. The same MAC as
   * createHmac's either way.
   */
  private readonly ipad: Buffer;
  /** The opad block followed by room for the inner digest. */
  private readonly outerInput: Buffer;
  /** The pads' hash states, made only where there is no one-shot digest. */
  private readonly inner: Hash | undefined;
  private readonly outer: Hash | undefined;

  constructor(
    key: Buffer,
    private readonly maxAgeMs: number,
    private readonly now: () => number,
  ) {
    // Keys longer than a block are hashed first (RFC 2104); ours are 32 bytes, but stay exact.
    const k = key.length > SHA256_BLOCK ? createHash('sha256').update(key).digest() : key;
    const ipad = Buffer.alloc(SHA256_BLOCK, 0x36);
    const opad = Buffer.alloc(SHA256_BLOCK, 0x5c);
    for (let i = 0; i < k.length; i++) {
      ipad[i]! ^= k[i]!;
      opad[i]! ^= k[i]!;
    }
    this.ipad = ipad;
    this.outerInput = Buffer.concat([opad, Buffer.alloc(32)]);
    this.inner = oneShot ? undefined : createHash('sha256').update(ipad);
    this.outer = oneShot ? undefined : createHash('sha256').update(opad);
  }

  sign(objectType: string, guid: string, isNew: boolean, attributes: Readonly<Record<string, JsonValue | readonly string[]>>, version: number | null): string {
    return this.signCanonical(canonicalText(objectType, guid, isNew, attributes), isNew, version);
  }

  /**
   * `sign` given the canonical text of what it signs (canonicalText(objectType, guid, isNew,
   * attributes), byte for byte): for a writer that has the values' JSON text already.
   */
  signCanonical(canonical: string, isNew: boolean, version: number | null): string {
    const out = Buffer.alloc(HASH_BYTES);
    out.writeUInt32BE(Math.floor(this.now() / 1000), 0);
    out.writeUIntBE(isNew || version === null ? 0 : version + 1, 4, 6);
    this.macOf(out, canonical).copy(out, MAC_OFFSET, 0, HASH_BYTES - MAC_OFFSET);
    return out.toString('base64');
  }

  /** What the signature vouches for, or why it is refused ('invalid': forged, altered, or signed for another session). */
  verify(objectType: string, guid: string, attributes: Readonly<Record<string, unknown>>, hash: string): Signed | Refusal {
    if (!/^[A-Za-z0-9+/]{43}=$/.test(hash)) return 'invalid';
    const given = Buffer.from(hash, 'base64');
    if (given.length !== HASH_BYTES) return 'invalid';
    const mac = given.subarray(MAC_OFFSET);
    const v = given.readUIntBE(4, 6);
    // The state is inside the MAC, not the layout: try 'new' first (what the client sends back
    // most), 'changed' only when that fails. A new object is signed with version 0, so a
    // non-zero version can only be 'changed'. Which one matched is no secret (the answer says).
    let state: 'new' | 'changed' | undefined;
    if (v === 0 && this.matches(mac, given, objectType, guid, true, attributes)) state = 'new';
    else if (this.matches(mac, given, objectType, guid, false, attributes)) state = 'changed';
    if (!state) return 'invalid';
    const age = this.now() - given.readUInt32BE(0) * 1000;
    if (age > this.maxAgeMs || age < -CLOCK_SKEW_MS) return 'expired';
    return { state, version: v === 0 ? null : v - 1 };
  }

  private matches(mac: Buffer, header: Buffer, objectType: string, guid: string, isNew: boolean, attributes: Readonly<Record<string, unknown>>): boolean {
    return timingSafeEqual(mac, this.mac(header, objectType, guid, isNew, attributes).subarray(0, HASH_BYTES - MAC_OFFSET));
  }

  private mac(header: Buffer, objectType: string, guid: string, isNew: boolean, attributes: Readonly<Record<string, unknown>>): Buffer {
    return this.macOf(header, canonicalText(objectType, guid, isNew, attributes));
  }

  /** HMAC-SHA256(key, header's first MAC_OFFSET bytes || canonical as UTF-8). */
  private macOf(header: Buffer, canonical: string): Buffer {
    if (oneShot === undefined) {
      const inner = this.inner!.copy().update(header.subarray(0, MAC_OFFSET)).update(canonical).digest();
      return this.outer!.copy().update(inner).digest();
    }
    const at = SHA256_BLOCK + MAC_OFFSET;
    // A UTF-8 character that does not fit is not written at all: with fewer than 4 bytes left the
    // text may have been cut, and it is written again into a buffer of its exact size.
    let n = innerInput.write(canonical, at, 'utf8');
    if (n > innerInput.length - at - 4) {
      innerInput = Buffer.alloc(at + Buffer.byteLength(canonical) + 1024);
      n = innerInput.write(canonical, at, 'utf8');
    }
    this.ipad.copy(innerInput, 0);
    header.copy(innerInput, SHA256_BLOCK, 0, MAC_OFFSET);
    const outerInput = this.outerInput;
    oneShot('sha256', innerInput.subarray(0, at + n), 'buffer').copy(outerInput, SHA256_BLOCK);
    return oneShot('sha256', outerInput, 'buffer');
  }
}

/** What the MAC covers after the header: the type, id, state and values (by name) as JSON text. */
export function canonicalText(objectType: string, guid: string, isNew: boolean, attributes: Readonly<Record<string, unknown>>): string {
  const names = Object.keys(attributes).sort();
  return JSON.stringify([objectType, guid, isNew ? 'new' : 'changed', names.map((n) => [n, attributes[n] ?? null])]);
}
