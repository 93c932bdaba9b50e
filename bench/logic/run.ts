// Microflow engine benchmark.
//   npx tsx bench/logic/run.ts [sqlite|postgres|mysql ...]   (npm run bench:logic)
// (1) A microflow looping 100,000 times over expression evaluation and variable
//     changes (Integer counter, Decimal accumulation, a decision on `mod`, string
//     concatenation every 1,000 passes) against the same logic written directly in
//     TypeScript with the same exact Decimal arithmetic (decimal.js). Ratio =
//     microflow time / TypeScript time (target: within 10x).
// (2) A microflow creating 10,000 objects into a list and committing the list
//     once (batched writes), per database, against the data layer's
//     createObject + commitObjects doing the same without the engine.
// Each figure is the best of 5 runs after a warm-up (the machine is shared).
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/core/logger.js';
import { commitObjects, createIdGenerator, createObject, openDatabase, syncSchema } from '../../src/data/index.js';
import { dataPort, dbPort, ExactDecimal, MicroflowEngine, queryPort, Decimal34 } from '../../src/logic/index.js';
import { loadModel } from '../../src/model/index.js';
import { setValue } from '../../src/objects/mx-object.js';
import { SYSTEM_CONTEXT } from '../../src/security/user-context.js';
import { freshDatabase, type DialectName } from '../../test/support/databases.js';
import { DIALECT } from '../../test/support/dialects.js';

const LOOP = 100_000;
const OBJECTS = 10_000;
const log = createLogger('silent');

function writeApp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-bench-logic-'));
  mkdirSync(join(dir, 'modules/B/microflows'), { recursive: true });
  writeFileSync(join(dir, 'app.yaml'), 'name: Bench\nversion: 1.0.0\nmodules: [B]\nsecurity: { level: off }\n');
  writeFileSync(
    join(dir, 'modules/B/domain-model.yaml'),
    `
entities:
  Thing:
    attributes:
      Name: String(100)
      Qty: Integer
      Price: Decimal
`,
  );
  writeFileSync(
    join(dir, 'modules/B/microflows/Loop.yaml'),
    `
parameters: { N: Integer }
returns: String
body:
  - createVariable: { name: I, type: Integer, value: 0 }
  - createVariable: { name: Sum, type: Decimal, value: 0 }
  - createVariable: { name: Even, type: Integer, value: 0 }
  - createVariable: { name: Label, type: String, value: "''" }
  - while:
      condition: $I < $N
      body:
        - changeVariable: { name: I, value: $I + 1 }
        - changeVariable: { name: Sum, value: "$Sum + $I * 0.25" }
        - decision:
            if: $I mod 2 = 0
            then: [ { changeVariable: { name: Even, value: $Even + 1 } } ]
        - decision:
            if: $I mod 1000 = 0
            then: [ { changeVariable: { name: Label, value: "'at ' + toString($I)" } } ]
  - return: "toString($Sum) + ' ' + toString($Even) + ' ' + $Label"
`,
  );
  writeFileSync(
    join(dir, 'modules/B/microflows/CreateMany.yaml'),
    `
parameters: { N: Integer }
body:
  - createList: { entity: B.Thing, into: Things }
  - createVariable: { name: I, type: Integer, value: 0 }
  - while:
      condition: $I < $N
      body:
        - changeVariable: { name: I, value: $I + 1 }
        - create: { entity: B.Thing, set: { Name: "'thing ' + toString($I)", Qty: $I, Price: "$I * 1.5" }, into: T }
        - changeList: { list: $Things, operation: add, value: $T }
  - commit: $Things
`,
  );
  return dir;
}

/** The loop microflow written directly in TypeScript, with the same exact arithmetic. */
function plainLoop(n: number): string {
  let i = 0;
  let sum = new ExactDecimal(0);
  let even = 0;
  let label = '';
  const quarter = new ExactDecimal('0.25');
  while (i < n) {
    i = i + 1;
    sum = new ExactDecimal(sum).plus(new ExactDecimal(i).times(quarter));
    if (i % 2 === 0) even = even + 1;
    if (i % 1000 === 0) label = `at ${i}`;
  }
  return `${sum.toFixed()} ${even} ${label}`;
}

async function best(runs: number, fn: () => Promise<unknown> | unknown): Promise<number> {
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
  const dialects = (process.argv.slice(2).length ? process.argv.slice(2) : ['sqlite', 'postgres']) as DialectName[];
  const dir = writeApp();
  const { model, diagnostics } = await loadModel(dir);
  if (!model) throw new Error(JSON.stringify(diagnostics));
  void Decimal34;

  // (1) loop, no database needed
  const engine0 = new MicroflowEngine({ model, data: undefined as never, query: queryPort(DIALECT.sqlite), log });
  const mfResult = (await engine0.runMicroflow('B.Loop', { N: LOOP }, SYSTEM_CONTEXT)).value;
  const tsResult = plainLoop(LOOP);
  if (mfResult !== tsResult) throw new Error(`results differ: ${String(mfResult)} vs ${tsResult}`);
  const mf = await best(5, () => engine0.runMicroflow('B.Loop', { N: LOOP }, SYSTEM_CONTEXT));
  const ts = await best(5, () => plainLoop(LOOP));
  console.log(
    `loop ${LOOP.toLocaleString('en')} passes: microflow ${mf.toFixed(1)} ms, TypeScript ${ts.toFixed(1)} ms, ratio ${(mf / ts).toFixed(2)}x  (result ${tsResult})`,
  );

  // (2) commit 10,000 objects
  for (const dialect of dialects) {
    const test = await freshDatabase(dialect);
    const db = await openDatabase(test.url, { log, poolSize: 2 });
    try {
      await syncSchema(db, model, { allowDestructive: false, log });
      const ids = await createIdGenerator(db, model);
      const engine = new MicroflowEngine({ model, data: dataPort(model, ids), query: queryPort(db.dialect), db: dbPort(db), log });
      const viaMf = await best(3, () => engine.runMicroflow('B.CreateMany', { N: OBJECTS }, SYSTEM_CONTEXT));
      const direct = await best(3, () =>
        db.transaction(async (tx) => {
          const objs = [];
          for (let i = 1; i <= OBJECTS; i++) {
            const o = await createObject(model, 'B.Thing', ids, {});
            setValue(o, 'Name', `thing ${i}`);
            setValue(o, 'Qty', i);
            setValue(o, 'Price', new ExactDecimal(i).times('1.5'));
            objs.push(o);
          }
          await commitObjects(tx, model, objs);
        }),
      );
      const rows = await db.query<{ n: unknown }>('SELECT COUNT(*) AS n FROM "b$thing"', []);
      console.log(
        `${dialect}: microflow creating and committing ${OBJECTS.toLocaleString('en')} objects ${viaMf.toFixed(0)} ms (${((viaMf * 1000) / OBJECTS).toFixed(1)} µs/object), data layer directly ${direct.toFixed(0)} ms, ratio ${(viaMf / direct).toFixed(2)}x  (${Number(rows[0]!.n)} rows)`,
      );
    } finally {
      await db.close();
      await test.drop();
    }
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
