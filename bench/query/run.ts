/**
 * Query engine benchmark:
 *  1. compile time of a typical query (parse + resolve + security + SQL), after warm-up;
 *  2. retrieval throughput of the seeds' overview page (20 employees + count) through
 *     retrieve() against the same two statements sent with the raw driver.
 * Run: npx tsx bench/query/run.ts [--rows N] [--seconds S]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { createLogger } from '../../src/core/logger.js';
import { openDatabase, quoteIdentifier } from '../../src/data/index.js';
import { columnType, idColumnType } from '../../src/data/dialects/ddl.js';
import { loadModel } from '../../src/model/index.js';
import { compileQuery, explain, retrieve } from '../../src/query/index.js';
import { bindParams } from '../../src/query/execute/bind.js';
import { SYSTEM_CONTEXT, type UserContext } from '../../src/security/user-context.js';
import { freshDatabase, type DialectName } from '../../test/support/databases.js';
import { DIALECT } from '../../test/support/dialects.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '3' } } });
const ROWS = Number(values.rows);
const SECONDS = Number(values.seconds);
const ROOT = join(import.meta.dirname, '..', '..');

/**
 * The machine is shared: each figure is the best of several batches (the batch
 * least disturbed by other processes), after warm-up.
 */
function timeIt(fn: () => void, n: number): number {
  for (let i = 0; i < Math.min(n, 2000); i++) fn();
  let best = Infinity;
  for (let b = 0; b < 10; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n / 10; i++) fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1000 / (n / 10));
  }
  return best;
}

/** Operations per second of each contender, measured in alternating rounds; best round of each. */
async function rates(fns: (() => Promise<unknown>)[]): Promise<number[]> {
  for (const fn of fns) {
    const warm = Date.now() + 300;
    while (Date.now() < warm) await fn();
  }
  const best = fns.map(() => 0);
  const rounds = 6;
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < fns.length; k++) {
      let n = 0;
      const t0 = process.hrtime.bigint();
      const end = Date.now() + (SECONDS * 1000) / rounds;
      while (Date.now() < end) {
        await fns[k]!();
        n++;
      }
      best[k] = Math.max(best[k]!, n / (Number(process.hrtime.bigint() - t0) / 1e9));
    }
  }
  return best;
}

const { model: sales } = await loadModel(join(ROOT, 'examples', 'sales'));
const { model: employees } = await loadModel(join(ROOT, 'examples', 'employees'));
if (!sales || !employees) throw new Error('examples do not load');

const customer: UserContext = {
  ...SYSTEM_CONTEXT,
  userId: 281474976710657n,
  userRoles: ['Customer'],
  applyEntityAccess: true,
  moduleRoles: new Set(sales.security.userRoles.get('Customer')!.moduleRoles),
};
const TYPICAL = "//Sales.Order[Sales.Order_Customer/Sales.Customer/Segment = 'Retail' and Total > 100][OrderDate >= '[%BeginOfCurrentYear%]']";
const req = { xpath: TYPICAL, sort: [{ attribute: 'OrderDate', descending: true }], attributes: ['Number', 'OrderDate', 'Status', 'Total'], wantCount: true };
const compileUs = timeIt(() => {
  compileQuery(sales, req, DIALECT.postgres).variant(customer, undefined);
}, 3000);
const plan = compileQuery(sales, req, DIALECT.postgres);
plan.variant(customer, undefined);
const cachedUs = timeIt(() => {
  plan.variant(customer, undefined);
}, 20000);
const v = plan.variant(customer, undefined);
const bindUs = timeIt(() => {
  bindParams(v.select.params, { user: customer, variables: {}, now: new Date() }, plan.syntax);
}, 20000);
console.log(`compile (parse, resolve, entity access, SQL) of a typical query: ${compileUs.toFixed(1)} µs`);
console.log(`plan lookup for a user (cached variant):                       ${cachedUs.toFixed(2)} µs`);
console.log(`binding its parameters (tokens in the user's zone):            ${bindUs.toFixed(1)} µs`);

const USED = ['Firstname', 'Lastname', 'Jobtitle', 'Department', 'DateOfBirth'].map((a) => `MyFirstModule.Employee/MyFirstModule.Employee.${a}`);
const overviewReq = { xpath: '//MyFirstModule.Employee', attributes: USED, sort: [{ attribute: 'Firstname' }], offset: 0, amount: 20, wantCount: true };

async function overview(dialect: DialectName): Promise<void> {
  const t = await freshDatabase(dialect);
  const db = await openDatabase(t.url, { log: createLogger('silent'), poolSize: 1 });
  try {
    const e = employees!.entities.get('MyFirstModule.Employee')!;
    const q = (n: string) => quoteIdentifier(DIALECT[dialect], n);
    await db.execute(
      `CREATE TABLE ${q(e.table)} (${q('id')} ${idColumnType(DIALECT[dialect])} PRIMARY KEY, ${e.ownAttributes.map((a) => `${q(a.column)} ${columnType(DIALECT[dialect], a.type, a.length)}`).join(', ')})`,
      [],
    );
    const rows: unknown[][] = [];
    for (let i = 1; i <= ROWS; i++)
      rows.push([
        String((41n << 48n) | BigInt(i)),
        `First${(i * 7919) % ROWS}`,
        `Last${i}`,
        'Engineer',
        'R&D',
        dialect === 'sqlite'
          ? Date.UTC(1990, 0, 1) + i * 86400000
          : new Date(Date.UTC(1990, 0, 1) + i * 86400000).toISOString().replace('T', ' ').replace('Z', ''),
      ]);
    for (let i = 0; i < rows.length; i += 200) {
      const part = rows.slice(i, i + 200);
      let k = 0;
      const ph = part.map(() => `(${[0, 1, 2, 3, 4, 5].map(() => (dialect === 'postgres' ? `$${++k}` : '?')).join(', ')})`).join(', ');
      await db.execute(
        `INSERT INTO ${q(e.table)} (${q('id')}, ${q('firstname')}, ${q('lastname')}, ${q('jobtitle')}, ${q('department')}, ${q('dateofbirth')}) VALUES ${ph}`,
        part.flat().map((x) => (dialect === 'sqlite' && typeof x === 'string' && /^\d+$/.test(x) ? BigInt(x) : x)),
      );
    }
    const p = compileQuery(employees!, overviewReq, DIALECT[dialect]);
    const [page, count] = explain(p, null).sql as [string, string];
    const kiln = async () => {
      await retrieve(db, employees!, p, SYSTEM_CONTEXT);
    };
    const data = async () => {
      await db.query(page, []);
      await db.query(count, []);
    };
    let raw: () => Promise<unknown>;
    let close: () => Promise<unknown>;
    if (dialect === 'sqlite') {
      const r = new Database(t.url.slice('sqlite:'.length));
      r.defaultSafeIntegers(true);
      const s1 = r.prepare(page);
      const s2 = r.prepare(count);
      raw = async () => {
        s1.all();
        s2.get();
      };
      close = async () => r.close();
    } else if (dialect === 'postgres') {
      const c = new pg.Client({ connectionString: t.url });
      await c.connect();
      raw = async () => {
        await c.query(page);
        await c.query(count);
      };
      close = () => c.end();
    } else {
      const c = await mysql.createConnection({ uri: t.url, supportBigNumbers: true, bigNumberStrings: true });
      await c.query("SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES')");
      raw = async () => {
        await c.query(page);
        await c.query(count);
      };
      close = () => c.end();
    }
    const [viaKiln, viaData, viaRaw] = (await rates([kiln, data, raw])) as [number, number, number];
    await close();
    console.log(
      `overview page (20 of ${ROWS} + count) on ${dialect.padEnd(8)}: retrieve() ${viaKiln.toFixed(0)}/s, same SQL via db.query ${viaData.toFixed(0)}/s, raw driver ${viaRaw.toFixed(0)}/s (retrieve = ${((100 * viaKiln) / viaRaw).toFixed(0)}% of raw)`,
    );
  } finally {
    await db.close();
    await t.drop();
  }
}

for (const d of ['sqlite', 'postgres', 'mysql'] as const) await overview(d);
