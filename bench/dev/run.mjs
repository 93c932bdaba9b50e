// kiln dev: time from saving a model file to the browser being told to reload (a new model
// version on /dev/events), on a copy of examples/sales. Target: under 1 s.
// Run after `npm run build`: node bench/dev/run.mjs [rounds]
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const rounds = Number(process.argv[2] ?? 5);
const app = mkdtempSync(join(tmpdir(), 'kiln-bench-dev-'));
cpSync(join(ROOT, 'examples', 'sales'), app, { recursive: true });
const dep = mkdtempSync(join(tmpdir(), 'kiln-bench-dep-'));
const port = await new Promise((r) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => r(p));
  });
});
const child = spawn(process.execPath, [join(ROOT, 'bin', 'kiln.js'), 'dev', app, '--port', String(port), '--deployment-dir', dep], {
  env: { ...process.env, KILN_HOST: '127.0.0.1', KILN_HASH_ALGORITHM_COST: '4' },
  stdio: 'ignore',
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
for (;;) {
  const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
    (r) => r.status === 200,
    () => false,
  );
  if (ok) break;
  await sleep(100);
}

/** Resolves with the next model version announced after `after`. */
async function nextVersion(after) {
  for (;;) {
    const res = await fetch(`http://127.0.0.1:${port}/dev/events`).catch(() => undefined);
    if (!res) {
      await sleep(20);
      continue;
    }
    const reader = res.body.getReader();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ done: true }));
      if (done) break;
      buf += new TextDecoder().decode(value);
      const m = [...buf.matchAll(/"version":(\d+)/g)].map((x) => Number(x[1]));
      const v = m.find((x) => x > after);
      if (v !== undefined) {
        reader.cancel().catch(() => undefined);
        return v;
      }
    }
    await sleep(10);
  }
}

const file = join(app, 'modules', 'Sales', 'domain-model.yaml');
const times = [];
let version = 1;
for (let i = 0; i < rounds; i++) {
  const text = readFileSync(file, 'utf8');
  const t0 = performance.now();
  writeFileSync(
    file,
    text.replace(
      '  Customer:\n    generalization: Administration.Account\n    attributes:\n',
      `  Customer:\n    generalization: Administration.Account\n    attributes:\n      Bench${i}: String\n`,
    ),
  );
  version = await nextVersion(version);
  times.push(performance.now() - t0);
}
child.kill('SIGTERM');
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(
  `kiln dev on examples/sales: save -> reload announced, ${rounds} rounds: median ${median.toFixed(0)} ms, max ${times[times.length - 1].toFixed(0)} ms (target < 1000 ms)`,
);
