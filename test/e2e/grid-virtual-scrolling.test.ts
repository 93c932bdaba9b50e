import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitObjects, createObject } from '../../src/data/index.js';
import { setValue, type MxObject } from '../../src/objects/mx-object.js';
import { ROOT } from '../support/cli.js';
import { startE2eApp, type E2eApp } from './e2e-app.js';
import { pagerReads, signIn, type Browser } from './browser.js';

// Data Grid 2's virtual scrolling (`pagination: virtualScrolling`) in real headless Chromium on
// test/e2e/nanolist-app: the first page shows, scrolling to the end of the grid loads the next
// page from the server (offset and amount of one page each time) and appends it, until all are
// shown; a sort starts again from the first page.

describe('browser client: Data Grid 2 with virtual scrolling', { timeout: 120000 }, () => {
  let app: E2eApp;
  let b: Browser;
  let url: string;

  beforeAll(async () => {
    app = await startE2eApp(join(ROOT, 'test', 'e2e', 'nanolist-app'));
    ({ url, browser: b } = app);
    const { model, db, ids } = app;
    const objs: MxObject[] = [];
    for (let i = 1; i <= 55; i++) {
      const o = await createObject(model, 'Shop.Line', ids);
      setValue(o, 'Product', `Part ${String(i).padStart(3, '0')}`);
      setValue(o, 'Quantity', i);
      setValue(o, 'Price', new Decimal(i % 7));
      setValue(o, 'Hidden', false);
      objs.push(o);
    }
    await db.transaction((tx) => commitObjects(tx, model, objs));
  }, 120000);
  afterAll(async () => {
    await app?.close();
  });

  it('loads the next page of rows as the user scrolls to the end of the grid', async () => {
    const { page } = b;
    const pages: { offset: number; amount: number }[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname !== '/xas/') return;
      const body = JSON.parse(r.postData() ?? '{}') as { action?: string; options?: { offset: number; amount: number } };
      if (body.action === 'runtimeOperation' && body.options) pages.push({ offset: body.options.offset, amount: body.options.amount });
    });
    await signIn(page, url, 'MxAdmin', 'Admin1!', 'Orders');
    await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'Lines' }).click();
    await pagerReads(page, 'lines', '1–20 of 55');
    const grid = page.locator('[data-widget="lines"]');
    const rows = grid.locator('tbody tr[data-guid]');
    expect(await rows.count()).toBe(20);
    // No paging buttons: the rows scroll inside the grid.
    expect(await grid.getByRole('button', { name: 'Next page' }).count()).toBe(0);
    const scroller = grid.locator('.table-wrap');
    expect(await scroller.evaluate((el) => el.scrollHeight > el.clientHeight)).toBe(true);

    await scroller.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await pagerReads(page, 'lines', '1–40 of 55');
    await scroller.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await pagerReads(page, 'lines', '1–55 of 55');
    expect(await rows.count()).toBe(55);
    expect(await rows.nth(20).locator('td').first().textContent()).toBe('Part 021');
    expect(await rows.last().locator('td').first().textContent()).toBe('Part 055');
    // The server paged: one page of 20 at a time, never everything at once.
    expect(pages.slice(-3)).toEqual([
      { offset: 0, amount: 20 },
      { offset: 20, amount: 20 },
      { offset: 40, amount: 20 },
    ]);
    // At the end nothing more is asked for.
    const asked = pages.length;
    await scroller.evaluate((el) => el.scrollTo(0, 0));
    await scroller.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await page.waitForTimeout(500);
    expect(pages.length).toBe(asked);

    // A sort starts again from the first page (descending by product).
    await grid.getByRole('button', { name: 'Product' }).click();
    await page.waitForFunction(() => document.querySelector('[data-widget="lines"] tbody tr[data-guid] td')?.textContent === 'Part 055');
    await pagerReads(page, 'lines', '1–20 of 55');
    expect(await rows.count()).toBe(20);
    expect(pages.at(-1)).toEqual({ offset: 0, amount: 20 });
  });
});
