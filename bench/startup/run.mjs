// Start-up and idle memory of `kiln run <app>` on PostgreSQL: spawn to the first 200 of
// /health, then the RSS after the process has settled. The first start of a round creates
// the schema on a fresh database; the following starts find it in place (what a restart
// in production does), so both figures are printed.
//
// Kiln runs as a user starts it (bin/kiln.js: the bundle, with the CLI's code cache unless
// --no-code-cache); the script refuses a bundle older than tsc's output, which bin/kiln.js would
// silently pass over for the ES modules (twice as slow), and prints which way Kiln ran.
//
//   npm run build && node bench/startup/run.mjs [--app examples/employees] [--starts 5] [--cpu-prof dir] [--kiln <other checkout>] [--no-code-cache] [--no-extra-ca-certs]
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';

const ROOT = resolve(import.meta.dirname, '../..');
const { values: args } = parseArgs({
  options: {
    app: { type: 'string', default: 'examples/employees' },
    starts: { type: 'string', default: '5' },
    'cpu-prof': { type: 'string' },
    db: { type: 'string' },
    // Another Kiln checkout to start (built), e.g. the commit before a change.
    kiln: { type: 'string' },
    // Starts with KILN_CODE_CACHE=0.
    'no-code-cache': { type: 'boolean', default: false },
    // Starts Kiln and the raw server without NODE_EXTRA_CA_CERTS (see below).
    'no-extra-ca-certs': { type: 'boolean', default: false },
  },
});
// Node reads and parses the certificates of NODE_EXTRA_CA_CERTS when the process starts, before
// any JavaScript: on the session machines it names the system bundle (144 certificates), about
// 50 ms of CPU for every Node process, Kiln's and the raw server's alike.
const CHILD_ENV = { ...process.env };
if (args['no-extra-ca-certs']) delete CHILD_ENV.NODE_EXTRA_CA_CERTS;
if (CHILD_ENV.NODE_EXTRA_CA_CERTS)
  console.log(`note: NODE_EXTRA_CA_CERTS=${CHILD_ENV.NODE_EXTRA_CA_CERTS} is parsed at every start (--no-extra-ca-certs starts both servers without it)`);
const KILN_DIR = args.kiln ? resolve(args.kiln) : ROOT;
{
  const mtime = (f) => statSync(join(KILN_DIR, f), { throwIfNoEntry: false })?.mtimeMs;
  const bundle = mtime('dist/bundle/main.cjs');
  if (bundle === undefined || bundle < (mtime('dist/cli/main.js') ?? -1)) {
    console.error(
      `${KILN_DIR}: dist/bundle/main.cjs is missing or older than dist/cli/main.js, so bin/kiln.js would load the ES modules; run node scripts/bundle.mjs there first`,
    );
    process.exit(1);
  }
  // Before 2026-12-04 bin/kiln.js used the code cache only with KILN_CODE_CACHE=1.
  const optIn = readFileSync(join(KILN_DIR, 'bin/kiln.js'), 'utf8').includes("KILN_CODE_CACHE !== '1'");
  console.log(`kiln: ${KILN_DIR} (dist/bundle/main.cjs, code cache ${args['no-code-cache'] || optIn ? 'off' : 'on'})`);
}
const ADMIN = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const freePort = () =>
  new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });

/** User + system CPU time of a process so far, in ms (from /proc; clock ticks of 10 ms). */
const cpuMs = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

const rssKb = (pid) =>
  Number(
    execFileSync('ps', ['-o', 'rss=', '-p', String(pid)])
      .toString()
      .trim(),
  );

async function admin(sql) {
  const c = new pg.Client({ connectionString: ADMIN });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** Starts `kiln run` (or, raw, the raw Fastify + pg server of bench/client-api/baseline.mjs) and waits for its first 200. */
async function start(url, deploymentDir, raw = false) {
  const port = await freePort();
  const nodeArgs = args['cpu-prof'] && !raw ? ['--cpu-prof', '--cpu-prof-dir', args['cpu-prof']] : [];
  const t0 = process.hrtime.bigint();
  const child = raw
    ? spawn(process.execPath, [join(ROOT, 'bench/client-api/baseline.mjs')], {
        cwd: ROOT,
        env: { ...CHILD_ENV, DATABASE_URL: url, PORT: String(port) },
        stdio: ['ignore', 'inherit', 'inherit'],
      })
    : spawn(
        process.execPath,
        [...nodeArgs, join(KILN_DIR, 'bin/kiln.js'), 'run', resolve(ROOT, args.app), '--db', url, '--port', String(port), '--deployment-dir', deploymentDir],
        {
          cwd: ROOT,
          env: { ...CHILD_ENV, KILN_LOG_LEVEL: 'warn', KILN_HOST: '127.0.0.1', ...(args['no-code-cache'] ? { KILN_CODE_CACHE: '0' } : {}) },
          stdio: ['ignore', 'inherit', 'inherit'],
        },
      );
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${raw ? 'the raw server' : 'kiln'} exited early`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/${raw ? 'employees' : 'health'}`)).status === 200) break;
    } catch {
      /* not listening yet */
    }
    await sleep(5);
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = cpuMs(child.pid);
  await sleep(3000);
  const rss = rssKb(child.pid);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  return { ms, cpu, rssMb: rss / 1024 };
}

const name = `kiln_startup_${process.pid}`;
const url = args.db ?? ADMIN.replace(/\/[^/]*$/, `/${name}`);
if (!args.db) await admin(`CREATE DATABASE ${name}`);
const dir = mkdtempSync(join(tmpdir(), 'kiln-startup-'));
try {
  const runs = [];
  const raws = [];
  // The raw server answers the employees table, so it runs only on the employees app, after Kiln created the table.
  const withRaw = args.app === 'examples/employees';
  for (let i = 0; i < Number(args.starts); i++) {
    const r = await start(url, join(dir, `d${i}`));
    runs.push(r);
    console.log(
      `start ${i + 1}${i === 0 && !args.db ? ' (fresh database)' : ''}: ${r.ms.toFixed(0)} ms to /health (CPU ${r.cpu} ms), idle RSS ${r.rssMb.toFixed(1)} MB`,
    );
    if (withRaw) {
      const b = await start(url, '', true);
      raws.push(b);
      console.log(`  raw Fastify + pg server: ${b.ms.toFixed(0)} ms to its first 200 (CPU ${b.cpu} ms), idle RSS ${b.rssMb.toFixed(1)} MB`);
    }
  }
  const warm = runs.slice(args.db ? 0 : 1);
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  const line = (what, xs) =>
    `${what}: median ${median(xs.map((r) => r.ms)).toFixed(0)} ms (min ${Math.min(...xs.map((r) => r.ms)).toFixed(0)}), ` +
    `CPU median ${median(xs.map((r) => r.cpu))} ms, idle RSS median ${median(xs.map((r) => r.rssMb)).toFixed(1)} MB`;
  if (warm.length) console.log(`${line('kiln restarts', warm)}; load average ${load}`);
  if (raws.length) {
    console.log(line('raw server', raws));
    const ratio = (f) => (median(warm.map(f)) / median(raws.map(f))).toFixed(2);
    console.log(`kiln / raw (medians): wall ${ratio((r) => r.ms)}, CPU ${ratio((r) => r.cpu)}, idle RSS ${ratio((r) => r.rssMb)}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  if (!args.db) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
