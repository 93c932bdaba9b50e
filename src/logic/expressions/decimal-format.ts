import { Decimal } from 'decimal.js';
import { ExpressionError } from './runtime.js';

/**
 * `formatDecimal` with Java DecimalFormat patterns: `#,##0.00`, `0.###`,
 * prefixes and suffixes (`€ #,##0.00`, `#%`), rounding half-even as Java does.
 * The locale picks the separators (en-US by default).
 */
export function formatDecimal(value: Decimal, pattern: string, locale = 'en-US'): string {
  const { prefix, body, suffix } = patternParts(pattern, locale);
  const dot = body.indexOf('.');
  const intPart = dot < 0 ? body : body.slice(0, dot);
  const fracPart = dot < 0 ? '' : body.slice(dot + 1);
  const minFrac = (fracPart.match(/0/g) ?? []).length;
  const maxFrac = (fracPart.match(/[0#]/g) ?? []).length;
  const minInt = (intPart.match(/0/g) ?? []).length;
  const lastComma = intPart.lastIndexOf(',');
  const group = lastComma < 0 ? 0 : intPart.length - lastComma - 1;

  let v = value;
  if (prefix.includes('%') || suffix.includes('%')) v = v.times(100);
  else if (prefix.includes('‰') || suffix.includes('‰')) v = v.times(1000);
  const rounded = v.toDecimalPlaces(maxFrac, Decimal.ROUND_HALF_EVEN);
  const negative = rounded.isNegative() && !rounded.isZero();
  const [intDigitsRaw, fracRaw = ''] = rounded.abs().toFixed(maxFrac).split('.');
  let intDigits = intDigitsRaw!;
  if (intDigits === '0' && minInt === 0) intDigits = '';
  intDigits = intDigits.padStart(minInt, '0');
  let frac = fracRaw;
  while (frac.length > minFrac && frac.endsWith('0')) frac = frac.slice(0, -1);

  const { decimal, groupSep } = separators(locale);
  if (group > 0) {
    const parts: string[] = [];
    for (let i = intDigits.length; i > 0; i -= group) parts.unshift(intDigits.slice(Math.max(0, i - group), i));
    intDigits = parts.join(groupSep);
  }
  const number = frac.length > 0 ? `${intDigits}${decimal}${frac}` : intDigits || '0';
  return `${negative ? '-' : ''}${prefix}${number}${suffix}`;
}

/** Prefix, number body and suffix of a DecimalFormat pattern; `¤` becomes the locale's currency symbol. */
function patternParts(pattern: string, locale: string): { prefix: string; body: string; suffix: string } {
  const positive = pattern.split(';')[0]!;
  const m = /^([^#0,.]*)([#0,.]+)(.*)$/.exec(positive);
  if (!m) throw new ExpressionError(`invalid decimal format pattern '${pattern}'`);
  // \u00a4 (the currency sign ¤) escaped: the CLI bundle must be ASCII (scripts/bundle.mjs).
  const literal = (t: string) => t.replace(/'/g, '').replace(/\u00a4/g, () => currencySymbol(locale));
  return { prefix: literal(m[1]!), body: m[2]!, suffix: literal(m[3]!) };
}

/**
 * `parseDecimal(text, pattern)`: the text must be a number as the pattern
 * writes it — its prefix and suffix, the locale's grouping separators
 * anywhere in the integer part, the locale's decimal separator; `%` and `‰`
 * divide. Returns null when the text does not match (the caller applies the
 * default or raises).
 */
export function parseDecimalPattern(text: string, pattern: string, locale = 'en-US'): Decimal | null {
  const { prefix, suffix } = patternParts(pattern, locale);
  let t = text.trim();
  let negative = false;
  if (t.startsWith('-')) {
    negative = true;
    t = t.slice(1);
  }
  if (prefix) {
    if (!t.startsWith(prefix)) return null;
    t = t.slice(prefix.length);
  }
  if (suffix) {
    if (!t.endsWith(suffix)) return null;
    t = t.slice(0, t.length - suffix.length);
  }
  t = t.trim();
  const { decimal, groupSep } = separators(locale);
  let intPart = t,
    frac = '';
  const d = t.indexOf(decimal);
  if (d >= 0) {
    intPart = t.slice(0, d);
    frac = t.slice(d + decimal.length);
  }
  const digits = intPart.split(groupSep).join('');
  if (!/^\d*$/.test(digits) || !/^\d*$/.test(frac) || digits.length + frac.length === 0 || intPart.startsWith(groupSep)) return null;
  let v = new Decimal(`${digits || '0'}.${frac || '0'}`);
  if (prefix.includes('%') || suffix.includes('%')) v = v.div(100);
  else if (prefix.includes('‰') || suffix.includes('‰')) v = v.div(1000);
  return negative ? v.neg() : v;
}

/** The currency of a locale's region, for `¤` (Java uses the locale's currency). */
const REGION_CURRENCY: Record<string, string> = {
  US: 'USD',
  GB: 'GBP',
  JP: 'JPY',
  CH: 'CHF',
  CA: 'CAD',
  AU: 'AUD',
  IN: 'INR',
  CN: 'CNY',
  BR: 'BRL',
  SE: 'SEK',
  NO: 'NOK',
  DK: 'DKK',
  PL: 'PLN',
  NL: 'EUR',
  DE: 'EUR',
  FR: 'EUR',
  BE: 'EUR',
  ES: 'EUR',
  IT: 'EUR',
  AT: 'EUR',
  IE: 'EUR',
  PT: 'EUR',
  FI: 'EUR',
  LU: 'EUR',
  GR: 'EUR',
};
function currencySymbol(locale: string): string {
  const tag = locale.replace('_', '-');
  const region = tag.split('-')[1]?.toUpperCase();
  const currency = region ? REGION_CURRENCY[region] : undefined;
  if (!currency) return '¤';
  return new Intl.NumberFormat(tag, { style: 'currency', currency }).formatToParts(1).find((p) => p.type === 'currency')?.value ?? currency;
}

const sepCache = new Map<string, { decimal: string; groupSep: string }>();
function separators(locale: string): { decimal: string; groupSep: string } {
  const tag = locale.replace('_', '-');
  let s = sepCache.get(tag);
  if (!s) {
    let parts: Intl.NumberFormatPart[];
    try {
      parts = new Intl.NumberFormat(tag).formatToParts(12345.6);
    } catch {
      throw new ExpressionError(`unknown locale '${locale}'`);
    }
    s = { decimal: parts.find((p) => p.type === 'decimal')?.value ?? '.', groupSep: parts.find((p) => p.type === 'group')?.value ?? ',' };
    sepCache.set(tag, s);
  }
  return s;
}
