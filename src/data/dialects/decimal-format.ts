import { Decimal } from 'decimal.js';

/** Decimal columns hold DECIMAL(28,8): 20 integer digits, 8 decimals (Mendix). */
const DECIMAL_SCALE = 8;
const DECIMAL_INTEGER_DIGITS = 20;

/**
 * The Decimal class values are created with: decimal.js's own, so that
 * `instanceof Decimal` holds everywhere. Nothing here does arithmetic, so its
 * precision setting never rounds a stored value (construction and toFixed are exact).
 */
export const Dec = Decimal;

/**
 * Rounds to 8 decimals (half-even, as Mendix does on persist) and checks the
 * integer digits; returns the plain text with exactly 8 decimals
 * (`-12.34500000`), or undefined when the value does not fit. String work
 * only: this runs for every Decimal written.
 */
export function normaliseDecimal(v: Decimal): string | undefined {
  if (!v.isFinite()) return undefined;
  // toFixed() without arguments allocates no intermediate Decimal: pad by hand when no rounding is needed.
  let s: string;
  const dp = v.decimalPlaces();
  if (dp <= DECIMAL_SCALE && !Number.isNaN(dp)) {
    s = v.toFixed();
    s = dp === 0 ? `${s}.${'0'.repeat(DECIMAL_SCALE)}` : s + '0'.repeat(DECIMAL_SCALE - dp);
  } else s = v.toFixed(DECIMAL_SCALE, Decimal.ROUND_HALF_EVEN);
  const neg = s.startsWith('-');
  if (neg && /^-0\.0+$/.test(s)) s = s.slice(1);
  const intDigits = s.indexOf('.') - (neg ? 1 : 0);
  if (intDigits > DECIMAL_INTEGER_DIGITS) return undefined;
  return s;
}

/** Plain decimal text (never exponent notation) for the drivers of PostgreSQL and MariaDB. */
export function decimalText(normalised: string): string {
  return normalised;
}

/**
 * SQLite has no exact decimal type, so a Decimal is stored as fixed-width text
 * whose byte order is the numeric order: `00000000000000000012.34500000`
 * (20 integer digits, 8 decimals); a negative value is `-` followed by the
 * nines' complement of those digits, so more negative sorts first. `=`, `<`,
 * `>` and ORDER BY on the column then compare numbers exactly, as long as the
 * other side is encoded the same way (every bound Decimal parameter is).
 */
export function encodeSortableDecimal(normalised: string): string {
  const neg = normalised.startsWith('-');
  const body = neg ? normalised.slice(1) : normalised;
  const text = body.padStart(DECIMAL_INTEGER_DIGITS + 1 + DECIMAL_SCALE, '0');
  return neg ? `-${complement(text)}` : text;
}

const ZEROS = '0'.repeat(DECIMAL_INTEGER_DIGITS);

/**
 * `encodeSortableDecimal(normaliseDecimal(v))` for the common case, a
 * non-negative value with at most 8 decimals and at most 20 integer digits,
 * in one step (one toFixed, zeros from a constant); undefined for anything
 * else, which then takes the general path. Runs for every Decimal written to SQLite.
 */
export function sortableDecimalFast(v: Decimal): string | undefined {
  if (v.isNegative() || !v.isFinite()) return undefined;
  const dp = v.decimalPlaces();
  if (!(dp <= DECIMAL_SCALE)) return undefined;
  const s = v.toFixed();
  const intDigits = dp === 0 ? s.length : s.length - dp - 1;
  if (intDigits > DECIMAL_INTEGER_DIGITS) return undefined;
  const head = ZEROS.slice(intDigits);
  return dp === 0 ? `${head}${s}.${ZEROS.slice(DECIMAL_INTEGER_DIGITS - DECIMAL_SCALE)}` : head + s + ZEROS.slice(DECIMAL_INTEGER_DIGITS - DECIMAL_SCALE + dp);
}

/**
 * The text PostgreSQL and MariaDB are sent for a Decimal with at most 8
 * decimals and at most 20 integer digits (the common case): its plain digits
 * (`12.5`), which the column holds exactly, without padding the decimals;
 * undefined for anything else, which takes `normaliseDecimal` (rounding, the
 * digit check). Runs for every Decimal written there.
 */
export function plainDecimalFast(v: Decimal): string | undefined {
  if (!v.isFinite()) return undefined;
  const dp = v.decimalPlaces();
  if (!(dp <= DECIMAL_SCALE)) return undefined;
  const s = v.toFixed();
  const neg = s.charCodeAt(0) === 45;
  const intDigits = (dp === 0 ? s.length : s.length - dp - 1) - (neg ? 1 : 0);
  if (intDigits > DECIMAL_INTEGER_DIGITS) return undefined;
  return neg && s === '-0' ? '0' : s;
}

export function decodeSortableDecimal(s: string): Decimal {
  const text = s.startsWith('-') ? `-${stripZeros(complement(s.slice(1)))}` : stripZeros(s);
  return new Dec(text);
}

/** Leading zeros of the integer part, trailing zeros of the decimals: less for Decimal to parse. */
function stripZeros(t: string): string {
  let i = 0;
  while (i < t.length - 1 && t.charCodeAt(i) === 48 && t.charCodeAt(i + 1) !== 46) i++;
  let j = t.length;
  while (j > i && t.charCodeAt(j - 1) === 48) j--;
  if (t.charCodeAt(j - 1) === 46) j--;
  return t.slice(i, j);
}

function complement(text: string): string {
  let out = '';
  for (const ch of text) out += ch === '.' ? '.' : String(9 - (ch.charCodeAt(0) - 48));
  return out;
}
