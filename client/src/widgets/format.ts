import type { ClientAttribute, ClientAttributeType } from '../../../src/web-client/page-definition';
import type { WireValue } from '../api/types';
import { t as tr } from '../i18n/texts';

/** The user's language as a BCP 47 tag (`nl-NL`), set by the shell; undefined = the browser's. */
let locale: string | undefined;
export function setFormatLocale(tag: string | undefined): void {
  locale = tag;
}

/** The user's IANA time zone (System.User_TimeZone, else the app's default), set by the shell; undefined = the browser's. */
let userZone: string | undefined;
export function setFormatTimeZone(zone: string | null | undefined): void {
  userZone = zone ?? undefined;
}

/** The zone a DateTime attribute is shown and edited in: the user's, or UTC when it is not localized. */
function zoneFor(localize: boolean): string | undefined {
  return localize ? userZone : 'UTC';
}

interface WallClock {
  readonly y: number;
  readonly mo: number;
  readonly d: number;
  readonly h: number;
  readonly mi: number;
}

const wallFormats = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock time of an instant in a zone (undefined: the browser's). */
function wallClock(ms: number, zone: string | undefined): WallClock {
  if (zone === undefined) {
    const d = new Date(ms);
    return { y: d.getFullYear(), mo: d.getMonth(), d: d.getDate(), h: d.getHours(), mi: d.getMinutes() };
  }
  let f = wallFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    wallFormats.set(zone, f);
  }
  const parts = f.formatToParts(new Date(ms));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { y: n('year'), mo: n('month') - 1, d: n('day'), h: n('hour'), mi: n('minute') };
}

/** The instant a wall-clock time in a zone names (the earlier one when the clocks go back). */
function instantOf(w: WallClock, zone: string | undefined): number {
  if (zone === undefined) return new Date(w.y, w.mo, w.d, w.h, w.mi).getTime();
  const asUtc = Date.UTC(w.y, w.mo, w.d, w.h, w.mi);
  const offsetAt = (ms: number) => {
    const c = wallClock(ms, zone);
    return Date.UTC(c.y, c.mo, c.d, c.h, c.mi) - Math.floor(ms / 60000) * 60000;
  };
  const first = asUtc - offsetAt(asUtc);
  const second = asUtc - offsetAt(first);
  return Math.min(first, second);
}

/** How a value reads on screen: dates in the user's zone (or UTC when not localized), enums by caption. */
export function formatValue(value: WireValue | undefined, type: ClientAttributeType, attr?: ClientAttribute): string {
  if (value === null || value === undefined || value === '') return '';
  switch (type) {
    case 'DateTime': {
      const ms = typeof value === 'number' ? value : Number(value);
      if (!Number.isFinite(ms)) return String(value);
      const d = new Date(ms);
      const zone = zoneFor(attr?.localize !== false);
      return d.toLocaleDateString(locale, { year: 'numeric', month: 'short', day: 'numeric', ...(zone ? { timeZone: zone } : {}) });
    }
    case 'Boolean':
      return value === true || value === 'true' ? tr('yes') : tr('no');
    case 'Enumeration':
      return attr?.values?.find((v) => v.key === value)?.caption ?? String(value);
    case 'Decimal': {
      const n = Number(value);
      return Number.isFinite(n) ? n.toLocaleString(locale, { minimumFractionDigits: 2, maximumFractionDigits: 8 }) : String(value);
    }
    default:
      return Array.isArray(value) ? value.join(', ') : String(value);
  }
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `yyyy-mm-dd` for a date input: the day in the user's zone, or in UTC when not localized. */
export function toDateInput(value: WireValue | undefined, localize: boolean): string {
  if (value === null || value === undefined || value === '') return '';
  const ms = Number(value);
  if (!Number.isFinite(ms)) return '';
  const w = wallClock(ms, zoneFor(localize));
  return `${pad(w.y, 4)}-${pad(w.mo + 1)}-${pad(w.d)}`;
}

/** Epoch milliseconds of midnight of a `yyyy-mm-dd` date, in the user's zone or in UTC. */
export function fromDateInput(text: string, localize: boolean): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  return instantOf({ y: Number(m[1]), mo: Number(m[2]) - 1, d: Number(m[3]), h: 0, mi: 0 }, zoneFor(localize));
}

const inputFormats = new Map<string, Intl.DateTimeFormat>();

/** The user's locale's numeric date (and time) format in a zone: `11-1-2026 00:30` in Dutch, `1/11/2026, 00:30` in American English. */
function inputFormat(zone: string | undefined, withTime: boolean): Intl.DateTimeFormat {
  const key = `${locale ?? ''}|${zone ?? ''}|${withTime}`;
  let f = inputFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, {
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } : {}),
      ...(zone ? { timeZone: zone } : {}),
    });
    inputFormats.set(key, f);
  }
  return f;
}

/** A date picker's text: the date (and time) in the user's language and zone, or UTC when not localized. */
export function formatDateText(value: WireValue | undefined, localize: boolean, withTime: boolean): string {
  if (value === null || value === undefined || value === '') return '';
  const ms = Number(value);
  return Number.isFinite(ms) ? inputFormat(zoneFor(localize), withTime).format(new Date(ms)) : '';
}

/** An example of the format the user types, for the placeholder: 31 December 2026 in their locale. */
export function dateTextExample(withTime: boolean): string {
  return inputFormat('UTC', withTime).format(new Date(Date.UTC(2026, 11, 31, 23, 59)));
}

/**
 * Reads what the user typed in a date picker: the numbers in their locale's order
 * (day-month-year in Dutch, month/day/year in American English), or ISO `yyyy-mm-dd`
 * (`Thh:mm`); a date-and-time picker takes an optional hour and minute. The wall-clock
 * time is in the user's zone, or UTC when not localized. Null: empty; undefined: not a date.
 */
export function parseDateText(text: string, localize: boolean, withTime: boolean): number | null | undefined {
  const groups = text.match(/\d+/g) ?? [];
  if (text.trim() === '') return null;
  if (groups.length !== 3 && !(withTime && groups.length === 5)) return undefined;
  const n = groups.map(Number) as number[];
  let y: number, mo: number, d: number;
  if (groups[0]!.length === 4) [y, mo, d] = [n[0]!, n[1]!, n[2]!];
  else {
    const order = inputFormat('UTC', false)
      .formatToParts(new Date(Date.UTC(2026, 11, 31)))
      .map((p) => p.type)
      .filter((t) => t === 'day' || t === 'month' || t === 'year');
    const at = (t: string) => n[order.indexOf(t as 'day')]!;
    [y, mo, d] = [at('year'), at('month'), at('day')];
    if (groups[order.indexOf('year')]!.length === 2) y += 2000;
  }
  const [h, mi] = groups.length === 5 ? [n[3]!, n[4]!] : [0, 0];
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (y < 1000 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth || h > 23 || mi > 59) return undefined;
  return instantOf({ y, mo: mo - 1, d, h, mi }, zoneFor(localize));
}

/** The `yyyy-mm-dd` after a `yyyy-mm-dd` (calendar arithmetic, no zone involved). */
export function nextDay(text: string): string {
  const [y, m, d] = text.split('-').map(Number) as [number, number, number];
  const n = new Date(Date.UTC(y, m - 1, d + 1));
  return `${pad(n.getUTCFullYear(), 4)}-${pad(n.getUTCMonth() + 1)}-${pad(n.getUTCDate())}`;
}

/** Parses a number input; Long and Decimal stay strings (they exceed a double's precision). */
export function parseNumber(text: string, type: ClientAttributeType): { ok: true; value: WireValue } | { ok: false; message: string } {
  const t = text.trim();
  if (t === '') return { ok: true, value: null };
  if (type === 'Integer' || type === 'Long' || type === 'AutoNumber') {
    if (!/^[-+]?\d+$/.test(t)) return { ok: false, message: tr('enterWholeNumber') };
    if (type === 'Integer') {
      const n = Number(t);
      if (n > 2147483647 || n < -2147483648) return { ok: false, message: tr('numberTooLarge') };
      return { ok: true, value: n };
    }
    return { ok: true, value: t.replace(/^\+/, '') };
  }
  if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(t)) return { ok: false, message: tr('enterNumber') };
  return { ok: true, value: t.replace(/^\+/, '') };
}

/** An XPath string literal (quotes doubled). */
export function xpathString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** `yyyy-mm-ddThh:mm` for a date-and-time input, in the user's zone or in UTC. */
export function toDateTimeInput(value: WireValue | undefined, localize: boolean): string {
  if (value === null || value === undefined || value === '') return '';
  const ms = Number(value);
  if (!Number.isFinite(ms)) return '';
  const w = wallClock(ms, zoneFor(localize));
  return `${pad(w.y, 4)}-${pad(w.mo + 1)}-${pad(w.d)}T${pad(w.h)}:${pad(w.mi)}`;
}

/** Epoch milliseconds of a `yyyy-mm-ddThh:mm` in the user's zone or in UTC. */
export function fromDateTimeInput(text: string, localize: boolean): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(text);
  if (!m) return null;
  return instantOf({ y: Number(m[1]), mo: Number(m[2]) - 1, d: Number(m[3]), h: Number(m[4]), mi: Number(m[5]) }, zoneFor(localize));
}
