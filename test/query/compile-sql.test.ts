import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger.js';
import { commitObjects, openDatabase, type Database } from '../../src/data/index.js';
import { createMxObject } from '../../src/objects/mx-object.js';
import { makeId } from '../../src/objects/values.js';
import { compileQuery, explain, retrieve } from '../../src/query/index.js';
import { DIALECTS, freshDatabase, type TestDatabase } from '../support/databases.js';
import { createTables } from './fixture.js';
import { SQL_CASES } from './sql-cases.js';
import { exampleModel, salesUser } from './support.js';
import { DIALECT } from '../support/dialects.js';

const USED = ['Firstname', 'Lastname', 'Jobtitle', 'Department', 'DateOfBirth'].map((a) => `MyFirstModule.Employee/MyFirstModule.Employee.${a}`);

const OVERVIEW_SQL = {
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

describe("the seeds' overview retrieve", () => {
  const expected = OVERVIEW_SQL;
  it.each(Object.keys(expected) as (keyof typeof expected)[])('compiles to exactly two statements on %s', async (dialect) => {
    const model = await exampleModel('employees');
    const plan = compileQuery(
      model,
      {
        xpath: '//MyFirstModule.Employee',
        attributes: USED,
        sort: [{ attribute: 'Firstname' }],
        offset: 0,
        amount: 20,
        wantCount: true,
      },
      DIALECT[dialect],
    );
    expect(explain(plan, null).sql).toEqual(expected[dialect]);
  });
});

describe.each(DIALECTS)("the seeds' overview page for a user on %s", (dialect) => {
  let t: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    const model = await exampleModel('employees');
    t = await freshDatabase(dialect);
    db = await openDatabase(t.url, { log: createLogger('silent'), poolSize: 1 });
    await createTables(db, model);
    const objs = ['piet', 'peter1', 'Anna'].map((name, i) => {
      const o = createMxObject('MyFirstModule.Employee', makeId(1, BigInt(i + 1)), 'new');
      for (const a of model.entities.get('MyFirstModule.Employee')!.attributes.values()) o.values.set(a.name, null);
      o.values.set('Firstname', name);
      return o;
    });
    await db.transaction((tx) => commitObjects(tx, model, objs));
  });
  afterAll(async () => {
    await db?.close();
    await t?.drop();
  });

  it('sends exactly the page and the count, entity access included', async () => {
    const model = await exampleModel('employees');
    const user = {
      userId: 99n,
      userName: 'u',
      userEntity: 'System.User',
      userRoles: ['User'],
      moduleRoles: new Set(model.security.userRoles.get('User')!.moduleRoles),
      sessionId: null,
      sessionObjectId: null,
      timeZone: 'UTC',
      applyEntityAccess: true,
      anonymous: false,
    };
    const seen: string[] = [];
    const off = db.onStatement((sql) => seen.push(sql));
    const res = await retrieve(
      db,
      model,
      { xpath: '//MyFirstModule.Employee', attributes: USED, sort: [{ attribute: 'Firstname' }], offset: 0, amount: 20, wantCount: true },
      user,
    );
    off();
    expect(seen).toEqual(OVERVIEW_SQL[dialect]);
    expect(res.objects.map((o) => o.values.get('Firstname'))).toEqual(['Anna', 'peter1', 'piet']);
    expect(res.count).toBe(3);
  });
});

describe.each(['sqlite', 'postgres', 'mysql'] as const)('XPath -> SQL on %s', (dialect) => {
  it.each(SQL_CASES.map((c) => [c.xpath, c.role ?? 'no user', c] as const))('%s (%s)', async (_x, _r, c) => {
    const model = await exampleModel('sales');
    const user = c.role ? salesUser(model, c.role, 5n) : null;
    const plan = compileQuery(
      model,
      { xpath: c.xpath, ...(c.attributes ? { attributes: c.attributes } : {}), ...(c.sort ? { sort: c.sort } : {}) },
      DIALECT[dialect],
    );
    expect(explain(plan, user).sql).toEqual([c[dialect]]);
  });
});

describe("the seeds' microflow retrieve", () => {
  it('reads every attribute without ORDER BY or paging', async () => {
    const model = await exampleModel('employees');
    const plan = compileQuery(model, { xpath: '//MyFirstModule.Employee' }, DIALECT.postgres);
    expect(explain(plan, null).sql).toEqual([
      'SELECT "myfirstmodule$employee"."id", "myfirstmodule$employee"."dateofbirth", "myfirstmodule$employee"."department", "myfirstmodule$employee"."firstname", "myfirstmodule$employee"."jobtitle", "myfirstmodule$employee"."lastname" FROM "myfirstmodule$employee"',
    ]);
    expect(explain(plan, null, { amount: 10 }).sql[0]).toMatch(/ ORDER BY "myfirstmodule\$employee"\."id" ASC LIMIT 10$/);
  });
});

describe('plans', () => {
  it('compile once per set of applicable rules and bind user values per execution', async () => {
    const model = await exampleModel('sales');
    const plan = compileQuery(model, { xpath: '//Sales.Order', attributes: ['Number'] }, DIALECT.postgres);
    const a = plan.variant(salesUser(model, 'Customer', 1n), undefined);
    const b = plan.variant(salesUser(model, 'Customer', 2n), undefined);
    expect(b).toBe(a);
    expect(plan.variant(salesUser(model, 'SalesManager', 3n), undefined)).not.toBe(a);
    expect(plan.variant(null, undefined)).not.toBe(a);
  });

  it('rejects enumeration values the enumeration does not have', async () => {
    const model = await exampleModel('sales');
    expect(() => compileQuery(model, { xpath: "//Sales.Order[Status = 'draft']" }, DIALECT.sqlite)).toThrow(
      "'draft' is not a value of Sales.OrderStatus (expected one of Draft, Confirmed, Shipped, Cancelled)",
    );
  });
});
