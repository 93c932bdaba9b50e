import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitObjects, createObject } from '../../src/data/index.js';
import { setReference, setValue, type MxObject } from '../../src/objects/mx-object.js';
import { ROOT } from '../support/cli.js';
import { seedSalesCustomers, startE2eApp, type E2eApp } from './e2e-app.js';
import { pagerReads, signIn, type Browser } from './browser.js';

// A grid column over the order's customer (Sales.Order_Customer/Sales.Customer/CompanyName) with a
// text filter in its header, in real headless Chromium: typing filters by the company name, a
// header click sorts by it, as Mendix's Data Grid 2 over an association does.

describe('browser client: a grid column over a reference sorts and filters', { timeout: 180000 }, () => {
  let app: E2eApp;
  let b: Browser;
  let url: string;
  const dir = mkdtempSync(join(tmpdir(), 'kiln-gridref-'));

  beforeAll(async () => {
    cpSync(join(ROOT, 'examples', 'sales'), dir, { recursive: true, filter: (src) => !src.includes('.deployment') });
    const file = join(dir, 'modules/Sales/pages/Order_Overview.yaml');
    const text = readFileSync(file, 'utf8');
    const changed = text.replace(
      '- Sales.Order_Customer/Sales.Customer/CompanyName',
      '- { attribute: Sales.Order_Customer/Sales.Customer/CompanyName, caption: Customer, filter: true }',
    );
    expect(changed).not.toBe(text);
    writeFileSync(file, changed);
    app = await startE2eApp(dir);
    ({ url, browser: b } = app);
    const customers = await seedSalesCustomers(app, [
      ['globex', 'Globex Inc'],
      ['acme', 'Acme Corporation'],
      ['initech', 'Initech'],
    ]);
    const orders: MxObject[] = [];
    for (const [i, name] of ['globex', 'acme', 'initech', 'acme'].entries()) {
      const o = await createObject(app.model, 'Sales.Order', app.ids);
      setValue(o, 'Total', new Decimal((i + 1) * 10));
      setValue(o, 'Status', 'Draft');
      setReference(o, 'Sales.Order_Customer', customers.get(name)!);
      orders.push(o);
    }
    await app.db.transaction((tx) => commitObjects(tx, app.model, orders));
  }, 120000);
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const grid = (page: Page) => page.locator('[data-widget="ordersGrid"]');
  const customerColumn = (page: Page) => grid(page).locator('tbody tr[data-guid] td:nth-child(6)').allTextContents();

  it('filters by typing a part of the company name and sorts by a click on the header', async () => {
    const { page } = b;
    await signIn(page, url, 'MxAdmin', 'Admin123!', 'Customers');
    await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'Orders' }).click();
    await pagerReads(page, 'ordersGrid', '1–4 of 4');

    await grid(page).getByLabel('Filter Customer').fill('ACME');
    await pagerReads(page, 'ordersGrid', '1–2 of 2');
    expect(await customerColumn(page)).toEqual(['Acme Corporation', 'Acme Corporation']);
    await grid(page).getByLabel('Filter Customer').fill('');
    await pagerReads(page, 'ordersGrid', '1–4 of 4');

    await grid(page).getByRole('button', { name: 'Customer' }).click();
    await grid(page).locator('th[aria-sort="ascending"]', { hasText: 'Customer' }).waitFor();
    await expect.poll(() => customerColumn(page)).toEqual(['Acme Corporation', 'Acme Corporation', 'Globex Inc', 'Initech']);
    await grid(page).getByRole('button', { name: 'Customer' }).click();
    await expect.poll(() => customerColumn(page)).toEqual(['Initech', 'Globex Inc', 'Acme Corporation', 'Acme Corporation']);
  });
});
