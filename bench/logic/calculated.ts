// Calculated attributes benchmark (issue 22).
//   npx tsx bench/logic/calculated.ts [sqlite|postgres|mysql ...]
// A retrieve of N objects of an entity with one calculated attribute (Total = Quantity * Price,
// one microflow call per object) against the same retrieve of an entity without it: the cost
// of the calculation per object. Best of 5 runs after a warm-up (the machine is shared).
import { Decimal } from 'decimal.js';
import { createLogger } from '../../src/core/logger.js';
import { commitObjects, createIdGenerator, createObject, openDatabase, syncSchema } from '../../src/data/index.js';
import { dataPort, dbPort, MicroflowEngine, queryPort } from '../../src/logic/index.js';
import { engineCalculator } from '../../src/logic/calculated.js';
import { loadModel } from '../../src/model/index.js';
import { setValue, type MxObject } from '../../src/objects/mx-object.js';
import { compileQuery, provideCalculator, retrieve } from '../../src/query/index.js';
import { SYSTEM_CONTEXT } from '../../src/security/user-context.js';
import { writeApp } from '../../test/support/app-folder.js';
import { freshDatabase, type DialectName } from '../../test/support/databases.js';

const N = 1_000;
const log = createLogger('silent');

const APP = {
  'app.yaml': 'name: Bench\nversion: 1.0.0\nmodules: [B]\nsecurity: { level: off }\n',
  'modules/B/domain-model.yaml': `
entities:
  Plain:
    attributes: { Quantity: Integer, Price: Decimal }
  Calc:
    attributes:
      Quantity: Integer
      Price: Decimal
      Total: { type: Decimal, calculated: Calc_Total }
`,
  'modules/B/microflows/Calc_Total.yaml': 'parameters: { Calc: B.Calc }\nreturns: Decimal\nbody:\n  - return: $Calc/Quantity * $Calc/Price\n',
};

async function best(runs: number, fn: () => Promise<unknown>): Promise<number> {
  await fn();
  let min = Infinity;
  for (let k = 0; k < runs; k++) {
    const t = performance.now();
    await fn();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

async function main(): Promise<void> {
  const dialects = (process.argv.slice(2).length ? process.argv.slice(2) : ['sqlite']) as DialectName[];
  const { model, diagnostics } = await loadModel(writeApp(APP));
  if (!model) throw new Error(JSON.stringify(diagnostics));
  for (const dialect of dialects) {
    const test = await freshDatabase(dialect);
    const db = await openDatabase(test.url, { log, poolSize: 2 });
    try {
      await syncSchema(db, model, { allowDestructive: false, log });
      const ids = await createIdGenerator(db, model);
      const engine = new MicroflowEngine({ model, data: dataPort(model, ids), query: queryPort(db.dialect), db: dbPort(db), log });
      provideCalculator(model, engineCalculator(engine));
      for (const entity of ['B.Plain', 'B.Calc']) {
        const objs: MxObject[] = [];
        for (let i = 0; i < N; i++) {
          const o = await createObject(model, entity, ids);
          setValue(o, 'Quantity', i);
          setValue(o, 'Price', new Decimal('1.25'));
          objs.push(o);
        }
        await db.transaction((tx) => commitObjects(tx, model, objs));
      }
      const plain = compileQuery(model, { xpath: '//B.Plain' }, db.dialect);
      const calc = compileQuery(model, { xpath: '//B.Calc' }, db.dialect);
      const check = await retrieve(db, model, calc, SYSTEM_CONTEXT);
      if (String(check.objects.find((o) => o.values.get('Quantity') === 8)?.values.get('Total')) !== '10') throw new Error('Total not computed');
      const tPlain = await best(5, () => retrieve(db, model, plain, SYSTEM_CONTEXT));
      const tCalc = await best(5, () => retrieve(db, model, calc, SYSTEM_CONTEXT));
      console.log(
        `${dialect}: retrieve of ${N} objects: without calculated attribute ${tPlain.toFixed(1)} ms, with one ${tCalc.toFixed(1)} ms ` +
          `(+${(((tCalc - tPlain) * 1000) / N).toFixed(1)} µs per object, ratio ${(tCalc / tPlain).toFixed(2)})`,
      );
    } finally {
      await db.close();
      await test.drop();
    }
  }
}

await main();
