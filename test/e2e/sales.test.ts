import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitObjects, createObject } from '../../src/data/index.js';
import { setReference, setValue } from '../../src/objects/mx-object.js';
import { ROOT } from '../support/cli.js';
import { seedSalesCustomers, startE2eApp, type E2eApp } from './e2e-app.js';
import { pagerReads, screenshotPath, signIn, type Browser } from './browser.js';

// examples/sales in real headless Chromium: a customer sees only their own orders, and the
// attribute their role cannot read (Order.InternalNote) is in no page and no answer.

describe('browser client: a customer on examples/sales', { timeout: 120000 }, () => {
  let app: E2eApp;
  let b: Browser;
  let url: string;

  beforeAll(async () => {
    app = await startE2eApp(join(ROOT, 'examples', 'sales'));
    ({ url, browser: b } = app);
    const { model, db, ids } = app;

    // Seed through the data layer: two customers (users with the Customer role), orders for each.
    const customers = await seedSalesCustomers(app, [
      ['acme', 'Acme Corporation'],
      ['globex', 'Globex Inc'],
    ]);
    const orders = [
      ['acme', '120.00', 'Draft'],
      ['acme', '75.50', 'Confirmed'],
      ['acme', '19.99', 'Shipped'],
      ['globex', '999.00', 'Draft'],
      ['globex', '5.00', 'Cancelled'],
    ] as const;
    for (const [i, [who, total, status]] of orders.entries()) {
      const o = await createObject(model, 'Sales.Order', ids);
      setValue(o, 'Total', new Decimal(total));
      setValue(o, 'Status', status);
      setValue(o, 'OrderDate', new Date(Date.UTC(2026, 0, 10 + i)));
      setValue(o, 'InternalNote', `secret-margin-${who}-${i}`);
      setReference(o, 'Sales.Order_Customer', customers.get(who)!);
      await db.transaction((tx) => commitObjects(tx, model, [o]));
    }
  }, 120000);
  afterAll(async () => {
    await app?.close();
  });

  it('shows the customer only their own orders, without the internal note', async () => {
    const { page } = b;
    await signIn(page, url, 'acme', 'Customer-1', 'Orders');
    const menu = page.getByRole('navigation', { name: 'Main menu' });
    await expect(menu.getByRole('link').allTextContents()).resolves.toEqual(['Orders', 'Products']);
    await pagerReads(page, 'ordersGrid', '1–3 of 3');
    const headers = await page.locator('[data-widget="ordersGrid"] thead th').allTextContents();
    expect(headers.map((h) => h.replace(/[▲▼]/g, '').trim())).toEqual(['Number', 'Order date', 'Status', 'Total', 'Company name']);
    const cells = await page
      .locator('[data-widget="ordersGrid"] tbody tr[data-guid]')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    // Newest first (sort: OrderDate descending); every row is Acme's.
    expect(cells.map((r) => [r[2], r[3], r[4]])).toEqual([
      ['Shipped', '19.99', 'Acme Corporation'],
      ['Confirmed', '75.50', 'Acme Corporation'],
      ['Draft', '120.00', 'Acme Corporation'],
    ]);
    // A customer may not delete orders: no Delete button.
    await expect(page.locator('[data-widget="ordersGrid"] [role="toolbar"] button').allTextContents()).resolves.toEqual(['New', 'Edit', 'Confirm']);
    await page.screenshot({ path: screenshotPath('sales-customer-orders.png'), fullPage: true });

    await page.locator('[data-widget="ordersGrid"] tbody tr[data-guid]').first().click();
    await page.locator('[data-widget="ordersGrid"]').getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Order' });
    await dialog.waitFor();
    await expect(dialog.getByLabel('Status').inputValue()).resolves.toBe('Shipped');
    await expect(dialog.getByLabel('Status').isDisabled()).resolves.toBe(true);
    await expect(dialog.getByLabel('Customer').locator('option:checked').textContent()).resolves.toBe('Acme Corporation');
    // The reference selector offers the customers this customer may see: itself only.
    await dialog.locator('select[aria-busy="true"]').waitFor({ state: 'detached' });
    await expect(dialog.getByLabel('Customer').isDisabled()).resolves.toBe(false);
    await expect(dialog.getByLabel('Customer').locator('option').allTextContents()).resolves.toEqual(['', 'Acme Corporation']);
    expect(await dialog.getByText('Internal note').count()).toBe(0);
    await page.screenshot({ path: screenshotPath('sales-customer-order-edit.png') });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });

    // A call-microflow button: Confirm the draft order; the grid reloads with its new status.
    const grid = page.locator('[data-widget="ordersGrid"]');
    await grid.locator('tbody tr[data-guid]', { hasText: 'Draft' }).click();
    await grid.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('[data-widget="ordersGrid"] tbody tr td:nth-child(3)')].map((td) => td.textContent).join() ===
        'Shipped,Confirmed,Confirmed',
    );

    const html = await page.content();
    expect(html).not.toMatch(/internal ?note|secret-margin|Globex/i);
    // Every response of the session: the app shell, scripts, styles, page definitions, every /xas/ answer.
    const responses = await b.settled();
    const paths = new Set(responses.map((r) => new URL(r.url).pathname.replace(/\/assets\/.*/, '/assets/*')));
    expect([...paths]).toEqual(
      expect.arrayContaining(['/', '/assets/*', '/xas/', '/pages/_navigation.json', '/pages/Sales.Order_Overview.json', '/pages/Sales.Order_Edit.json']),
    );
    for (const r of responses) {
      expect(r.body, r.url).not.toMatch(/InternalNote|secret-margin|Globex/);
    }
  });
});
