import { afterEach, describe, expect, it } from 'vitest';
import { formatDateText, formatValue, nextDay, parseDateText, setFormatLocale, setFormatTimeZone } from '../../client/src/widgets/format';

// The browser client's date picker text and date display: the user's locale and zone, not the machine's.

const iso = (ms: number | null | undefined) => (typeof ms === 'number' ? new Date(ms).toISOString() : ms);
const at = Date.UTC(2026, 0, 10, 23, 30); // the 11th in Amsterdam, the 10th in New York

describe('date picker text in the user language and zone', () => {
  afterEach(() => {
    setFormatLocale(undefined);
    setFormatTimeZone(undefined);
  });

  it('writes and reads Dutch dates in Amsterdam time', () => {
    setFormatLocale('nl-NL');
    setFormatTimeZone('Europe/Amsterdam');
    expect(formatDateText(at, true, false)).toBe('11-1-2026');
    expect(formatDateText(at, true, true)).toBe('11-1-2026, 00:30');
    expect(formatValue(at, 'DateTime')).toBe('11 jan 2026');
    expect(iso(parseDateText('1-2-2026', true, false))).toBe('2026-01-31T23:00:00.000Z');
    expect(parseDateText('11-1-2026 00:30', true, true)).toBe(at);
    // Summer time: midnight is 22:00 UTC.
    expect(iso(parseDateText('1-7-2026', true, false))).toBe('2026-06-30T22:00:00.000Z');
    // ISO is read too; a day that does not exist, a partial date and words are not dates; empty is no value.
    expect(iso(parseDateText('2026-02-01', true, false))).toBe('2026-01-31T23:00:00.000Z');
    expect(parseDateText('31-2-2026', true, false)).toBeUndefined();
    expect(parseDateText('1-2', true, false)).toBeUndefined();
    expect(parseDateText('morgen', true, false)).toBeUndefined();
    expect(parseDateText('  ', true, false)).toBeNull();
  });

  it('writes and reads American dates in New York time, and not-localized attributes in UTC', () => {
    setFormatLocale('en-US');
    setFormatTimeZone('America/New_York');
    expect(formatDateText(at, true, false)).toBe('1/10/2026');
    expect(formatValue(at, 'DateTime')).toBe('Jan 10, 2026');
    expect(iso(parseDateText('1/10/2026', true, false))).toBe('2026-01-10T05:00:00.000Z');
    expect(iso(parseDateText('1/10/2026, 18:30', true, true))).toBe('2026-01-10T23:30:00.000Z');
    expect(formatDateText(at, false, false)).toBe('1/10/2026');
    expect(iso(parseDateText('1/11/2026', false, false))).toBe('2026-01-11T00:00:00.000Z');
    expect(formatValue(at, 'DateTime', { localize: false } as never)).toBe('Jan 10, 2026');
  });

  it('counts days by the calendar', () => {
    expect([nextDay('2026-03-28'), nextDay('2026-12-31'), nextDay('2028-02-28')]).toEqual(['2026-03-29', '2027-01-01', '2028-02-29']);
  });
});
