import { Decimal } from 'decimal.js';
import type { MxObject } from '../../objects/mx-object.js';
import type { Node } from './ast.js';
import { addUnits, beginOf, calendarBetween, endOf, formatDate, fromParts, parseDate, trimTo, type AddUnit, type PeriodUnit, type TrimUnit } from './dates.js';
import { formatDecimal, parseDecimalPattern } from './decimal-format.js';
import {
  checkInteger,
  Decimal34,
  ExactDecimal,
  ExpressionError,
  isMxObject,
  toBigInt,
  toDecimal,
  valueToString,
  type Evaluator,
  type Frame,
  type Value,
} from './runtime.js';
import { isIntegral, isLoose, isNumeric, T, typeToString, widen, type XType } from './types.js';
import type { CompiledModel } from '../../model/compiled/types.js';

/** What the compiler knows about one argument. */
export interface ArgInfo {
  readonly type: XType;
  /** The argument reads a DateTime attribute whose `localize` is off: non-UTC functions use UTC for it. */
  readonly utc: boolean;
  readonly node: Node;
  /** The argument's value when it is a literal (regex patterns are compiled once). */
  readonly literal?: string;
}

export interface FnDef {
  readonly min: number;
  readonly max: number;
  /** Result type, or an error message (with the index of the argument at fault). */
  check(args: readonly ArgInfo[], model: CompiledModel): XType | { readonly error: string; readonly arg?: number };
  build(args: readonly Evaluator[], info: readonly ArgInfo[], result: XType): Evaluator;
}

type P = 'String' | 'Integer' | 'Number' | 'DateTime' | 'Boolean' | 'Enum' | 'Object' | 'Any';

function fits(p: P, t: XType): boolean {
  if (isLoose(t)) return true;
  switch (p) {
    case 'Integer':
      return isIntegral(t);
    case 'Number':
      return isNumeric(t);
    case 'Enum':
      return t.kind === 'Enumeration';
    case 'Object':
      return t.kind === 'Object';
    case 'Any':
      return t.kind !== 'List' && t.kind !== 'Nothing';
    default:
      return t.kind === p;
  }
}

type Impl = (a: Value[], f: Frame, info: readonly ArgInfo[]) => Value;

/** A function with fixed parameter kinds (a trailing `?` marks optional ones). */
function fn(params: readonly string[], result: XType | ((args: readonly ArgInfo[]) => XType), impl: Impl): FnDef {
  const min = params.filter((p) => !p.endsWith('?')).length;
  const kinds = params.map((p) => p.replace('?', '') as P);
  return {
    min,
    max: params.length,
    check(args) {
      for (let i = 0; i < args.length; i++) {
        if (!fits(kinds[i]!, args[i]!.type))
          return {
            error: `argument ${i + 1} must be ${kinds[i] === 'Number' ? 'a number' : kinds[i] === 'Integer' ? 'an Integer or Long' : kinds[i]}, not ${typeToString(args[i]!.type)}`,
            arg: i,
          };
      }
      return typeof result === 'function' ? result(args) : result;
    },
    build(args, info) {
      const n = args.length;
      if (n === 1) {
        const a0 = args[0]!;
        return (f) => impl([a0(f)], f, info);
      }
      if (n === 2) {
        const a0 = args[0]!,
          a1 = args[1]!;
        return (f) => impl([a0(f), a1(f)], f, info);
      }
      return (f) =>
        impl(
          args.map((a) => a(f)),
          f,
          info,
        );
    },
  };
}

const str = (v: Value | undefined): string => (v === null || v === undefined ? '' : (v as string));
function req<V>(v: Value | undefined, what: string): V {
  if (v === null || v === undefined) throw new ExpressionError(`${what} is empty`);
  return v as V;
}
const int = (v: Value | undefined, what: string): number => Number(req<number | bigint>(v, what));
const date = (v: Value | undefined, what: string): Date => req<Date>(v, what);
const zoneOf = (f: Frame, info: readonly ArgInfo[], utc: boolean): string => (utc || info[0]?.utc ? 'UTC' : f.ctx.timeZone);

/** Java regex -> JavaScript: `\Q…\E` literals; the rest of the common syntax is shared. */
function javaRegex(source: string): string {
  return source.replace(/\\Q([\s\S]*?)(?:\\E|$)/g, (_, lit: string) => lit.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
}
const regexCache = new Map<string, RegExp>();
function regex(source: string, flags: string): RegExp {
  const key = `${flags}/${source}`;
  let r = regexCache.get(key);
  if (!r) {
    try {
      r = new RegExp(flags.includes('A') ? `^(?:${javaRegex(source)})$` : javaRegex(source), flags.replace('A', ''));
    } catch (e) {
      throw new ExpressionError(`invalid regular expression '${source}': ${(e as Error).message}`);
    }
    if (regexCache.size > 500) regexCache.clear();
    regexCache.set(key, r);
  }
  r.lastIndex = 0;
  return r;
}

/** Integer-or-Long results keep the kind of the argument. */
const integralOf = (t: XType): XType => (t.kind === 'Integer' ? T.Integer : T.Long);
function toIntegral(d: Decimal, t: XType): Value {
  return t.kind === 'Integer' ? checkInteger(d.toNumber()) : BigInt(d.toFixed(0));
}

function rounding(f: Frame): Decimal.Rounding {
  return f.ctx.roundHalfEven ? Decimal.ROUND_HALF_EVEN : Decimal.ROUND_HALF_UP;
}

function compareValues(a: Value, b: Value): number {
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return toDecimal(a).cmp(toDecimal(b));
}

function coerceNumber(v: Value, t: XType): Value {
  if (t.kind === 'Decimal') return toDecimal(v);
  if (t.kind === 'Long') return toBigInt(v);
  return v;
}

function minMax(sign: 1 | -1): FnDef {
  return {
    min: 1,
    max: 100,
    check(args) {
      const dates = args.every((a) => a.type.kind === 'DateTime' || isLoose(a.type));
      if (dates && args.some((a) => a.type.kind === 'DateTime')) return T.DateTime;
      let t: XType = T.Integer;
      for (let i = 0; i < args.length; i++) {
        if (!fits('Number', args[i]!.type)) return { error: `argument ${i + 1} must be a number or a date, not ${typeToString(args[i]!.type)}`, arg: i };
        if (!isLoose(args[i]!.type)) t = widen(t, args[i]!.type);
      }
      return t;
    },
    build(args, _info, result) {
      return (f) => {
        let best: Value = null;
        for (const a of args) {
          const v = req<Value>(a(f), 'an argument of max/min');
          if (best === null || sign * compareValues(v, best) > 0) best = v;
        }
        return result.kind === 'DateTime' ? best : coerceNumber(best, result);
      };
    },
  };
}

const addFns: [string, AddUnit, boolean][] = [];
for (const [name, unit] of [
  ['Milliseconds', 'milliseconds'],
  ['Seconds', 'seconds'],
  ['Minutes', 'minutes'],
  ['Hours', 'hours'],
  ['Days', 'days'],
  ['Weeks', 'weeks'],
  ['Months', 'months'],
  ['Quarters', 'quarters'],
  ['Years', 'years'],
] as const) {
  addFns.push([name, unit, false]);
  if (!['milliseconds', 'seconds', 'minutes', 'hours'].includes(unit)) addFns.push([`${name}UTC`, unit, true]);
}

const BETWEEN: [string, number][] = [
  ['milliseconds', 1],
  ['seconds', 1000],
  ['minutes', 60_000],
  ['hours', 3_600_000],
  ['days', 86_400_000],
  ['weeks', 604_800_000],
];

function buildFunctions(): Map<string, FnDef> {
  const F = new Map<string, FnDef>();

  // --- math
  F.set('max', minMax(1));
  F.set('min', minMax(-1));
  F.set(
    'round',
    fn(
      ['Number', 'Integer?'],
      (a) => (a.length === 2 ? T.Decimal : integralOf(a[0]!.type)),
      ([x, p], f, info) => {
        const d = toDecimal(req(x, 'the number to round'));
        if (info.length === 2) return new ExactDecimal(d.toDecimalPlaces(int(p!, 'the precision'), rounding(f)));
        return toIntegral(d.toDecimalPlaces(0, rounding(f)), info[0]!.type.kind === 'Integer' ? T.Integer : T.Long);
      },
    ),
  );
  F.set(
    'floor',
    fn(
      ['Number'],
      (a) => integralOf(a[0]!.type),
      ([x], _f, info) => toIntegral(toDecimal(req(x, 'the argument of floor')).floor(), info[0]!.type.kind === 'Integer' ? T.Integer : T.Long),
    ),
  );
  F.set(
    'ceil',
    fn(
      ['Number'],
      (a) => integralOf(a[0]!.type),
      ([x], _f, info) => toIntegral(toDecimal(req(x, 'the argument of ceil')).ceil(), info[0]!.type.kind === 'Integer' ? T.Integer : T.Long),
    ),
  );
  F.set(
    'abs',
    fn(
      ['Number'],
      (a) => (isLoose(a[0]!.type) ? T.Decimal : a[0]!.type),
      ([x]) => {
        const v = req<Value>(x, 'the argument of abs');
        if (typeof v === 'number') return Math.abs(v);
        if (typeof v === 'bigint') return v < 0n ? -v : v;
        return toDecimal(v).abs();
      },
    ),
  );
  F.set(
    'pow',
    fn(['Number', 'Number'], T.Decimal, ([a, b]) => {
      const base = toDecimal(req(a, 'the base of pow'));
      const e = toDecimal(req(b, 'the exponent of pow'));
      return e.isInteger() && e.abs().lte(1000) && e.gte(0) ? new ExactDecimal(base).pow(e) : new Decimal34(base).pow(e);
    }),
  );
  F.set(
    'sqrt',
    fn(['Number'], T.Decimal, ([x]) => {
      const d = toDecimal(req(x, 'the argument of sqrt'));
      if (d.isNegative()) throw new ExpressionError(`sqrt of a negative number (${d.toFixed()})`);
      return new Decimal34(d).sqrt();
    }),
  );
  F.set(
    'random',
    fn([], T.Decimal, () => new ExactDecimal(Math.random())),
  );

  // --- strings (empty reads as '')
  F.set(
    'toUpperCase',
    fn(['String'], T.String, ([s]) => str(s!).toUpperCase()),
  );
  F.set(
    'toLowerCase',
    fn(['String'], T.String, ([s]) => str(s!).toLowerCase()),
  );
  const lengthOfString = fn(['String'], T.Integer, ([s]) => str(s!).length);
  F.set('length', {
    min: 1,
    max: 1,
    // Real apps count a list with `length($List)` as well as a string's characters.
    check: (args, model) => (args[0]?.type.kind === 'List' ? T.Integer : lengthOfString.check(args, model)),
    build: (args, info, result) => {
      if (info[0]?.type.kind !== 'List') return lengthOfString.build(args, info, result);
      const list = args[0]!;
      return (f) => {
        const v = list(f);
        return Array.isArray(v) ? v.length : 0;
      };
    },
  });
  F.set(
    'trim',
    // biome-ignore lint/suspicious/noControlCharactersInRegex: trim() strips control characters as Java's String.trim does
    fn(['String'], T.String, ([s]) => str(s!).replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '')),
  );
  F.set(
    'substring',
    fn(['String', 'Integer', 'Integer?'], T.String, ([s, st, ln], _f, info) => {
      const text = str(s!);
      const start = int(st!, 'the start position');
      if (start < 0 || start > text.length) throw new ExpressionError(`substring: start position ${start} is outside the string of length ${text.length}`);
      if (info.length < 3) return text.slice(start);
      const len = int(ln!, 'the length');
      if (len < 0 || start + len > text.length)
        throw new ExpressionError(`substring: length ${len} from position ${start} runs past the end of the string of length ${text.length}`);
      return text.slice(start, start + len);
    }),
  );
  F.set(
    'find',
    fn(['String', 'String', 'Integer?'], T.Integer, ([s, t, from], _f, info) =>
      str(s!).indexOf(str(t!), info.length > 2 ? int(from!, 'the start position') : 0),
    ),
  );
  F.set(
    'findLast',
    fn(['String', 'String', 'Integer?'], T.Integer, ([s, t, upto], _f, info) => {
      const text = str(s!),
        sub = str(t!);
      if (info.length < 3) return text.lastIndexOf(sub);
      const last = int(upto!, 'the last position');
      // Searched up to and including `last`: the match must end by last+1.
      return text.slice(0, last + 1).lastIndexOf(sub);
    }),
  );
  F.set(
    'contains',
    fn(['String', 'String'], T.Boolean, ([s, t]) => str(s!).includes(str(t!))),
  );
  F.set(
    'startsWith',
    fn(['String', 'String'], T.Boolean, ([s, t]) => str(s!).startsWith(str(t!))),
  );
  F.set(
    'endsWith',
    fn(['String', 'String'], T.Boolean, ([s, t]) => str(s!).endsWith(str(t!))),
  );
  F.set(
    'isMatch',
    fn(['String', 'String'], T.Boolean, ([s, re]) => regex(str(re!), 'A').test(str(s!))),
  );
  F.set(
    'replaceAll',
    fn(['String', 'String', 'String'], T.String, ([s, re, r]) => {
      const rep = str(r!);
      return str(s!).replace(regex(str(re!), 'g'), () => rep);
    }),
  );
  F.set(
    'replaceFirst',
    fn(['String', 'String', 'String'], T.String, ([s, re, r]) => {
      const rep = str(r!);
      return str(s!).replace(regex(str(re!), ''), () => rep);
    }),
  );
  F.set(
    'urlEncode',
    fn(['String'], T.String, ([s]) =>
      encodeURIComponent(str(s!))
        .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
        .replace(/%20/g, '+'),
    ),
  );
  F.set(
    'urlDecode',
    fn(['String'], T.String, ([s]) => {
      try {
        return decodeURIComponent(str(s!).replace(/\+/g, ' '));
      } catch {
        throw new ExpressionError(`urlDecode: malformed encoded text '${str(s!)}'`);
      }
    }),
  );

  // --- dates
  const dateCreate = (utc: boolean) =>
    fn(['Integer', 'Integer?', 'Integer?', 'Integer?', 'Integer?', 'Integer?'], T.DateTime, (a, f) => {
      const n = a.map((v, i) => int(v, `argument ${i + 1} of dateTime`));
      return fromParts(utc ? 'UTC' : f.ctx.timeZone, n[0]!, n[1], n[2], n[3], n[4], n[5]);
    });
  F.set('dateTime', dateCreate(false));
  F.set('dateTimeUTC', dateCreate(true));
  for (const unit of ['Day', 'Week', 'Month', 'Year'] as const) {
    const u = unit.toLowerCase() as PeriodUnit;
    for (const utc of [false, true]) {
      F.set(
        `beginOf${unit}${utc ? 'UTC' : ''}`,
        fn(['DateTime'], T.DateTime, ([d], f, info) => beginOf(date(d!, 'the date'), u, zoneOf(f, info, utc)).toJSDate()),
      );
      F.set(
        `endOf${unit}${utc ? 'UTC' : ''}`,
        fn(['DateTime'], T.DateTime, ([d], f, info) => endOf(date(d!, 'the date'), u, zoneOf(f, info, utc))),
      );
    }
  }
  for (const [unit, ms] of BETWEEN) {
    F.set(
      `${unit}Between`,
      fn(['DateTime', 'DateTime'], T.Decimal, ([a, b]) => {
        const diff = Math.abs(date(b!, 'the second date').getTime() - date(a!, 'the first date').getTime());
        return unit === 'milliseconds' ? new ExactDecimal(diff) : new ExactDecimal(diff / ms);
      }),
    );
  }
  F.set(
    'calendarMonthsBetween',
    fn(['DateTime', 'DateTime'], T.Long, ([a, b], f) =>
      BigInt(calendarBetween(date(a!, 'the first date'), date(b!, 'the second date'), 'months', f.ctx.timeZone)),
    ),
  );
  F.set(
    'calendarYearsBetween',
    fn(['DateTime', 'DateTime'], T.Long, ([a, b], f) =>
      BigInt(calendarBetween(date(a!, 'the first date'), date(b!, 'the second date'), 'years', f.ctx.timeZone)),
    ),
  );
  for (const [name, unit, utc] of addFns) {
    for (const [verb, sign] of [
      ['add', 1],
      ['subtract', -1],
    ] as const) {
      F.set(
        `${verb}${name}`,
        fn(['DateTime', 'Integer'], T.DateTime, ([d, n], f, info) => addUnits(date(d!, 'the date'), unit, sign * int(n!, 'the amount'), zoneOf(f, info, utc))),
      );
    }
  }
  F.set(
    'trimToSeconds',
    fn(['DateTime'], T.DateTime, ([d]) => trimTo(date(d!, 'the date'), 'second', 'UTC')),
  );
  F.set(
    'trimToMinutes',
    fn(['DateTime'], T.DateTime, ([d]) => trimTo(date(d!, 'the date'), 'minute', 'UTC')),
  );
  for (const [name, unit] of [
    ['Hours', 'hour'],
    ['Days', 'day'],
    ['Months', 'month'],
    ['Years', 'year'],
  ] as const) {
    for (const utc of [false, true]) {
      F.set(
        `trimTo${name}${utc ? 'UTC' : ''}`,
        fn(['DateTime'], T.DateTime, ([d], f, info) => trimTo(date(d!, 'the date'), unit as TrimUnit, zoneOf(f, info, utc))),
      );
    }
  }

  // --- conversion
  F.set(
    'toString',
    fn(['Any'], T.String, ([v], f, info) => valueToString(v!, zoneOf(f, info, false))),
  );
  // Integer/Long in Mendix: the whole Long range parses (the result is a Long; assigning it to an Integer checks the range).
  F.set(
    'parseInteger',
    fn(['String', 'Integer?'], T.Long, ([s, def], _f, info) => {
      const text = str(s!).trim();
      if (/^[+-]?\d+$/.test(text)) {
        const n = BigInt(text);
        if (n >= -(1n << 63n) && n < 1n << 63n) return n;
      }
      if (info.length > 1) return def === null ? null : toBigInt(def!);
      throw new ExpressionError(`parseInteger: '${str(s!)}' is not an integer in the Long range`);
    }),
  );
  // parseDecimal(s[, default]) and, in microflows, parseDecimal(s, pattern[, default]) with a DecimalFormat pattern.
  F.set('parseDecimal', {
    min: 1,
    max: 3,
    check(args) {
      if (!fits('String', args[0]!.type)) return { error: `argument 1 must be String, not ${typeToString(args[0]!.type)}`, arg: 0 };
      const second = args[1]?.type;
      const withPattern = args.length === 3 || (second !== undefined && second.kind === 'String');
      if (withPattern && !fits('String', second!)) return { error: `argument 2 must be a format pattern (String), not ${typeToString(second!)}`, arg: 1 };
      const def = withPattern ? args[2] : args[1];
      if (def && !fits('Number', def.type))
        return { error: `the default value must be a number or empty, not ${typeToString(def.type)}`, arg: withPattern ? 2 : 1 };
      return T.Decimal;
    },
    build(args, info) {
      const withPattern = info.length === 3 || (info.length === 2 && info[1]!.type.kind === 'String');
      const [a0, a1, a2] = args;
      const defArg = withPattern ? a2 : a1;
      return (f) => {
        const raw = str(a0!(f));
        let parsed: Decimal | null = null;
        if (withPattern) parsed = parseDecimalPattern(raw, str(a1!(f)));
        else {
          const text = raw.trim();
          if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) parsed = new ExactDecimal(text);
        }
        if (parsed !== null) return parsed instanceof ExactDecimal ? parsed : new ExactDecimal(parsed);
        if (defArg) {
          const d = defArg(f);
          return d === null ? null : toDecimal(d);
        }
        throw new ExpressionError(`parseDecimal: '${raw}' is not a decimal number${withPattern ? ` in the format '${str(a1!(f))}'` : ''}`);
      };
    },
  });
  F.set(
    'formatDecimal',
    fn(['Number', 'String', 'String?'], T.String, ([v, p, loc], _f, info) =>
      formatDecimal(toDecimal(req(v!, 'the value to format')), str(p!), info.length > 2 ? str(loc!) : 'en-US'),
    ),
  );
  for (const utc of [false, true]) {
    const sfx = utc ? 'UTC' : '';
    F.set(
      `formatDateTime${sfx}`,
      fn(['DateTime', 'String?'], T.String, ([d, p], f, info) =>
        formatDate(date(d!, 'the date'), info.length > 1 ? str(p!) : 'EEE MMM dd HH:mm:ss z yyyy', zoneOf(f, info, utc)),
      ),
    );
    F.set(
      `formatDate${sfx}`,
      fn(['DateTime'], T.String, ([d], f, info) => formatDate(date(d!, 'the date'), 'M/d/yy', zoneOf(f, info, utc))),
    );
    F.set(
      `formatTime${sfx}`,
      fn(['DateTime'], T.String, ([d], f, info) => formatDate(date(d!, 'the date'), 'h:mm a', zoneOf(f, info, utc))),
    );
    F.set(
      `parseDateTime${sfx}`,
      fn(['String', 'String', 'DateTime?'], T.DateTime, ([s, p, def], f, info) => {
        const r = parseDate(str(s!), str(p!), utc ? 'UTC' : f.ctx.timeZone);
        if (r) return r;
        if (info.length > 2) return def ?? null;
        throw new ExpressionError(`parseDateTime: '${str(s!)}' does not match the pattern '${str(p!)}'`);
      }),
    );
  }
  F.set(
    'dateTimeToEpoch',
    fn(['DateTime'], T.Long, ([d]) => BigInt(date(d!, 'the date').getTime())),
  );
  F.set(
    'epochToDateTime',
    fn(['Integer'], T.DateTime, ([n]) => new Date(int(n!, 'the epoch milliseconds'))),
  );
  F.set(
    'getKey',
    fn(['Enum'], T.String, ([v]) => v ?? null),
  );
  F.set('getCaption', {
    min: 1,
    max: 1,
    check: (args) =>
      fits('Enum', args[0]!.type) ? T.String : { error: `argument 1 must be an enumeration value, not ${typeToString(args[0]!.type)}`, arg: 0 },
    build(args, info) {
      const a0 = args[0]!;
      const t = info[0]!.type;
      return (f) => {
        const key = a0(f) as string | null;
        if (key === null) return null;
        const e = t.kind === 'Enumeration' ? f.ctx.model.enumerations.get(t.enumeration) : undefined;
        return e?.values.find((v) => v.key === key)?.caption ?? key;
      };
    },
  });

  // --- checks
  F.set(
    'isNew',
    fn(['Object'], T.Boolean, ([o]) => (o !== null && isMxObject(o) ? (o as MxObject).state === 'new' : false)),
  );
  F.set(
    'not',
    fn(['Boolean'], T.Boolean, ([b]) => !req<boolean>(b!, 'the argument of not')),
  );
  return F;
}

export const FUNCTIONS: ReadonlyMap<string, FnDef> = buildFunctions();

/** Functions of the Mendix list that Kiln does not have, with the reason (reported by the checker). */
export const UNSUPPORTED: ReadonlyMap<string, string> = new Map([
  ['isSynced', 'isSynced is only available in nanoflows and the offline client; Kiln runs microflows on the server'],
  ['isSyncing', 'isSyncing is only available in nanoflows and the offline client; Kiln runs microflows on the server'],
  ['formatFloat', 'formatFloat is deprecated in Mendix (floats were removed); use formatDecimal'],
  ['parseFloat', 'parseFloat is deprecated in Mendix (floats were removed); use parseDecimal'],
]);
