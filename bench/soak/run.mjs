// Soak: `kiln run examples/employees` on PostgreSQL (10,000 employees) under the mixed workload of
// seed 004 — the overview retrieve (60%), the Save commit of an edit (30%), a create (the New
// button's create, then Save's commit: 10%) — from 32 concurrent keep-alive connections for 10
// minutes. Every 30 s it samples the server's RSS (from /proc) and prints it with the requests and
// failures of the interval; a failed request is any answer but 200 (or a network error).
//
//   npm run build && node bench/soak/run.mjs [--minutes 10] [--connections 32] [--sample 30]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';

const ROOT = resolve(import.meta.dirname, '../..');
const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    sample: { type: 'string', default: '30' },
    rows: { type: 'string', default: '10000' },
  },
});
const ADMIN = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NAME = `kiln_soak_${process.pid}`;
const URL = ADMIN.replace(/\/[^/]*$/, `/${NAME}`);
const APP = join(ROOT, 'examples/employees');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rssMb = (pid) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
};
const freePort = () =>
  new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });

const admin = new pg.Client({ connectionString: ADMIN });
await admin.connect();
await admin.query(`CREATE DATABASE ${NAME}`);
await admin.end();
const work = mkdtempSync(join(tmpdir(), 'kiln-soak-'));

// The schema and the employees, through Kiln's data layer (as bench/anchors seeds them).
{
  const { loadModel } = await import(join(ROOT, 'dist/model/index.js'));
  const { modelChecks } = await import(join(ROOT, 'dist/app/model-checks.js'));
  const { resolveSettings } = await import(join(ROOT, 'dist/core/settings.js'));
  const { startRuntime } = await import(join(ROOT, 'dist/app/runtime.js'));
  const { createLogger } = await import(join(ROOT, 'dist/core/logger.js'));
  const { defaultComponents } = await import(join(ROOT, 'dist/app/components.js'));
  const { createObject, commitObjects } = await import(join(ROOT, 'dist/data/index.js'));
  const { setValue } = await import(join(ROOT, 'dist/objects/mx-object.js'));
  const { model } = await loadModel(APP, { checks: modelChecks() });
  const settings = await resolveSettings({ cli: { DatabaseUrl: URL, Port: 0, Host: '127.0.0.1', DeploymentDir: join(work, 'seed') } });
  const rt = await startRuntime({ appDir: APP, model, settings, components: defaultComponents(), log: createLogger('warn') });
  const db = rt.ctx.services.get('db');
  const ids = rt.ctx.services.get('ids');
  for (let done = 0; done < Number(args.rows); done += 1000) {
    const batch = [];
    for (let i = done; i < Math.min(done + 1000, Number(args.rows)); i++) {
      const o = await createObject(model, 'MyFirstModule.Employee', ids);
      setValue(o, 'Firstname', `First${i % 997}`);
      setValue(o, 'Lastname', `Last${i}`);
      setValue(o, 'Jobtitle', 'Engineer');
      setValue(o, 'Department', 'Sales');
      batch.push(o);
    }
    await db.transaction((tx) => commitObjects(tx, model, batch));
  }
  await rt.stop({ timeoutMs: 5000 });
}
const c = new pg.Client({ connectionString: URL });
await c.connect();
const employeeIds = (await c.query('SELECT id::text AS id FROM "myfirstmodule$employee"')).rows.map((r) => r.id);
await c.end();

const port = await freePort();
const deploymentDir = join(work, 'deployment');
const child = spawn(process.execPath, [join(ROOT, 'bin/kiln.js'), 'run', APP, '--db', URL, '--port', String(port), '--deployment-dir', deploymentDir], {
  cwd: ROOT,
  env: { ...process.env, KILN_LOG_LEVEL: 'warn', KILN_HOST: '127.0.0.1' },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const base = `http://127.0.0.1:${port}`;
for (;;) {
  if (child.exitCode !== null) throw new Error('kiln exited early');
  try {
    if ((await fetch(`${base}/health`)).status === 200) break;
  } catch {
    /* not yet */
  }
  await sleep(50);
}
const login = await fetch(`${base}/xas/`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ action: 'login', params: { username: 'MxAdmin', password: process.env.KILN_ADMIN_PASSWORD ?? 'Admin1!' } }),
});
const cookie = /XASSESSIONID=[^;]*/.exec(login.headers.get('set-cookie') ?? '')?.[0];
const { csrftoken } = await login.json();
const ops = JSON.parse(readFileSync(join(deploymentDir, 'model', 'operations.json'), 'utf8'));
const opId = (pred) => ops.find(pred).operationId;
const LIST = opId((o) => o.operationType === 'retrieve' && o.constants.WidgetName === 'MyFirstModule.Employee_Overview.dataGrid2_1');
const CREATE = opId((o) => o.operationType === 'create' && o.constants.ObjectType === 'MyFirstModule.Employee');
const COMMIT = opId((o) => o.operationType === 'commit');
const headers = { 'content-type': 'application/json', cookie, 'x-csrf-token': csrftoken };
const xas = async (operationId, rest) => {
  const r = await fetch(`${base}/xas/`, { method: 'POST', headers, body: JSON.stringify({ action: 'runtimeOperation', operationId, ...rest }) });
  const text = await r.text();
  if (r.status !== 200) throw new Error(`${r.status} ${text.slice(0, 200)}`);
  return text;
};
const rnd = (n) => Math.floor(Math.random() * n);

let requests = 0;
let failures = 0;
let lastError = '';
const one = async () => {
  const p = Math.random();
  if (p < 0.6) {
    await xas(LIST, { params: {}, options: { offset: rnd(50) * 20, amount: 20, sort: [], wantCount: true, extraXpath: '' }, changes: {}, objects: [] });
    requests++;
  } else if (p < 0.9) {
    const id = employeeIds[rnd(employeeIds.length)];
    await xas(COMMIT, { params: { Objects: { guids: [id] } }, changes: { [id]: { Jobtitle: { value: `Job ${rnd(1000)}` } } }, objects: [] });
    requests++;
  } else {
    const o = JSON.parse(await xas(CREATE, { params: {}, changes: {}, objects: [] })).objects[0];
    requests++;
    const n = rnd(1e6);
    await xas(COMMIT, {
      params: { Objects: { guids: [o.guid] } },
      changes: { [o.guid]: { Firstname: { value: 'Soak' }, Lastname: { value: `Create${n}` }, Jobtitle: { value: 'Tester' }, Department: { value: 'QA' } } },
      objects: [o],
    });
    requests++;
  }
};
const end = Date.now() + Number(args.minutes) * 60_000;
const worker = async () => {
  while (Date.now() < end) {
    try {
      await one();
    } catch (e) {
      failures++;
      lastError = e instanceof Error ? e.message : String(e);
    }
  }
};
console.log(`soak: ${args.minutes} min, ${args.connections} connections, RSS sampled every ${args.sample} s (idle RSS ${rssMb(child.pid).toFixed(1)} MB)`);
console.log('| minute | RSS MB | requests in interval | req/s | failed | load average |');
console.log('| -----: | -----: | -------------------: | ----: | -----: | -----------: |');
const t0 = Date.now();
let prev = 0;
const sampler = setInterval(() => {
  const n = requests - prev;
  prev = requests;
  console.log(
    `| ${((Date.now() - t0) / 60000).toFixed(1)} | ${rssMb(child.pid).toFixed(1)} | ${n} | ${(n / Number(args.sample)).toFixed(0)} | ${failures} | ${loadavg()[0].toFixed(1)} |`,
  );
}, Number(args.sample) * 1000);
await Promise.all(Array.from({ length: Number(args.connections) }, worker));
clearInterval(sampler);
console.log(`done: ${requests} requests, ${failures} failed${failures ? ` (last: ${lastError})` : ''}; RSS at the end ${rssMb(child.pid).toFixed(1)} MB`);
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
rmSync(work, { recursive: true, force: true });
const d = new pg.Client({ connectionString: ADMIN });
await d.connect();
await d.query(`DROP DATABASE IF EXISTS ${NAME} WITH (FORCE)`);
await d.end();
process.exit(failures ? 1 : 0);
