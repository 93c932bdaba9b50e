import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { afterAll, describe, expect, it } from 'vitest';
import { compileQuery, explain, QueryError, retrieve, XPathResolveError, XPathSyntaxError } from '../../src/query/index.js';
import { createMxObject } from '../../src/objects/mx-object.js';
import { salesFixture, type SalesFixture } from './fixture.js';
import { exampleModel, salesUser } from './support.js';
import { createLogger } from '../../src/core/logger.js';
import { commitObjects, openDatabase, type Database } from '../../src/data/index.js';
import { loadModel } from '../../src/model/index.js';
import { makeId } from '../../src/objects/values.js';
import { SYSTEM_CONTEXT } from '../../src/security/user-context.js';
import { writeApp } from '../support/app-folder.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { createTables } from './fixture.js';
import { DIALECT } from '../support/dialects.js';

/**
 * XPath built from the sales model's names and the language's pieces: whatever
 * the combination, compiling it (for a user, on each dialect) either works or
 * fails with the engine's own positioned errors — never an internal error.
 */
const names = [
  'Number',
  'Total',
  'Status',
  'OrderDate',
  'InternalNote',
  'Name',
  'CompanyName',
  'Quantity',
  'id',
  'ID',
  'Sales.Order_Customer',
  'Sales.OrderLine_Order',
  'Sales.OrderLine_Product',
  'Catalog.Product_Category',
  'System.owner',
  'System.UserRoles',
  'Sales.Customer',
  'Sales.Order',
  'Sales.RushOrder',
  'Sales.OrderLine',
  'Catalog.Product',
  'Catalog.Category',
  'System.User',
  'DeliverBy',
  'Segment',
  'Price',
];
const values = [
  "'Acme Corp'",
  "'acme corp'",
  "'alice'",
  "'ALICE'",
  "'Bolt_Works 100%'",
  "'Draft'",
  "'x''y'",
  '"a\\b"',
  '10',
  '-2.5',
  'true()',
  'false()',
  'empty',
  'NULL',
  '$v',
  '$o/Total',
  "'[%CurrentUser%]'",
  "'[%BeginOfCurrentDay%] - 1 * [%DayLength%]'",
  "'[%UserRole_Customer%]'",
  "'2024-01-01'",
];
const ops = ['=', '!=', '<', '>=', '<=', '>'];

/** Paths that resolve from Sales.Order, and random ones. */
const orderPaths = [
  'Number',
  'Total',
  'Status',
  'OrderDate',
  'InternalNote',
  'id',
  'Sales.Order_Customer',
  'Sales.Order_Customer/Sales.Customer/CompanyName',
  'Sales.Order_Customer/Sales.Customer/Name',
  'Sales.OrderLine_Order/Sales.OrderLine/Quantity',
  'Sales.OrderLine_Order/Sales.OrderLine/Sales.OrderLine_Product/Catalog.Product/Price',
  'System.owner',
  'System.owner/System.User/Name',
  'Sales.Order_Customer/Sales.Customer/System.UserRoles',
  'Sales.OrderLine_Order/Sales.OrderLine',
  'Sales.Order_Customer/Sales.Customer',
];
const path: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...orderPaths), weight: 4 },
  { arbitrary: fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 4 }).map((p) => p.join('/')), weight: 1 },
);
const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(path, fc.constantFrom(...ops), fc.oneof(fc.constantFrom(...values), path)).map(([p, o, v]) => `${p} ${o} ${v}`),
    path,
    fc
      .tuple(fc.constantFrom('contains', 'starts-with', 'ends-with'), path, fc.constantFrom("'a%'", "''", '$v', "'ö'", "'ACME'", "'_'", "'100%'", "'ä'"))
      .map(([f, p, v]) => `${f}(${p}, ${v})`),
    fc.tuple(fc.constantFrom('length', 'year-from-dateTime', 'weekday-from-dateTime'), path, fc.constantFrom(...ops)).map(([f, p, o]) => `${f}(${p}) ${o} 3`),
    tie('e').map((e) => `not(${e})`),
    fc.tuple(tie('e'), fc.constantFrom('and', 'or'), tie('e')).map(([a, o, b]) => `(${a} ${o} ${b})`),
    fc.tuple(path, tie('e')).map(([p, e]) => `${p}[${e}]`),
  ),
})).e;

describe('compiling generated XPath', () => {
  it("fails only with the engine's own errors", async () => {
    const model = await exampleModel('sales');
    const user = salesUser(model, 'Customer', 7n);
    let compiled = 0;
    fc.assert(
      fc.property(
        fc.constantFrom('Sales.Order', 'Sales.Order', 'Sales.RushOrder', 'Sales.Customer'),
        fc.array(expr, { minLength: 1, maxLength: 2 }),
        (entity, preds) => {
          const xpath = `//${entity}${preds.map((p) => `[${p}]`).join('')}`;
          for (const d of ['sqlite', 'postgres', 'mysql'] as const) {
            try {
              const plan = compileQuery(model, { xpath, sort: [{ attribute: 'id' }] }, DIALECT[d]);
              const sql = explain(plan, user, { amount: 5, wantCount: true }).sql;
              expect(sql).toHaveLength(2);
              compiled++;
            } catch (e) {
              if (e instanceof XPathSyntaxError || e instanceof XPathResolveError || e instanceof QueryError) continue;
              throw new Error(`${xpath} on ${d}: ${(e as Error).stack}`);
            }
          }
        },
      ),
      { numRuns: 1500 },
    );
    expect(compiled).toBeGreaterThan(150);
  });
});

describe.each(['sqlite', 'postgres', 'mysql'] as const)('running generated XPath on %s', (dialect) => {
  let fx: SalesFixture | undefined;
  afterAll(async () => {
    await fx?.close();
  });
  it('every statement that compiles is valid SQL for the database', async () => {
    const model = await exampleModel('sales');
    fx = await salesFixture(model, dialect);
    const db = fx.db;
    const user = salesUser(model, 'Customer', fx.ids.alice!);
    const o = createMxObject('Sales.Order', 1n, 'persisted');
    o.values.set('Total', new Decimal('5'));
    let ran = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('Sales.Order', 'Sales.RushOrder', 'Sales.Customer'),
        fc.array(expr, { minLength: 1, maxLength: 2 }),
        fc.boolean(),
        async (entity, preds, secured) => {
          const xpath = `//${entity}${preds.map((p) => `[${p}]`).join('')}`;
          let plan: ReturnType<typeof compileQuery>;
          try {
            plan = compileQuery(model, { xpath }, DIALECT[dialect]);
          } catch (e) {
            if (e instanceof XPathSyntaxError || e instanceof XPathResolveError || e instanceof QueryError) return;
            throw e;
          }
          try {
            await retrieve(db, model, plan, secured ? user : { ...user, applyEntityAccess: false }, { v: '5', o }, { amount: 3, wantCount: true });
            ran++;
          } catch (e) {
            // Values that do not fit their column are refused before they reach SQL.
            if (e instanceof QueryError) return;
            throw new Error(`${xpath}: ${(e as Error).message}`);
          }
        },
      ),
      { numRuns: 800 },
    );
    expect(ran).toBeGreaterThan(20);
  });
});

describe('generated XPath gives the same objects on the three databases', () => {
  const fixtures: SalesFixture[] = [];
  afterAll(async () => {
    for (const f of fixtures) await f.close();
  });
  it('for every query that runs', async () => {
    const model = await exampleModel('sales');
    for (const d of ['sqlite', 'postgres', 'mysql'] as const) fixtures.push(await salesFixture(model, d));
    const o = createMxObject('Sales.Order', 1n, 'persisted');
    o.values.set('Total', new Decimal('5'));
    const now = new Date('2024-04-01T12:00:00Z');
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('Sales.Order', 'Sales.RushOrder', 'Sales.Customer'),
        fc.array(expr, { minLength: 1, maxLength: 2 }),
        fc.boolean(),
        async (entity, preds, secured) => {
          const xpath = `//${entity}${preds.map((p) => `[${p}]`).join('')}`;
          // String order (<, >) follows each database's collation: not comparable across databases.
          if (/(Name|CompanyName|InternalNote|Status|Segment) (<|>)/.test(xpath)) return;
          const results: string[][] = [];
          for (const fx of fixtures) {
            const user = salesUser(model, 'Customer', fx.ids.alice!);
            try {
              const { objects } = await retrieve(fx.db, model, { xpath }, secured ? user : { ...user, applyEntityAccess: false }, { v: '5', o }, { now });
              results.push(objects.map((x) => x.id.toString()).sort());
            } catch (e) {
              if (e instanceof XPathSyntaxError || e instanceof XPathResolveError || e instanceof QueryError) return;
              throw new Error(`${xpath} on ${fx.db.dialect.name}: ${(e as Error).message}`);
            }
          }
          expect(results[1], `${xpath} on postgres`).toEqual(results[0]);
          expect(results[2], `${xpath} on mysql`).toEqual(results[0]);
          compared++;
        },
      ),
      { numRuns: 800 },
    );
    expect(compared).toBeGreaterThan(20);
  });
});

/**
 * Any string value — quotes, backslashes, SQL, LIKE wildcards, accents — is
 * stored and then found by that exact value, written as an XPath literal or
 * passed as a variable, and the statement sent is the same text as for 'x'.
 */
describe.each(['sqlite', 'postgres', 'mysql'] as const)('string values on %s', (dialect) => {
  let t: TestDatabase | undefined;
  let db: Database | undefined;
  afterAll(async () => {
    await db?.close();
    await t?.drop();
  });
  it('are compared literally and never change the statement', async () => {
    const model = (
      await loadModel(
        writeApp({
          'app.yaml': 'name: Notes\nmodules: [M]\n',
          'modules/M/domain-model.yaml': 'entities:\n  Note:\n    attributes:\n      Text: String(400)\n',
        }),
      )
    ).model!;
    t = await freshDatabase(dialect);
    db = await openDatabase(t.url, { log: createLogger('silent'), poolSize: 1 });
    await createTables(db, model);
    const conn = db;
    const lit = (v: string) => `'${v.replace(/'/g, "''")}'`;
    // A quoted string beginning with '[%' is a token expression ('[%CurrentDateTime%] - [%DayLength%]'),
    // as in Mendix: such values can only be passed as variables.
    const shapes = (v: string) => [
      `//M.Note[Text = $v]`,
      `//M.Note[starts-with(Text, $v)]`,
      ...(v.trimStart().startsWith('[%') ? [] : [`//M.Note[Text = ${lit(v)}]`, `//M.Note[contains(Text, ${lit(v)})]`]),
    ];
    const statementOf = async (xpath: string, v: string) => {
      const seen: string[] = [];
      const off = conn.onStatement((sql) => seen.push(sql));
      try {
        const { objects } = await retrieve(conn, model, { xpath }, SYSTEM_CONTEXT, { v });
        return { sql: seen, found: objects.map((o) => ({ id: o.id, text: o.values.get('Text') })) };
      } finally {
        off();
      }
    };
    // One at a time: the statement listener sees every statement of the connection.
    const runAll = async (v: string) => {
      const out = [];
      for (const x of shapes(v)) out.push(await statementOf(x, v));
      return out;
    };
    const base = await runAll('x');
    const piece = fc.constantFrom(
      "'",
      "''",
      '"',
      '\\',
      '\\\\',
      "\\'",
      '%',
      '_',
      '!',
      ';',
      '--',
      '/*',
      '*/',
      ' OR 1=1',
      'DROP TABLE "m$note";',
      '$1',
      '?',
      ':v',
      'ä',
      'Ö',
      ' ',
      '\t',
      '\n',
      'a',
      'Z',
      '[',
      ']',
      '[%CurrentUser%]',
    );
    let seq = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(piece, fc.string({ maxLength: 3 })), { minLength: 1, maxLength: 8 }).map((p) => p.join('').replace(/\0/g, '')),
        async (v) => {
          fc.pre(v.length > 0 && v.length <= 400);
          const o = createMxObject('M.Note', makeId(10, BigInt(++seq)), 'new');
          o.values.set('Text', v);
          await conn.transaction((tx) => commitObjects(tx, model, [o]));
          const runs = await runAll(v);
          runs.forEach((r, i) => {
            expect(r.sql, shapes(v)[i]).toEqual(base[i]!.sql);
            expect(
              r.found.map((f) => f.id),
              shapes(v)[i],
            ).toContain(o.id);
          });
          // `=` is exact: every object found has this very value.
          for (const r of [runs[0]!, runs[2]].filter((r) => r !== undefined)) expect(r.found.every((f) => f.text === v)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });
});
