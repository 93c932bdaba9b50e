// Integration benchmark (published and consumed REST).
//   npm run build && npx tsx bench/integration/run.ts [--rows 100] [--seconds 5] [--connections 16]
// (1) GET /rest/orders/v1/orders of examples/sales (Basic auth, a manager: every order,
//     every member) served by Kiln from dist in its own process, beside a raw Fastify + pg
//     server (the anchors' baseline style) answering the same rows as the same JSON from one
//     SELECT, on the same PostgreSQL database. Ratio = Kiln req/s / raw req/s.
// (2) A microflow (callRest) calling a local HTTP endpoint that answers a small JSON text:
//     calls per second, one after another (keep-alive connection reuse), against fetch in a loop.
// The load generator is a keep-alive fetch loop in this process; each figure is the best of 3
// batches, the two servers taking turns (the machine is shared).
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { load, waitFor } from './http-load.js';
import pg from 'pg';
import { createLogger } from '../../src/core/logger.js';
import { commitObjects, createIdGenerator, createObject, openDatabase, syncSchema } from '../../src/data/index.js';
import { dataPort, MicroflowEngine, queryPort } from '../../src/logic/index.js';
import { loadModel } from '../../src/model/index.js';
import { setValue, type MxObject } from '../../src/objects/mx-object.js';
import { SYSTEM_CONTEXT } from '../../src/security/user-context.js';
import { salesCopy } from '../../test/security/harness.js';
import { freshDatabase } from '../../test/support/databases.js';
import { writeApp } from '../../test/support/app-folder.js';

const { values: opt } = parseArgs({
  options: { rows: { type: 'string', default: '100' }, seconds: { type: 'string', default: '5' }, connections: { type: 'string', default: '16' } },
});
const ROWS = Number(opt.rows);
const SECONDS = Number(opt.seconds);
const CONNECTIONS = Number(opt.connections);
const log = createLogger('silent');
const LOAD = { seconds: SECONDS, connections: CONNECTIONS };
const ROOT = join(import.meta.dirname, '..', '..');

async function publishedList(): Promise<void> {
  const db = await freshDatabase('postgres');
  const app = salesCopy();
  const { model } = await loadModel(app.dir);
  if (!model) throw new Error('examples/sales does not compile');
  const kdb = await openDatabase(db.url, { log, poolSize: 2 });
  await syncSchema(kdb, model, { allowDestructive: false, log });
  const ids = await createIdGenerator(kdb, model);
  const objs: MxObject[] = [];
  for (let i = 0; i < ROWS; i++) {
    const o = await createObject(model, 'Sales.Order', ids);
    setValue(o, 'Status', i % 2 ? 'Draft' : 'Confirmed');
    setValue(o, 'InternalNote', `note ${i}`);
    objs.push(o);
  }
  await kdb.transaction((tx) => commitObjects(tx, model, objs));
  await kdb.close();

  const port = 18000 + Math.floor(Math.random() * 1000);
  const deploymentDir = mkdtempSync(join(tmpdir(), 'kiln-bench-rest-'));
  const kiln = spawn(process.execPath, [join(ROOT, 'bin/kiln.js'), 'run', app.dir, '--db', db.url, '--port', String(port), '--deployment-dir', deploymentDir], {
    cwd: ROOT,
    env: { ...process.env, KILN_LOG_LEVEL: 'warn', KILN_HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // The raw server: one SELECT of the same columns, the same JSON keys, from a pg pool.
  const pool = new pg.Pool({ connectionString: db.url, max: 10 });
  const raw = Fastify();
  raw.get('/orders', async (_req, reply) => {
    // A named (prepared) statement, as the anchors' baseline sends its queries.
    const r = await pool.query({
      name: 'orders',
      text: 'SELECT "number", "orderdate", "status", "total", "internalnote", "createddate", "changeddate" FROM "sales$order" ORDER BY "number"',
    });
    const body = r.rows.map((x) => ({
      Number: Number(x.number),
      OrderDate: x.orderdate?.toISOString() ?? null,
      Status: x.status,
      Total: x.total === null ? null : Number(x.total),
      InternalNote: x.internalnote,
      createdDate: x.createddate?.toISOString() ?? null,
      changedDate: x.changeddate?.toISOString() ?? null,
    }));
    return reply.send(body);
  });
  await raw.listen({ port: 0, host: '127.0.0.1' });
  const rawUrl = `http://127.0.0.1:${(raw.server.address() as AddressInfo).port}/orders`;
  try {
    await waitFor(`http://127.0.0.1:${port}/health`, kiln);
    const kilnUrl = `http://127.0.0.1:${port}/rest/orders/v1/orders`;
    const auth = { authorization: `Basic ${Buffer.from('manager:Manager123').toString('base64')}` };
    const check = (await (await fetch(kilnUrl, { headers: auth })).json()) as unknown[];
    if (check.length !== ROWS) throw new Error(`Kiln answered ${check.length} orders, expected ${ROWS}`);
    let bestK = 0;
    let bestR = 0;
    await load(kilnUrl, { ...LOAD, headers: auth }); // warm-up
    await load(rawUrl, LOAD);
    for (let round = 0; round < 3; round++) {
      bestR = Math.max(bestR, await load(rawUrl, LOAD));
      bestK = Math.max(bestK, await load(kilnUrl, { ...LOAD, headers: auth }));
    }
    console.log(
      `| GET /orders, ${ROWS} rows, ${CONNECTIONS} connections | ${bestK.toFixed(0)} | ${bestR.toFixed(0)} | ${((100 * bestK) / bestR).toFixed(0)}% |`,
    );
  } finally {
    kiln.kill('SIGTERM');
    await raw.close();
    await pool.end();
    await new Promise((r) => setTimeout(r, 500));
    await db.drop();
    app.remove();
  }
}

async function consumed(): Promise<void> {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true,"items":[1,2,3]}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ping`;
  const dir = writeApp({
    'app.yaml': 'name: B\nmodules: [B]\nsecurity: { level: off }\n',
    'modules/B/domain-model.yaml': 'entities: {}\n',
    'modules/B/microflows/Call.yaml':
      'parameters: { Url: String }\nreturns: String\nbody:\n  - callRest: { location: "{1}", params: [$Url], into: R }\n  - return: $R\n',
  });
  const { model, diagnostics } = await loadModel(dir);
  if (!model) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  const engine = new MicroflowEngine({ model, data: dataPort(model, { nextIdNow: () => undefined } as never), query: queryPort(undefined as never), log });
  const N = 2000;
  let bestMf = 0;
  let bestFetch = 0;
  for (let round = 0; round < 4; round++) {
    let t0 = performance.now();
    for (let i = 0; i < N; i++) await engine.runMicroflow('B.Call', { Url: url }, SYSTEM_CONTEXT);
    if (round > 0) bestMf = Math.max(bestMf, N / ((performance.now() - t0) / 1000));
    t0 = performance.now();
    for (let i = 0; i < N; i++) await (await fetch(url)).text();
    if (round > 0) bestFetch = Math.max(bestFetch, N / ((performance.now() - t0) / 1000));
  }
  console.log(`| callRest, one after another | ${bestMf.toFixed(0)} | ${bestFetch.toFixed(0)} | ${((100 * bestMf) / bestFetch).toFixed(0)}% |`);
  server.close();
}

console.log('| figure | Kiln /s | raw /s | Kiln / raw |\n| --- | --- | --- | --- |');
await publishedList();
await consumed();
