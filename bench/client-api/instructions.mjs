// Instructions per request, independent of the machine's load: Kiln's overview retrieve (or the
// baseline's list, WHO=base) sent N times in-process through Fastify's inject, the database answered
// from memory after the first request (so only the server's own work is counted, not PostgreSQL's or
// the socket's). Run it under valgrind at two values of N and divide the difference:
//
//   node bench/client-api/bench.mjs --rounds 0     # seeds the kiln_bench_clientapi database
//   valgrind --tool=callgrind --callgrind-out-file=/dev/null node bench/client-api/instructions.mjs . 200   # "Collected : A"
//   valgrind --tool=callgrind --callgrind-out-file=/dev/null node bench/client-api/instructions.mjs . 1200  # "Collected : B"
//   -> (B - A) / 1000 instructions per request (WHO=base for the baseline)
// or, counting the request loop only (steadier on a loaded machine):
//   INSTR_TOGGLE=1 valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=/dev/null node bench/client-api/instructions.mjs . 1000
// or, without valgrind, the loop's CPU time per request (runs next to each other only):
//   CPU_TIME=1 node bench/client-api/instructions.mjs . 5000
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
const ROOT = resolve(process.argv[2] ?? '.');
const N = Number(process.argv[3] ?? 1000);
const WHO = process.env.WHO ?? 'kiln';
const Fastify = (await import(join(ROOT, 'node_modules/fastify/fastify.js'))).default;
const URL = (process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test').replace(/\/[^/]*$/, '/kiln_bench_clientapi');
const APP = join(ROOT, 'examples/employees');
let app, req;
if (WHO === 'kiln') {
  const { loadModel } = await import(join(ROOT, 'dist/model/index.js'));
  const { modelChecks } = await import(join(ROOT, 'dist/app/model-checks.js'));
  const { resolveSettings } = await import(join(ROOT, 'dist/core/settings.js'));
  const { startRuntime } = await import(join(ROOT, 'dist/app/runtime.js'));
  const { createLogger } = await import(join(ROOT, 'dist/core/logger.js'));
  const { defaultComponents } = await import(join(ROOT, 'dist/app/components.js'));
  const { model } = await loadModel(APP, { checks: modelChecks() });
  const settings = await resolveSettings({ cli: { DatabaseUrl: URL, Port: 0, Host: '127.0.0.1', DeploymentDir: join(tmpdir(), `kiln-instr-${process.pid}`) } });
  const rt = await startRuntime({ appDir: APP, model, settings, components: defaultComponents(), log: createLogger('warn') });
  app = rt.server;
  const login = await app.inject({ method: 'POST', url: '/xas/', payload: { action: 'login', params: { username: 'MxAdmin', password: 'Admin1!' } } });
  const cookie = /XASSESSIONID=[^;]*/.exec(login.headers['set-cookie'])[0];
  const csrf = login.json().csrftoken;
  const op = rt.ctx.services.get('operations').forWidget('MyFirstModule.Employee_Overview', 'dataGrid2_1').id;
  const body = JSON.stringify({
    action: 'runtimeOperation',
    operationId: op,
    params: {},
    options: { offset: 0, amount: 20, sort: [], wantCount: true, extraXpath: '' },
    changes: {},
    objects: [],
  });
  req = { method: 'POST', url: '/xas/', headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf }, payload: body };
  const db = rt.ctx.services.get('db');
  const real = db.query.bind(db);
  const canned = new Map();
  db.query = async (sql, params) => {
    let r = canned.get(sql);
    if (!r) {
      r = await real(sql, params);
      canned.set(sql, r);
    }
    return r.map((x) => ({ ...x }));
  };
} else {
  const pg = (await import(join(ROOT, 'node_modules/pg/lib/index.js'))).default;
  const pool = new pg.Pool({ connectionString: URL, max: 2 });
  const T = '"myfirstmodule$employee"';
  const COLS = '"id", "dateofbirth", "department", "firstname", "jobtitle", "lastname"';
  const listRows = (await pool.query(`SELECT ${COLS} FROM ${T} ORDER BY "firstname" ASC, "id" ASC LIMIT 20`)).rows;
  await pool.end();
  app = Fastify({ logger: false });
  app.get('/employees', async () => {
    const [list, count] = await Promise.all([Promise.resolve(listRows.map((x) => ({ ...x }))), Promise.resolve([{ count: '10000' }])]);
    return { count: Number(count[0].count), value: list };
  });
  await app.ready();
  req = { method: 'GET', url: '/employees' };
}
// INSTR_TOGGLE=1 with `valgrind --instr-atstart=no`: instructions are counted from here only, so
// the start-up (whose work varies from run to run with the machine's load) stays out of the count.
if (process.env.INSTR_TOGGLE) execFileSync('callgrind_control', ['-i', 'on', String(process.pid)], { stdio: 'ignore' });
// Without valgrind, CPU_TIME=1 prints the loop's CPU time per request (user + system, this process):
// on a loaded machine compare it only with runs next to it (e.g. WHO=base alternating with Kiln).
const cpu0 = process.cpuUsage();
for (let i = 0; i < N; i++) {
  const r = await app.inject(req);
  if (r.statusCode !== 200) throw new Error(r.body);
}
const cpu = process.cpuUsage(cpu0);
if (process.env.INSTR_TOGGLE) execFileSync('callgrind_control', ['-i', 'off', String(process.pid)], { stdio: 'ignore' });
if (process.env.CPU_TIME) console.log(`${WHO} ${ROOT}: ${((cpu.user + cpu.system) / N).toFixed(1)} µs CPU per request over ${N} requests`);
process.exit(0);
