import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/model/index.js';
import { modelChecks } from '../../src/app/model-checks.js';
import { buildRegistry } from '../../src/client-api/registry/build-registry.js';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.js';
import { copyExample, startInstance, type KilnInstance } from '../support/kiln-instance.js';
import { FaultClient, tally, type Answer } from './fault-client.js';

/**
 * Faults: a row locked elsewhere (another connection holds SELECT ... FOR
 * UPDATE) while edits of it arrive. Two instances on one private PostgreSQL:
 *
 * - `locking`: DatabaseLockTimeout 1500 ms, a pool of 4 with
 *   DatabasePoolWaitTimeout 1000 ms — an edit answers 503 (Retry-After) at the
 *   lock timeout; 20 of them at once leave other requests 200 or 503 with
 *   Retry-After, never 500;
 * - `deadline`: no lock timeout, RequestTimeout 2000 ms — the deadline answers
 *   503 and cancels the waiting statement; a client that disconnects mid-commit
 *   has its statement cancelled too.
 *
 * In every case the edit is not in the database after the lock is released.
 */
const T = '"myfirstmodule$employee"';
const LOCK_TIMEOUT = 1500;
const REQUEST_TIMEOUT = 2000;
const MARGIN = 1500;

describe('fault: edits of a row locked elsewhere', () => {
  let pgc: PrivatePostgres;
  let app: { dir: string; remove(): void };
  let locking: KilnInstance | undefined;
  let deadline: KilnInstance | undefined;
  let watcher: pg.Client;
  let ids: { create: string; save: string; list: string };

  beforeAll(async () => {
    pgc = await startPrivatePostgres();
    app = copyExample('employees');
    locking = await startInstance({
      appDir: app.dir,
      db: pgc.url,
      deploymentDir: `${app.dir}/.deployment-a`,
      env: {
        KILN_DATABASE_LOCK_TIMEOUT: String(LOCK_TIMEOUT),
        KILN_DATABASE_POOL_SIZE: '4',
        KILN_DATABASE_POOL_WAIT_TIMEOUT: '1000',
        KILN_REQUEST_TIMEOUT: '10000',
      },
    });
    deadline = await startInstance({
      appDir: app.dir,
      db: pgc.url,
      deploymentDir: `${app.dir}/.deployment-b`,
      env: { KILN_DATABASE_LOCK_TIMEOUT: '0', KILN_REQUEST_TIMEOUT: String(REQUEST_TIMEOUT) },
    });
    watcher = await pgc.client();
    const { model } = await loadModel(app.dir, { checks: modelChecks() });
    const registry = buildRegistry(model!);
    ids = {
      create: registry.forButton('MyFirstModule.Employee_Overview', 'dataGrid2_1', 0)!.id,
      save: registry.forButton('MyFirstModule.Employee_NewEdit', 'dataView1', 0)!.id,
      list: registry.operations.find((o) => o.type === 'retrieve' && o.entity === 'MyFirstModule.Employee' && !o.byParameter)!.id,
    };
  }, 90000);
  afterAll(async () => {
    await locking?.kill('SIGKILL');
    await deadline?.kill('SIGKILL');
    await pgc?.cleanup();
    app?.remove();
  });

  /** A new employee with Lastname 'Original'; its guid. */
  async function employee(c: FaultClient): Promise<string> {
    const created = (JSON.parse((await c.op(ids.create)).text) as { objects: { guid: string }[] }).objects[0]!;
    const saved = await c.op(ids.save, {
      params: { Objects: { guids: [created.guid] } },
      objects: [created],
      changes: { [created.guid]: { Lastname: { value: 'Original' } } },
    });
    expect(saved.status, saved.text).toBe(200);
    return created.guid;
  }
  const edit = (c: FaultClient, guid: string, value: string, signal?: AbortSignal) =>
    c.op(ids.save, { params: { Objects: { guids: [guid] } }, changes: { [guid]: { Lastname: { value } } } }, signal);
  async function lock(guid: string): Promise<pg.Client> {
    const locker = await pgc.client();
    await locker.query('BEGIN');
    await locker.query(`SELECT id FROM ${T} WHERE id = $1 FOR UPDATE`, [guid]);
    return locker;
  }
  const lockWaiters = async () =>
    Number((await watcher.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = 'kiln' AND wait_event_type = 'Lock'`)).rows[0].n);
  async function until(cond: () => Promise<boolean>, ms = 5000): Promise<boolean> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (await cond()) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return cond();
  }
  const lastname = async (guid: string) =>
    ((await watcher.query(`SELECT lastname FROM ${T} WHERE id = $1`, [guid])).rows as { lastname: string }[]).map((r) => r.lastname);
  const rowsWith = async (value: string) => Number((await watcher.query(`SELECT count(*) AS n FROM ${T} WHERE lastname = $1`, [value])).rows[0].n);

  it('an edit waiting on the lock answers 503 with Retry-After at DatabaseLockTimeout and is not committed after the lock is released', async () => {
    const c = new FaultClient(locking!.base);
    expect((await c.login('MxAdmin', 'Admin1!')).status).toBe(200);
    const guid = await employee(c);
    const locker = await lock(guid);
    const a = await edit(c, guid, 'LockWait');
    await locker.query('ROLLBACK');
    await new Promise((r) => setTimeout(r, 300));
    const found = await lastname(guid);
    console.log(
      `lock timeout: the edit answered ${a.status} (Retry-After ${a.retryAfter}) after ${a.ms} ms (DatabaseLockTimeout ${LOCK_TIMEOUT} ms); body ${a.text}; rows expected ['Original'], found ${JSON.stringify(found)}`,
    );
    expect(a.status).toBe(503);
    expect(a.retryAfter).toBe('1');
    expect(a.ms).toBeGreaterThanOrEqual(LOCK_TIMEOUT - 100);
    expect(a.ms).toBeLessThan(LOCK_TIMEOUT + MARGIN);
    expect(a.text).not.toMatch(/lock|canceling|55P03|postgres/i);
    expect(found).toEqual(['Original']);
    expect(await rowsWith('LockWait')).toBe(0);
  }, 30000);

  it('20 stuck edits on a pool of 4: other requests answer 200 or 503 with Retry-After, never 500; no stuck edit is committed', async () => {
    const c = new FaultClient(locking!.base);
    expect((await c.login('MxAdmin', 'Admin1!')).status).toBe(200);
    const guid = await employee(c);
    const otherGuid = await employee(c);
    const locker = await lock(guid);
    const t0 = Date.now();
    const stuck = Array.from({ length: 20 }, (_, i) => edit(c, guid, `Stuck${i}`));
    // Meanwhile other requests: a retrieve, the session data, new logins, a save of another object.
    const others: Answer[] = [];
    const kinds: Record<string, Answer[]> = { retrieve: [], sessionData: [], login: [], otherEdit: [] };
    while (Date.now() - t0 < 4000) {
      const batch = await Promise.all([
        c.op(ids.list, { options: { offset: 0, amount: 20, sort: [], wantCount: false } }).then((a) => {
          kinds.retrieve!.push(a);
          return a;
        }),
        c.post({ action: 'get_session_data' }).then((a) => {
          kinds.sessionData!.push(a);
          return a;
        }),
        new FaultClient(locking!.base).login('MxAdmin', 'Admin1!').then((a) => {
          kinds.login!.push(a);
          return a;
        }),
        edit(c, otherGuid, `Other${Date.now()}`).then((a) => {
          kinds.otherEdit!.push(a);
          return a;
        }),
      ]);
      others.push(...batch);
    }
    const stuckAnswers = await Promise.all(stuck);
    await locker.query('ROLLBACK');
    await new Promise((r) => setTimeout(r, 300));
    const found = await lastname(guid);
    let stuckRows = 0;
    for (let i = 0; i < 20; i++) stuckRows += await rowsWith(`Stuck${i}`);
    const byKind = Object.fromEntries(Object.entries(kinds).map(([k, v]) => [k, tally(v)]));
    console.log(
      `20 stuck edits (pool 4, lock timeout ${LOCK_TIMEOUT} ms, pool wait 1000 ms): stuck edits ${JSON.stringify(tally(stuckAnswers))}, slowest ${Math.max(...stuckAnswers.map((a) => a.ms))} ms; ` +
        `other requests ${others.length}: ${JSON.stringify(tally(others))} by kind ${JSON.stringify(byKind)}; rows expected ['Original'], found ${JSON.stringify(found)}; 'Stuck*' rows expected 0, found ${stuckRows}`,
    );
    const bad = [...stuckAnswers, ...others].filter((a) => !(a.status === 200 || (a.status === 503 && a.retryAfter)));
    expect(bad.map((a) => `${a.status} ${a.text}`)).toEqual([]);
    expect(stuckAnswers.every((a) => a.status === 503)).toBe(true);
    expect(others.filter((a) => a.status === 200).length).toBeGreaterThan(0);
    expect(found).toEqual(['Original']);
    expect(stuckRows).toBe(0);
  }, 40000);

  it('without a lock timeout, the request deadline answers 503 and cancels the waiting statement; the edit is never committed', async () => {
    const c = new FaultClient(deadline!.base);
    expect((await c.login('MxAdmin', 'Admin1!')).status).toBe(200);
    const guid = await employee(c);
    const locker = await lock(guid);
    const a = await edit(c, guid, 'PastDeadline');
    // The cancel request frees the server process at once: nothing waits on the lock any more.
    const cancelled = await until(async () => (await lockWaiters()) === 0, 2000);
    await locker.query('ROLLBACK');
    await new Promise((r) => setTimeout(r, 300));
    const found = await lastname(guid);
    console.log(
      `request deadline: the edit answered ${a.status} (Retry-After ${a.retryAfter}) after ${a.ms} ms (RequestTimeout ${REQUEST_TIMEOUT} ms); body ${a.text}; lock waiters left ${await lockWaiters()} (statement cancelled: ${cancelled}); rows expected ['Original'], found ${JSON.stringify(found)}`,
    );
    expect(a.status).toBe(503);
    expect(a.retryAfter).toBe('1');
    expect(a.ms).toBeGreaterThanOrEqual(REQUEST_TIMEOUT - 100);
    expect(a.ms).toBeLessThan(REQUEST_TIMEOUT + MARGIN);
    expect(cancelled).toBe(true);
    expect(found).toEqual(['Original']);
    expect(await rowsWith('PastDeadline')).toBe(0);
  }, 30000);

  it('a client that disconnects mid-commit leaves nothing committed', async () => {
    const c = new FaultClient(deadline!.base);
    expect((await c.login('MxAdmin', 'Admin1!')).status).toBe(200);
    const guids = [await employee(c), await employee(c), await employee(c)];
    const lockers = await Promise.all(guids.map(lock));
    const ac = new AbortController();
    const answers = guids.map((g, i) => edit(c, g, `Gone${i}`, ac.signal));
    expect(await until(async () => (await lockWaiters()) === guids.length, 3000)).toBe(true);
    const t0 = Date.now();
    ac.abort();
    const results = await Promise.all(answers);
    const freed = await until(async () => (await lockWaiters()) === 0, 1500);
    const freedAfter = Date.now() - t0;
    for (const l of lockers) await l.query('ROLLBACK');
    await new Promise((r) => setTimeout(r, 300));
    let goneRows = 0;
    for (let i = 0; i < guids.length; i++) goneRows += await rowsWith(`Gone${i}`);
    let originals = 0;
    for (const g of guids) originals += (await lastname(g)).filter((v) => v === 'Original').length;
    console.log(
      `client disconnect: ${guids.length} edits waiting on locks, client gone: answers ${JSON.stringify(tally(results))}; lock waiters gone after ${freedAfter} ms (${freed}); ` +
        `'Gone*' rows expected 0, found ${goneRows}; 'Original' rows expected ${guids.length}, found ${originals}`,
    );
    expect(freed).toBe(true);
    expect(goneRows).toBe(0);
    expect(originals).toBe(guids.length);
  }, 30000);
});
