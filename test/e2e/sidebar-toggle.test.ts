import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';
import { signIn } from './browser.js';
import { startE2eApp, type E2eApp } from './e2e-app.js';

// The sidebar toggle of examples/sales' layout in real headless Chromium: clicking it and
// pressing it from the keyboard collapses and expands the sidebar with the menu, the page's
// content takes the room, and the choice holds for the session (other pages, a reload).

describe('browser client: the sidebar toggle on examples/sales', { timeout: 120000 }, () => {
  let app: E2eApp;

  beforeAll(async () => {
    app = await startE2eApp(join(ROOT, 'examples', 'sales'));
  }, 90000);
  afterAll(async () => {
    await app?.close();
  });

  it('collapses and expands the sidebar, announces it, and keeps the choice for the session', async () => {
    const { page } = app.browser;
    await signIn(page, app.url, 'MxAdmin', 'Admin123!', 'Customers');
    const toggle = page.getByRole('button', { name: 'Main menu' });
    const menu = page.getByRole('navigation', { name: 'Main menu' });
    const title = page.locator('main h1.page-title');
    const expanded = () => toggle.getAttribute('aria-expanded');

    await expect(expanded()).resolves.toBe('true');
    const controls = (await toggle.getAttribute('aria-controls'))!;
    // It names the column that holds the menu.
    await expect(page.locator(`[id="${controls}"]`).getByRole('navigation', { name: 'Main menu' }).isVisible()).resolves.toBe(true);
    const besideMenu = (await title.boundingBox())!.x;

    await toggle.click();
    await expect(expanded()).resolves.toBe('false');
    await menu.waitFor({ state: 'hidden' });
    // The page's content takes the sidebar's room.
    expect((await title.boundingBox())!.x).toBeLessThan(besideMenu - 50);

    // Another page and a reload keep it collapsed.
    await page.goto(`${app.url}/#/Sales.Order_Overview`);
    await title.filter({ hasText: 'Orders' }).waitFor();
    await expect(expanded()).resolves.toBe('false');
    await page.reload();
    await title.filter({ hasText: 'Orders' }).waitFor();
    await expect(expanded()).resolves.toBe('false');
    await expect(menu.isVisible()).resolves.toBe(false);

    // From the keyboard: Enter expands, Space collapses, Enter expands again.
    await toggle.focus();
    await page.keyboard.press('Enter');
    await menu.waitFor({ state: 'visible' });
    await expect(expanded()).resolves.toBe('true');
    await page.keyboard.press('Space');
    await menu.waitFor({ state: 'hidden' });
    await expect(expanded()).resolves.toBe('false');
    await page.keyboard.press('Enter');
    await menu.waitFor({ state: 'visible' });
    await expect(expanded()).resolves.toBe('true');
    expect((await title.boundingBox())!.x).toBeCloseTo(besideMenu, 0);
  });
});
