import type { ClientAttribute, ClientAttributeType } from '../../../src/web-client/page-definition';
import type { WireValue } from '../api/types';

/** The user's language as a BCP 47 tag (`nl-NL`), set by the shell; undefined = the browser's. */
let locale: string | undefined;
export function setFormatLocale(tag: string | undefined): void {
  locale = tag;
}

/** How a value reads on screen: dates in the user's zone (or UTC when not localized), enums by caption. */
export function formatValue(value: WireValue | undefined, type: ClientAttributeType, attr?: ClientAttribute): string {
  if (value === null || value === undefined || value === '') return '';
  switch (type) {
    case 'DateTime': {
      const ms = typeof value === 'number' ? value : Number(value);
      if (!Number.isFinite(ms)) return String(value);
      const d = new Date(ms);
      const localize = attr?.localize !== false;
      return d.toLocaleDateString(locale, { year: 'numeric', month: 'short', day: 'numeric', ...(localize ? {} : { timeZone: 'UTC' }) });
    }
    case 'Boolean':
      return value === true || value === 'true' ? 'Yes' : 'No';
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

/** `yyyy-mm-dd` for a date input. */
export function toDateInput(value: WireValue | undefined, localize: boolean): string {
  if (value === null || value === undefined || value === '') return '';
  const d = new Date(Number(value));
  if (Number.isNaN(d.getTime())) return '';
  const y = localize ? d.getFullYear() : d.getUTCFullYear();
  const m = (localize ? d.getMonth() : d.getUTCMonth()) + 1;
  const day = localize ? d.getDate() : d.getUTCDate();
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Epoch milliseconds of midnight of a `yyyy-mm-dd` date, in the user's zone or in UTC. */
export function fromDateInput(text: string, localize: boolean): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
  return localize ? new Date(y, mo, d).getTime() : Date.UTC(y, mo, d);
}

/** Parses a number input; Long and Decimal stay strings (they exceed a double's precision). */
export function parseNumber(text: string, type: ClientAttributeType): { ok: true; value: WireValue } | { ok: false; message: string } {
  const t = text.trim();
  if (t === '') return { ok: true, value: null };
  if (type === 'Integer' || type === 'Long' || type === 'AutoNumber') {
    if (!/^[-+]?\d+$/.test(t)) return { ok: false, message: 'Enter a whole number.' };
    if (type === 'Integer') {
      const n = Number(t);
      if (n > 2147483647 || n < -2147483648) return { ok: false, message: 'The number is too large.' };
      return { ok: true, value: n };
    }
    return { ok: true, value: t.replace(/^\+/, '') };
  }
  if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(t)) return { ok: false, message: 'Enter a number.' };
  return { ok: true, value: t.replace(/^\+/, '') };
}

/** An XPath string literal (quotes doubled). */
export function xpathString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** `yyyy-mm-ddThh:mm` for a date-and-time input, in the user's zone or in UTC. */
export function toDateTimeInput(value: WireValue | undefined, localize: boolean): string {
  const day = toDateInput(value, localize);
  if (day === '') return '';
  const d = new Date(Number(value));
  const h = localize ? d.getHours() : d.getUTCHours();
  const min = localize ? d.getMinutes() : d.getUTCMinutes();
  return `${day}T${String(h).padStart(2, '0')}:${String(min).padStart(2, '0')}`;
}

/** Epoch milliseconds of a `yyyy-mm-ddThh:mm` in the user's zone or in UTC. */
export function fromDateTimeInput(text: string, localize: boolean): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi] = [Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5])];
  return localize ? new Date(y, mo, d, h, mi).getTime() : Date.UTC(y, mo, d, h, mi);
}
