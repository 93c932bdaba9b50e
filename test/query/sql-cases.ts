import { Decimal } from 'decimal.js';
import { createMxObject } from '../../src/objects/mx-object.js';

/**
 * The XPath -> SQL table: each case is compiled per dialect and compared with
 * its statement (compile-sql.test.ts), then executed on SQLite, PostgreSQL and
 * MariaDB against the sales fixture (fixture.ts), where the statement sent must
 * be the same text and the objects (or the aggregate's value) those expected
 * (execute.test.ts). The clock is 2024-04-01 12:00 UTC, the user's zone UTC.
 */
export interface SqlCase {
  readonly xpath: string;
  readonly attributes?: readonly string[];
  readonly sort?: readonly { readonly attribute: string; readonly descending?: boolean }[];
  /** With entity access for this user role (the user is `who`). */
  readonly role?: string;
  /** The fixture user bound to [%CurrentUser%]; without `role` no entity access is applied. */
  readonly who?: string;
  readonly vars?: (ids: Record<string, bigint>) => Record<string, unknown>;
  /** Keys of the fixture objects expected (in order when `ordered`). */
  readonly expect?: readonly string[];
  readonly ordered?: boolean;
  /** An aggregate's value: String(value), or the ISO text of a date. */
  readonly value?: string;
  readonly sqlite: string;
  readonly postgres: string;
  readonly mysql: string;
}

export const SQL_CASES: readonly SqlCase[] = [
  {
    // an enumeration value
    xpath: "//Sales.Order[Status = 'Draft']",
    attributes: ['Number'],
    expect: ['o1', 'r4'],
    sqlite: 'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE "sales$order"."status" = ?',
    postgres: 'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE "sales$order"."status" = $1',
    mysql: 'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE "sales$order"."status" = ?',
  },
  {
    // not equal leaves out empty values
    xpath: "//Sales.Order[Status != 'Draft']",
    attributes: ['Number'],
    expect: ['o2', 'o3', 'o5'],
    sqlite: 'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE "sales$order"."status" <> ?',
    postgres: 'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE "sales$order"."status" <> $1',
    mysql: 'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE "sales$order"."status" <> ?',
  },
  {
    // contains: case-insensitive, % literal
    xpath: "//Sales.Customer[contains(CompanyName, 'WORKS 100%')]",
    attributes: ['CompanyName'],
    expect: ['bob'],
    sqlite:
      'SELECT "sales$customer"."id", "sales$customer"."companyname" FROM "sales$customer" WHERE kiln_lower("sales$customer"."companyname") LIKE ? ESCAPE \'!\'',
    postgres:
      'SELECT "sales$customer"."id", "sales$customer"."companyname" FROM "sales$customer" WHERE LOWER("sales$customer"."companyname") LIKE $1 ESCAPE \'!\'',
    mysql:
      'SELECT "sales$customer"."id", "sales$customer"."companyname" FROM "sales$customer" WHERE BINARY LOWER("sales$customer"."companyname") LIKE BINARY ? ESCAPE \'!\'',
  },
  {
    // starts-with / ends-with, or
    xpath: "//Sales.Customer[starts-with(CompanyName, 'acme') or ends-with(FullName, 'ÖZTÜRK')]",
    attributes: ['CompanyName'],
    expect: ['alice', 'carol'],
    sqlite:
      'SELECT "sales$customer"."id", "sales$customer"."companyname" FROM "sales$customer" INNER JOIN "administration$account" ON "administration$account"."id" = "sales$customer"."id" WHERE (kiln_lower("sales$customer"."companyname") LIKE ? ESCAPE \'!\' OR kiln_lower("administration$account"."fullname") LIKE ? ESCAPE \'!\')',
    postgres:
      'SELECT "sales$customer"."id", "sales$customer"."companyname" FROM "sales$customer" INNER JOIN "administration$account" ON "administration$account"."id" = "sales$customer"."id" WHERE (LOWER("sales$customer"."companyname") LIKE $1 ESCAPE \'!\' OR LOWER("administration$account"."fullname") LIKE $2 ESCAPE \'!\')',
    mysql:
      'SELECT "sales$customer"."id", "sales$customer"."companyname" FROM "sales$customer" INNER JOIN "administration$account" ON "administration$account"."id" = "sales$customer"."id" WHERE (BINARY LOWER("sales$customer"."companyname") LIKE BINARY ? ESCAPE \'!\' OR BINARY LOWER("administration$account"."fullname") LIKE BINARY ? ESCAPE \'!\')',
  },
  {
    // string = is case-sensitive
    xpath: "//Sales.Customer[Name = 'bob']",
    attributes: ['Name'],
    expect: ['bob'],
    sqlite:
      'SELECT "sales$customer"."id", "system$user"."name" FROM "sales$customer" INNER JOIN "system$user" ON "system$user"."id" = "sales$customer"."id" WHERE ("system$user"."name" = ? AND "system$user"."name" = ? COLLATE BINARY)',
    postgres:
      'SELECT "sales$customer"."id", "system$user"."name" FROM "sales$customer" INNER JOIN "system$user" ON "system$user"."id" = "sales$customer"."id" WHERE "system$user"."name" = $1',
    mysql:
      'SELECT "sales$customer"."id", "system$user"."name" FROM "sales$customer" INNER JOIN "system$user" ON "system$user"."id" = "sales$customer"."id" WHERE ("system$user"."name" = ? AND BINARY "system$user"."name" = BINARY ?)',
  },
  {
    // string-length
    xpath: '//Catalog.Product[string-length(Name) = 6]',
    attributes: ['Name'],
    expect: ['widget', 'gadget'],
    sqlite: 'SELECT "catalog$product"."id", "catalog$product"."name" FROM "catalog$product" WHERE LENGTH("catalog$product"."name") = ?',
    postgres: 'SELECT "catalog$product"."id", "catalog$product"."name" FROM "catalog$product" WHERE LENGTH("catalog$product"."name") = $1',
    mysql: 'SELECT "catalog$product"."id", "catalog$product"."name" FROM "catalog$product" WHERE CHAR_LENGTH("catalog$product"."name") = ?',
  },
  {
    // a bare Boolean attribute
    xpath: '//Catalog.Product[Discontinued]',
    attributes: ['Name'],
    expect: ['gizmo'],
    sqlite: 'SELECT "catalog$product"."id", "catalog$product"."name" FROM "catalog$product" WHERE "catalog$product"."discontinued" = ?',
    postgres: 'SELECT "catalog$product"."id", "catalog$product"."name" FROM "catalog$product" WHERE "catalog$product"."discontinued" = $1',
    mysql: 'SELECT "catalog$product"."id", "catalog$product"."name" FROM "catalog$product" WHERE "catalog$product"."discontinued" = ?',
  },
  {
    // empty
    xpath: '//Catalog.Product[Description = empty]',
    attributes: ['Name'],
    expect: ['gadget'],
    sqlite: 'SELECT "catalog$product"."id", "catalog$product"."name" FROM "catalog$product" WHERE "catalog$product"."description" IS NULL',
    postgres: 'SELECT "catalog$product"."id", "catalog$product"."name" FROM "catalog$product" WHERE "catalog$product"."description" IS NULL',
    mysql: 'SELECT "catalog$product"."id", "catalog$product"."name" FROM "catalog$product" WHERE "catalog$product"."description" IS NULL',
  },
  {
    // reference: no related object
    xpath: '//Sales.Order[Sales.Order_Customer = empty]',
    attributes: ['Number'],
    expect: ['o5'],
    sqlite:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE NOT (EXISTS (SELECT 1 FROM "sales$order_customer" "t1a" WHERE "t1a"."sales$orderid" = "sales$order"."id"))',
    postgres:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE NOT (EXISTS (SELECT 1 FROM "sales$order_customer" "t1a" WHERE "t1a"."sales$orderid" = "sales$order"."id"))',
    mysql:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE NOT (EXISTS (SELECT 1 FROM "sales$order_customer" "t1a" WHERE "t1a"."sales$orderid" = "sales$order"."id"))',
  },
  {
    // reference, owner side
    xpath: "//Sales.Order[Sales.Order_Customer/Sales.Customer/Segment = 'Retail']",
    attributes: ['Number'],
    expect: ['o1', 'o2', 'r4'],
    sqlite:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE EXISTS (SELECT 1 FROM "sales$order_customer" "t1a", "sales$customer" "t1" WHERE "t1a"."sales$orderid" = "sales$order"."id" AND "t1"."id" = "t1a"."sales$customerid" AND "t1"."segment" = ?)',
    postgres:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE EXISTS (SELECT 1 FROM "sales$order_customer" "t1a", "sales$customer" "t1" WHERE "t1a"."sales$orderid" = "sales$order"."id" AND "t1"."id" = "t1a"."sales$customerid" AND "t1"."segment" = $1)',
    mysql:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE EXISTS (SELECT 1 FROM "sales$order_customer" "t1a", "sales$customer" "t1" WHERE "t1a"."sales$orderid" = "sales$order"."id" AND "t1"."id" = "t1a"."sales$customerid" AND "t1"."segment" = ?)',
  },
  {
    // reference, other side
    xpath: '//Sales.Customer[Sales.Order_Customer/Sales.Order/Total > 500]',
    attributes: ['Name'],
    expect: ['carol'],
    sqlite:
      'SELECT "sales$customer"."id", "system$user"."name" FROM "sales$customer" INNER JOIN "system$user" ON "system$user"."id" = "sales$customer"."id" WHERE EXISTS (SELECT 1 FROM "sales$order_customer" "t1a", "sales$order" "t1" WHERE "t1a"."sales$customerid" = "sales$customer"."id" AND "t1"."id" = "t1a"."sales$orderid" AND "t1"."total" > ?)',
    postgres:
      'SELECT "sales$customer"."id", "system$user"."name" FROM "sales$customer" INNER JOIN "system$user" ON "system$user"."id" = "sales$customer"."id" WHERE EXISTS (SELECT 1 FROM "sales$order_customer" "t1a", "sales$order" "t1" WHERE "t1a"."sales$customerid" = "sales$customer"."id" AND "t1"."id" = "t1a"."sales$orderid" AND "t1"."total" > $1)',
    mysql:
      'SELECT "sales$customer"."id", "system$user"."name" FROM "sales$customer" INNER JOIN "system$user" ON "system$user"."id" = "sales$customer"."id" WHERE EXISTS (SELECT 1 FROM "sales$order_customer" "t1a", "sales$order" "t1" WHERE "t1a"."sales$customerid" = "sales$customer"."id" AND "t1"."id" = "t1a"."sales$orderid" AND "t1"."total" > ?)',
  },
  {
    // reference set, owner side
    xpath: "//Catalog.Product[Catalog.Product_Category/Catalog.Category/Name = 'Toys']",
    attributes: ['Name'],
    expect: ['widget', 'gadget'],
    sqlite:
      'SELECT "catalog$product"."id", "catalog$product"."name" FROM "catalog$product" WHERE EXISTS (SELECT 1 FROM "catalog$product_category" "t1a", "catalog$category" "t1" WHERE "t1a"."catalog$productid" = "catalog$product"."id" AND "t1"."id" = "t1a"."catalog$categoryid" AND ("t1"."name" = ? AND "t1"."name" = ? COLLATE BINARY))',
    postgres:
      'SELECT "catalog$product"."id", "catalog$product"."name" FROM "catalog$product" WHERE EXISTS (SELECT 1 FROM "catalog$product_category" "t1a", "catalog$category" "t1" WHERE "t1a"."catalog$productid" = "catalog$product"."id" AND "t1"."id" = "t1a"."catalog$categoryid" AND "t1"."name" = $1)',
    mysql:
      'SELECT "catalog$product"."id", "catalog$product"."name" FROM "catalog$product" WHERE EXISTS (SELECT 1 FROM "catalog$product_category" "t1a", "catalog$category" "t1" WHERE "t1a"."catalog$productid" = "catalog$product"."id" AND "t1"."id" = "t1a"."catalog$categoryid" AND ("t1"."name" = ? AND BINARY "t1"."name" = BINARY ?))',
  },
  {
    // reference set, other side, true()/false()
    xpath: '//Catalog.Category[Catalog.Product_Category/Catalog.Product/Discontinued = false()]',
    attributes: ['Name'],
    expect: ['tools', 'toys'],
    sqlite:
      'SELECT "catalog$category"."id", "catalog$category"."name" FROM "catalog$category" WHERE EXISTS (SELECT 1 FROM "catalog$product_category" "t1a", "catalog$product" "t1" WHERE "t1a"."catalog$categoryid" = "catalog$category"."id" AND "t1"."id" = "t1a"."catalog$productid" AND "t1"."discontinued" = ?)',
    postgres:
      'SELECT "catalog$category"."id", "catalog$category"."name" FROM "catalog$category" WHERE EXISTS (SELECT 1 FROM "catalog$product_category" "t1a", "catalog$product" "t1" WHERE "t1a"."catalog$categoryid" = "catalog$category"."id" AND "t1"."id" = "t1a"."catalog$productid" AND "t1"."discontinued" = $1)',
    mysql:
      'SELECT "catalog$category"."id", "catalog$category"."name" FROM "catalog$category" WHERE EXISTS (SELECT 1 FROM "catalog$product_category" "t1a", "catalog$product" "t1" WHERE "t1a"."catalog$categoryid" = "catalog$category"."id" AND "t1"."id" = "t1a"."catalog$productid" AND "t1"."discontinued" = ?)',
  },
  {
    // nested predicates on path steps
    xpath: "//Sales.OrderLine[Sales.OrderLine_Order/Sales.Order[Status = 'Draft']/Sales.Order_Customer/Sales.Customer[Active = true()]/Name = 'alice']",
    attributes: ['Quantity'],
    expect: ['l1', 'l2'],
    sqlite:
      'SELECT "sales$orderline"."id", "sales$orderline"."quantity" FROM "sales$orderline" WHERE EXISTS (SELECT 1 FROM "sales$orderline_order" "t1a", "sales$order" "t1", "sales$order_customer" "t2a", "system$user" "t2" WHERE "t1a"."sales$orderlineid" = "sales$orderline"."id" AND "t1"."id" = "t1a"."sales$orderid" AND "t2a"."sales$orderid" = "t1"."id" AND "t2"."id" = "t2a"."sales$customerid" AND ("t1"."status" = ? AND "t2"."active" = ? AND ("t2"."name" = ? AND "t2"."name" = ? COLLATE BINARY)))',
    postgres:
      'SELECT "sales$orderline"."id", "sales$orderline"."quantity" FROM "sales$orderline" WHERE EXISTS (SELECT 1 FROM "sales$orderline_order" "t1a", "sales$order" "t1", "sales$order_customer" "t2a", "system$user" "t2" WHERE "t1a"."sales$orderlineid" = "sales$orderline"."id" AND "t1"."id" = "t1a"."sales$orderid" AND "t2a"."sales$orderid" = "t1"."id" AND "t2"."id" = "t2a"."sales$customerid" AND ("t1"."status" = $1 AND "t2"."active" = $2 AND "t2"."name" = $3))',
    mysql:
      'SELECT "sales$orderline"."id", "sales$orderline"."quantity" FROM "sales$orderline" WHERE EXISTS (SELECT 1 FROM "sales$orderline_order" "t1a", "sales$order" "t1", "sales$order_customer" "t2a", "system$user" "t2" WHERE "t1a"."sales$orderlineid" = "sales$orderline"."id" AND "t1"."id" = "t1a"."sales$orderid" AND "t2a"."sales$orderid" = "t1"."id" AND "t2"."id" = "t2a"."sales$customerid" AND ("t1"."status" = ? AND "t2"."active" = ? AND ("t2"."name" = ? AND BINARY "t2"."name" = BINARY ?)))',
  },
  {
    // not() over a path matches objects without related objects
    xpath: '//Sales.Order[not(Sales.Order_Customer/Sales.Customer[Active = false()])]',
    attributes: ['Number'],
    expect: ['o1', 'o2', 'o3', 'o5'],
    sqlite:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE NOT (EXISTS (SELECT 1 FROM "sales$order_customer" "t1a", "system$user" "t1" WHERE "t1a"."sales$orderid" = "sales$order"."id" AND "t1"."id" = "t1a"."sales$customerid" AND "t1"."active" = ?))',
    postgres:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE NOT (EXISTS (SELECT 1 FROM "sales$order_customer" "t1a", "system$user" "t1" WHERE "t1a"."sales$orderid" = "sales$order"."id" AND "t1"."id" = "t1a"."sales$customerid" AND "t1"."active" = $1))',
    mysql:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE NOT (EXISTS (SELECT 1 FROM "sales$order_customer" "t1a", "system$user" "t1" WHERE "t1a"."sales$orderid" = "sales$order"."id" AND "t1"."id" = "t1a"."sales$customerid" AND "t1"."active" = ?))',
  },
  {
    // the related object is a specialization
    xpath: '//Sales.Customer[Sales.Order_Customer/Sales.RushOrder]',
    attributes: ['Name'],
    expect: ['carol'],
    sqlite:
      'SELECT "sales$customer"."id", "system$user"."name" FROM "sales$customer" INNER JOIN "system$user" ON "system$user"."id" = "sales$customer"."id" WHERE EXISTS (SELECT 1 FROM "sales$order_customer" "t2a", "sales$rushorder" "t2" WHERE "t2a"."sales$customerid" = "sales$customer"."id" AND "t2"."id" = "t2a"."sales$orderid")',
    postgres:
      'SELECT "sales$customer"."id", "system$user"."name" FROM "sales$customer" INNER JOIN "system$user" ON "system$user"."id" = "sales$customer"."id" WHERE EXISTS (SELECT 1 FROM "sales$order_customer" "t2a", "sales$rushorder" "t2" WHERE "t2a"."sales$customerid" = "sales$customer"."id" AND "t2"."id" = "t2a"."sales$orderid")',
    mysql:
      'SELECT "sales$customer"."id", "system$user"."name" FROM "sales$customer" INNER JOIN "system$user" ON "system$user"."id" = "sales$customer"."id" WHERE EXISTS (SELECT 1 FROM "sales$order_customer" "t2a", "sales$rushorder" "t2" WHERE "t2a"."sales$customerid" = "sales$customer"."id" AND "t2"."id" = "t2a"."sales$orderid")',
  },
  {
    // a query path: the B objects of matching A objects
    xpath: "//Sales.Customer[Segment = 'Retail']/Sales.Order_Customer/Sales.Order",
    attributes: ['Number'],
    expect: ['o1', 'o2', 'r4'],
    sqlite:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE EXISTS (SELECT 1 FROM "sales$order_customer" "t1a", "sales$customer" "t1" WHERE "t1a"."sales$orderid" = "sales$order"."id" AND "t1"."id" = "t1a"."sales$customerid" AND "t1"."segment" = ?)',
    postgres:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE EXISTS (SELECT 1 FROM "sales$order_customer" "t1a", "sales$customer" "t1" WHERE "t1a"."sales$orderid" = "sales$order"."id" AND "t1"."id" = "t1a"."sales$customerid" AND "t1"."segment" = $1)',
    mysql:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE EXISTS (SELECT 1 FROM "sales$order_customer" "t1a", "sales$customer" "t1" WHERE "t1a"."sales$orderid" = "sales$order"."id" AND "t1"."id" = "t1a"."sales$customerid" AND "t1"."segment" = ?)',
  },
  {
    // date parts in the user's zone and in a given zone
    xpath: "//Sales.Order[year-from-dateTime(OrderDate) = 2024][quarter-from-dateTime(OrderDate, 'Europe/Amsterdam') = 2]",
    attributes: ['Number'],
    expect: ['o2', 'o3'],
    sqlite:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE (kiln_datepart(\'year\', "sales$order"."orderdate", ?) = ? AND kiln_datepart(\'quarter\', "sales$order"."orderdate", ?) = ?)',
    postgres:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE (CAST(FLOOR(EXTRACT(YEAR FROM (("sales$order"."orderdate") AT TIME ZONE \'UTC\') AT TIME ZONE $1)) AS INTEGER) = $2 AND CAST(FLOOR(EXTRACT(QUARTER FROM (("sales$order"."orderdate") AT TIME ZONE \'UTC\') AT TIME ZONE $3)) AS INTEGER) = $4)',
    mysql:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE (YEAR(COALESCE(CONVERT_TZ("sales$order"."orderdate", \'+00:00\', ?), CONVERT_TZ("sales$order"."orderdate", \'+00:00\', ?))) = ? AND QUARTER(COALESCE(CONVERT_TZ("sales$order"."orderdate", \'+00:00\', ?), CONVERT_TZ("sales$order"."orderdate", \'+00:00\', ?))) = ?)',
  },
  {
    // weekday (1 = Sunday) and ISO week
    xpath: '//Sales.Order[weekday-from-dateTime(OrderDate) = 2 and week-from-dateTime(OrderDate) = 3]',
    attributes: ['Number'],
    expect: ['o1'],
    sqlite:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE (kiln_datepart(\'weekday\', "sales$order"."orderdate", ?) = ? AND kiln_datepart(\'week\', "sales$order"."orderdate", ?) = ?)',
    postgres:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE (CAST(EXTRACT(DOW FROM (("sales$order"."orderdate") AT TIME ZONE \'UTC\') AT TIME ZONE $1) AS INTEGER) + 1 = $2 AND CAST(FLOOR(EXTRACT(WEEK FROM (("sales$order"."orderdate") AT TIME ZONE \'UTC\') AT TIME ZONE $3)) AS INTEGER) = $4)',
    mysql:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE (DAYOFWEEK(COALESCE(CONVERT_TZ("sales$order"."orderdate", \'+00:00\', ?), CONVERT_TZ("sales$order"."orderdate", \'+00:00\', ?))) = ? AND WEEK(COALESCE(CONVERT_TZ("sales$order"."orderdate", \'+00:00\', ?), CONVERT_TZ("sales$order"."orderdate", \'+00:00\', ?)), 3) = ?)',
  },
  {
    // day, hours, minutes, seconds, day of year
    xpath:
      '//Sales.Order[day-from-dateTime(OrderDate) = 31 and hours-from-dateTime(OrderDate) = 23 and minutes-from-dateTime(OrderDate) = 30 and seconds-from-dateTime(OrderDate) = 0 and day-of-year-from-dateTime(OrderDate) = 366]',
    attributes: ['Number'],
    expect: ['r4'],
    sqlite:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE (kiln_datepart(\'day\', "sales$order"."orderdate", ?) = ? AND kiln_datepart(\'hours\', "sales$order"."orderdate", ?) = ? AND kiln_datepart(\'minutes\', "sales$order"."orderdate", ?) = ? AND kiln_datepart(\'seconds\', "sales$order"."orderdate", ?) = ? AND kiln_datepart(\'day-of-year\', "sales$order"."orderdate", ?) = ?)',
    postgres:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE (CAST(FLOOR(EXTRACT(DAY FROM (("sales$order"."orderdate") AT TIME ZONE \'UTC\') AT TIME ZONE $1)) AS INTEGER) = $2 AND CAST(FLOOR(EXTRACT(HOUR FROM (("sales$order"."orderdate") AT TIME ZONE \'UTC\') AT TIME ZONE $3)) AS INTEGER) = $4 AND CAST(FLOOR(EXTRACT(MINUTE FROM (("sales$order"."orderdate") AT TIME ZONE \'UTC\') AT TIME ZONE $5)) AS INTEGER) = $6 AND CAST(FLOOR(EXTRACT(SECOND FROM (("sales$order"."orderdate") AT TIME ZONE \'UTC\') AT TIME ZONE $7)) AS INTEGER) = $8 AND CAST(FLOOR(EXTRACT(DOY FROM (("sales$order"."orderdate") AT TIME ZONE \'UTC\') AT TIME ZONE $9)) AS INTEGER) = $10)',
    mysql:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE (DAYOFMONTH(COALESCE(CONVERT_TZ("sales$order"."orderdate", \'+00:00\', ?), CONVERT_TZ("sales$order"."orderdate", \'+00:00\', ?))) = ? AND HOUR(COALESCE(CONVERT_TZ("sales$order"."orderdate", \'+00:00\', ?), CONVERT_TZ("sales$order"."orderdate", \'+00:00\', ?))) = ? AND MINUTE(COALESCE(CONVERT_TZ("sales$order"."orderdate", \'+00:00\', ?), CONVERT_TZ("sales$order"."orderdate", \'+00:00\', ?))) = ? AND SECOND(COALESCE(CONVERT_TZ("sales$order"."orderdate", \'+00:00\', ?), CONVERT_TZ("sales$order"."orderdate", \'+00:00\', ?))) = ? AND DAYOFYEAR(COALESCE(CONVERT_TZ("sales$order"."orderdate", \'+00:00\', ?), CONVERT_TZ("sales$order"."orderdate", \'+00:00\', ?))) = ?)',
  },
  {
    // a time token with an offset (now = 2024-04-01 12:00 UTC)
    xpath: "//Sales.Order[OrderDate > '[%BeginOfCurrentDay%] - 3 * [%DayLength%]'][OrderDate < '[%EndOfCurrentYear%]']",
    attributes: ['Number'],
    expect: ['o2', 'o3', 'r4'],
    sqlite:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE ("sales$order"."orderdate" > ? AND "sales$order"."orderdate" < ?)',
    postgres:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE ("sales$order"."orderdate" > $1 AND "sales$order"."orderdate" < $2)',
    mysql:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE ("sales$order"."orderdate" > ? AND "sales$order"."orderdate" < ?)',
  },
  {
    // [%CurrentUser%] and System.owner
    xpath: "//Sales.Order[System.owner = '[%CurrentUser%]']",
    attributes: ['Number'],
    who: 'alice',
    expect: ['o1', 'o2'],
    sqlite:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE ("sales$order"."system$owner" IS NOT NULL AND "sales$order"."system$owner" = ?)',
    postgres:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE ("sales$order"."system$owner" IS NOT NULL AND "sales$order"."system$owner" = $1)',
    mysql:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE ("sales$order"."system$owner" IS NOT NULL AND "sales$order"."system$owner" = ?)',
  },
  {
    // [%UserRole_Name%] over a reference set to System.UserRole
    xpath: "//System.User[System.UserRoles = '[%UserRole_Customer%]']",
    attributes: ['Name'],
    expect: ['alice', 'bob'],
    sqlite:
      'SELECT "system$user"."id", "system$user"."submetaobjectname", "system$user"."name" FROM "system$user" WHERE EXISTS (SELECT 1 FROM "system$userroles" "t1a" WHERE "t1a"."system$userid" = "system$user"."id" AND "t1a"."system$userroleid" = (SELECT "ur"."id" FROM "system$userrole" "ur" WHERE "ur"."name" = ?))',
    postgres:
      'SELECT "system$user"."id", "system$user"."submetaobjectname", "system$user"."name" FROM "system$user" WHERE EXISTS (SELECT 1 FROM "system$userroles" "t1a" WHERE "t1a"."system$userid" = "system$user"."id" AND "t1a"."system$userroleid" = (SELECT "ur"."id" FROM "system$userrole" "ur" WHERE "ur"."name" = $1))',
    mysql:
      'SELECT "system$user"."id", "system$user"."submetaobjectname", "system$user"."name" FROM "system$user" WHERE EXISTS (SELECT 1 FROM "system$userroles" "t1a" WHERE "t1a"."system$userid" = "system$user"."id" AND "t1a"."system$userroleid" = (SELECT "ur"."id" FROM "system$userrole" "ur" WHERE "ur"."name" = ?))',
  },
  {
    // [%CurrentObject%] and id
    xpath: "//Sales.Order[id = '[%CurrentObject%]']",
    attributes: ['Number'],
    vars: (ids) => ({ CurrentObject: createMxObject('Sales.Order', ids.o3!, 'persisted') }),
    expect: ['o3'],
    sqlite: 'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE "sales$order"."id" = ?',
    postgres: 'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE "sales$order"."id" = $1',
    mysql: 'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE "sales$order"."id" = ?',
  },
  {
    // variables: $obj/Attr and an object
    xpath: '//Sales.Order[Total >= $o/Total][Sales.Order_Customer = $c]',
    attributes: ['Number'],
    vars: (ids) => {
      const o = createMxObject('Sales.Order', ids.o1!, 'persisted');
      o.values.set('Total', new Decimal('100'));
      return { o, c: ids.alice };
    },
    expect: ['o1', 'o2'],
    sqlite:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE ("sales$order"."total" >= ? AND EXISTS (SELECT 1 FROM "sales$order_customer" "t1a" WHERE "t1a"."sales$orderid" = "sales$order"."id" AND "t1a"."sales$customerid" = ?))',
    postgres:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE ("sales$order"."total" >= $1 AND EXISTS (SELECT 1 FROM "sales$order_customer" "t1a" WHERE "t1a"."sales$orderid" = "sales$order"."id" AND "t1a"."sales$customerid" = $2))',
    mysql:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE ("sales$order"."total" >= ? AND EXISTS (SELECT 1 FROM "sales$order_customer" "t1a" WHERE "t1a"."sales$orderid" = "sales$order"."id" AND "t1a"."sales$customerid" = ?))',
  },
  {
    // a specialization joins its generalization's table
    xpath: '//Sales.Customer[CreditLimit > 500][Active = true()]',
    attributes: ['Name', 'CreditLimit'],
    expect: ['alice', 'bob'],
    sqlite:
      'SELECT "sales$customer"."id", "sales$customer"."creditlimit", "system$user"."name" FROM "sales$customer" INNER JOIN "system$user" ON "system$user"."id" = "sales$customer"."id" WHERE ("sales$customer"."creditlimit" > ? AND "system$user"."active" = ?)',
    postgres:
      'SELECT "sales$customer"."id", "sales$customer"."creditlimit", "system$user"."name" FROM "sales$customer" INNER JOIN "system$user" ON "system$user"."id" = "sales$customer"."id" WHERE ("sales$customer"."creditlimit" > $1 AND "system$user"."active" = $2)',
    mysql:
      'SELECT "sales$customer"."id", "sales$customer"."creditlimit", "system$user"."name" FROM "sales$customer" INNER JOIN "system$user" ON "system$user"."id" = "sales$customer"."id" WHERE ("sales$customer"."creditlimit" > ? AND "system$user"."active" = ?)',
  },
  {
    // a generalization returns its specializations with their type
    xpath: '//Sales.Order[Total >= 250]',
    attributes: ['Total'],
    expect: ['o2', 'r4'],
    sqlite: 'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."total" FROM "sales$order" WHERE "sales$order"."total" >= ?',
    postgres: 'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."total" FROM "sales$order" WHERE "sales$order"."total" >= $1',
    mysql: 'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."total" FROM "sales$order" WHERE "sales$order"."total" >= ?',
  },
  {
    // sorting over a reference's attribute
    xpath: '//Sales.Order[Sales.Order_Customer]',
    attributes: ['Number'],
    sort: [{ attribute: 'Sales.Order_Customer/Sales.Customer/CompanyName', descending: true }],
    expect: ['r4', 'o3', 'o1', 'o2'],
    ordered: true,
    sqlite:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE EXISTS (SELECT 1 FROM "sales$order_customer" "t1a" WHERE "t1a"."sales$orderid" = "sales$order"."id") ORDER BY (SELECT MIN("t2"."companyname") FROM "sales$order_customer" "t2a", "sales$customer" "t2" WHERE "t2a"."sales$orderid" = "sales$order"."id" AND "t2"."id" = "t2a"."sales$customerid") DESC, "sales$order"."id" ASC',
    postgres:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE EXISTS (SELECT 1 FROM "sales$order_customer" "t1a" WHERE "t1a"."sales$orderid" = "sales$order"."id") ORDER BY (SELECT MIN("t2"."companyname") FROM "sales$order_customer" "t2a", "sales$customer" "t2" WHERE "t2a"."sales$orderid" = "sales$order"."id" AND "t2"."id" = "t2a"."sales$customerid") DESC, "sales$order"."id" ASC',
    mysql:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE EXISTS (SELECT 1 FROM "sales$order_customer" "t1a" WHERE "t1a"."sales$orderid" = "sales$order"."id") ORDER BY (SELECT MIN("t2"."companyname") FROM "sales$order_customer" "t2a", "sales$customer" "t2" WHERE "t2a"."sales$orderid" = "sales$order"."id" AND "t2"."id" = "t2a"."sales$customerid") DESC, "sales$order"."id" ASC',
  },
  {
    // count()
    xpath: "count(//Sales.Order[Status = 'Draft'])",
    value: '2',
    sqlite: 'SELECT COUNT(*) FROM "sales$order" WHERE "sales$order"."status" = ?',
    postgres: 'SELECT COUNT(*) FROM "sales$order" WHERE "sales$order"."status" = $1',
    mysql: 'SELECT COUNT(*) FROM "sales$order" WHERE "sales$order"."status" = ?',
  },
  {
    // sum() over a path
    xpath: "sum(//Sales.Order[Status = 'Draft']/Sales.OrderLine_Order/Sales.OrderLine/Quantity)",
    value: '17',
    sqlite:
      'SELECT SUM("sales$orderline"."quantity") FROM "sales$orderline" WHERE EXISTS (SELECT 1 FROM "sales$orderline_order" "t1a", "sales$order" "t1" WHERE "t1a"."sales$orderlineid" = "sales$orderline"."id" AND "t1"."id" = "t1a"."sales$orderid" AND "t1"."status" = ?)',
    postgres:
      'SELECT SUM("sales$orderline"."quantity") FROM "sales$orderline" WHERE EXISTS (SELECT 1 FROM "sales$orderline_order" "t1a", "sales$order" "t1" WHERE "t1a"."sales$orderlineid" = "sales$orderline"."id" AND "t1"."id" = "t1a"."sales$orderid" AND "t1"."status" = $1)',
    mysql:
      'SELECT SUM("sales$orderline"."quantity") FROM "sales$orderline" WHERE EXISTS (SELECT 1 FROM "sales$orderline_order" "t1a", "sales$order" "t1" WHERE "t1a"."sales$orderlineid" = "sales$orderline"."id" AND "t1"."id" = "t1a"."sales$orderid" AND "t1"."status" = ?)',
  },
  {
    // max() of a date
    xpath: 'max(//Sales.Order/OrderDate)',
    value: '2024-12-31T23:30:00.000Z',
    sqlite: 'SELECT MAX("sales$order"."orderdate") FROM "sales$order"',
    postgres: 'SELECT MAX("sales$order"."orderdate") FROM "sales$order"',
    mysql: 'SELECT MAX("sales$order"."orderdate") FROM "sales$order"',
  },
  {
    // min()
    xpath: 'min(//Catalog.Product[Stock > 0]/Price)',
    value: '10',
    sqlite: 'SELECT MIN("catalog$product"."price") FROM "catalog$product" WHERE "catalog$product"."stock" > ?',
    postgres: 'SELECT MIN("catalog$product"."price") FROM "catalog$product" WHERE "catalog$product"."stock" > $1',
    mysql: 'SELECT MIN("catalog$product"."price") FROM "catalog$product" WHERE "catalog$product"."stock" > ?',
  },
  {
    // entity access: a reference to the user
    xpath: '//Sales.Order',
    attributes: ['Number'],
    role: 'Customer',
    who: 'alice',
    expect: ['o1', 'o2'],
    sqlite:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE EXISTS (SELECT 1 FROM "sales$order_customer" "t1a" WHERE "t1a"."sales$orderid" = "sales$order"."id" AND "t1a"."sales$customerid" = ?)',
    postgres:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE EXISTS (SELECT 1 FROM "sales$order_customer" "t1a" WHERE "t1a"."sales$orderid" = "sales$order"."id" AND "t1a"."sales$customerid" = $1)',
    mysql:
      'SELECT "sales$order"."id", "sales$order"."submetaobjectname", "sales$order"."number" FROM "sales$order" WHERE EXISTS (SELECT 1 FROM "sales$order_customer" "t1a" WHERE "t1a"."sales$orderid" = "sales$order"."id" AND "t1a"."sales$customerid" = ?)',
  },
  {
    // entity access: over two associations
    xpath: '//Sales.OrderLine',
    attributes: ['Quantity'],
    role: 'Customer',
    who: 'bob',
    expect: ['l3'],
    sqlite:
      'SELECT "sales$orderline"."id", "sales$orderline"."quantity" FROM "sales$orderline" WHERE EXISTS (SELECT 1 FROM "sales$orderline_order" "t1a", "sales$order_customer" "t2a" WHERE "t1a"."sales$orderlineid" = "sales$orderline"."id" AND "t2a"."sales$orderid" = "t1a"."sales$orderid" AND "t2a"."sales$customerid" = ?)',
    postgres:
      'SELECT "sales$orderline"."id", "sales$orderline"."quantity" FROM "sales$orderline" WHERE EXISTS (SELECT 1 FROM "sales$orderline_order" "t1a", "sales$order_customer" "t2a" WHERE "t1a"."sales$orderlineid" = "sales$orderline"."id" AND "t2a"."sales$orderid" = "t1a"."sales$orderid" AND "t2a"."sales$customerid" = $1)',
    mysql:
      'SELECT "sales$orderline"."id", "sales$orderline"."quantity" FROM "sales$orderline" WHERE EXISTS (SELECT 1 FROM "sales$orderline_order" "t1a", "sales$order_customer" "t2a" WHERE "t1a"."sales$orderlineid" = "sales$orderline"."id" AND "t2a"."sales$orderid" = "t1a"."sales$orderid" AND "t2a"."sales$customerid" = ?)',
  },
  {
    // entity access through inheritance: each type by its own rules
    xpath: '//Administration.Account',
    attributes: ['FullName'],
    role: 'SalesManager',
    who: 'manager',
    expect: ['manager', 'alice', 'bob', 'carol'],
    sqlite:
      'SELECT "administration$account"."id", "system$user"."submetaobjectname", "administration$account"."fullname" FROM "administration$account" INNER JOIN "system$user" ON "system$user"."id" = "administration$account"."id" WHERE (("system$user"."submetaobjectname" IN (?) AND "administration$account"."id" = ?) OR "system$user"."submetaobjectname" IN (?))',
    postgres:
      'SELECT "administration$account"."id", "system$user"."submetaobjectname", "administration$account"."fullname" FROM "administration$account" INNER JOIN "system$user" ON "system$user"."id" = "administration$account"."id" WHERE (("system$user"."submetaobjectname" IN ($1) AND "administration$account"."id" = $2) OR "system$user"."submetaobjectname" IN ($3))',
    mysql:
      'SELECT "administration$account"."id", "system$user"."submetaobjectname", "administration$account"."fullname" FROM "administration$account" INNER JOIN "system$user" ON "system$user"."id" = "administration$account"."id" WHERE (("system$user"."submetaobjectname" IN (?) AND "administration$account"."id" = ?) OR "system$user"."submetaobjectname" IN (?))',
  },
  {
    // entity access: the rule and the query combine
    xpath: "//System.User[Name != 'x']",
    attributes: ['Name'],
    role: 'Customer',
    who: 'alice',
    expect: ['alice'],
    sqlite:
      'SELECT "system$user"."id", "system$user"."submetaobjectname", "system$user"."name" FROM "system$user" WHERE ("system$user"."name" <> ? COLLATE BINARY AND "system$user"."id" = ?)',
    postgres:
      'SELECT "system$user"."id", "system$user"."submetaobjectname", "system$user"."name" FROM "system$user" WHERE ("system$user"."name" <> $1 AND "system$user"."id" = $2)',
    mysql:
      'SELECT "system$user"."id", "system$user"."submetaobjectname", "system$user"."name" FROM "system$user" WHERE (BINARY "system$user"."name" <> BINARY ? AND "system$user"."id" = ?)',
  },
];
