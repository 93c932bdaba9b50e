import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { beginOfPeriod, endOfPeriod, FIRST_DAY_OF_WEEK, periodToken, startOfWeek, timeTokenValue } from '../../src/objects/time-tokens.js';
import { beginOf, endOf, tokenValue } from '../../src/logic/expressions/dates.js';

/** The week tokens as XPath binds them and as an expression evaluates them. */
const xpath = (name: string, zone: string, now: Date) => timeTokenValue(name, [], zone, now).toISOString();
const expression = (name: string, zone: string, now: Date) => tokenValue(name, now, zone)!.toISOString();

describe('weeks (one rule for XPath and expressions)', () => {
  it("begin on Sunday, the en-US locale's first day", () => {
    expect(FIRST_DAY_OF_WEEK).toBe(7);
    // Monday 1 April 2024, 12:00 UTC: the case where XPath (ISO, Monday) and expressions (Sunday) disagreed.
    const monday = new Date('2024-04-01T12:00:00Z');
    expect(xpath('BeginOfCurrentWeek', 'UTC', monday)).toBe('2024-03-31T00:00:00.000Z');
    expect(expression('BeginOfCurrentWeek', 'UTC', monday)).toBe('2024-03-31T00:00:00.000Z');
    expect(xpath('EndOfCurrentWeek', 'UTC', monday)).toBe('2024-04-06T23:59:59.999Z');
    expect(expression('EndOfCurrentWeek', 'UTC', monday)).toBe('2024-04-06T23:59:59.999Z');
  });

  it.each([
    // [now, zone, begin, end]
    // Sunday evening in New York is already Monday in UTC: the user's zone decides the week.
    ['2024-04-08T02:00:00Z', 'America/New_York', '2024-04-07T04:00:00.000Z', '2024-04-14T03:59:59.999Z'],
    ['2024-04-08T02:00:00Z', 'UTC', '2024-04-07T00:00:00.000Z', '2024-04-13T23:59:59.999Z'],
    // Saturday night in UTC is Sunday afternoon on Kiritimati (+14): a new week there.
    ['2024-04-06T23:30:00Z', 'Pacific/Kiritimati', '2024-04-06T10:00:00.000Z', '2024-04-13T09:59:59.999Z'],
    ['2024-04-06T23:30:00Z', 'UTC', '2024-03-31T00:00:00.000Z', '2024-04-06T23:59:59.999Z'],
    // Half-hour offset.
    ['2024-04-08T02:00:00Z', 'Asia/Kolkata', '2024-04-06T18:30:00.000Z', '2024-04-13T18:29:59.999Z'],
    // The week of the spring DST change in Amsterdam (Sunday 31 March 02:00 -> 03:00): begins in CET, ends in CEST.
    ['2024-04-03T10:00:00Z', 'Europe/Amsterdam', '2024-03-30T23:00:00.000Z', '2024-04-06T21:59:59.999Z'],
    // The autumn change (Sunday 27 October 03:00 -> 02:00): begins in CEST, ends in CET.
    ['2024-10-30T12:00:00Z', 'Europe/Amsterdam', '2024-10-26T22:00:00.000Z', '2024-11-02T22:59:59.999Z'],
    // The day of the change itself, after it.
    ['2024-03-10T12:00:00Z', 'America/New_York', '2024-03-10T05:00:00.000Z', '2024-03-17T03:59:59.999Z'],
    // Cuba moves its clocks at midnight: Sunday 10 March 2024 begins at 01:00 (the first instant of the day).
    ['2024-03-12T12:00:00Z', 'America/Havana', '2024-03-10T05:00:00.000Z', '2024-03-17T03:59:59.999Z'],
  ])('at %s in %s: %s .. %s', (now, zone, begin, end) => {
    const at = new Date(now);
    expect(xpath('BeginOfCurrentWeek', zone, at)).toBe(begin);
    expect(xpath('EndOfCurrentWeek', zone, at)).toBe(end);
    expect(expression('BeginOfCurrentWeek', zone, at)).toBe(begin);
    expect(expression('EndOfCurrentWeek', zone, at)).toBe(end);
    // The expression functions beginOfWeek / endOfWeek count the same weeks.
    expect(beginOf(at, 'week', zone).toJSDate().toISOString()).toBe(begin);
    expect(endOf(at, 'week', zone).toISOString()).toBe(end);
  });

  it('follow one another without gap or overlap across DST changes', () => {
    for (const zone of ['Europe/Amsterdam', 'America/New_York', 'America/Havana', 'Australia/Sydney', 'UTC']) {
      let dt = DateTime.fromISO('2024-01-03T12:00:00', { zone });
      for (let i = 0; i < 53; i++) {
        const begin = startOfWeek(dt);
        expect(begin.weekday).toBe(7);
        expect(begin.toMillis()).toBe(begin.startOf('day').toMillis());
        const end = endOfPeriod(dt, 'week');
        const next = beginOfPeriod(end.plus({ milliseconds: 1 }), 'week');
        expect(next.toMillis()).toBe(end.toMillis() + 1);
        expect(next.diff(begin, 'days').days).toBeGreaterThan(6.9);
        dt = dt.plus({ weeks: 1 });
      }
    }
  });

  it('agree between XPath and expressions for every period token, zone and hour of a DST week', () => {
    const names = ['CurrentMinute', 'CurrentHour', 'CurrentDay', 'Yesterday', 'Tomorrow', 'CurrentWeek', 'CurrentMonth', 'CurrentYear']
      .flatMap((p) => [`BeginOf${p}`, `EndOf${p}`])
      .flatMap((n) => [n, `${n}UTC`]);
    const start = Date.parse('2024-03-29T00:00:00Z');
    for (const zone of ['Europe/Amsterdam', 'America/New_York', 'Asia/Kolkata', 'Pacific/Kiritimati']) {
      for (let h = 0; h < 24 * 5; h += 5) {
        const now = new Date(start + h * 3_600_000 + 17 * 60_000);
        for (const n of names) expect(xpath(n, zone, now), `${n} ${zone} ${now.toISOString()}`).toBe(expression(n, zone, now));
      }
    }
  });

  it("caches a week token until the week ends in the user's zone, not the ISO week", () => {
    const zone = 'America/New_York';
    // Saturday 6 April 23:59:59.999 EDT, then Sunday 7 April 00:00 EDT.
    expect(xpath('BeginOfCurrentWeek', zone, new Date('2024-04-07T03:59:59.999Z'))).toBe('2024-03-31T04:00:00.000Z');
    expect(xpath('BeginOfCurrentWeek', zone, new Date('2024-04-07T04:00:00.000Z'))).toBe('2024-04-07T04:00:00.000Z');
    // Monday (the ISO week's start) keeps the week that began on Sunday.
    expect(xpath('BeginOfCurrentWeek', zone, new Date('2024-04-08T04:00:00.000Z'))).toBe('2024-04-07T04:00:00.000Z');
    // And back: an earlier instant is not served the later week.
    expect(xpath('BeginOfCurrentWeek', zone, new Date('2024-04-06T12:00:00.000Z'))).toBe('2024-03-31T04:00:00.000Z');
  });

  it('take offsets in calendar terms', () => {
    const now = new Date('2024-04-03T10:00:00Z');
    // The week before the Amsterdam DST change began at midnight CET too.
    expect(timeTokenValue('BeginOfCurrentWeek', [{ sign: -1, factor: 1, token: 'WeekLength' }], 'Europe/Amsterdam', now).toISOString()).toBe(
      '2024-03-23T23:00:00.000Z',
    );
    expect(timeTokenValue('EndOfCurrentWeekUTC', [{ sign: 1, factor: 1, token: 'DayLength' }], 'Europe/Amsterdam', now).toISOString()).toBe(
      '2024-04-07T23:59:59.999Z',
    );
  });
});

describe('period tokens', () => {
  it('read BeginOf/EndOf, the period and UTC', () => {
    expect(periodToken('BeginOfYesterdayUTC')).toEqual({ begin: true, unit: 'day', shiftDays: -1, utc: true });
    expect(periodToken('EndOfCurrentWeek')).toEqual({ begin: false, unit: 'week', shiftDays: 0, utc: false });
    expect(periodToken('BeginOfCurrentDecade')).toBeUndefined();
    expect(periodToken('CurrentDateTime')).toBeUndefined();
  });

  it('reject unknown tokens in XPath and leave them to the caller in expressions', () => {
    expect(() => timeTokenValue('BeginOfCurrentDecade', [], 'UTC', new Date())).toThrow('unknown time token [%BeginOfCurrentDecade%]');
    expect(() => timeTokenValue('BeginOfCurrentDay', [{ sign: 1, factor: 1, token: 'CurrentUser' }], 'UTC', new Date())).toThrow('not a duration token');
    expect(tokenValue('BeginOfCurrentDecade', new Date(), 'UTC')).toBeUndefined();
    const now = new Date('2024-04-03T10:00:00Z');
    expect(tokenValue('CurrentDateTimeUTC', now, 'Europe/Amsterdam')).toBe(now);
  });
});
