import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKiln, type RunningKiln } from '../support/cli.js';
import { openBrowser, type Browser } from './browser.js';

// An open page keeps its session alive the way Mendix's client does: a keepalive every half
// SessionTimeout, told by get_session_data. Here the timeout is 6 s, so a page left idle for
// 15 s has outlived it twice and must still be signed in.

describe('browser client: keep-alive', () => {
  let kiln: RunningKiln;
  let b: Browser;
  const deployment = mkdtempSync(join(tmpdir(), 'kiln-e2e-keepalive-'));

  beforeAll(async () => {
    kiln = await startKiln(['examples/employees', '--deployment-dir', deployment], {
      KILN_HASH_ALGORITHM_COST: '6',
      KILN_SESSION_TIMEOUT: '6000',
      KILN_SESSION_VALIDATION_TIMEOUT: '500',
      KILN_SESSION_KEEP_ALIVE_UPDATES_INTERVAL: '1000',
    });
    b = await openBrowser();
  }, 120000);
  afterAll(async () => {
    await b?.close();
    await kiln?.stop();
  });

  it('stays signed in on an idle page past the session timeout, by sending keepalive every half timeout', async () => {
    const { page } = b;
    const keepalives: number[] = [];
    page.on('request', (req) => {
      if (req.url().endsWith('/xas/') && /"action":"keepalive"/.test(req.postData() ?? '')) keepalives.push(Date.now());
    });
    await page.goto(`http://127.0.0.1:${kiln.port}/`);
    await page.getByLabel('User name').fill('MxAdmin');
    await page.getByLabel('Password').fill('Admin1!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main menu' }).locator('a[aria-current="page"]', { hasText: 'Employees' }).waitFor();
    // Idle time is what is under test here, so this is a wait on the clock by design.
    await page.waitForTimeout(15000);
    expect(keepalives.length).toBeGreaterThanOrEqual(3);
    // Still signed in: a new retrieve is answered, not sent back to the sign-in form.
    const answer = page.waitForResponse((res) => res.url().endsWith('/xas/') && /runtimeOperation/.test(res.request().postData() ?? ''));
    await page.locator('[data-widget="dataGrid2_1"]').getByRole('button', { name: 'Lastname' }).click();
    expect((await answer).status()).toBe(200);
    await expect(page.getByLabel('User name').count()).resolves.toBe(0);
  }, 60000);
});
