import { createHmac, timingSafeEqual } from 'node:crypto';
import type { JsonValue } from './values.js';

/**
 * Signs the objects the client holds between requests (new objects, and
 * objects changed on the server but not committed), so the server can keep no
 * state: when they come back in `objects`, the signature proves the server
 * sent exactly that type, id, state and those values. HMAC-SHA256 keyed with
 * the deployment secret shared by every instance.
 */
export class ObjectSigner {
  constructor(private readonly secret: Buffer) {
    if (secret.length < 16) throw new Error('the deployment secret must be at least 16 bytes');
  }

  sign(objectType: string, guid: string, isNew: boolean, attributes: Readonly<Record<string, JsonValue | readonly string[]>>): string {
    return this.mac(objectType, guid, isNew, attributes).toString('base64');
  }

  /** Which state the signature vouches for: 'new', 'changed' (persisted, held by the client), or undefined when forged. */
  verify(objectType: string, guid: string, attributes: Readonly<Record<string, unknown>>, hash: string): 'new' | 'changed' | undefined {
    let given: Buffer;
    try { given = Buffer.from(hash, 'base64'); } catch { return undefined; }
    if (given.length !== 32) return undefined;
    if (timingSafeEqual(given, this.mac(objectType, guid, true, attributes))) return 'new';
    if (timingSafeEqual(given, this.mac(objectType, guid, false, attributes))) return 'changed';
    return undefined;
  }

  private mac(objectType: string, guid: string, isNew: boolean, attributes: Readonly<Record<string, unknown>>): Buffer {
    const names = Object.keys(attributes).sort();
    const canonical = JSON.stringify([objectType, guid, isNew ? 'new' : 'changed', names.map((n) => [n, attributes[n] ?? null])]);
    return createHmac('sha256', this.secret).update(canonical).digest();
  }
}
