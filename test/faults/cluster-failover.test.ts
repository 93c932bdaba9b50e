import { connect } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.js';
import { startInstance, type KilnInstance } from '../support/kiln-instance.js';
import { startHaproxy, type HaproxyProcess } from '../support/haproxy.js';
import { clusterApp } from '../cluster/app.js';

/**
 * docs/cluster.md's recipe under faults: three instances behind HAProxy (no
 * sticky sessions) on one private PostgreSQL, a logged-in client running the
 * seeds' workload (overview retrieve, New + Save) through the proxy. The
 * leader is SIGKILLed: another instance leads within two intervals, the
 * client's session keeps working, and only requests the killed instance held
 * fail. It restarts and rejoins as a follower. Then an instance is stopped
 * gracefully (drained at the proxy, then SIGTERM): no request fails.
 */
const INTERVAL = 1000;
const WORKERS = 4;
const ENV = {
  KILN_CLUSTER_MANAGER_ACTION_INTERVAL: String(INTERVAL),
  KILN_LOG_LEVEL: 'info',
  KILN_SHUTDOWN_TIMEOUT: '5000',
  KILN_TRUST_PROXY: 'true',
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Health {
  status: string;
  instance?: string;
  leader?: boolean;
}
async function health(i: KilnInstance): Promise<Health | undefined> {
  try {
    const r = await fetch(`${i.base}/health`, { signal: AbortSignal.timeout(500) });
    return (await r.json()) as Health;
  } catch {
    return undefined;
  }
}

/** One command on HAProxy's admin socket (next to its config, as test/support/haproxy.ts writes it). */
function haproxyCommand(proxy: HaproxyProcess, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const c = connect(join(dirname(proxy.config), 'admin.sock'), () => c.write(`${command}\n`));
    c.on('data', (d) => {
      text += d;
    });
    c.on('error', reject);
    c.on('end', () => resolve(text));
  });
}

describe('fault: a three-instance cluster behind HAProxy loses its leader', () => {
  let pgc: PrivatePostgres;
  let app: { dir: string; remove(): void };
  let deployments: string;
  const instances: KilnInstance[] = [];
  let proxy: HaproxyProcess | undefined;

  beforeAll(async () => {
    pgc = await startPrivatePostgres();
    app = clusterApp();
    deployments = mkdtempSync(join(tmpdir(), 'kiln-cluster-deployments-'));
    // The first alone (it synchronises the schema and becomes the leader), then the other two together.
    instances.push(await startInstance({ appDir: app.dir, db: pgc.url, deploymentDir: join(deployments, 'd1'), env: ENV }));
    instances.push(
      ...(await Promise.all([2, 3].map((n) => startInstance({ appDir: app.dir, db: pgc.url, deploymentDir: join(deployments, `d${n}`), env: ENV })))),
    );
    proxy = await startHaproxy({ backends: instances.map((i) => i.port), interMs: 500, fall: 2, rise: 2 });
  }, 60000);
  afterAll(async () => {
    await proxy?.stop();
    for (const i of instances) await i.kill('SIGKILL');
    await pgc?.cleanup();
    app?.remove();
    if (deployments) rmSync(deployments, { recursive: true, force: true });
  });

  it('keeps serving a logged-in client: a new leader within two intervals after SIGKILL, the old one rejoins as follower, a graceful stop fails nothing', async () => {
    const base = proxy!.base;
    const healths = await Promise.all(instances.map(health));
    expect(healths.map((h) => h?.leader)).toEqual([true, false, false]);
    expect(new Set(healths.map((h) => h?.instance)).size).toBe(3);

    // Log in through the proxy, as the browser client does.
    const login = await fetch(`${base}/xas/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'login', params: { username: 'MxAdmin', password: 'Admin1!' } }),
    });
    expect(login.status).toBe(200);
    const csrf = ((await login.json()) as { csrftoken: string }).csrftoken;
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const ops = JSON.parse(readFileSync(join(deployments, 'd1', 'model', 'operations.json'), 'utf8')) as {
      operationId: string;
      operationType: string;
      constants: Record<string, unknown>;
    }[];
    const opId = (p: (o: (typeof ops)[number]) => boolean) => ops.find(p)!.operationId;
    const list = opId((o) => o.operationType === 'retrieve' && o.constants.WidgetName === 'MyFirstModule.Employee_Overview.dataGrid2_1');
    const create = opId((o) => o.operationType === 'create' && o.constants.ObjectType === 'MyFirstModule.Employee');
    const commit = opId((o) => o.operationType === 'commit');

    type Outcome = { at: number; what: string; kind: string; server: string };
    const outcomes: Outcome[] = [];
    const start = Date.now();
    let running = true;
    const call = async (what: string, body: Record<string, unknown>): Promise<Record<string, unknown> | undefined> => {
      const at = Date.now() - start;
      try {
        const r = await fetch(`${base}/xas/`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(5000),
        });
        const text = await r.text();
        outcomes.push({ at, what, kind: r.status === 200 ? 'ok' : `HTTP ${r.status}`, server: r.headers.get('x-served-by') ?? '-' });
        return r.status === 200 ? (JSON.parse(text) as Record<string, unknown>) : undefined;
      } catch (e) {
        const err = e as Error & { cause?: { code?: string } };
        outcomes.push({ at, what, kind: err.name === 'TimeoutError' ? 'timeout' : `network ${err.cause?.code ?? err.message}`, server: '-' });
        return undefined;
      }
    };
    const worker = async (w: number) => {
      for (let i = 0; running; i++) {
        if ((i + w) % 3 === 0) {
          // New, then Save: the two requests may land on different instances.
          const created = await call('create', { action: 'runtimeOperation', operationId: create, params: {}, changes: {}, objects: [] });
          const obj = (created?.objects as { guid: string }[] | undefined)?.[0];
          if (obj) {
            await call('commit', {
              action: 'runtimeOperation',
              operationId: commit,
              params: { Objects: { guids: [obj.guid] } },
              changes: { [obj.guid]: { Lastname: { value: `W${w}-${i}` }, Jobtitle: { value: 'Tester' } } },
              objects: [obj],
            });
          }
        } else {
          await call('list', {
            action: 'runtimeOperation',
            operationId: list,
            params: {},
            options: { offset: 0, amount: 20, sort: [], wantCount: true, extraXpath: '' },
            changes: {},
            objects: [],
          });
        }
        await sleep(10);
      }
    };
    const load = Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));

    // 1. SIGKILL the leader; another leads within two intervals.
    await sleep(2000);
    const killed = 0;
    const killedId = healths[0]!.instance!;
    const killedAt = Date.now() - start;
    await instances[killed]!.kill('SIGKILL');
    let takeoverMs: number | undefined;
    let newLeader = -1;
    while (Date.now() - start - killedAt < 3 * INTERVAL) {
      const hs = await Promise.all([1, 2].map((i) => health(instances[i]!)));
      const leaders = hs.map((h, i) => (h?.leader ? i + 1 : -1)).filter((i) => i > 0);
      expect(leaders.length).toBeLessThanOrEqual(1);
      if (leaders.length === 1) {
        takeoverMs = Date.now() - start - killedAt;
        newLeader = leaders[0]!;
        break;
      }
      await sleep(25);
    }
    expect(takeoverMs, 'a new leader').toBeDefined();
    expect(takeoverMs!).toBeLessThanOrEqual(2 * INTERVAL);

    // The killed instance's row expires (three intervals without a refresh) and the new leader removes it.
    const pg = await pgc.client();
    const rowGone = async () => (await pg.query('SELECT 1 FROM "system$xasinstance" WHERE "xasid" = $1', [killedId])).rowCount === 0;
    let expiredAfterMs: number | undefined;
    for (let t = 0; t < 6000 && expiredAfterMs === undefined; t += 100) {
      if (await rowGone()) expiredAfterMs = Date.now() - start - killedAt;
      else await sleep(100);
    }
    expect(expiredAfterMs, 'the dead instance expired').toBeDefined();
    const afterKillEnd = Date.now() - start;

    // 2. Restart it on its port: it rejoins as a follower.
    instances[killed] = await startInstance({ appDir: app.dir, db: pgc.url, port: instances[killed]!.port, deploymentDir: join(deployments, 'd1'), env: ENV });
    const rejoined = await health(instances[killed]!);
    expect(rejoined?.leader).toBe(false);
    expect(rejoined?.instance).not.toBe(killedId);
    await sleep(2000);

    // 3. Stop one gracefully, the recipe's way: drained at the proxy, then SIGTERM.
    const stopped = [1, 2].find((i) => i !== newLeader)!;
    const stopFrom = Date.now() - start;
    await haproxyCommand(proxy!, `set server kiln_instances/s${stopped + 1} state drain`);
    await sleep(1500);
    const exit = await instances[stopped]!.kill('SIGTERM');
    await sleep(1500);
    running = false;
    await load;

    const failed = (o: Outcome) => o.kind !== 'ok';
    const byKind: Record<string, number> = {};
    for (const o of outcomes) if (failed(o)) byKind[`${o.what} ${o.kind}`] = (byKind[`${o.what} ${o.kind}`] ?? 0) + 1;
    const phase = (from: number, to: number) => outcomes.filter((o) => o.at >= from && o.at < to);
    const killPhase = phase(killedAt, afterKillEnd);
    // In flight when the leader was killed: sent before the kill (within the 5 s client timeout), or just after, before the proxy saw it down.
    const heldByKilled = outcomes.filter((o) => failed(o) && o.at >= killedAt - 5000 && o.at < killedAt + 2000).length;
    const stopPhase = phase(stopFrom, Infinity);
    const summary = {
      requests: outcomes.length,
      failed: outcomes.filter(failed).length,
      failuresByKind: byKind,
      takeoverMs,
      expiredAfterMs,
      killedAtMs: killedAt,
      failedInFlightAtKill: heldByKilled,
      failureStartsRelativeToKillMs: outcomes.filter(failed).map((o) => o.at - killedAt),
      afterKill: { requests: killPhase.length, failed: killPhase.filter(failed).length },
      gracefulStop: { requests: stopPhase.length, failed: stopPhase.filter(failed).length, exit },
      servedBy: Object.fromEntries(['s1', 's2', 's3'].map((s) => [s, outcomes.filter((o) => o.server === s).length])),
    };
    console.log(`cluster failover: ${JSON.stringify(summary)}`);
    const logs = instances.map((i) => i.output()).join('\n');
    expect(logs).toMatch(/this instance is now the cluster leader \(term 2\)/);
    expect(logs).toMatch(/stopped refreshing and expired; removed/);

    // Only what the killed instance held failed (each worker has one request in flight); the session kept working.
    expect(summary.failed).toBeLessThanOrEqual(WORKERS);
    expect(summary.failed).toBe(heldByKilled);
    expect(Object.keys(byKind).some((k) => k.includes('401'))).toBe(false);
    expect(summary.gracefulStop.failed).toBe(0);
    expect(summary.gracefulStop.requests).toBeGreaterThan(50);
    expect(exit.code).toBe(0);
    // The graceful stop ran the before-shutdown microflow.
    const check = await pgc.client();
    const shutdowns = await check.query(`SELECT COUNT(*) AS n FROM "myfirstmodule$employee" WHERE "lastname" = 'shutdown'`);
    expect(Number(shutdowns.rows[0].n)).toBe(1);
  }, 60000);
});
