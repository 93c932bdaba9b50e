import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.js';
import { copyExample, startInstance, type KilnInstance } from '../support/kiln-instance.js';

/**
 * Fault: the database stops and comes back. `/health/ready` must say so within
 * about 2 s both ways while `/health` (liveness) stays 200 throughout.
 */
describe('fault: database stopped and restarted under the readiness probe', () => {
  let pgc: PrivatePostgres;
  let app: { dir: string; remove(): void };
  let kiln: KilnInstance | undefined;

  beforeAll(async () => {
    pgc = await startPrivatePostgres();
    app = copyExample('employees');
    kiln = await startInstance({ appDir: app.dir, db: pgc.url, env: { KILN_READINESS_TIMEOUT: '1000', KILN_DATABASE_CONNECT_TIMEOUT: '2000' } });
  }, 60000);
  afterAll(async () => {
    await kiln?.kill('SIGKILL');
    await pgc?.cleanup();
    app?.remove();
  });

  it('answers 503 {reason: database} within 2 s of the stop, 200 within 2 s of the restart; /health stays 200', async () => {
    const status = async (path: string): Promise<number | string> => {
      try {
        const r = await fetch(`${kiln!.base}${path}`, { signal: AbortSignal.timeout(3000) });
        await r.arrayBuffer();
        return r.status;
      } catch (e) {
        return (e as Error).name;
      }
    };
    const counts = { probes: 0, liveness200: 0, livenessOther: 0 };
    const live = async () => {
      const s = await status('/health');
      counts.probes++;
      if (s === 200) counts.liveness200++;
      else counts.livenessOther++;
    };

    expect(await status('/health/ready')).toBe(200);

    // Stop the database; poll readiness every 100 ms until it turns 503.
    const stoppedAt = Date.now();
    await pgc.stop('fast');
    let downAfter = -1;
    let body: unknown;
    while (Date.now() - stoppedAt < 5000) {
      await live();
      const r = await fetch(`${kiln!.base}/health/ready`, { signal: AbortSignal.timeout(3000) });
      if (r.status === 503) {
        body = await r.json();
        downAfter = Date.now() - stoppedAt;
        break;
      }
      await r.arrayBuffer();
      await new Promise((res) => setTimeout(res, 100));
    }
    // While it is down, liveness stays 200 and readiness stays 503.
    for (let i = 0; i < 5; i++) {
      await live();
      expect(await status('/health/ready')).toBe(503);
    }

    const startedAt = Date.now();
    await pgc.start();
    let upAfter = -1;
    while (Date.now() - startedAt < 5000) {
      await live();
      if ((await status('/health/ready')) === 200) {
        upAfter = Date.now() - startedAt;
        break;
      }
      await new Promise((res) => setTimeout(res, 100));
    }
    console.log(
      `readiness: 503 after ${downAfter} ms of the stop, 200 after ${upAfter} ms of the start (pg_ctl start itself included); liveness ${counts.liveness200}/${counts.probes} answered 200`,
    );
    expect(body).toEqual({ status: 'unavailable', reason: 'database' });
    expect(downAfter).toBeGreaterThanOrEqual(0);
    expect(downAfter).toBeLessThan(2000);
    expect(upAfter).toBeGreaterThanOrEqual(0);
    expect(upAfter).toBeLessThan(2000);
    expect(counts.livenessOther).toBe(0);
    expect(counts.liveness200).toBe(counts.probes);
    expect(kiln!.output()).toMatch(/not ready: database unavailable/);
  }, 60000);
});
