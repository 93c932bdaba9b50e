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
  let data: unknown = structuredClone(file.data);
  const seen = new Set<string>();
  for (let round = 0; round < 8; round++) {
    const errors = [...Value.Errors(schema, data)];
    if (errors.length === 0) return data;
    for (const err of errors) {
      const path = pointerToPath(err.path);
      const msg = describe(err);
      const key = `${err.path}|${msg}`;
      if (!seen.has(key) && !isSubsumed(err.path, seen)) out.push(file.diagnostic(path, msg, 'error', { code: codeOf(err), ...suggestionFor(err) }));
      seen.add(key);
      // A missing property invalidates the object that lacks it; anything else, the value itself.
      const cut = err.type === ValueErrorType.ObjectRequiredProperty ? path.slice(0, -1) : path;
      if (cut.length === 0) return undefined;
      data = remove(data, cut);
    }
  }
  return Value.Check(schema, data) ? data : undefined;
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
function suggestionFor(err: ValueError): { suggestion?: string } {
  if (err.type !== ValueErrorType.ObjectAdditionalProperties) return {};
  const name = err.path.split('/').pop() ?? '';
  const props = Object.keys((err.schema as { properties?: Record<string, unknown> }).properties ?? {});
  const s = closestName(name, props);
  return s ? { suggestion: s } : {};
}
