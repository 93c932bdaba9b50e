import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { commitObjects, createIdGenerator, createObject, openDatabase, syncSchema, type Database, type IdGenerator } from '../../src/data/index.js';
import { loadAssociation, loadSpecializationMembers } from '../../src/data/persistence/retrieve.js';
import { IDS_PER_STATEMENT } from '../../src/data/persistence/sql.js';
import type { CompiledModel } from '../../src/model/compiled/types.js';
import { createMxObject, setReference, setValue, type MxObject } from '../../src/objects/mx-object.js';
import { modelOf, quietLog } from './support.js';

/**
 * The follow-up loads shared by retrieveByIds and the query engine: the values
 * of associations, and the members specializations add.
 */
const MODEL = `
entities:
  Animal:
    attributes:
      Name: String(100)
  Dog:
    generalization: Animal
    attributes:
      Breed: String(100)
      Photo: Binary
  Puppy:
    generalization: Dog
    attributes:
      AgeInWeeks: Integer
  Person:
    attributes:
      Name: String(100)
  Tag:
    attributes:
      Label: String(50)
associations:
  Animal_Person:
    parent: Animal
    child: Person
  Animal_Tags:
    type: ReferenceSet
    parent: Animal
    child: Tag
  Dog_Vet:
    parent: Dog
    child: Person
  Dog_Toys:
    type: ReferenceSet
    parent: Dog
    child: Tag
`;

describe.each(['sqlite', 'postgres'] as const)('follow-up loads on %s', (dialect) => {
  let t: TestDatabase;
  let db: Database;
  let model: CompiledModel;
  let ids: IdGenerator;
  const captured: string[] = [];

  beforeAll(async () => {
    t = await freshDatabase(dialect);
    model = await modelOf(MODEL);
    db = await openDatabase(t.url, { log: quietLog });
    await syncSchema(db, model, { allowDestructive: false, log: quietLog });
    ids = await createIdGenerator(db, model);
    db.onStatement((sql) => captured.push(sql));
  });
  afterAll(async () => {
    await db?.close();
    await t?.drop();
  });

  const make = async (entity: string, values: Record<string, unknown> = {}): Promise<MxObject> => {
    const o = await createObject(model, entity, ids);
    for (const [k, v] of Object.entries(values)) setValue(o, k, v as never);
    return o;
  };
  const commit = (objs: MxObject[]) => db.transaction((tx) => commitObjects(tx, model, objs));
  /** A persisted object as a query finds it: id and entity only. */
  const bare = (o: MxObject) => createMxObject(o.entity, o.id, 'persisted');
  const selects = () => captured.filter((s) => s.startsWith('SELECT'));

  it(`loads an association for more objects than one statement takes (${IDS_PER_STATEMENT} ids each)`, async () => {
    const tags = [await make('T.Tag', { Label: 'a' }), await make('T.Tag', { Label: 'b' }), await make('T.Tag', { Label: 'c' })];
    const vet = await make('T.Person', { Name: 'vet' });
    await commit([...tags, vet]);
    const count = 2 * IDS_PER_STATEMENT + 5;
    const animals: MxObject[] = [];
    for (let i = 0; i < count; i++) {
      const a = await make('T.Animal', { Name: `a${i}` });
      // Every third animal has no tags; the others two or three, given in descending order.
      if (i % 3 === 1) setReference(a, 'T.Animal_Tags', [tags[2]!.id, tags[0]!.id]);
      if (i % 3 === 2) setReference(a, 'T.Animal_Tags', [tags[2]!.id, tags[1]!.id, tags[0]!.id]);
      if (i % 2 === 0) setReference(a, 'T.Animal_Person', vet.id);
      animals.push(a);
    }
    await commit(animals);

    const found = animals.map(bare);
    captured.length = 0;
    await loadAssociation(db, model.associations.get('T.Animal_Tags')!, found);
    expect(selects()).toHaveLength(3);
    await loadAssociation(db, model.associations.get('T.Animal_Person')!, found);
    expect(selects()).toHaveLength(6);
    found.forEach((o, i) => {
      const want = i % 3 === 0 ? [] : i % 3 === 1 ? [tags[0]!.id, tags[2]!.id] : tags.map((x) => x.id);
      expect(o.references.get('T.Animal_Tags')).toEqual(want);
      expect(o.references.get('T.Animal_Person')).toBe(i % 2 === 0 ? vet.id : null);
    });
    // Nothing to load for no objects: no statement.
    captured.length = 0;
    await loadAssociation(db, model.associations.get('T.Animal_Tags')!, []);
    expect(selects()).toHaveLength(0);
  });

  it('gives objects of specializations the members their entity adds, one query per concrete entity and association', async () => {
    const tag = await make('T.Tag', { Label: 'ball' });
    const vet = await make('T.Person', { Name: 'Dr' });
    await commit([tag, vet]);
    const animal = await make('T.Animal', { Name: 'Cat' });
    const dog = await make('T.Dog', { Name: 'Rex', Breed: 'Collie', Photo: Buffer.from('jpg') });
    const puppy = await make('T.Puppy', { Name: 'Bit', Breed: 'Pug', AgeInWeeks: 9 });
    setReference(dog, 'T.Dog_Vet', vet.id);
    setReference(puppy, 'T.Dog_Toys', [tag.id]);
    await commit([animal, dog, puppy]);

    const found = [animal, dog, puppy].map(bare);
    captured.length = 0;
    await loadSpecializationMembers(db, model, 'T.Animal', found);
    // Dog's and Puppy's own tables, then Dog_Vet and Dog_Toys for each of the two entities.
    expect(selects()).toHaveLength(6);
    const [a, d, p] = found;
    expect([...a!.values.keys()]).toEqual([]);
    expect(a!.references.size).toBe(0);
    expect(d!.values.get('Breed')).toBe('Collie');
    expect(Buffer.from(d!.values.get('Photo') as Uint8Array).toString()).toBe('jpg');
    expect(d!.values.has('Name')).toBe(false); // the queried entity's own members come with the query
    expect(d!.references.get('T.Dog_Vet')).toBe(vet.id);
    expect(d!.references.get('T.Dog_Toys')).toEqual([]);
    expect(d!.references.has('T.Animal_Tags')).toBe(false);
    expect(p!.values.get('Breed')).toBe('Pug');
    expect(p!.values.get('AgeInWeeks')).toBe(9);
    expect(p!.references.get('T.Dog_Vet')).toBe(null);
    expect(p!.references.get('T.Dog_Toys')).toEqual([tag.id]);

    // Below Dog: only Puppy's table; Dog's associations are the queried entity's.
    const fromDog = [dog, puppy].map(bare);
    captured.length = 0;
    await loadSpecializationMembers(db, model, 'T.Dog', fromDog);
    expect(selects()).toHaveLength(1);
    expect(fromDog[0]!.values.size).toBe(0);
    expect(fromDog[1]!.values.get('AgeInWeeks')).toBe(9);
    expect(fromDog[1]!.references.size).toBe(0);

    // The query engine's form: no Binary, and the members asked for only.
    const lean = [dog, puppy].map(bare);
    await loadSpecializationMembers(db, model, 'T.Animal', lean, {
      wanted: (e) => new Set([...model.entities.get(e)!.attributes.values()].filter((x) => x.type !== 'Binary').map((x) => x.name)),
      references: false,
    });
    expect(lean[0]!.values.get('Breed')).toBe('Collie');
    expect(lean[0]!.values.has('Photo')).toBe(false);
    expect(lean[0]!.references.size).toBe(0);
    expect(lean[1]!.values.get('AgeInWeeks')).toBe(9);
  });

  it("chunks a specialization's members too", async () => {
    const dogs: MxObject[] = [];
    for (let i = 0; i < IDS_PER_STATEMENT + 1; i++) dogs.push(await make('T.Dog', { Name: `d${i}`, Breed: `b${i}` }));
    await commit(dogs);
    const found = dogs.map(bare);
    captured.length = 0;
    await loadSpecializationMembers(db, model, 'T.Animal', found, { references: false });
    expect(selects()).toHaveLength(2);
    found.forEach((o, i) => {
      expect(o.values.get('Breed')).toBe(`b${i}`);
    });
  });
});
