// The overview grid of examples/employees on 1,000,000 employees (PostgreSQL), sorted by first
// name, with a search term in the grid's search box: the retrieve the client sends
// (`extraXpath: [contains(Firstname, 'term') or contains(Lastname, ...) ...]`, first page of 20
// with the total count) through Kiln's /xas/ (in-process, Fastify's inject: no socket), against the
// same two statements (Kiln's own SQL text and parameters, captured) sent by one raw `pg` client.
// The model is examples/employees with an index declared on Firstname (as a modeller adds one for
// the overview's sort); the plans of both statements are printed (EXPLAIN ANALYZE).
//
//   npm run build && node bench/search/run.mjs [--rows 1000000] [--rounds 15] [--term ann]
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';

const ROOT = resolve(import.meta.dirname, '../..');
const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '15' },
    term: { type: 'string', default: 'ann' },
    keep: { type: 'boolean', default: false },
  },
});
const ROWS = Number(args.rows);
const ADMIN = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NAME = `kiln_search_${ROWS}`;
const URL = ADMIN.replace(/\/[^/]*$/, `/${NAME}`);
const log = (...a) => console.log(...a);

// The app: examples/employees with an index on Firstname declared in the model.
const work = mkdtempSync(join(tmpdir(), 'kiln-search-'));
const APP = join(work, 'app');
cpSync(join(ROOT, 'examples/employees'), APP, { recursive: true });
const dm = join(APP, 'modules/MyFirstModule/domain-model.yaml');
writeFileSync(dm, readFileSync(dm, 'utf8').replace('    validation:', '    indexes:\n      - { attributes: [Firstname] }\n    validation:'));

const { loadModel } = await import(join(ROOT, 'dist/model/index.js'));
const { modelChecks } = await import(join(ROOT, 'dist/app/model-checks.js'));
const { resolveSettings } = await import(join(ROOT, 'dist/core/settings.js'));
const { startRuntime } = await import(join(ROOT, 'dist/app/runtime.js'));
const { createLogger } = await import(join(ROOT, 'dist/core/logger.js'));
const { defaultComponents } = await import(join(ROOT, 'dist/app/components.js'));
const { model } = await loadModel(APP, { checks: modelChecks() });

const admin = new pg.Client({ connectionString: ADMIN });
await admin.connect();
const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [NAME])).rowCount > 0;
if (!exists) await admin.query(`CREATE DATABASE ${NAME}`);
await admin.end();

const settings = await resolveSettings({ cli: { DatabaseUrl: URL, Port: 0, Host: '127.0.0.1', DeploymentDir: join(work, 'deployment') } });
let rt = await startRuntime({ appDir: APP, model, settings, components: defaultComponents(), log: createLogger('warn') });

const raw = new pg.Client({ connectionString: URL });
await raw.connect();
const T = '"myfirstmodule$employee"';
const have = Number((await raw.query(`SELECT COUNT(*) AS n FROM ${T}`)).rows[0].n);
if (have !== ROWS) {
  // Rows with ids as Kiln makes them (the entity's short id in the upper 16 bits), written by
  // PostgreSQL itself; then the id counter is raised past them and the runtime restarted.
  log(`seeding ${ROWS} employees ...`);
  await raw.query(`DELETE FROM ${T}`);
  const shortId = Number(
    (
      await raw.query(
        `SELECT i.short_id FROM "mendixsystem$entity" e JOIN "mendixsystem$entityidentifier" i ON i.id = e.id WHERE e.entity_name = 'MyFirstModule.Employee'`,
      )
    ).rows[0].short_id,
  );
  const base = BigInt(shortId) << 48n;
  await raw.query(
    `INSERT INTO ${T} ("id", "firstname", "lastname", "jobtitle", "department", "dateofbirth")
     SELECT $1::bigint + g,
            (ARRAY['Anna','Bob','Carla','Dirk','Eva','Frank','Greta','Hans','Ines','Jan','Karin','Lars','Mona','Nils','Olga','Piet'])[1 + g % 16] || ' ' || md5(g::text),
            'Lastname ' || md5((g * 7)::text),
            (ARRAY['Engineer','Manager','Analyst','Designer','Clerk'])[1 + g % 5],
            (ARRAY['Sales','Finance','ExpertServices'])[1 + g % 3],
            timestamp '1960-01-01' + (g % 15000) * interval '1 day'
     FROM generate_series(1, $2::int) g`,
    [String(base), ROWS],
  );
  await raw.query(
    `UPDATE "mendixsystem$entityidentifier" SET object_sequence = $1 FROM "mendixsystem$entity" e WHERE e.id = "mendixsystem$entityidentifier".id AND e.entity_name = 'MyFirstModule.Employee'`,
    [ROWS],
  );
  await raw.query(`ANALYZE ${T}`);
  await rt.stop({ timeoutMs: 5000 });
  rt = await startRuntime({ appDir: APP, model, settings, components: defaultComponents(), log: createLogger('warn') });
}
const indexes = (await raw.query(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'myfirstmodule$employee'`)).rows;
log('indexes:', indexes.map((i) => i.indexdef).join('; '));

const app = rt.server;
const login = await app.inject({
  method: 'POST',
  url: '/xas/',
  payload: { action: 'login', params: { username: 'MxAdmin', password: process.env.KILN_ADMIN_PASSWORD ?? 'Admin1!' } },
});
const cookie = /XASSESSIONID=[^;]*/.exec(login.headers['set-cookie'])[0];
const csrf = login.json().csrftoken;
const op = rt.ctx.services.get('operations').forWidget('MyFirstModule.Employee_Overview', 'dataGrid2_1').id;
const term = args.term.replace(/'/g, "''");
const extraXpath = `[${['Firstname', 'Lastname', 'Jobtitle', 'Department'].map((a) => `contains(${a}, '${term}')`).join(' or ')}]`;
const req = {
  method: 'POST',
  url: '/xas/',
  headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
  payload: JSON.stringify({
    action: 'runtimeOperation',
    operationId: op,
    params: {},
    options: { offset: 0, amount: 20, sort: [['Firstname', 'asc']], wantCount: true, extraXpath },
    changes: {},
    objects: [],
  }),
};

// Kiln's statements for this request, as sent.
const db = rt.ctx.services.get('db');
const sent = [];
const off = db.onStatement((sql, params) => sent.push({ sql, params }));
const first = await app.inject(req);
off();
if (first.statusCode !== 200) throw new Error(first.body);
const stmts = sent.filter((s) => /myfirstmodule\$employee/.test(s.sql));
log(`Kiln's statements (${stmts.length}):`);
for (const s of stmts) log(`  ${s.sql}\n    params ${JSON.stringify(s.params)}`);
log(`count: ${first.json().count}`);

const kilnOnce = async () => {
  const r = await app.inject(req);
  if (r.statusCode !== 200) throw new Error(r.body);
};
// The raw driver: the same statements, one after the other on one connection (as Kiln sends them).
const rawOnce = async () => {
  for (const s of stmts) await raw.query(s.sql, s.params);
};
const time = async (fn) => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};
const k = [];
const r = [];
await kilnOnce();
await rawOnce();
for (let i = 0; i < Number(args.rounds); i++) {
  if (i % 2) {
    k.push(await time(kilnOnce));
    r.push(await time(rawOnce));
  } else {
    r.push(await time(rawOnce));
    k.push(await time(kilnOnce));
  }
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
log(
  `${ROWS} rows, term '${args.term}', ${args.rounds} rounds alternating: Kiln median ${med(k).toFixed(1)} ms (min ${Math.min(...k).toFixed(1)}), ` +
    `raw pg median ${med(r).toFixed(1)} ms (min ${Math.min(...r).toFixed(1)}); Kiln / raw ${(med(k) / med(r)).toFixed(2)}; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
);
for (const s of stmts) {
  const plan = (await raw.query(`EXPLAIN (ANALYZE, BUFFERS OFF, TIMING OFF) ${s.sql}`, s.params)).rows.map((x) => x['QUERY PLAN']);
  log(`\nEXPLAIN ANALYZE ${s.sql.slice(0, 120)}...\n${plan.join('\n')}`);
}
await raw.end();
await rt.stop({ timeoutMs: 5000 });
rmSync(work, { recursive: true, force: true });
if (!args.keep) {
  const c = new pg.Client({ connectionString: ADMIN });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${NAME} WITH (FORCE)`);
  await c.end();
}
process.exit(0);
