import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKiln, type RunningKiln } from '../support/cli.js';
import { openBrowser, signIn, type Browser } from './browser.js';

// Issue 14, item 5, in real headless Chromium against `kiln run examples/employees`: the
// answer to a commit is lost (the connection is reset after the server did it); the client
// sends it again with the same Idempotency-Key and the server answers with the first
// answer, so the employee exists once.

describe('browser client: a commit whose answer is lost', { timeout: 120000 }, () => {
  let kiln: RunningKiln;
  let b: Browser;
  let url: string;
  const deployment = mkdtempSync(join(tmpdir(), 'kiln-e2e-retry-'));

  beforeAll(async () => {
    kiln = await startKiln(['examples/employees', '--deployment-dir', deployment], { KILN_HASH_ALGORITHM_COST: '6' });
    url = `http://127.0.0.1:${kiln.port}`;
    b = await openBrowser();
  }, 120000);
  afterAll(async () => {
    await b?.close();
    await kiln?.stop();
  });

  it('is retried with the same Idempotency-Key and done once', async () => {
    const { page } = b;
    await signIn(page, url, 'MxAdmin', 'Admin1!', 'Employees');
    const grid = page.locator('[data-widget="dataGrid2_1"]');
    await page.waitForFunction(() => /of 0$|^No /.test(document.querySelector('[data-widget="dataGrid2_1"] .pager-status')?.textContent ?? 'No'));
    const sent: { key: string | null; status: number | 'lost'; replayed: boolean }[] = [];
    await page.route('**/xas/', async (route) => {
      const req = route.request();
      const key = req.headers()['idempotency-key'] ?? null;
      if (key === null) return route.continue();
      // The request reaches the server (which commits); its answer never reaches the page.
      const res = await route.fetch();
      if (sent.length === 0) {
        sent.push({ key, status: 'lost', replayed: false });
        return route.abort('connectionreset');
      }
      sent.push({ key, status: res.status(), replayed: res.headers()['idempotent-replayed'] === 'true' });
      return route.fulfill({ response: res });
    });
    await grid.getByRole('button', { name: 'New' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit Employee' });
    await dialog.waitFor();
    await dialog.getByLabel('First name').fill('Rita');
    await dialog.getByLabel('Last name').fill('Retry');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.waitForFunction(() => / of 1$/.test(document.querySelector('[data-widget="dataGrid2_1"] .pager-status')?.textContent ?? ''));
    await page.unroute('**/xas/');
    expect(sent).toHaveLength(2);
    expect(sent[0]!.key).toMatch(/^[0-9a-f]{32}$/);
    expect(sent[1]).toEqual({ key: sent[0]!.key, status: 200, replayed: true });
    // A fresh retrieve (a search that matches everything) still counts one employee.
    await grid.getByRole('searchbox').fill('Retry');
    await page.waitForFunction(() => document.querySelector('[data-widget="dataGrid2_1"] .pager-status')?.textContent === '1–1 of 1');
  });
});
