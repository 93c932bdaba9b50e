import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { DIALECTS, freshDatabase, type TestDatabase } from '../support/databases.js';
import {
  commitObjects,
  createIdGenerator,
  createObject,
  deleteObjects,
  DeletePreventedError,
  openDatabase,
  retrieveByIds,
  syncSchema,
  UniqueViolationError,
  ValueOutOfRangeError,
  type Database,
  type IdGenerator,
} from '../../src/data/index.js';
import type { CompiledModel } from '../../src/model/compiled/types.js';
import { setReference, setValue, type MxObject } from '../../src/objects/mx-object.js';
import { modelOf, PERSISTENCE_MODEL, quietLog } from './support.js';

describe.each(DIALECTS)('persistence on %s', (dialect) => {
  let t: TestDatabase;
  let db: Database;
  let model: CompiledModel;
  let ids: IdGenerator;
  const captured: string[] = [];

  beforeAll(async () => {
    t = await freshDatabase(dialect);
    model = await modelOf(PERSISTENCE_MODEL);
    db = await openDatabase(t.url, { log: quietLog });
    await syncSchema(db, model, { allowDestructive: false, log: quietLog });
    ids = await createIdGenerator(db, model);
    db.onStatement((sql) => captured.push(sql));
  });
  afterAll(async () => {
    await db?.close();
    await t?.drop();
  });

  const capture = async (fn: () => Promise<unknown>): Promise<string[]> => {
    captured.length = 0;
    await fn();
    return captured.filter((s) => !/^(BEGIN|START|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)/.test(s));
  };
  const commit = (objs: MxObject[], user?: bigint) => db.transaction((tx) => commitObjects(tx, model, objs, user === undefined ? {} : { user }));
  const P = dialect === 'postgres' ? (i: number) => `$${i}` : () => '?';

  it('reports each statement to the listeners once, also a read made while a transaction is taking the connection', async () => {
    const probe = 'SELECT 1 AS n FROM "t$everything" WHERE 1 = 0';
    // The read is sent 0..7 microtasks after the transaction starts: one of them
    // lands while it holds the connection but has not begun its work (SQLite).
    for (let wait = 0; wait < 8; wait++) {
      captured.length = 0;
      const tx = db.transaction(async (q) => {
        await q.query('SELECT 1 AS x', []);
      });
      for (let i = 0; i < wait; i++) await null;
      await Promise.all([tx, db.query(probe, [])]);
      expect(
        captured.filter((s) => s === probe),
        `read after ${wait} microtasks`,
      ).toHaveLength(1);
    }
    captured.length = 0;
    await expect(db.query('SELECT nothing FROM nowhere', [])).rejects.toThrow();
    expect(captured.filter((s) => s === 'SELECT nothing FROM nowhere')).toHaveLength(1);
  });

  it('gives new objects ids of their entity and the model defaults', async () => {
    const a = await createObject(model, 'T.Everything', ids);
    const b = await createObject(model, 'T.Everything', ids);
    expect(a.state).toBe('new');
    expect(b.id - a.id).toBe(1n);
    expect(ids.entityOf(a.id)).toBe('T.Everything');
    expect(Number(a.id >> 48n)).toBe(ids.shortIdOf('T.Everything'));
    expect((a.values.get('WithDefault') as Decimal).toString()).toBe('12.5');
    expect(a.values.get('Flag')).toBe(false);
    expect(a.values.get('Int')).toBe(0);
    expect(a.values.get('Lng')).toBe(0n);
    expect(typeof a.values.get('Num')).toBe('bigint');
    expect((b.values.get('Num') as bigint) - (a.values.get('Num') as bigint)).toBe(1n);
  });

  it('round-trips every attribute type exactly', async () => {
    const o = await createObject(model, 'T.Everything', ids, { user: 42n });
    const when = new Date(Date.UTC(1987, 2, 14, 23, 59, 58, 123));
    const bytes = new Uint8Array([0, 1, 2, 250, 255, 0, 10]);
    setValue(o, 'Str', 'Zoë — 東京 🚀 "quoted" \'single\'');
    setValue(o, 'Text', 'x'.repeat(5000));
    setValue(o, 'Int', -2147483648);
    setValue(o, 'Lng', 9007199254740993n * 1000n + 7n);
    setValue(o, 'Dec', new Decimal('123456789012.12345678'));
    setValue(o, 'Flag', true);
    setValue(o, 'When', when);
    setValue(o, 'Colour', 'VeryLongColourName');
    setValue(o, 'Blob', bytes);
    setValue(o, 'Secret', '$2a$12$abcdefghijklmnopqrstuv');
    await commit([o]);
    const neg = await createObject(model, 'T.Everything', ids);
    setValue(neg, 'Dec', new Decimal('-99999999999999999999.99999999'));
    setValue(neg, 'Lng', -(2n ** 63n));
    setValue(neg, 'Int', 2147483647);
    await commit([neg]);

    const [back] = await retrieveByIds(db, model, 'T.Everything', [o.id]);
    expect(back!.entity).toBe('T.Everything');
    expect(back!.values.get('Str')).toBe('Zoë — 東京 🚀 "quoted" \'single\'');
    expect(back!.values.get('Text')).toBe('x'.repeat(5000));
    expect(back!.values.get('Int')).toBe(-2147483648);
    expect(back!.values.get('Lng')).toBe(9007199254740993007n);
    expect((back!.values.get('Dec') as Decimal).toFixed()).toBe('123456789012.12345678');
    expect(back!.values.get('Flag')).toBe(true);
    expect((back!.values.get('When') as Date).getTime()).toBe(when.getTime());
    expect(back!.values.get('Colour')).toBe('VeryLongColourName');
    expect(back!.values.get('Blob')).toEqual(bytes);
    expect(back!.values.get('Secret')).toBe('$2a$12$abcdefghijklmnopqrstuv');
    expect(back!.values.get('Num')).toBe(o.values.get('Num'));
    expect(back!.references.get('System.owner')).toBe(42n);
    expect(back!.values.get('createdDate')).toBeInstanceOf(Date);

    const [n] = await retrieveByIds(db, model, 'T.Everything', [neg.id]);
    expect((n!.values.get('Dec') as Decimal).toFixed()).toBe('-99999999999999999999.99999999');
    expect(n!.values.get('Lng')).toBe(-(2n ** 63n));
    expect(n!.values.get('Int')).toBe(2147483647);
    expect(n!.values.get('Str')).toBeNull();
    expect(n!.values.get('When')).toBeNull();
    expect(n!.values.get('Blob')).toBeNull();
  });

  it('orders and compares Decimals numerically in SQL', async () => {
    const values = ['-10.5', '-2', '-0.00000001', '0', '0.5', '3', '10', '100.25'];
    const objs = [];
    for (const v of [...values].reverse()) {
      const o = await createObject(model, 'T.Line', ids);
      setValue(o, 'Amount', new Decimal(v));
      objs.push(o);
    }
    await commit(objs);
    const { toDbValue } = await import('../../src/data/index.js');
    const attr = model.entities.get('T.Line')!.attributes.get('Amount')!;
    const rows = await db.query<{ id: unknown }>(`SELECT "id" FROM "t$line" WHERE "amount" > ${P(1)} ORDER BY "amount"`, [
      toDbValue(db.dialect, attr, new Decimal('-1')),
    ]);
    const got = await retrieveByIds(
      db,
      model,
      'T.Line',
      rows.map((r) => BigInt(r.id as string)),
    );
    expect(got.map((o) => (o.values.get('Amount') as Decimal).toString())).toEqual(['-1e-8', '0', '0.5', '3', '10', '100.25']);
  });

  it('rounds Decimals to 8 places half-even and refuses more than 20 integer digits', async () => {
    const o = await createObject(model, 'T.Line', ids);
    setValue(o, 'Amount', new Decimal('1.000000005'));
    await commit([o]);
    const [back] = await retrieveByIds(db, model, 'T.Line', [o.id]);
    expect((back!.values.get('Amount') as Decimal).toFixed()).toBe('1');
    const big = await createObject(model, 'T.Line', ids);
    setValue(big, 'Amount', new Decimal('123456789012345678901'));
    await expect(commit([big])).rejects.toThrow(/more than 20 integer digits/);
  });

  it("reads with the seeds' SELECT and updates only the changed columns", async () => {
    const o = await createObject(model, 'T.Owner', ids);
    setValue(o, 'Name', 'Ann');
    const inserts = await capture(() => commit([o]));
    expect(inserts).toEqual([`INSERT INTO "t$owner" ("id", "name") VALUES (${P(1)}, ${P(2)})`]);
    const reads = await capture(() => retrieveByIds(db, model, 'T.Owner', [o.id]));
    expect(reads).toEqual([`SELECT "t$owner"."id", "t$owner"."name" FROM "t$owner" WHERE "t$owner"."id" = ${P(1)}`]);

    const e = await createObject(model, 'T.Everything', ids);
    await commit([e]);
    const [loaded] = await retrieveByIds(db, model, 'T.Everything', [e.id]);
    setValue(loaded!, 'Int', 7);
    const updates = await capture(() => commit([loaded!]));
    // changedDate is maintained on every commit, as Mendix does.
    expect(updates).toEqual([`UPDATE "t$everything" SET "int" = ${P(1)}, "changeddate" = ${P(2)} WHERE "id" = ${P(3)}`]);
    const [again] = await retrieveByIds(db, model, 'T.Everything', [e.id]);
    expect(again!.values.get('Int')).toBe(7);
  });

  it('inserts many objects with one statement per table', async () => {
    const objs: MxObject[] = [];
    for (let i = 0; i < 300; i++) {
      const o = await createObject(model, 'T.Puppy', ids);
      setValue(o, 'Name', `pup ${i}`);
      setValue(o, 'Breed', 'Beagle');
      setValue(o, 'AgeInWeeks', i);
      objs.push(o);
    }
    const stmts = await capture(() => commit(objs));
    expect(stmts.map((s) => /^INSERT INTO "([^"]+)"/.exec(s)?.[1])).toEqual(['t$animal', 't$dog', 't$puppy']);
    expect(stmts[2]!.match(/\),/g)).toHaveLength(299);
    const back = await retrieveByIds(
      db,
      model,
      'T.Puppy',
      objs.map((o) => o.id),
    );
    expect(back.map((o) => o.values.get('AgeInWeeks'))).toEqual(objs.map((_, i) => i));
  });

  it('updates many objects in one statement per table and changed-column set (PostgreSQL, MariaDB), every type exactly', async () => {
    const pups = [];
    for (let i = 0; i < 5; i++) {
      const o = await createObject(model, 'T.Puppy', ids);
      setValue(o, 'Name', `pup ${i}`);
      setValue(o, 'Breed', 'Beagle');
      setValue(o, 'AgeInWeeks', i);
      pups.push(o);
    }
    const all = [await createObject(model, 'T.Everything', ids), await createObject(model, 'T.Everything', ids)];
    await commit([...pups, ...all]);
    const loaded = await retrieveByIds(
      db,
      model,
      'T.Puppy',
      pups.map((p) => p.id),
    );
    loaded.slice(0, 4).forEach((p, i) => {
      setValue(p, 'Name', i === 1 ? null : `Zoë 🚀 ${i}`);
      setValue(p, 'AgeInWeeks', 100 + i);
    });
    setValue(loaded[4]!, 'Breed', 'Pug');
    const [e1, e2] = await retrieveByIds(
      db,
      model,
      'T.Everything',
      all.map((e) => e.id),
    );
    const when = new Date(Date.UTC(2001, 8, 9, 1, 46, 40, 321));
    for (const [e, n] of [
      [e1!, 1n],
      [e2!, 2n],
    ] as const) {
      setValue(e, 'Str', `s${n}`);
      setValue(e, 'Int', -7 * Number(n));
      setValue(e, 'Lng', 9007199254740993n * n);
      setValue(e, 'Dec', new Decimal(`1234567890123456789${n}.12345678`));
      setValue(e, 'Flag', n === 1n);
      setValue(e, 'When', n === 1n ? when : null);
      setValue(e, 'Colour', 'Green');
      setValue(e, 'Blob', new Uint8Array([0, 255, Number(n)]));
    }
    const stmts = (await capture(() => commit([...loaded, e1!, e2!]))).filter((x) => x.startsWith('UPDATE'));
    const tables = stmts.map((x) => /^UPDATE "([^"]+)"/.exec(x)![1]);
    if (dialect === 'sqlite') expect(tables).toHaveLength(4 + 4 + 1 + 2);
    else expect(tables.sort()).toEqual(['t$animal', 't$dog', 't$everything', 't$puppy']);

    const back = await retrieveByIds(
      db,
      model,
      'T.Puppy',
      pups.map((p) => p.id),
    );
    expect(back.map((p) => [p.values.get('Name'), p.values.get('Breed'), p.values.get('AgeInWeeks')])).toEqual([
      ['Zoë 🚀 0', 'Beagle', 100],
      [null, 'Beagle', 101],
      ['Zoë 🚀 2', 'Beagle', 102],
      ['Zoë 🚀 3', 'Beagle', 103],
      ['pup 4', 'Pug', 4],
    ]);
    const [b1, b2] = await retrieveByIds(
      db,
      model,
      'T.Everything',
      all.map((e) => e.id),
    );
    expect([b1!.values.get('Lng'), b2!.values.get('Lng')]).toEqual([9007199254740993n, 18014398509481986n]);
    expect([(b1!.values.get('Dec') as Decimal).toFixed(), (b2!.values.get('Dec') as Decimal).toFixed()]).toEqual([
      '12345678901234567891.12345678',
      '12345678901234567892.12345678',
    ]);
    expect([b1!.values.get('Int'), b2!.values.get('Int'), b1!.values.get('Flag'), b2!.values.get('Flag')]).toEqual([-7, -14, true, false]);
    expect([(b1!.values.get('When') as Date).getTime(), b2!.values.get('When')]).toEqual([when.getTime(), null]);
    expect([b1!.values.get('Str'), b2!.values.get('Colour'), b2!.values.get('Blob')]).toEqual(['s1', 'Green', new Uint8Array([0, 255, 2])]);
  });

  it('refuses a too long String in a batched update as in a single one, writing nothing', async () => {
    const [a, b] = [await createObject(model, 'T.Owner', ids), await createObject(model, 'T.Owner', ids)];
    setValue(a, 'Name', 'a');
    setValue(b, 'Name', 'b');
    await commit([a, b]);
    const [la, lb] = await retrieveByIds(db, model, 'T.Owner', [a.id, b.id]);
    setValue(la!, 'Name', 'ok');
    setValue(lb!, 'Name', 'x'.repeat(101));
    // Kiln checks lengths itself, so SQLite (which would store anything) refuses alike.
    const err = await commit([la!, lb!]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ValueOutOfRangeError);
    expect((err as Error).message).toBe('value of T.Owner.Name is 101 characters long; at most 100 are allowed');
    const names = (await retrieveByIds(db, model, 'T.Owner', [a.id, b.id])).map((o) => o.values.get('Name'));
    expect(names).toEqual(['a', 'b']);
  });

  it("counts a String's length in characters, as the databases do, and refuses one too long on insert", async () => {
    const fits = await createObject(model, 'T.Owner', ids);
    const name = '\u{1F600}'.repeat(100); // 100 characters, 200 UTF-16 units
    setValue(fits, 'Name', name);
    await commit([fits]);
    expect((await retrieveByIds(db, model, 'T.Owner', [fits.id]))[0]!.values.get('Name')).toBe(name);
    const [ok, tooLong] = [await createObject(model, 'T.Owner', ids), await createObject(model, 'T.Owner', ids)];
    setValue(ok, 'Name', 'fine');
    setValue(tooLong, 'Name', `${name}!`);
    await expect(commit([ok, tooLong])).rejects.toThrow('value of T.Owner.Name is 101 characters long; at most 100 are allowed');
    expect(await retrieveByIds(db, model, 'T.Owner', [ok.id, tooLong.id])).toEqual([]);
  });

  it('returns objects of their concrete entity when read through a generalization', async () => {
    const dog = await createObject(model, 'T.Dog', ids);
    setValue(dog, 'Name', 'Rex');
    setValue(dog, 'Breed', 'Collie');
    const pup = await createObject(model, 'T.Puppy', ids);
    setValue(pup, 'Name', 'Bit');
    setValue(pup, 'Breed', 'Pug');
    setValue(pup, 'AgeInWeeks', 9);
    const cat = await createObject(model, 'T.Animal', ids);
    setValue(cat, 'Name', 'Tom');
    await commit([dog, pup, cat]);
    const rows = await db.query<{ submetaobjectname: string }>(`SELECT "submetaobjectname" FROM "t$animal" WHERE "id" = ${P(1)}`, [
      dialect === 'sqlite' ? pup.id : pup.id.toString(),
    ]);
    expect(rows[0]!.submetaobjectname).toBe('T.Puppy');
    const all = await retrieveByIds(db, model, 'T.Animal', [cat.id, dog.id, pup.id]);
    expect(all.map((o) => [o.entity, o.values.get('Name'), o.values.get('Breed') ?? null, o.values.get('AgeInWeeks') ?? null])).toEqual([
      ['T.Animal', 'Tom', null, null],
      ['T.Dog', 'Rex', 'Collie', null],
      ['T.Puppy', 'Bit', 'Pug', 9],
    ]);
    // A specialization's read never returns its generalization's objects.
    expect((await retrieveByIds(db, model, 'T.Dog', [cat.id, dog.id])).map((o) => o.id)).toEqual([dog.id]);
  });

  it('writes references and reference sets, and replaces them on change', async () => {
    const owner = await createObject(model, 'T.Owner', ids);
    const owner2 = await createObject(model, 'T.Owner', ids);
    const tags = [await createObject(model, 'T.Tag', ids), await createObject(model, 'T.Tag', ids), await createObject(model, 'T.Tag', ids)];
    const dog = await createObject(model, 'T.Dog', ids);
    setReference(dog, 'T.Animal_Owner', owner.id);
    setReference(dog, 'T.Animal_Tags', [tags[0]!.id, tags[1]!.id]);
    await commit([owner, owner2, ...tags, dog]);
    let [back] = await retrieveByIds(db, model, 'T.Animal', [dog.id]);
    expect(back!.references.get('T.Animal_Owner')).toBe(owner.id);
    expect(back!.references.get('T.Animal_Tags')).toEqual([tags[0]!.id, tags[1]!.id]);

    setReference(back!, 'T.Animal_Owner', owner2.id);
    setReference(back!, 'T.Animal_Tags', [tags[2]!.id]);
    await commit([back!]);
    [back] = await retrieveByIds(db, model, 'T.Dog', [dog.id]);
    expect(back!.references.get('T.Animal_Owner')).toBe(owner2.id);
    expect(back!.references.get('T.Animal_Tags')).toEqual([tags[2]!.id]);

    setReference(back!, 'T.Animal_Owner', null);
    await commit([back!]);
    [back] = await retrieveByIds(db, model, 'T.Dog', [dog.id]);
    expect(back!.references.get('T.Animal_Owner')).toBeNull();
  });

  it('refuses a second row for one parent of a Reference with UniqueViolationError', async () => {
    const [a, b, c] = [await createObject(model, 'T.Animal', ids), await createObject(model, 'T.Owner', ids), await createObject(model, 'T.Owner', ids)];
    await commit([a, b, c]);
    const v = (x: bigint) => (dialect === 'sqlite' ? x : x.toString());
    await db.execute(`INSERT INTO "t$animal_owner" ("t$animalid", "t$ownerid") VALUES (${P(1)}, ${P(2)})`, [v(a.id), v(b.id)]);
    await expect(db.execute(`INSERT INTO "t$animal_owner" ("t$animalid", "t$ownerid") VALUES (${P(1)}, ${P(2)})`, [v(a.id), v(c.id)])).rejects.toBeInstanceOf(
      UniqueViolationError,
    );
  });

  it("prevents a delete with the model's message and deletes nothing", async () => {
    const owner = await createObject(model, 'T.Owner', ids);
    const dog = await createObject(model, 'T.Dog', ids);
    setReference(dog, 'T.Animal_Owner', owner.id);
    await commit([owner, dog]);
    const err = await db.transaction((tx) => deleteObjects(tx, model, [owner])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeletePreventedError);
    expect((err as Error).message).toBe('This owner still has animals');
    expect(await retrieveByIds(db, model, 'T.Owner', [owner.id])).toHaveLength(1);
    // Deleting the animal (the parent, behaviour keep) removes only its association rows.
    const stmts = await capture(() => db.transaction((tx) => deleteObjects(tx, model, [dog])));
    expect(stmts).toContain(`DELETE FROM "t$dog" WHERE "id" = ${P(1)}`);
    expect(await retrieveByIds(db, model, 'T.Animal', [dog.id])).toHaveLength(0);
    expect(await db.query(`SELECT * FROM "t$animal_owner" WHERE "t$ownerid" = ${P(1)}`, [dialect === 'sqlite' ? owner.id : owner.id.toString()])).toHaveLength(
      0,
    );
    // Now the owner goes.
    const deleted = await db.transaction((tx) => deleteObjects(tx, model, [owner]));
    expect(deleted.map((o) => o.id)).toEqual([owner.id]);
  });

  it('cascades a delete to the associated objects and reports them', async () => {
    const inv = await createObject(model, 'T.Invoice', ids);
    const lines = [await createObject(model, 'T.Line', ids), await createObject(model, 'T.Line', ids)];
    for (const l of lines) setReference(l, 'T.Line_Invoice', inv.id);
    const other = await createObject(model, 'T.Line', ids);
    await commit([inv, ...lines, other]);
    let announced: bigint[] = [];
    const deleted = await db.transaction((tx) =>
      deleteObjects(tx, model, [inv], {
        beforeDelete: async (objs) => {
          announced = objs.map((o) => o.id);
        },
      }),
    );
    expect(deleted.map((o) => o.id).sort()).toEqual([inv.id, ...lines.map((l) => l.id)].sort());
    expect(announced.sort()).toEqual(deleted.map((o) => o.id).sort());
    expect(await retrieveByIds(db, model, 'T.Line', [...lines.map((l) => l.id), other.id])).toHaveLength(1);
  });

  it('rolls back a failed transaction and only the failed savepoint', async () => {
    const a = await createObject(model, 'T.Owner', ids);
    const b = await createObject(model, 'T.Owner', ids);
    await expect(
      db.transaction(async (tx) => {
        await commitObjects(tx, model, [a]);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await retrieveByIds(db, model, 'T.Owner', [a.id])).toHaveLength(0);

    const c = await createObject(model, 'T.Owner', ids);
    const d = await createObject(model, 'T.Owner', ids);
    await db.transaction(async (tx) => {
      await commitObjects(tx, model, [c]);
      await tx
        .savepoint(async (sp) => {
          await commitObjects(sp, model, [d]);
          throw new Error('inner');
        })
        .catch(() => undefined);
    });
    expect((await retrieveByIds(db, model, 'T.Owner', [b.id, c.id, d.id])).map((o) => o.id)).toEqual([c.id]);
  });

  it('keeps a transaction usable after a statement the database refused inside a savepoint', async () => {
    // On PostgreSQL a refused statement aborts the whole transaction unless its savepoint is rolled back.
    const [animal, o1, o2, after] = [
      await createObject(model, 'T.Animal', ids),
      await createObject(model, 'T.Owner', ids),
      await createObject(model, 'T.Owner', ids),
      await createObject(model, 'T.Owner', ids),
    ];
    await commit([animal, o1, o2]);
    const v = (x: bigint) => (dialect === 'sqlite' ? x : x.toString());
    const link = `INSERT INTO "t$animal_owner" ("t$animalid", "t$ownerid") VALUES (${P(1)}, ${P(2)})`;
    await db.transaction(async (tx) => {
      await tx.execute(link, [v(animal.id), v(o1.id)]);
      const refused = await tx
        .savepoint(async (sp) => {
          await sp.execute(link, [v(animal.id), v(o2.id)]);
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(refused).toBeInstanceOf(UniqueViolationError);
      await commitObjects(tx, model, [after]);
    });
    expect((await retrieveByIds(db, model, 'T.Owner', [after.id])).map((o) => o.id)).toEqual([after.id]);
    const links = await db.query(`SELECT "t$ownerid" AS o FROM "t$animal_owner" WHERE "t$animalid" = ${P(1)}`, [v(animal.id)]);
    expect(links.map((r) => String(Object.values(r)[0]))).toEqual([String(o1.id)]);
  });

  it('never lets a statement through the database itself wait for the transaction its caller holds', async () => {
    const o = await createObject(model, 'T.Owner', ids);
    await db.transaction(async (tx) => {
      await commitObjects(tx, model, [o]);
      // SQLite has one connection: db.query in the same async flow joins the open
      // transaction (and sees its rows). The pooled databases run it on another
      // connection, which does not see uncommitted rows.
      const seen = await retrieveByIds(db, model, 'T.Owner', [o.id]);
      expect(seen).toHaveLength(dialect === 'sqlite' ? 1 : 0);
      // A transaction started inside another one does not wait for it either.
      expect(await db.transaction(async (inner) => (await inner.query('SELECT 1 AS n', [])).length)).toBe(1);
    });
    expect(await retrieveByIds(db, model, 'T.Owner', [o.id])).toHaveLength(1);
  });
});
