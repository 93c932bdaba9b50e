import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitObjects, createObject, type Database } from '../../src/data/index.js';
import { setValue, type MxObject } from '../../src/objects/mx-object.js';
import { ROOT } from '../support/cli.js';
import { startE2eApp, type E2eApp } from './e2e-app.js';
import { docImagePath, pagerReads, signIn, type Browser } from './browser.js';
import { apiLogin } from './seed.js';

// The newer widgets in real headless Chromium on test/e2e/widgets-app: menu bar, navigation
// list, template grid with search, text with parameters, badge, rich text (sanitised on render
// and on edit), date-and-time picker in the user's zone, check box set, and a nanoflow that
// calls a microflow with the object's unsaved changes.

const EVIL = '<p>Heavy <b>iron</b></p><img src="x" onerror="window.__pwned=1"><script>window.__pwned=2</script><a href="javascript:window.__pwned=3">go</a>';

describe('browser client: widgets and a nanoflow calling a microflow', { timeout: 120000 }, () => {
  let app: E2eApp;
  let b: Browser;
  let url: string;
  let db: Database;

  beforeAll(async () => {
    app = await startE2eApp(join(ROOT, 'test', 'e2e', 'widgets-app'));
    ({ url, browser: b } = app);
    const { model, ids } = app;
    db = app.db;
    const objs: MxObject[] = [];
    for (const [name, price, status, notes] of [
      ['Anvil', '9.50', 'Open', EVIL],
      ['Bucket', '5.00', 'Done', null],
      ['Crate', '12.50', 'Open', null],
      ['Drum', '40.00', 'Open', null],
    ] as const) {
      const o = await createObject(model, 'Show.Item', ids);
      setValue(o, 'Name', name);
      setValue(o, 'Price', new Decimal(price));
      setValue(o, 'Status', status);
      setValue(o, 'Notes', notes);
      objs.push(o);
    }
    for (const label of ['fragile', 'urgent']) {
      const t = await createObject(model, 'Show.Tag', ids);
      setValue(t, 'Label', label);
      objs.push(t);
    }
    const picture = await createObject(model, 'Show.Picture', ids);
    setValue(picture, 'Title', 'Sunset');
    objs.push(picture);
    await db.transaction((tx) => commitObjects(tx, model, objs));
    // Its contents go in as the browser client uploads them.
    const s = await apiLogin(url, 'MxAdmin', 'Admin1!');
    const png = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#c04020' } })
      .png()
      .toBuffer();
    const form = new FormData();
    form.append('mxdocument', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'sunset.png');
    const up = await fetch(`${url}/file?guid=${picture.id}`, { method: 'POST', headers: { Cookie: s.cookie, 'X-Csrf-Token': s.csrf }, body: form });
    if (up.status !== 200) throw new Error(`upload failed: ${up.status} ${await up.text()}`);
  }, 120000);
  afterAll(async () => {
    await app?.close();
  });

  it('shows a menu bar, a navigation list and a template grid of tiles with text, badges and sanitised rich text', async () => {
    const { page } = b;
    await signIn(page, url, 'MxAdmin', 'Admin1!', 'Home');
    const bar = page.getByRole('navigation', { name: 'Menu bar' });
    expect(await bar.getByRole('link').allTextContents()).toEqual(['Home', 'Tags', 'Pictures']);
    // A static image of the app, served from its images/ folder.
    const logo = page.getByRole('img', { name: 'Widgets logo' });
    await page.waitForFunction(() => (document.querySelector('img[alt="Widgets logo"]') as HTMLImageElement | null)?.naturalWidth === 120);
    expect(await logo.getAttribute('src')).toBe('/images/logo.svg');
    await pagerReads(page, 'items', '1–4 of 4');
    const grid = page.locator('[data-widget="items"]');
    // Three tiles side by side.
    expect(await grid.locator('ul.template-grid').evaluate((ul) => getComputedStyle(ul).gridTemplateColumns.split(' ').length)).toBe(3);
    expect(await grid.locator('.text-widget').allTextContents()).toEqual(['Anvil costs 9.50', 'Bucket costs 5.00', 'Crate costs 12.50', 'Drum costs 40.00']);
    expect(await grid.locator('.badge').allTextContents()).toEqual(['Open', 'Done', 'Open', 'Open']);
    // The stored HTML keeps its formatting; the image with its handler, the script and the javascript: link are gone.
    const view = grid.locator('[role="option"]', { hasText: 'Anvil' }).locator('.rich-text-view');
    expect(await view.locator('b').textContent()).toBe('iron');
    expect(await view.locator('img, script').count()).toBe(0);
    expect(await view.locator('a').getAttribute('href')).toBeNull();
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await page.screenshot({ path: docImagePath('widgets-home.png'), fullPage: true });

    await grid.getByRole('searchbox').fill('Dru');
    await grid.getByRole('searchbox').press('Enter');
    await pagerReads(page, 'items', '1–1 of 1');
    await grid.getByRole('searchbox').fill('');
    await pagerReads(page, 'items', '1–4 of 4');
  });

  it('edits rich text, a date and time, a check box set and radio buttons; a nanoflow calls a microflow with the unsaved changes', async () => {
    const { page } = b;
    const grid = page.locator('[data-widget="items"]');
    await grid.locator('[role="option"]', { hasText: 'Anvil' }).click();
    await grid.getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Item' });
    const editor = dialog.getByRole('textbox', { name: 'Notes' });
    await editor.waitFor();
    expect(await editor.locator('img, script').count()).toBe(0);
    await editor.click();
    await page.keyboard.press('End');
    await dialog.getByRole('button', { name: 'Bold' }).click();
    await page.keyboard.type(' polished');
    await dialog.getByLabel('Due').fill('2026-03-04T10:30');
    await dialog
      .getByRole('group', { name: 'Tags' })
      .or(dialog.locator('fieldset', { hasText: 'Tags' }))
      .getByLabel('urgent')
      .check();
    await dialog.getByLabel('Done').check();

    // The nanoflow runs in the browser and calls Show.Item_Label on the server with the object as edited.
    await dialog.getByRole('button', { name: 'Describe' }).click();
    const message = page.getByRole('alertdialog');
    await message.getByText('Server says: ITEM ANVIL (DONE)! (5 letters)').waitFor();
    await message.getByRole('button', { name: 'OK' }).click();

    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    const [row] = await db.query<Record<string, unknown>>('SELECT "id", "status", "notes", "due" FROM "show$item" WHERE "name" = ?', ['Anvil']);
    expect(row!.status).toBe('Done');
    expect(Number(row!.due)).toBe(new Date(2026, 2, 4, 10, 30).getTime());
    const notes = String(row!.notes);
    expect(notes).toContain('polished');
    expect(notes).toContain('<b>iron</b>');
    expect(notes).not.toMatch(/<img|<script|onerror|javascript:/);
    const tags = await db.query<Record<string, unknown>>('SELECT COUNT(*) AS n FROM "show$item_tag"', []);
    expect(Number(Object.values(tags[0]!)[0])).toBe(1);
  });

  it("shows an Image object's thumbnail through /file, with the object's access", async () => {
    const { page } = b;
    await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'Pictures' }).click();
    await pagerReads(page, 'pictures', '1–1 of 1');
    const img = page.locator('[data-widget="pictures"] img[alt="Thumbnail"]');
    expect(await img.getAttribute('src')).toMatch(/^\/file\?guid=\d+&changedDate=\d+&thumb=true$/);
    // The thumbnail (within 100x75) of the 400x300 picture.
    await page.waitForFunction(() => (document.querySelector('img[alt="Thumbnail"]') as HTMLImageElement | null)?.naturalWidth === 100);
    expect(await page.locator('[data-widget="pictures"] .text-widget').allTextContents()).toEqual(['Sunset']);
    await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'Home' }).click();
    await pagerReads(page, 'items', '1–4 of 4');
  });

  it('creates an object in a nanoflow and opens it with showPage', async () => {
    const { page } = b;
    await page.locator('[data-widget="items"]').getByRole('button', { name: 'New item' }).click();
    const dialog = page.getByRole('dialog', { name: 'Item' });
    await page.waitForFunction(() => (document.querySelector('[role="dialog"] input[type="text"]') as HTMLInputElement | null)?.value === 'New item');
    expect(await dialog.getByLabel('Open').isChecked()).toBe(true);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await pagerReads(page, 'items', '1–5 of 5');
    const [row] = await db.query<Record<string, unknown>>('SELECT "price", "status" FROM "show$item" WHERE "name" = ?', ['New item']);
    expect([Number(row!.price), row!.status]).toEqual([2.5, 'Open']);
  });

  it('follows a navigation list link', async () => {
    const { page } = b;
    await page.getByRole('navigation', { name: 'Navigation list' }).getByRole('link', { name: 'All tags' }).click();
    await page.locator('main h1.page-title', { hasText: 'Tags' }).waitFor();
    await page.locator('.badge', { hasText: 'Tag list' }).waitFor();
    await pagerReads(page, 'tags', '1–2 of 2');
  });

  it('filters a grid over a microflow in the browser; a column hidden by the model can be shown', async () => {
    const { page } = b;
    const grid = page.locator('[data-widget="fromMicroflow"]');
    await pagerReads(page, 'fromMicroflow', '1–5 of 5');
    const headers = async () => (await grid.locator('thead th').allTextContents()).map((h) => h.replace(/[▲▼]/g, '').trim());
    expect(await headers()).toEqual(['Name', 'Price', 'Status']);
    const requests: string[] = [];
    const onRequest = (r: { url(): string }) => {
      if (new URL(r.url()).pathname === '/xas/') requests.push(r.url());
    };
    page.on('request', onRequest);
    // Open: Crate, Drum and the new item (Anvil was set to Done above).
    await grid.getByLabel('Filter Status').selectOption('Open');
    await pagerReads(page, 'fromMicroflow', '1–3 of 3');
    await grid.getByLabel('Filter Price: comparison').selectOption('greater');
    await grid.getByLabel('Filter Price', { exact: true }).fill('10');
    await pagerReads(page, 'fromMicroflow', '1–2 of 2');
    await grid.getByLabel('Filter Name').fill('dru');
    await pagerReads(page, 'fromMicroflow', '1–1 of 1');
    expect(await grid.locator('tbody tr[data-guid] td:nth-child(1)').allTextContents()).toEqual(['Drum']);
    // All of it in the browser: the microflow was called once, before.
    expect(requests).toEqual([]);
    page.off('request', onRequest);
    await grid.getByRole('button', { name: 'Columns' }).click();
    await grid.getByRole('group', { name: 'Shown columns' }).getByLabel('Due').check();
    await expect.poll(headers).toEqual(['Name', 'Price', 'Status', 'Due']);
  });
});
