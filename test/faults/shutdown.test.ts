import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/model/index.js';
import { modelChecks } from '../../src/app/model-checks.js';
import { buildRegistry } from '../../src/client-api/registry/build-registry.js';
import { XasClient } from '../client-api/harness.js';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.js';
import { copyExample, startInstance, type KilnInstance } from '../support/kiln-instance.js';

/**
 * Fault: SIGTERM while one request waits on a row lock held by another
 * connection. The process must exit within ShutdownTimeout plus a small margin,
 * with exit code 3 (docs/operations.md), and the stuck edit must never be
 * committed — not even once the lock is released afterwards.
 */
const SHUTDOWN_TIMEOUT = 3000;
const MARGIN = 1500;
const EXIT_SHUTDOWN_TIMED_OUT = 3;
const T = '"myfirstmodule$employee"';

describe('fault: SIGTERM with a request stuck on a row lock', () => {
  let pgc: PrivatePostgres;
  let app: { dir: string; remove(): void };
  let kiln: KilnInstance | undefined;

  beforeAll(async () => {
    pgc = await startPrivatePostgres();
    app = copyExample('employees');
    kiln = await startInstance({ appDir: app.dir, db: pgc.url, env: { KILN_SHUTDOWN_TIMEOUT: String(SHUTDOWN_TIMEOUT) } });
  }, 60000);
  afterAll(async () => {
    await kiln?.kill('SIGKILL');
    await pgc?.cleanup();
    app?.remove();
  });

  it('exits with code 3 within ShutdownTimeout + margin and the stuck edit is not in the database', async () => {
    const { model } = await loadModel(app.dir, { checks: modelChecks() });
    const registry = buildRegistry(model!);
    const create = registry.forButton('MyFirstModule.Employee_Overview', 'dataGrid2_1', 0)!;
    const save = registry.forButton('MyFirstModule.Employee_NewEdit', 'dataView1', 0)!;
    const admin = new XasClient(kiln!.base);
    await admin.login('MxAdmin', 'Admin1!');
    const created = ((await admin.op(create.id)).body.objects as { guid: string }[])[0]!;
    const guid = created.guid;
    const first = await admin.op(save.id, {
      params: { Objects: { guids: [guid] } },
      objects: [created],
      changes: { [guid]: { Lastname: { value: 'Original' } } },
    });
    expect(first.status).toBe(200);

    // Another connection locks the row.
    const locker = await pgc.client();
    await locker.query('BEGIN');
    await locker.query(`SELECT id FROM ${T} WHERE id = $1 FOR UPDATE`, [guid]);

    // The edit waits for the lock (seen in pg_stat_activity).
    const stuck = admin.op(save.id, { params: { Objects: { guids: [guid] } }, changes: { [guid]: { Lastname: { value: 'Stuck' } } } }).then(
      (r) => `HTTP ${r.status}`,
      (e: Error) => `${e.name}: ${(e.cause as Error | undefined)?.message ?? e.message}`,
    );
    const watcher = await pgc.client();
    const waiting = async () =>
      Number((await watcher.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = 'kiln' AND wait_event_type = 'Lock'`)).rows[0].n);
    for (let i = 0; i < 50 && (await waiting()) === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await waiting()).toBe(1);

    const t0 = Date.now();
    const exit = await kiln!.kill('SIGTERM');
    const elapsed = Date.now() - t0;
    const answer = await stuck;

    // The lock holder lets go only now: a transaction still alive on the server would go on and commit here.
    await locker.query('ROLLBACK');
    let left = -1;
    for (let i = 0; i < 30; i++) {
      left = Number(
        (
          await watcher.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = 'kiln' AND pid NOT IN ($1, $2) AND backend_type = 'client backend'`, [
            (locker as unknown as { processID: number }).processID,
            (watcher as unknown as { processID: number }).processID,
          ])
        ).rows[0].n,
      );
      if (left === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const rows = (await watcher.query(`SELECT lastname FROM ${T} WHERE id = $1`, [guid])).rows as { lastname: string }[];
    const stuckRows = Number((await watcher.query(`SELECT count(*) AS n FROM ${T} WHERE lastname = 'Stuck'`)).rows[0].n);
    console.log(
      `SIGTERM with a stuck edit: exit code ${exit.code} (signal ${exit.signal}) after ${elapsed} ms (ShutdownTimeout ${SHUTDOWN_TIMEOUT} ms); the stuck request got ${answer}; ` +
        `rows expected 1 with 'Original', found ${rows.length} with '${rows[0]?.lastname}'; 'Stuck' rows expected 0, found ${stuckRows}; Kiln backends left ${left}`,
    );
    expect(exit.code, kiln!.output()).toBe(EXIT_SHUTDOWN_TIMED_OUT);
    expect(elapsed).toBeGreaterThanOrEqual(SHUTDOWN_TIMEOUT - 100);
    expect(elapsed).toBeLessThan(SHUTDOWN_TIMEOUT + MARGIN);
    expect(rows).toEqual([{ lastname: 'Original' }]);
    expect(stuckRows).toBe(0);
    expect(left).toBe(0);
    expect(kiln!.output()).toMatch(/rolled back 1 transaction/);
  }, 60000);
});
