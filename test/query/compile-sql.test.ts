import { describe, expect, it } from 'vitest';
import { compileQuery, explain } from '../../src/query/index.js';
import { exampleModel, salesUser } from './support.js';

interface SqlCase {
  readonly xpath: string;
  readonly attributes: readonly string[];
  readonly role?: string;
  readonly sqlite: string;
  readonly postgres: string;
  readonly mysql: string;
}

/** XPath -> SQL per dialect (the page statement without paging). Executed on real databases in execute.test.ts. */
const SQL_CASES: readonly SqlCase[] = [
  {
    xpath: "//Sales.Order[Status = 'Draft']", attributes: ["Number"],
    sqlite: "SELECT \"sales$order\".\"id\", \"sales$order\".\"submetaobjectname\", \"sales$order\".\"number\" FROM \"sales$order\" WHERE \"sales$order\".\"status\" = ?",
    postgres: "SELECT \"sales$order\".\"id\", \"sales$order\".\"submetaobjectname\", \"sales$order\".\"number\" FROM \"sales$order\" WHERE \"sales$order\".\"status\" = $1",
    mysql: "SELECT \"sales$order\".\"id\", \"sales$order\".\"submetaobjectname\", \"sales$order\".\"number\" FROM \"sales$order\" WHERE \"sales$order\".\"status\" = ?",
  },
  {
    xpath: "//Sales.Order[contains(InternalNote, 'x')]", attributes: ["Number"],
    sqlite: "SELECT \"sales$order\".\"id\", \"sales$order\".\"submetaobjectname\", \"sales$order\".\"number\" FROM \"sales$order\" WHERE kiln_lower(\"sales$order\".\"internalnote\") LIKE ? ESCAPE '!'",
    postgres: "SELECT \"sales$order\".\"id\", \"sales$order\".\"submetaobjectname\", \"sales$order\".\"number\" FROM \"sales$order\" WHERE LOWER(\"sales$order\".\"internalnote\") LIKE $1 ESCAPE '!'",
    mysql: "SELECT \"sales$order\".\"id\", \"sales$order\".\"submetaobjectname\", \"sales$order\".\"number\" FROM \"sales$order\" WHERE BINARY LOWER(\"sales$order\".\"internalnote\") LIKE BINARY ? ESCAPE '!'",
  },
  {
    xpath: "//Sales.Order[Sales.Order_Customer/Sales.Customer/Segment = 'Retail']", attributes: ["Number"],
    sqlite: "SELECT \"sales$order\".\"id\", \"sales$order\".\"submetaobjectname\", \"sales$order\".\"number\" FROM \"sales$order\" WHERE EXISTS (SELECT 1 FROM \"sales$order_customer\" \"t1a\", \"sales$customer\" \"t1\" WHERE \"t1a\".\"sales$orderid\" = \"sales$order\".\"id\" AND \"t1\".\"id\" = \"t1a\".\"sales$customerid\" AND \"t1\".\"segment\" = ?)",
    postgres: "SELECT \"sales$order\".\"id\", \"sales$order\".\"submetaobjectname\", \"sales$order\".\"number\" FROM \"sales$order\" WHERE EXISTS (SELECT 1 FROM \"sales$order_customer\" \"t1a\", \"sales$customer\" \"t1\" WHERE \"t1a\".\"sales$orderid\" = \"sales$order\".\"id\" AND \"t1\".\"id\" = \"t1a\".\"sales$customerid\" AND \"t1\".\"segment\" = $1)",
    mysql: "SELECT \"sales$order\".\"id\", \"sales$order\".\"submetaobjectname\", \"sales$order\".\"number\" FROM \"sales$order\" WHERE EXISTS (SELECT 1 FROM \"sales$order_customer\" \"t1a\", \"sales$customer\" \"t1\" WHERE \"t1a\".\"sales$orderid\" = \"sales$order\".\"id\" AND \"t1\".\"id\" = \"t1a\".\"sales$customerid\" AND \"t1\".\"segment\" = ?)",
  },
  {
    xpath: "//Sales.Order[Sales.Order_Customer = empty]", attributes: ["Number"],
    sqlite: "SELECT \"sales$order\".\"id\", \"sales$order\".\"submetaobjectname\", \"sales$order\".\"number\" FROM \"sales$order\" WHERE NOT (EXISTS (SELECT 1 FROM \"sales$order_customer\" \"t1a\" WHERE \"t1a\".\"sales$orderid\" = \"sales$order\".\"id\"))",
    postgres: "SELECT \"sales$order\".\"id\", \"sales$order\".\"submetaobjectname\", \"sales$order\".\"number\" FROM \"sales$order\" WHERE NOT (EXISTS (SELECT 1 FROM \"sales$order_customer\" \"t1a\" WHERE \"t1a\".\"sales$orderid\" = \"sales$order\".\"id\"))",
    mysql: "SELECT \"sales$order\".\"id\", \"sales$order\".\"submetaobjectname\", \"sales$order\".\"number\" FROM \"sales$order\" WHERE NOT (EXISTS (SELECT 1 FROM \"sales$order_customer\" \"t1a\" WHERE \"t1a\".\"sales$orderid\" = \"sales$order\".\"id\"))",
  },
  {
    xpath: "//Sales.Order[year-from-dateTime(OrderDate) = 2024]", attributes: ["Number"],
    sqlite: "SELECT \"sales$order\".\"id\", \"sales$order\".\"submetaobjectname\", \"sales$order\".\"number\" FROM \"sales$order\" WHERE kiln_datepart('year', \"sales$order\".\"orderdate\", ?) = ?",
    postgres: "SELECT \"sales$order\".\"id\", \"sales$order\".\"submetaobjectname\", \"sales$order\".\"number\" FROM \"sales$order\" WHERE CAST(FLOOR(EXTRACT(YEAR FROM ((\"sales$order\".\"orderdate\") AT TIME ZONE 'UTC') AT TIME ZONE $1)) AS INTEGER) = $2",
    mysql: "SELECT \"sales$order\".\"id\", \"sales$order\".\"submetaobjectname\", \"sales$order\".\"number\" FROM \"sales$order\" WHERE YEAR(COALESCE(CONVERT_TZ(\"sales$order\".\"orderdate\", '+00:00', ?), CONVERT_TZ(\"sales$order\".\"orderdate\", '+00:00', ?))) = ?",
  },
  {
    xpath: "//Sales.Customer[Name = 'x']", attributes: ["Name"],
    sqlite: "SELECT \"sales$customer\".\"id\", \"system$user\".\"name\" FROM \"sales$customer\" INNER JOIN \"system$user\" ON \"system$user\".\"id\" = \"sales$customer\".\"id\" WHERE (\"system$user\".\"name\" = ? AND \"system$user\".\"name\" = ? COLLATE BINARY)",
    postgres: "SELECT \"sales$customer\".\"id\", \"system$user\".\"name\" FROM \"sales$customer\" INNER JOIN \"system$user\" ON \"system$user\".\"id\" = \"sales$customer\".\"id\" WHERE \"system$user\".\"name\" = $1",
    mysql: "SELECT \"sales$customer\".\"id\", \"system$user\".\"name\" FROM \"sales$customer\" INNER JOIN \"system$user\" ON \"system$user\".\"id\" = \"sales$customer\".\"id\" WHERE (\"system$user\".\"name\" = ? AND BINARY \"system$user\".\"name\" = BINARY ?)",
  },
  {
    xpath: "//Sales.Order[System.owner = '[%CurrentUser%]']", attributes: ["Number"],
    sqlite: "SELECT \"sales$order\".\"id\", \"sales$order\".\"submetaobjectname\", \"sales$order\".\"number\" FROM \"sales$order\" WHERE (\"sales$order\".\"system$owner\" IS NOT NULL AND \"sales$order\".\"system$owner\" = ?)",
    postgres: "SELECT \"sales$order\".\"id\", \"sales$order\".\"submetaobjectname\", \"sales$order\".\"number\" FROM \"sales$order\" WHERE (\"sales$order\".\"system$owner\" IS NOT NULL AND \"sales$order\".\"system$owner\" = $1)",
    mysql: "SELECT \"sales$order\".\"id\", \"sales$order\".\"submetaobjectname\", \"sales$order\".\"number\" FROM \"sales$order\" WHERE (\"sales$order\".\"system$owner\" IS NOT NULL AND \"sales$order\".\"system$owner\" = ?)",
  },
  {
    xpath: "//Catalog.Category[Catalog.Product_Category/Catalog.Product/Discontinued = true()]", attributes: ["Name"],
    sqlite: "SELECT \"catalog$category\".\"id\", \"catalog$category\".\"name\" FROM \"catalog$category\" WHERE EXISTS (SELECT 1 FROM \"catalog$product_category\" \"t1a\", \"catalog$product\" \"t1\" WHERE \"t1a\".\"catalog$categoryid\" = \"catalog$category\".\"id\" AND \"t1\".\"id\" = \"t1a\".\"catalog$productid\" AND \"t1\".\"discontinued\" = ?)",
    postgres: "SELECT \"catalog$category\".\"id\", \"catalog$category\".\"name\" FROM \"catalog$category\" WHERE EXISTS (SELECT 1 FROM \"catalog$product_category\" \"t1a\", \"catalog$product\" \"t1\" WHERE \"t1a\".\"catalog$categoryid\" = \"catalog$category\".\"id\" AND \"t1\".\"id\" = \"t1a\".\"catalog$productid\" AND \"t1\".\"discontinued\" = $1)",
    mysql: "SELECT \"catalog$category\".\"id\", \"catalog$category\".\"name\" FROM \"catalog$category\" WHERE EXISTS (SELECT 1 FROM \"catalog$product_category\" \"t1a\", \"catalog$product\" \"t1\" WHERE \"t1a\".\"catalog$categoryid\" = \"catalog$category\".\"id\" AND \"t1\".\"id\" = \"t1a\".\"catalog$productid\" AND \"t1\".\"discontinued\" = ?)",
  },
  {
    xpath: "//Sales.Order", attributes: ["Number"], role: "Customer",
    sqlite: "SELECT \"sales$order\".\"id\", \"sales$order\".\"submetaobjectname\", \"sales$order\".\"number\" FROM \"sales$order\" WHERE EXISTS (SELECT 1 FROM \"sales$order_customer\" \"t1a\" WHERE \"t1a\".\"sales$orderid\" = \"sales$order\".\"id\" AND \"t1a\".\"sales$customerid\" = ?)",
    postgres: "SELECT \"sales$order\".\"id\", \"sales$order\".\"submetaobjectname\", \"sales$order\".\"number\" FROM \"sales$order\" WHERE EXISTS (SELECT 1 FROM \"sales$order_customer\" \"t1a\" WHERE \"t1a\".\"sales$orderid\" = \"sales$order\".\"id\" AND \"t1a\".\"sales$customerid\" = $1)",
    mysql: "SELECT \"sales$order\".\"id\", \"sales$order\".\"submetaobjectname\", \"sales$order\".\"number\" FROM \"sales$order\" WHERE EXISTS (SELECT 1 FROM \"sales$order_customer\" \"t1a\" WHERE \"t1a\".\"sales$orderid\" = \"sales$order\".\"id\" AND \"t1a\".\"sales$customerid\" = ?)",
  },
  {
    xpath: "//Administration.Account", attributes: ["FullName"], role: "SalesManager",
    sqlite: "SELECT \"administration$account\".\"id\", \"system$user\".\"submetaobjectname\", \"administration$account\".\"fullname\" FROM \"administration$account\" INNER JOIN \"system$user\" ON \"system$user\".\"id\" = \"administration$account\".\"id\" WHERE ((\"system$user\".\"submetaobjectname\" IN (?) AND \"administration$account\".\"id\" = ?) OR \"system$user\".\"submetaobjectname\" IN (?))",
    postgres: "SELECT \"administration$account\".\"id\", \"system$user\".\"submetaobjectname\", \"administration$account\".\"fullname\" FROM \"administration$account\" INNER JOIN \"system$user\" ON \"system$user\".\"id\" = \"administration$account\".\"id\" WHERE ((\"system$user\".\"submetaobjectname\" IN ($1) AND \"administration$account\".\"id\" = $2) OR \"system$user\".\"submetaobjectname\" IN ($3))",
    mysql: "SELECT \"administration$account\".\"id\", \"system$user\".\"submetaobjectname\", \"administration$account\".\"fullname\" FROM \"administration$account\" INNER JOIN \"system$user\" ON \"system$user\".\"id\" = \"administration$account\".\"id\" WHERE ((\"system$user\".\"submetaobjectname\" IN (?) AND \"administration$account\".\"id\" = ?) OR \"system$user\".\"submetaobjectname\" IN (?))",
  },

];


const USED = ['Firstname', 'Lastname', 'Jobtitle', 'Department', 'DateOfBirth']
  .map((a) => `MyFirstModule.Employee/MyFirstModule.Employee.${a}`);

describe('the seeds\' overview retrieve', () => {
  const expected = {
    sqlite: [
      'SELECT "myfirstmodule$employee"."id", "myfirstmodule$employee"."dateofbirth", "myfirstmodule$employee"."department", "myfirstmodule$employee"."firstname", "myfirstmodule$employee"."jobtitle", "myfirstmodule$employee"."lastname" FROM "myfirstmodule$employee" ORDER BY "myfirstmodule$employee"."firstname" ASC, "myfirstmodule$employee"."id" ASC LIMIT 20',
      'SELECT COUNT(*) FROM "myfirstmodule$employee"',
    ],
    postgres: [
      'SELECT "myfirstmodule$employee"."id", "myfirstmodule$employee"."dateofbirth", "myfirstmodule$employee"."department", "myfirstmodule$employee"."firstname", "myfirstmodule$employee"."jobtitle", "myfirstmodule$employee"."lastname" FROM "myfirstmodule$employee" ORDER BY "myfirstmodule$employee"."firstname" ASC, "myfirstmodule$employee"."id" ASC LIMIT 20',
      'SELECT COUNT(*) FROM "myfirstmodule$employee"',
    ],
    mysql: [
      'SELECT "myfirstmodule$employee"."id", "myfirstmodule$employee"."dateofbirth", "myfirstmodule$employee"."department", "myfirstmodule$employee"."firstname", "myfirstmodule$employee"."jobtitle", "myfirstmodule$employee"."lastname" FROM "myfirstmodule$employee" ORDER BY "myfirstmodule$employee"."firstname" ASC, "myfirstmodule$employee"."id" ASC LIMIT 20',
      'SELECT COUNT(*) FROM "myfirstmodule$employee"',
    ],
  } as const;
  it.each(Object.keys(expected) as (keyof typeof expected)[])('compiles to exactly two statements on %s', async (dialect) => {
    const model = await exampleModel('employees');
    const plan = compileQuery(model, {
      xpath: '//MyFirstModule.Employee', attributes: USED, sort: [{ attribute: 'Firstname' }],
      offset: 0, amount: 20, wantCount: true,
    }, dialect);
    expect(explain(plan, null).sql).toEqual(expected[dialect]);
  });
});

describe.each(['sqlite', 'postgres', 'mysql'] as const)('XPath -> SQL on %s', (dialect) => {
  it.each(SQL_CASES.map((c) => [c.xpath, c.role ?? 'no user', c] as const))('%s (%s)', async (_x, _r, c) => {
    const model = await exampleModel('sales');
    const user = c.role ? salesUser(model, c.role, 5n) : null;
    const plan = compileQuery(model, { xpath: c.xpath, attributes: c.attributes }, dialect);
    expect(explain(plan, user).sql).toEqual([c[dialect]]);
  });
});

describe('the seeds\' microflow retrieve', () => {
  it('reads every attribute without ORDER BY or paging', async () => {
    const model = await exampleModel('employees');
    const plan = compileQuery(model, { xpath: '//MyFirstModule.Employee' }, 'postgres');
    expect(explain(plan, null).sql).toEqual([
      'SELECT "myfirstmodule$employee"."id", "myfirstmodule$employee"."dateofbirth", "myfirstmodule$employee"."department", "myfirstmodule$employee"."firstname", "myfirstmodule$employee"."jobtitle", "myfirstmodule$employee"."lastname" FROM "myfirstmodule$employee"',
    ]);
    expect(explain(plan, null, { amount: 10 }).sql[0]).toMatch(/ ORDER BY "myfirstmodule\$employee"\."id" ASC LIMIT 10$/);
  });
});

describe('plans', () => {
  it('compile once per set of applicable rules and bind user values per execution', async () => {
    const model = await exampleModel('sales');
    const plan = compileQuery(model, { xpath: '//Sales.Order', attributes: ['Number'] }, 'postgres');
    const a = plan.variant(salesUser(model, 'Customer', 1n), undefined);
    const b = plan.variant(salesUser(model, 'Customer', 2n), undefined);
    expect(b).toBe(a);
    expect(plan.variant(salesUser(model, 'SalesManager', 3n), undefined)).not.toBe(a);
    expect(plan.variant(null, undefined)).not.toBe(a);
  });

  it('rejects enumeration values the enumeration does not have', async () => {
    const model = await exampleModel('sales');
    expect(() => compileQuery(model, { xpath: "//Sales.Order[Status = 'draft']" }, 'sqlite')).toThrow("'draft' is not a value of Sales.OrderStatus (expected one of Draft, Confirmed, Shipped, Cancelled)");
  });
});
