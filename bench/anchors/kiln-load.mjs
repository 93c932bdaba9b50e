// Load generator for one Kiln request, the counterpart of ../shared/bench-anchors/bench.js
// (which only knows base, cap and directus): the same autocannon (the anchors' own copy),
// the same warm-up-then-measure sequence, and the same CPU accounting (server process, and
// all postgres processes, from /proc). Runs in its own process, separate from the server.
//
//   node bench/anchors/kiln-load.mjs <config.json> list|edit|create
//
// config.json: { anchorsDir, port, cookie, csrf, ops: { list, create, commit }, ids: [...],
//                pid, connections, warmup, duration, out? }
// Prints one JSON line in bench.js's shape. For `create` one user action is two runtime
// operations (create, then the Save button's commit, as seed 004 shows), so it also reports
// `requestsPerAction: 2`; req/s and CPU are per HTTP request here, the runner divides.
import { createRequire } from 'node:module';
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, dirname } from 'node:path';

const [configFile, request] = process.argv.slice(2);
const cfg = JSON.parse(readFileSync(configFile, 'utf8'));
const autocannon = createRequire(join(cfg.anchorsDir, 'package.json'))('autocannon');

// The same job titles as the anchors' bench.js uses for their edits.
const JOBS = ['Accountant', 'Analyst', 'Architect', 'Consultant', 'Designer', 'Developer', 'Director', 'Engineer', 'Lawyer', 'Tester', 'Trainer', 'Team Lead'];
const rnd = (n) => Math.floor(Math.random() * n);
const headers = { 'content-type': 'application/json', cookie: cfg.cookie, 'x-csrf-token': cfg.csrf };
const op = (operationId, rest) => JSON.stringify({ action: 'runtimeOperation', operationId, ...rest });

let created = 0;
function requests() {
  if (request === 'list') {
    // seed 004, 4.1: the overview grid's retrieve, first page of 20 with the total count
    const body = op(cfg.ops.list, { params: {}, options: { offset: 0, amount: 20, sort: [], wantCount: true, extraXpath: '' }, changes: {}, objects: [] });
    return [{ method: 'POST', path: '/xas/', headers, body }];
  }
  if (request === 'edit') {
    // seed 004, 4.3: the Save button's commit of a changed Jobtitle of a random employee
    return [
      {
        setupRequest: (req) => {
          const id = cfg.ids[rnd(cfg.ids.length)];
          return {
            ...req,
            method: 'POST',
            path: '/xas/',
            headers,
            body: op(cfg.ops.commit, { params: { Objects: { guids: [id] } }, changes: { [id]: { Jobtitle: { value: JOBS[rnd(JOBS.length)] } } }, objects: [] }),
          };
        },
      },
    ];
  }
  if (request === 'create') {
    // seed 004, 4.2: the New button's create (the runtime hands out an id and a signed
    // object), then Save commits it with the values typed into the page
    return [
      {
        method: 'POST',
        path: '/xas/',
        headers,
        body: op(cfg.ops.create, { params: {}, changes: {}, objects: [] }),
        onResponse: (status, body, context) => {
          if (status === 200) context.object = JSON.parse(body).objects?.[0];
        },
      },
      {
        setupRequest: (req, context) => {
          const o = context.object;
          const n = ++created;
          const guid = o?.guid ?? '0';
          return {
            ...req,
            method: 'POST',
            path: '/xas/',
            headers,
            body: op(cfg.ops.commit, {
              params: { Objects: { guids: [guid] } },
              changes: {
                [guid]: {
                  Firstname: { value: 'Bench' },
                  Lastname: { value: `Load${n}` },
                  Jobtitle: { value: JOBS[n % JOBS.length] },
                  Department: { value: 'Benchmark' },
                  DateOfBirth: { value: Date.UTC(1990, 4, 17) },
                },
              },
              objects: o ? [o] : [],
            }),
          };
        },
      },
    ];
  }
  throw new Error(`unknown request ${request}`);
}

const run = (seconds) => autocannon({ url: `http://127.0.0.1:${cfg.port}`, connections: cfg.connections, duration: seconds, requests: requests() });

// CPU seconds (user+sys) so far of one process / of all postgres processes, as bench.js counts them
const TICK = 100; // USER_HZ
function cpuOf(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / TICK;
}
function postgresCpu() {
  let sum = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const f = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (f.slice(f.indexOf('(') + 1, f.lastIndexOf(')')) !== 'postgres') continue;
      const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
      sum += (Number(rest[11]) + Number(rest[12])) / TICK;
    } catch {
      /* process went away */
    }
  }
  return sum;
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

if (cfg.warmup > 0) await run(cfg.warmup);
const cpu0 = cpuOf(cfg.pid),
  db0 = postgresCpu();
const r = await run(cfg.duration);
const cpu1 = cpuOf(cfg.pid),
  db1 = postgresCpu();
const out = {
  system: 'kiln',
  request,
  connections: cfg.connections,
  duration: cfg.duration,
  requestsPerAction: request === 'create' ? 2 : 1,
  reqPerSec: r.requests.average,
  totalRequests: r.requests.total,
  p50: r.latency.p50,
  p90: r.latency.p90,
  p99: r.latency.p99,
  latencyAvg: r.latency.average,
  errors: r.errors,
  timeouts: r.timeouts,
  non2xx: r.non2xx,
  statusCodes: r.statusCodeStats,
  rssKb: rssKb(cfg.pid),
  serverCpuMsPerReq: +(((cpu1 - cpu0) * 1000) / r.requests.total).toFixed(3),
  dbCpuMsPerReq: +(((db1 - db0) * 1000) / r.requests.total).toFixed(3),
  finishedAt: new Date().toISOString(),
};
if (cfg.out) {
  mkdirSync(dirname(cfg.out), { recursive: true });
  writeFileSync(cfg.out, JSON.stringify({ ...out, raw: r }, null, 2));
}
console.log(JSON.stringify(out));
