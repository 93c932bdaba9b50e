import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileShop, logicApp, USER, type LogicApp } from './harness.js';

/** Object-type (inheritance) decisions and cast, as Mendix's inheritance split and cast object. */
const MICROFLOWS: Record<string, string> = {
  Describe: `
parameters: { Kind: String }
returns: String
body:
  - decision:
      if: "$Kind = 'dog'"
      then: [ { create: { entity: Shop.Dog, set: { Name: "'rex'" }, into: D }, }, { call: { microflow: Shop.Classify, with: { P: $D }, into: R } }, { return: $R } ]
  - decision:
      if: "$Kind = 'puppy'"
      then: [ { create: { entity: Shop.Puppy, set: { Name: "'bit'", Barks: false }, into: D }, }, { call: { microflow: Shop.Classify, with: { P: $D }, into: R } }, { return: $R } ]
  - decision:
      if: "$Kind = 'cat'"
      then: [ { create: { entity: Shop.Cat, set: { Name: "'tom'" }, into: C }, }, { call: { microflow: Shop.Classify, with: { P: $C }, into: R } }, { return: $R } ]
  - decision:
      if: "$Kind = 'pet'"
      then: [ { create: { entity: Shop.Pet, set: { Name: "'any'" }, into: P }, }, { call: { microflow: Shop.Classify, with: { P: $P }, into: R } }, { return: $R } ]
  - call: { microflow: Shop.Classify, with: { P: empty }, into: R }
  - return: $R`,
  Classify: `
parameters: { P: Shop.Pet }
returns: String
body:
  - decision:
      on: $P
      cases:
        Shop.Dog:
          - cast: { object: $P, to: Shop.Dog, into: Dog }
          - return: "'dog ' + $Dog/Name + ' barks ' + toString($Dog/Barks)"
        Cat: [ { return: "'cat ' + $P/Name" } ]
        empty: [ { return: "'nothing'" } ]
      else: [ { return: "'some pet ' + $P/Name" } ]`,
  BadCast: `
returns: String
body:
  - create: { entity: Shop.Cat, set: { Name: "'tom'" }, into: C }
  - cast: { object: $C, to: Shop.Cat, into: Same }
  - createVariable: { name: P, type: Shop.Pet, value: $C }
  - cast: { object: $P, to: Shop.Dog, into: D }
  - return: $D/Name`,
};

describe.each(['sqlite', 'postgres'] as const)('object-type decisions and cast on %s', (dialect) => {
  let app: LogicApp;
  beforeAll(async () => {
    app = await logicApp(dialect, MICROFLOWS);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });
  const run = async (name: string, params: Record<string, unknown> = {}) => (await app.engine.runMicroflow(`Shop.${name}`, params as never, USER)).value;

  it('takes the branch of the object type or its nearest generalization with a case', async () => {
    expect(await run('Describe', { Kind: 'dog' })).toBe('dog rex barks true');
    // a Puppy is a Dog: no case of its own, so the Dog branch, and the cast to Dog succeeds
    expect(await run('Describe', { Kind: 'puppy' })).toBe('dog bit barks false');
    expect(await run('Describe', { Kind: 'cat' })).toBe('cat tom');
    expect(await run('Describe', { Kind: 'pet' })).toBe('some pet any');
    expect(await run('Describe', { Kind: 'none' })).toBe('nothing');
  });

  it('a cast to a type the object is not fails with a clear error', async () => {
    await expect(run('BadCast')).rejects.toThrow('cannot cast an object of type Shop.Cat to Shop.Dog');
  });
});

describe('kiln check on object-type decisions and cast', () => {
  it('names a case that is not a specialization and a cast to an unrelated entity', async () => {
    const { problems } = await compileShop({
      Wrong: `
parameters: { P: Shop.Pet, D: Shop.Dog }
body:
  - decision:
      on: $P
      cases:
        Shop.Item: []
        Shop.Cat: []
  - cast: { object: $D, to: Shop.Cat, into: C }`,
    });
    const f = 'modules/Shop/microflows/Wrong.yaml';
    expect(problems.filter((p) => p.startsWith(f))).toEqual([
      `${f}:7 body.0.decision.cases.Shop.Item: 'Shop.Item' is not Shop.Pet or one of its specializations (Shop.Pet, Shop.Dog, Shop.Puppy, Shop.Cat)`,
      `${f}:9 body.1.cast.to: Shop.Cat is not a specialization of Shop.Dog`,
    ]);
  });
});
