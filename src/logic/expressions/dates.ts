import { DateTime, type DateTimeUnit } from 'luxon';
import { beginOfPeriod, endOfPeriod, periodToken, periodTokenValue } from '../../objects/time-tokens.js';
import { ExpressionError } from './runtime.js';

/**
 * Date arithmetic in a time zone, with luxon. Non-UTC expression functions
 * use the user's zone (or UTC for attributes that are not localized); calendar
 * units (days and up) follow wall-clock time across daylight-saving changes,
 * clock units (hours and below) are exact durations.
 */
function inZone(d: Date, zone: string): DateTime {
  return DateTime.fromMillis(d.getTime(), { zone });
}

export function fromParts(zone: string, year: number, month = 1, day = 1, hour = 0, minute = 0, second = 0): Date {
  const dt = DateTime.fromObject({ year, month, day, hour, minute, second, millisecond: 0 }, { zone });
  if (!dt.isValid)
    throw new ExpressionError(`invalid date ${year}-${month}-${day} ${hour}:${minute}:${second}: ${dt.invalidExplanation ?? dt.invalidReason ?? ''}`);
  return dt.toJSDate();
}

export type AddUnit = 'milliseconds' | 'seconds' | 'minutes' | 'hours' | 'days' | 'weeks' | 'months' | 'quarters' | 'years';
const CLOCK_MS: Partial<Record<AddUnit, number>> = { milliseconds: 1, seconds: 1000, minutes: 60_000, hours: 3_600_000 };

export function addUnits(d: Date, unit: AddUnit, amount: number, zone: string): Date {
  const ms = CLOCK_MS[unit];
  if (ms !== undefined) return new Date(d.getTime() + amount * ms);
  const dt = inZone(d, zone).plus({ [unit]: amount });
  return dt.toJSDate();
}

export type TrimUnit = 'second' | 'minute' | 'hour' | 'day' | 'month' | 'year';
export function trimTo(d: Date, unit: TrimUnit, zone: string): Date {
  return inZone(d, zone)
    .startOf(unit as DateTimeUnit)
    .toJSDate();
}

export type PeriodUnit = 'day' | 'week' | 'month' | 'year';
/** The beginning of the period holding `d` in `zone`; weeks begin on the locale's first day (src/objects/time-tokens.ts). */
export function beginOf(d: Date, unit: PeriodUnit, zone: string): DateTime {
  return beginOfPeriod(inZone(d, zone), unit);
}

export function endOf(d: Date, unit: PeriodUnit, zone: string): Date {
  return endOfPeriod(inZone(d, zone), unit).toJSDate();
}

/** Whole calendar months or years between two dates in a zone, time ignored; never negative. */
export function calendarBetween(a: Date, b: Date, unit: 'months' | 'years', zone: string): number {
  let x = inZone(a, zone).startOf('day');
  let y = inZone(b, zone).startOf('day');
  if (x > y) [x, y] = [y, x];
  const months = (y.year - x.year) * 12 + (y.month - x.month) - (y.day < x.day && y.day !== y.daysInMonth ? 1 : 0);
  return unit === 'months' ? months : Math.floor(months / 12);
}

/**
 * Java SimpleDateFormat pattern -> luxon format. Letters without a luxon
 * equivalent are kept literal; quoted text stays quoted.
 */
function javaPatternToLuxon(pattern: string, dt?: DateTime): string {
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      const close = pattern.indexOf("'", i + 1);
      if (close === i + 1) {
        out += "'\\''";
        i += 2;
        continue;
      }
      const lit = close < 0 ? pattern.slice(i + 1) : pattern.slice(i + 1, close);
      out += `'${lit}'`;
      i = close < 0 ? pattern.length : close + 1;
      continue;
    }
    if (!/[A-Za-z]/.test(c)) {
      out += c;
      i++;
      continue;
    }
    let j = i;
    while (pattern[j] === c) j++;
    const n = j - i;
    const computed = dt ? computedRun(c, n, dt) : undefined;
    out += computed !== undefined ? `'${computed}'` : mapRun(c, n);
    i = j;
  }
  return out;
}

function mapRun(c: string, n: number): string {
  switch (c) {
    case 'y':
      return n === 2 ? 'yy' : n === 1 ? 'y' : 'yyyy';
    case 'Y':
      return 'kkkk';
    case 'M':
    case 'L':
      return n >= 4 ? c.repeat(4) : c.repeat(n);
    case 'd':
      return n >= 2 ? 'dd' : 'd';
    case 'D':
      return n >= 3 ? 'ooo' : 'o';
    case 'E':
      return n >= 4 ? 'EEEE' : 'EEE';
    case 'u':
      return 'E';
    case 'a':
      return 'a';
    case 'H':
    case 'k':
      return n >= 2 ? 'HH' : 'H';
    case 'h':
    case 'K':
      return n >= 2 ? 'hh' : 'h';
    case 'm':
      return n >= 2 ? 'mm' : 'm';
    case 's':
      return n >= 2 ? 'ss' : 's';
    case 'S':
      return 'SSS';
    case 'z':
      return n >= 4 ? 'ZZZZZ' : 'ZZZZ';
    case 'Z':
      return 'ZZZ';
    case 'X':
      return n === 1 ? 'ZZZ' : 'ZZ';
    case 'w':
      return n >= 2 ? 'WW' : 'W';
    case 'G':
      return 'G';
    default:
      return `'${c.repeat(n)}'`;
  }
}

/**
 * Java letters luxon has no token for, or means differently, computed from the
 * date: `k` (hour 1–24), `K` (hour 0–11), `F` (day-of-week occurrence in the
 * month), `W` (week in month), `w`/`Y` (week and week year of the en-US
 * calendar: weeks start on Sunday, week 1 holds January 1st), `X` (ISO offset,
 * `Z` for UTC), `S` (milliseconds as a number).
 */
function computedRun(c: string, n: number, dt: DateTime): string | undefined {
  const pad = (v: number) => String(v).padStart(n, '0');
  switch (c) {
    case 'k':
      return pad(dt.hour === 0 ? 24 : dt.hour);
    case 'K':
      return pad(dt.hour % 12);
    case 'F':
      return pad(Math.ceil(dt.day / 7));
    case 'W':
      return pad(Math.floor((dt.day - 1 + (dt.startOf('month').weekday % 7)) / 7) + 1);
    case 'w':
      return pad(usWeek(dt).week);
    case 'Y': {
      const y = usWeek(dt).year;
      return n === 2 ? String(y % 100).padStart(2, '0') : pad(y);
    }
    case 'S':
      return pad(dt.millisecond);
    case 'X': {
      if (dt.offset === 0) return 'Z';
      const sign = dt.offset < 0 ? '-' : '+';
      const h = String(Math.floor(Math.abs(dt.offset) / 60)).padStart(2, '0');
      const m = String(Math.abs(dt.offset) % 60).padStart(2, '0');
      return n === 1 ? `${sign}${h}` : n === 2 ? `${sign}${h}${m}` : `${sign}${h}:${m}`;
    }
    default:
      return undefined;
  }
}

/** Week of year in the en-US calendar (Sunday first, week 1 contains January 1st). */
function usWeek(dt: DateTime): { week: number; year: number } {
  const sunday = (x: DateTime) => x.startOf('day').minus({ days: x.weekday % 7 });
  const nextYear = sunday(DateTime.fromObject({ year: dt.year + 1, month: 1, day: 1 }, { zone: dt.zone }));
  if (dt >= nextYear) return { week: 1, year: dt.year + 1 };
  const first = sunday(DateTime.fromObject({ year: dt.year, month: 1, day: 1 }, { zone: dt.zone }));
  return { week: Math.floor(dt.startOf('day').diff(first, 'days').days / 7 + 1e-9) + 1, year: dt.year };
}

export function formatDate(d: Date, pattern: string, zone: string): string {
  const dt = inZone(d, zone).setLocale('en-US');
  return dt.toFormat(javaPatternToLuxon(pattern, dt));
}

/** Java's Date.toString() (`Mon Jan 01 00:00:00 CET 2007`) in a zone: what Mendix's toString gives for a DateTime. */
export function javaDateString(d: Date, zone: string): string {
  return formatDate(d, 'EEE MMM dd HH:mm:ss z yyyy', zone);
}

export function parseDate(s: string, pattern: string, zone: string): Date | null {
  const dt = DateTime.fromFormat(s, javaPatternToLuxon(pattern), { zone, locale: 'en-US' });
  if (dt.isValid) return dt.toJSDate();
  return lenientParse(s, pattern, zone);
}

/**
 * Java's SimpleDateFormat is lenient: a date-like text that is not a valid
 * date rolls over (`35-11-2015` with `dd-MM-yyyy` is 5 December 2015), as
 * Mendix documents for parseDateTime. Done for numeric patterns (y M d H m s S
 * and literals); anything else stays strict.
 */
function lenientParse(s: string, pattern: string, zone: string): Date | null {
  const fields: string[] = [];
  let re = '';
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i]!;
    if (c === "'") {
      const close = pattern.indexOf("'", i + 1);
      const lit = close === i + 1 ? "'" : pattern.slice(i + 1, close < 0 ? undefined : close);
      re += lit.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      i = close < 0 ? pattern.length : close + 1;
      continue;
    }
    if (/[A-Za-z]/.test(c)) {
      if (!'yMdHmsS'.includes(c)) return null;
      let j = i;
      while (pattern[j] === c) j++;
      fields.push(c);
      re += '(\\d+)';
      i = j;
      continue;
    }
    re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    i++;
  }
  const m = new RegExp(`^${re}$`).exec(s.trim());
  if (!m) return null;
  const v: Record<string, number> = { y: 1970, M: 1, d: 1, H: 0, m: 0, s: 0, S: 0 };
  fields.forEach((f, k) => {
    v[f] = Number(m[k + 1]);
  });
  // Roll the fields over on a zone-less calendar, then read the wall-clock time in the zone.
  const w = DateTime.utc(v.y!, 1, 1).plus({ months: v.M! - 1, days: v.d! - 1, hours: v.H!, minutes: v.m!, seconds: v.s!, milliseconds: v.S! });
  if (!w.isValid) return null;
  const dt = DateTime.fromObject(
    { year: w.year, month: w.month, day: w.day, hour: w.hour, minute: w.minute, second: w.second, millisecond: w.millisecond },
    { zone },
  );
  return dt.isValid ? dt.toJSDate() : null;
}

/** Values of the date tokens (`[%BeginOfCurrentDay%]`, …) at `now` in `zone`: the rule XPath uses too (src/objects/time-tokens.ts). */
export function tokenValue(name: string, now: Date, userZone: string): Date | undefined {
  if (name === 'CurrentDateTime' || name === 'CurrentDateTimeUTC') return now;
  const token = periodToken(name);
  return token ? periodTokenValue(token, userZone, now).toJSDate() : undefined;
}
