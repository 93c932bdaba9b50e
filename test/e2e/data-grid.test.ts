import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import { unzipSync, strFromU8 } from 'fflate';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitObjects, createObject } from '../../src/data/index.js';
import { setReference, setValue, type MxObject } from '../../src/objects/mx-object.js';
import { ROOT } from '../support/cli.js';
import { seedSalesCustomers, startE2eApp, type E2eApp } from './e2e-app.js';
import { docImagePath, pagerReads, signIn, type Browser } from './browser.js';

// Data Grid 2 as people use it, on examples/sales in real headless Chromium: filters in the
// column headers, sorting, paging, columns the user hides (kept over a reload), export to CSV
// and Excel of exactly what the grid shows, multiple selection, a row click action.

const STATUSES = ['Draft', 'Confirmed', 'Shipped', 'Cancelled'] as const;

describe('browser client: Data Grid 2 on examples/sales', { timeout: 180000 }, () => {
  let app: E2eApp;
  let b: Browser;
  let url: string;

  beforeAll(async () => {
    app = await startE2eApp(join(ROOT, 'examples', 'sales'));
    ({ url, browser: b } = app);
    const { model, db, ids } = app;

    const customers = await seedSalesCustomers(app, [
      ['acme', 'Acme Corporation'],
      ['globex', 'Globex Inc'],
    ]);
    // 25 orders: acme has the even ones; totals 10, 20, ... 250; one a day from 1 March 2026 (noon UTC).
    const orders: MxObject[] = [];
    for (let i = 0; i < 25; i++) {
      const o = await createObject(model, 'Sales.Order', ids);
      setValue(o, 'Total', new Decimal((i + 1) * 10));
      setValue(o, 'Status', STATUSES[i % 4]!);
      setValue(o, 'OrderDate', new Date(Date.UTC(2026, 2, 1 + i, 12)));
      setValue(o, 'InternalNote', i === 3 ? '=HYPERLINK("http://evil.example","x")' : `margin ${i % 2 ? 'low' : 'high'} #${i}`);
      setReference(o, 'Sales.Order_Customer', customers.get(i % 2 ? 'globex' : 'acme')!);
      orders.push(o);
    }
    const products: MxObject[] = [];
    for (const [name, price] of [
      ['Anvil', '99.00'],
      ['Bucket', '5.00'],
      ['Crate', '12.50'],
      ['Drum', '40.00'],
    ] as const) {
      const p = await createObject(model, 'Catalog.Product', ids);
      setValue(p, 'Name', name);
      setValue(p, 'Description', `A fine ${name.toLowerCase()}`);
      setValue(p, 'Price', new Decimal(price));
      setValue(p, 'Discontinued', false);
      products.push(p);
    }
    await db.transaction((tx) => commitObjects(tx, model, [...orders, ...products]));
  }, 120000);
  afterAll(async () => {
    await app?.close();
  });

  const grid = (page: Page) => page.locator('[data-widget="ordersGrid"]');
  const column = (page: Page, n: number) => grid(page).locator(`tbody tr[data-guid] td:nth-child(${n})`).allTextContents();
  const saved = async (d: Download) => readFileSync((await d.path())!, 'utf8');

  it('filters in the column headers, sorts by a header click and pages', async () => {
    const { page } = b;
    await signIn(page, url, 'MxAdmin', 'Admin123!', 'Customers');
    await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'Orders' }).click();
    await pagerReads(page, 'ordersGrid', '1–20 of 25');

    // Drop-down filter: the enumeration's captions.
    const status = grid(page).getByLabel('Filter Status');
    await expect(status.locator('option').allTextContents()).resolves.toEqual(['All', ...STATUSES]);
    await status.selectOption('Draft');
    await pagerReads(page, 'ordersGrid', '1–7 of 7');
    expect(new Set(await column(page, 3))).toEqual(new Set(['Draft']));

    // Number filter with its comparison: Draft orders above 100 (110, 130, 170, 210, 250).
    await grid(page).getByLabel('Filter Total: comparison').selectOption('greater');
    await grid(page).getByLabel('Filter Total', { exact: true }).fill('100');
    await pagerReads(page, 'ordersGrid', '1–4 of 4');
    // Sorting by a header click keeps the filters.
    await grid(page).getByRole('button', { name: 'Total' }).click();
    await grid(page).locator('th[aria-sort="ascending"]', { hasText: 'Total' }).waitFor();
    await page.waitForFunction(() => document.querySelector('[data-widget="ordersGrid"] tbody tr td:nth-child(4)')?.textContent === '130.00');
    expect(await column(page, 4)).toEqual(['130.00', '170.00', '210.00', '250.00']);
    await grid(page).getByRole('button', { name: 'Total' }).click();
    await page.waitForFunction(() => document.querySelector('[data-widget="ordersGrid"] tbody tr td:nth-child(4)')?.textContent === '250.00');
    await page.screenshot({ path: docImagePath('grid-filters.png'), fullPage: true });

    // A number the user is still typing is marked and not sent.
    await grid(page).getByLabel('Filter Total', { exact: true }).fill('1x');
    await grid(page).locator('input[aria-invalid="true"][aria-label="Filter Total"]').waitFor();
    await grid(page).getByLabel('Filter Total', { exact: true }).fill('');
    await status.selectOption('');
    await pagerReads(page, 'ordersGrid', '1–20 of 25');

    // Text filter (contains, case-insensitive) and a date filter: orders after 20 March (21..25 March).
    await grid(page).getByLabel('Filter Internal note').fill('HIGH');
    await pagerReads(page, 'ordersGrid', '1–13 of 13');
    await grid(page).getByLabel('Filter Order date: comparison').selectOption('after');
    await grid(page).getByLabel('Filter Order date', { exact: true }).fill('2026-03-20');
    await pagerReads(page, 'ordersGrid', '1–3 of 3');
    await grid(page).getByLabel('Filter Order date: comparison').selectOption('on');
    await pagerReads(page, 'ordersGrid', '0–0 of 0');
    await grid(page).getByLabel('Filter Order date', { exact: true }).fill('2026-03-21');
    await pagerReads(page, 'ordersGrid', '1–1 of 1');
    await grid(page).getByLabel('Filter Order date', { exact: true }).fill('');
    await grid(page).getByLabel('Filter Internal note').fill('');
    await pagerReads(page, 'ordersGrid', '1–20 of 25');
    await grid(page).getByRole('button', { name: 'Next page' }).click();
    await pagerReads(page, 'ordersGrid', '21–25 of 25');
  });

  it('hides a column the user chooses, and keeps the choice over a reload', async () => {
    const { page } = b;
    await grid(page).getByRole('button', { name: 'Columns' }).click();
    const menu = grid(page).getByRole('group', { name: 'Shown columns' });
    await menu.getByLabel('Internal note').uncheck();
    const headers = async () => (await grid(page).locator('thead th').allTextContents()).map((h) => h.replace(/[▲▼]/g, '').trim());
    await expect.poll(headers).toEqual(['Number', 'Order date', 'Status', 'Total', 'Company name']);
    await page.reload();
    await pagerReads(page, 'ordersGrid', '1–20 of 25');
    expect(await headers()).toEqual(['Number', 'Order date', 'Status', 'Total', 'Company name']);
  });

  it('exports what the grid shows to CSV and Excel: filters and sort, shown columns only', async () => {
    const { page } = b;
    await grid(page).getByLabel('Filter Status').selectOption('Shipped');
    await pagerReads(page, 'ordersGrid', '1–6 of 6');
    await grid(page).getByRole('button', { name: 'Total' }).click();
    await page.waitForFunction(() => document.querySelector('[data-widget="ordersGrid"] tbody tr td:nth-child(4)')?.textContent === '30.00');
    const [csv] = await Promise.all([page.waitForEvent('download'), grid(page).getByRole('button', { name: 'Export to CSV' }).click()]);
    expect(csv.suggestedFilename()).toBe('Order.csv');
    const lines = (await saved(csv))
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe('Number,Order date,Status,Total,Company name');
    // The last three fields (the date is quoted: it holds a comma in some locales).
    expect(lines.slice(1).map((l) => l.split(',').slice(-3))).toEqual([30, 70, 110, 150, 190, 230].map((t) => ['Shipped', `${t}.00`, 'Acme Corporation']));

    // Put the note back: a value a spreadsheet would run as a formula is exported as text.
    await grid(page).getByRole('button', { name: 'Columns' }).click();
    await grid(page).getByRole('group', { name: 'Shown columns' }).getByLabel('Internal note').check();
    await grid(page).getByLabel('Filter Status').selectOption('');
    await grid(page).getByLabel('Filter Internal note').fill('HYPERLINK');
    await pagerReads(page, 'ordersGrid', '1–1 of 1');
    const [csv2] = await Promise.all([page.waitForEvent('download'), grid(page).getByRole('button', { name: 'Export to CSV' }).click()]);
    expect(await saved(csv2)).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);

    await grid(page).getByLabel('Filter Internal note').fill('');
    await grid(page).getByLabel('Filter Total: comparison').selectOption('smallerEqual');
    await grid(page).getByLabel('Filter Total', { exact: true }).fill('30');
    await pagerReads(page, 'ordersGrid', '1–3 of 3');
    const [xlsx] = await Promise.all([page.waitForEvent('download'), grid(page).getByRole('button', { name: 'Export to Excel' }).click()]);
    expect(xlsx.suggestedFilename()).toBe('Order.xlsx');
    const files = unzipSync(new Uint8Array(readFileSync((await xlsx.path())!)));
    const sheet = strFromU8(files['xl/worksheets/sheet1.xml']!);
    const shared = strFromU8(files['xl/sharedStrings.xml'] ?? new Uint8Array());
    const all = sheet + shared;
    for (const t of ['Number', 'Order date', 'Status', 'Total', 'Internal note', 'Company name', 'margin high #0', 'Acme Corporation', 'Globex Inc'])
      expect(all).toContain(t);
    // Totals are numbers in the workbook (10, 20, 30 ascending), not text; no row beyond the filter's.
    const totals = [...sheet.matchAll(/<c r="D(\d+)"([^>]*)>(?:<v>([^<]*)<\/v>)?<\/c>/g)].filter((m) => m[1] !== '1');
    expect(totals.map((m) => [m[2]!.includes('t="s"') || m[2]!.includes('t="inlineStr"'), m[3]])).toEqual([
      [false, '10'],
      [false, '20'],
      [false, '30'],
    ]);
    expect(all).not.toContain('#3');
    expect(sheet).not.toContain('<f>');
  });

  it("selects several rows with check boxes and deletes them; a row click opens the row's page", async () => {
    const { page } = b;
    await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'Products' }).click();
    await pagerReads(page, 'productsGrid', '1–4 of 4');
    const products = page.locator('[data-widget="productsGrid"]');
    // A click on a row opens the product's page.
    await products.locator('tbody tr[data-guid]', { hasText: 'Crate' }).locator('td').nth(2).click();
    const dialog = page.getByRole('dialog', { name: 'Product' });
    await dialog.getByText('A fine crate').waitFor();
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });

    await products.getByRole('row', { name: /Anvil/ }).getByLabel('Select row').check();
    await products.getByRole('row', { name: /Drum/ }).getByLabel('Select row').check();
    await products.getByText('2 rows selected').waitFor();
    await products.getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Please confirm' });
    await confirm.getByText('Are you sure you want to delete these 2 items?').waitFor();
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await pagerReads(page, 'productsGrid', '1–2 of 2');
    expect(await products.locator('tbody tr[data-guid] td:nth-child(3)').allTextContents()).toEqual(['Bucket', 'Crate']);
    // Select all on the page, then none.
    await products.getByLabel('Select all rows on this page').check();
    await products.getByText('2 rows selected').waitFor();
    await products.getByLabel('Select all rows on this page').uncheck();
    await products.getByText(/rows? selected/).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Sign out' }).click();
  });

  it("a customer's export holds only their own orders and no member they cannot read", async () => {
    const { page } = b;
    await page.evaluate(() => localStorage.clear());
    const before = (await b.settled()).length;
    await signIn(page, url, 'acme', 'Customer-1', 'Orders');
    await pagerReads(page, 'ordersGrid', '1–13 of 13');
    // No filter and no column for the internal note.
    expect(await grid(page).getByLabel('Filter Internal note').count()).toBe(0);
    const [csv] = await Promise.all([page.waitForEvent('download'), grid(page).getByRole('button', { name: 'Export to CSV' }).click()]);
    const text = await saved(csv);
    expect(text.split('\r\n')[0]).toBe('\uFEFFNumber,Order date,Status,Total,Company name');
    expect(text.trimEnd().split('\r\n')).toHaveLength(14);
    expect(text).not.toContain('Globex');
    expect(text).not.toContain('margin');
    const responses = (await b.settled()).slice(before);
    expect(responses.length).toBeGreaterThan(3);
    expect(responses.filter((r) => r.body.includes('margin') || r.body.includes('Globex'))).toEqual([]);
  });
});
