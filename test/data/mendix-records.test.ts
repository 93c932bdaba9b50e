// Schema synchronisation reads the system tables as Mendix writes them, not
// only as Kiln does: index columns named by attribute / association ids,
// unique constraints with a generated column id, an association table's
// index recorded only by name, System.owner / System.changedBy recorded as
// column-stored associations, a column-stored association's index on the
// parent's table, an entity index recorded without its last column id. A
// database whose records say the same in Mendix's way gets no statement.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, freshDatabase, type TestDatabase } from '../support/databases.js';
import { openDatabase, syncSchema, type Database } from '../../src/data/index.js';
import type { CompiledModel } from '../../src/model/compiled/types.js';
import { modelOf, quietLog } from './support.js';

const DOMAIN = `
entities:
  Order:
    systemMembers: { owner: true, changedBy: true }
    attributes:
      Code: String(20)
      Total: Decimal
    indexes:
      - { attributes: [Code, { attribute: Total, descending: true }] }
  Customer:
    attributes:
      Name: String(100)
  Tag:
    attributes:
      Label: String(50)
associations:
  Order_Customer: { parent: Order, child: Customer, storage: column }
  Order_Tag: { parent: Order, child: Tag }
  Order_Tags: { type: ReferenceSet, parent: Order, child: Tag }
`;

describe.each(DIALECTS)("Mendix's way of recording the schema on %s", (dialect) => {
  let t: TestDatabase;
  let db: Database;
  let model: CompiledModel;
  const P = dialect === 'postgres' ? (i: number) => `$${i}` : () => '?';
  type Row = Record<string, unknown>;
  const q = (sql: string, params: unknown[] = []) => db.query<Row>(sql, params);

  beforeAll(async () => {
    t = await freshDatabase(dialect);
    model = await modelOf(DOMAIN);
    db = await openDatabase(t.url, { log: quietLog });
    await syncSchema(db, model, { allowDestructive: false, log: quietLog });
  });
  afterAll(async () => {
    await db?.close();
    await t?.drop();
  });

  it('finds nothing to do once the records are rewritten as Mendix writes them', async () => {
    const entityId = async (name: string) => String((await q(`SELECT "id" FROM "mendixsystem$entity" WHERE "entity_name" = ${P(1)}`, [name]))[0]!.id);
    const order = await entityId('T.Order');
    const user = await entityId('System.User');
    // System.owner / System.changedBy: association rows (parent column id) instead of attribute rows, same ids.
    for (const [key, column] of [
      ['System.owner', 'system$owner'],
      ['System.changedBy', 'system$changedby'],
    ] as const) {
      const attr = await q(`SELECT "id" FROM "mendixsystem$attribute" WHERE "entity_id" = ${P(1)} AND "attribute_name" = ${P(2)}`, [order, key]);
      expect(attr, key).toHaveLength(1);
      const id = String(attr[0]!.id);
      await db.execute(`DELETE FROM "mendixsystem$attribute" WHERE "id" = ${P(1)}`, [id]);
      await db.execute(
        `INSERT INTO "mendixsystem$association" ("id", "association_name", "table_name", "parent_entity_id", "child_entity_id", "parent_column_name", "child_column_name") VALUES (${[1, 2, 3, 4, 5, 6, 7].map(P).join(', ')})`,
        [id, key, column, order, user, 'id', column],
      );
    }
    // Index columns named by the id of their attribute or association.
    const ids = new Map<string, string>();
    for (const r of await q(`SELECT "id", "column_name" FROM "mendixsystem$attribute" WHERE "entity_id" = ${P(1)}`, [order]))
      ids.set(String(r.column_name), String(r.id));
    for (const r of await q(
      `SELECT "id", "child_column_name" FROM "mendixsystem$association" WHERE "parent_column_name" = 'id' AND "parent_entity_id" = ${P(1)}`,
      [order],
    ))
      ids.set(String(r.child_column_name), String(r.id));
    const cols = await q(
      `SELECT "index_id", "column_id" FROM "mendixsystem$index_column" WHERE "index_id" IN (SELECT "id" FROM "mendixsystem$index" WHERE "table_id" = ${P(1)})`,
      [order],
    );
    let renamed = 0;
    for (const c of cols) {
      const id = ids.get(String(c.column_id));
      if (!id) continue;
      renamed++;
      await db.execute(`UPDATE "mendixsystem$index_column" SET "column_id" = ${P(1)} WHERE "index_id" = ${P(2)} AND "column_id" = ${P(3)}`, [
        id,
        c.index_id,
        c.column_id,
      ]);
    }
    expect(renamed).toBeGreaterThanOrEqual(4);
    // Mendix records an entity index's own columns only (the index is over them and id).
    await db.execute(
      `DELETE FROM "mendixsystem$index_column" WHERE "column_id" = 'id' AND "index_id" IN (SELECT "id" FROM "mendixsystem$index" WHERE "table_id" = ${P(1)})`,
      [order],
    );
    // Unique constraints: a generated column id.
    for (const u of await q(`SELECT "name", "column_id" FROM "mendixsystem$unique_constraint"`))
      await db.execute(`UPDATE "mendixsystem$unique_constraint" SET "column_id" = ${P(1)} WHERE "name" = ${P(2)}`, [randomUUID(), u.name]);
    // An association table's index: only its name in mendixsystem$association.
    const tables = await q(`SELECT "id" FROM "mendixsystem$association" WHERE "parent_column_name" <> 'id'`);
    for (const a of tables) {
      await db.execute(`DELETE FROM "mendixsystem$index_column" WHERE "index_id" IN (SELECT "id" FROM "mendixsystem$index" WHERE "table_id" = ${P(1)})`, [
        a.id,
      ]);
      await db.execute(`DELETE FROM "mendixsystem$index" WHERE "table_id" = ${P(1)}`, [a.id]);
    }
    // The column-stored association's index: recorded on the parent's table.
    const assoc = await q(`SELECT "id" FROM "mendixsystem$association" WHERE "association_name" = 'T.Order_Customer'`);
    await db.execute(`UPDATE "mendixsystem$index" SET "table_id" = ${P(1)} WHERE "table_id" = ${P(2)}`, [order, assoc[0]!.id]);

    const again = await syncSchema(db, model, { allowDestructive: false, log: quietLog });
    expect(again.summary).toEqual([]);
    expect(again.statements).toEqual([]);
  });

  it('keeps System.owner when the model changes the entity, and drops it with its association record when the model drops it', async () => {
    const v2 = await modelOf(DOMAIN.replace('      Total: Decimal\n', '      Total: Decimal\n      Note: String(50)\n'), '1.1.0');
    const r = await syncSchema(db, v2, { allowDestructive: false, log: quietLog });
    expect(r.summary).toEqual(['add column t$order.note']);
    const v3 = await modelOf(DOMAIN.replace('    systemMembers: { owner: true, changedBy: true }\n', '    systemMembers: { changedBy: true }\n'), '1.2.0');
    const r3 = await syncSchema(db, v3, { allowDestructive: false, log: quietLog });
    expect(r3.summary).toContain('drop column t$order.system$owner');
    expect(await q(`SELECT "id" FROM "mendixsystem$association" WHERE "association_name" = 'System.owner'`)).toEqual([]);
    const r4 = await syncSchema(db, v3, { allowDestructive: false, log: quietLog });
    expect(r4.summary).toEqual([]);
    expect(r4.statements.map((x) => `${x.sql} ${JSON.stringify(x.params)}`)).toEqual([]);
  });
});
