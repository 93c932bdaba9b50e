import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.js';
import { copyExample, startInstance, type KilnInstance } from '../support/kiln-instance.js';
import { startHaproxy, type HaproxyProcess } from '../support/haproxy.js';

/**
 * Fault: one of two instances behind HAProxy is SIGKILLed under a light load
 * of GET requests. HAProxy (health checks on /health/ready, a failed
 * connection retried on the other server) routes everything to the survivor;
 * the test counts requests, who served them, and errors by kind.
 */
const WORKERS = 4;
const RUN_MS = 8000;
const KILL_AT_MS = 2500;
/** Health checks every 500 ms, down after 2 failures: the proxy has stopped choosing s1 well within this. */
const DETECT_MS = 2000;

describe('fault: an instance killed behind HAProxy', () => {
  let pgc: PrivatePostgres;
  let app: { dir: string; remove(): void };
  let deployments: string;
  const instances: KilnInstance[] = [];
  let proxy: HaproxyProcess | undefined;

  beforeAll(async () => {
    pgc = await startPrivatePostgres();
    app = copyExample('employees');
    deployments = mkdtempSync(join(tmpdir(), 'kiln-deployments-'));
    // One after the other: the first synchronises the schema.
    for (const n of [1, 2]) instances.push(await startInstance({ appDir: app.dir, db: pgc.url, deploymentDir: join(deployments, `d${n}`) }));
    proxy = await startHaproxy({ backends: instances.map((i) => i.port), interMs: 500, fall: 2, rise: 2 });
  }, 60000);
  afterAll(async () => {
    await proxy?.stop();
    for (const i of instances) await i.kill('SIGKILL');
    await pgc?.cleanup();
    app?.remove();
    if (deployments) rmSync(deployments, { recursive: true, force: true });
  });

  it('routes every request to the surviving instance once the killed one is detected', async () => {
    const paths = ['/', '/health/ready'];
    for (const p of paths) expect((await fetch(`${proxy!.base}${p}`)).status, p).toBe(200);

    type Outcome = { at: number; path: string; kind: string; server: string };
    const outcomes: Outcome[] = [];
    const start = Date.now();
    let killedAt = Infinity;
    const worker = async (w: number) => {
      for (let i = 0; Date.now() - start < RUN_MS; i++) {
        const path = paths[(i + w) % paths.length]!;
        const at = Date.now() - start;
        try {
          const r = await fetch(`${proxy!.base}${path}`, { signal: AbortSignal.timeout(5000) });
          await r.arrayBuffer();
          outcomes.push({ at, path, kind: r.status === 200 ? 'ok' : `HTTP ${r.status}`, server: r.headers.get('x-served-by') ?? '-' });
        } catch (e) {
          const err = e as Error & { cause?: { code?: string } };
          outcomes.push({ at, path, kind: err.name === 'TimeoutError' ? 'timeout' : `network ${err.cause?.code ?? err.message}`, server: '-' });
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const killer = (async () => {
      await new Promise((r) => setTimeout(r, KILL_AT_MS));
      killedAt = Date.now() - start;
      await instances[0]!.kill('SIGKILL');
    })();
    await Promise.all([killer, ...Array.from({ length: WORKERS }, (_, w) => worker(w))]);

    const count = (f: (o: Outcome) => boolean) => outcomes.filter(f).length;
    const errorsByKind: Record<string, number> = {};
    for (const o of outcomes) if (o.kind !== 'ok') errorsByKind[o.kind] = (errorsByKind[o.kind] ?? 0) + 1;
    const before = outcomes.filter((o) => o.at < killedAt);
    const window = outcomes.filter((o) => o.at >= killedAt && o.at < killedAt + DETECT_MS);
    const after = outcomes.filter((o) => o.at >= killedAt + DETECT_MS);
    const summary = {
      requests: outcomes.length,
      ok: count((o) => o.kind === 'ok'),
      errorsByKind,
      beforeKill: { requests: before.length, s1: before.filter((o) => o.server === 's1').length, s2: before.filter((o) => o.server === 's2').length },
      detectionWindow: {
        requests: window.length,
        errors: window.filter((o) => o.kind !== 'ok').length,
        s1: window.filter((o) => o.server === 's1').length,
        s2: window.filter((o) => o.server === 's2').length,
      },
      afterDetection: { requests: after.length, errors: after.filter((o) => o.kind !== 'ok').length, s2: after.filter((o) => o.server === 's2').length },
      killedAtMs: killedAt,
    };
    const servers = (await proxy!.stats())
      .filter((r) => r.svname === 's1' || r.svname === 's2' || r.svname === 'BACKEND')
      .map((r) => ({
        server: r.svname,
        status: r.status,
        sessions: Number(r.stot),
        retries: Number(r.wretr),
        redispatches: Number(r.wredis),
        connectionErrors: Number(r.econ),
        responseErrors: Number(r.eresp),
        http5xx: Number(r.hrsp_5xx),
      }));
    console.log(`HAProxy failover: ${JSON.stringify(summary)}\nHAProxy's own counts: ${JSON.stringify(servers)}`);
    const downLine = /s1 is DOWN/.test(proxy!.output());

    // Both served before the kill; after detection, only s2, without errors; overall no more errors than requests in flight at the kill.
    expect(summary.beforeKill.s1).toBeGreaterThan(0);
    expect(summary.beforeKill.s2).toBeGreaterThan(0);
    expect(summary.afterDetection.requests).toBeGreaterThan(50);
    expect(summary.afterDetection.errors).toBe(0);
    expect(summary.afterDetection.s2).toBe(summary.afterDetection.requests);
    expect(outcomes.length - summary.ok).toBeLessThanOrEqual(WORKERS);
    expect(downLine, proxy!.output()).toBe(true);
    expect(servers.find((r) => r.server === 's1')?.status).toBe('DOWN');
    expect(servers.find((r) => r.server === 's2')?.status).toBe('UP');
  }, 60000);
});
