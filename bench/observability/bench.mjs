// The cost of metrics and tracing on the seeds' overview request (POST /xas/ retrieve of
// 20 employees of 2,000 with count, logged in as MxAdmin), on SQLite: the same `kiln run`
// started three ways per round — observability off, metrics on (admin API + /metrics),
// metrics and tracing on (OTLP to a receiver in this process that discards the spans) —
// and driven by a fixed number of concurrent fetch loops. Reports req/s and the ratio to off.
//
//   npm run build && node bench/observability/bench.mjs [--rounds 2] [--seconds 8] [--connections 16]
import { spawn } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values: opt } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    seconds: { type: 'string', default: '8' },
    connections: { type: 'string', default: '16' },
    rows: { type: 'string', default: '2000' },
  },
});
const APP = join(ROOT, 'examples', 'employees');
const work = mkdtempSync(join(tmpdir(), 'kiln-bench-obs-'));
const DB = `sqlite:${join(work, 'app.sqlite')}`;

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

// 1. The database: the app's schema and the employees, through Kiln's data layer.
const { model } = await loadModel(APP, { checks: modelChecks() });
const seedRt = await startRuntime({
  appDir: APP,
  model,
  settings: await resolveSettings({ cli: { DatabaseUrl: DB, Port: 0, DeploymentDir: join(work, 'seed') } }),
  components: [dataComponent()],
  log: createLogger('warn'),
});
const db = seedRt.ctx.services.get('db');
const ids = seedRt.ctx.services.get('ids');
const batch = [];
for (let j = 0; j < Number(opt.rows); j++) {
  const o = await createObject(model, 'MyFirstModule.Employee', ids);
  o.values.set('Firstname', `Name${j % 97}`);
  o.values.set('Lastname', `Last${j % 13}`);
  o.values.set('Jobtitle', 'Engineer');
  batch.push(o);
}
await db.transaction((tx) => commitObjects(tx, model, batch));
await seedRt.stop();
const listOp = buildRegistry(model).forWidget('MyFirstModule.Employee_Overview', 'dataGrid2_1').id;
const body = JSON.stringify({
  action: 'runtimeOperation',
  operationId: listOp,
  params: {},
  options: { offset: 0, amount: 20, sort: [], wantCount: true, extraXpath: '' },
  changes: {},
  objects: [],
});

// 2. An OTLP receiver that answers and forgets.
const receiver = createHttpServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
});
await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
const otlp = `http://127.0.0.1:${receiver.address().port}/v1/traces`;

async function start(mode) {
  const port = await freePort();
  const env = { ...process.env, KILN_LOG_LEVEL: 'warn', KILN_HOST: '127.0.0.1' };
  if (mode !== 'off') Object.assign(env, { KILN_ADMIN_PORT: String(await freePort()), KILN_ADMIN_API_PASSWORD: 'bench', KILN_METRICS_ENABLED: 'true' });
  if (mode === 'metrics+tracing') env.KILN_TRACING_ENDPOINT = otlp;
  const child = spawn(process.execPath, [join(ROOT, 'bin/kiln.js'), 'run', APP, '--db', DB, '--port', String(port), '--deployment-dir', join(work, 'kiln')], {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (const end = Date.now() + 60000; ; ) {
    const ok = await fetch(`${base}/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (Date.now() > end) throw new Error('kiln did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const res = await fetch(`${base}/xas/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'login', params: { username: 'MxAdmin', password: process.env.KILN_ADMIN_PASSWORD ?? 'Admin1!' } }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status}`);
  const cookie = /XASSESSIONID=[^;]*/.exec(res.headers.get('set-cookie') ?? '')[0];
  const { csrftoken } = await res.json();
  const headers = { 'content-type': 'application/json', cookie, 'x-csrf-token': csrftoken };
  return { child, url: `${base}/xas/`, headers };
}

/** Concurrent loops for `seconds`: requests answered per second, and any non-200. */
async function load(s, seconds) {
  let n = 0;
  let bad = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: Number(opt.connections) }, async () => {
      while (Date.now() < end) {
        const r = await fetch(s.url, { method: 'POST', headers: s.headers, body });
        await r.arrayBuffer();
        if (r.status === 200) n++;
        else bad++;
      }
    }),
  );
  return { rps: n / seconds, bad };
}

const MODES = ['off', 'metrics', 'metrics+tracing'];
const results = Object.fromEntries(MODES.map((m) => [m, []]));
for (let round = 1; round <= Number(opt.rounds); round++) {
  for (const mode of MODES) {
    const s = await start(mode);
    await load(s, 2);
    const r = await load(s, Number(opt.seconds));
    results[mode].push(r.rps);
    process.stderr.write(`round ${round} ${mode}: ${r.rps.toFixed(0)} req/s${r.bad ? `, ${r.bad} non-200` : ''}\n`);
    await new Promise((done) => {
      s.child.on('exit', done);
      s.child.kill('SIGTERM');
    });
  }
}
receiver.close();
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const off = mean(results.off);
console.log(
  `overview request (20 of ${opt.rows} + count, SQLite), ${opt.connections} connections, ${opt.seconds} s x ${opt.rounds} round(s), node ${process.version}\n`,
);
console.log('| observability | req/s | ratio to off |\n| --- | ---: | ---: |');
for (const m of MODES) console.log(`| ${m} | ${mean(results[m]).toFixed(0)} | ${(mean(results[m]) / off).toFixed(2)} |`);
rmSync(work, { recursive: true, force: true });
