import { describe, expect, it } from 'vitest';
import type { OqlExpr, OqlSource } from '../../src/query/oql/ast.js';
import { pathSecurity, securityConstraint } from '../../src/query/oql/security.js';
import { exampleModel } from './support.js';

/**
 * The security stage alone: the rewrite applied to hand-built OQL, with module
 * role sets given directly (no users, no XPath queries parsed).
 */
const ORDER: OqlSource = { alias: 'Order', entity: 'Sales.Order' };
const roles = (...r: string[]) => new Set(r);

describe('entity access as a row constraint', () => {
  it('is true for a role with an unconstrained rule', async () => {
    const model = await exampleModel('sales');
    expect(securityConstraint(model, model.entities.get('Sales.Order')!, ORDER, roles('Sales.Manager'), 0)).toEqual({ kind: 'const', value: true });
  });

  it('is false for roles without a rule', async () => {
    const model = await exampleModel('sales');
    expect(securityConstraint(model, model.entities.get('Sales.Order')!, ORDER, roles('Catalog.Viewer'), 0)).toEqual({ kind: 'const', value: false });
  });

  it("is the rule's XPath on the queried source when every concrete type shares it", async () => {
    const model = await exampleModel('sales');
    const c = securityConstraint(model, model.entities.get('Sales.Order')!, ORDER, roles('Sales.Customer'), 0);
    // Order and RushOrder have the same rule text: one condition, no type test.
    expect(c).toMatchObject({
      kind: 'exists',
      hops: [{ kind: 'association', association: { name: 'Sales.Order_Customer' }, forward: true, from: ORDER, to: { alias: 't1', entity: 'Sales.Customer' } }],
      where: { kind: 'compare', op: '=', left: { kind: 'id', source: { alias: 't1' } }, right: { kind: 'param', source: { kind: 'currentUser' }, type: 'Id' } },
    });
    expect(JSON.stringify(c)).not.toContain('typeIn');
  });

  it('numbers the aliases of rule paths from the given base', async () => {
    const model = await exampleModel('sales');
    const line: OqlSource = { alias: 'OrderLine', entity: 'Sales.OrderLine' };
    const c = securityConstraint(model, model.entities.get('Sales.OrderLine')!, line, roles('Sales.Customer'), 40);
    expect(c.kind).toBe('exists');
    if (c.kind !== 'exists') return;
    expect(c.hops[0]).toMatchObject({
      kind: 'association',
      association: { name: 'Sales.OrderLine_Order' },
      from: line,
      to: { alias: 't41', entity: 'Sales.Order' },
    });
  });
});

describe('entity access on the paths of a constraint', () => {
  it("adds the target entity's rule to every hop the user may not read freely", async () => {
    const model = await exampleModel('sales');
    // [Sales.OrderLine_Order/Sales.Order] over the lines, built by hand.
    const assoc = model.associations.get('Sales.OrderLine_Order')!;
    const hop: OqlExpr = {
      kind: 'exists',
      hops: [
        {
          kind: 'association',
          association: assoc,
          forward: true,
          from: { alias: 'Line', entity: 'Sales.OrderLine' },
          to: { alias: 't1', entity: 'Sales.Order' },
          cast: false,
        },
      ],
      where: undefined,
    };
    const customer = pathSecurity(model, roles('Sales.Customer'), 10);
    const secured = customer.secure({ kind: 'not', operand: hop });
    // The order reached must be one of the customer's own: its rule, on alias t1, with its own path aliased from the base.
    expect(secured).toMatchObject({
      kind: 'not',
      operand: {
        kind: 'exists',
        hops: hop.kind === 'exists' ? hop.hops : [],
        where: {
          kind: 'exists',
          hops: [{ association: { name: 'Sales.Order_Customer' }, from: { alias: 't1' }, to: { alias: 't11', entity: 'Sales.Customer' } }],
          where: { kind: 'compare', left: { kind: 'id', source: { alias: 't11' } }, right: { source: { kind: 'currentUser' } } },
        },
      },
    });
    expect(customer.aliasCount).toBe(110);
    // A manager reads every order: the tree comes back as it was.
    const manager = pathSecurity(model, roles('Sales.Manager'), 10);
    expect(manager.secure(hop)).toEqual({ ...hop, where: undefined });
    expect(manager.aliasCount).toBe(10);
  });

  it('leaves expressions without paths alone', async () => {
    const model = await exampleModel('sales');
    const x: OqlExpr = { kind: 'isNull', negated: true, operand: { kind: 'id', source: ORDER } };
    expect(pathSecurity(model, roles('Sales.Customer'), 0).secure(x)).toBe(x);
  });
});
