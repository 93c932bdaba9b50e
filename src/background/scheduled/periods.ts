import { DateTime } from 'luxon';
import type { CScheduledEvent, ScheduledEventUnit } from '../../model/compiled/scheduled-events.js';

/** What the period arithmetic needs of an event. */
export type Schedule = Pick<CScheduledEvent, 'startMs' | 'every' | 'unit' | 'timeZone'>;

/** Units of fixed length: elapsed time, not the wall clock (an hourly event runs every 60 minutes across a DST change). */
const FIXED_MS: Partial<Record<ScheduledEventUnit, number>> = { seconds: 1000, minutes: 60000, hours: 3600000 };
/** Average lengths of the calendar units: only to guess an index that is then corrected. */
const APPROX_MS: Record<ScheduledEventUnit, number> = {
  seconds: 1000,
  minutes: 60000,
  hours: 3600000,
  days: 86400000,
  weeks: 7 * 86400000,
  months: 30.436875 * 86400000,
  years: 365.2425 * 86400000,
};

/**
 * The start of period k (k >= 0), epoch milliseconds: start + k * interval.
 * Days and longer are calendar arithmetic in the event's zone from the start
 * (never from the previous period), as Mendix does: the local time of day is
 * kept across daylight-saving changes, so a DST day has one run like any other
 * (a time the spring change skips moves forward by the gap; a time the autumn
 * change repeats is taken once, at its first occurrence); a day the month
 * lacks falls on its last day (the 31st runs on 30 April and 28 February, and
 * on 31 May again).
 */
export function periodStart(s: Schedule, k: number): number {
  const fixed = FIXED_MS[s.unit];
  if (fixed !== undefined) return s.startMs + k * s.every * fixed;
  return DateTime.fromMillis(s.startMs, { zone: s.timeZone })
    .plus({ [s.unit]: k * s.every })
    .toMillis();
}

/** The index of the period that contains time t (the last one starting at or before t); -1 before the start. */
export function periodIndexAt(s: Schedule, t: number): number {
  if (t < s.startMs) return -1;
  const fixed = FIXED_MS[s.unit];
  if (fixed !== undefined) return Math.floor((t - s.startMs) / (s.every * fixed));
  let k = Math.max(0, Math.floor((t - s.startMs) / (s.every * APPROX_MS[s.unit])));
  while (k > 0 && periodStart(s, k) > t) k--;
  while (periodStart(s, k + 1) <= t) k++;
  return k;
}
