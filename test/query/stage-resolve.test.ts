import { describe, expect, it } from 'vitest';
import { XPathResolveError } from '../../src/query/errors.js';
import type { OqlSource } from '../../src/query/oql/ast.js';
import { Resolver } from '../../src/query/oql/resolve.js';
import type { XExpr, XStep } from '../../src/query/xpath/ast.js';
import { exampleModel } from './support.js';

/**
 * The resolve stage alone: XPath trees built by hand (no parser) in, OQL out.
 * Positions are made up; they only show up in errors.
 */
const step = (name: string, predicates: XExpr[] = []): XStep => ({ name, predicates, reversed: false, pos: 0 });
const path = (...names: string[]): XExpr => ({ kind: 'path', steps: names.map((n) => step(n)), pos: 0 });
const str = (value: string, pos = 0): XExpr => ({ kind: 'string', value, pos });
const eq = (left: XExpr, right: XExpr): XExpr => ({ kind: 'compare', op: '=', left, right, pos: 0 });
const ORDER: OqlSource = { alias: 'Order', entity: 'Sales.Order' };

describe('the resolve stage on hand-built XPath trees', () => {
  it('turns an attribute comparison into a typed attribute and a literal parameter', async () => {
    const model = await exampleModel('sales');
    const r = new Resolver(model, '');
    const out = r.constraint([eq(path('Status'), str('Draft'))], ORDER);
    expect(out).toEqual({
      kind: 'compare',
      op: '=',
      text: false,
      left: { kind: 'attr', source: ORDER, attribute: model.entities.get('Sales.Order')!.attributes.get('Status') },
      right: { kind: 'param', source: { kind: 'literal', value: 'Draft' }, type: 'Enumeration' },
    });
  });

  it('puts the model side on the left and flips the operator', async () => {
    const model = await exampleModel('sales');
    const out = new Resolver(model, '').bool({ kind: 'compare', op: '<', left: { kind: 'number', text: '5', pos: 0 }, right: path('Total'), pos: 0 }, ORDER);
    expect(out).toMatchObject({ kind: 'compare', op: '>', left: { kind: 'attr', attribute: { name: 'Total' } }, right: { kind: 'param', type: 'Decimal' } });
  });

  it('resolves an association path to an exists over a forward hop with a fresh alias', async () => {
    const model = await exampleModel('sales');
    const r = new Resolver(model, '');
    const out = r.bool(eq(path('Sales.Order_Customer', 'Sales.Customer', 'Name'), str('alice')), ORDER);
    expect(out.kind).toBe('exists');
    if (out.kind !== 'exists') return;
    expect(out.hops).toHaveLength(1);
    expect(out.hops[0]).toMatchObject({
      kind: 'association',
      association: { name: 'Sales.Order_Customer' },
      forward: true,
      from: ORDER,
      to: { alias: 't1', entity: 'Sales.Customer' },
    });
    expect(out.where).toMatchObject({ kind: 'compare', op: '=', text: true, left: { kind: 'attr', source: { alias: 't1' }, attribute: { name: 'Name' } } });
    expect(r.aliasCount).toBe(1);
  });

  it('reads = empty as IS NULL, and AND of predicates as one and', async () => {
    const model = await exampleModel('sales');
    const out = new Resolver(model, '').constraint(
      [eq(path('InternalNote'), { kind: 'empty', pos: 0 }), { kind: 'not', operand: eq(path('Status'), str('Cancelled')), pos: 0 }],
      ORDER,
    );
    expect(out).toMatchObject({
      kind: 'and',
      items: [
        { kind: 'isNull', negated: false, operand: { kind: 'attr', attribute: { name: 'InternalNote' } } },
        { kind: 'not', operand: { kind: 'compare' } },
      ],
    });
  });

  it('compares an empty variable (listed in nullVariables) as empty', async () => {
    const model = await exampleModel('sales');
    const r = new Resolver(model, '');
    r.nullVariables = new Set(['S']);
    expect(r.bool(eq(path('Status'), { kind: 'variable', name: 'S', path: [], pos: 0 }), ORDER)).toMatchObject({ kind: 'isNull', negated: false });
  });

  it('fails at the position of the offending node', async () => {
    const model = await exampleModel('sales');
    const r = new Resolver(model, "[Status = 'Lost']");
    expect(() => r.bool(eq(path('Status'), str('Lost', 10)), ORDER)).toThrow(XPathResolveError);
    expect(() => r.bool(eq(path('Status'), str('Lost', 10)), ORDER)).toThrow(/'Lost' is not a value of Sales.OrderStatus/);
    try {
      r.bool(eq(path('Status'), str('Lost', 10)), ORDER);
    } catch (e) {
      expect((e as XPathResolveError).position).toBe(10);
    }
    expect(() => r.bool(eq(path('Totl'), str('x')), ORDER)).toThrow(/unknown attribute 'Totl'|Totl/);
  });
});
