import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { malformedRequest } from '../core/errors.js';

/** Makes the error a mismatch is answered with: a 400 naming the field, by default `malformed request: '<field>' <problem>`. */
export type Malformed = (field: string, problem: string) => Error;

/** Checks a value against the schema it was compiled for; returns it typed, or throws a 400 naming the first failing field. */
export type Validator<T> = (value: unknown, at?: string) => T;

/**
 * Makes a validator of a schema (call at start-up, not per request): the schema is compiled at
 * the validator's first call, so that a start does not compile the checks of requests it may
 * never get (TypeBox's compiler generates code and hands it to `new Function`, which V8's code
 * cache of the CLI does not keep). `at` prefixes the field names (`params.Objects` when checking
 * that parameter). `surely`, when given, is a quicker check that answers true only for values
 * the schema accepts (false when unsure): then the schema's check is skipped.
 */
export function compileValidator<S extends TSchema>(
  schema: S,
  malformed: Malformed = malformedRequest,
  surely?: (value: unknown) => boolean,
): Validator<Static<S>> {
  let compiled: ReturnType<typeof TypeCompiler.Compile<S>> | undefined;
  return (value, at = '') => {
    // A quicker check that is true only for values the schema accepts (xas-wire-check.ts); when
    // it is not sure, the schema's own check decides.
    if (surely?.(value)) return value as Static<S>;
    const check = (compiled ??= TypeCompiler.Compile(schema));
    if (check.Check(value)) return value;
    const first = check.Errors(value).First();
    const { path, problem } = first ? describe(first) : { path: '', problem: undefined };
    const field = [
      at,
      ...path
        .split('/')
        .slice(1)
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')),
    ]
      .filter((s) => s !== '')
      .join('.');
    return fail(malformed(field || 'body', problem ?? `is invalid (${first?.message ?? 'unexpected value'})`));
  };
}

function fail(e: Error): never {
  throw e;
}

/**
 * The field and problem of a mismatch. A union (`x | null`, alternative shapes)
 * reports the deepest mismatch among its variants that has a message of its
 * own, so `changes.<guid>.<member>` is named rather than `changes`.
 */
function describe(e: ValueError): { path: string; problem: string | undefined } {
  if (e.type === ValueErrorType.Union) {
    let best: { path: string; problem: string | undefined } | undefined;
    for (const variant of e.errors) {
      const first = variant.First();
      if (!first) continue;
      const d = describe(first);
      if (d.problem !== undefined && d.path.length > e.path.length && (!best || d.path.length > best.path.length)) best = d;
    }
    if (best) return best;
  }
  const own = (e.schema as { errorMessage?: unknown }).errorMessage;
  if (typeof own === 'string') return { path: e.path, problem: own };
  return { path: e.path, problem: e.type === ValueErrorType.ObjectRequiredProperty ? 'is required' : undefined };
}

/**
 * The field holding the first string (or object key) with a NUL character
 * (`params.username`, `changes.<guid>.<member>`), or undefined. PostgreSQL
 * refuses U+0000 in text, so such input is refused up front on every database
 * (400), instead of failing in the driver. Walks without recursion.
 */
export function fieldWithNul(value: unknown): string | undefined {
  // Every /xas/ body is checked and nearly none has a NUL: look first without building field paths.
  return hasNul(value) ? nulPath(value) : undefined;
}

function hasNul(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (v.includes('\0')) return true;
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push(v[i]);
    } else if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        if (k.includes('\0')) return true;
        stack.push((v as Record<string, unknown>)[k]);
      }
    }
  }
  return false;
}

function nulPath(value: unknown): string | undefined {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length) {
    const [v, at] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\0')) return at || 'body';
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], at ? `${at}.${i}` : String(i)]);
    } else if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i]!;
        const path = at ? `${at}.${k}` : k;
        if (k.includes('\0')) return at || 'body';
        stack.push([(v as Record<string, unknown>)[k], path]);
      }
    }
  }
  return undefined;
}
