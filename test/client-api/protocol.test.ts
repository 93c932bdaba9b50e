import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/model/index.js';
import { ObjectSigner } from '../../src/client-api/protocol/signing.js';
import { valueFromJson, valueToJson } from '../../src/client-api/protocol/values.js';
import { parseRuntimeOperation } from '../../src/client-api/protocol/request.js';
import { ClientApiError } from '../../src/client-api/errors.js';
import { ROOT } from '../support/cli.js';

function fieldOf(fn: () => unknown): string | undefined {
  try { fn(); } catch (e) { if (e instanceof ClientApiError) return `${e.status} ${String(e.details.field)}`; throw e; }
  return undefined;
}

describe('client API protocol', () => {
  it('signs objects so that any change of type, id, state or value is detected', () => {
    const s = new ObjectSigner(Buffer.from('0123456789abcdef0123456789abcdef'));
    const attrs = { Firstname: null, DateOfBirth: 674863200000 };
    const hash = s.sign('MyFirstModule.Employee', '11540474045150458', true, attrs);
    expect(hash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(s.verify('MyFirstModule.Employee', '11540474045150458', { DateOfBirth: 674863200000, Firstname: null }, hash)).toBe('new');
    expect(s.verify('MyFirstModule.Employee', '11540474045150459', attrs, hash)).toBeUndefined();
    expect(s.verify('MyFirstModule.Other', '11540474045150458', attrs, hash)).toBeUndefined();
    expect(s.verify('MyFirstModule.Employee', '11540474045150458', { ...attrs, Firstname: 'x' }, hash)).toBeUndefined();
    expect(s.verify('MyFirstModule.Employee', '11540474045150458', { ...attrs, Extra: 1 }, hash)).toBeUndefined();
    expect(s.verify('MyFirstModule.Employee', '11540474045150458', attrs, 'AAAA')).toBeUndefined();
    const changed = s.sign('MyFirstModule.Employee', '1', false, attrs);
    expect(s.verify('MyFirstModule.Employee', '1', attrs, changed)).toBe('changed');
    const other = new ObjectSigner(Buffer.from('another secret of enough length!'));
    expect(other.verify('MyFirstModule.Employee', '11540474045150458', attrs, hash)).toBeUndefined();
  });

  it('converts values exactly and refuses wrong ones naming the field', async () => {
    const { model } = await loadModel(join(ROOT, 'examples', 'sales'));
    const product = model!.entities.get('Catalog.Product')!;
    const order = model!.entities.get('Sales.Order')!;
    const price = product.attributes.get('Price')!;
    const d = valueFromJson(model!, price, '12345678901234567890.12345678', 'f') as Decimal;
    expect(valueToJson(price, d)).toBe('12345678901234567890.12345678');
    expect(valueToJson(order.attributes.get('Number')!, 2n ** 60n)).toBe('1152921504606846976');
    expect(valueToJson(order.attributes.get('OrderDate')!, new Date(674863200000))).toBe(674863200000);
    expect(fieldOf(() => valueFromJson(model!, price, 'abc', 'changes.1.Price'))).toBe('400 changes.1.Price');
    expect(fieldOf(() => valueFromJson(model!, order.attributes.get('Status')!, 'Lost', 'changes.1.Status'))).toBe('400 changes.1.Status');
    expect(fieldOf(() => valueFromJson(model!, product.attributes.get('Stock')!, 2 ** 40, 's'))).toBe('400 s');
    expect(fieldOf(() => valueFromJson(model!, product.attributes.get('Name')!, 'x'.repeat(101), 'n'))).toBe('400 n');
    expect(valueFromJson(model!, order.attributes.get('Status')!, 'Draft', 'f')).toBe('Draft');
  });

  it('parses the seeds\' request bodies and names the malformed field', () => {
    const r = parseRuntimeOperation({
      action: 'runtimeOperation', operationId: 'EjuFdBJ7EUC93YSYtlb7Mg',
      params: { Objects: { guids: ['11540474045137256'] } },
      changes: { '11540474045137256': { Firstname: { value: 'Ellie' } } }, objects: [],
    });
    expect(r.changes.get('11540474045137256')!.get('Firstname')).toBe('Ellie');
    expect(parseRuntimeOperation({ action: 'runtimeOperation', operationId: 'x', options: { offset: 0, amount: 20, sort: [], wantCount: true, extraXpath: '' } }).options)
      .toEqual({ offset: 0, amount: 20, sort: [], wantCount: true, extraXpath: '' });
    expect(fieldOf(() => parseRuntimeOperation({ action: 'runtimeOperation' }))).toBe('400 operationId');
    expect(fieldOf(() => parseRuntimeOperation({ action: 'runtimeOperation', operationId: 'x', options: { amount: 'all' } }))).toBe('400 options.amount');
    expect(fieldOf(() => parseRuntimeOperation({ action: 'runtimeOperation', operationId: 'x', changes: { abc: {} } }))).toBe('400 changes.abc');
    expect(fieldOf(() => parseRuntimeOperation({ action: 'runtimeOperation', operationId: 'x', objects: [{ objectType: 'A.B', guid: '1' }] }))).toBe('400 objects.0.hash');
  });
});
