import { compileValidator } from '../../http/validate.js';
import { surelyObjectParam, surelyObjectsParam, surelyRuntimeOperation } from '../../http/xas-wire-check.js';
import { ObjectParam, ObjectsParam, RuntimeOperationRequest as RuntimeOperationBody, type FilterWire } from '../../http/xas-wire.js';
import { malformed } from '../errors.js';

/**
 * A `runtimeOperation` request as the operations use it: defaults filled in,
 * `{value}` wrappers removed, changes as maps. The body's shape is the wire
 * schema's (src/http/xas-wire.ts), checked by the /xas/ dispatcher.
 */

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
  /** Column filters (structured; checked and compiled by the retrieve handler). */
  readonly filters: readonly FilterWire[];
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

const checkBody = compileValidator(RuntimeOperationBody, malformed, surelyRuntimeOperation);
const checkObjects = compileValidator(ObjectsParam, malformed, surelyObjectsParam);
const checkObject = compileValidator(ObjectParam, malformed, surelyObjectParam);

/** Checks a `runtimeOperation` body against its schema (a 400 naming the field) and converts it. */
export function parseRuntimeOperation(body: unknown): RuntimeOperationRequest {
  return toRuntimeOperation(checkBody(body));
}

/** Converts a body the schema accepted: `null` and absent fields become their defaults. */
export function toRuntimeOperation(body: RuntimeOperationBody): RuntimeOperationRequest {
  const o = body.options;
  const options: RetrieveOptions = {
    offset: o?.offset ?? 0,
    amount: o?.amount ?? -1,
    sort: (o?.sort ?? []).map((s) => [s[0], s[1] ?? 'asc'] as const),
    wantCount: o?.wantCount ?? false,
    extraXpath: (o?.extraXpath ?? '').trim(),
    filters: o?.filters ?? [],
  };
  // Walked by Object.keys, without the [key, value] pair Object.entries makes per member.
  const changes = new Map<string, Map<string, unknown>>();
  const bodyChanges = body.changes;
  if (bodyChanges) {
    for (const guid of Object.keys(bodyChanges)) {
      const members = bodyChanges[guid]!;
      const values = new Map<string, unknown>();
      for (const name of Object.keys(members)) values.set(name, members[name]!.value);
      changes.set(guid, values);
    }
  }
  const objects = (body.objects ?? []).map((x): ClientObject => {
    const attributes: Record<string, unknown> = {};
    const given = x.attributes;
    if (given) for (const name of Object.keys(given)) attributes[name] = given[name]!.value;
    return { objectType: x.objectType, guid: x.guid, attributes, hash: x.hash };
  });
  return { operationId: body.operationId, params: body.params ?? {}, options, changes, objects };
}

/** `params.Objects.guids` (commit, delete, rollback). */
export function objectGuids(params: Readonly<Record<string, unknown>>, name = 'Objects'): string[] {
  return checkObjects(params[name], `params.${name}`).guids;
}

/** A single-object parameter `params.<name>: {guid}` (microflow parameter, data view parameter). */
export function objectGuid(params: Readonly<Record<string, unknown>>, name: string): string | null {
  const p = params[name];
  if (p === undefined || p === null) return null;
  return checkObject(p, `params.${name}`).guid;
}
