import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { salesCopy, startApp, type TestRuntime } from '../security/harness.js';

/**
 * Random query options, well-formed and not, against examples/sales' OData
 * service as a Customer: every answer is a 200 or an OData error the caller
 * caused (400, 403, 404, 501) in OData's error body - never a 500.
 */
const PROPS = ['Status', 'Total', 'OrderDate', 'InternalNote', 'Number', 'ID', 'Customer', 'Customer/Name', 'Customer/CreditLimit', 'Nope', '$it/Total'];
const LITS = ["'Draft'", "'x''y'", '1', '-3', '1.5', '1e400', 'null', 'true', '2024-01-01', '2024-01-01T10:00:00Z', "Sales.OrderStatus'Draft'", "'Nope'"];
const OPS = ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'add'];
const FNS = ['contains', 'startswith', 'endswith', 'length', 'year', 'hour', 'tolower', 'toupper', 'concat', 'substring'];

/** Property and value pairs that fit (and two the Customer may not use): most random filters should run. */
const TYPED: [string, string][] = [
  ['Status', "'Draft'"],
  ['Status', "Sales.OrderStatus'Shipped'"],
  ['Total', '1.5'],
  ['OrderDate', '2024-01-01T10:00:00Z'],
  ['Number', '3'],
  ['Customer/Name', "'x''y'"],
  ['InternalNote', "'a'"],
  ['Customer/CreditLimit', '1'],
  ['Status', 'null'],
];
const atom = fc.oneof(
  { arbitrary: fc.tuple(fc.constantFrom(...TYPED), fc.constantFrom('eq', 'ne', 'gt', 'le')).map(([[p, l], o]) => `${p} ${o} ${l}`), weight: 4 },
  fc.tuple(fc.constantFrom(...PROPS), fc.constantFrom(...OPS), fc.constantFrom(...LITS)).map(([p, o, l]) => `${p} ${o} ${l}`),
  fc.tuple(fc.constantFrom(...FNS), fc.constantFrom(...PROPS), fc.constantFrom(...LITS)).map(([f, p, l]) => `${f}(${p},${l})`),
  fc.tuple(fc.constantFrom(...FNS), fc.constantFrom(...PROPS), fc.constantFrom(...OPS), fc.constantFrom(...LITS)).map(([f, p, o, l]) => `${f}(${p}) ${o} ${l}`),
  fc.constantFrom('Customer/Orders/any(o: o/Total gt 1)', 'Customer/any()', 'true', 'InternalNote', "contains(Customer/Name, 'a')", 'year(OrderDate) eq 2024'),
);
const filter: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small' },
    atom,
    fc.tuple(tie('e'), fc.constantFrom('and', 'or'), tie('e')).map(([a, op, b]) => `${a} ${op} ${b}`),
    tie('e').map((e) => `not (${e})`),
    tie('e').map((e) => `(${e})`),
  ),
})).e;
/** A valid-looking filter, sometimes cut short or with a character changed. */
const mangled = fc.tuple(filter, fc.nat(), fc.constantFrom('', "'", '(', ')', '/', ',', ' ', '$', '%')).map(([f, n, c]) => {
  if (n % 3 !== 1 || n % 2 === 0) return f;
  const at = n % (f.length + 1);
  return n % 4 === 1 ? f.slice(0, at) : f.slice(0, at) + c + f.slice(at + 1);
});

describe('OData query options under random input', () => {
  let db: TestDatabase;
  let app: { dir: string; remove(): void };
  let t: TestRuntime;
  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    app = salesCopy();
    t = await startApp(app.dir, db.url);
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    app?.remove();
    await db?.drop();
  });

  it('answers 200 or a 4xx/501 OData error, never a 500', async () => {
    const auth = { authorization: `Basic ${Buffer.from('customer:Customer123').toString('base64')}` };
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        mangled,
        fc.constantFrom('$filter', '$filter', '$filter', '$orderby', '$select', '$expand'),
        fc.constantFrom('Orders', 'Customers', 'Products', 'Customers(1)/Orders'),
        async (text, option, set) => {
          const value = option === '$filter' ? text : text.split(' ')[0]!;
          const r = await fetch(`${t.url}/odata/sales/v1/${set}?${option}=${encodeURIComponent(value)}`, { headers: auth });
          const body = await r.text();
          seen.set(r.status, (seen.get(r.status) ?? 0) + 1);
          expect([200, 400, 403, 404, 501], `${set}?${option}=${value}: ${body}`).toContain(r.status);
          if (r.status !== 200) expect(JSON.parse(body)).toMatchObject({ error: { code: String(r.status), message: expect.any(String) } });
        },
      ),
      { numRuns: 400, seed: 20261203 },
    );
    // The input reaches every outcome, not only the parser's refusals.
    for (const status of [200, 400, 403, 404, 501]) expect(seen.get(status) ?? 0, `answers ${status}: ${JSON.stringify([...seen])}`).toBeGreaterThan(5);
  }, 120_000);
});
