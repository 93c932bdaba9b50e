// Instructions executed by `kiln run examples/employees` on PostgreSQL from spawn to its first 200
// of /health, and by the raw Fastify + pg server (bench/client-api/baseline.mjs) to its first 200,
// counted by valgrind's callgrind (all threads): unlike CPU time, the count does not move with
// the load of a shared machine. Each process is dumped (callgrind_control) when it has answered,
// then stopped. The first Kiln start, without valgrind, creates the schema and runs 6 s, so that
// the CLI's code cache is made (5 s after a start) as a start at full speed makes it: under
// valgrind those 5 s end long before the start does, and the cache would hold only part of it.
// The following starts are restarts, the figure that matters.
//
//   npm run build && node bench/startup/instructions.mjs [--starts 2] [--kiln <other checkout>] [--no-code-cache] [--no-extra-ca-certs]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';

const ROOT = resolve(import.meta.dirname, '../..');
const { values: args } = parseArgs({
  options: {
    starts: { type: 'string', default: '2' },
    kiln: { type: 'string' },
    'no-code-cache': { type: 'boolean', default: false },
    // Without NODE_EXTRA_CA_CERTS, whose certificates Node parses at every start (see run.mjs).
    'no-extra-ca-certs': { type: 'boolean', default: false },
  },
});
const CHILD_ENV = { ...process.env };
if (args['no-extra-ca-certs']) delete CHILD_ENV.NODE_EXTRA_CA_CERTS;
const KILN_DIR = args.kiln ? resolve(args.kiln) : ROOT;
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

async function admin(sql) {
  const c = new pg.Client({ connectionString: ADMIN });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** Runs the command (under callgrind unless `plain`) until `path` answers 200; returns the instructions so far (Ir). */
async function count(argv, env, port, path, outDir, plain = false) {
  const cmd = plain
    ? [process.execPath, argv]
    : ['valgrind', ['--tool=callgrind', `--callgrind-out-file=${outDir}/cg.%p`, '--dump-instr=no', process.execPath, ...argv]];
  const child = spawn(cmd[0], cmd[1], {
    cwd: ROOT,
    env: { ...CHILD_ENV, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => {
    err += d;
  });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited early:\n${err}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}${path}`)).status === 200) break;
    } catch {
      /* not listening yet */
    }
    await sleep(50);
  }
  if (plain) {
    await sleep(6000);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    return 0;
  }
  execFileSync('callgrind_control', ['--dump=healthy', String(child.pid)], { stdio: 'ignore' });
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  // The dump made at the first 200 is cg.<pid>.1; its "summary:"/"totals:" line is the count.
  const dump = readdirSync(outDir).find((f) => f === `cg.${child.pid}.1`);
  if (!dump) throw new Error('no callgrind dump');
  const text = readFileSync(join(outDir, dump), 'utf8');
  return Number(/^(?:summary|totals): (\d+)/m.exec(text)[1]);
}

const name = `kiln_instr_${process.pid}`;
const url = ADMIN.replace(/\/[^/]*$/, `/${name}`);
await admin(`CREATE DATABASE ${name}`);
const dir = mkdtempSync(join(tmpdir(), 'kiln-instr-'));
console.log(
  `kiln: ${KILN_DIR} (code cache ${args['no-code-cache'] ? 'off' : 'on'}, NODE_EXTRA_CA_CERTS ${CHILD_ENV.NODE_EXTRA_CA_CERTS ? 'set' : 'unset'}); load average ${loadavg()[0].toFixed(1)}`,
);
try {
  const kiln = [];
  const raw = [];
  for (let i = 0; i < Number(args.starts); i++) {
    const port = await freePort();
    const ir = await count(
      [join(KILN_DIR, 'bin/kiln.js'), 'run', join(ROOT, 'examples/employees'), '--db', url, '--port', String(port), '--deployment-dir', join(dir, `d${i}`)],
      { KILN_LOG_LEVEL: 'warn', KILN_HOST: '127.0.0.1', ...(args['no-code-cache'] ? { KILN_CODE_CACHE: '0' } : {}) },
      port,
      '/health',
      dir,
      i === 0,
    );
    if (i === 0) {
      console.log('start 1 (fresh database, without valgrind): schema and code cache made');
      continue;
    }
    console.log(`start ${i + 1}: kiln ${(ir / 1e6).toFixed(0)} M instructions to /health`);
    kiln.push(ir);
    // The raw server after each restart (its count hardly moves: once per restart is enough).
    const rport = await freePort();
    const rir = await count([join(ROOT, 'bench/client-api/baseline.mjs')], { DATABASE_URL: url, PORT: String(rport) }, rport, '/employees', dir);
    raw.push(rir);
    console.log(`  raw Fastify + pg server: ${(rir / 1e6).toFixed(0)} M instructions to its first 200`);
  }
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  if (kiln.length) {
    console.log(
      `kiln restarts median ${(median(kiln) / 1e6).toFixed(0)} M instructions, raw server ${(median(raw) / 1e6).toFixed(0)} M: kiln / raw ${(median(kiln) / median(raw)).toFixed(2)}; load average ${loadavg()[0].toFixed(1)}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
