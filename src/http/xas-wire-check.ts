/**
 * A quick check of a `runtimeOperation` body (xas-wire.ts's RuntimeOperationRequest) for the
 * shapes the client sends, ahead of TypeBox's compiled check: that one walks every record with
 * Object.entries and `every` (a [key, value] pair and a closure call per member) and tests each
 * member name against `^(.*)$`, on every request. This one only answers "certainly valid": true
 * only for a body TypeBox's check accepts too; false whenever it is not sure (an unusual shape,
 * column filters, a name with a line break), and then the validator runs TypeBox's check, which
 * decides — and names the field of a 400 — exactly as before (validate.ts).
 */

/**
 * An object as TypeBox's record check wants it (not an array, a Date or bytes). Only a plain
 * object (Object.prototype, as JSON.parse makes them) is certainly neither a Date nor bytes, and
 * this is cheaper than the two instanceof checks; any other prototype is left to TypeBox.
 */
function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/** An object as TypeBox's object check wants it (not an array). */
function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Up to 18 decimal digits: certainly a Guid (the pattern allows up to 9223372036854775807); longer ones are left to TypeBox. */
function isShortGuid(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 18) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** A member name TypeBox's `^(.*)$` matches: no line terminator (with one, TypeBox skips the value's check; left to it). */
function isPlainName(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) return false;
  }
  return true;
}

/** member -> `{value}` (MemberValue records of changes and of objects' attributes). */
function isMemberValues(v: unknown): boolean {
  if (!isRecord(v)) return false;
  const names = Object.keys(v);
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const m = v[name];
    if (!isPlainName(name) || !isObject(m) || !('value' in m)) return false;
  }
  return true;
}

function isChanges(v: unknown): boolean {
  if (!isRecord(v)) return false;
  const guids = Object.keys(v);
  for (let i = 0; i < guids.length; i++) {
    const guid = guids[i]!;
    if (!isShortGuid(guid) || !isMemberValues(v[guid])) return false;
  }
  return true;
}

function isObjects(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) {
    const o: unknown = v[i];
    if (!isObject(o)) return false;
    const { objectType, guid, attributes, hash } = o;
    if (typeof objectType !== 'string' || typeof guid !== 'string' || !isShortGuid(guid) || typeof hash !== 'string') return false;
    if (attributes !== undefined && attributes !== null && !isMemberValues(attributes)) return false;
  }
  return true;
}

function isIntegerIn(v: unknown, min: number, max: number): boolean {
  return Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
}

function isSort(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) {
    const s: unknown = v[i];
    if (!Array.isArray(s) || typeof s[0] !== 'string') return false;
    if (s.length === 2) {
      if (s[1] !== 'asc' && s[1] !== 'desc') return false;
    } else if (s.length !== 1) return false;
  }
  return true;
}

/** Retrieve options; column filters (an array with any filter in it) are left to TypeBox. */
function isOptions(v: unknown): boolean {
  if (!isObject(v)) return false;
  const { offset, amount, sort, wantCount, extraXpath, filters } = v;
  return (
    (offset === undefined || offset === null || isIntegerIn(offset, 0, Number.MAX_SAFE_INTEGER)) &&
    (amount === undefined || amount === null || isIntegerIn(amount, -1, 10000)) &&
    (sort === undefined || sort === null || isSort(sort)) &&
    (wantCount === undefined || wantCount === null || typeof wantCount === 'boolean') &&
    (extraXpath === undefined || extraXpath === null || (typeof extraXpath === 'string' && extraXpath.length <= 10000)) &&
    (filters === undefined || filters === null || (Array.isArray(filters) && filters.length === 0))
  );
}

/** True only for a body xas-wire.ts's RuntimeOperationRequest accepts (see above); false: ask TypeBox. */
export function surelyRuntimeOperation(body: unknown): boolean {
  if (!isObject(body)) return false;
  const { action, operationId, params, options, changes, objects } = body;
  const async_ = body.async;
  return (
    action === 'runtimeOperation' &&
    typeof operationId === 'string' &&
    operationId.length >= 1 &&
    operationId.length <= 64 &&
    (params === undefined || params === null || isRecord(params)) &&
    (options === undefined || options === null || isOptions(options)) &&
    (changes === undefined || changes === null || isChanges(changes)) &&
    (objects === undefined || objects === null || isObjects(objects)) &&
    (async_ === undefined || async_ === null || typeof async_ === 'boolean')
  );
}

/** True only for a value xas-wire.ts's ObjectsParam accepts (`{guids: [...]}` of short guids); false: ask TypeBox. */
export function surelyObjectsParam(value: unknown): boolean {
  if (!isObject(value)) return false;
  const guids = value.guids;
  if (!Array.isArray(guids) || guids.length > 10000) return false;
  for (let i = 0; i < guids.length; i++) {
    const g: unknown = guids[i];
    if (typeof g !== 'string' || !isShortGuid(g)) return false;
  }
  return true;
}

/** True only for a value xas-wire.ts's ObjectParam accepts (`{guid}`, a short guid); false: ask TypeBox. */
export function surelyObjectParam(value: unknown): boolean {
  if (!isObject(value)) return false;
  const guid = value.guid;
  return typeof guid === 'string' && isShortGuid(guid);
}
