import { Value, ValueErrorType, type ValueError } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import type { Diagnostic } from '../diagnostics.js';
import type { SourceFile } from '../load/source-file.js';
import { closestName } from './suggest.js';
import { FILE_KINDS } from '../schema/index.js';

/**
 * Validates a file against the JSON Schema of its kind and reports every
 * violation. Returns the data with the offending parts cut away, so that the
 * semantic checks still run over the rest of the file and no error hides others;
 * undefined when nothing usable is left.
 */
export function checkSchema(file: SourceFile, out: Diagnostic[]): unknown {
  const schema: TSchema = FILE_KINDS[file.kind];
  // Most files are valid: a yes/no check costs half of listing the errors (which finds none).
  if (Value.Check(schema, file.data)) return cloneData(file.data);
  let data: unknown = cloneData(file.data);
  const seen = new Set<string>();
  /** Pointers cut in earlier rounds: what their removal makes invalid (an emptied widget, a now missing property) is no new problem. */
  const cutBefore: string[] = [];
  for (let round = 0; round < 8; round++) {
    const errors = [...Value.Errors(schema, data)];
    if (errors.length === 0) return data;
    const cutNow: string[] = [];
    for (const err of errors) {
      const consequence = cutBefore.some((c) => c === err.path || c.startsWith(`${err.path}/`));
      for (const e of consequence ? [err] : refineUnion(err)) {
        const path = pointerToPath(e.path);
        const msg = describe(e);
        const key = `${e.path}|${msg}`;
        if (!consequence && !seen.has(key) && !isSubsumed(e.path, seen)) {
          const atKey = e.type === ValueErrorType.ObjectAdditionalProperties;
          out.push(file.diagnostic(path, msg, 'error', { code: codeOf(e), ...suggestionFor(e, err), ...(atKey ? { atKey } : {}) }));
        }
        seen.add(key);
        // A missing property invalidates the object that lacks it; anything else, the value itself.
        const cut = e.type === ValueErrorType.ObjectRequiredProperty ? path.slice(0, -1) : path;
        if (cut.length === 0) return undefined;
        data = remove(data, cut);
        cutNow.push(e.type === ValueErrorType.ObjectRequiredProperty ? e.path.slice(0, e.path.lastIndexOf('/')) : e.path);
      }
    }
    cutBefore.push(...cutNow);
  }
  return Value.Check(schema, data) ? data : undefined;
}

/**
 * A value that matches no member of a union of objects: when one member shares
 * keys with it, that member's own errors (an unknown property, with a
 * suggestion) say more than "matches no allowed form"; when none does, its
 * unknown keys are the problem.
 */
function refineUnion(err: ValueError): ValueError[] {
  if (err.type !== ValueErrorType.Union) return [err];
  const value = err.value;
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [err];
  const members = ((err.schema as { anyOf?: TSchema[] }).anyOf ?? []).filter(
    (m) => (m as { type?: string }).type === 'object' && (m as { properties?: object }).properties,
  );
  if (members.length === 0) return [err];
  const keys = Object.keys(value);
  const propsOf = (m: TSchema) => Object.keys((m as unknown as { properties: object }).properties);
  let best: { errors: ValueError[]; overlap: number } | undefined;
  for (const m of members) {
    const overlap = keys.filter((k) => propsOf(m).includes(k)).length;
    if (overlap === 0) continue;
    const errors = [...Value.Errors(m, value)];
    if (!best || overlap > best.overlap || (overlap === best.overlap && errors.length < best.errors.length)) best = { errors, overlap };
  }
  if (best && best.errors.length > 0) return best.errors.map((e) => ({ ...e, path: `${err.path}${e.path}` }));
  const known = new Set(members.flatMap(propsOf));
  const unknown = keys.filter((k) => !known.has(k));
  if (unknown.length === 0) return [err];
  return unknown.map((k) => ({
    ...err,
    type: ValueErrorType.ObjectAdditionalProperties,
    path: `${err.path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`,
    schema: { properties: Object.fromEntries([...known].map((p) => [p, {}])) } as unknown as TSchema,
    value: (value as Record<string, unknown>)[k],
  }));
}

/** An error inside a value already reported (e.g. a union's members) adds nothing. */
function isSubsumed(pointer: string, seen: Set<string>): boolean {
  for (const k of seen) {
    const p = k.slice(0, k.indexOf('|'));
    if (p !== '' && pointer.startsWith(`${p}/`)) return true;
  }
  return false;
}

function remove(data: unknown, path: (string | number)[]): unknown {
  let node = data as Record<string | number, unknown> | unknown[] | undefined;
  for (const seg of path.slice(0, -1)) {
    if (!node || typeof node !== 'object') return data;
    node = (node as Record<string | number, unknown>)[seg] as typeof node;
  }
  const last = path[path.length - 1]!;
  if (Array.isArray(node)) node.splice(Number(last), 1);
  else if (node && typeof node === 'object') delete (node as Record<string | number, unknown>)[last];
  return data;
}

function pointerToPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function describe(err: ValueError): string {
  switch (err.type) {
    case ValueErrorType.ObjectAdditionalProperties: {
      const name = err.path.split('/').pop() ?? '';
      return `unknown property '${name}'`;
    }
    case ValueErrorType.ObjectRequiredProperty: {
      const name = err.path.split('/').pop() ?? '';
      return `required property '${name}' is missing`;
    }
    case ValueErrorType.Union:
      return `value does not match any allowed form: ${summarise(err.schema)}`;
    default:
      return `${err.message.charAt(0).toLowerCase()}${err.message.slice(1)}`;
  }
}

function summarise(schema: TSchema): string {
  const anyOf = (schema as { anyOf?: TSchema[] }).anyOf ?? [];
  return anyOf
    .map((s) => {
      const c = (s as { const?: unknown }).const;
      if (c !== undefined) return JSON.stringify(c);
      return (s as { type?: string }).type ?? 'value';
    })
    .join(' | ');
}

function codeOf(err: ValueError): string {
  switch (err.type) {
    case ValueErrorType.ObjectAdditionalProperties:
      return 'schema-unknown-property';
    case ValueErrorType.ObjectRequiredProperty:
      return 'schema-missing-property';
    default:
      return 'schema-invalid-value';
  }
}

/** For an unknown property, the nearest property the schema allows there. */
function suggestionFor(err: ValueError, _outer?: ValueError): { suggestion?: string } {
  if (err.type !== ValueErrorType.ObjectAdditionalProperties) return {};
  const name = err.path.split('/').pop() ?? '';
  const props = Object.keys((err.schema as { properties?: Record<string, unknown> }).properties ?? {});
  const s = closestName(name, props);
  return s ? { suggestion: s } : {};
}

/**
 * A copy of a file's parsed data (plain objects, arrays and scalars, as YAML and JSON give): the
 * checks cut and compile the copy, the file keeps what was written. Several times faster than
 * structuredClone, which serialises; like it, a value reached twice (a YAML alias) is copied
 * once, and a key `__proto__` stays an own property as the parser made it.
 */
function cloneData(v: unknown, seen = new Map<object, unknown>()): unknown {
  if (v === null || typeof v !== 'object') return v;
  const done = seen.get(v);
  if (done !== undefined) return done;
  if (Array.isArray(v)) {
    const out: unknown[] = new Array(v.length);
    seen.set(v, out);
    for (let i = 0; i < v.length; i++) out[i] = cloneData(v[i], seen);
    return out;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype) return structuredClone(v);
  const out: Record<string, unknown> = {};
  seen.set(v, out);
  for (const k of Object.keys(v)) {
    const c = cloneData((v as Record<string, unknown>)[k], seen);
    if (k === '__proto__') Object.defineProperty(out, k, { value: c, enumerable: true, writable: true, configurable: true });
    else out[k] = c;
  }
  return out;
}
