import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningRuntime } from '../../src/app/runtime.js';
import type { Database } from '../../src/data/index.js';
import { ROOT } from '../support/cli.js';
import { startE2eApp, type E2eApp } from './e2e-app.js';
import { pagerReads, screenshotPath, signIn, type Browser } from './browser.js';

// Nanoflows in real headless Chromium on examples/sales: the order line total computed in
// the browser as the user types (an on-change nanoflow), a button's nanoflow with a decision,
// validation feedback under the field, a call of another nanoflow and a message — none of
// which sends a request — and the computed value saved with the object.

describe('browser client: nanoflows on examples/sales', { timeout: 120000 }, () => {
  let rt: RunningRuntime;
  let app: E2eApp;
  let b: Browser;
  let url: string;

  beforeAll(async () => {
    app = await startE2eApp(join(ROOT, 'examples', 'sales'));
    ({ rt, url, browser: b } = app);
  }, 120000);
  afterAll(async () => {
    await app?.close();
  });

  it('computes the line total as the user types, checks the line in the browser and saves what it computed', async () => {
    const { page } = b;
    await signIn(page, url, 'MxAdmin', 'Admin123!', 'Customers');
    await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'Order lines' }).click();
    await pagerReads(page, 'linesGrid', '0–0 of 0');
    await page.locator('[data-widget="linesGrid"]').getByRole('button', { name: 'New line' }).click();
    const dialog = page.getByRole('dialog', { name: 'Order line' });
    const total = dialog.getByLabel('Line total');

    // From here on, the nanoflows run without a runtime operation until Save.
    const requests: string[] = [];
    const onRequest = (r: { url(): string; method(): string; postData(): string | null }) => {
      if (new URL(r.url()).pathname === '/xas/') requests.push(r.postData() ?? '');
    };
    page.on('request', onRequest);
    await dialog.getByLabel('Quantity').fill('');
    await dialog.getByLabel('Quantity').pressSequentially('3');
    await dialog.getByLabel('Unit price').pressSequentially('2.5');
    await page.waitForFunction(() => (document.querySelector('[role="dialog"] input[readonly]') as HTMLInputElement | null)?.value === '7.5');
    // Another quantity updates it at once: 32 x 2.5.
    await dialog.getByLabel('Quantity').fill('32');
    await page.waitForFunction(() => (document.querySelector('[role="dialog"] input[readonly]') as HTMLInputElement | null)?.value === '80');
    expect(await total.inputValue()).toBe('80');
    await dialog.getByLabel('Unit price').fill('');
    await page.waitForFunction(() => (document.querySelector('[role="dialog"] input[readonly]') as HTMLInputElement | null)?.value === '');

    // The Check button's nanoflow: validation feedback under the field for a quantity below one.
    await dialog.getByLabel('Unit price').fill('4.25');
    await dialog.getByLabel('Quantity').fill('0');
    await dialog.getByRole('button', { name: 'Check' }).click();
    await dialog.getByText('Order at least one').waitFor();
    await dialog.getByLabel('Quantity').fill('1');
    await dialog.getByRole('button', { name: 'Check' }).click();
    // A nanoflow calling a nanoflow (the description, singular for one) and a message.
    const message = page.getByRole('alertdialog');
    await message.getByText('1 piece for 4.25').waitFor();
    await page.screenshot({ path: screenshotPath('nanoflow-order-line.png'), fullPage: true });
    expect(requests).toEqual([]);
    page.off('request', onRequest);
    await message.getByRole('button', { name: 'OK' }).click();

    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await pagerReads(page, 'linesGrid', '1–1 of 1');
    const cells = await page.locator('[data-widget="linesGrid"] tbody tr[data-guid] td').allTextContents();
    expect(cells).toEqual(['1', '4.25', '4.25']);
    const db = rt.ctx.services.get('db') as Database;
    const rows = await db.query<Record<string, unknown>>('SELECT "quantity", "linetotal" FROM "sales$orderline"', []);
    expect(rows.map((r) => [Number(r.quantity), Number(r.linetotal)])).toEqual([[1, 4.25]]);
  });
});
