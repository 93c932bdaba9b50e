import { TypeCompiler } from '@sinclair/typebox/compiler';
import { describe, expect, it } from 'vitest';
import { surelyObjectParam, surelyObjectsParam, surelyRuntimeOperation } from '../../src/http/xas-wire-check.js';
import { ObjectParam, ObjectsParam, RuntimeOperationRequest } from '../../src/http/xas-wire.js';

/**
 * The quick check of runtimeOperation bodies (src/http/xas-wire-check.ts) may say "valid" only
 * where TypeBox's check of the schema does: it is compared with it on the client's shapes and on
 * many variations of them (wrong types, nulls, odd keys, boundaries). Where it is unsure it says
 * false and TypeBox decides, so it need not accept everything TypeBox accepts — but it must
 * accept what the client sends every time (or it would save nothing).
 */
const schema = TypeCompiler.Compile(RuntimeOperationRequest);

const guid = '281474976710657';
const edit = {
  action: 'runtimeOperation',
  operationId: 'a1b2c3',
  params: { Objects: { guids: [guid] } },
  changes: { [guid]: { Jobtitle: { value: 'Job 1' } } },
  objects: [],
};
const list = {
  action: 'runtimeOperation',
  operationId: 'a1b2c3',
  params: {},
  options: { offset: 0, amount: 20, sort: [['Name', 'desc'], ['Id']], wantCount: true, extraXpath: '' },
  changes: {},
  objects: [],
};
const create = {
  action: 'runtimeOperation',
  operationId: 'a1b2c3',
  params: { Objects: { guids: [guid] } },
  changes: { [guid]: { Firstname: { value: 'Bench' }, DateOfBirth: { value: 642902400000 } } },
  objects: [{ objectType: 'MyFirstModule.Employee', guid, attributes: { Firstname: { value: null } }, hash: 'abc' }],
};

/** Values to put anywhere: the usual and the odd ones. */
const ODD: unknown[] = [
  undefined,
  null,
  0,
  -1,
  -2,
  1.5,
  10000,
  10001,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  Number.NaN,
  '',
  'x',
  'a'.repeat(64),
  'a'.repeat(65),
  'asc',
  'desc',
  'up',
  true,
  false,
  [],
  [[]],
  [['Name']],
  [['Name', 'asc']],
  [['Name', 'sideways']],
  [['Name', 'asc', 'x']],
  [[1]],
  {},
  { value: 1 },
  { value: undefined },
  { notValue: 1 },
  { [guid]: {} },
  { [guid]: { a: { value: 1 } } },
  { [guid]: { a: {} } },
  { [guid]: { 'a\nb': {} } },
  { [guid]: { 'a\u2028b': { value: 1 } } },
  { [guid]: [] },
  { [guid]: null },
  { '9223372036854775807': { a: { value: 1 } } },
  { '9223372036854775808': { a: { value: 1 } } },
  { '123456789012345678': { a: { value: 1 } } },
  { '1234567890123456789': { a: { value: 1 } } },
  { '-1': {} },
  { '١٢٣': {} },
  { abc: {} },
  { '': {} },
  [{ objectType: 'E', guid, hash: 'h' }],
  [{ objectType: 'E', guid, hash: 'h', attributes: null }],
  [{ objectType: 'E', guid, hash: 'h', attributes: [] }],
  [{ objectType: 'E', guid: 'x', hash: 'h' }],
  [{ objectType: 'E', guid: '9223372036854775807', hash: 'h' }],
  [{ objectType: 'E', guid, hash: 1 }],
  [{ objectType: 1, guid, hash: 'h' }],
  [{ guid, hash: 'h' }],
  [null],
  [[]],
  [{ attribute: 'Name', operator: 'contains', value: 'x' }],
  new Date(0),
  new Uint8Array(2),
];

function* variations(base: Record<string, unknown>): Generator<unknown> {
  yield base;
  const keys = ['action', 'operationId', 'params', 'options', 'changes', 'objects', 'async', 'extra'];
  for (const k of keys) for (const v of ODD) yield { ...base, [k]: v };
  const opts = ['offset', 'amount', 'sort', 'wantCount', 'extraXpath', 'filters', 'other'];
  for (const k of opts) for (const v of ODD) yield { ...base, options: { ...(base.options as object), [k]: v } };
  const obj = ['objectType', 'guid', 'attributes', 'hash'];
  for (const k of obj) for (const v of ODD) yield { ...base, objects: [{ objectType: 'E', guid, hash: 'h', [k]: v }] };
  for (const v of ODD) yield { ...base, changes: { [guid]: { Jobtitle: v } } };
  for (const v of ODD) yield { ...base, objects: [{ objectType: 'E', guid, hash: 'h', attributes: { Name: v } }] };
  yield null;
  yield [];
  yield 'runtimeOperation';
  yield Object.assign(Object.create({ value: 1 }) as object, base);
}

describe('surelyRuntimeOperation', () => {
  it("accepts the client's bodies (edit, list, create)", () => {
    for (const b of [edit, list, create]) {
      expect(schema.Check(b)).toBe(true);
      expect(surelyRuntimeOperation(b)).toBe(true);
    }
    // And through JSON, as the server gets them.
    for (const b of [edit, list, create]) expect(surelyRuntimeOperation(JSON.parse(JSON.stringify(b)))).toBe(true);
  });

  it("is true only where TypeBox's check is true", () => {
    let n = 0;
    let sure = 0;
    for (const base of [edit, list, create]) {
      for (const b of variations(base)) {
        n++;
        const quick = surelyRuntimeOperation(b);
        if (quick) {
          sure++;
          expect({ body: b, typebox: schema.Check(b) }).toEqual({ body: b, typebox: true });
        }
      }
    }
    expect(n).toBeGreaterThan(1000);
    // It is sure of most of the valid ones (not only of the three bases).
    expect(sure).toBeGreaterThan(100);
  });
});

describe('surelyObjectsParam and surelyObjectParam', () => {
  const objects = TypeCompiler.Compile(ObjectsParam);
  const object = TypeCompiler.Compile(ObjectParam);
  const ids: unknown[] = [...ODD, guid, '1', '123456789012345678', '1234567890123456789', '9223372036854775808', ' 1', '1 ', '0x1'];
  it('accept the usual parameters', () => {
    expect(surelyObjectsParam({ guids: [guid, '1'] })).toBe(true);
    expect(surelyObjectsParam({ guids: [] })).toBe(true);
    expect(surelyObjectParam({ guid })).toBe(true);
  });
  it("are true only where TypeBox's check is true", () => {
    const many = Array.from({ length: 10001 }, () => guid);
    const values: unknown[] = [...ODD, { guids: many }, { guids: many.slice(1) }, { guids: [guid, null] }];
    for (const id of ids) values.push({ guids: [id] }, { guids: [guid, id] }, { guid: id }, { guid: id, guids: [id] });
    let sure = 0;
    for (const v of values) {
      if (surelyObjectsParam(v)) {
        sure++;
        expect({ v, typebox: objects.Check(v) }).toEqual({ v, typebox: true });
      }
      if (surelyObjectParam(v)) {
        sure++;
        expect({ v, typebox: object.Check(v) }).toEqual({ v, typebox: true });
      }
    }
    expect(sure).toBeGreaterThan(10);
  });
});
