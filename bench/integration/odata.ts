// OData benchmark: one filtered, paged, counted query of a published OData service.
//   npm run build && npx tsx bench/integration/odata.ts [--rows 10000] [--seconds 5] [--connections 16] [--cap <dir>]
// The same question, on the same 10,000 Employee rows (the anchors' workload, the shape of
// ../shared/bench-anchors' seed) in one fresh PostgreSQL database, asked of
//   Kiln   GET /odata/bench/v1/Employees?$filter=Department eq 'Sales'&$orderby=Firstname&$top=20&$count=true
//          (a published OData service, anonymous with entity access, served from dist in its own process),
//   CAP    GET /odata/v4/employee/Employees?$filter=department eq 'Sales'&$orderby=firstname&$top=20&$count=true
//          (SAP CAP, the anchors' cap/ project: @sap/cds + @cap-js/postgres, its OData v4 service, dummy auth),
//   raw    the same page and count from a Fastify + pg server (two SELECTs in parallel, the same JSON).
// Each table has the anchors' index on (firstname, id) and one on (department). CAP runs from a copy of
// the anchors' cap/ folder with its node_modules (--cap, default /tmp/kiln-bench-cap: `npm ci` there once).
// The load generator is a keep-alive fetch loop in this process; each figure is the best of 3 batches,
// the servers taking turns (the machine is shared). Ratios: Kiln / raw and Kiln / CAP.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { load, waitFor } from './http-load.js';
import pg from 'pg';
import { createLogger } from '../../src/core/logger.js';
import { commitObjects, createIdGenerator, createObject, openDatabase, syncSchema } from '../../src/data/index.js';
import { loadModel } from '../../src/model/index.js';
import { setValue, type MxObject } from '../../src/objects/mx-object.js';
import { writeApp } from '../../test/support/app-folder.js';
import { freshDatabase } from '../../test/support/databases.js';

const { values: opt } = parseArgs({
  options: {
    rows: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '16' },
    cap: { type: 'string', default: '/tmp/kiln-bench-cap' },
  },
});
const ROWS = Number(opt.rows);
const SECONDS = Number(opt.seconds);
const CONNECTIONS = Number(opt.connections);
const CAP_DIR = opt.cap;
const ROOT = join(import.meta.dirname, '..', '..');
const log = createLogger('silent');

const APP = {
  'app.yaml': `name: Bench
modules: [Bench]
security:
  level: production
  userRoles: { Guest: [Bench.Guest] }
  anonymousRole: Guest
`,
  'modules/Bench/domain-model.yaml': `moduleRoles: [Guest]
entities:
  Employee:
    attributes:
      Firstname: { type: String, length: 200 }
      Lastname: { type: String, length: 200 }
      Jobtitle: { type: String, length: 200 }
      Department: { type: String, length: 200 }
      DateOfBirth: { type: DateTime, localize: false }
    indexes: [{ attributes: [Firstname] }, { attributes: [Department] }]
    access: [{ roles: [Guest], read: "*" }]
`,
  'modules/Bench/odata/Bench.yaml': `entitySets:
  Employees: { entity: Employee }
`,
};

const FIRST = ['Aaron', 'Abigail', 'Adam', 'Alice', 'Anna', 'Ben', 'Carla', 'Chen', 'Daniel', 'Elena', 'Emma', 'Felix', 'Greta', 'Hans', 'Ines', 'Jack'];
const LAST = ['Andersen', 'Bakker', 'Becker', 'Brown', 'Chen', 'Costa', 'Dubois', 'Fischer', 'Garcia', 'Hansen', 'Kim', 'Lee'];
const JOBS = ['Accountant', 'Analyst', 'Architect', 'Consultant', 'Designer', 'Developer', 'Director', 'Engineer'];
const DEPTS = ['Engineering', 'Finance', 'Human Resources', 'Legal', 'Marketing', 'Operations', 'Product', 'Sales', 'Support', 'Research'];

/** Deterministic rows (mulberry32, as the anchors' seed): id, firstname, lastname, jobtitle, department, dateofbirth. */
function rows(n: number): [number, string, string, string, string, Date][] {
  let seed = 20240611;
  const rnd = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(a: readonly T[]) => a[Math.floor(rnd() * a.length)]!;
  return Array.from({ length: n }, (_, i) => [
    i + 1,
    pick(FIRST),
    pick(LAST),
    pick(JOBS),
    pick(DEPTS),
    new Date(Date.UTC(1960 + Math.floor(rnd() * 44), 0, 1)),
  ]);
}

const LOAD = { seconds: SECONDS, connections: CONNECTIONS };
const freePort = () => 18000 + Math.floor(Math.random() * 2000);
const data = rows(ROWS);
const db = await freshDatabase('postgres');
const children: ChildProcess[] = [];
const pool = new pg.Pool({ connectionString: db.url, max: 10 });
const raw = Fastify();
try {
  // Kiln's table, through its own data layer.
  const dir = writeApp(APP);
  const { model, diagnostics } = await loadModel(dir);
  if (!model) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  const kdb = await openDatabase(db.url, { log, poolSize: 2 });
  await syncSchema(kdb, model, { allowDestructive: false, log });
  const ids = await createIdGenerator(kdb, model);
  for (let i = 0; i < data.length; i += 1000) {
    const objs: MxObject[] = [];
    for (const [, f, l, j, d, dob] of data.slice(i, i + 1000)) {
      const o = await createObject(model, 'Bench.Employee', ids);
      setValue(o, 'Firstname', f);
      setValue(o, 'Lastname', l);
      setValue(o, 'Jobtitle', j);
      setValue(o, 'Department', d);
      setValue(o, 'DateOfBirth', dob);
      objs.push(o);
    }
    await kdb.transaction((tx) => commitObjects(tx, model, objs));
  }
  await kdb.close();
  await pool.query('CREATE INDEX bench_employee_firstname_id ON "bench$employee" (firstname, id)');

  // CAP's table, as cds-deploy creates it, with the same rows and indexes (plus the anchors' NULLS FIRST one).
  if (!existsSync(join(CAP_DIR, 'node_modules', '@sap', 'cds'))) throw new Error(`${CAP_DIR}: copy ../shared/bench-anchors/cap there and run npm ci`);
  const u = new URL(db.url);
  const capEnv = {
    ...process.env,
    NODE_ENV: 'production',
    CDS_REQUIRES_DB_CREDENTIALS_HOST: u.hostname,
    CDS_REQUIRES_DB_CREDENTIALS_PORT: u.port || '5432',
    CDS_REQUIRES_DB_CREDENTIALS_USER: decodeURIComponent(u.username),
    CDS_REQUIRES_DB_CREDENTIALS_DATABASE: u.pathname.slice(1),
    // A shared machine: the default second to get a pooled connection is too short under load (CAP answers 500).
    CDS_REQUIRES_DB_POOL_ACQUIRETIMEOUTMILLIS: '30000',
  };
  await new Promise<void>((resolve, reject) => {
    const p = spawn(process.execPath, [join(CAP_DIR, 'node_modules', '@sap', 'cds', 'bin', 'deploy.js')], {
      cwd: CAP_DIR,
      env: capEnv,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`cds-deploy exited ${code}`))));
  });
  for (let i = 0; i < data.length; i += 1000) {
    const chunk = data.slice(i, i + 1000);
    const params: unknown[] = [];
    const tuples = chunk.map((r, j) => {
      params.push(...r);
      return `($${j * 6 + 1},$${j * 6 + 2},$${j * 6 + 3},$${j * 6 + 4},$${j * 6 + 5},$${j * 6 + 6})`;
    });
    await pool.query(`INSERT INTO anchors_employee (id, firstname, lastname, jobtitle, department, dateofbirth) VALUES ${tuples.join(',')}`, params);
  }
  await pool.query('CREATE INDEX cap_employee_firstname_id ON anchors_employee (firstname, id)');
  await pool.query('CREATE INDEX cap_employee_firstname_id_nf ON anchors_employee (firstname NULLS FIRST, id NULLS FIRST)');
  await pool.query('CREATE INDEX cap_employee_department ON anchors_employee (department)');
  await pool.query('VACUUM ANALYZE anchors_employee');
  await pool.query('VACUUM ANALYZE "bench$employee"');

  const kilnPort = freePort();
  const kiln = spawn(
    process.execPath,
    [join(ROOT, 'bin/kiln.js'), 'run', dir, '--db', db.url, '--port', String(kilnPort), '--deployment-dir', mkdtempSync(join(tmpdir(), 'kiln-bench-odata-'))],
    { cwd: ROOT, env: { ...process.env, KILN_LOG_LEVEL: 'warn', KILN_HOST: '127.0.0.1' }, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  children.push(kiln);
  const capPort = kilnPort + 1;
  const cap = spawn(process.execPath, [join(CAP_DIR, 'node_modules', '@sap', 'cds', 'bin', 'serve.js')], {
    cwd: CAP_DIR,
    env: { ...capEnv, PORT: String(capPort) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(cap);

  // The raw server: the same page and count, two SELECTs on the pool at once, OData-shaped JSON.
  raw.get('/Employees', async (_req, reply) => {
    const [page, count] = await Promise.all([
      pool.query({
        name: 'page',
        text: 'SELECT id, firstname, lastname, jobtitle, department, dateofbirth FROM "bench$employee" WHERE department = $1 ORDER BY firstname, id LIMIT 20',
        values: ['Sales'],
      }),
      pool.query({ name: 'count', text: 'SELECT count(*) AS n FROM "bench$employee" WHERE department = $1', values: ['Sales'] }),
    ]);
    return reply.send({
      '@odata.count': Number(count.rows[0].n),
      value: page.rows.map((x) => ({
        ID: String(x.id),
        Firstname: x.firstname,
        Lastname: x.lastname,
        Jobtitle: x.jobtitle,
        Department: x.department,
        DateOfBirth: x.dateofbirth?.toISOString() ?? null,
      })),
    });
  });
  await raw.listen({ port: 0, host: '127.0.0.1' });

  const filter = encodeURIComponent("Department eq 'Sales'");
  const urls = {
    kiln: `http://127.0.0.1:${kilnPort}/odata/bench/v1/Employees?$filter=${filter}&$orderby=Firstname&$top=20&$count=true`,
    cap: `http://127.0.0.1:${capPort}/odata/v4/employee/Employees?$filter=${encodeURIComponent("department eq 'Sales'")}&$orderby=firstname&$top=20&$count=true`,
    raw: `http://127.0.0.1:${(raw.server.address() as AddressInfo).port}/Employees`,
  };
  await waitFor(`http://127.0.0.1:${kilnPort}/health`, kiln);
  await waitFor(urls.cap, cap);
  const counts = await Promise.all(Object.values(urls).map(async (url) => ((await (await fetch(url)).json()) as { '@odata.count': number })['@odata.count']));
  if (new Set(counts).size !== 1) throw new Error(`the systems count differently: ${counts.join(', ')}`);
  const best = { kiln: 0, cap: 0, raw: 0 };
  for (const s of ['kiln', 'cap', 'raw'] as const) await load(urls[s], LOAD); // warm-up
  for (let round = 0; round < 3; round++) for (const s of ['raw', 'kiln', 'cap'] as const) best[s] = Math.max(best[s], await load(urls[s], LOAD));
  console.log('| figure | Kiln /s | raw /s | CAP /s | Kiln / raw | Kiln / CAP |\n| --- | --- | --- | --- | --- | --- |');
  console.log(
    `| GET Employees?$filter=Department eq 'Sales'&$orderby&$top=20&$count=true, ${ROWS} rows (${counts[0]} match), ${CONNECTIONS} connections | ${best.kiln.toFixed(0)} | ${best.raw.toFixed(0)} | ${best.cap.toFixed(0)} | ${((100 * best.kiln) / best.raw).toFixed(0)}% | ${((100 * best.kiln) / best.cap).toFixed(0)}% |`,
  );
} finally {
  for (const c of children) c.kill('SIGTERM');
  await raw.close();
  await pool.end();
  await new Promise((r) => setTimeout(r, 1000));
  await db.drop();
}
