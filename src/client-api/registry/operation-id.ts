import { createHash } from 'node:crypto';

/**
 * A stable opaque id for an operation: the first 128 bits of a SHA-256 over the
 * operation's defining content (type, page, widget path, constants, parameters),
 * in base64 without padding — 22 characters like Mendix's `reyg/iaSXkaXmyztuaHbsA`.
 * The same model gives the same ids on every instance and after every restart;
 * nothing about the operation can be read back from the id.
 */
export function operationId(definingContent: unknown): string {
  return createHash('sha256').update(stableJson(definingContent)).digest().subarray(0, 16).toString('base64').replace(/=+$/, '');
}

/** JSON with object keys sorted, so key order in the model never changes an id. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
