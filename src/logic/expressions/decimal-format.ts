import { Decimal } from 'decimal.js';
import { ExpressionError } from './runtime.js';

/**
 * `formatDecimal` with Java DecimalFormat patterns: `#,##0.00`, `0.###`,
 * prefixes and suffixes (`€ #,##0.00`, `#%`), rounding half-even as Java does.
 * The locale picks the separators (en-US by default).
 */
export function formatDecimal(value: Decimal, pattern: string, locale = 'en-US'): string {
  const positive = pattern.split(';')[0]!;
  const m = /^([^#0,.]*)([#0,.]+)(.*)$/.exec(positive);
  if (!m) throw new ExpressionError(`invalid decimal format pattern '${pattern}'`);
  const prefix = m[1]!.replace(/'/g, '');
  const body = m[2]!;
  const suffix = m[3]!.replace(/'/g, '');
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

const sepCache = new Map<string, { decimal: string; groupSep: string }>();
function separators(locale: string): { decimal: string; groupSep: string } {
  const tag = locale.replace('_', '-');
  let s = sepCache.get(tag);
  if (!s) {
    let parts: Intl.NumberFormatPart[];
    try { parts = new Intl.NumberFormat(tag).formatToParts(12345.6); } catch { throw new ExpressionError(`unknown locale '${locale}'`); }
    s = { decimal: parts.find((p) => p.type === 'decimal')?.value ?? '.', groupSep: parts.find((p) => p.type === 'group')?.value ?? ',' };
    sepCache.set(tag, s);
  }
  return s;
}
