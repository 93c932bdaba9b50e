import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { periodIndexAt, periodStart, type Schedule } from '../../src/background/scheduled/periods.js';

/** Mendix's calendar rules for the periods start + k * interval. */
const at = (iso: string, zone = 'UTC') => DateTime.fromISO(iso, { zone }).toMillis();
const local = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");
const iso = (ms: number) => new Date(ms).toISOString();
const periods = (s: Schedule, n: number) => Array.from({ length: n }, (_, k) => periodStart(s, k));

describe('scheduled-event periods', () => {
  it('seconds, minutes and hours are elapsed time from the start', () => {
    const s: Schedule = { startMs: at('2026-01-01T00:00:00Z'), every: 5, unit: 'minutes', timeZone: 'UTC' };
    expect(periods(s, 3).map(iso)).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-01T00:05:00.000Z', '2026-01-01T00:10:00.000Z']);
    expect(periodStart({ ...s, every: 1, unit: 'seconds' }, 86400)).toBe(at('2026-01-02T00:00:00Z'));
    // An hourly event in a zone with DST still runs every 60 minutes: the autumn day has 25 runs.
    const hourly: Schedule = { startMs: at('2026-10-25T00:00', 'Europe/Amsterdam'), every: 1, unit: 'hours', timeZone: 'Europe/Amsterdam' };
    const dayEnd = at('2026-10-26T00:00', 'Europe/Amsterdam');
    expect(periods(hourly, 30).filter((p) => p < dayEnd)).toHaveLength(25);
  });

  it('a day the month lacks falls on its last day, and the next month is back on the day', () => {
    const s: Schedule = { startMs: at('2026-01-31T10:00:00Z'), every: 1, unit: 'months', timeZone: 'UTC' };
    expect(periods(s, 5).map(iso)).toEqual([
      '2026-01-31T10:00:00.000Z',
      '2026-02-28T10:00:00.000Z',
      '2026-03-31T10:00:00.000Z',
      '2026-04-30T10:00:00.000Z',
      '2026-05-31T10:00:00.000Z',
    ]);
    const leap: Schedule = { startMs: at('2024-02-29T00:00:00Z'), every: 1, unit: 'years', timeZone: 'UTC' };
    expect(periods(leap, 5).map(iso)).toEqual([
      '2024-02-29T00:00:00.000Z',
      '2025-02-28T00:00:00.000Z',
      '2026-02-28T00:00:00.000Z',
      '2027-02-28T00:00:00.000Z',
      '2028-02-29T00:00:00.000Z',
    ]);
    const quarterly: Schedule = { startMs: at('2026-08-31T06:00:00Z'), every: 3, unit: 'months', timeZone: 'UTC' };
    expect(periods(quarterly, 3).map(iso)).toEqual(['2026-08-31T06:00:00.000Z', '2026-11-30T06:00:00.000Z', '2027-02-28T06:00:00.000Z']);
  });

  it('a daily event in a zone with DST keeps its local time and runs once on each DST day', () => {
    const zone = 'Europe/Amsterdam';
    // 02:30 does not exist on 29 March 2026 and happens twice on 25 October 2026.
    const s: Schedule = { startMs: at('2026-03-27T02:30', zone), every: 1, unit: 'days', timeZone: zone };
    expect(periods(s, 4).map((p) => local(p, zone))).toEqual(['2026-03-27T02:30', '2026-03-28T02:30', '2026-03-29T03:30', '2026-03-30T02:30']);
    const autumn: Schedule = { startMs: at('2026-10-23T02:30', zone), every: 1, unit: 'days', timeZone: zone };
    const ps = periods(autumn, 5);
    expect(ps.map((p) => local(p, zone))).toEqual(['2026-10-23T02:30', '2026-10-24T02:30', '2026-10-25T02:30', '2026-10-26T02:30', '2026-10-27T02:30']);
    // One run per local day: the 25-hour day and the 23-hour day included.
    const days = ps.map((p) => local(p, zone).slice(0, 10));
    expect(new Set(days).size).toBe(days.length);
    // The repeated 02:30 is taken at its first occurrence (summer time): the day after is 25 hours later.
    expect(ps[2]! - ps[1]!).toBe(24 * 3600000);
    expect(ps[3]! - ps[2]!).toBe(25 * 3600000);
    // In UTC (the default) a daily event is 24 hours apart, whatever the server's zone.
    const utc: Schedule = { ...s, startMs: at('2026-03-27T02:30:00Z'), timeZone: 'UTC' };
    expect(periods(utc, 4).every((p, k) => p === utc.startMs + k * 86400000)).toBe(true);
  });

  it('weeks are seven local days', () => {
    const zone = 'America/New_York';
    const s: Schedule = { startMs: at('2026-03-01T09:00', zone), every: 1, unit: 'weeks', timeZone: zone };
    expect(periods(s, 3).map((p) => local(p, zone))).toEqual(['2026-03-01T09:00', '2026-03-08T09:00', '2026-03-15T09:00']);
  });

  it('finds the period that contains a time, for every unit', () => {
    const units = ['seconds', 'minutes', 'hours', 'days', 'weeks', 'months', 'years'] as const;
    for (const unit of units) {
      const s: Schedule = { startMs: at('2025-01-31T23:30', 'Europe/Amsterdam'), every: 2, unit, timeZone: 'Europe/Amsterdam' };
      expect(periodIndexAt(s, s.startMs - 1)).toBe(-1);
      expect(periodIndexAt(s, s.startMs)).toBe(0);
      for (const k of [1, 7, 13, 40]) {
        const p = periodStart(s, k);
        expect(periodIndexAt(s, p)).toBe(k);
        expect(periodIndexAt(s, p - 1)).toBe(k - 1);
        expect(periodIndexAt(s, (p + periodStart(s, k + 1)) / 2)).toBe(k);
      }
    }
  });
});
