import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/model/index.js';
import { modelChecks } from '../../src/app/model-checks.js';
import { buildRegistry } from '../../src/client-api/registry/build-registry.js';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.js';
import { copyExample, startInstance, type KilnInstance } from '../support/kiln-instance.js';
import { FaultClient, tally, type Answer } from './fault-client.js';

/**
 * Fault: the private PostgreSQL stops (twice) while users work, with the
 * session cache expired (SessionValidationTimeout 200 ms), so session
 * look-ups, logins, retrieves and commits all need the database. Every answer
 * is 503 with Retry-After and a body without driver text; the log has one
 * "database unavailable" line and one "available again" line per incident,
 * not one per request.
 */
const ROUNDS = 8;
const DRIVER_TEXT = /ECONNREFUSED|timeout exceeded|Connection terminated|connect |postgres|57P0|08006|terminating/i;

describe('fault: the database stops while requests need it', () => {
  let pgc: PrivatePostgres;
  let app: { dir: string; remove(): void };
  let kiln: KilnInstance | undefined;

  beforeAll(async () => {
    pgc = await startPrivatePostgres();
    app = copyExample('employees');
    kiln = await startInstance({ appDir: app.dir, db: pgc.url, env: { KILN_SESSION_VALIDATION_TIMEOUT: '200', KILN_DATABASE_CONNECT_TIMEOUT: '2000' } });
  }, 60000);
  afterAll(async () => {
    await kiln?.kill('SIGKILL');
    await pgc?.cleanup();
    app?.remove();
  });

  it('answers 503 with Retry-After and no driver text on every path, and logs one line per incident each way', async () => {
    const { model } = await loadModel(app.dir, { checks: modelChecks() });
    const registry = buildRegistry(model!);
    const save = registry.forButton('MyFirstModule.Employee_NewEdit', 'dataView1', 0)!.id;
    const create = registry.forButton('MyFirstModule.Employee_Overview', 'dataGrid2_1', 0)!.id;
    const list = registry.operations.find((o) => o.type === 'retrieve' && o.entity === 'MyFirstModule.Employee' && !o.byParameter)!.id;
    const c = new FaultClient(kiln!.base);
    expect((await c.login('MxAdmin', 'Admin1!')).status).toBe(200);
    const created = (JSON.parse((await c.op(create)).text) as { objects: { guid: string }[] }).objects[0]!;
    const guid = created.guid;
    expect(
      (await c.op(save, { params: { Objects: { guids: [guid] } }, objects: [created], changes: { [guid]: { Lastname: { value: 'Before' } } } })).status,
    ).toBe(200);

    const logBefore = kiln!.output().length;
    const byKind: Record<string, Answer[]> = { sessionData: [], keepalive: [], login: [], retrieve: [], commit: [] };
    const round = async (i: number) => {
      await Promise.all([
        c.post({ action: 'get_session_data' }).then((a) => byKind.sessionData!.push(a)),
        c.post({ action: 'keepalive' }).then((a) => byKind.keepalive!.push(a)),
        new FaultClient(kiln!.base).login('MxAdmin', 'Admin1!').then((a) => byKind.login!.push(a)),
        c.op(list, { options: { offset: 0, amount: 20, sort: [], wantCount: false } }).then((a) => byKind.retrieve!.push(a)),
        c.op(save, { params: { Objects: { guids: [guid] } }, changes: { [guid]: { Lastname: { value: `During${i}` } } } }).then((a) => byKind.commit!.push(a)),
      ]);
    };
    const recovery: number[] = [];
    for (let incident = 0; incident < 2; incident++) {
      await pgc.stop('fast');
      // Past the session cache: every look-up goes to the database.
      await new Promise((r) => setTimeout(r, 300));
      for (let i = 0; i < ROUNDS; i++) await round(i);
      await pgc.start();
      const t0 = Date.now();
      for (;;) {
        const a = await c.post({ action: 'get_session_data' });
        if (a.status === 200) break;
        if (Date.now() - t0 > 10000) throw new Error(`not back after 10 s: ${a.status} ${a.text}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      recovery.push(Date.now() - t0);
    }
    const all = Object.values(byKind).flat();
    const log = kiln!.output().slice(logBefore);
    const lines = log.split('\n').filter((l) => l.trim());
    const count = (re: RegExp) => lines.filter((l) => re.test(l)).length;
    const unavailable = count(/database unavailable: requests/);
    const back = count(/database available again/);
    const requestLines = count(/request failed/);
    const warnOrError = lines.filter((l) => /"level":(40|50)/.test(l));
    const withDriverText = all.filter((a) => DRIVER_TEXT.test(a.text));
    const rows = (await (await pgc.client()).query(`SELECT lastname FROM "myfirstmodule$employee" WHERE id = $1`, [guid])).rows as { lastname: string }[];
    console.log(
      `database stopped twice, ${ROUNDS} rounds of 5 requests each time: ${all.length} requests, ${JSON.stringify(tally(all))}; by kind ${JSON.stringify(Object.fromEntries(Object.entries(byKind).map(([k, v]) => [k, tally(v)])))}; ` +
        `bodies with driver text ${withDriverText.length}; log: 'database unavailable' ${unavailable}, 'available again' ${back}, per-request 'request failed' lines ${requestLines}, warn/error lines in all ${warnOrError.length}; ` +
        `back after ${recovery.join(' and ')} ms; row expected 'Before', found ${JSON.stringify(rows)}`,
    );
    if (warnOrError.length) console.log(warnOrError.map((l) => l.slice(0, 200)).join('\n'));
    expect(all.filter((a) => !(a.status === 503 && a.retryAfter)).map((a) => `${a.status} ${a.text}`)).toEqual([]);
    expect(withDriverText.map((a) => a.text)).toEqual([]);
    expect(unavailable).toBe(2);
    expect(back).toBe(2);
    expect(requestLines).toBe(0);
    expect(rows).toEqual([{ lastname: 'Before' }]);
  }, 60000);
});
