// Renders the markdown tables of a bench/anchors run (run.mjs prints them at the end).
//
//   node bench/anchors/report.mjs /tmp/kiln-bench-anchors-<stamp>.json
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function report(res) {
  const NAMES = { list: 'overview (20 of 10,000 + count)', edit: 'edit (commit of Jobtitle)', create: 'create' };
  const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
  const f = (x, d = 1) => (x == null || Number.isNaN(x) ? '-' : x.toFixed(d));
  const systems = new Set(res.runs.map((r) => r.system));
  const requests = [...new Set(res.runs.map((r) => r.request))];
  const rounds = new Set(res.runs.map((r) => r.round)).size;
  const order = ['base', 'cap', 'directus', 'kiln'].filter((s) => systems.has(s));
  const lines = [
    `Kiln beside the anchors, ${res.startedAt.slice(0, 16).replace('T', ' ')} UTC: ${res.load.connections} connections, ` +
      `${res.load.warmup} s warm-up + ${res.load.duration} s, ${rounds} round(s), autocannon; node ${res.node}, PostgreSQL ${res.postgres}; ` +
      `${res.cpus}; load average ${res.loadavgStart.join(' ')} at start, ${res.loadavgEnd.join(' ')} at end`,
    '',
    '| request | system | req/s | p50 ms | p99 ms | server CPU ms/req | DB CPU ms/req | errors | ratio to base (req/s) | per round | server CPU, base / system, per round |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const q of requests) {
    const baseRuns = res.runs.filter((r) => r.system === 'base' && r.request === q);
    const baseRounds = Object.fromEntries(baseRuns.map((r) => [r.round, r.reqPerSec]));
    const baseCpu = Object.fromEntries(baseRuns.map((r) => [r.round, r.serverCpuMsPerReq]));
    const base = baseRuns.length ? mean(Object.values(baseRounds)) : NaN;
    for (const s of order) {
      const rs = res.runs.filter((r) => r.system === s && r.request === q);
      if (!rs.length) continue;
      const rps = mean(rs.map((r) => r.reqPerSec));
      const perRound = rs.map((r) => (baseRounds[r.round] ? (r.reqPerSec / baseRounds[r.round]).toFixed(2) : '-')).join(' / ');
      // CPU per request is less at the mercy of the scheduler than throughput on a busy machine
      const cpuRatio = rs.map((r) => (baseCpu[r.round] && r.serverCpuMsPerReq ? (baseCpu[r.round] / r.serverCpuMsPerReq).toFixed(2) : '-')).join(' / ');
      lines.push(
        `| ${NAMES[q]}${s === 'kiln' && q === 'create' ? ' ¹' : ''} | ${s} | ${rps.toFixed(0)} | ${f(mean(rs.map((r) => r.p50)))} | ${f(mean(rs.map((r) => r.p99)))} | ` +
          `${f(mean(rs.map((r) => r.serverCpuMsPerReq)), 2)} | ${f(mean(rs.map((r) => r.dbCpuMsPerReq)), 2)} | ${rs.reduce((n, r) => n + r.errors + r.timeouts + r.non2xx, 0)} | ` +
          `${f(rps / base, 2)} | ${perRound} | ${cpuRatio} |`,
      );
    }
  }
  if (systems.has('kiln') && requests.includes('create')) {
    lines.push(
      '',
      '¹ Kiln: one create is two runtime operations (create, then the Save commit), as in seed 004; req/s and CPU are per create, ' +
        'p50/p99 per HTTP request. The anchors create with one POST.',
    );
  }
  lines.push('', '| system | startup ms (spawn to first 200) | idle RSS MB |', '|---|---:|---:|');
  for (const s of order) {
    const st = res.startups.filter((x) => x.system === s);
    if (st.length)
      lines.push(
        `| ${s}${s === 'kiln' ? ' (to /health)' : ''} | ${st.map((x) => x.startupMs).join(' / ')} | ${st.map((x) => (x.idleRssKb / 1024).toFixed(0)).join(' / ')} |`,
      );
  }
  lines.push(
    '',
    Object.entries(res.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
  );
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(report(JSON.parse(readFileSync(process.argv[2], 'utf8'))));
}
