import { malformed } from '../errors.js';

/** Retrieve options of a runtime operation request. */
export interface RetrieveOptions {
  readonly offset: number;
  /** -1 = everything. */
  readonly amount: number;
  /** Client sort keys, `[[attribute, 'asc'|'desc'], ...]`; empty = the widget's sort. */
  readonly sort: readonly (readonly [string, 'asc' | 'desc'])[];
  readonly wantCount: boolean;
  /** XPath constraint from the client (search), `[...]`, or ''. */
  readonly extraXpath: string;
}

/** An object the client holds and sends back, as it was signed by the server. */
export interface ClientObject {
  readonly objectType: string;
  readonly guid: string;
  /** Member name -> value (the `{value}` wrappers removed). */
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly hash: string;
}

export interface RuntimeOperationRequest {
  readonly operationId: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly options: RetrieveOptions;
  /** guid -> member -> new value. */
  readonly changes: ReadonlyMap<string, ReadonlyMap<string, unknown>>;
  readonly objects: readonly ClientObject[];
}

const GUID_RE = /^\d{1,20}$/;
const MAX_AMOUNT = 10000;

function isRecord(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** Checks the shape of a `runtimeOperation` body; anything unexpected is a 400 naming the field. */
export function parseRuntimeOperation(body: Record<string, unknown>): RuntimeOperationRequest {
  const { operationId } = body;
  if (typeof operationId !== 'string' || operationId.length === 0 || operationId.length > 64) throw malformed('operationId', 'must be an operation id string');
  const params = body.params ?? {};
  if (!isRecord(params)) throw malformed('params', 'must be an object');
  return { operationId, params, options: parseOptions(body.options), changes: parseChanges(body.changes), objects: parseObjects(body.objects) };
}

function parseOptions(o: unknown): RetrieveOptions {
  if (o === undefined || o === null) return { offset: 0, amount: -1, sort: [], wantCount: false, extraXpath: '' };
  if (!isRecord(o)) throw malformed('options', 'must be an object');
  const offset = o.offset ?? 0;
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) throw malformed('options.offset', 'must be a non-negative integer');
  const amount = o.amount ?? -1;
  if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < -1 || amount > MAX_AMOUNT) throw malformed('options.amount', `must be an integer from 0 to ${MAX_AMOUNT}, or -1 for all`);
  const sortIn = o.sort ?? [];
  if (!Array.isArray(sortIn)) throw malformed('options.sort', 'must be a list of [attribute, "asc"|"desc"]');
  const sort = sortIn.map((s, i) => {
    if (!Array.isArray(s) || typeof s[0] !== 'string' || (s[1] !== 'asc' && s[1] !== 'desc' && s[1] !== undefined)) {
      throw malformed(`options.sort.${i}`, 'must be [attribute, "asc"|"desc"]');
    }
    return [s[0], (s[1] ?? 'asc') as 'asc' | 'desc'] as const;
  });
  const wantCount = o.wantCount ?? false;
  if (typeof wantCount !== 'boolean') throw malformed('options.wantCount', 'must be true or false');
  const extraXpath = o.extraXpath ?? '';
  if (typeof extraXpath !== 'string' || extraXpath.length > 10000) throw malformed('options.extraXpath', 'must be an XPath constraint string');
  return { offset, amount, sort, wantCount, extraXpath: extraXpath.trim() };
}

function parseChanges(c: unknown): Map<string, Map<string, unknown>> {
  const out = new Map<string, Map<string, unknown>>();
  if (c === undefined || c === null) return out;
  if (!isRecord(c)) throw malformed('changes', 'must be an object of guid -> {member: {value}}');
  for (const [guid, members] of Object.entries(c)) {
    if (!GUID_RE.test(guid)) throw malformed(`changes.${guid}`, 'is not an object id');
    if (!isRecord(members)) throw malformed(`changes.${guid}`, 'must be an object of member -> {value}');
    const m = new Map<string, unknown>();
    for (const [name, v] of Object.entries(members)) {
      if (!isRecord(v) || !('value' in v)) throw malformed(`changes.${guid}.${name}`, 'must be {value}');
      m.set(name, v.value);
    }
    out.set(guid, m);
  }
  return out;
}

function parseObjects(o: unknown): ClientObject[] {
  if (o === undefined || o === null) return [];
  if (!Array.isArray(o)) throw malformed('objects', 'must be a list');
  return o.map((x, i) => {
    const f = `objects.${i}`;
    if (!isRecord(x)) throw malformed(f, 'must be an object');
    if (typeof x.objectType !== 'string') throw malformed(`${f}.objectType`, 'must be an entity name');
    if (typeof x.guid !== 'string' || !GUID_RE.test(x.guid)) throw malformed(`${f}.guid`, 'must be an object id string');
    if (typeof x.hash !== 'string') throw malformed(`${f}.hash`, 'must be the signature the server sent');
    const attrsIn = x.attributes ?? {};
    if (!isRecord(attrsIn)) throw malformed(`${f}.attributes`, 'must be an object of member -> {value}');
    const attributes: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(attrsIn)) {
      if (!isRecord(v) || !('value' in v)) throw malformed(`${f}.attributes.${name}`, 'must be {value}');
      attributes[name] = v.value;
    }
    return { objectType: x.objectType, guid: x.guid, attributes, hash: x.hash };
  });
}

/** `params.Objects.guids` (commit, delete, rollback). */
export function objectGuids(params: Readonly<Record<string, unknown>>, name = 'Objects'): string[] {
  const p = params[name];
  if (!isRecord(p) || !Array.isArray(p.guids)) throw malformed(`params.${name}.guids`, 'must be a list of object ids');
  if (p.guids.length > MAX_AMOUNT) throw malformed(`params.${name}.guids`, `has more than ${MAX_AMOUNT} ids`);
  return p.guids.map((g, i) => {
    if (typeof g !== 'string' || !GUID_RE.test(g)) throw malformed(`params.${name}.guids.${i}`, 'must be an object id string');
    return g;
  });
}

/** A single-object parameter `params.<name>: {guid}` (microflow parameter, data view parameter). */
export function objectGuid(params: Readonly<Record<string, unknown>>, name: string): string | null {
  const p = params[name];
  if (p === undefined || p === null) return null;
  if (!isRecord(p) || typeof p.guid !== 'string' || !GUID_RE.test(p.guid)) throw malformed(`params.${name}`, 'must be {guid}');
  return p.guid;
}
