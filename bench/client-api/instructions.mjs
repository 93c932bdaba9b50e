// Instructions per request at steady state, independent of the machine's load: Kiln's overview
// retrieve (or the baseline's list, WHO=base) sent in-process through Fastify's inject, the
// database answered from memory after the first request (so only the server's own work is
// counted, not PostgreSQL's or the socket's). Every run first sends WARMUP requests (default
// 10,000) that are not measured: until then V8's optimizing compiler is still compiling the hot
// functions (its work would otherwise be counted as the request's; after 10,000 overview requests
// it finishes 0-7 small functions per 1,000 more), and it is the same for both servers. Then it
// measures two windows of WINDOWS requests (default 500,1500) and reports (second - first) /
// (difference of their sizes), so what a window costs once (toggling, the dump) cancels out:
//
//   node bench/client-api/bench.mjs --rounds 0     # seeds the kiln_bench_clientapi database
//   INSTR_TOGGLE=/tmp/cg.out valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=/tmp/cg.out \
//     node bench/client-api/instructions.mjs .     # prints "… M instructions per request"
// (each window is dumped to /tmp/cg.out.1, .2: `callgrind_annotate --inclusive=no /tmp/cg.out.2`
// is the second window by function), or, without valgrind, the windows' CPU time per request
// (runs next to each other only):
//   CPU_TIME=1 node bench/client-api/instructions.mjs .
// Whether the warm-up is long enough: `node --trace-opt bench/client-api/instructions.mjs .` with
// TRACE_OPT=1 prints how many functions V8 finished optimizing in each window (0 or a few).
//
// REQ picks the request (default list, the overview above):
//   REQ=edit   Kiln: the Save button's commit of one employee's Jobtitle via /xas/ (retrieve, change,
//              commit); the baseline: PATCH /employees/:id. Both on the real database.
//   REQ=new    Kiln only: the New button's create alone (REQ=create minus this is the Save's share).
//   REQ=create Kiln: the New button's create, then the Save commit of the new employee (two HTTP
//              requests; the figure is per create, halve it for per HTTP request); the baseline:
//              POST /employees (one INSERT). Both on the real database.
// Only the node process is counted (PostgreSQL is another process); the database's round trips
// cost both servers the same driver work (node-postgres).
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
const ROOT = resolve(process.argv[2] ?? '.');
const WARMUP = Number(process.env.WARMUP ?? 10000);
const WINDOWS = (process.env.WINDOWS ?? '500,1500').split(',').map(Number);
if (WINDOWS.length !== 2 || !(WINDOWS[1] > WINDOWS[0])) throw new Error(`WINDOWS=${process.env.WINDOWS}: two sizes, the second larger`);
const WHO = process.env.WHO ?? 'kiln';
const REQ = process.env.REQ ?? 'list';
if (!['list', 'edit', 'create', 'new'].includes(REQ)) throw new Error(`REQ=${REQ}: list, edit, create or new`);
if (REQ === 'new' && WHO !== 'kiln') throw new Error('REQ=new: Kiln only (the baseline has no New)');
const Fastify = (await import(join(ROOT, 'node_modules/fastify/fastify.js'))).default;
const URL = (process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test').replace(/\/[^/]*$/, '/kiln_bench_clientapi');
const APP = join(ROOT, 'examples/employees');
let app, send;
const ok = (r) => {
  if (r.statusCode !== 200 && r.statusCode !== 201) throw new Error(`${r.statusCode} ${r.body}`);
  return r;
};
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
  const ops = rt.ctx.services.get('operations');
  const headers = { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf };
  const xas = (body) => ({ method: 'POST', url: '/xas/', headers, payload: JSON.stringify(body) });
  if (REQ === 'list') {
    const op = ops.forWidget('MyFirstModule.Employee_Overview', 'dataGrid2_1').id;
    const req = xas({
      action: 'runtimeOperation',
      operationId: op,
      params: {},
      options: { offset: 0, amount: 20, sort: [], wantCount: true, extraXpath: '' },
      changes: {},
      objects: [],
    });
    send = () => app.inject(req).then(ok);
    if (process.env.ANSWER_OUT) {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(process.env.ANSWER_OUT, ok(await app.inject(req)).body);
    }
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
    const saveOp = ops.forButton('MyFirstModule.Employee_NewEdit', 'dataView1', 0).id;
    const JOBS = ['Accountant', 'Sales Executive', 'Engineer', 'Manager', 'Designer'];
    if (REQ === 'edit') {
      const ids = (await rt.ctx.services.get('db').query('SELECT "id" FROM "myfirstmodule$employee" ORDER BY "id" LIMIT 100', [])).map((r) => String(r.id));
      let n = 0;
      send = () => {
        const id = ids[n % ids.length];
        n++;
        return app
          .inject(
            xas({
              action: 'runtimeOperation',
              operationId: saveOp,
              params: { Objects: { guids: [id] } },
              // a new value every time, as the baseline's `Job ${n}`: an unchanged value is no UPDATE
              changes: { [id]: { Jobtitle: { value: `Job ${n}` } } },
              objects: [],
            }),
          )
          .then(ok);
      };
    } else {
      const createOp = ops.toFile().find((o) => o.operationType === 'create' && o.constants.ObjectType === 'MyFirstModule.Employee').operationId;
      let n = 0;
      // The client's side (reading the New answer, writing the Save body) runs in this process too, so
      // it is done with string pieces: JSON.parse of the answer and an object keyed by the new guid (a
      // new hidden class per create) cost this process ~10% of a create that is not the server's work.
      const newReq = xas({ action: 'runtimeOperation', operationId: createOp, params: {}, changes: {}, objects: [] });
      const [p0, p1, p2, p3] = JSON.stringify({
        action: 'runtimeOperation',
        operationId: saveOp,
        params: { Objects: { guids: ['@'] } },
        changes: '@',
        objects: '@',
      }).split('"@"');
      if (REQ === 'new') send = () => app.inject(newReq).then(ok);
      else
        send = async () => {
          const body = ok(await app.inject(newReq)).body;
          const from = body.indexOf('"objects":[') + 11;
          const to = body.indexOf('],"resets"', from);
          const guid = /^\{"objectType":"[^"]+","guid":"(\d+)"/.exec(body.slice(from, to))?.[1];
          if (from < 11 || to < 0 || !guid) throw new Error(`unexpected New answer: ${body}`);
          n++;
          const changes = `{"${guid}":{"Firstname":{"value":"Bench"},"Lastname":{"value":"Instr${n}"},"Jobtitle":{"value":"${JOBS[n % JOBS.length]}"},"Department":{"value":"Benchmark"},"DateOfBirth":{"value":${Date.UTC(1990, 4, 17)}}}}`;
          ok(await app.inject({ ...newReq, payload: `${p0}"${guid}"${p1}${changes}${p2}[${body.slice(from, to)}]${p3}` }));
        };
    }
  }
} else if (WHO === 'floor') {
  // What no server of this protocol can do without: Fastify taking the overview's POST /xas/ with
  // its JSON body (parsed as Fastify does by default) and sending Kiln's answer, written beforehand
  // (ANSWER: a file holding the answer's bytes). Kiln's figure minus this one is Kiln's own work.
  if (REQ !== 'list') throw new Error('WHO=floor: REQ=list only');
  const { readFileSync } = await import('node:fs');
  const answer = readFileSync(process.env.ANSWER, 'utf8');
  app = Fastify({ logger: false });
  app.post('/xas/', async (request, reply) => {
    if (request.body.action !== 'runtimeOperation') throw new Error('not the overview');
    return reply.type('application/json; charset=utf-8').send(answer);
  });
  await app.ready();
  const req = {
    method: 'POST',
    url: '/xas/',
    headers: { 'content-type': 'application/json', cookie: 'XASSESSIONID=00000000-0000-4000-8000-000000000000', 'x-csrf-token': '0'.repeat(36) },
    payload: JSON.stringify({
      action: 'runtimeOperation',
      operationId: 'x',
      params: {},
      options: { offset: 0, amount: 20, sort: [], wantCount: true, extraXpath: '' },
      changes: {},
      objects: [],
    }),
  };
  send = () => app.inject(req).then(ok);
} else {
  const pg = (await import(join(ROOT, 'node_modules/pg/lib/index.js'))).default;
  const pool = new pg.Pool({ connectionString: URL, max: 2 });
  const T = '"myfirstmodule$employee"';
  const COLS = '"id", "dateofbirth", "department", "firstname", "jobtitle", "lastname"';
  app = Fastify({ logger: false });
  if (REQ === 'list') {
    const listRows = (await pool.query(`SELECT ${COLS} FROM ${T} ORDER BY "firstname" ASC, "id" ASC LIMIT 20`)).rows;
    app.get('/employees', async () => {
      const [list, count] = await Promise.all([Promise.resolve(listRows.map((x) => ({ ...x }))), Promise.resolve([{ count: '10000' }])]);
      return { count: Number(count[0].count), value: list };
    });
    await app.ready();
    const req = { method: 'GET', url: '/employees' };
    send = () => app.inject(req).then(ok);
  } else if (REQ === 'edit') {
    // baseline.mjs's PATCH, as it is there
    const byId = { name: 'emp_by_id', text: `SELECT ${COLS} FROM ${T} WHERE "id" = $1` };
    const update = { name: 'emp_upd_jobtitle', text: `UPDATE ${T} SET "jobtitle" = $1 WHERE "id" = $2` };
    app.patch('/employees/:id', async (req, reply) => {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const r = await c.query({ ...byId, values: [req.params.id] });
        if (r.rowCount === 0) {
          await c.query('ROLLBACK');
          return reply.code(404).send({ error: 'not found' });
        }
        await c.query({ ...update, values: [req.body.jobtitle, req.params.id] });
        await c.query('COMMIT');
        return { ...r.rows[0], jobtitle: req.body.jobtitle };
      } catch (e) {
        await c.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        c.release();
      }
    });
    await app.ready();
    const ids = (await pool.query(`SELECT "id" FROM ${T} ORDER BY "id" LIMIT 100`)).rows.map((r) => String(r.id));
    let n = 0;
    send = () => {
      const id = ids[n % ids.length];
      n++;
      return app
        .inject({
          method: 'PATCH',
          url: `/employees/${id}`,
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify({ jobtitle: `Job ${n}` }),
        })
        .then(ok);
    };
  } else {
    // the anchors' baseline POST (shared/bench-anchors/baseline/server.js): one INSERT
    const insert = { name: 'emp_insert', text: `INSERT INTO ${T} (${COLS}) VALUES ($1, $2, $3, $4, $5, $6)` };
    app.post('/employees', async (req, reply) => {
      const b = req.body || {};
      await pool.query({ ...insert, values: [b.id, b.dateofbirth, b.department, b.firstname, b.jobtitle, b.lastname] });
      reply.code(201);
      return b;
    });
    await app.ready();
    // ids far above Kiln's (which count up from the sequence's start per entity)
    let n = 0;
    const base = 9_000_000_000_000_000n + BigInt(process.pid) * 1_000_000n;
    send = () => {
      n++;
      const body = {
        id: String(base + BigInt(n)),
        firstname: 'Bench',
        lastname: `Instr${n}`,
        jobtitle: 'Engineer',
        department: 'Benchmark',
        dateofbirth: '1990-05-17',
      };
      return app.inject({ method: 'POST', url: '/employees', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) }).then(ok);
    };
  }
}
// The loop is a function of its own: a loop in the module's body is compiled on the stack (OSR)
// with the whole module, and that large compile (20-55 ms natively) was redone after each
// deoptimization, inside the windows, at moments that differ from run to run.
const run = async (n) => {
  for (let i = 0; i < n; i++) await send();
};
// The warm-up: nothing is counted (valgrind's --instr-atstart=no), V8 compiles what gets hot.
await run(WARMUP);
// TRACE_OPT=1 under `node --trace-opt`: V8 prints a line per function it finished optimizing;
// a marker line per window lets them be counted by window.
const mark = (what) => process.env.TRACE_OPT && process.stdout.write(`@@ ${what}\n`);
mark(`warm-up of ${WARMUP} done`);
// INSTR_TOGGLE=<callgrind out file> with `valgrind --instr-atstart=no --callgrind-out-file=<same>`:
// instructions are counted in the windows only, each dumped to its own part file (<file>.1, .2).
const cg = (...args) => execFileSync('callgrind_control', [...args, String(process.pid)], { stdio: 'ignore' });
// PROFILE=<file>: a V8 CPU profile of the windows only, for --cpu-prof's viewers.
let profiler;
if (process.env.PROFILE) {
  const { Session } = await import('node:inspector/promises');
  profiler = new Session();
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.setSamplingInterval', { interval: 100 });
  await profiler.post('Profiler.start');
}
const cpuUs = [];
for (const [w, n] of WINDOWS.entries()) {
  if (process.env.INSTR_TOGGLE) cg('-i', 'on');
  const cpu0 = process.cpuUsage();
  await run(n);
  const cpu = process.cpuUsage(cpu0);
  if (process.env.INSTR_TOGGLE) {
    cg('-i', 'off');
    cg('-d', `window${w + 1}-${n}`);
  }
  cpuUs.push(cpu.user + cpu.system);
  mark(`window ${w + 1} of ${n} done`);
}
if (profiler) {
  const { profile } = await profiler.post('Profiler.stop');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(process.env.PROFILE, JSON.stringify(profile));
}
const per = (a, b) => (b - a) / (WINDOWS[1] - WINDOWS[0]);
const what = `${WHO} ${REQ} ${ROOT}, after ${WARMUP} warm-up requests, windows ${WINDOWS.join(' / ')}`;
if (process.env.CPU_TIME) console.log(`${what}: ${per(cpuUs[0], cpuUs[1]).toFixed(1)} µs CPU per request`);
if (process.env.INSTR_TOGGLE && process.env.INSTR_TOGGLE !== '1') {
  const { readFileSync } = await import('node:fs');
  const totals = WINDOWS.map((_, w) => {
    const text = readFileSync(`${process.env.INSTR_TOGGLE}.${w + 1}`, 'utf8');
    if (!text.includes(`Trigger: dump window${w + 1}-`)) throw new Error(`${process.env.INSTR_TOGGLE}.${w + 1}: not window ${w + 1}'s dump`);
    return Number(/^totals: (\d+)/m.exec(text)[1]);
  });
  console.log(`${what}: ${totals.map((t) => (t / 1e6).toFixed(1)).join(' / ')} M; ${(per(totals[0], totals[1]) / 1e6).toFixed(3)} M instructions per request`);
}
process.exit(0);
