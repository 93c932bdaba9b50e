/**
 * Login surge (issue 14 item 6): a logged-in user works (a retrieve loop: the
 * orders overview grid of examples/sales, one request after the other) while
 * 50 logins arrive at once, as after a failover. Reports the user's request
 * latencies before and during the surge (p50, p99, max) and how long the
 * surge took. bcrypt at the production cost (HashAlgorithmCost 12), on the
 * real runtime over HTTP, on PostgreSQL and SQLite.
 *
 *   npx tsx bench/security/login-surge.ts [--logins 50] [--cost 12] [--threads N]
 */
import { parseArgs } from 'node:util';
import type { OperationRegistry } from '../../src/client-api/registry/types.js';
import { freshDatabase, type DialectName } from '../../test/support/databases.js';
import { authHeaders, login, salesCopy, startApp, xas } from '../../test/security/harness.js';

const { values } = parseArgs({
  options: {
    logins: { type: 'string', default: '50' },
    cost: { type: 'string', default: '12' },
    threads: { type: 'string' },
    dialects: { type: 'string', default: 'postgres,sqlite' },
  },
});
const LOGINS = Number(values.logins);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))]!;
};
const fmt = (xs: number[]) => `${pct(xs, 0.5).toFixed(1)} / ${pct(xs, 0.99).toFixed(1)} / ${Math.max(...xs).toFixed(0)}`;

const rows: string[] = [];
for (const dialect of values.dialects.split(',') as DialectName[]) {
  const db = await freshDatabase(dialect);
  const app = salesCopy();
  const t = await startApp(app.dir, db.url, {
    HashAlgorithmCost: Number(values.cost),
    TrustProxy: true,
    ...(values.threads ? { PasswordHashThreads: Number(values.threads) } : {}),
  });
  try {
    const registry = t.rt.ctx.services.get('operations') as OperationRegistry;
    const grid = registry.forWidget('Sales.Order_Overview', 'ordersGrid')!;
    const user = (await login(t.url, 'manager', 'Manager123')).session!;
    const retrieve = async () => {
      const start = performance.now();
      const r = await xas(
        t.url,
        { action: 'runtimeOperation', operationId: grid.id, params: {}, options: { offset: 0, amount: 20 }, changes: {}, objects: [] },
        authHeaders(user),
      );
      if (r.status !== 200) throw new Error(`retrieve answered ${r.status}: ${JSON.stringify(r.body)}`);
      return performance.now() - start;
    };
    for (let i = 0; i < 50; i++) await retrieve();
    const baseline: number[] = [];
    const until = performance.now() + 2000;
    while (performance.now() < until) baseline.push(await retrieve());

    // The surge: right passwords of two users and wrong ones for unknown users,
    // each from its own client address (as after a failover).
    let done = false;
    const surgeStart = performance.now();
    const surge = Promise.all(
      Array.from({ length: LOGINS }, (_, i) =>
        login(
          t.url,
          ...((i % 5 === 0 ? ['admin2', 'Admin2-pass'] : i % 5 === 1 ? ['customer', 'Customer123'] : [`nobody${i}`, 'Wrong123']) as [string, string]),
          { 'x-forwarded-for': `100.64.${i >> 8}.${i & 255}` },
        ),
      ),
    ).finally(() => {
      done = true;
    });
    const during: number[] = [];
    while (!done) during.push(await retrieve());
    const answers = await surge;
    const surgeMs = performance.now() - surgeStart;
    const ok = answers.filter((a) => a.status === 200).length;
    const refused = answers.filter((a) => a.status === 401).length;
    if (ok + refused !== LOGINS || ok !== Math.ceil(LOGINS / 5) + Math.ceil((LOGINS - 1) / 5))
      throw new Error(`unexpected login answers: ${answers.map((a) => a.status).join(',')}`);
    rows.push(
      `| ${dialect === 'postgres' ? 'PostgreSQL' : 'SQLite'} | ${fmt(baseline)} | ${fmt(during)} (${during.length} requests) | ${(surgeMs / 1000).toFixed(1)} s |`,
    );
  } finally {
    await t.stop();
    await db.drop();
    app.remove();
  }
}
console.log(`${LOGINS} logins at bcrypt cost ${values.cost}, PasswordHashThreads ${values.threads ?? 'default'}`);
console.log('| database | retrieve ms p50 / p99 / max, before | retrieve ms p50 / p99 / max, during the surge | surge took |');
console.log('| --- | --- | --- | --- |');
for (const r of rows) console.log(r);
