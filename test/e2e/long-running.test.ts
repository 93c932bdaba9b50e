import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { startApp, type TestRuntime } from '../security/harness.js';
import { queueApp } from '../background/queue-app.js';
import { openBrowser, signIn, type Browser } from './browser.js';

// A long-running microflow (a button with async: true) in real headless Chromium: the client
// gets an id at once, shows a progress bar with the button's message while it polls, and then
// the microflow's answer.

describe('browser client: a long-running microflow', { timeout: 120000 }, () => {
  let database: TestDatabase;
  let app: { dir: string; remove(): void };
  let t: TestRuntime;
  let b: Browser;

  beforeAll(async () => {
    database = await freshDatabase('sqlite');
    app = queueApp({ longRunningMs: 2500 });
    t = await startApp(app.dir, database.url);
    b = await openBrowser();
  }, 120000);
  afterAll(async () => {
    await b?.close();
    await t?.stop();
    await database?.drop();
    app?.remove();
  });

  it('shows progress with its message while it waits, polls asyncResult, and ends without an error', async () => {
    const { page } = b;
    await signIn(page, t.url, 'MxAdmin', 'Admin1!', 'Employees');
    await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'Long job' }).click();
    await page.locator('main h1.page-title', { hasText: 'Long job' }).waitFor();
    const clicked = Date.now();
    await page.getByRole('button', { name: 'Run the long job' }).click();
    const progress = page.getByRole('progressbar', { name: 'Crunching numbers' });
    await progress.waitFor({ state: 'visible' });
    expect(Date.now() - clicked).toBeLessThan(2000);
    await expect.poll(async () => (await progress.textContent()) ?? '', { timeout: 5000 }).toMatch(/Crunching numbers \(\d+ s\)/);
    await progress.waitFor({ state: 'detached', timeout: 20000 });
    expect(Date.now() - clicked).toBeGreaterThanOrEqual(2500);
    const responses = await b.settled();
    const bodies = responses.filter((r) => new URL(r.url).pathname === '/xas/').map((r) => r.body);
    expect(bodies.some((x) => x.includes('"asyncCall"'))).toBe(true);
    expect(bodies.filter((x) => x === '{"done":false}').length).toBeGreaterThan(0);
    expect(bodies.some((x) => x.includes('finished the long job'))).toBe(true);
    expect(responses.filter((r) => new URL(r.url).pathname === '/xas/' && r.status !== 200)).toEqual([]);
    expect(await page.locator('.message, [role="alert"]').filter({ hasText: /error/i }).count()).toBe(0);
  });
});
