import { describe, expect, it } from 'vitest';
import { timeTokenValue } from '../../src/objects/time-tokens.js';

const NOW = new Date('2024-04-01T12:00:00Z'); // Monday; 14:00 in Amsterdam (CEST). Weeks begin on Sunday (en-US).
const v = (base: string, zone: string, terms: { sign: 1 | -1; factor: number; token: string }[] = []) => timeTokenValue(base, terms, zone, NOW).toISOString();

describe('time tokens', () => {
  it.each([
    ['CurrentDateTime', 'UTC', '2024-04-01T12:00:00.000Z'],
    ['BeginOfCurrentDay', 'Europe/Amsterdam', '2024-03-31T22:00:00.000Z'],
    ['BeginOfCurrentDayUTC', 'Europe/Amsterdam', '2024-04-01T00:00:00.000Z'],
    ['EndOfCurrentDay', 'UTC', '2024-04-01T23:59:59.999Z'],
    ['BeginOfYesterday', 'Europe/Amsterdam', '2024-03-30T23:00:00.000Z'],
    ['BeginOfTomorrow', 'UTC', '2024-04-02T00:00:00.000Z'],
    ['BeginOfCurrentWeek', 'UTC', '2024-03-31T00:00:00.000Z'],
    ['BeginOfCurrentMonth', 'America/New_York', '2024-04-01T04:00:00.000Z'],
    ['EndOfCurrentYear', 'UTC', '2024-12-31T23:59:59.999Z'],
    ['BeginOfCurrentHour', 'Asia/Kolkata', '2024-04-01T11:30:00.000Z'],
    ['BeginOfCurrentMinute', 'UTC', '2024-04-01T12:00:00.000Z'],
    ['EndOfCurrentMinute', 'Asia/Kolkata', '2024-04-01T12:00:59.999Z'],
    ['EndOfCurrentMinuteUTC', 'Asia/Kolkata', '2024-04-01T12:00:59.999Z'],
    ['BeginOfCurrentMinuteUTC', 'UTC', '2024-04-01T12:00:00.000Z'],
    ['EndOfCurrentHour', 'Asia/Kolkata', '2024-04-01T12:29:59.999Z'],
    ['BeginOfCurrentHourUTC', 'Asia/Kolkata', '2024-04-01T12:00:00.000Z'],
    ['EndOfCurrentHourUTC', 'Asia/Kolkata', '2024-04-01T12:59:59.999Z'],
    ['EndOfCurrentDayUTC', 'Europe/Amsterdam', '2024-04-01T23:59:59.999Z'],
    ['EndOfCurrentDay', 'Europe/Amsterdam', '2024-04-01T21:59:59.999Z'],
    ['BeginOfYesterdayUTC', 'Europe/Amsterdam', '2024-03-31T00:00:00.000Z'],
    ['EndOfYesterday', 'Europe/Amsterdam', '2024-03-31T21:59:59.999Z'],
    ['EndOfYesterdayUTC', 'Europe/Amsterdam', '2024-03-31T23:59:59.999Z'],
    ['BeginOfTomorrowUTC', 'America/New_York', '2024-04-02T00:00:00.000Z'],
    ['EndOfTomorrow', 'America/New_York', '2024-04-03T03:59:59.999Z'],
    ['EndOfTomorrowUTC', 'America/New_York', '2024-04-02T23:59:59.999Z'],
    ['BeginOfCurrentWeekUTC', 'America/New_York', '2024-03-31T00:00:00.000Z'],
    ['EndOfCurrentWeek', 'UTC', '2024-04-06T23:59:59.999Z'],
    ['EndOfCurrentWeekUTC', 'Europe/Amsterdam', '2024-04-06T23:59:59.999Z'],
    ['BeginOfCurrentMonthUTC', 'America/New_York', '2024-04-01T00:00:00.000Z'],
    ['EndOfCurrentMonth', 'Europe/Amsterdam', '2024-04-30T21:59:59.999Z'],
    ['EndOfCurrentMonthUTC', 'UTC', '2024-04-30T23:59:59.999Z'],
    ['BeginOfCurrentYear', 'Europe/Amsterdam', '2023-12-31T23:00:00.000Z'],
    ['BeginOfCurrentYearUTC', 'Europe/Amsterdam', '2024-01-01T00:00:00.000Z'],
    ['EndOfCurrentYearUTC', 'Europe/Amsterdam', '2024-12-31T23:59:59.999Z'],
  ])('[%%%s%%] in %s', (base, zone, expected) => {
    expect(v(base, zone)).toBe(expected);
    expect(v(base, zone)).toBe(expected); // cached for the period
  });

  it('applies offsets in calendar terms in the zone', () => {
    expect(v('BeginOfCurrentDay', 'UTC', [{ sign: -1, factor: 3, token: 'DayLength' }])).toBe('2024-03-29T00:00:00.000Z');
    // Across the DST change of 31 March in Amsterdam: midnight stays midnight.
    expect(v('BeginOfCurrentDay', 'Europe/Amsterdam', [{ sign: -1, factor: 2, token: 'DayLength' }])).toBe('2024-03-29T23:00:00.000Z');
    expect(
      v('BeginOfCurrentMonth', 'UTC', [
        { sign: -1, factor: 1, token: 'MonthLength' },
        { sign: 1, factor: 2, token: 'HourLength' },
      ]),
    ).toBe('2024-03-01T02:00:00.000Z');
    expect(v('CurrentDateTime', 'UTC', [{ sign: 1, factor: 1, token: 'YearLength' }])).toBe('2025-04-01T12:00:00.000Z');
    expect(
      v('CurrentDateTime', 'UTC', [
        { sign: -1, factor: 2, token: 'WeekLength' },
        { sign: 1, factor: 90, token: 'MinuteLength' },
        { sign: 1, factor: 30, token: 'SecondLength' },
      ]),
    ).toBe('2024-03-18T13:30:30.000Z');
    // A month from 31 January is the last day of February.
    expect(timeTokenValue('CurrentDateTime', [{ sign: 1, factor: 1, token: 'MonthLength' }], 'UTC', new Date('2024-01-31T08:00:00Z')).toISOString()).toBe(
      '2024-02-29T08:00:00.000Z',
    );
  });
});
