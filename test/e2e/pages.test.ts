import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitObjects, createObject } from '../../src/data/index.js';
import { setReference } from '../../src/objects/mx-object.js';
import { startApp, type AppUnderTest } from '../client-api/harness.js';
import { docImagePath, openBrowser, signIn, type Browser } from './browser.js';

// examples/sales in real headless Chromium as a manager and a customer use it: the layout
// with its navigation, the language selector, the tabbed order page with a snippet, widgets
// shown and made editable as values change, a collapsed group box, keyboard use of the tabs
// and the pop-up, the app's theme. Screenshots of the main pages: docs/images/ under
// `npm run docs:screenshots`, test-artifacts/ otherwise.

describe('browser client: layouts, tabs, conditions and languages on examples/sales', { timeout: 180000 }, () => {
  let app: AppUnderTest;
  let b: Browser;

  beforeAll(async () => {
    // The customer signs in as a Sales.Customer (the orders' Customer reference shows its company).
    app = await startApp(
      'sales',
      'sqlite',
      [
        { name: 'mgr', password: 'Manager-12', roles: ['SalesManager'] },
        { name: 'cust', password: 'Customer-1', roles: ['Customer'] },
      ],
      {},
      (t) => t.replace('roles: [Customer] }', 'roles: [Customer], entity: Sales.Customer }'),
    );
    const model = app.runtime.ctx.model;
    await app.db.execute(`UPDATE "sales$customer" SET "companyname" = 'Acme Corporation'`, []);
    const users = await app.db.query<{ id: unknown; name: unknown }>('SELECT "id", "name" FROM "system$user"', []);
    const cust = BigInt(String(users.find((u) => u.name === 'cust')!.id));
    for (const [i, [total, status]] of (
      [
        ['120.00', 'Draft'],
        ['75.50', 'Confirmed'],
      ] as const
    ).entries()) {
      const o = await createObject(model, 'Sales.Order', app.ids);
      o.values.set('Total', new Decimal(total));
      o.values.set('Status', status);
      o.values.set('OrderDate', new Date(Date.UTC(2026, 0, 10 + i, 12)));
      o.values.set('InternalNote', `note ${i}`);
      setReference(o, 'Sales.Order_Customer', cust);
      await app.db.transaction((tx) => commitObjects(tx, model, [o]));
    }
    b = await openBrowser();
  }, 120000);
  afterAll(async () => {
    await b?.close();
    await app?.stop();
  });

  const grid = () => b.page.locator('[data-widget="ordersGrid"]');
  const dateCells = () => grid().locator('tbody tr[data-guid] td:nth-child(2)').allTextContents();

  it('shows pages in the layout: the navigation in the sidebar, the current page marked, links that go there', async () => {
    const { page } = b;
    await signIn(page, app.base, 'mgr', 'Manager-12', 'Orders');
    const nav = page.getByRole('navigation', { name: 'Main menu' });
    await expect(nav.getByRole('link').allTextContents()).resolves.toEqual(['Orders', 'Customers', 'Order lines', 'Products']);
    await expect(nav.getByRole('link', { name: 'Orders' }).getAttribute('aria-current')).resolves.toBe('page');
    // The sidebar is the layout's first column, left of the page's content.
    const side = (await page.locator('.layout .sidebar').boundingBox())!;
    const title = (await page.locator('main h1.page-title').boundingBox())!;
    expect(side.x + side.width).toBeLessThan(title.x);
    await grid().locator('tbody tr[data-guid]').first().waitFor();
    // The app's theme.css (examples/sales/theme.css) recolours the primary buttons without a client build.
    await expect(
      grid()
        .getByRole('button', { name: 'New' })
        .evaluate((el) => getComputedStyle(el).backgroundColor),
    ).resolves.toBe('rgb(11, 110, 79)');
    await page.screenshot({ path: docImagePath('sales-layout.png') });
    await nav.getByRole('link', { name: 'Customers' }).click();
    await page.locator('main h1.page-title', { hasText: 'Customers' }).waitFor();
    await expect(nav.getByRole('link', { name: 'Customers' }).getAttribute('aria-current')).resolves.toBe('page');
    await nav.getByRole('link', { name: 'Orders' }).click();
    await page.locator('main h1.page-title', { hasText: 'Orders' }).waitFor();
  });

  it('switches the language with the selector: menu, captions and dates in Dutch, and back', async () => {
    const { page } = b;
    await expect(dateCells()).resolves.toEqual(['Jan 11, 2026', 'Jan 10, 2026']);
    await page.getByLabel('Language').selectOption('nl_NL');
    // The client's own texts (the menu's and the selector's labels) are Dutch now too.
    const nav = page.getByRole('navigation', { name: 'Hoofdmenu' });
    await nav.getByRole('link', { name: 'Bestellingen' }).waitFor();
    await expect(nav.getByRole('link').allTextContents()).resolves.toEqual(['Bestellingen', 'Klanten', 'Orderregels', 'Producten']);
    await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe('nl-NL');
    await grid().locator('tbody tr[data-guid]').first().waitFor();
    await expect(dateCells()).resolves.toEqual(['11 jan 2026', '10 jan 2026']);
    await expect(grid().locator('tbody tr[data-guid] td:nth-child(3)').allTextContents()).resolves.toEqual(['Bevestigd', 'Concept']);
    // The order page's texts come in Dutch too.
    await grid().locator('tbody tr[data-guid]').nth(1).click();
    await grid().getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Bestelling' });
    await dialog.getByRole('tab').first().waitFor();
    await expect(dialog.getByRole('tab').allTextContents()).resolves.toEqual(['Algemeen', 'Overzicht', 'Notities']);
    await dialog.getByLabel('Totaal').waitFor();
    // Enumeration captions are translated too.
    await expect(dialog.getByLabel('Status').locator('option:checked').textContent()).resolves.toBe('Concept');
    await page.screenshot({ path: docImagePath('sales-order-dutch.png') });
    await dialog.getByRole('button', { name: 'Annuleren' }).click();
    await dialog.waitFor({ state: 'detached' });
    // The choice is the user's System.User_Language: it survives a reload even without the browser's copy.
    await page.evaluate(() => localStorage.removeItem('kiln.language'));
    await page.reload();
    await nav.getByRole('link', { name: 'Bestellingen' }).waitFor();
    await page.getByLabel('Taal').selectOption('en_US');
    await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'Orders' }).waitFor();
    // The grid reloads its rows in the new language after the menu: wait for them.
    await expect.poll(() => dateCells(), { timeout: 10_000 }).toEqual(['Jan 11, 2026', 'Jan 10, 2026']);
  });

  it('opens the order in tabs used by keyboard; the summary snippet shows the order', async () => {
    const { page } = b;
    await grid().locator('tbody tr[data-guid]', { hasText: 'Draft' }).click();
    await grid().getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Order' });
    await dialog.getByLabel('Total').waitFor();
    // Focus moves into the pop-up, onto its first input.
    await expect(dialog.evaluate((d) => d.contains(document.activeElement))).resolves.toBe(true);
    const tabs = dialog.getByRole('tab');
    await expect(tabs.allTextContents()).resolves.toEqual(['General', 'Summary', 'Notes']);
    await expect(dialog.getByRole('tab', { name: 'General' }).getAttribute('aria-selected')).resolves.toBe('true');
    // Labels are tied to their inputs.
    await expect(dialog.getByLabel('Total').inputValue()).resolves.toBe('120');
    await dialog.getByRole('tab', { name: 'General' }).focus();
    await page.keyboard.press('ArrowRight');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Summary');
    await expect(dialog.getByRole('tab', { name: 'Summary' }).getAttribute('aria-selected')).resolves.toBe('true');
    const panel = dialog.getByRole('tabpanel');
    await panel.getByText('This order can still be changed.').waitFor();
    // The snippet's scroll container: a keyboard-reachable region of at most 240 px.
    const region = panel.getByRole('region', { name: 'Scrollable region' });
    await expect(region.evaluate((el) => [getComputedStyle(el).maxHeight, getComputedStyle(el).overflowY, el.tabIndex])).resolves.toEqual(['240px', 'auto', 0]);
    await expect(panel.locator('.dynamic-text').allTextContents()).resolves.toEqual([
      expect.stringMatching(/^Order number: \d+$/),
      'Status: Draft',
      'Total: 120.00',
    ]);
    await page.keyboard.press('End');
    await expect(dialog.getByRole('tab', { name: 'Notes' }).getAttribute('aria-selected')).resolves.toBe('true');
    await page.keyboard.press('Home');
    await expect(dialog.getByRole('tab', { name: 'General' }).getAttribute('aria-selected')).resolves.toBe('true');
  });

  it('shows and hides widgets and makes inputs editable as the values change', async () => {
    const { page } = b;
    const dialog = page.getByRole('dialog', { name: 'Order' });
    const large = dialog.getByText('Large order — check the customer’s credit limit.'.replace('’', "'"));
    await expect(large.count()).resolves.toBe(0);
    // Typing a total over 500 shows the warning at once; back under hides it.
    await dialog.getByLabel('Total').fill('650');
    await large.waitFor();
    await page.screenshot({ path: docImagePath('sales-order-tabs.png') });
    await dialog.getByLabel('Total').fill('65');
    await large.waitFor({ state: 'detached' });
    // Only a draft's total may change, and only a draft shows Confirm.
    await expect(dialog.getByRole('button', { name: 'Confirm' }).count()).resolves.toBe(1);
    await dialog.getByLabel('Status').selectOption('Confirmed');
    await expect(dialog.getByLabel('Total').getAttribute('readonly')).resolves.toBe('');
    await expect(dialog.getByRole('button', { name: 'Confirm' }).count()).resolves.toBe(0);
    await dialog.getByLabel('Status').selectOption('Draft');
    await expect(dialog.getByLabel('Total').getAttribute('readonly')).resolves.toBeNull();
    await expect(dialog.getByRole('button', { name: 'Confirm' }).count()).resolves.toBe(1);
  });

  it('opens the collapsed group box on the Notes tab, and Escape closes the pop-up returning focus', async () => {
    const { page } = b;
    const dialog = page.getByRole('dialog', { name: 'Order' });
    await dialog.getByRole('tab', { name: 'Notes' }).click();
    const toggle = dialog.getByRole('button', { name: 'Internal' });
    await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('false');
    await expect(dialog.getByLabel('Internal note').count()).resolves.toBe(0);
    await toggle.press('Enter');
    await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('true');
    await expect(dialog.getByLabel('Internal note').inputValue()).resolves.toBe('note 0');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Edit');
  });

  it('gives a customer neither the Notes tab nor the managers-only Confirm button', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, app.base, 'cust', 'Customer-1', 'Orders');
    await grid().locator('tbody tr[data-guid]', { hasText: 'Draft' }).click();
    await grid().getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Order' });
    await dialog.getByRole('tab').first().waitFor();
    await expect(dialog.getByRole('tab').allTextContents()).resolves.toEqual(['General', 'Summary']);
    await expect(dialog.locator('.modal-footer button, .dataview-buttons button, [role="toolbar"] button').allTextContents()).resolves.not.toContain('Confirm');
    await expect(dialog.getByRole('button', { name: 'Confirm' }).count()).resolves.toBe(0);
    const html = await page.content();
    expect(html).not.toMatch(/Internal note|note 0/);
  });
});
