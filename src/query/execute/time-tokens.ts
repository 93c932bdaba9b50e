import { DateTime, type DurationLikeObject } from 'luxon';
import type { XTokenTerm } from '../xpath/ast.js';

const UNIT: Record<string, keyof DurationLikeObject> = {
  SecondLength: 'seconds', MinuteLength: 'minutes', HourLength: 'hours', DayLength: 'days',
  WeekLength: 'weeks', MonthLength: 'months', YearLength: 'years',
};

const cache = new Map<string, { from: number; to: number; value: number }>();

const PERIOD: Record<string, { unit: 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year'; shiftDays?: number }> = {
  CurrentMinute: { unit: 'minute' }, CurrentHour: { unit: 'hour' }, CurrentDay: { unit: 'day' },
  Yesterday: { unit: 'day', shiftDays: -1 }, Tomorrow: { unit: 'day', shiftDays: 1 },
  CurrentWeek: { unit: 'week' }, CurrentMonth: { unit: 'month' }, CurrentYear: { unit: 'year' },
};

/**
 * The instant a time token stands for, in the user's time zone (or UTC for the
 * `...UTC` variants), with its offsets applied in calendar terms: adding a
 * month keeps the day of the month, a day keeps the wall-clock time over DST.
 * Weeks begin on Monday (ISO).
 */
export function timeTokenValue(base: string, terms: readonly XTokenTerm[], zone: string, now: Date): Date {
  let d: DateTime;
  if (base === 'CurrentDateTime') d = DateTime.fromJSDate(now, { zone });
  else {
    // A period token keeps its value for the whole current period: cache it until then.
    const key = `${base}|${zone}|${terms.map((t) => `${t.sign * t.factor}${t.token}`).join(',')}`;
    const ms = now.getTime();
    const hit = cache.get(key);
    if (hit && ms >= hit.from && ms < hit.to) return new Date(hit.value);
    const m = /^(BeginOf|EndOf)([A-Za-z]+?)(UTC)?$/.exec(base);
    const p = m ? PERIOD[m[2]!] : undefined;
    if (!m || !p) throw new Error(`unknown time token [%${base}%]`);
    const cur = DateTime.fromJSDate(now, { zone: m[3] ? 'UTC' : zone });
    d = cur;
    if (p.shiftDays) d = d.plus({ days: p.shiftDays });
    d = m[1] === 'BeginOf' ? d.startOf(p.unit) : d.endOf(p.unit);
    for (const t of terms) d = d.plus({ [UNIT[t.token] ?? 'days']: t.sign * t.factor });
    if (terms.some((t) => !UNIT[t.token])) throw new Error('not a duration token');
    const unit = p.unit;
    if (cache.size > 1000) cache.clear();
    cache.set(key, { from: cur.startOf(unit).toMillis(), to: cur.endOf(unit).toMillis() + 1, value: d.toMillis() });
    return d.toJSDate();
  }
  for (const t of terms) {
    const unit = UNIT[t.token];
    if (!unit) throw new Error(`[%${t.token}%] is not a duration token`);
    d = d.plus({ [unit]: t.sign * t.factor });
  }
  return d.toJSDate();
}

/** The zone's current UTC offset as '+hh:mm'. */
export function zoneOffset(zone: string, now: Date): string {
  return DateTime.fromJSDate(now, { zone }).toFormat('ZZ');
}
