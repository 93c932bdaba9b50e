/**
 * How long the overview page of examples/sales takes to become interactive in the browser:
 * from the start of the navigation (performance.timeOrigin) until its navigation and the
 * first page of the orders grid are shown and the grid answers a click (the row is
 * selected). Real headless Chromium on the runtime serving client/dist (run `npm run build`
 * first), signed in as a manager, 200 orders in SQLite. The reference is the same app with
 * app.yaml's default layout taken out (the plain shell), in alternating rounds.
 *
 *   npx tsx bench/client/run.ts [--rounds 10]
 *
 * "cold": the browser's cache emptied before each load (every script, style and page
 * definition fetched); "warm": hashed assets from the cache, definitions revalidated.
 */
import { Decimal } from 'decimal.js';
import { startApp, type AppUnderTest } from '../../test/client-api/harness.js';
import { commitObjects, createObject } from '../../src/data/index.js';
import { openBrowser, signIn } from '../../test/e2e/browser.js';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const ROUNDS = arg('rounds', 10);
const USERS = [{ name: 'mgr', password: 'Manager-12', roles: ['SalesManager'] }];

async function sales(plain: boolean): Promise<AppUnderTest> {
  const app = await startApp('sales', 'sqlite', USERS, {}, plain ? (t) => t.replace(/\n {2}layout: .*/, '') : undefined);
  const model = app.runtime.ctx.model;
  const orders: Awaited<ReturnType<typeof createObject>>[] = [];
  for (let i = 0; i < 200; i++) {
    const o = await createObject(model, 'Sales.Order', app.ids);
    o.values.set('Total', new Decimal(10 + i));
    o.values.set('Status', i % 3 === 0 ? 'Draft' : 'Confirmed');
    o.values.set('OrderDate', new Date(Date.UTC(2026, 0, 1) + i * 86400000));
    orders.push(o);
  }
  await app.db.transaction((tx) => commitObjects(tx, model, orders));
  return app;
}

const apps = { layout: await sales(false), plain: await sales(true) };
// Cookies do not tell ports apart: the second app is reached by another host name, so each keeps its session.
const base = (app: AppUnderTest) => (app === apps.plain ? app.base.replace('127.0.0.1', 'localhost') : app.base);
const b = await openBrowser();
const { page } = b;
const cdp = await b.context.newCDPSession(page);

/** Milliseconds from the start of the navigation until the page is interactive. */
async function load(app: AppUnderTest, cold: boolean): Promise<number> {
  if (cold) await cdp.send('Network.clearBrowserCache');
  // A new document each time (a goto to the same address with a #hash would not load one).
  await page.goto('about:blank');
  await page.goto(`${base(app)}/#/Sales.Order_Overview`, { waitUntil: 'commit' });
  const row = page.locator('[data-widget="ordersGrid"] tbody tr[data-guid]').first();
  await page.getByRole('navigation', { name: 'Main menu' }).waitFor();
  await row.waitFor();
  await row.click();
  await page.waitForSelector('[data-widget="ordersGrid"] tbody tr[aria-selected="true"]');
  return page.evaluate(() => performance.now());
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const results = new Map<string, number[]>();
for (const app of Object.values(apps)) {
  // Each app on its own origin: sign in once, then one load to warm the runtime's page definitions.
  await page.goto(`${base(app)}/`);
  await signIn(page, base(app), 'mgr', 'Manager-12', 'Orders');
  await load(app, true);
}
for (let i = 0; i < ROUNDS; i++)
  for (const [name, app] of Object.entries(apps))
    for (const cold of [true, false]) {
      const key = `${name} ${cold ? 'cold' : 'warm'}`;
      results.set(key, [...(results.get(key) ?? []), await load(app, cold)]);
    }
for (const [key, xs] of results) {
  const s = [...xs].sort((a, b) => a - b);
  console.log(
    `${key.padEnd(13)} interactive (ms): median ${median(xs).toFixed(0)}, min ${s[0]!.toFixed(0)}, max ${s[s.length - 1]!.toFixed(0)} over ${xs.length} loads`,
  );
}
for (const kind of ['cold', 'warm'])
  console.log(`${kind}: layout / plain = ${(median(results.get(`layout ${kind}`)!) / median(results.get(`plain ${kind}`)!)).toFixed(2)}`);
await b.close();
await apps.layout.stop();
await apps.plain.stop();
