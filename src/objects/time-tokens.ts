import { DateTime, type DurationLikeObject } from 'luxon';

/**
 * The time tokens (`[%BeginOfCurrentWeek%]`, `[%EndOfTomorrowUTC%]`, …) and
 * the periods they stand for: one implementation for XPath and the expression
 * language, so that both give the same instant for the same moment and user.
 *
 * Weeks begin on the first day of the user's locale (as Mendix documents for
 * `beginOfWeek` and the week tokens). Kiln formats, parses and numbers weeks
 * in en-US for every user (it has no user locale yet), so that first day is
 * Sunday — the same week `formatDateTime(d, 'w')` and XPath's
 * `weekday-from-dateTime` (1 = Sunday) count with.
 */

/** The first day of the week as luxon numbers weekdays (1 = Monday … 7 = Sunday): Sunday, the en-US locale's. */
export const FIRST_DAY_OF_WEEK = 7;

export type Period = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';

/** Midnight of the first day of `dt`'s week, in `dt`'s zone (the first valid instant of that day when midnight falls in a DST gap). */
export function startOfWeek(dt: DateTime): DateTime {
  const back = (dt.weekday - FIRST_DAY_OF_WEEK + 7) % 7;
  return (back ? dt.minus({ days: back }) : dt).startOf('day');
}

/** The first instant of the period holding `dt`, in `dt`'s zone. */
export function beginOfPeriod(dt: DateTime, unit: Period): DateTime {
  return unit === 'week' ? startOfWeek(dt) : dt.startOf(unit);
}

/** The last millisecond of the period holding `dt`, in `dt`'s zone. */
export function endOfPeriod(dt: DateTime, unit: Period): DateTime {
  if (unit !== 'week') return dt.endOf(unit);
  return startOfWeek(startOfWeek(dt).plus({ days: 7 })).minus({ milliseconds: 1 });
}

/** One `± factor * [%<Unit>Length%]` term of a token expression (XPath's `XTokenTerm`). */
export interface TimeTokenTerm {
  readonly sign: 1 | -1;
  readonly factor: number;
  readonly token: string;
}

/** The duration tokens and the calendar unit each adds. */
export const DURATION_UNITS: Readonly<Record<string, keyof DurationLikeObject>> = {
  SecondLength: 'seconds',
  MinuteLength: 'minutes',
  HourLength: 'hours',
  DayLength: 'days',
  WeekLength: 'weeks',
  MonthLength: 'months',
  YearLength: 'years',
};

const PERIODS: Readonly<Record<string, { readonly unit: Period; readonly shiftDays?: number }>> = {
  CurrentMinute: { unit: 'minute' },
  CurrentHour: { unit: 'hour' },
  CurrentDay: { unit: 'day' },
  Yesterday: { unit: 'day', shiftDays: -1 },
  Tomorrow: { unit: 'day', shiftDays: 1 },
  CurrentWeek: { unit: 'week' },
  CurrentMonth: { unit: 'month' },
  CurrentYear: { unit: 'year' },
};

/** A period token read: `BeginOfYesterdayUTC` is the beginning of the day before today, in UTC. */
export interface PeriodToken {
  readonly begin: boolean;
  readonly unit: Period;
  readonly shiftDays: number;
  readonly utc: boolean;
}

const parsed = new Map<string, PeriodToken | null>();

/** The period token `name` (`BeginOf…`/`EndOf…` + period + optional `UTC`), or undefined when it is none. */
export function periodToken(name: string): PeriodToken | undefined {
  let t = parsed.get(name);
  if (t === undefined) {
    const m = /^(BeginOf|EndOf)([A-Za-z]+?)(UTC)?$/.exec(name);
    const p = m ? PERIODS[m[2]!] : undefined;
    t = m && p ? { begin: m[1] === 'BeginOf', unit: p.unit, shiftDays: p.shiftDays ?? 0, utc: !!m[3] } : null;
    if (parsed.size > 1000) parsed.clear();
    parsed.set(name, t);
  }
  return t ?? undefined;
}

/** The instant of a period token at `now`, for a user in `zone` (UTC for the `…UTC` forms). */
export function periodTokenValue(token: PeriodToken, zone: string, now: Date): DateTime {
  let d = DateTime.fromMillis(now.getTime(), { zone: token.utc ? 'UTC' : zone });
  if (token.shiftDays) d = d.plus({ days: token.shiftDays });
  return token.begin ? beginOfPeriod(d, token.unit) : endOfPeriod(d, token.unit);
}

const cache = new Map<string, { from: number; to: number; value: number }>();

/**
 * The instant a token expression stands for (`[%BeginOfCurrentDay%] - 3 *
 * [%DayLength%]`), in the user's time zone (or UTC for the `…UTC` variants),
 * with its offsets applied in calendar terms: adding a month keeps the day of
 * the month, a day keeps the wall-clock time over DST. A period token keeps its
 * value for the whole current period, so it is cached until the period ends.
 * Throws for an unknown token.
 */
export function timeTokenValue(base: string, terms: readonly TimeTokenTerm[], zone: string, now: Date): Date {
  let d: DateTime;
  if (base === 'CurrentDateTime') d = DateTime.fromJSDate(now, { zone });
  else {
    const key = `${base}|${zone}|${terms.map((t) => `${t.sign * t.factor}${t.token}`).join(',')}`;
    const ms = now.getTime();
    const hit = cache.get(key);
    if (hit && ms >= hit.from && ms < hit.to) return new Date(hit.value);
    const token = periodToken(base);
    if (!token) throw new Error(`unknown time token [%${base}%]`);
    d = periodTokenValue(token, zone, now);
    for (const t of terms) d = d.plus({ [DURATION_UNITS[t.token] ?? 'days']: t.sign * t.factor });
    if (terms.some((t) => !DURATION_UNITS[t.token])) throw new Error('not a duration token');
    const cur = DateTime.fromMillis(ms, { zone: token.utc ? 'UTC' : zone });
    if (cache.size > 1000) cache.clear();
    cache.set(key, { from: beginOfPeriod(cur, token.unit).toMillis(), to: endOfPeriod(cur, token.unit).toMillis() + 1, value: d.toMillis() });
    return d.toJSDate();
  }
  for (const t of terms) {
    const unit = DURATION_UNITS[t.token];
    if (!unit) throw new Error(`[%${t.token}%] is not a duration token`);
    d = d.plus({ [unit]: t.sign * t.factor });
  }
  return d.toJSDate();
}
