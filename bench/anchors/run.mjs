// Kiln beside the anchors: one run that measures the seeds' employee workload on the raw
// Fastify + pg server (base), SAP CAP (cap) and Directus (directus) of
// ../shared/bench-anchors/, and on Kiln (examples/employees, seed 004's runtime operations,
// logged in), on the same PostgreSQL, with the same load generator and parameters.
//
//   npm run bench:anchors -- [--rounds 2] [--systems base,cap,directus,kiln]
//                            [--requests list,edit,create] [--warmup 3] [--duration 10] [--connections 32]
//
// Needs ../shared/bench-anchors set up (its README, "Setup (once)"). Each round re-seeds every
// system's table (the anchors' seed.js; Kiln gets the same rows through its data layer on its
// own database, kiln_anchors, with the same extra index on (firstname, id)), starts all
// servers (the anchors' as their run-all.js starts them; Kiln from the built dist as
// `node bin/kiln.js run examples/employees --db ... --port N`), then measures each request on
// each system in turn: the anchors with their own bench.js, Kiln with kiln-load.mjs, its
// counterpart. Interleaving per request rather than per system keeps the measurements that
// are compared a few seconds apart: on 2 cores shared with other work, throughput drifts by
// a factor of 2-4 within minutes. Base and Kiln are measured next to each other, in
// alternating order per round. Servers are stopped at the end of the round.
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, openSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir, loadavg, cpus, totalmem, hostname } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { report } from './report.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values: opt } = parseArgs({
  options: {
    anchors: { type: 'string' },
    systems: { type: 'string', default: 'base,cap,directus,kiln' },
    requests: { type: 'string', default: 'list,edit,create' },
    rounds: { type: 'string', default: '2' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
  },
});
// ../shared/bench-anchors beside the checkout (/work/main), or two up from a worktree (/work/wt/x)
const ANCHORS = resolve(
  opt.anchors ??
    process.env.BENCH_ANCHORS_DIR ??
    [join(ROOT, '..', 'shared', 'bench-anchors'), join(ROOT, '..', '..', 'shared', 'bench-anchors')].find((d) => existsSync(d)) ??
    '../shared/bench-anchors',
);
if (!existsSync(join(ANCHORS, 'node_modules', 'autocannon'))) {
  throw new Error(`${ANCHORS}: not set up (see its README.md, "Setup (once)"), or pass --anchors <dir>`);
}
const systems = opt.systems.split(',');
const requests = opt.requests.split(',');
const rounds = Number(opt.rounds);
const load = { connections: Number(opt.connections), warmup: Number(opt.warmup), duration: Number(opt.duration) };
// The anchors' own settings: database server, pool size, rows.
const acfg = createRequire(join(ANCHORS, 'package.json'))('./config.js');
const pgServer = `postgres://${acfg.pg.user}@${acfg.pg.host}:${acfg.pg.port}`;
const KILN_DB = 'kiln_anchors';
const KILN_URL = `${pgServer}/${KILN_DB}`;
const APP = join(ROOT, 'examples', 'employees');
const work = mkdtempSync(join(tmpdir(), 'kiln-anchors-'));
const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
const log = (m) => process.stderr.write(`${m}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const { loadModel } = await import(join(ROOT, 'dist/model/index.js'));
const { modelChecks } = await import(join(ROOT, 'dist/app/model-checks.js'));
const { resolveSettings } = await import(join(ROOT, 'dist/core/settings.js'));
const { startRuntime } = await import(join(ROOT, 'dist/app/runtime.js'));
const { createLogger } = await import(join(ROOT, 'dist/core/logger.js'));
const { dataComponent } = await import(join(ROOT, 'dist/data/component.js'));
const { createObject, commitObjects } = await import(join(ROOT, 'dist/data/index.js'));

function runNode(argv, cwd) {
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, argv, { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
    });
    p.on('exit', (code) => (code === 0 ? res(out) : rej(new Error(`${argv.join(' ')} exited ${code}`))));
  });
}

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
    s.on('error', rej);
  });
}

// The anchors' rows: their seed.js fills base.employee deterministically; Kiln gets the same.
async function anchorRows() {
  await runNode(['seed.js', 'base'], ANCHORS);
  const c = new pg.Client({ ...acfg.pg });
  await c.connect();
  const { rows } = await c.query(`SELECT firstname, lastname, jobtitle, department,
    (extract(epoch FROM dateofbirth) * 1000)::float8 AS dob FROM base.employee ORDER BY id`);
  await c.end();
  return rows;
}

/** A fresh Kiln database with the app's schema and the anchors' rows, through Kiln's data layer. */
async function seedKiln(rows) {
  const admin = new pg.Client({ connectionString: `${pgServer}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${KILN_DB} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${KILN_DB}`);
  await admin.end();
  const { model } = await loadModel(APP, { checks: modelChecks() });
  const settings = await resolveSettings({ cli: { DatabaseUrl: KILN_URL, Port: 0, Host: '127.0.0.1', DeploymentDir: join(work, 'seed') } });
  const rt = await startRuntime({ appDir: APP, model, settings, components: [dataComponent()], log: createLogger('warn') });
  const db = rt.ctx.services.get('db');
  const ids = rt.ctx.services.get('ids');
  const employeeIds = [];
  for (let i = 0; i < rows.length; i += 1000) {
    const batch = [];
    for (const r of rows.slice(i, i + 1000)) {
      const o = await createObject(model, 'MyFirstModule.Employee', ids);
      o.values.set('Firstname', r.firstname);
      o.values.set('Lastname', r.lastname);
      o.values.set('Jobtitle', r.jobtitle);
      o.values.set('Department', r.department);
      o.values.set('DateOfBirth', new Date(r.dob));
      batch.push(o);
      employeeIds.push(o.id.toString());
    }
    await db.transaction((tx) => commitObjects(tx, model, batch));
  }
  // the anchors' index (seed.js gives every system's table one on (firstname, id))
  await db.execute('CREATE INDEX "employee_firstname_id" ON "myfirstmodule$employee" ("firstname", "id")', []);
  await db.execute('VACUUM ANALYZE "myfirstmodule$employee"', []);
  await rt.stop();
  return employeeIds;
}

/** Seed 004's operations, by what they are, from the registry Kiln writes at start-up. */
function operationIds(deploymentDir) {
  const ops = JSON.parse(readFileSync(join(deploymentDir, 'model', 'operations.json'), 'utf8'));
  const one = (what, pred) => {
    const found = ops.filter(pred);
    if (found.length !== 1) throw new Error(`operations.json: expected one ${what}, found ${found.length}`);
    return found[0].operationId;
  };
  return {
    list: one('overview retrieve', (o) => o.operationType === 'retrieve' && o.constants.WidgetName === 'MyFirstModule.Employee_Overview.dataGrid2_1'),
    create: one('create of Employee', (o) => o.operationType === 'create' && o.constants.ObjectType === 'MyFirstModule.Employee'),
    commit: one('commit (Save button)', (o) => o.operationType === 'commit'),
  };
}

const rssKb = (pid) => {
  try {
    return Number(
      execFileSync('ps', ['-o', 'rss=', '-p', String(pid)])
        .toString()
        .trim(),
    );
  } catch {
    return null;
  }
};

async function startKiln(logFile) {
  const port = await freePort();
  const deploymentDir = join(work, `kiln-${Date.now()}`);
  const out = openSync(logFile, 'w');
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [join(ROOT, 'bin/kiln.js'), 'run', APP, '--db', KILN_URL, '--port', String(port), '--deployment-dir', deploymentDir], {
    cwd: ROOT,
    env: { ...process.env, KILN_LOG_LEVEL: 'warn', KILN_DATABASE_POOL_SIZE: String(acfg.poolMax), KILN_HOST: '127.0.0.1' },
    stdio: ['ignore', out, out],
  });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`kiln exited early, see ${logFile}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).status === 200) break;
    } catch {
      /* not yet */
    }
    if (Number(process.hrtime.bigint() - t0) / 1e6 > 120000) throw new Error('kiln did not come up in 120 s');
    await sleep(20);
  }
  const startupMs = Math.round(Number(process.hrtime.bigint() - t0) / 1e6);
  const res = await fetch(`http://127.0.0.1:${port}/xas/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'login', params: { username: 'MxAdmin', password: process.env.KILN_ADMIN_PASSWORD ?? 'Admin1!' } }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const cookie = /XASSESSIONID=[^;]*/.exec(res.headers.get('set-cookie') ?? '')?.[0];
  const { csrftoken } = await res.json();
  return { child, port, cookie, csrf: csrftoken, ops: operationIds(deploymentDir), startupMs, idleRssKb: rssKb(child.pid) };
}

async function stopServer(child) {
  if (child.exitCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  process.kill(child.pid, 'SIGTERM');
  const t = setTimeout(() => {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }, 5000);
  await gone;
  clearTimeout(t);
}

// How run-all.js starts the anchors (its SERVERS table; CAP_DIR / DIRECTUS_DIR as there).
const ANCHOR_SERVERS = {
  base: { cwd: ANCHORS, cmd: ['baseline/server.js'], env: {}, probe: '/employees' },
  cap: {
    cwd: join(ANCHORS, process.env.CAP_DIR || 'cap'),
    cmd: ['node_modules/@sap/cds/bin/serve.js'],
    env: { NODE_ENV: 'production', PORT: String(acfg.ports.cap) },
    probe: '/odata/v4/employee/Employees?$top=20&$orderby=firstname,ID&$count=true',
  },
  directus: {
    cwd: join(ANCHORS, process.env.DIRECTUS_DIR || 'directus'),
    cmd: ['start.mjs'],
    env: {},
    probe: '/items/employee?limit=20&sort=firstname,id&meta=total_count',
  },
};

async function startAnchor(sys, logFile) {
  const s = ANCHOR_SERVERS[sys];
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, s.cmd, {
    cwd: s.cwd,
    env: { ...process.env, ...s.env },
    stdio: ['ignore', openSync(logFile, 'w'), openSync(logFile, 'a')],
  });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${sys} exited early, see ${logFile}`);
    try {
      if ((await fetch(`http://127.0.0.1:${acfg.ports[sys]}${s.probe}`)).status === 200) break;
    } catch {
      /* not yet */
    }
    if (Number(process.hrtime.bigint() - t0) / 1e6 > 120000) throw new Error(`${sys} did not come up in 120 s`);
    await sleep(20);
  }
  return { child, startupMs: Math.round(Number(process.hrtime.bigint() - t0) / 1e6), idleRssKb: rssKb(child.pid) };
}

/** One measurement: the anchors' bench.js, or kiln-load.mjs for Kiln. */
async function measure(sys, server, request, round) {
  let r;
  if (sys === 'kiln') {
    const cfgFile = join(work, 'load.json');
    writeFileSync(
      cfgFile,
      JSON.stringify({
        anchorsDir: ANCHORS,
        port: server.port,
        cookie: server.cookie,
        csrf: server.csrf,
        ops: server.ops,
        ids: server.ids,
        pid: server.child.pid,
        ...load,
      }),
    );
    r = JSON.parse((await runNode([join(ROOT, 'bench/anchors/kiln-load.mjs'), cfgFile, request], ROOT)).trim().split('\n').pop());
    // one create is two runtime operations: count per user action, like the anchors' one POST
    const per = r.requestsPerAction;
    Object.assign(r, {
      httpReqPerSec: r.reqPerSec,
      reqPerSec: r.reqPerSec / per,
      serverCpuMsPerReq: +(r.serverCpuMsPerReq * per).toFixed(3),
      dbCpuMsPerReq: +(r.dbCpuMsPerReq * per).toFixed(3),
    });
  } else {
    r = JSON.parse(
      (
        await runNode(
          [
            'bench.js',
            '--system',
            sys,
            '--request',
            request,
            '--pid',
            String(server.child.pid),
            '--connections',
            String(load.connections),
            '--warmup',
            String(load.warmup),
            '--duration',
            String(load.duration),
            '--idStart',
            String(1000000 * round),
          ],
          ANCHORS,
        )
      )
        .trim()
        .split('\n')
        .pop(),
    );
  }
  r.round = round;
  r.loadavg1 = +loadavg()[0].toFixed(1);
  log(
    `[round ${round}] ${sys} ${request} (load ${r.loadavg1}): ${r.reqPerSec.toFixed(0)} /s${r.requestsPerAction > 1 ? ` (${r.httpReqPerSec.toFixed(0)} HTTP req/s)` : ''}, p50 ${r.p50} ms, p99 ${r.p99} ms, ` +
      `errors ${r.errors + r.timeouts + r.non2xx}, cpu/req server ${r.serverCpuMsPerReq} ms db ${r.dbCpuMsPerReq} ms`,
  );
  return r;
}

async function runRound(round, rows, results) {
  const servers = {};
  try {
    for (const sys of systems) {
      log(`[round ${round}] ${sys}: seeding`);
      let ids;
      if (sys === 'kiln') ids = await seedKiln(rows);
      else await runNode(['seed.js', sys], ANCHORS);
      const logFile = join(work, `${sys}-r${round}.log`);
      servers[sys] = sys === 'kiln' ? { ...(await startKiln(logFile)), ids } : await startAnchor(sys, logFile);
      const { startupMs, idleRssKb, child } = servers[sys];
      results.startups.push({ system: sys, round, startupMs, idleRssKb });
      log(`[round ${round}] ${sys}: up in ${startupMs} ms (pid ${child.pid}, RSS ${idleRssKb} kB)`);
    }
    // base and Kiln side by side, their order alternating per round
    const order = ['base', 'kiln', 'cap', 'directus'].filter((s) => systems.includes(s));
    if (round % 2 === 0) order.reverse();
    for (const request of requests) {
      for (const sys of order) results.runs.push(await measure(sys, servers[sys], request, round));
    }
  } finally {
    for (const s of Object.values(servers)) await stopServer(s.child);
  }
}

function pgVersion() {
  try {
    return execFileSync('psql', ['-h', acfg.pg.host, '-p', String(acfg.pg.port), '-U', acfg.pg.user, '-d', 'postgres', '-Atc', 'SHOW server_version'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    return '?';
  }
}

// versions as run-all.js records them, plus Kiln's commit
const ver = (dir, pkg) => {
  try {
    return JSON.parse(readFileSync(join(dir, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
};
const capDir = ANCHOR_SERVERS.cap.cwd,
  directusDir = ANCHOR_SERVERS.directus.cwd;
let kilnCommit = '?';
try {
  kilnCommit = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
} catch {
  /* not a checkout */
}
const results = {
  versions: {
    kiln: kilnCommit,
    fastify: ver(ANCHORS, 'fastify'),
    pg: ver(ANCHORS, 'pg'),
    autocannon: ver(ANCHORS, 'autocannon'),
    '@sap/cds': ver(capDir, '@sap/cds'),
    '@cap-js/postgres': ver(capDir, '@cap-js/postgres'),
    directus: ver(directusDir, 'directus'),
    '@directus/api': ver(directusDir, '@directus/api'),
  },
  startedAt: new Date().toISOString(),
  node: process.version,
  postgres: pgVersion(),
  host: hostname(),
  cpus: `${cpus().length} x ${cpus()[0]?.model ?? '?'}`,
  memGb: +(totalmem() / 2 ** 30).toFixed(1),
  load,
  loadavgStart: loadavg().map((x) => +x.toFixed(2)),
  runs: [],
  startups: [],
};
const rows = await anchorRows();
for (let round = 1; round <= rounds; round++) await runRound(round, rows, results);
results.loadavgEnd = loadavg().map((x) => +x.toFixed(2));
results.finishedAt = new Date().toISOString();
const file = join(tmpdir(), `kiln-bench-anchors-${stamp}.json`);
writeFileSync(file, JSON.stringify(results, null, 2));
console.log(report(results));
log(`all runs: ${file} (table again: node bench/anchors/report.mjs ${file})`);
rmSync(work, { recursive: true, force: true });
