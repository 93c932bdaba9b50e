import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileQuery, explain, parseXPath, XPathResolveError, XPathSyntaxError } from '../../src/query/index.js';
import { MAX_XPATH_NESTING } from '../../src/query/xpath/parser.js';
import { exampleModel, salesUser } from './support.js';
import { DIALECT } from '../support/dialects.js';

function syntaxError(text: string): XPathSyntaxError {
  try {
    parseXPath(text);
  } catch (e) {
    if (e instanceof XPathSyntaxError) return e;
    throw e;
  }
  throw new Error(`no error for ${text}`);
}

describe('XPath parser', () => {
  it('parses the constraint language', () => {
    const q = parseXPath(
      "//Sales.Order[Sales.Order_Customer/Sales.Customer[Segment = 'Retail']/Name != 'x' and not(contains(Status, 'a')) or Total >= -1.5][id = $o/Id]",
    );
    expect(q.entity).toBe('Sales.Order');
    expect(q.predicates).toHaveLength(2);
    expect(q.predicates[0]!.kind).toBe('or');
    const c = parseXPath("[Sales.Folder_Sub[reversed()] = '[%CurrentObject%]']");
    expect(c.entity).toBeUndefined();
    const cmp = c.predicates[0]!;
    expect(cmp.kind === 'compare' && cmp.left.kind === 'path' && cmp.left.steps[0]!.reversed).toBe(true);
    const t = parseXPath("[D > '[%BeginOfCurrentDay%] - 3 * [%DayLength%] + [%HourLength%] * 2']").predicates[0]!;
    expect(t.kind === 'compare' && t.right).toEqual({
      kind: 'token',
      base: 'BeginOfCurrentDay',
      terms: [
        { sign: -1, factor: 3, token: 'DayLength' },
        { sign: 1, factor: 2, token: 'HourLength' },
      ],
      pos: 6,
    });
    expect(parseXPath('count(//Sales.Order[Total > 1])').aggregate).toBe('count');
    expect(parseXPath('sum(//Sales.Order/Total)').attribute?.name).toBe('Total');
    expect(parseXPath('').predicates).toEqual([]);
    expect(parseXPath("[Name = 'it''s']").predicates[0]).toMatchObject({ right: { kind: 'string', value: "it's" } });
  });

  it.each([
    ['//Sales.Order[Total > ]', 22, "expected an attribute, a path, a value or a function, found ']'"],
    ['//Sales.Order[Total > 1', 23, "expected ']', found the end of the XPath"],
    ["//Sales.Order[Name = 'abc]", 21, 'unterminated string'],
    ['//Sales.Order[]', 14, 'expected a constraint'],
    ['//Order', 2, 'expected an entity name (Module.Entity)'],
    ['//Sales.Order[Total ! 1]', 20, "unexpected '!': expected '!='"],
    ["//Sales.Order[D > '[%BeginOfCurrentDay%] - 3 [%DayLength%]']", 45, "expected '*' after the number"],
    ["//Sales.Order[contains(Name, 'a' 'b')]", 33, "expected ',' or ')'"],
    ['sum(//Sales.Order)', 17, 'sum() needs an attribute'],
    ['[a = 1] x', 8, "expected '['"],
    ['[not Total > 1]', 5, "expected '(' after not, found 'Total'"],
  ])('%s fails at column %i+1 saying what was expected', (text, pos, msg) => {
    const e = syntaxError(text);
    expect(e.position).toBe(pos);
    expect(e.message).toContain(msg);
    expect(e.message).toContain(`column ${pos + 1}`);
  });

  it('limits nesting to MAX_XPATH_NESTING with a positioned syntax error, not a stack overflow', () => {
    const deep = (open: string, close: string, n: number) => `[${open.repeat(n)}Total > 0${close.repeat(n)}]`;
    // 99 levels inside the predicate's own: accepted.
    expect(parseXPath(deep('(', ')', MAX_XPATH_NESTING - 1)).predicates).toHaveLength(1);
    for (const [open, close] of [
      ['(', ')'],
      ['not(', ')'],
      ['contains(Name, ', ')'],
      ['A[', ']'],
    ] as const) {
      const text = deep(open, close, 5000);
      const e = syntaxError(text);
      expect(e.message).toContain(`nested deeper than ${MAX_XPATH_NESTING} levels`);
      // At the token that goes one level too deep: the predicate's bracket is level 1, the 100th bracket inside it level 101.
      expect(text.slice(0, e.position).split(/[([]/).length - 1, open).toBe(1 + MAX_XPATH_NESTING);
    }
    const minus = syntaxError(`[Total > ${'- '.repeat(5000)}(1)]`);
    expect(minus.message).toContain('nested deeper than');
    expect(minus.position).toBe(9 + 2 * MAX_XPATH_NESTING);
  });

  it('never throws anything but its positioned syntax error', () => {
    const alphabet = fc.constantFrom(
      ...'//[]()=!<>\'"$%., -+*abdinortySO_0123456789'.split(''),
      'and',
      'or',
      'not(',
      'Sales.Order',
      'Total',
      '[%CurrentUser%]',
      'true()',
      'empty',
      'contains(',
    );
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 30 }), (parts) => {
        const text = parts.join('');
        try {
          parseXPath(text);
        } catch (e) {
          if (!(e instanceof XPathSyntaxError)) throw e;
          expect(e.position).toBeGreaterThanOrEqual(0);
          expect(e.position).toBeLessThanOrEqual(text.length);
        }
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        try {
          parseXPath(text);
        } catch (e) {
          if (!(e instanceof XPathSyntaxError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
    // Any Unicode (surrogate pairs, control characters) inside an otherwise valid XPath.
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 12 }),
        fc.constantFrom(
          "//Sales.Order[Name = 'X']",
          "[contains(Name, 'X')]",
          "[D > '[%BeginOfCurrentDay%] - X * [%DayLength%]']",
          '[A/B[X]]',
          'count(//M.E[X])',
        ),
        (u, shape) => {
          const text = shape.replace('X', u);
          try {
            const q = parseXPath(text);
            expect(q.text).toBe(text);
          } catch (e) {
            if (!(e instanceof XPathSyntaxError)) throw e;
            expect(e.position).toBeGreaterThanOrEqual(0);
            expect(e.position).toBeLessThanOrEqual(text.length);
            expect(e.message).toMatch(/^XPath syntax error at column \d+: /);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('resolving against the model', () => {
  it.each([
    ['//Sales.Order[Totl > 1]', 14, "unknown attribute 'Totl' of Sales.Order"],
    ['//Sales.Ordr', 2, "unknown entity 'Sales.Ordr'"],
    ["//Sales.Order[Sales.Order_Custmer = '[%CurrentUser%]']", 14, "unknown association 'Sales.Order_Custmer'"],
    ["//Sales.Order[Sales.Order_Customer/Catalog.Product/Name = 'x']", 35, 'leads to Sales.Customer, not Catalog.Product'],
    ["//Sales.Order[Total = 'abc']", 22, "'abc' is not a decimal number"],
    ["//Sales.Order[Status > 'Draft' and Number = 'x']", 44, "'x' is not a whole number"],
    ["//Sales.Order[OrderDate > '[%Tomorow%]']", 27, 'unknown token [%Tomorow%]'],
    ["//Sales.Order[contains(Total, 'x')]", 23, 'contains() needs a String attribute, not Decimal'],
    ['//Sales.Order[Total]', 14, 'a constraint needs a comparison'],
    ["//Sales.Order[Sales.Order_Customer[reversed()] = '[%CurrentUser%]']", 14, 'reversed() applies to self-associations only'],
    ['//Catalog.Product[Discontinued > true()]', 31, 'can only be compared with = and !='],
    ['//Sales.Order[Total > Number + 1]', 22, 'arithmetic is only possible between numbers'],
    ['//Sales.Order[Total > 1 div 0]', 24, 'division by zero'],
    ['//Sales.Order[Number = 9223372036854775808]', 23, '9223372036854775808 does not fit a Long (64-bit)'],
    ['//Sales.Order[Total < 123456789012345678901.5]', 22, 'has more than 20 digits before the decimal point'],
    ['//Catalog.Product[Stock = 2147483648]', 26, 'does not fit an Integer (32-bit)'],
    ["//Sales.Order[OrderDate > '2023-02-29']", 26, "'2023-02-29' is not a date"],
    [
      '//Sales.Order[Total > $o/Sales.Order_Customer/Sales.Customer/CreditLimit]',
      22,
      'a variable in XPath takes one step ($o/Attribute or $o/Module.Association)',
    ],
    [
      "//System.User[System.UserRoles = '[%UserRole_Admin%]']",
      34,
      "unknown user role 'Admin' in [%UserRole_Admin%] (the app has: Administrator, SalesManager, Customer)",
    ],
    ["//Sales.Order[OrderDate > '[%UserRole_Customer%]']", 27, '[%UserRole_Customer%] is a user role object, not a DateTime'],
  ])('%s: error at column %i+1', async (xpath, pos, msg) => {
    const model = await exampleModel('sales');
    let err: unknown;
    try {
      compileQuery(model, { xpath }, DIALECT.sqlite);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(XPathResolveError);
    expect((err as XPathResolveError).message).toContain(msg);
    expect((err as XPathResolveError).position).toBe(pos);
  });
});

describe('values never change the statement', () => {
  it('binds any string value as a parameter', async () => {
    const model = await exampleModel('sales');
    const user = salesUser(model, 'Customer', 1n);
    const shape = (v: string, d: 'sqlite' | 'postgres' | 'mysql') => {
      const lit = `'${v.replace(/'/g, "''")}'`;
      const plan = compileQuery(model, { xpath: `//Sales.Customer[CompanyName = ${lit} or contains(FullName, ${lit})]` }, DIALECT[d]);
      return explain(plan, user).sql[0];
    };
    for (const d of ['sqlite', 'postgres', 'mysql'] as const) {
      const base = shape('x', d);
      // A quoted value that begins with '[%' is a token expression (Mendix's '[%CurrentDateTime%]'), not a plain value.
      const plain = fc.string({ minLength: 1 }).filter((v) => !v.trimStart().startsWith('[%'));
      fc.assert(
        fc.property(fc.oneof(plain, fc.constantFrom("'; DROP TABLE x; --", "\\'", '"', '%_!', '\\', "' OR 1=1 --", '$1', '?')), (v) => {
          expect(shape(v, d)).toBe(base);
        }),
        { numRuns: 300 },
      );
    }
  });
});
