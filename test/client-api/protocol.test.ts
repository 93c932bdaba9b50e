import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/model/index.js';
import { ObjectSigner } from '../../src/client-api/protocol/signing.js';
import { valueFromJson, valueToJson } from '../../src/client-api/protocol/values.js';
import { parseRuntimeOperation } from '../../src/client-api/protocol/request.js';
import { ClientApiError } from '../../src/client-api/errors.js';
import { ObjectWriter } from '../../src/client-api/protocol/object-writer.js';
import { JsonText } from '../../src/client-api/protocol/json-text.js';
import { serializeObject } from '../../src/client-api/protocol/serialize.js';
import { createMxObject, type MxObject } from '../../src/objects/mx-object.js';
import { committedAnswer, createdAnswer, deletedAnswer, emptyResponse } from '../../src/client-api/operations/response.js';
import { canonicalText } from '../../src/client-api/protocol/signing.js';
import type { MemberRight } from '../../src/model/compiled/types.js';
import { ROOT } from '../support/cli.js';

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof ClientApiError) return `${e.status} ${String(e.details.field)}`;
    throw e;
  }
  return undefined;
}

describe('client API protocol', () => {
  it('signs objects so that any change of type, id, state, value, session or version is detected, and they expire', () => {
    let now = Date.UTC(2024, 0, 1);
    const signer = new ObjectSigner(Buffer.from('0123456789abcdef0123456789abcdef'), 60000, () => now);
    const s = signer.forSession('session-a');
    const attrs = { Firstname: null, DateOfBirth: 674863200000 };
    const hash = s.sign('MyFirstModule.Employee', '11540474045150458', true, attrs, null);
    expect(hash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(s.verify('MyFirstModule.Employee', '11540474045150458', { DateOfBirth: 674863200000, Firstname: null }, hash)).toEqual({
      state: 'new',
      version: null,
    });
    expect(s.verify('MyFirstModule.Employee', '11540474045150459', attrs, hash)).toBe('invalid');
    expect(s.verify('MyFirstModule.Other', '11540474045150458', attrs, hash)).toBe('invalid');
    expect(s.verify('MyFirstModule.Employee', '11540474045150458', { ...attrs, Firstname: 'x' }, hash)).toBe('invalid');
    expect(s.verify('MyFirstModule.Employee', '11540474045150458', { ...attrs, Extra: 1 }, hash)).toBe('invalid');
    expect(s.verify('MyFirstModule.Employee', '11540474045150458', attrs, 'AAAA')).toBe('invalid');
    const changed = s.sign('MyFirstModule.Employee', '1', false, attrs, 1700000000123);
    expect(s.verify('MyFirstModule.Employee', '1', attrs, changed)).toEqual({ state: 'changed', version: 1700000000123 });
    // Without a version a changed object has the new one's layout: the MAC alone tells them apart.
    const unversioned = s.sign('MyFirstModule.Employee', '1', false, attrs, null);
    expect(s.verify('MyFirstModule.Employee', '1', attrs, unversioned)).toEqual({ state: 'changed', version: null });
    expect(s.verify('MyFirstModule.Employee', '1', { ...attrs, Firstname: 'x' }, unversioned)).toBe('invalid');
    // A new object's signature with a version written into it: the MAC covers the version bytes.
    const versioned = Buffer.from(s.sign('MyFirstModule.Employee', '1', true, attrs, null), 'base64');
    versioned[9]! ^= 1;
    expect(s.verify('MyFirstModule.Employee', '1', attrs, versioned.toString('base64'))).toBe('invalid');
    // The version and the time of signing are covered by the MAC.
    const bytes = Buffer.from(changed, 'base64');
    bytes[9]! ^= 1;
    expect(s.verify('MyFirstModule.Employee', '1', attrs, bytes.toString('base64'))).toBe('invalid');
    bytes[9]! ^= 1;
    bytes[3]! ^= 1;
    expect(s.verify('MyFirstModule.Employee', '1', attrs, bytes.toString('base64'))).toBe('invalid');
    // Another session (another user, or the anonymous session before a login) or another deployment secret.
    expect(signer.forSession('session-b').verify('MyFirstModule.Employee', '11540474045150458', attrs, hash)).toBe('invalid');
    expect(signer.forSession(null).verify('MyFirstModule.Employee', '11540474045150458', attrs, hash)).toBe('invalid');
    const other = new ObjectSigner(Buffer.from('another secret of enough length!'), 60000, () => now);
    expect(other.forSession('session-a').verify('MyFirstModule.Employee', '11540474045150458', attrs, hash)).toBe('invalid');
    // Another instance with the same secret derives the same key.
    expect(
      new ObjectSigner(Buffer.from('0123456789abcdef0123456789abcdef'), 60000, () => now)
        .forSession('session-a')
        .verify('MyFirstModule.Employee', '11540474045150458', attrs, hash),
    ).toEqual({ state: 'new', version: null });
    // The signer kept for a session is the one derived for it: the same key, other sessions still refused.
    expect(signer.forSession('session-a').verify('MyFirstModule.Employee', '11540474045150458', attrs, hash)).toEqual({ state: 'new', version: null });
    expect(signer.forSession('session-b').verify('MyFirstModule.Employee', '11540474045150458', attrs, hash)).toBe('invalid');
    now += 61000;
    expect(s.verify('MyFirstModule.Employee', '11540474045150458', attrs, hash)).toBe('expired');
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

  it("parses the seeds' request bodies and names the malformed field", () => {
    const r = parseRuntimeOperation({
      action: 'runtimeOperation',
      operationId: 'EjuFdBJ7EUC93YSYtlb7Mg',
      params: { Objects: { guids: ['11540474045137256'] } },
      changes: { '11540474045137256': { Firstname: { value: 'Ellie' } } },
      objects: [],
    });
    expect(r.changes.get('11540474045137256')!.get('Firstname')).toBe('Ellie');
    expect(
      parseRuntimeOperation({ action: 'runtimeOperation', operationId: 'x', options: { offset: 0, amount: 20, sort: [], wantCount: true, extraXpath: '' } })
        .options,
    ).toEqual({ offset: 0, amount: 20, sort: [], wantCount: true, extraXpath: '', filters: [] });
    expect(fieldOf(() => parseRuntimeOperation({ action: 'runtimeOperation' }))).toBe('400 operationId');
    expect(fieldOf(() => parseRuntimeOperation({ action: 'runtimeOperation', operationId: 'x', options: { amount: 'all' } }))).toBe('400 options.amount');
    expect(fieldOf(() => parseRuntimeOperation({ action: 'runtimeOperation', operationId: 'x', changes: { abc: {} } }))).toBe('400 changes.abc');
    expect(fieldOf(() => parseRuntimeOperation({ action: 'runtimeOperation', operationId: 'x', objects: [{ objectType: 'A.B', guid: '1' }] }))).toBe(
      '400 objects.0.hash',
    );
  });

  it('sends ASCII JSON text as its bytes, any other as the string', () => {
    const ascii = new JsonText('{"a":"b"}', true).body();
    expect(Buffer.isBuffer(ascii) && ascii.equals(Buffer.from('{"a":"b"}', 'utf8'))).toBe(true);
    expect(new JsonText('{"a":"é"}').body()).toBe('{"a":"é"}');
  });

  it('writes objects as text exactly as serializeObject builds them, honouring member rights', async () => {
    const { model } = await loadModel(join(ROOT, 'examples', 'sales'));
    const m = model!;
    const cases: { entity: string; set: (o: ReturnType<typeof createMxObject>, i: number) => void }[] = [
      {
        entity: 'Sales.Customer',
        set: fillCustomer,
      },
      {
        entity: 'System.FileDocument',
        set: fillFileDocument,
      },
    ];
    for (const { entity, set } of cases) {
      const e = m.entities.get(entity)!;
      const members = [...e.attributes.keys(), ...e.parentOf];
      // All readable; every other member hidden; nothing readable.
      const rightsSets: ReadonlyMap<string, MemberRight>[] = [
        new Map(members.map((x) => [x, 'ReadWrite'] as const)),
        new Map(members.map((x, i) => [x, i % 2 ? 'None' : 'Read'] as const)),
        new Map(members.map((x) => [x, 'None'] as const)),
      ];
      for (const [attributes, associations] of [
        [undefined, undefined],
        [[...e.attributes.keys()].reverse().slice(0, 4), e.parentOf.slice(0, 1)],
      ] as const) {
        const writer = new ObjectWriter(m, attributes, associations);
        for (let i = 0; i < 16; i++) {
          const o = createMxObject(entity, 2n ** 48n + BigInt(i), 'persisted');
          set(o, i);
          for (const rights of rightsSets) {
            const readable = (x: string) => {
              const r = rights.get(x);
              return r === 'Read' || r === 'ReadWrite';
            };
            const expected = JSON.stringify(
              serializeObject(m, o, { readable, ...(attributes ? { attributes } : {}), ...(associations ? { associations } : {}) }),
            );
            expect(writer.write(o, rights)).toBe(expected);
            // Appended to text before it, and knowing whether what it wrote is all ASCII.
            const text = { ascii: true };
            expect(writer.append('[', o, rights, text)).toBe(`[${expected}`);
            expect(text.ascii).toBe([...expected].every((c) => c.charCodeAt(0) < 0x80));
          }
        }
      }
    }
  });

  it("writes the create's, commit's and delete's answers as JSON.stringify wrote the objects they were built as", async () => {
    const { model } = await loadModel(join(ROOT, 'examples', 'sales'));
    const m = model!;
    const now = Date.UTC(2024, 0, 1, 12);
    const session = new ObjectSigner(Buffer.from('0123456789abcdef0123456789abcdef'), 60000, () => now).forSession('s');
    const fill: Record<string, (o: MxObject, i: number) => void> = {
      'Sales.Customer': (o, i) => {
        fillCustomer(o, i);
        o.values.set('changedDate', new Date(1700000000000 + i));
      },
      'Sales.Order': (o, i) => {
        o.values.set('Number', BigInt(i) * 10n ** 15n);
        o.values.set('OrderDate', i % 2 ? new Date(Number.NaN) : new Date(86400000 * i));
        o.values.set('Status', i % 3 ? 'Draft' : null);
        o.values.set('Total', new Decimal(`${i}.5`));
        o.values.set('InternalNote', STRINGS[(i + 5) % STRINGS.length]!);
        if (i % 2) o.values.set('changedDate', new Date(1700000000000 + i));
        o.references.set('Sales.Order_Customer', i % 2 ? 2n ** 40n : null);
      },
      'System.FileDocument': fillFileDocument,
    };
    const ascii = (t: string) => [...t].every((c) => c.charCodeAt(0) < 0x80);
    for (const [entity, set] of Object.entries(fill)) {
      const e = m.entities.get(entity)!;
      const members = [...e.attributes.keys(), ...e.parentOf];
      // All readable; every other member hidden; nothing readable.
      const predicates: ((x: string) => boolean)[] = [() => true, (x) => members.indexOf(x) % 2 === 0, () => false];
      for (let i = 0; i < 16; i++) {
        for (const state of ['new', 'persisted'] as const) {
          const o = createMxObject(entity, 2n ** 48n + BigInt(i), state);
          set(o, i);
          for (const readable of predicates) {
            // The create: the object signed for the session (new, or a persisted one bound to its changedDate).
            const json = serializeObject(m, o, { readable, signer: session });
            const created = createdAnswer(m, o, readable, session);
            const expected = JSON.stringify({ ...emptyResponse(), actionResult: { type: 'ObjectReference', value: json.guid }, objects: [json] });
            expect(created.text).toBe(expected);
            expect(created.body()).toEqual(ascii(expected) ? Buffer.from(expected, 'latin1') : expected);
            // What the client sends back verifies against the signature.
            const values = Object.fromEntries(Object.entries(json.attributes).map(([k, v]) => [k, v.value]));
            expect(session.verify(entity, json.guid, JSON.parse(JSON.stringify(values)) as Record<string, unknown>, json.hash!)).toMatchObject({
              state: state === 'new' ? 'new' : 'changed',
            });
            expect(canonicalText(entity, json.guid, state === 'new', values)).toContain(`,"${json.guid}",`);
          }
        }
      }
      // The commit: objects with their own rights, at, below and over the threshold (ids only).
      const objs = [0, 1, 2, 3].map((i) => {
        const o = createMxObject(entity, 2n ** 52n + BigInt(i), i % 2 ? 'new' : 'persisted');
        set(o, i + 1);
        return { object: o, readable: predicates[i % predicates.length]! };
      });
      for (const n of [0, 1, 3, 4]) {
        const some = objs.slice(0, n);
        const omitted = some.length > 3;
        const expected = JSON.stringify({
          ...emptyResponse(),
          commits: some.map((r) => r.object.id.toString()),
          committedObjectsOmitted: omitted,
          objects: omitted ? [] : some.map((r) => serializeObject(m, r.object, { readable: r.readable })),
        });
        const text = committedAnswer(m, some, 3);
        expect(text.text).toBe(expected);
        expect(text.body()).toEqual(ascii(expected) ? Buffer.from(expected, 'latin1') : expected);
      }
    }
    for (const guids of [[], ['1'], ['11540474045137256', '2']]) expect(deletedAnswer(guids).text).toBe(JSON.stringify({ ...emptyResponse(), deletes: guids }));
  });

  it('signs the canonical text as sign() does', () => {
    const s = new ObjectSigner(Buffer.from('0123456789abcdef0123456789abcdef'), 60000, () => 1700000000000).forSession('x');
    const attrs = { b: 'x"y', a: 1, c: ['1', '2'], d: null };
    expect(s.signCanonical(canonicalText('M.E', '12', true, attrs), true, null)).toBe(s.sign('M.E', '12', true, attrs, null));
    expect(s.signCanonical(canonicalText('M.E', '12', false, attrs), false, 5)).toBe(s.sign('M.E', '12', false, attrs, 5));
    // The MAC is HMAC-SHA256 with the session's key (its pads hashed once): what createHmac makes, so signatures
    // made before stay valid. Over non-ASCII text and text longer than a block too.
    const key = createHmac('sha256', Buffer.from('0123456789abcdef0123456789abcdef')).update('kiln/client-objects/v2\0x').digest();
    const sets: Record<string, string | number | null | string[]>[] = [attrs, { n: 'ünïcødé \u{1F600}'.repeat(40) }, {}];
    // Texts whose last (4-byte) character ends near the end of the MAC's 1 KB input buffer, then one far past it.
    for (let k = 880; k < 960; k++) sets.push({ n: `${'x'.repeat(k)}\u{1F600}` });
    sets.push({ n: 'é\u{1F600}'.repeat(2000) }, attrs);
    for (const a of sets) {
      const hash = Buffer.from(s.sign('M.E', '12', true, a, null), 'base64');
      const mac = createHmac('sha256', key)
        .update(hash.subarray(0, 10))
        .update(canonicalText('M.E', '12', true, a))
        .digest();
      expect(hash.subarray(10).equals(mac.subarray(0, 22))).toBe(true);
    }
  });
});

/** Texts that exercise JSON escaping: quotes, controls, astral and lone surrogates, line separators, non-ASCII. */
const STRINGS = ['', 'plain', 'quote " and \\ back', 'line\nbreak\ttab\u0001', 'emoji \u{1F600}', 'lone \ud800 surrogate', 'sep \u2028 \u2029', 'ünïcødé'];

/** A Sales.Customer with every attribute type, set or empty depending on `i`. */
function fillCustomer(o: MxObject, i: number): void {
  o.values.set('Name', STRINGS[i % STRINGS.length]!);
  o.values.set('Password', 'secret');
  o.values.set('LastLogin', i % 3 ? new Date(674863200000 + i) : null);
  o.values.set('Blocked', i % 2 === 0);
  o.values.set('FailedLogins', i % 4 ? -i : null);
  o.values.set('Segment', i % 2 ? 'Retail' : null);
  o.values.set('CreditLimit', i % 3 ? new Decimal('-12345678901234567890.12345678') : null);
  o.values.set('FullName', STRINGS[(i + 3) % STRINGS.length]!);
  o.references.set('System.UserRoles', i % 2 ? [1n, 2n ** 60n] : []);
  o.references.set('System.User_Language', i % 3 ? 2n ** 50n + BigInt(i) : null);
}

/** A System.FileDocument with long integers, bytes and an invalid date. */
function fillFileDocument(o: MxObject, i: number): void {
  o.values.set('FileID', BigInt(i) * 10n ** 15n);
  o.values.set('Size', i % 2 ? 2n ** 62n : null);
  o.values.set('Contents', new Uint8Array([1, 2]));
  o.values.set('Name', STRINGS[i % STRINGS.length]!);
  o.values.set('createdDate', new Date(Number.NaN));
}
