import { Decimal } from 'decimal.js';
import type { ClientAttributeType, ClientPage } from '../../../src/web-client/page-definition';
import type { PlanExpr, PlanType } from '../../../src/web-client/nanoflow-plan';
import type { Guid, WireValue } from '../api/types';
import type { ObjectStore } from '../store/object-store';

/**
 * The expression language in the browser, over the syntax trees of a nanoflow's plan.
 * Numbers are decimal.js values (no binary floating point, as on the server), dates
 * are Dates, objects and lists refer to the object store by guid. `kiln check` has
 * type-checked every expression and allows only the functions evaluated here.
 */
export interface ObjectRef {
  readonly guid: Guid;
}
export interface ListRef {
  readonly guids: readonly Guid[];
}
export type NfValue = null | string | boolean | Decimal | Date | ObjectRef | ListRef;

export interface EvalEnv {
  readonly store: ObjectStore;
  readonly page: ClientPage;
  readonly vars: Map<string, NfValue>;
}

export class NanoflowError extends Error {}

export const isObject = (v: NfValue | undefined): v is ObjectRef => typeof v === 'object' && v !== null && 'guid' in v;
export const isList = (v: NfValue | undefined): v is ListRef => typeof v === 'object' && v !== null && 'guids' in v;

/** A member's type from the page's entity metadata (readable members only: the others are not in the client at all). */
function memberType(env: EvalEnv, guid: Guid, member: string): ClientAttributeType | 'Reference' | undefined {
  const entity = env.store.objectType(guid);
  const e = entity ? env.page.entities[entity] : undefined;
  if (!e) return undefined;
  if (e.attributes[member]) return e.attributes[member]!.type;
  return e.associations[member] ? 'Reference' : undefined;
}

/** An object's member as the language sees it (its value in the client's object store). */
export function memberValue(env: EvalEnv, guid: Guid, member: string): NfValue {
  return fromWire(env.store.get(guid, member), memberType(env, guid, member));
}

/** A value from the store as the language sees it. */
function fromWire(v: WireValue | undefined, type: ClientAttributeType | 'Reference' | undefined): NfValue {
  if (v === undefined || v === null || (v === '' && type !== 'String')) return null;
  switch (type) {
    case 'Integer':
    case 'Long':
    case 'AutoNumber':
    case 'Decimal':
      return new Decimal(String(v));
    case 'DateTime':
      return new Date(Number(v));
    case 'Boolean':
      return v === true || v === 'true';
    case 'Reference':
      return Array.isArray(v) ? { guids: v } : { guid: String(v) };
    default:
      return Array.isArray(v) ? v.join(', ') : String(v);
  }
}

/** A value for the store, as the member's type is sent to the server. */
export function toWire(v: NfValue, type: PlanType): WireValue {
  if (v === null) return null;
  switch (type) {
    case 'Integer':
      return asDecimal(v).round().toNumber();
    case 'Long':
      return asDecimal(v).round().toFixed(0);
    case 'Decimal':
      // The server keeps at most 8 fraction digits.
      return asDecimal(v).toDecimalPlaces(8).toString();
    case 'DateTime':
      return v instanceof Date ? v.getTime() : null;
    case 'Boolean':
      return v === true;
    case 'Object':
      return isObject(v) ? v.guid : null;
    default:
      return text(v);
  }
}

export function asDecimal(v: NfValue): Decimal {
  if (v instanceof Decimal) return v;
  throw new NanoflowError(`expected a number, got ${text(v)}`);
}

/** How a value reads in a message or a string concatenation (as toString does). */
export function text(v: NfValue): string {
  if (v === null) return '';
  if (v instanceof Decimal) return v.toString();
  if (v instanceof Date) return v.toISOString();
  if (isObject(v)) return v.guid;
  if (isList(v)) return v.guids.join(', ');
  return String(v);
}

export function compare(a: NfValue, b: NfValue): number {
  if (a instanceof Decimal && b instanceof Decimal) return a.comparedTo(b);
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  return text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0;
}

export function equal(a: NfValue, b: NfValue): boolean {
  if (a === null || b === null) return a === b || (a === null && b === '') || (b === null && a === '');
  if (isObject(a) && isObject(b)) return a.guid === b.guid;
  return compare(a, b) === 0;
}

export function evaluate(n: PlanExpr, env: EvalEnv): NfValue {
  switch (n.kind) {
    case 'literal':
      switch (n.valueKind) {
        case 'Integer':
        case 'Decimal':
          return new Decimal(n.text);
        case 'String':
          return n.text;
        case 'Boolean':
          return n.text === 'true';
        case 'Empty':
          return null;
      }
      return null;
    case 'variable': {
      if (!env.vars.has(n.name)) throw new NanoflowError(`$${n.name} has no value`);
      let v: NfValue = env.vars.get(n.name)!;
      for (const seg of n.path) {
        if (v === null) return null;
        if (!isObject(v)) throw new NanoflowError(`$${n.name}: ${seg.name} of something that is not an object`);
        const type = memberType(env, v.guid, seg.name);
        v = fromWire(env.store.get(v.guid, seg.name), type);
      }
      return v;
    }
    case 'enumValue':
      return n.name.slice(n.name.lastIndexOf('.') + 1);
    case 'constant':
      // The page definition carries exposed constants as literals; what is left is not for the browser.
      throw new NanoflowError(`@${n.name} is not available in the browser`);
    case 'token':
      if (/^CurrentDateTime$/i.test(n.name)) return new Date();
      throw new NanoflowError(`[%${n.name}%] is not available in the browser`);
    case 'unary': {
      const v = evaluate(n.operand, env);
      return n.op === 'not' ? v !== true : v === null ? null : asDecimal(v).neg();
    }
    case 'if':
      return evaluate(n.cond, env) === true ? evaluate(n.then, env) : evaluate(n.else, env);
    case 'binary':
      return binary(n.op, n.left, n.right, env);
    case 'call':
      return call(
        n.name,
        n.args.map((a) => evaluate(a, env)),
      );
  }
}

function binary(op: string, l: PlanExpr, r: PlanExpr, env: EvalEnv): NfValue {
  if (op === 'and') return evaluate(l, env) === true && evaluate(r, env) === true;
  if (op === 'or') return evaluate(l, env) === true || evaluate(r, env) === true;
  const a = evaluate(l, env);
  const b = evaluate(r, env);
  switch (op) {
    case '=':
      return equal(a, b);
    case '!=':
      return !equal(a, b);
    case '<':
      return compare(a, b) < 0;
    case '<=':
      return compare(a, b) <= 0;
    case '>':
      return compare(a, b) > 0;
    case '>=':
      return compare(a, b) >= 0;
    case '+':
      if (typeof a === 'string' || typeof b === 'string') return text(a) + text(b);
      if (a === null || b === null) return null;
      return asDecimal(a).plus(asDecimal(b));
  }
  // Arithmetic with an empty operand is empty (the server's engine raises an error; the form shows nothing rather than stopping the typing).
  if (a === null || b === null) return null;
  switch (op) {
    case '-':
      return asDecimal(a).minus(asDecimal(b));
    case '*':
      return asDecimal(a).times(asDecimal(b));
    case 'div':
      if (asDecimal(b).isZero()) throw new NanoflowError('division by zero');
      return asDecimal(a).div(asDecimal(b));
    case 'mod':
      return asDecimal(a).mod(asDecimal(b));
  }
  throw new NanoflowError(`unknown operator ${op}`);
}

function call(name: string, args: NfValue[]): NfValue {
  const s = (i: number) => text(args[i] ?? null);
  const d = (i: number) => asDecimal(args[i] ?? null);
  switch (name) {
    case 'toString':
      return s(0);
    case 'toUpperCase':
      return s(0).toUpperCase();
    case 'toLowerCase':
      return s(0).toLowerCase();
    case 'length':
      return new Decimal([...s(0)].length);
    case 'trim':
      return s(0).trim();
    case 'contains':
      return s(0).includes(s(1));
    case 'startsWith':
      return s(0).startsWith(s(1));
    case 'endsWith':
      return s(0).endsWith(s(1));
    case 'substring': {
      const chars = [...s(0)];
      const from = d(1).toNumber();
      return chars.slice(from, args.length > 2 ? from + d(2).toNumber() : undefined).join('');
    }
    case 'round':
      return args.length > 1 ? d(0).toDecimalPlaces(d(1).toNumber(), Decimal.ROUND_HALF_UP) : d(0).toDecimalPlaces(0, Decimal.ROUND_HALF_UP);
    case 'floor':
      return d(0).floor();
    case 'ceil':
      return d(0).ceil();
    case 'abs':
      return d(0).abs();
    case 'max':
      return Decimal.max(...args.map((_, i) => d(i)));
    case 'min':
      return Decimal.min(...args.map((_, i) => d(i)));
    case 'parseInteger': {
      if (!/^\s*-?\d+\s*$/.test(s(0))) throw new NanoflowError(`'${s(0)}' is not an integer`);
      return new Decimal(s(0).trim());
    }
    case 'parseDecimal': {
      if (!/^\s*-?(\d+\.?\d*|\.\d+)\s*$/.test(s(0))) throw new NanoflowError(`'${s(0)}' is not a decimal`);
      return new Decimal(s(0).trim());
    }
    default:
      throw new NanoflowError(`${name}() is not available in the browser`);
  }
}
