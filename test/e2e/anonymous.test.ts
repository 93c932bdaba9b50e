import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/data/index.js';
import { createLogger } from '../../src/core/logger.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { salesCopy, startApp, type TestRuntime } from '../security/harness.js';
import { openBrowser, type Browser } from './browser.js';

// An app with an anonymous role in real headless Chromium: the first page view creates no
// session; the first data request starts one (the client takes its CSRF token from the answer
// and sends its other requests after it), and the whole visit uses that one session.

describe('browser client: an anonymous visitor (examples/sales with anonymousRole Customer)', { timeout: 120000 }, () => {
  let database: TestDatabase;
  let app: { dir: string; remove(): void };
  let t: TestRuntime;
  let raw: Database;
  let b: Browser;

  beforeAll(async () => {
    database = await freshDatabase('sqlite');
    app = salesCopy({ anonymousRole: 'Customer' });
    t = await startApp(app.dir, database.url);
    raw = await openDatabase(database.url, { log: createLogger('silent') });
    b = await openBrowser();
  }, 120000);
  afterAll(async () => {
    await b?.close();
    await raw?.close();
    await t?.stop();
    await database?.drop();
    app?.remove();
  });

  const rows = async () => ({
    users: Number((await raw.query<{ n: unknown }>('SELECT COUNT(*) AS n FROM "system$user" WHERE "isanonymous" = 1', []))[0]!.n),
    sessions: Number((await raw.query<{ n: unknown }>('SELECT COUNT(*) AS n FROM "system$session"', []))[0]!.n),
  });

  it('opens the home page without signing in, in one anonymous session started by its first data request', async () => {
    const { page } = b;
    const before = await rows();
    await page.goto(`${t.url}/`);
    await page.locator('main h1.page-title', { hasText: 'Orders' }).waitFor();
    await page.locator('[data-widget="ordersGrid"] .pager-status').waitFor();
    expect(await page.getByLabel('Password').count()).toBe(0);
    // Another page: more data requests, in the same session.
    await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'Products' }).click();
    await page.locator('main h1.page-title', { hasText: 'Products' }).waitFor();
    await page.locator('[data-widget="productsGrid"] .pager-status').waitFor();
    expect(await rows()).toEqual({ users: before.users + 1, sessions: before.sessions + 1 });
    // A reload (of the Products page, as the address says) keeps the session (cookie and token).
    await page.reload();
    await page.locator('[data-widget="productsGrid"] .pager-status').waitFor();
    expect(await rows()).toEqual({ users: before.users + 1, sessions: before.sessions + 1 });
    const responses = await b.settled();
    const xasFailures = responses.filter((r) => new URL(r.url).pathname === '/xas/' && r.status !== 200);
    expect(xasFailures).toEqual([]);
  });
});
