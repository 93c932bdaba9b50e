import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { commitObjects, createObject, idToDb } from '../../src/data/index.js';
import { startApp, type AppUnderTest } from '../client-api/harness.js';
import { openBrowser, pagerReads, type Browser } from './browser.js';

// examples/sales in headless Chromium as a Dutch user (System.User_Language nl_NL, no time zone
// of their own: the app's default, Europe/Amsterdam) and a New York user (System.User_TimeZone
// America/New_York) see it: the client's own texts, a microflow's message, a confirmation and the
// dates, shown and edited in the user's zone, whatever the browser's own language and zone.

describe('browser client: the user language and time zone on examples/sales', { timeout: 180000 }, () => {
  let app: AppUnderTest;
  let b: Browser;
  let draft: bigint;

  beforeAll(async () => {
    app = await startApp('sales', 'sqlite', [
      { name: 'piet', password: 'Manager-12', roles: ['SalesManager'] },
      { name: 'nancy', password: 'Manager-12', roles: ['SalesManager'] },
    ]);
    const model = app.runtime.ctx.model;
    for (const status of ['Confirmed', 'Draft']) {
      const o = await createObject(model, 'Sales.Order', app.ids);
      o.values.set('Total', new Decimal('75.50'));
      o.values.set('Status', status);
      // 23:30 UTC on the 10th: the 11th in Amsterdam (00:30), still the 10th in New York (18:30).
      o.values.set('OrderDate', new Date(Date.UTC(2026, 0, 10, 23, 30)));
      await app.db.transaction((tx) => commitObjects(tx, model, [o]));
      if (status === 'Draft') draft = o.id;
    }
    const idOf = async (sql: string) => (await app.db.query<{ id: unknown }>(sql, []))[0]!.id;
    // A new database's zones are filled in the background, just after start-up.
    await vi.waitFor(
      async () => {
        if ((await app.db.query(`SELECT "id" FROM "system$timezone" WHERE "code" = 'America/New_York'`, [])).length === 0) throw new Error('no zones yet');
      },
      { timeout: 30000, interval: 100 },
    );
    const link = async (assoc: string, user: unknown, target: unknown) => {
      const a = model.associations.get(assoc)!;
      await app.db.execute(`INSERT INTO "${a.table}" ("${a.parentColumn}", "${a.childColumn}") VALUES (?, ?)`, [user, target]);
    };
    await link(
      'System.User_Language',
      await idOf(`SELECT "id" FROM "system$user" WHERE "name" = 'piet'`),
      await idOf(`SELECT "id" FROM "system$language" WHERE "code" = 'nl_NL'`),
    );
    await link(
      'System.User_TimeZone',
      await idOf(`SELECT "id" FROM "system$user" WHERE "name" = 'nancy'`),
      await idOf(`SELECT "id" FROM "system$timezone" WHERE "code" = 'America/New_York'`),
    );
    b = await openBrowser();
  }, 120000);
  afterAll(async () => {
    await b?.close();
    await app?.stop();
  });

  const grid = () => b.page.locator('[data-widget="ordersGrid"]');
  const dateCells = () => grid().locator('tbody tr[data-guid] td:nth-child(2)').allTextContents();
  const signIn = async (user: string, signOut: string) => {
    const { page } = b;
    await page.goto(`${app.base}/`);
    // The sign-in page speaks the browser's language (no user yet).
    await page.getByLabel('User name').fill(user);
    await page.getByLabel('Password').fill('Manager-12');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: signOut }).waitFor();
    await grid().locator('tbody tr[data-guid]').first().waitFor();
  };

  it('shows a Dutch user the client in Dutch, the dates in Amsterdam time, and a microflow message in Dutch', async () => {
    const { page } = b;
    const browserZone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(['Europe/Amsterdam', 'America/New_York']).not.toContain(browserZone);
    await signIn('piet', 'Afmelden');
    await expect(page.getByRole('button', { name: 'Wachtwoord wijzigen' }).count()).resolves.toBe(1);
    await pagerReads(page, 'ordersGrid', '1–2 van 2');
    await expect(grid().getByRole('navigation', { name: "Pagina's" }).getByRole('button', { name: 'Volgende pagina' }).count()).resolves.toBe(1);
    await expect(dateCells()).resolves.toEqual(['11 jan 2026', '11 jan 2026']);
    // The column filters speak Dutch too.
    await expect(grid().getByLabel('Filter Order date: comparison').locator('option').allTextContents()).resolves.toEqual(['Op', 'Na', 'Voor']);

    // Confirm on the confirmed order: the microflow's warning, in Dutch, with the date in Amsterdam time.
    await grid().locator('tbody tr[data-guid]', { hasText: 'Bevestigd' }).click();
    await grid().getByRole('button', { name: 'Confirm' }).click();
    const warning = page.getByRole('alertdialog', { name: 'Waarschuwing' });
    await warning.getByText('Bestelling 1 van 11-01-2026 00:30 is geen concept.').waitFor();
    await warning.getByRole('button', { name: 'OK' }).click();

    // A delete asks first, in Dutch.
    await grid().getByRole('button', { name: 'Delete' }).click();
    const ask = page.getByRole('alertdialog', { name: 'Bevestig' });
    await ask.getByText('Weet u zeker dat u dit item wilt verwijderen?').waitFor();
    await ask.getByRole('button', { name: 'Annuleren' }).click();
    await ask.waitFor({ state: 'detached' });
  });

  it("edits a date in the user's zone: the day picked is midnight in Amsterdam", async () => {
    const { page } = b;
    await grid().locator('tbody tr[data-guid]', { hasText: 'Concept' }).click();
    await grid().getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Bestelling' });
    // The picker writes the date as the Dutch do (day-month-year), in Amsterdam time, and reads it back so.
    const date = dialog.getByLabel('Besteldatum');
    await expect.poll(() => date.inputValue()).toBe('11-1-2026');
    await expect(date.getAttribute('placeholder')).resolves.toBe('31-12-2026');
    await date.fill('31-2-2026');
    await date.blur();
    await dialog.getByText('Voer een datum in zoals 31-12-2026.').waitFor();
    await date.fill('1-2-2026');
    await expect(dialog.getByText('Voer een datum in zoals 31-12-2026.').count()).resolves.toBe(0);
    await expect(dialog.getByRole('button', { name: 'Kalender' }).count()).resolves.toBe(1);
    await dialog.getByRole('button', { name: 'Opslaan' }).click();
    await dialog.waitFor({ state: 'detached' });
    const [row] = await app.db.query<{ orderdate: unknown }>('SELECT "orderdate" FROM "sales$order" WHERE "id" = ?', [idToDb(app.db.dialect, draft)]);
    expect(new Date(Number(row!.orderdate)).toISOString()).toBe('2026-01-31T23:00:00.000Z');
    await expect.poll(() => dateCells()).toContain('1 feb 2026');
    await page.getByRole('button', { name: 'Afmelden' }).click();
  });

  it('shows a New York user the same orders on the 10th and their messages in English', async () => {
    const { page } = b;
    await signIn('nancy', 'Sign out');
    await pagerReads(page, 'ordersGrid', '1–2 of 2');
    await expect(dateCells()).resolves.toEqual(['Jan 31, 2026', 'Jan 10, 2026']);
    // Her picker writes month/day/year, in New York time.
    await grid().locator('tbody tr[data-guid]', { hasText: 'Confirmed' }).click();
    await grid().getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Order' });
    await expect.poll(() => dialog.getByLabel('Order date').inputValue()).toBe('1/10/2026');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    await grid().locator('tbody tr[data-guid]', { hasText: 'Confirmed' }).click();
    await grid().getByRole('button', { name: 'Confirm' }).click();
    const warning = page.getByRole('alertdialog', { name: 'Warning' });
    await warning.getByText('Order 1 of 10-01-2026 18:30 is not a draft.').waitFor();
    await warning.getByRole('button', { name: 'OK' }).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
  });
});
