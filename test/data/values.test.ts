import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { fromDbValue, toDbValue, ValueOutOfRangeError } from '../../src/data/index.js';
import { parseTimestamp } from '../../src/data/dialects/postgres/driver.js';
import { decoderFor, encoderFor, encodeValue, plainDecimal, utcText } from '../../src/data/dialects/value-codecs.js';
import { DIALECT } from '../support/dialects.js';

const attr = { type: 'Decimal' as const, qualifiedName: 'T.E.Amount' };

/** Decimals that fit DECIMAL(28,8): up to 20 integer digits, up to 8 decimals. */
const decimals = fc
  .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 20n - 1n }), fc.integer({ min: 0, max: 99999999 }), fc.integer({ min: 0, max: 8 }))
  .map(([neg, int, frac, places]) => new Decimal(`${neg ? '-' : ''}${int}.${String(frac).padStart(8, '0').slice(0, places) || '0'}`));

describe('Decimal values on SQLite', () => {
  it('are stored as text whose order is the numeric order, and read back exactly', () => {
    fc.assert(
      fc.property(decimals, decimals, (a, b) => {
        const ea = toDbValue(DIALECT.sqlite, attr, a) as string;
        const eb = toDbValue(DIALECT.sqlite, attr, b) as string;
        expect(Math.sign(ea < eb ? -1 : ea > eb ? 1 : 0)).toBe(a.comparedTo(b));
        expect((fromDbValue(DIALECT.sqlite, attr, ea) as Decimal).eq(a)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('round to 8 decimals half-even and refuse what does not fit', () => {
    expect((fromDbValue(DIALECT.sqlite, attr, toDbValue(DIALECT.sqlite, attr, new Decimal('2.000000005'))) as Decimal).toFixed()).toBe('2');
    expect((fromDbValue(DIALECT.sqlite, attr, toDbValue(DIALECT.sqlite, attr, new Decimal('2.000000015'))) as Decimal).toFixed()).toBe('2.00000002');
    expect(() => toDbValue(DIALECT.sqlite, attr, new Decimal('1e20'))).toThrow(ValueOutOfRangeError);
    expect(() => toDbValue(DIALECT.postgres, attr, new Decimal(NaN))).toThrow(ValueOutOfRangeError);
  });
});

describe('Decimals written to SQLite by a commit', () => {
  // The commit's per-column encoder takes a one-step path for plain Decimals; it must give the general encoding's text, or its error.
  const encode = encoderFor(DIALECT.sqlite, 'Decimal', 'T.E.Amount');
  const general = (v: Decimal) => {
    try {
      return encodeValue(DIALECT.sqlite, 'Decimal', 'T.E.Amount', v);
    } catch (e) {
      return e;
    }
  };
  const viaEncoder = (v: Decimal) => {
    try {
      return encode(v);
    } catch (e) {
      return e;
    }
  };
  const anyDecimal = fc
    .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 22n }), fc.integer({ min: 0, max: 12 }))
    .map(([neg, digits, scale]) => new Decimal(`${neg ? '-' : ''}${digits}e-${scale}`));

  it('give the same text as the general encoding, or the same refusal', () => {
    fc.assert(
      fc.property(fc.oneof(decimals, anyDecimal), (v) => {
        expect(viaEncoder(v)).toEqual(general(v));
      }),
      { numRuns: 3000 },
    );
    for (const text of [
      '0',
      '-0',
      '1e20',
      '99999999999999999999.99999999',
      '99999999999999999999.999999995',
      '0.000000005',
      '-0.000000004',
      '5e-9',
      '123',
      '7.5',
    ])
      expect(viaEncoder(new Decimal(text))).toEqual(general(new Decimal(text)));
    expect(encode(new Decimal('12.5'))).toBe('00000000000000000012.50000000');
  });
});

describe('Decimals and DateTimes written to PostgreSQL and MariaDB by a commit', () => {
  // The per-column encoders skip the general path in the common case: the database must get the same number (a
  // Decimal's decimals need not be padded), or the value must be refused alike.
  const anyDecimal = fc
    .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 22n }), fc.integer({ min: 0, max: 12 }))
    .map(([neg, digits, scale]) => new Decimal(`${neg ? '-' : ''}${digits}e-${scale}`));
  const attempt = (f: () => unknown) => {
    try {
      return f();
    } catch (e) {
      return e;
    }
  };
  for (const dialect of ['postgres', 'mysql'] as const) {
    it(`give the number of the general encoding, or its refusal (${dialect})`, () => {
      const encode = encoderFor(DIALECT[dialect], 'Decimal', 'T.E.Amount');
      fc.assert(
        fc.property(fc.oneof(decimals, anyDecimal), (v) => {
          const fast = attempt(() => encode(v));
          const general = attempt(() => encodeValue(DIALECT[dialect], 'Decimal', 'T.E.Amount', v));
          if (general instanceof Error) expect(fast).toEqual(general);
          else {
            expect(typeof fast).toBe('string');
            expect(fast as string).toMatch(/^-?\d+(\.\d+)?$/);
            expect(new Decimal(fast as string).eq(new Decimal(general as string))).toBe(true);
          }
        }),
        { numRuns: 3000 },
      );
      expect(encode(new Decimal('-0'))).toBe('0');
      expect(encode(new Decimal('12.5'))).toBe('12.5');
      expect(attempt(() => encode(new Decimal('1e20')))).toBeInstanceOf(ValueOutOfRangeError);
    });
  }
  it('bind a DateTime as the Date itself on MariaDB within DATETIME years, as text outside them', () => {
    const encode = encoderFor(DIALECT.mysql, 'DateTime', 'T.E.When');
    const d = new Date(Date.UTC(2020, 1, 29, 23, 59, 59, 999));
    expect(encode(d)).toBe(d);
    expect(encode(new Date(Date.UTC(9999, 11, 31, 23, 59, 59, 999)))).toBeInstanceOf(Date);
    const early = new Date(Date.UTC(999, 11, 31));
    expect(encode(early)).toBe(encodeValue(DIALECT.mysql, 'DateTime', 'T.E.When', early));
    expect(attempt(() => encode(new Date(NaN)))).toBeInstanceOf(ValueOutOfRangeError);
  });
});

describe('values for PostgreSQL and MariaDB', () => {
  it('pass Decimals, Longs and DateTimes as exact text', () => {
    expect(toDbValue(DIALECT.postgres, attr, new Decimal('12345678901234567890.12345678'))).toBe('12345678901234567890.12345678');
    expect(toDbValue(DIALECT.mysql, { type: 'Long', qualifiedName: 'x' }, 2n ** 62n + 1n)).toBe('4611686018427387905');
    expect(toDbValue(DIALECT.postgres, { type: 'DateTime', qualifiedName: 'x' }, new Date(Date.UTC(2020, 1, 29, 23, 59, 59, 999)))).toBe(
      '2020-02-29 23:59:59.999',
    );
    expect((fromDbValue(DIALECT.mysql, attr, '-0.50000000') as Decimal).toFixed()).toBe('-0.5');
    expect(fromDbValue(DIALECT.postgres, { type: 'Long' }, '-9223372036854775808')).toBe(-(2n ** 63n));
  });
});

describe('DateTimes bound as UTC text (PostgreSQL, MariaDB outside DATETIME years)', () => {
  // utcText writes the usual years by hand; it must be the text toISOString gave, or its RangeError.
  const byIso = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');
  it('is the ISO text with a space and without the Z, for any time', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => {
        const d = new Date(ms);
        expect(utcText(d)).toBe(byIso(d));
      }),
      { numRuns: 5000 },
    );
    for (const ms of [
      Date.UTC(999, 11, 31, 23, 59, 59, 999),
      Date.UTC(1000, 0, 1),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      Date.UTC(10000, 0, 1),
      0,
      -1,
      5,
      50,
    ])
      expect(utcText(new Date(ms))).toBe(byIso(new Date(ms)));
  });
  it('refuses an invalid date as toISOString does', () => {
    expect(() => utcText(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe('TIMESTAMP text from PostgreSQL', () => {
  const general = (v: string) => new Date(`${v.replace(' ', 'T')}Z`);
  /** As PostgreSQL writes a TIMESTAMP(3): fraction without trailing zeros, none when zero. */
  const pgText = (d: Date) =>
    d
      .toISOString()
      .replace('T', ' ')
      .replace('Z', '')
      .replace(/\.?0+$/, (m) => (m.startsWith('.') ? '' : m))
      .replace(/(\.\d*?)0+$/, '$1');

  it('is read by position exactly as the general parser reads it', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0100-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), (d) => {
        const text = pgText(d);
        expect(parseTimestamp(text).getTime(), text).toBe(d.getTime());
        expect(parseTimestamp(text).getTime(), text).toBe(general(text).getTime());
      }),
      { numRuns: 5000 },
    );
    for (const text of ['1960-01-01 00:00:00', '1987-06-24 22:00:00.5', '2000-02-29 23:59:59.05', '2026-11-23 12:11:42.123']) {
      expect(parseTimestamp(text).getTime(), text).toBe(general(text).getTime());
    }
  });

  it('leaves other shapes to the general parser', () => {
    for (const text of [
      '0099-12-31 23:59:59',
      '0001-01-01 00:00:00',
      '2026-11-23 12:11:42.123456',
      '2026-11-23 12:11:42.',
      'infinity',
      '2026-11-23 12:11:42 BC',
      '12026-11-23 12:11:42',
    ]) {
      expect(Object.is(parseTimestamp(text).getTime(), general(text).getTime()), text).toBe(true);
    }
  });
});

describe('Decimals read from a driver', () => {
  // The read path builds Decimals from the drivers' plain text without decimal.js's parser;
  // they must be the very Decimal decimal.js would make: same value, digits, exponent and behaviour.
  const texts = fc
    .tuple(fc.boolean(), fc.stringMatching(/^\d{1,24}$/), fc.option(fc.stringMatching(/^\d{1,12}$/)))
    .map(([neg, int, frac]) => `${neg ? '-' : ''}${int}${frac === null ? '' : `.${frac}`}`);

  it('are the Decimal decimal.js makes of the same text', () => {
    fc.assert(
      fc.property(texts, (text) => {
        const fast = plainDecimal(text) as unknown as { s: number; e: number; d: number[] };
        const slow = new Decimal(text) as unknown as { s: number; e: number; d: number[] };
        expect([fast.s, fast.e, fast.d]).toEqual([slow.s, slow.e, slow.d]);
        expect(plainDecimal(text)).toBeInstanceOf(Decimal);
        expect(plainDecimal(text).plus('0.1').toFixed()).toBe(new Decimal(text).plus('0.1').toFixed());
      }),
      { numRuns: 3000 },
    );
    for (const t of ['0', '-0', '0.0', '000.000', '1', '10000000', '0.00000001', '12345678901234567890.12345678', '-0.5']) {
      const fast = plainDecimal(t) as unknown as { s: number; e: number; d: number[] };
      const slow = new Decimal(t) as unknown as { s: number; e: number; d: number[] };
      expect([fast.s, fast.e, fast.d], t).toEqual([slow.s, slow.e, slow.d]);
    }
  });

  it('are read back exactly from SQLite, PostgreSQL and MariaDB text', () => {
    const sqlite = decoderFor(DIALECT.sqlite, 'Decimal');
    const other = decoderFor(DIALECT.postgres, 'Decimal');
    fc.assert(
      fc.property(decimals, (a) => {
        expect((sqlite(toDbValue(DIALECT.sqlite, attr, a)) as Decimal).eq(a)).toBe(true);
        expect((other(a.toFixed(8)) as Decimal).eq(a)).toBe(true);
      }),
      { numRuns: 2000 },
    );
    expect(() => plainDecimal('1.2.3')).toThrow();
    expect(plainDecimal('1e3').toFixed()).toBe('1000');
  });
});
