import type { Value, XType } from '../../logic/index.js';
import { ExactDecimal } from '../../logic/index.js';
import type { MxObject } from '../../objects/mx-object.js';

/**
 * A queued task's arguments as stored in `system$queuedtask.arguments`: JSON
 * that any instance can read back. Objects travel as their ids (they are
 * committed, so the task reads them fresh in its own transaction); Long and
 * Decimal as exact text; DateTime as epoch milliseconds.
 */
export type StoredArgument = { readonly id: string } | { readonly ids: readonly string[] } | { readonly value: string | number | boolean | null };

/** The JSON text of the arguments. */
export function encodeArguments(args: ReadonlyMap<string, { readonly type: XType; readonly value: Value }>): string {
  const out: Record<string, StoredArgument> = {};
  for (const [name, { type, value }] of args) {
    if (type.kind === 'Object') out[name] = value === null ? { value: null } : { id: (value as MxObject).id.toString() };
    else if (type.kind === 'List') out[name] = { ids: ((value ?? []) as readonly MxObject[]).map((o) => o.id.toString()) };
    else out[name] = { value: primitive(value) };
  }
  return JSON.stringify(out);
}

function primitive(v: Value): string | number | boolean | null {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return v.getTime();
  if (v instanceof ExactDecimal || (typeof v === 'object' && 'toFixed' in v)) return String(v);
  throw new Error(`a task argument of this kind cannot be stored: ${typeof v}`);
}

/** What decoding gives: primitive values by name, and the object ids to load (by name). */
export interface DecodedArguments {
  readonly values: Record<string, Value>;
  readonly objects: ReadonlyMap<string, { readonly ids: readonly bigint[]; readonly list: boolean }>;
}

/** Reads the JSON text back against the microflow's parameter types (the task's microflow as the model has it now). */
export function decodeArguments(text: string, parameters: readonly { readonly name: string; readonly type: XType }[]): DecodedArguments {
  const raw = JSON.parse(text) as Record<string, StoredArgument | undefined>;
  const values: Record<string, Value> = {};
  const objects = new Map<string, { ids: bigint[]; list: boolean }>();
  for (const p of parameters) {
    const a = raw[p.name];
    if (a === undefined) throw new Error(`the task has no argument for parameter ${p.name} (the model changed since it was queued?)`);
    if ('ids' in a) objects.set(p.name, { ids: a.ids.map((s) => BigInt(s)), list: true });
    else if ('id' in a) objects.set(p.name, { ids: [BigInt(a.id)], list: false });
    else values[p.name] = fromJson(a.value, p.type);
  }
  return { values, objects };
}

function fromJson(v: string | number | boolean | null, t: XType): Value {
  if (v === null) return null;
  switch (t.kind) {
    case 'Long':
      return BigInt(v as string);
    case 'Decimal':
      return new ExactDecimal(v as string);
    case 'DateTime':
      return new Date(v as number);
    default:
      return v;
  }
}
