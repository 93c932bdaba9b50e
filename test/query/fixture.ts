import { Decimal } from 'decimal.js';
import { createLogger } from '../../src/core/logger.js';
import { openDatabase, commitObjects, quoteIdentifier, type Database } from '../../src/data/index.js';
import { bigintType, columnType, idColumnType } from '../../src/data/dialects/ddl.js';
import { modelSchema } from '../../src/data/schema/model-schema.js';
import type { CompiledModel } from '../../src/model/compiled/types.js';
import { createMxObject, type MxObject } from '../../src/objects/mx-object.js';
import { makeId, type AttributeValue } from '../../src/objects/values.js';
import { freshDatabase, type DialectName, type TestDatabase } from '../support/databases.js';

/**
 * The sales example with fixed data on a fresh database: tables made from the
 * data layer's schema description, objects written by its commitObjects.
 */
export interface SalesFixture {
  readonly db: Database;
  readonly test: TestDatabase;
  readonly ids: Record<string, bigint>;
  close(): Promise<void>;
}

export async function createTables(db: Database, model: CompiledModel): Promise<void> {
  const d = db.dialect;
  const q = (n: string) => quoteIdentifier(d, n);
  for (const t of modelSchema(model)) {
    if (t.kind === 'entity') {
      const cols = [
        `${q('id')} ${idColumnType(d)} PRIMARY KEY`,
        ...t.columns.map((c) => `${q(c.column)} ${c.key === 'System.owner' || c.key === 'System.changedBy' ? bigintType(d) : columnType(d, c.type, c.length)}`),
      ];
      await db.execute(`CREATE TABLE ${q(t.table)} (${cols.join(', ')})`, []);
    } else if (t.storage === 'column') {
      await db.execute(`ALTER TABLE ${q(t.table)} ADD ${q(t.columns[0]!.column)} ${bigintType(d)}`, []);
    } else {
      const [p, c] = t.columns;
      await db.execute(
        `CREATE TABLE ${q(t.table)} (${q(p!.column)} ${bigintType(d)} NOT NULL, ${q(c!.column)} ${bigintType(d)} NOT NULL, PRIMARY KEY (${q(p!.column)}, ${q(c!.column)}))`,
        [],
      );
    }
  }
}

/** Ids above 2^53 so that any loss of 64-bit precision shows. */
const id = (short: number, seq: number) => makeId(short, BigInt(seq));

export async function salesFixture(model: CompiledModel, dialect: DialectName): Promise<SalesFixture> {
  const test = await freshDatabase(dialect);
  const db = await openDatabase(test.url, { log: createLogger('silent'), poolSize: 2 });
  await createTables(db, model);
  const ids: Record<string, bigint> = {};
  const objs: MxObject[] = [];
  const make = (key: string, entity: string, idv: bigint, values: Record<string, AttributeValue>, refs: Record<string, bigint | null | bigint[]> = {}) => {
    const o = createMxObject(entity, idv, 'new');
    const e = model.entities.get(entity)!;
    for (const a of e.attributes.values()) o.values.set(a.name, a.type === 'Boolean' ? false : null);
    for (const [k, v] of Object.entries(values)) o.values.set(k, v);
    for (const [k, v] of Object.entries(refs)) o.references.set(k, v);
    ids[key] = idv;
    objs.push(o);
    return o;
  };
  const dec = (s: string) => new Decimal(s);
  const date = (s: string) => new Date(s);
  // Roles and users.
  make('roleAdmin', 'System.UserRole', id(30, 1), { Name: 'Administrator' });
  make('roleCustomer', 'System.UserRole', id(30, 2), { Name: 'Customer' });
  make('admin', 'System.User', id(31, 1), { Name: 'MxAdmin', Active: true }, { 'System.UserRoles': [id(30, 1)] });
  make('manager', 'Administration.Account', id(32, 1), { Name: 'mona', FullName: 'Mona Manager', Active: true });
  make(
    'alice',
    'Sales.Customer',
    id(33, 1),
    { Name: 'alice', FullName: 'Alice Ärger', CompanyName: 'Acme Corp', Segment: 'Retail', CreditLimit: dec('1000'), Active: true },
    { 'System.UserRoles': [id(30, 2)] },
  );
  make(
    'bob',
    'Sales.Customer',
    id(33, 2),
    { Name: 'bob', FullName: 'Bob Builder', CompanyName: 'Bolt_Works 100%', Segment: 'Wholesale', CreditLimit: dec('5000'), Active: true },
    { 'System.UserRoles': [id(30, 2)] },
  );
  make('carol', 'Sales.Customer', id(33, 3), {
    Name: 'carol',
    FullName: 'Carol Öztürk',
    CompanyName: "O'Reilly \\ Sons",
    Segment: 'Retail',
    CreditLimit: dec('250.5'),
    Active: false,
  });
  // Catalog.
  make('tools', 'Catalog.Category', id(40, 1), { Name: 'Tools' });
  make('toys', 'Catalog.Category', id(40, 2), { Name: 'Toys' });
  make(
    'widget',
    'Catalog.Product',
    id(41, 1),
    { Code: 1n, Name: 'Widget', Price: dec('10.00'), Stock: 5, Description: 'A small widget' },
    { 'Catalog.Product_Category': [id(40, 1), id(40, 2)] },
  );
  make(
    'gadget',
    'Catalog.Product',
    id(41, 2),
    { Code: 2n, Name: 'Gadget', Price: dec('20.50'), Stock: 0, Description: null },
    { 'Catalog.Product_Category': [id(40, 2)] },
  );
  make(
    'gizmo',
    'Catalog.Product',
    id(41, 3),
    { Code: 3n, Name: 'ÜBER Gizmo', Price: dec('99.99'), Stock: 12, Discontinued: true, Description: 'Größe XL' },
    { 'Catalog.Product_Category': [] },
  );
  // Orders (one RushOrder) and lines.
  const order = (
    key: string,
    entity: string,
    seq: number,
    n: number,
    when: string,
    status: string,
    total: string,
    customer: bigint | null,
    extra: Record<string, AttributeValue> = {},
  ) =>
    make(
      key,
      entity,
      id(50, seq),
      {
        Number: BigInt(n),
        OrderDate: date(when),
        Status: status,
        Total: dec(total),
        InternalNote: `note ${n}`,
        createdDate: date(when),
        changedDate: date(when),
        ...extra,
      },
      { 'Sales.Order_Customer': customer, 'System.owner': customer },
    );
  order('o1', 'Sales.Order', 1, 1, '2024-01-15T10:00:00Z', 'Draft', '100.00', id(33, 1));
  order('o2', 'Sales.Order', 2, 2, '2024-03-31T23:30:00Z', 'Confirmed', '250.50', id(33, 1));
  order('o3', 'Sales.Order', 3, 3, '2024-06-01T12:00:00Z', 'Shipped', '99.99', id(33, 2));
  order('r4', 'Sales.RushOrder', 4, 4, '2024-12-31T23:30:00Z', 'Draft', '1000.00', id(33, 3), {
    DeliverBy: date('2025-01-02T09:00:00Z'),
    Surcharge: dec('50'),
  });
  order('o5', 'Sales.Order', 5, 5, '2023-07-04T08:15:00Z', 'Cancelled', '0', null);
  const line = (key: string, seq: number, qty: number, unit: string, ord: string, product: string) =>
    make(
      key,
      'Sales.OrderLine',
      id(51, seq),
      { Quantity: qty, UnitPrice: dec(unit), LineTotal: dec(unit).times(qty) },
      { 'Sales.OrderLine_Order': ids[ord]!, 'Sales.OrderLine_Product': ids[product]! },
    );
  line('l1', 1, 2, '10.00', 'o1', 'widget');
  line('l2', 2, 5, '20.50', 'o1', 'gadget');
  line('l3', 3, 1, '10.00', 'o3', 'widget');
  line('l4', 4, 10, '99.99', 'r4', 'gizmo');
  await db.transaction((tx) => commitObjects(tx, model, objs, { now: new Date('2024-01-01T00:00:00Z') }));
  return {
    db,
    test,
    ids,
    close: async () => {
      await db.close();
      await test.drop();
    },
  };
}
