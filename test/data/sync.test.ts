import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Decimal } from 'decimal.js';
import { DIALECTS, freshDatabase, type TestDatabase } from '../support/databases.js';
import {
  commitObjects,
  createIdGenerator,
  createObject,
  DestructiveSyncError,
  OlderModelError,
  openDatabase,
  retrieveByIds,
  schemaFingerprint,
  syncSchema,
  type Database,
} from '../../src/data/index.js';
import type { CompiledModel } from '../../src/model/compiled/types.js';
import { setReference, setValue } from '../../src/objects/mx-object.js';
import { ClusterStore } from '../../src/cluster/store.js';
import { modelOf, PERSISTENCE_MODEL, quietLog } from './support.js';

const V1 = `
entities:
  Person:
    attributes:
      Name: String(50)
      Age: Integer
      Nick: String(20)
      Score: Integer
      Obsolete: String
  Pet:
    attributes:
      Name: String
associations:
  Pet_Person: { parent: Pet, child: Person }
`;

const V2 = `
entities:
  Human:
    previousName: Person
    attributes:
      FullName: { type: String, length: 200, previousName: Name }
      Age: Long
      Nick: String(20)
      Score: Decimal
      Born: DateTime
      Active: { type: Boolean, default: true }
      Ticket: AutoNumber
  Pet:
    attributes:
      Name: String
associations:
  Pet_Human: { previousName: Pet_Person, parent: Pet, child: Human }
`;

/** V2 without Nick (which holds a value). */
const V3 = V2.replace('      Nick: String(20)\n', '');
/** V3 with FullName narrowed below the length of the value it holds. */
const V4 = V3.replace('FullName: { type: String, length: 200, previousName: Name }', 'FullName: { type: String, length: 2 }');

describe.each(DIALECTS)('schema synchronisation on %s', (dialect) => {
  let t: TestDatabase;
  let db: Database;
  const sync = (model: CompiledModel, allowDestructive = false) => syncSchema(db, model, { allowDestructive, log: quietLog });
  const P = dialect === 'postgres' ? (i: number) => `$${i}` : () => '?';

  beforeAll(async () => {
    t = await freshDatabase(dialect);
    db = await openDatabase(t.url, { log: quietLog });
  });
  afterAll(async () => {
    await db?.close();
    await t?.drop();
  });

  it('creates the tables of an empty database with the Mendix mapping, and does nothing the second time', async () => {
    const model = await modelOf(PERSISTENCE_MODEL);
    const first = await sync(model);
    expect(first.statements.length).toBeGreaterThan(20);
    expect(first.summary).toContain('create entity T.Everything (table t$everything)');
    const second = await sync(model);
    expect(second.statements).toEqual([]);

    const tables = await tableNames(db);
    for (const name of [
      't$everything',
      't$animal',
      't$dog',
      't$puppy',
      't$animal_owner',
      't$animal_tags',
      'system$user',
      'mendixsystem$entity',
      'mendixsystem$attribute',
      'mendixsystem$association',
      'mendixsystem$entityidentifier',
      'mendixsystem$version',
      'mendixsystem$sequence',
    ]) {
      expect(tables).toContain(name);
    }
    expect(await columnNames(db, 't$everything')).toEqual(
      expect.arrayContaining(['id', 'str', 'dec', 'createddate', 'changeddate', 'system$owner', 'system$changedby']),
    );
    expect(await columnNames(db, 't$animal')).toEqual(expect.arrayContaining(['id', 'name', 'submetaobjectname']));
    expect(await columnNames(db, 't$dog')).toEqual(['breed', 'id'].sort());
    expect(await columnNames(db, 't$animal_owner')).toEqual(['t$animalid', 't$ownerid']);
    const assoc = await db.query<Record<string, unknown>>(`SELECT * FROM "mendixsystem$association" WHERE "association_name" = ${P(1)}`, ['T.Animal_Owner']);
    expect(assoc[0]).toMatchObject({
      table_name: 't$animal_owner',
      parent_column_name: 't$animalid',
      child_column_name: 't$ownerid',
      index_name: 'idx_t$animal_owner_t$owner_t$animal',
    });
    const uniq = await db.query<Record<string, unknown>>(`SELECT * FROM "mendixsystem$unique_constraint"`, []);
    expect(uniq.map((u) => u.name)).toContain('uniq_t$animal_owner_t$animalid');
    expect(uniq.map((u) => u.name)).not.toContain('uniq_t$animal_tags_t$animalid');
    const attrs = await db.query<Record<string, unknown>>(
      `SELECT "attribute_name", "type", "length" FROM "mendixsystem$attribute" "a" INNER JOIN "mendixsystem$entity" "e" ON "e"."id" = "a"."entity_id" WHERE "e"."entity_name" = ${P(1)} ORDER BY "attribute_name"`,
      ['T.Everything'],
    );
    const types = Object.fromEntries(attrs.map((a) => [a.attribute_name, Number(a.type)]));
    expect(types).toMatchObject({ Num: 0, Int: 3, Lng: 4, Dec: 5, Flag: 10, When: 20, Str: 30, Colour: 40, Blob: 50 });
    expect(Number(attrs.find((a) => a.attribute_name === 'Colour')!.length)).toBe('VeryLongColourName'.length);
    const idx = await db.query<Record<string, unknown>>(
      `SELECT "c"."column_id", "c"."sort_order" FROM "mendixsystem$index" "i" INNER JOIN "mendixsystem$index_column" "c" ON "c"."index_id" = "i"."id" WHERE "i"."index_name" = ${P(1)} ORDER BY "c"."ordinal"`,
      ['idx_t$everything_str_int'],
    );
    expect(idx.map((r) => `${r.column_id} ${r.sort_order}`)).toEqual(['str ASC', 'int DESC', 'id ASC']);
    expect(await indexNames(db, 't$everything')).toEqual(
      expect.arrayContaining(['idx_t$everything_str_int', 'idx_t$everything_system$owner', 'idx_t$everything_system$changedby']),
    );
    expect(await indexNames(db, 't$animal_owner')).toEqual(expect.arrayContaining(['idx_t$animal_owner_t$owner_t$animal', 'uniq_t$animal_owner_t$animalid']));
    expect(await indexNames(db, 't$animal')).toContain('idx_t$animal_submetaobjectname');
    const version = await db.query<Record<string, unknown>>(`SELECT * FROM "mendixsystem$version"`, []);
    expect(version).toHaveLength(1);
    expect(version[0]!.versionnumber).toBe('4.2');
  });

  it('copes with a table the record names but someone dropped by hand', async () => {
    const t4 = await freshDatabase(dialect);
    const db4 = await openDatabase(t4.url, { log: quietLog });
    try {
      await syncSchema(db4, await modelOf('entities:\n  A: { attributes: { X: String } }\n  B: { attributes: { Y: String } }\n'), {
        allowDestructive: false,
        log: quietLog,
      });
      await db4.execute('DROP TABLE "t$b"', []);
      const r = await syncSchema(db4, await modelOf('entities:\n  A: { attributes: { X: String } }\n'), { allowDestructive: false, log: quietLog });
      expect(r.summary).toEqual(['drop entity T.B (table t$b)']);
      expect(await tableNames(db4)).toContain('t$a');
    } finally {
      await db4.close();
      await t4.drop();
    }
  });

  describe('changing the model', () => {
    let t2: TestDatabase;
    let db2: Database;
    let annId: bigint;
    let petId: bigint;
    beforeAll(async () => {
      t2 = await freshDatabase(dialect);
      db2 = await openDatabase(t2.url, { log: quietLog });
    });
    afterAll(async () => {
      await db2?.close();
      await t2?.drop();
    });
    /** Every model change is applied by a new start: the database is closed and opened again first. */
    const sync2 = async (model: CompiledModel, allowDestructive = false) => {
      await db2.close();
      db2 = await openDatabase(t2.url, { log: quietLog });
      return syncSchema(db2, model, { allowDestructive, log: quietLog });
    };

    it('renames, retypes, adds and drops, keeping the data', async () => {
      const v1 = await modelOf(V1);
      await sync2(v1);
      const ids = await createIdGenerator(db2, v1);
      const ann = await createObject(v1, 'T.Person', ids);
      setValue(ann, 'Name', 'Ann');
      setValue(ann, 'Age', 41);
      setValue(ann, 'Nick', 'annie');
      setValue(ann, 'Score', 7);
      const pet = await createObject(v1, 'T.Pet', ids);
      setValue(pet, 'Name', 'Rex');
      setReference(pet, 'T.Pet_Person', ann.id);
      await db2.transaction((tx) => commitObjects(tx, v1, [ann, pet]));
      annId = ann.id;
      petId = pet.id;

      const v2 = await modelOf(V2, '2.0.0');
      const r = await sync2(v2);
      expect(r.summary).toEqual(
        expect.arrayContaining([
          'rename table t$person to t$human',
          'rename column t$human.name to fullname',
          'drop column t$human.obsolete',
          'add column t$human.born',
          'rename table t$pet_person to t$pet_human',
        ]),
      );
      expect(await tableNames(db2)).not.toContain('t$person');
      expect(await columnNames(db2, 't$human')).toEqual(['active', 'age', 'born', 'fullname', 'id', 'nick', 'score', 'ticket']);
      expect(await columnNames(db2, 't$pet_human')).toEqual(['t$humanid', 't$petid']);

      // A restart finds nothing to do.
      expect((await sync2(v2)).statements).toEqual([]);

      const ids2 = await createIdGenerator(db2, v2);
      const [h] = await retrieveByIds(db2, v2, 'T.Human', [annId]);
      expect(h!.values.get('FullName')).toBe('Ann');
      expect(h!.values.get('Age')).toBe(41n);
      expect((h!.values.get('Score') as Decimal).toFixed()).toBe('7');
      expect(h!.values.get('Nick')).toBe('annie');
      expect(h!.values.get('Active')).toBe(true);
      expect(h!.values.get('Born')).toBeNull();
      expect(typeof h!.values.get('Ticket')).toBe('bigint');
      const [p] = await retrieveByIds(db2, v2, 'T.Pet', [petId]);
      expect(p!.references.get('T.Pet_Human')).toBe(annId);
      // The entity kept its short id; new ids continue after the old ones.
      const bob = await createObject(v2, 'T.Human', ids2);
      expect(bob.id >> 48n).toBe(annId >> 48n);
      expect(bob.id).toBeGreaterThan(annId);
      expect(bob.values.get('Ticket')).toBeGreaterThan(h!.values.get('Ticket') as bigint);
    });

    it('refuses to drop an attribute that holds values, listing what would be lost, unless allowed', async () => {
      const v3 = await modelOf(V3, '3.0.0');
      const err = await sync2(v3).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DestructiveSyncError);
      expect((err as Error).message).toContain('attribute T.Human.Nick: column t$human.nick holds 1 value');
      expect(await columnNames(db2, 't$human')).toContain('nick');
      await sync2(v3, true);
      expect(await columnNames(db2, 't$human')).not.toContain('nick');
      const [h] = await retrieveByIds(db2, v3, 'T.Human', [annId]);
      expect(h!.values.get('FullName')).toBe('Ann');
    });

    it('refuses a narrowing type change that does not fit the data', async () => {
      const v4 = await modelOf(V4, '4.0.0');
      const err = await sync2(v4).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DestructiveSyncError);
      expect((err as Error).message).toMatch(/T\.Human\.FullName: 1 value does not fit String\(2\)/);
      const v3 = await modelOf(V3, '3.0.0');
      expect((await sync2(v3)).statements).toEqual([]);
    });

    it('refuses to drop an entity whose table holds rows', async () => {
      const v5 = await modelOf(V3.replace(/ {2}Pet:\n {4}attributes:\n {6}Name: String\n/, '').replace(/associations:[\s\S]*$/, ''), '5.0.0');
      const err = await sync2(v5).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DestructiveSyncError);
      expect((err as Error).message).toContain('entity T.Pet: table t$pet holds 1 row');
      expect((err as Error).message).toContain('association T.Pet_Human: table t$pet_human holds 1 row');
    });

    it('turns a Reference into a Reference set and back, refusing the way back while objects hold several', async () => {
      const v6 = await modelOf(
        V3.replace('Pet_Human: { previousName: Pet_Person, parent: Pet, child: Human }', 'Pet_Human: { type: ReferenceSet, parent: Pet, child: Human }'),
        '6.0.0',
      );
      const r = await sync2(v6);
      expect(r.statements.some((x) => /drop index/i.test(x.sql) && x.sql.includes('uniq_t$pet_human_t$petid'))).toBe(true);
      const ids = await createIdGenerator(db2, v6);
      const other = await createObject(v6, 'T.Human', ids);
      const [pet] = await retrieveByIds(db2, v6, 'T.Pet', [petId]);
      setReference(pet!, 'T.Pet_Human', [annId, other.id]);
      await db2.transaction((tx) => commitObjects(tx, v6, [other, pet!]));
      expect((await retrieveByIds(db2, v6, 'T.Pet', [petId]))[0]!.references.get('T.Pet_Human')).toEqual([annId, other.id]);

      // Going back to V3's schema deliberately takes a new version (3.0.0 itself is older than 6.0.0 now).
      const back = await modelOf(V3, '7.0.0');
      const err = await sync2(back).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DestructiveSyncError);
      expect((err as Error).message).toContain('association T.Pet_Human: 1 value of t$petid occurs more than once');
      await sync2(back, true);
      expect((await retrieveByIds(db2, back, 'T.Pet', [petId]))[0]!.references.get('T.Pet_Human')).toBeNull();
      expect((await sync2(back)).statements).toEqual([]);
    });
  });

  it('creates, drops and rebuilds indexes when the model changes them, across restarts', async () => {
    const t5 = await freshDatabase(dialect);
    const start = async (yaml: string) => {
      const d = await openDatabase(t5.url, { log: quietLog });
      try {
        await syncSchema(d, await modelOf(yaml), { allowDestructive: false, log: quietLog });
        return await indexNames(d, 't$item');
      } finally {
        await d.close();
      }
    };
    const item = (indexes: string) => `entities:\n  Item:\n    attributes: { Code: String(20), Name: String(100), Qty: Integer }\n${indexes}`;
    try {
      expect(await start(item('    indexes:\n      - { attributes: [Code] }\n      - { attributes: [Name] }\n'))).toEqual(
        expect.arrayContaining(['idx_t$item_code', 'idx_t$item_name']),
      );
      const after = await start(item('    indexes:\n      - { attributes: [Code, Qty] }\n'));
      expect(after).not.toContain('idx_t$item_name');
      expect(after).not.toContain('idx_t$item_code');
      expect(after).toContain('idx_t$item_code_qty');
      expect(await start(item(''))).not.toContain('idx_t$item_code_qty');
    } finally {
      await t5.drop();
    }
  });

  describe('destructive changes in place (issue 14, item 7)', () => {
    let t7: TestDatabase;
    let d7: Database;
    beforeEach(async () => {
      t7 = await freshDatabase(dialect);
      d7 = await openDatabase(t7.url, { log: quietLog });
    });
    afterEach(async () => {
      await d7?.close();
      await t7?.drop();
    });
    const startM = async (yaml: string, version: string, allowDestructive = false) =>
      syncSchema(d7, await modelOf(yaml, version), { allowDestructive, log: quietLog });
    const codes = (rows: { id: unknown; code: unknown }[]) => Object.fromEntries(rows.map((r) => [String(r.id), r.code === null ? null : String(r.code)]));

    it('narrows a String in place: keeps every value that fits, names the rows that do not, and cuts only those', async () => {
      const yaml = (len: number) => `entities:\n  Item:\n    attributes: { Code: String(${len}), Other: String(20) }\n`;
      await startM(yaml(20), '1.0.0');
      const m1 = await modelOf(yaml(20), '1.0.0');
      const ids = await createIdGenerator(d7, m1);
      const values = ['short', 'exactly-13-ch', 'fourteen-chars', 'twenty-characters-xx'];
      const objs: Awaited<ReturnType<typeof createObject>>[] = [];
      for (const v of values) {
        const o = await createObject(m1, 'T.Item', ids);
        setValue(o, 'Code', v);
        setValue(o, 'Other', v);
        objs.push(o);
      }
      await d7.transaction((tx) => commitObjects(tx, m1, objs));
      const [, , long1, long2] = objs.map((o) => o.id);

      const err = await startM(yaml(13), '2.0.0').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DestructiveSyncError);
      expect((err as Error).message).toContain(
        `attribute T.Item.Code: 2 values do not fit String(13) and would be cut to 13 characters (ids ${long1}, ${long2}); every other value is kept`,
      );
      const r = await startM(yaml(13), '2.0.0', true);
      expect(r.summary).toContain('change column t$item.code from String(20) to String(13)');
      const rows = await d7.query<{ id: unknown; code: unknown }>('SELECT "id", "code" FROM "t$item"', []);
      expect(codes(rows)).toEqual({
        [String(objs[0]!.id)]: 'short',
        [String(objs[1]!.id)]: 'exactly-13-ch',
        [String(long1)]: 'fourteen-char',
        [String(long2)]: 'twenty-charac',
      });
      const other = await d7.query<{ n: unknown }>('SELECT COUNT(*) AS "n" FROM "t$item" WHERE "other" IS NOT NULL', []);
      expect(Number(other[0]!.n)).toBe(4);
      expect((await startM(yaml(13), '2.0.0')).statements).toEqual([]);
    });

    it('narrows a Long to an Integer in place, emptying only the values out of range', async () => {
      const yaml = (type: string) => `entities:\n  Num:\n    attributes: { N: ${type} }\n`;
      await startM(yaml('Long'), '1.0.0');
      const m1 = await modelOf(yaml('Long'), '1.0.0');
      const ids = await createIdGenerator(d7, m1);
      const small = await createObject(m1, 'T.Num', ids);
      setValue(small, 'N', 42n);
      const big = await createObject(m1, 'T.Num', ids);
      setValue(big, 'N', 9999999999n);
      await d7.transaction((tx) => commitObjects(tx, m1, [small, big]));
      const err = await startM(yaml('Integer'), '2.0.0').catch((e: unknown) => e);
      expect((err as Error).message).toContain(`attribute T.Num.N: 1 value does not fit Integer and would be emptied (id ${big.id})`);
      await startM(yaml('Integer'), '2.0.0', true);
      const m2 = await modelOf(yaml('Integer'), '2.0.0');
      const got = await retrieveByIds(d7, m2, 'T.Num', [small.id, big.id]);
      expect(got.map((o) => o.values.get('N'))).toEqual([42, null]);
    });

    it('reports the rows holding an enumeration value the model removed, and empties only those when allowed', async () => {
      const yaml = (values: string) => `enumerations:\n  Colour: { ${values} }\nentities:\n  Car:\n    attributes: { Colour: Enumeration(Colour) }\n`;
      await startM(yaml('Red: Red, Blue: Blue'), '1.0.0');
      const m1 = await modelOf(yaml('Red: Red, Blue: Blue'), '1.0.0');
      const ids = await createIdGenerator(d7, m1);
      const red = await createObject(m1, 'T.Car', ids);
      setValue(red, 'Colour', 'Red');
      const blue = await createObject(m1, 'T.Car', ids);
      setValue(blue, 'Colour', 'Blue');
      await d7.transaction((tx) => commitObjects(tx, m1, [red, blue]));
      const err = await startM(yaml('Red: Red, Green: Green'), '2.0.0').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DestructiveSyncError);
      expect((err as Error).message).toContain(
        `attribute T.Car.Colour: 1 value no longer in the enumeration ('Blue' in 1 row; id ${blue.id}) would be emptied`,
      );
      await startM(yaml('Red: Red, Green: Green'), '2.0.0', true);
      const rows = await d7.query<{ id: unknown; code: unknown }>('SELECT "id", "colour" AS "code" FROM "t$car"', []);
      expect(codes(rows)).toEqual({ [String(red.id)]: 'Red', [String(blue.id)]: null });
    });

    it('names previousName before AllowDestructiveSync when a rename lacks it', async () => {
      const yaml = (entity: string, attr: string) => `entities:\n  ${entity}:\n    attributes: { ${attr}: String }\n`;
      await startM(yaml('Client', 'Name'), '1.0.0');
      const m1 = await modelOf(yaml('Client', 'Name'), '1.0.0');
      const o = await createObject(m1, 'T.Client', await createIdGenerator(d7, m1));
      setValue(o, 'Name', 'x');
      await d7.transaction((tx) => commitObjects(tx, m1, [o]));
      const msg = String(await startM(yaml('Customer', 'Name'), '2.0.0').catch((e: Error) => e.message));
      expect(msg).toContain(
        'entity T.Client: table t$client holds 1 row — if it was renamed, give the new name its previous one to keep the data: `T.Customer` with `previousName: Client`',
      );
      expect(msg.indexOf('previousName')).toBeLessThan(msg.indexOf('AllowDestructiveSync'));
      const msg2 = String(await startM(yaml('Client', 'FullName'), '3.0.0').catch((e: Error) => e.message));
      expect(msg2).toContain(
        'attribute T.Client.Name: column t$client.name holds 1 value — if it was renamed, give the new name its previous one to keep the data: `FullName` with `previousName: Name`',
      );
      expect(msg2.indexOf('previousName')).toBeLessThan(msg2.indexOf('AllowDestructiveSync'));
    });
  });

  describe('model versions (issue 14, item 4)', () => {
    const A = 'entities:\n  Item:\n    attributes: { Name: String }\n';
    const B = 'entities:\n  Item:\n    attributes: { Name: String, Extra: String }\n';
    const C = 'entities:\n  Thing:\n    previousName: Item\n    attributes: { Name: String, Extra: String }\n';
    const history = async (d: Database) =>
      (await d.query<Record<string, unknown>>('SELECT * FROM "mendixsystem$modelhistory" ORDER BY "sequence"', [])).map(
        (r) => `${Number(r.sequence)} ${String(r.modelversionnumber)}`,
      );

    it('records each model that synchronised the database; an older one changes nothing and serves when it can, else refuses in one line', async () => {
      const t8 = await freshDatabase(dialect);
      const d = await openDatabase(t8.url, { log: quietLog });
      try {
        const run = async (yaml: string, version: string) => syncSchema(d, await modelOf(yaml, version), { allowDestructive: false, log: quietLog });
        expect((await run(A, '1.0.0')).standing).toBe('current');
        const b = await run(B, '1.1.0');
        expect(b.standing).toBe('new');
        expect(b.summary).toEqual(['add column t$item.extra']);
        expect(await history(d)).toEqual(['1 1.0.0', '2 1.1.0']);
        // The older model restarting beside the newer one: the new column stays.
        const again = await run(A, '1.0.0');
        expect(again).toMatchObject({ standing: 'older', statements: [] });
        expect(await columnNames(d, 't$item')).toEqual(['extra', 'id', 'name']);
        // Its inserts work (the new column is nullable).
        const mA = await modelOf(A, '1.0.0');
        const o = await createObject(mA, 'T.Item', await createIdGenerator(d, mA));
        setValue(o, 'Name', 'from the old model');
        await d.transaction((tx) => commitObjects(tx, mA, [o]));
        // The newer model: nothing to do, nothing recorded again.
        expect((await run(B, '1.1.0')).statements).toEqual([]);
        expect(await history(d)).toEqual(['1 1.0.0', '2 1.1.0']);
        // Renamed entity: the older models cannot serve; they refuse in one line without changing anything.
        expect((await run(C, '1.2.0')).summary).toContain('rename table t$item to t$thing');
        const err = await run(B, '1.1.0').catch((e: unknown) => e);
        expect(err).toBeInstanceOf(OlderModelError);
        expect((err as Error).message).not.toContain('\n');
        expect((err as Error).message).toMatch(
          /^this model \(version 1\.1\.0, #2\) is older than the one that last synchronised the database \(version 1\.2\.0, #3\) and cannot serve with its schema: it needs entity T\.Item \(table t\$item\), which the newer model renamed or removed; the schema was not changed\./,
        );
        expect(await tableNames(d)).toContain('t$thing');
        expect(await tableNames(d)).not.toContain('t$item');
        // Going back deliberately: a new version.
        expect((await run(B.replace('  Item:\n', '  Item:\n    previousName: Thing\n'), '1.3.0')).summary).toContain('rename table t$thing to t$item');
        expect(await history(d)).toEqual(['1 1.0.0', '2 1.1.0', '3 1.2.0', '4 1.3.0']);
      } finally {
        await d.close();
        await t8.drop();
      }
    });
  });

  describe('expand/contract for removals (issue 14, item 4)', () => {
    const A = 'entities:\n  Item:\n    attributes: { Name: String, Extra: String }\n  Gone:\n    attributes: { Label: String }\n';
    const B = 'entities:\n  Item:\n    attributes: { Name: String }\n';

    it('keeps a removed attribute and entity while an instance of the older model is live, and drops them once none is', async () => {
      const t9 = await freshDatabase(dialect);
      const d = await openDatabase(t9.url, { log: quietLog });
      try {
        const run = async (yaml: string, version: string) => syncSchema(d, await modelOf(yaml, version), { allowDestructive: false, log: quietLog });
        const mA = await modelOf(A, '1.0.0');
        const mB = await modelOf(B, '1.1.0');
        expect((await run(A, '1.0.0')).fingerprint).toBe(schemaFingerprint(mA));
        const store = new ClusterStore(d, await createIdGenerator(d, mA));
        await store.setup();
        await store.register('old-instance', 'test', schemaFingerprint(mA));
        const b = await run(B, '1.1.0');
        expect(b.summary).toEqual([
          'keep entity T.Gone (table t$gone) while an instance of an older model runs: pending removal',
          'keep column t$item.extra while an instance of an older model runs: pending removal',
        ]);
        expect(await columnNames(d, 't$item')).toEqual(['extra', 'id', 'name']);
        expect(await tableNames(d)).toContain('t$gone');
        // Both models write: the newer one leaves the kept column empty, the older one still uses it.
        for (const [m, extra] of [
          [mB, undefined],
          [mA, 'old'],
        ] as const) {
          const o = await createObject(m, 'T.Item', await createIdGenerator(d, m));
          setValue(o, 'Name', 'n');
          if (extra) setValue(o, 'Extra', extra);
          await d.transaction((tx) => commitObjects(tx, m, [o]));
        }
        // The older model restarting meanwhile serves: what it needs is still there.
        expect((await run(A, '1.0.0')).standing).toBe('older');
        // Nothing dropped while it runs; once it is gone, the next synchronisation contracts.
        expect((await run(B, '1.1.0')).contracted).toEqual([]);
        await store.unregister('old-instance');
        const c = await run(B, '1.1.0');
        expect(c.contracted).toEqual([
          'drop table t$gone (entity T.Gone, removed by model #2)',
          'drop column t$item.extra (attribute T.Item.Extra, removed by model #2)',
        ]);
        expect(await columnNames(d, 't$item')).toEqual(['id', 'name']);
        expect(await tableNames(d)).not.toContain('t$gone');
        expect(await d.query('SELECT * FROM "mendixsystem$pendingremoval"', [])).toEqual([]);
        // Now the older model cannot serve any more.
        await expect(run(A, '1.0.0')).rejects.toBeInstanceOf(OlderModelError);
      } finally {
        await d.close();
        await t9.drop();
      }
    });
  });

  if (dialect !== 'mysql') {
    it('leaves the schema as it was when a statement of the synchronisation fails', async () => {
      const t6 = await freshDatabase(dialect);
      const d = await openDatabase(t6.url, { log: quietLog });
      try {
        await syncSchema(d, await modelOf('entities:\n  A: { attributes: { X: String } }\n'), { allowDestructive: false, log: quietLog });
        // A table the record does not know stands where the new entity's table must go.
        await d.execute('CREATE TABLE "t$b" ("other" INTEGER)', []);
        const next = await modelOf('entities:\n  A: { attributes: { X: String, Y: Integer } }\n  B: { attributes: { Z: String } }\n', '2.0.0');
        await expect(syncSchema(d, next, { allowDestructive: false, log: quietLog })).rejects.toThrow(/t\$b/);
        // The column added before the failing statement was rolled back with it.
        expect(await columnNames(d, 't$a')).toEqual(['id', 'x']);
        expect(await columnNames(d, 't$b')).toEqual(['other']);
      } finally {
        await d.close();
        await t6.drop();
      }
    });
  }

  if (dialect !== 'sqlite') {
    it('applies the DDL once when two processes start at once', async () => {
      const t3 = await freshDatabase(dialect);
      try {
        const worker = join(import.meta.dirname, 'sync-worker.ts');
        const run = () =>
          new Promise<string>((resolve, reject) => {
            const child = spawn(process.execPath, ['--import', 'tsx', worker, t3.url], { stdio: ['ignore', 'pipe', 'pipe'] });
            let out = '';
            let err = '';
            child.stdout.on('data', (d) => {
              out += d;
            });
            child.stderr.on('data', (d) => {
              err += d;
            });
            child.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`worker failed: ${err}`))));
          });
        const results = (await Promise.all([run(), run()])).map(Number).sort((a, b) => a - b);
        expect(results[0]).toBe(0);
        expect(results[1]).toBeGreaterThan(20);
      } finally {
        await t3.drop();
      }
    });
  }
});

async function tableNames(db: Database): Promise<string[]> {
  const sql =
    db.dialect.name === 'sqlite'
      ? `SELECT name AS n FROM sqlite_master WHERE type = 'table'`
      : db.dialect.name === 'postgres'
        ? `SELECT table_name AS n FROM information_schema.tables WHERE table_schema = current_schema()`
        : `SELECT table_name AS n FROM information_schema.tables WHERE table_schema = DATABASE()`;
  return (await db.query<{ n: string }>(sql, [])).map((r) => r.n);
}

async function columnNames(db: Database, table: string): Promise<string[]> {
  const sql =
    db.dialect.name === 'sqlite'
      ? `SELECT name AS n FROM pragma_table_info(?)`
      : db.dialect.name === 'postgres'
        ? `SELECT column_name AS n FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`
        : `SELECT column_name AS n FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ?`;
  return (await db.query<{ n: string }>(sql, [table])).map((r) => r.n).sort();
}

async function indexNames(db: Database, table: string): Promise<string[]> {
  const sql =
    db.dialect.name === 'sqlite'
      ? `SELECT name AS n FROM sqlite_master WHERE type = 'index' AND tbl_name = ?`
      : db.dialect.name === 'postgres'
        ? `SELECT indexname AS n FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1`
        : `SELECT DISTINCT index_name AS n FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ?`;
  return (await db.query<{ n: string }>(sql, [table])).map((r) => r.n);
}
