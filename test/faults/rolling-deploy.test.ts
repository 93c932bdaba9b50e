import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/model/index.js';
import { modelChecks } from '../../src/app/model-checks.js';
import { buildRegistry } from '../../src/client-api/registry/build-registry.js';
import { XasClient } from '../client-api/harness.js';
import { freePort } from '../support/cli.js';
import { startHaproxy, type HaproxyProcess } from '../support/haproxy.js';
import { copyExample, startInstance, type KilnInstance } from '../support/kiln-instance.js';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.js';

/**
 * Fault: rolling deploys (issue 14, item 4) behind HAProxy on a private
 * PostgreSQL, under a light load of create + save + list through the proxy.
 * Each deploy replaces s1, then s2 (drained on the proxy, SIGTERM, started with
 * the new version on the same port, put back). The load counts requests, errors
 * by kind, and rows expected (saves answered 200) against rows found.
 *
 *  - 1.1.0 adds an attribute; between the two halves an instance of 1.0.0
 *    restarts beside the newer one (the reported bug: it dropped the new
 *    column). Zero failed requests expected.
 *  - 1.2.0 removes it (expand/contract): the column is kept while an
 *    instance of 1.1.0 is live, and dropped by the synchronisation of the
 *    last instance to be replaced. Zero failed requests expected.
 *  - 1.3.0 renames the entity (previousName): 1.2.0 instances lose their
 *    table and answer 503 'the app is being updated' (never 500); the load
 *    retries a 503 as the browser client does (backing off), counted as
 *    retried, not failed. An instance of 1.2.0 restarting afterwards refuses
 *    in one line.
 */
const WORKERS = 3;
const MODEL = 'modules/MyFirstModule/domain-model.yaml';

type Ids = { create: string; save: string; list: string };
type Tally = {
  requests: number;
  ok: number;
  errors: Record<string, number>;
  staleOperation: number;
  retried503: number;
  /** 401: the cluster leader cleared every session for the new model version (docs/cluster.md); the load logs in again, as a user would. */
  loggedInAgain: number;
  /** Saves refused (400) because the object was read in a session that has since been cleared: the user reloads. */
  lostWithSession: number;
  /** Saves refused (400) because the object came from a page of the older model (its entity since renamed): the user reloads. */
  staleObject: number;
  /** HAProxy's own error page (HTML: no server available while one is drained and the other restarts), tried again as a 503. */
  retriedProxyPage: number;
  saves: number;
};
/** As the browser client: a 502/503/504 is tried again after a back-off (here shorter, and at most this many times). */
/** How long a client keeps swapping stale operation ids while both models serve (a page reloading). */
const STALE_RETRY_MS = 10_000;
const RETRIES = 20;

describe('fault: rolling deploys under load', () => {
  let pgc: PrivatePostgres;
  const apps: Record<string, { dir: string; remove(): void }> = {};
  const ids: Record<string, Ids> = {};
  let deployments: string;
  const ports: number[] = [];
  const instances: (KilnInstance | undefined)[] = [undefined, undefined];
  /** The output of the instances replaced so far. */
  const retired: string[] = [];
  /** The first answer of each kind of error, for the report. */
  const firstAnswer: Record<string, string> = {};
  const internalErrors = () =>
    [...retired, ...instances.map((i) => i?.output() ?? '')]
      .flatMap((o) => o.split('\n'))
      .filter((l) => l.includes('"level":50'))
      .map((l) => l.slice(0, 600));
  let proxy: HaproxyProcess | undefined;

  const version = (v: string, edit: (domain: string) => string, renamed = false) => {
    const app = copyExample('employees');
    const yaml = join(app.dir, 'app.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('version: 1.0.0', `version: ${v}`));
    writeFileSync(join(app.dir, MODEL), edit(readFileSync(join(app.dir, MODEL), 'utf8')));
    if (renamed) {
      for (const f of [
        'modules/MyFirstModule/pages/Employee_Overview.yaml',
        'modules/MyFirstModule/pages/Employee_NewEdit.yaml',
        'modules/MyFirstModule/microflows/GetAllEmployees.yaml',
      ]) {
        const p = join(app.dir, f);
        writeFileSync(p, readFileSync(p, 'utf8').replace(/MyFirstModule\.Employee(?![_A-Za-z])/g, 'MyFirstModule.Staff'));
      }
    }
    apps[v] = app;
  };
  const withNickname = (d: string) =>
    d.replace(
      '      DateOfBirth: { type: DateTime, localize: false }\n',
      '      DateOfBirth: { type: DateTime, localize: false }\n      Nickname:    String\n',
    );

  // Users stay signed in across these deploys (the default, as in Mendix, ends every session at a new model).
  const start = (n: number, v: string) =>
    startInstance({
      appDir: apps[v]!.dir,
      db: pgc.url,
      port: ports[n],
      deploymentDir: join(deployments, `d${n}-${v}`),
      env: { KILN_CLEAR_SESSIONS_ON_NEW_MODEL: 'false' },
    });
  const serverState = async (n: number) => (await proxy!.stats()).find((r) => r.svname === `s${n + 1}`)?.status;
  const waitUp = async (n: number) => {
    for (let i = 0; i < 100 && (await serverState(n)) !== 'UP'; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await serverState(n)).toBe('UP');
  };
  /** Drain one server on the proxy, stop it, start version v on its port, put it back. */
  const replace = async (n: number, v: string) => {
    await proxy!.admin(`set server kiln_instances/s${n + 1} state maint`);
    await new Promise((r) => setTimeout(r, 300));
    await instances[n]?.kill('SIGTERM');
    retired.push(instances[n]?.output() ?? '');
    instances[n] = await start(n, v);
    await proxy!.admin(`set server kiln_instances/s${n + 1} state ready`);
    await waitUp(n);
  };

  beforeAll(async () => {
    pgc = await startPrivatePostgres();
    version('1.0.0', (d) => d);
    version('1.1.0', withNickname);
    version('1.2.0', (d) => d);
    version('1.3.0', (d) => d.replace('  Employee:\n', '  Staff:\n    previousName: Employee\n'), true);
    for (const [v, app] of Object.entries(apps)) {
      const { model } = await loadModel(app.dir, { checks: modelChecks() });
      const r = buildRegistry(model!);
      ids[v] = {
        create: r.forButton('MyFirstModule.Employee_Overview', 'dataGrid2_1', 0)!.id,
        save: r.forButton('MyFirstModule.Employee_NewEdit', 'dataView1', 0)!.id,
        list: r.forWidget('MyFirstModule.Employee_Overview', 'allEmployeesGrid')!.id,
      };
    }
    deployments = mkdtempSync(join(tmpdir(), 'kiln-deployments-'));
    ports.push(await freePort(), await freePort());
    instances[0] = await start(0, '1.0.0');
    instances[1] = await start(1, '1.0.0');
    proxy = await startHaproxy({ backends: ports, interMs: 300, fall: 2, rise: 1 });
  }, 90000);
  afterAll(async () => {
    console.log(`first answers of each error kind: ${JSON.stringify(firstAnswer)}`);
    await proxy?.stop();
    for (const i of instances) await i?.kill('SIGKILL');
    await pgc?.cleanup();
    for (const a of Object.values(apps)) a.remove();
    if (deployments) rmSync(deployments, { recursive: true, force: true });
  });

  /** Runs the load until `during` resolves; a 404 for an operation id (the page changed under a browser) switches to the other version's ids, counted apart. */
  const underLoad = async (idSets: Ids[], during: () => Promise<void>): Promise<Tally> => {
    const t: Tally = {
      requests: 0,
      ok: 0,
      errors: {},
      staleOperation: 0,
      retried503: 0,
      loggedInAgain: 0,
      lostWithSession: 0,
      staleObject: 0,
      retriedProxyPage: 0,
      saves: 0,
    };
    const admin = new XasClient(proxy!.base);
    await admin.login('MxAdmin', 'Admin1!');
    let loggingIn: Promise<void> | undefined;
    let generation = 0;
    const relogin = () => {
      loggingIn ??= admin.login('MxAdmin', 'Admin1!').finally(() => {
        generation++;
        loggingIn = undefined;
      });
      return loggingIn.catch(() => undefined);
    };
    let done = false;
    const call = async (w: { set: number }, pick: (i: Ids) => string, rest: Record<string, unknown>, readIn?: number) => {
      // `switches` counts only the changes of operation ids (a retried 503 must not use them up).
      let staleSince: number | undefined;
      for (let switches = 0, retries = 0; ; ) {
        t.requests++;
        try {
          const r = await admin.op(pick(idSets[w.set]!), rest);
          // While old and new instances both serve, the proxy may send the next try to the other model
          // again: a client that reloads its page keeps trying for a few seconds, pausing after each full round.
          if (r.status === 404 && /unknown operation/.test(JSON.stringify(r.body)) && Date.now() < (staleSince ??= Date.now()) + STALE_RETRY_MS) {
            switches++;
            t.staleOperation++;
            if (switches % idSets.length === 0) await new Promise((res) => setTimeout(res, 100));
            w.set = (w.set + 1) % idSets.length;
            continue;
          }
          if (r.status === 200) {
            t.ok++;
            return r;
          }
          if (r.status === 400 && readIn !== undefined && readIn !== generation && /to this session/.test(JSON.stringify(r.body))) {
            t.lostWithSession++;
            return undefined;
          }
          if (r.status === 400 && /'objects\.0\.objectType' names no entity/.test(JSON.stringify(r.body))) {
            t.staleObject++;
            return undefined;
          }
          if (r.status === 401 && retries < RETRIES) {
            t.loggedInAgain++;
            retries++;
            await relogin();
            continue;
          }
          if ([502, 503, 504].includes(r.status) && retries < RETRIES) {
            t.retried503++;
            await new Promise((res) => setTimeout(res, Math.min(100 * 2 ** retries++, 1000)));
            continue;
          }
          const kind = `HTTP ${r.status}`;
          t.errors[kind] = (t.errors[kind] ?? 0) + 1;
          firstAnswer[kind] ??= JSON.stringify(r.body).slice(0, 300);
          return undefined;
        } catch (e) {
          if (/is not valid JSON/.test((e as Error).message) && retries < RETRIES) {
            t.retriedProxyPage++;
            await new Promise((res) => setTimeout(res, Math.min(100 * 2 ** retries++, 1000)));
            continue;
          }
          const kind = `network ${(e as Error & { cause?: { code?: string } }).cause?.code ?? (e as Error).message}`;
          t.errors[kind] = (t.errors[kind] ?? 0) + 1;
          return undefined;
        }
      }
    };
    const worker = async (n: number) => {
      const w = { set: 0 };
      for (let i = 0; !done; i++) {
        const readIn = generation;
        const created = await call(w, (x) => x.create, {});
        const obj = (created?.body.objects as { guid: string }[] | undefined)?.[0];
        if (obj) {
          const saved = await call(
            w,
            (x) => x.save,
            {
              params: { Objects: { guids: [obj.guid] } },
              objects: [obj],
              changes: { [obj.guid]: { Lastname: { value: `load-${n}-${i}` } } },
            },
            readIn,
          );
          if (saved) t.saves++;
        }
        await call(w, (x) => x.list, { validationGuids: [] });
        await new Promise((r) => setTimeout(r, 30));
      }
    };
    const workers = Array.from({ length: WORKERS }, (_, n) => worker(n));
    try {
      await during();
    } finally {
      done = true;
      await Promise.all(workers);
    }
    return t;
  };

  const loadRows = async (table: string) =>
    Number((await (await pgc.client()).query(`SELECT count(*) AS n FROM "${table}" WHERE lastname LIKE 'load-%'`)).rows[0].n);
  const columns = async (table: string) =>
    (await (await pgc.client()).query(`SELECT column_name AS c FROM information_schema.columns WHERE table_name = $1 ORDER BY 1`, [table])).rows.map(
      (r: { c: string }) => r.c,
    );
  const report: Record<string, unknown> = {};
  let saves = 0;

  it('adds an attribute with zero failed requests; a 1.0.0 instance restarting beside 1.1.0 keeps the new column', async () => {
    const t = await underLoad([ids['1.0.0']!], async () => {
      await new Promise((r) => setTimeout(r, 1000));
      await replace(0, '1.1.0');
      // The reported bug: the older model restarts beside the newer one.
      await replace(1, '1.0.0');
      expect(instances[1]!.output()).toMatch(
        /is older than the one that last synchronised the database \(version 1\.1\.0, #2\): serving with its schema, changing nothing/,
      );
      expect(await columns('myfirstmodule$employee')).toContain('nickname');
      await new Promise((r) => setTimeout(r, 1000));
      await replace(1, '1.1.0');
      await new Promise((r) => setTimeout(r, 1000));
    });
    saves += t.saves;
    report.addAttribute = { ...t, rowsExpected: saves, rowsFound: await loadRows('myfirstmodule$employee') };
    console.log(`rolling deploy, added attribute: ${JSON.stringify(report.addAttribute)}`);
    expect(await columns('myfirstmodule$employee')).toContain('nickname');
    expect(t.requests).toBeGreaterThan(50);
    expect(t.errors).toEqual({});
    expect(await loadRows('myfirstmodule$employee')).toBe(saves);
  }, 120000);

  it('removes an attribute with zero failed requests: the column stays while a 1.1.0 instance runs, and goes with the last one', async () => {
    const t = await underLoad([ids['1.1.0']!], async () => {
      await new Promise((r) => setTimeout(r, 1000));
      await replace(0, '1.2.0');
      // Expand/contract: s2 still runs 1.1.0, which uses the column.
      expect(instances[0]!.output()).toMatch(/keep column myfirstmodule\$employee\.nickname while an instance of an older model runs: pending removal/);
      expect(await columns('myfirstmodule$employee')).toContain('nickname');
      await new Promise((r) => setTimeout(r, 1000));
      await replace(1, '1.2.0');
      expect(instances[1]!.output()).toMatch(/schema contracted: 1 column/);
      await new Promise((r) => setTimeout(r, 1000));
    });
    saves += t.saves;
    report.removeAttribute = { ...t, rowsExpected: saves, rowsFound: await loadRows('myfirstmodule$employee') };
    console.log(`rolling deploy, removed attribute: ${JSON.stringify(report.removeAttribute)}`);
    expect(await columns('myfirstmodule$employee')).not.toContain('nickname');
    expect(t.requests).toBeGreaterThan(50);
    expect(t.errors).toEqual({});
    expect(await loadRows('myfirstmodule$employee')).toBe(saves);
  }, 120000);

  it('renames an entity: the older instances answer 503 (retried), never 500; an instance of the older model restarting refuses in one line', async () => {
    const t = await underLoad([ids['1.2.0']!, ids['1.3.0']!], async () => {
      await new Promise((r) => setTimeout(r, 1000));
      await replace(0, '1.3.0');
      await new Promise((r) => setTimeout(r, 1000));
      await replace(1, '1.3.0');
      await new Promise((r) => setTimeout(r, 1000));
    });
    saves += t.saves;
    report.renameEntity = { ...t, rowsExpected: saves, rowsFound: await loadRows('myfirstmodule$staff') };
    console.log(`rolling deploy, renamed entity: ${JSON.stringify(report.renameEntity)}`);
    if (t.errors['HTTP 500']) console.log(`internal errors:\n${internalErrors().join('\n')}`);
    expect(t.requests).toBeGreaterThan(50);
    expect(t.errors['HTTP 500']).toBeUndefined();
    expect(t.errors).toEqual({});
    expect(await loadRows('myfirstmodule$staff')).toBe(saves);
    // An instance of 1.2.0 started now refuses, changing nothing.
    const err = await startInstance({ appDir: apps['1.2.0']!.dir, db: pgc.url, deploymentDir: join(deployments, 'late-1.2.0'), timeoutMs: 30000 }).catch(
      (e: Error) => e.message,
    );
    expect(String(err)).toMatch(
      /this model \(version 1\.2\.0, #3\) is older than the one that last synchronised the database \(version 1\.3\.0, #4\) and cannot serve with its schema: it needs entity MyFirstModule\.Employee \(table myfirstmodule\$employee\), which the newer model renamed or removed; the schema was not changed/,
    );
    expect(await columns('myfirstmodule$staff')).toContain('lastname');
    expect(await columns('myfirstmodule$employee')).toEqual([]);
  }, 120000);
});
