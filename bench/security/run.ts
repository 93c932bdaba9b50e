/**
 * Security benchmark: what a request pays to resolve its session (from the
 * in-memory cache, and with the one-query database lookup when the cache has
 * expired), and what a login costs at two bcrypt costs. Runs the real runtime
 * (data + security components) on fresh local databases.
 *
 *   npm run bench:security -- [--seconds 2]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../../src/core/logger.js';
import { resolveSettings } from '../../src/core/settings.js';
import { startRuntime } from '../../src/app/runtime.js';
import { dataComponent } from '../../src/data/component.js';
import { xasComponent } from '../../src/http/xas-component.js';
import { securityComponent } from '../../src/security/component.js';
import { SESSIONS_SERVICE, type SessionsService } from '../../src/security/services.js';
import { loadModel } from '../../src/model/index.js';
import { DIALECTS, freshDatabase } from '../../test/support/databases.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '2' } } });
const seconds = Number(values.seconds);
const ROOT = join(import.meta.dirname, '..', '..');

async function perSecond(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 50; i++) await fn();
  let n = 0;
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  while (performance.now() < end) {
    await fn();
    n++;
  }
  return n / ((performance.now() - start) / 1000);
}

async function loginMs(url: string, user: string, password: string, rounds: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    const r = await fetch(`${url}/xas/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'login', params: { username: user, password } }),
    });
    await r.text();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const { model } = await loadModel(join(ROOT, 'examples', 'sales'), { env: {} });
if (!model) throw new Error('examples/sales does not load');
const rows: string[] = [];
let prev: { login: number; wrong: number } | undefined;
for (const dialect of DIALECTS) {
  const db = await freshDatabase(dialect);
  const deploymentDir = mkdtempSync(join(tmpdir(), 'kiln-bench-sec-'));
  for (const cost of [10, 12]) {
    const settings = await resolveSettings({
      cli: { DatabaseUrl: db.url, Port: 0, Host: '127.0.0.1', DeploymentDir: deploymentDir, HashAlgorithmCost: cost, SessionValidationTimeout: 30000 },
    });
    const rt = await startRuntime({
      appDir: join(ROOT, 'examples', 'sales'),
      model,
      settings,
      components: [dataComponent(), xasComponent(), securityComponent()],
      log: createLogger('error'),
    });
    const url = `http://127.0.0.1:${rt.port}`;
    const login = await loginMs(url, 'MxAdmin', 'Admin123!', 7);
    const wrong = await loginMs(url, 'nobody', 'Wrong1!', 7);
    if (cost === 12) {
      const sessions = rt.ctx.services.get(SESSIONS_SERVICE) as SessionsService;
      const r = await fetch(`${url}/xas/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'login', params: { username: 'MxAdmin', password: 'Admin123!' } }),
      });
      const id = /XASSESSIONID=([^;]*)/.exec(r.headers.get('set-cookie') ?? '')![1]!;
      const cached = await perSecond(() => sessions.resolveSessionId(id));
      // The same lookups with SessionValidationTimeout 0: every one is the database query.
      await rt.stop();
      const s2 = await resolveSettings({
        cli: { DatabaseUrl: db.url, Port: 0, Host: '127.0.0.1', DeploymentDir: deploymentDir, HashAlgorithmCost: cost, SessionValidationTimeout: 0 },
      });
      const rt2 = await startRuntime({
        appDir: join(ROOT, 'examples', 'sales'),
        model,
        settings: s2,
        components: [dataComponent(), xasComponent(), securityComponent()],
        log: createLogger('error'),
      });
      const sessions2 = rt2.ctx.services.get(SESSIONS_SERVICE) as SessionsService;
      const uncached = await perSecond(() => sessions2.resolveSessionId(id));
      await rt2.stop();
      rows.push(
        `| ${dialect} | ${Math.round(cached).toLocaleString('en')} | ${Math.round(uncached).toLocaleString('en')} | ${prev!.login.toFixed(0)} / ${prev!.wrong.toFixed(0)} | ${login.toFixed(0)} / ${wrong.toFixed(0)} |`,
      );
    } else {
      await rt.stop();
    }
    prev = { login, wrong };
  }
  rmSync(deploymentDir, { recursive: true, force: true });
  await db.drop();
}

console.log(`security benchmark, ${new Date().toISOString().slice(0, 10)}, ${seconds} s per figure`);
console.log(
  '| database | session lookups/s, cached | session lookups/s, database (1 query) | login ms right / wrong, cost 10 | login ms right / wrong, cost 12 |',
);
console.log('| --- | --- | --- | --- | --- |');
for (const r of rows) console.log(r);
