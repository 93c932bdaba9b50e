import { describe, expect, it } from 'vitest';
import { DIALECT } from '../support/dialects.js';
import type { OqlExpr, OqlQuery, OqlSource } from '../../src/query/oql/ast.js';
import { SqlCompiler } from '../../src/query/sql/compile.js';
import { exampleModel } from './support.js';

/**
 * The SQL stage alone: OQL trees built by hand (no XPath, no resolver, no
 * security) compiled to text for each dialect.
 */
const ORDER: OqlSource = { alias: 'Order', entity: 'Sales.Order' };

async function parts() {
  const model = await exampleModel('sales');
  const order = model.entities.get('Sales.Order')!;
  const attr = (n: string) => order.attributes.get(n)!;
  return { model, attr };
}

describe('the SQL stage on hand-built OQL', () => {
  it('compiles a count with a comparison to one bound parameter', async () => {
    const { model, attr } = await parts();
    const where: OqlExpr = {
      kind: 'compare',
      op: '>',
      left: { kind: 'attr', source: ORDER, attribute: attr('Total') },
      right: { kind: 'param', source: { kind: 'literal', value: '100' }, type: 'Decimal' },
      text: false,
    };
    const q: OqlQuery = { source: ORDER, select: { kind: 'count' }, where, orderBy: [], paged: false };
    const s = new SqlCompiler(model, DIALECT.sqlite.query).compile(q);
    expect(s.text).toBe('SELECT COUNT(*) FROM "sales$order" WHERE "sales$order"."total" > ?');
    expect(s.params).toEqual([{ source: { kind: 'literal', value: '100' }, type: 'Decimal' }]);
    const pg = new SqlCompiler(model, DIALECT.postgres.query).compile(q);
    expect(pg.text).toBe('SELECT COUNT(*) FROM "sales$order" WHERE "sales$order"."total" > $1');
  });

  it('selects the objects with their attributes, sorted, and joins nothing it does not use', async () => {
    const { model, attr } = await parts();
    const q: OqlQuery = {
      source: ORDER,
      select: { kind: 'objects', attributes: [attr('Number'), attr('Status')], references: [], withType: false },
      where: { kind: 'isNull', negated: true, operand: { kind: 'attr', source: ORDER, attribute: attr('Status') } },
      orderBy: [{ expr: { kind: 'attr', source: ORDER, attribute: attr('Number') }, descending: true }],
      paged: false,
    };
    const s = new SqlCompiler(model, DIALECT.sqlite.query).compile(q);
    expect(s.text).toBe(
      'SELECT "sales$order"."id", "sales$order"."number", "sales$order"."status" FROM "sales$order" WHERE "sales$order"."status" IS NOT NULL ORDER BY "sales$order"."number" DESC',
    );
    expect(s.params).toEqual([]);
  });

  it('compiles an exists over an association hop to a subquery on the association table', async () => {
    const { model } = await parts();
    const assoc = model.associations.get('Sales.Order_Customer')!;
    const to: OqlSource = { alias: 't1', entity: 'Sales.Customer' };
    const where: OqlExpr = {
      kind: 'exists',
      hops: [{ kind: 'association', association: assoc, forward: true, from: ORDER, to, cast: false }],
      where: { kind: 'compare', op: '=', left: { kind: 'id', source: to }, right: { kind: 'param', source: { kind: 'currentUser' }, type: 'Id' }, text: false },
    };
    const s = new SqlCompiler(model, DIALECT.sqlite.query).compile({ source: ORDER, select: { kind: 'count' }, where, orderBy: [], paged: false });
    // Compared by id alone, the customer's own table is not joined: the association table holds its id.
    expect(s.text).toBe(
      'SELECT COUNT(*) FROM "sales$order" WHERE EXISTS (SELECT 1 FROM "sales$order_customer" "t1a" WHERE "t1a"."sales$orderid" = "sales$order"."id" AND "t1a"."sales$customerid" = ?)',
    );
    expect(s.params).toEqual([{ source: { kind: 'currentUser' }, type: 'Id' }]);
  });

  it('compiles constants and boolean structure', async () => {
    const { model, attr } = await parts();
    const status = (v: string): OqlExpr => ({
      kind: 'compare',
      op: '=',
      left: { kind: 'attr', source: ORDER, attribute: attr('Status') },
      right: { kind: 'param', source: { kind: 'literal', value: v }, type: 'Enumeration' },
      text: false,
    });
    const s = new SqlCompiler(model, DIALECT.sqlite.query).compile({
      source: ORDER,
      select: { kind: 'count' },
      orderBy: [],
      paged: false,
      where: { kind: 'or', items: [status('Draft'), { kind: 'not', operand: status('Shipped') }] },
    });
    expect(s.text).toBe('SELECT COUNT(*) FROM "sales$order" WHERE ("sales$order"."status" = ? OR NOT ("sales$order"."status" = ?))');
    expect(s.params.map((p) => p.source)).toEqual([
      { kind: 'literal', value: 'Draft' },
      { kind: 'literal', value: 'Shipped' },
    ]);
  });
});
