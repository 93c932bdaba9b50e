// Data layer benchmark: insert 10,000 objects, then read them by id (1,000 per
// query, and one per query), through Kiln's persistence and through the raw
// driver running the same SQL, on SQLite, PostgreSQL and MariaDB.
//   npm run build && npx tsx bench/data/run.ts [sqlite|postgres|mysql ...]
// Kiln is measured as it runs in production: the compiled dist/ (tsx, which
// runs this file, would otherwise compile Kiln's own sources with a helper call
// for every closure made).
// Each figure is the best of 15 interleaved runs (the machine is shared; the
// best run is the least disturbed one). Ratio = raw time / Kiln time
// (1.00 = as fast as the raw driver; the target is >= 0.70).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { Decimal } from 'decimal.js';
import { commitObjects, createIdGenerator, createObject, openDatabase, retrieveByIds, syncSchema } from '../../dist/data/index.js';
import { createLogger } from '../../dist/core/logger.js';
import { loadModel } from '../../dist/model/index.js';
import { setValue, type MxObject } from '../../dist/objects/mx-object.js';
import { freshDatabase, type DialectName } from '../../test/support/databases.js';

const N = 10_000;
const BATCH = 1000;
const SINGLE = 2_000;
const REPEAT = 15;
const log = createLogger('silent');

async function benchModel() {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-bench-'));
  mkdirSync(join(dir, 'modules/B'), { recursive: true });
  writeFileSync(join(dir, 'app.yaml'), 'name: Bench\nmodules: [B]\n');
  writeFileSync(
    join(dir, 'modules/B/domain-model.yaml'),
    `
entities:
  Employee:
    attributes:
      Firstname: String(200)
      Lastname: String(200)
      Jobtitle: String(200)
      Salary: Decimal
      Grade: Integer
      Active: Boolean
      DateOfBirth: DateTime
`,
  );
  const { model } = await loadModel(dir);
  return model!;
}

const COLS = ['firstname', 'lastname', 'jobtitle', 'salary', 'grade', 'active', 'dateofbirth'];

/** The data both sides write: plain in-memory values, as an app holds them. */
const DATA = Array.from({ length: N }, (_, i) => ({
  firstname: `First ${i}`,
  lastname: `Last ${i}`,
  jobtitle: 'Engineer',
  salary: new Decimal(`${50000 + i}.25`),
  grade: i % 10,
  active: i % 2 === 0,
  dateofbirth: new Date(Date.UTC(1980, 0, 1) + i * 86400000),
}));

/** The new values of the update round: every object's Salary and Active change. */
const CHANGED = DATA.map((d) => ({ salary: d.salary.plus(1000), active: !d.active }));

interface Raw {
  insert(ids: bigint[]): Promise<void>;
  readBatch(ids: bigint[]): Promise<unknown>;
  readOne(id: bigint): Promise<unknown>;
  /** CHANGED written to the rows of `ids`, in one transaction, with the SQL Kiln sends for it. */
  update(ids: bigint[]): Promise<void>;
  close(): Promise<void>;
}

function rawDriver(dialect: DialectName, url: string): Raw {
  const ph = (n: number) => (dialect === 'postgres' ? `$${n}` : '?');
  const insertSql = (count: number) =>
    `INSERT INTO "b$employee" ("id", ${COLS.map((c) => `"${c}"`).join(', ')}) VALUES ${Array.from({ length: count }, (_, r) => `(${Array.from({ length: 8 }, (_, c) => ph(r * 8 + c + 1)).join(', ')})`).join(', ')}`;
  const selectSql = (count: number) =>
    `SELECT "b$employee"."id", ${COLS.map((c) => `"b$employee"."${c}"`).join(', ')} FROM "b$employee" WHERE "b$employee"."id" ${count === 1 ? `= ${ph(1)}` : `IN (${Array.from({ length: count }, (_, i) => ph(i + 1)).join(', ')})`}`;
  if (dialect === 'sqlite') {
    const s = new BetterSqlite3(url.slice('sqlite:'.length));
    s.pragma('journal_mode = WAL');
    s.pragma('synchronous = NORMAL');
    s.defaultSafeIntegers(true);
    const ins = s.prepare(insertSql(BATCH));
    const sel = s.prepare(selectSql(BATCH));
    const one = s.prepare(selectSql(1));
    // Decimal as the same sortable text Kiln stores (fixed width), so both sides write the same bytes.
    const dec = (d: Decimal) => d.toFixed(8).padStart(29, '0');
    return {
      async insert(ids) {
        s.exec('BEGIN IMMEDIATE');
        for (let i = 0; i < N; i += BATCH) {
          const params: unknown[] = [];
          for (let j = i; j < i + BATCH; j++) {
            const d = DATA[j]!;
            params.push(ids[j], d.firstname, d.lastname, d.jobtitle, dec(d.salary), d.grade, d.active ? 1 : 0, d.dateofbirth.getTime());
          }
          ins.run(...params);
        }
        s.exec('COMMIT');
      },
      async readBatch(ids) {
        return sel.all(...ids);
      },
      async readOne(id) {
        return one.all(id);
      },
      async update(ids) {
        // SQLite has no round trips: one prepared UPDATE per row, as Kiln does.
        const upd = s.prepare('UPDATE "b$employee" SET "salary" = ?, "active" = ? WHERE "id" = ?');
        s.exec('BEGIN IMMEDIATE');
        for (let j = 0; j < N; j++) {
          const c = CHANGED[j]!;
          upd.run(dec(c.salary), c.active ? 1 : 0, ids[j]);
        }
        s.exec('COMMIT');
      },
      async close() {
        s.close();
      },
    };
  }
  if (dialect === 'postgres') {
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    const ts = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');
    return {
      async insert(ids) {
        const c = await pool.connect();
        await c.query('BEGIN');
        for (let i = 0; i < N; i += BATCH) {
          const params: unknown[] = [];
          for (let j = i; j < i + BATCH; j++) {
            const d = DATA[j]!;
            params.push(String(ids[j]), d.firstname, d.lastname, d.jobtitle, d.salary.toFixed(), d.grade, d.active, ts(d.dateofbirth));
          }
          await c.query(insertSql(BATCH), params);
        }
        await c.query('COMMIT');
        c.release();
      },
      async readBatch(ids) {
        return (await pool.query(selectSql(BATCH), ids.map(String))).rows;
      },
      async readOne(id) {
        return (await pool.query(selectSql(1), [String(id)])).rows;
      },
      async update(ids) {
        const c = await pool.connect();
        await c.query('BEGIN');
        for (let i = 0; i < N; i += BATCH) {
          const params: unknown[] = [];
          const rows: string[] = [];
          for (let j = i; j < i + BATCH; j++) {
            const n = params.push(String(ids[j]), CHANGED[j]!.salary.toFixed(), CHANGED[j]!.active);
            rows.push(`($${n - 2}::bigint, $${n - 1}::numeric, $${n}::boolean)`);
          }
          await c.query(
            `UPDATE "b$employee" SET "salary" = "v"."salary", "active" = "v"."active" FROM (VALUES ${rows.join(', ')}) AS "v" ("id", "salary", "active") WHERE "b$employee"."id" = "v"."id"`,
            params,
          );
        }
        await c.query('COMMIT');
        c.release();
      },
      async close() {
        await pool.end();
      },
    };
  }
  // trace: false as Kiln's driver (no stack captured per statement): the raw side is the driver at its fastest.
  const pool = mysql.createPool({ uri: url, connectionLimit: 4, trace: false, supportBigNumbers: true, bigNumberStrings: true, timezone: 'Z' });
  (pool as unknown as { pool: import('mysql2').Pool }).pool.on('connection', (c) => {
    c.query("SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES')");
  });
  return {
    async insert(ids) {
      const c = await pool.getConnection();
      await c.query('START TRANSACTION');
      for (let i = 0; i < N; i += BATCH) {
        const params: unknown[] = [];
        for (let j = i; j < i + BATCH; j++) {
          const d = DATA[j]!;
          params.push(String(ids[j]), d.firstname, d.lastname, d.jobtitle, d.salary.toFixed(), d.grade, d.active ? 1 : 0, d.dateofbirth);
        }
        await c.execute(insertSql(BATCH), params);
      }
      await c.query('COMMIT');
      c.release();
    },
    async readBatch(ids) {
      return (await pool.execute(selectSql(BATCH), ids.map(String)))[0];
    },
    async readOne(id) {
      return (await pool.execute(selectSql(1), [String(id)]))[0];
    },
    async update(ids) {
      const c = await pool.getConnection();
      await c.query('START TRANSACTION');
      for (let i = 0; i < N; i += BATCH) {
        const params: unknown[] = [];
        const rows: string[] = [];
        for (let j = i; j < i + BATCH; j++) {
          params.push(String(ids[j]), CHANGED[j]!.salary.toFixed(), CHANGED[j]!.active ? 1 : 0);
          rows.push(j === i ? 'SELECT CAST(? AS SIGNED) AS "id", ? AS "salary", ? AS "active"' : 'SELECT CAST(? AS SIGNED), ?, ?');
        }
        await c.execute(
          `UPDATE "b$employee" INNER JOIN (${rows.join(' UNION ALL ')}) AS "v" ON "b$employee"."id" = "v"."id" SET "b$employee"."salary" = "v"."salary", "b$employee"."active" = "v"."active"`,
          params,
        );
      }
      await c.query('COMMIT');
      c.release();
    },
    async close() {
      await pool.end();
    },
  };
}

interface Took {
  wall: number;
  cpu: number;
}

/** Wall time and this process's CPU time (user + system), both in ms: on a loaded machine the CPU time is the steadier figure. */
async function time(fn: () => Promise<unknown>): Promise<Took> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

async function run(dialect: DialectName) {
  const model = await benchModel();
  const t = await freshDatabase(dialect);
  const db = await openDatabase(t.url, { log, poolSize: 4 });
  await syncSchema(db, model, { allowDestructive: false, log });
  const ids = await createIdGenerator(db, model);
  const raw = rawDriver(dialect, t.url);
  const keys = ['kInsert', 'rInsert', 'kRead', 'rRead', 'kOne', 'rOne', 'kUpdate', 'rUpdate'] as const;
  const best = Object.fromEntries(keys.map((k) => [k, { wall: Infinity, cpu: Infinity }])) as Record<(typeof keys)[number], Took>;
  const keep = (k: keyof typeof best, t: Took) => {
    best[k] = { wall: Math.min(best[k].wall, t.wall), cpu: Math.min(best[k].cpu, t.cpu) };
  };
  let rawBase = 1n << 40n;
  try {
    for (let rep = 0; rep <= REPEAT; rep++) {
      const measured = rep > 0; // the first round warms up (JIT, connections, prepared statements)
      // Each pair of measurements runs Kiln first in one round and the raw driver
      // first in the next, so that neither side always meets what the other left
      // behind (garbage to collect, the database's own background work).
      const pair = async (k: () => Promise<unknown>, r: () => Promise<unknown>): Promise<[Took, Took]> => {
        if (rep % 2 === 0) {
          const a = await time(k);
          return [a, await time(r)];
        }
        const b = await time(r);
        return [await time(k), b];
      };
      // Insert through Kiln: create the objects (ids, defaults), set the values, commit;
      // the same rows through the raw driver, which makes ids of its own (Kiln's timing
      // includes handing out its ids, so the raw side's includes making them).
      let kIds: bigint[] = [];
      let rIds: bigint[] = [];
      const base = rawBase;
      rawBase += BigInt(N);
      const [kInsert, rInsert] = await pair(
        async () => {
          const objs = [];
          for (const d of DATA) {
            const o = await createObject(model, 'B.Employee', ids);
            setValue(o, 'Firstname', d.firstname);
            setValue(o, 'Lastname', d.lastname);
            setValue(o, 'Jobtitle', d.jobtitle);
            setValue(o, 'Salary', d.salary);
            setValue(o, 'Grade', d.grade);
            setValue(o, 'Active', d.active);
            setValue(o, 'DateOfBirth', d.dateofbirth);
            objs.push(o);
          }
          await db.transaction((tx) => commitObjects(tx, model, objs));
          kIds = objs.map((o) => o.id);
        },
        () => {
          rIds = Array.from({ length: N }, (_, i) => base + BigInt(i));
          return raw.insert(rIds);
        },
      );
      const [kRead, rRead] = await pair(
        async () => {
          for (let i = 0; i < N; i += BATCH) await retrieveByIds(db, model, 'B.Employee', kIds.slice(i, i + BATCH));
        },
        async () => {
          for (let i = 0; i < N; i += BATCH) await raw.readBatch(rIds.slice(i, i + BATCH));
        },
      );
      const [kOne, rOne] = await pair(
        async () => {
          for (let i = 0; i < SINGLE; i++) await retrieveByIds(db, model, 'B.Employee', [kIds[i]!]);
        },
        async () => {
          for (let i = 0; i < SINGLE; i++) await raw.readOne(rIds[i]!);
        },
      );
      // Update: change two attributes of every object and commit them (Kiln: objects read
      // before the timing, set, committed as batched UPDATEs of the changed columns).
      const loaded: MxObject[] = [];
      for (let i = 0; i < N; i += BATCH) loaded.push(...(await retrieveByIds(db, model, 'B.Employee', kIds.slice(i, i + BATCH))));
      const [kUpdate, rUpdate] = await pair(
        async () => {
          for (let j = 0; j < N; j++) {
            setValue(loaded[j]!, 'Salary', CHANGED[j]!.salary);
            setValue(loaded[j]!, 'Active', CHANGED[j]!.active);
          }
          await db.transaction((tx) => commitObjects(tx, model, loaded));
        },
        () => raw.update(rIds),
      );
      if (measured) {
        keep('kInsert', kInsert);
        keep('rInsert', rInsert);
        keep('kRead', kRead);
        keep('rRead', rRead);
        keep('kOne', kOne);
        keep('rOne', rOne);
        keep('kUpdate', kUpdate);
        keep('rUpdate', rUpdate);
      }
      await db.execute('DELETE FROM "b$employee"', []);
    }
  } finally {
    await raw.close();
    await db.close();
    await t.drop();
  }
  return best;
}

const wanted = (process.argv.slice(2).length ? process.argv.slice(2) : ['sqlite', 'postgres', 'mysql']) as DialectName[];
const cell = (kiln: Took, raw: Took, m: keyof Took) => `${kiln[m].toFixed(0)} / ${raw[m].toFixed(0)} ms / **${(raw[m] / kiln[m]).toFixed(2)}**`;
const child = process.env.KILN_BENCH_CHILD === '1';
if (!child) {
  console.log(
    `| database | time | insert ${N}: Kiln / raw / ratio | read ${N} by id, ${BATCH} per query | read ${SINGLE} by id, one per query | update ${N} (2 attributes) |`,
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
}
if (wanted.length > 1) {
  // One process per database, as Kiln runs on one: in a shared process the code
  // paths common to all dialects (reading rows, for one) would be compiled by the
  // JIT for the rows of every driver, a cost neither a deployment nor the raw
  // drivers' separate code pay.
  for (const d of wanted) {
    const r = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, d], { stdio: 'inherit', env: { ...process.env, KILN_BENCH_CHILD: '1' } });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
} else {
  const d = wanted[0]!;
  const x = await run(d);
  for (const m of ['wall', 'cpu'] as const) {
    console.log(
      `| ${d} | ${m === 'wall' ? 'wall' : 'CPU of the process'} | ${cell(x.kInsert, x.rInsert, m)} | ${cell(x.kRead, x.rRead, m)} | ${cell(x.kOne, x.rOne, m)} | ${cell(x.kUpdate, x.rUpdate, m)} |`,
    );
  }
}
