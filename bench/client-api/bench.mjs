// Client API benchmark: the seeds' overview retrieve (20 rows of 10,000, with
// count) and the commit of an edit, through Kiln's POST /xas/ on PostgreSQL,
// against a minimal Fastify + pg server sending the same statements
// (baseline.mjs). Load from wrk (apt-get install wrk): 32 connections, warm-up
// discarded. Systems are interleaved per round.
//
//   npm run build && node bench/client-api/bench.mjs [--rounds 2] [--duration 10] [--warmup 3] [--connections 32]
//
// Needs PostgreSQL at TEST_PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/test).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import pg from 'pg';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values: opt } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    rows: { type: 'string', default: '10000' },
  },
});
const ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DB = 'kiln_bench_clientapi';
const URL = ADMIN_URL.replace(/\/[^/]*$/, `/${DB}`);
const APP = join(ROOT, 'examples', 'employees');
const work = mkdtempSync(join(tmpdir(), 'kiln-bench-'));

const { loadModel } = await import(join(ROOT, 'dist/model/index.js'));
const { modelChecks } = await import(join(ROOT, 'dist/app/model-checks.js'));
const { resolveSettings } = await import(join(ROOT, 'dist/core/settings.js'));
const { startRuntime } = await import(join(ROOT, 'dist/app/runtime.js'));
const { createLogger } = await import(join(ROOT, 'dist/core/logger.js'));
const { dataComponent } = await import(join(ROOT, 'dist/data/component.js'));
const { createObject, commitObjects } = await import(join(ROOT, 'dist/data/index.js'));
const { buildRegistry } = await import(join(ROOT, 'dist/client-api/registry/index.js'));

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

async function waitFor(url, init, ok = (r) => r.status < 500) {
  const deadline = Date.now() + 60000;
  for (;;) {
    try {
      const r = await fetch(url, init);
      if (ok(r)) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// 1. A fresh database with the app's schema and 10,000 employees, seeded through Kiln's data layer.
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
await admin.query(`CREATE DATABASE ${DB}`);
await admin.end();
const { model } = await loadModel(APP, { checks: modelChecks() });
const settings = await resolveSettings({ cli: { DatabaseUrl: URL, Port: 0, Host: '127.0.0.1', DeploymentDir: join(work, 'seed') } });
const seedRt = await startRuntime({ appDir: APP, model, settings, components: [dataComponent()], log: createLogger('warn') });
const db = seedRt.ctx.services.get('db');
const ids = seedRt.ctx.services.get('ids');
const FIRST = [
  'Ada',
  'Ben',
  'Cleo',
  'Dan',
  'Eva',
  'Finn',
  'Gus',
  'Hana',
  'Ivo',
  'Jill',
  'Karl',
  'Lena',
  'Mo',
  'Nina',
  'Olaf',
  'Pia',
  'Quin',
  'Rosa',
  'Sam',
  'Tess',
];
const LAST = ['Jones', 'Walkers', 'Smith', 'de Vries', 'Jansen', 'Bakker', 'Visser', 'Smit', 'Meijer', 'Mulder'];
const JOBS = ['Accountant', 'Sales Executive', 'Engineer', 'Manager', 'Designer'];
const DEPTS = ['Sales', 'Finance', 'ExpertServices'];
const rows = Number(opt.rows);
const employeeIds = [];
for (let i = 0; i < rows; i += 1000) {
  const batch = [];
  for (let j = i; j < Math.min(rows, i + 1000); j++) {
    const o = await createObject(model, 'MyFirstModule.Employee', ids);
    o.values.set('Firstname', `${FIRST[j % FIRST.length]}${j % 97}`);
    o.values.set('Lastname', LAST[j % LAST.length]);
    o.values.set('Jobtitle', JOBS[j % JOBS.length]);
    o.values.set('Department', DEPTS[j % DEPTS.length]);
    o.values.set('DateOfBirth', new Date(Date.UTC(1960 + (j % 40), j % 12, 1 + (j % 28))));
    batch.push(o);
    employeeIds.push(o.id.toString());
  }
  await db.transaction((tx) => commitObjects(tx, model, batch));
}
// As in the anchors: an index serving ORDER BY firstname, id.
await db.execute('CREATE INDEX "bench_employee_firstname_id" ON "myfirstmodule$employee" ("firstname", "id")', []);
await db.execute('ANALYZE "myfirstmodule$employee"', []);
await seedRt.stop();

const registry = buildRegistry(model);
const listOp = registry.forWidget('MyFirstModule.Employee_Overview', 'dataGrid2_1').id;
const saveOp = registry.forButton('MyFirstModule.Employee_NewEdit', 'dataView1', 0).id;

// 2. The Lua scripts for wrk.
const sample = employeeIds.filter((_, i) => i % 10 === 0);
const luaIds = `local ids = {${sample.map((x) => `"${x}"`).join(',')}}`;
function kilnScripts(cookie, csrf) {
  const headers = `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["Cookie"] = "${cookie}"\nwrk.headers["X-Csrf-Token"] = "${csrf}"\n`;
  const list = `${headers}wrk.body = '${JSON.stringify({ action: 'runtimeOperation', operationId: listOp, params: {}, options: { offset: 0, amount: 20, sort: [], wantCount: true, extraXpath: '' }, changes: {}, objects: [] })}'\n`;
  const edit = `${headers}${luaIds}\nlocal n = 0\nrequest = function()\n  n = n + 1\n  local id = ids[math.random(#ids)]\n  local body = '{"action":"runtimeOperation","operationId":"${saveOp}","params":{"Objects":{"guids":["' .. id .. '"]}},"changes":{"' .. id .. '":{"Jobtitle":{"value":"Job ' .. n .. '"}}},"objects":[]}'\n  return wrk.format(nil, "/xas/", nil, body)\nend\n`;
  return { list, edit };
}
const baseScripts = {
  list: '',
  edit: `wrk.method = "PATCH"\nwrk.headers["Content-Type"] = "application/json"\n${luaIds}\nlocal n = 0\nrequest = function()\n  n = n + 1\n  return wrk.format(nil, "/employees/" .. ids[math.random(#ids)], nil, '{"jobtitle":"Job ' .. n .. '"}')\nend\n`,
};

function toMs(s) {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(s.trim());
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 'ms' ? v : m[2] === 's' ? v * 1000 : v * 60000;
}

function wrk(url, script, seconds) {
  const file = join(work, `s${Math.random().toString(36).slice(2)}.lua`);
  writeFileSync(file, script || 'wrk.method = "GET"\n');
  const out = execFileSync('wrk', ['-t2', `-c${opt.connections}`, `-d${seconds}s`, '--latency', '-s', file, url], { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const p50 = toMs(/\s50%\s+(\S+)/.exec(out)?.[1] ?? '');
  const p99 = toMs(/\s99%\s+(\S+)/.exec(out)?.[1] ?? '');
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const errors = /Socket errors:.*/.exec(out)?.[0] ?? '';
  return { rps, p50, p99, non2xx, errors };
}

async function startKiln() {
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'bin/kiln.js'), 'run', APP, '--db', URL, '--port', String(port), '--deployment-dir', join(work, 'kiln')], {
    env: { ...process.env, KILN_LOG_LEVEL: 'warn', KILN_DATABASE_POOL_SIZE: '10', KILN_HOST: '127.0.0.1' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await waitFor(`http://127.0.0.1:${port}/health`, undefined, (r) => r.status === 200);
  const res = await fetch(`http://127.0.0.1:${port}/xas/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'login', params: { username: 'MxAdmin', password: process.env.KILN_ADMIN_PASSWORD ?? 'Admin1!' } }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const cookie = /XASSESSIONID=[^;]*/.exec(res.headers.get('set-cookie') ?? '')[0];
  const { csrftoken } = await res.json();
  return { child, url: `http://127.0.0.1:${port}/xas/`, scripts: kilnScripts(cookie, csrftoken) };
}

async function startBaseline() {
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'bench/client-api/baseline.mjs')], {
    env: { ...process.env, DATABASE_URL: URL, PORT: String(port), POOL_MAX: '10' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await waitFor(`http://127.0.0.1:${port}/employees`);
  return { child, url: `http://127.0.0.1:${port}/employees`, scripts: baseScripts };
}

/** CPU time (user + system) of a process in ms, from /proc. */
function cpuMs(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

function stop(child) {
  return new Promise((r) => {
    child.on('exit', r);
    child.kill('SIGTERM');
  });
}

// 3. Rounds: baseline then Kiln, list then edit, warm-up discarded.
const results = [];
for (let round = 1; round <= Number(opt.rounds); round++) {
  for (const [system, start] of [
    ['baseline', startBaseline],
    ['kiln', startKiln],
  ]) {
    const s = await start();
    for (const request of ['list', 'edit']) {
      const url = system === 'kiln' || request === 'list' ? s.url : s.url.replace(/\/employees$/, '');
      wrk(url, s.scripts[request], Number(opt.warmup));
      const cpu0 = cpuMs(s.child.pid);
      const r = wrk(url, s.scripts[request], Number(opt.duration));
      const cpuPerReq = (cpuMs(s.child.pid) - cpu0) / (r.rps * Number(opt.duration));
      results.push({ system, request, round, ...r, cpuPerReq });
      process.stderr.write(
        `${system} ${request} round ${round}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, server CPU ${cpuPerReq.toFixed(2)} ms/req${r.non2xx ? `, ${r.non2xx} non-2xx` : ''} ${r.errors}\n`,
      );
    }
    await stop(s.child);
  }
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const lines = [
  `client API benchmark, ${new Date().toISOString().slice(0, 10)}, ${opt.connections} connections, ${opt.warmup} s warm-up + ${opt.duration} s, ${opt.rounds} round(s), ${rows} rows, node ${process.version}`,
  '',
  '| request | system | req/s | p50 ms | p99 ms | server CPU ms/req | ratio to baseline (req/s) |',
  '|---|---|---:|---:|---:|---:|---:|',
];
for (const request of ['list', 'edit']) {
  const base = mean(results.filter((r) => r.system === 'baseline' && r.request === request).map((r) => r.rps));
  for (const system of ['baseline', 'kiln']) {
    const rs = results.filter((r) => r.system === system && r.request === request);
    const rps = mean(rs.map((r) => r.rps));
    lines.push(
      `| ${request === 'list' ? 'overview retrieve (20 of 10,000 + count)' : 'commit of an edit'} | ${system} | ${rps.toFixed(0)} | ${mean(rs.map((r) => r.p50)).toFixed(1)} | ${mean(rs.map((r) => r.p99)).toFixed(1)} | ${mean(rs.map((r) => r.cpuPerReq)).toFixed(2)} | ${(rps / base).toFixed(2)} |`,
    );
  }
}
console.log(lines.join('\n'));
rmSync(work, { recursive: true, force: true });
