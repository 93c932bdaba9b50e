import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKiln, type RunningKiln } from '../support/cli.js';
import { openBrowser, pagerReads, screenshotPath, signIn, type Browser } from './browser.js';
import { apiLogin, createObject, operations } from './seed.js';

// Every widget of the client on one small app (test/e2e/gallery), in real headless Chromium:
// layout grid, container, static and dynamic text, data grid with row buttons, list view over
// a microflow, a full page with a data view, a pop-up with every input, reference selectors,
// call-microflow buttons with a message dialog, close-page buttons, page parameters.

describe('browser client: every widget (test/e2e/gallery)', { timeout: 120000 }, () => {
  let kiln: RunningKiln;
  let b: Browser;
  let url: string;
  const deployment = mkdtempSync(join(tmpdir(), 'kiln-e2e-gallery-'));
  const tags = new Map<string, string>();

  beforeAll(async () => {
    kiln = await startKiln(['test/e2e/gallery', '--deployment-dir', deployment], { KILN_HASH_ALGORITHM_COST: '6' });
    url = `http://127.0.0.1:${kiln.port}`;
    const admin = await apiLogin(url, 'MxAdmin', 'Admin1!');
    const ops = operations(deployment);
    const olivia = await createObject(admin, ops, 'Gallery.Owner', { Name: 'Olivia Owner' });
    await createObject(admin, ops, 'Gallery.Owner', { Name: 'Oscar Owner' });
    for (const label of ['fragile', 'urgent', 'heavy']) tags.set(label, await createObject(admin, ops, 'Gallery.Tag', { Label: label }));
    const things: [string, number, boolean][] = [
      ['Anvil', 1, false],
      ['Bucket', 3, false],
      ['Candle', 12, true],
      ['Drum', 2, false],
      ['Easel', 1, true],
      ['Flute', 5, false],
      ['Gong', 1, false],
    ];
    for (const [name, quantity, active] of things) {
      await createObject(admin, ops, 'Gallery.Thing', {
        Name: name,
        Quantity: quantity,
        Active: active,
        Notes: `Notes on the ${name.toLowerCase()}`,
        Price: '9.50',
        Color: 'Red',
        ...(name === 'Bucket' ? { 'Gallery.Thing_Owner': olivia } : {}),
      });
    }
    b = await openBrowser();
  }, 120000);
  afterAll(async () => {
    await b?.close();
    await kiln?.stop();
  });

  const cells = (widget: string) =>
    b.page
      .locator(`[data-widget="${widget}"] tbody tr[data-guid]`)
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td:not(.row-buttons)')].map((td) => td.textContent ?? '')));
  const listItems = (widget: string) => b.page.locator(`[data-widget="${widget}"] [role="option"]`).allTextContents();

  it('lays out the overview: layout grid columns, container, static text, data grid, list view', async () => {
    const { page } = b;
    await signIn(page, url, 'MxAdmin', 'Admin1!', 'Things');
    const cols = page.locator('main .layout-grid .layout-row > .layout-col');
    await expect(cols.count()).resolves.toBe(2);
    // Side by side, 8 and 4 twelfths wide.
    const [left, right] = [(await cols.nth(0).boundingBox())!, (await cols.nth(1).boundingBox())!];
    expect(left.y).toBe(right.y);
    expect(right.x).toBeGreaterThan(left.x + left.width);
    expect(left.width / right.width).toBeCloseTo(2, 0);
    await page.getByRole('heading', { name: 'Everything the client renders', level: 2 }).waitFor();
    await page.locator('.container.side-panel').getByText('Active things come from a microflow.').waitFor();
    await pagerReads(page, 'thingsGrid', '1–5 of 7');
    expect(await cells('thingsGrid')).toEqual([
      ['Anvil', '1', 'No', 'Red', '', ''],
      ['Bucket', '3', 'No', 'Red', 'Olivia Owner', ''],
      ['Candle', '12', 'Yes', 'Red', '', ''],
      ['Drum', '2', 'No', 'Red', '', ''],
      ['Easel', '1', 'Yes', 'Red', '', ''],
    ]);
    const headers = await page.locator('[data-widget="thingsGrid"] thead th').allTextContents();
    expect(headers.map((h) => h.replace(/[▲▼]/g, '').trim())).toEqual(['Name', 'Quantity', 'Active', 'Color', 'Owner', 'Tags', 'Actions']);
    await pagerReads(page, 'activeList', '1–2 of 2');
    expect((await listItems('activeList')).sort()).toEqual(['Candle', 'Easel']);
    await page.screenshot({ path: screenshotPath('gallery-overview.png'), fullPage: true });
  });

  it('creates a tag from a list view in a pop-up; a close button drops a new object unsaved', async () => {
    const { page } = b;
    await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'Owners and tags' }).click();
    await page.locator('main h1.page-title', { hasText: 'Owners and tags' }).waitFor();
    await pagerReads(page, 'ownersGrid', '1–2 of 2');
    await pagerReads(page, 'tagsList', '1–3 of 3');
    expect(await listItems('tagsList')).toEqual(['fragile', 'heavy', 'urgent']);
    const list = page.locator('[data-widget="tagsList"]');
    await list.getByRole('button', { name: 'New tag' }).click();
    const dialog = page.getByRole('dialog', { name: 'Tag' });
    await dialog.getByLabel('Label').fill('sharp');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await pagerReads(page, 'tagsList', '1–4 of 4');
    expect(await listItems('tagsList')).toEqual(['fragile', 'heavy', 'sharp', 'urgent']);
    // Selection in a list view, by keyboard.
    await list.getByRole('option', { name: 'heavy' }).focus();
    await page.keyboard.press('Space');
    await expect(list.getByRole('option', { name: 'heavy' }).getAttribute('aria-selected')).resolves.toBe('true');
    await list.getByRole('button', { name: 'New tag' }).click();
    await dialog.getByLabel('Label').fill('never saved');
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.reload();
    await pagerReads(page, 'tagsList', '1–4 of 4');
    await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'Things' }).click();
    await page.locator('main h1.page-title', { hasText: 'Things' }).waitFor();
    await pagerReads(page, 'thingsGrid', '1–5 of 7');
  });

  it('runs a microflow from a row button: its message in a dialog, then every list reloads', async () => {
    const { page } = b;
    const row = page.locator('[data-widget="thingsGrid"] tbody tr[data-guid]', { hasText: 'Anvil' });
    await row.getByRole('button', { name: 'Activate' }).click();
    const message = page.getByRole('alertdialog', { name: 'Information' });
    await message.waitFor();
    await expect(message.locator('.message-text').textContent()).resolves.toBe('Anvil is active now');
    // The OK button has the focus: Enter closes the message.
    await page.keyboard.press('Enter');
    await message.waitFor({ state: 'detached' });
    await pagerReads(page, 'activeList', '1–3 of 3');
    expect((await listItems('activeList')).sort()).toEqual(['Anvil', 'Candle', 'Easel']);
    await page.waitForFunction(() => document.querySelector('[data-widget="thingsGrid"] tbody tr td:nth-child(3)')?.textContent === 'Yes');
  });

  it('opens a full page with its page parameter; the data view fetches what the grid row lacks', async () => {
    const { page } = b;
    const row = page.locator('[data-widget="thingsGrid"] tbody tr[data-guid]', { hasText: 'Bucket' });
    await row.getByRole('button', { name: 'Details' }).click();
    await page.locator('main h1.page-title', { hasText: 'Thing details' }).waitFor();
    expect(await page.getByRole('dialog').count()).toBe(0);
    const view = page.locator('[data-widget="detailView"]');
    // Notes and Price are not columns of the grid: the data view retrieves the object by its id.
    await view.getByText('Notes on the bucket').waitFor();
    await expect(view.locator('.dynamic-text').allTextContents()).resolves.toEqual(['Name: Bucket', 'Notes: Notes on the bucket', 'Price: 9.50']);
    await view.getByText('Open the editor for every input.').waitFor();
  });

  it('edits every kind of input in a pop-up over the full page', async () => {
    const { page } = b;
    await page.locator('[data-widget="detailView"]').getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit thing' });
    await dialog.waitFor();
    await expect(dialog.getByLabel('Name').inputValue()).resolves.toBe('Bucket');
    await expect(dialog.getByLabel('Notes').evaluate((el) => el.tagName)).resolves.toBe('TEXTAREA');
    await expect(dialog.getByLabel('Notes').inputValue()).resolves.toBe('Notes on the bucket');
    await expect(dialog.getByLabel('Quantity').inputValue()).resolves.toBe('3');
    await expect(dialog.getByLabel('Price').inputValue()).resolves.toBe('9.5');
    await expect(dialog.getByLabel('Active').isChecked()).resolves.toBe(false);
    await expect(dialog.getByRole('radiogroup').getByLabel('Red').isChecked()).resolves.toBe(true);
    await expect(dialog.getByLabel('Size').locator('option').allTextContents()).resolves.toEqual(['', 'Small', 'Medium', 'Large']);
    // A date picker: a text field in the user's format, with a button for the browser's calendar.
    await expect(dialog.getByLabel('Due').getAttribute('placeholder')).resolves.toMatch(/2026/);
    await expect(dialog.getByRole('button', { name: 'Calendar' }).count()).resolves.toBe(1);
    const owner = dialog.getByLabel('Owner');
    await dialog.locator('select[aria-busy="true"]').waitFor({ state: 'detached' });
    await expect(owner.locator('option').allTextContents()).resolves.toEqual(['', 'Olivia Owner', 'Oscar Owner']);
    await expect(owner.locator('option:checked').textContent()).resolves.toBe('Olivia Owner');
    const tagGroup = dialog.getByRole('group', { name: 'Tags' });
    await tagGroup.getByLabel('urgent').waitFor();
    await expect(tagGroup.getByRole('checkbox').count()).resolves.toBe(4);

    // A number that cannot be parsed is marked at once, and never sent.
    const quantity = dialog.getByLabel('Quantity');
    await quantity.fill('twelve');
    await dialog.locator('.field-error', { hasText: 'Enter a whole number.' }).waitFor();
    await expect(quantity.getAttribute('aria-invalid')).resolves.toBe('true');
    await quantity.fill('12');
    await dialog.locator('.field-error').waitFor({ state: 'detached' });
    // A microflow button in the form: its validation feedback appears under the field, with the unsaved value checked.
    await quantity.fill('150');
    await dialog.getByRole('button', { name: 'Check' }).click();
    await dialog.locator('.field-error', { hasText: 'At most 100 fit on a shelf' }).waitFor();
    await expect(quantity.getAttribute('aria-invalid')).resolves.toBe('true');
    await quantity.fill('12');
    await dialog.getByRole('button', { name: 'Check' }).click();
    await dialog.locator('.field-error').waitFor({ state: 'detached' });

    await dialog.getByLabel('Notes').fill('A sturdy bucket\nwith a handle');
    await dialog.getByLabel('Price').fill('12.25');
    await dialog.getByLabel('Active').check();
    await dialog.getByRole('radiogroup').getByLabel('Blue').check();
    await dialog.getByLabel('Size').selectOption({ label: 'Large' });
    await dialog.getByLabel('Due').fill('2027-03-14');
    await owner.selectOption({ label: 'Oscar Owner' });
    await tagGroup.getByLabel('urgent').check();
    await page.screenshot({ path: screenshotPath('gallery-edit.png') });

    const commit = page.waitForRequest((r) => r.url().endsWith('/xas/') && (r.postData() ?? '').includes('"Objects"'));
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    const sent = JSON.parse((await commit).postData()!) as { changes: Record<string, Record<string, { value: unknown }>> };
    const changes = Object.values(sent.changes)[0]!;
    expect(changes.Quantity).toEqual({ value: 12 });
    expect(changes['Gallery.Thing_Tag']).toEqual({ value: [tags.get('urgent')] });
    // The full page under the pop-up shows the saved values.
    await page.locator('[data-widget="detailView"]').getByText('A sturdy bucket').waitFor();
  });

  it('closes the full page and finds the saved values in the reloaded grid, also after a reload', async () => {
    const { page } = b;
    await page.locator('[data-widget="detailView"]').getByRole('button', { name: 'Back' }).click();
    await page.locator('main h1.page-title', { hasText: 'Things' }).waitFor();
    const bucket = async () => (await cells('thingsGrid')).find((r) => r[0] === 'Bucket');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-widget="thingsGrid"] tbody tr')].some((tr) => tr.textContent?.includes('Oscar Owner')),
    );
    expect(await bucket()).toEqual(['Bucket', '12', 'Yes', 'Blue', 'Oscar Owner', 'urgent']);
    await page.reload();
    await pagerReads(page, 'thingsGrid', '1–5 of 7');
    expect(await bucket()).toEqual(['Bucket', '12', 'Yes', 'Blue', 'Oscar Owner', 'urgent']);
    await pagerReads(page, 'activeList', '1–4 of 4');
    // After the reload the client holds only the grid's rows: the pages retrieve the rest, reference set included.
    await page.locator('[data-widget="thingsGrid"] tbody tr[data-guid]', { hasText: 'Bucket' }).getByRole('button', { name: 'Details' }).click();
    await page.locator('[data-widget="detailView"]').getByText('A sturdy bucket').waitFor();
    await page.locator('[data-widget="detailView"]').getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit thing' });
    const tagGroup = dialog.getByRole('group', { name: 'Tags' });
    await tagGroup.getByLabel('fragile').waitFor();
    await dialog.locator('form[aria-busy="true"]').waitFor({ state: 'detached' });
    await expect(tagGroup.getByLabel('urgent').isChecked()).resolves.toBe(true);
    await expect(tagGroup.getByLabel('fragile').isChecked()).resolves.toBe(false);
    await expect(dialog.getByLabel('Size').locator('option:checked').textContent()).resolves.toBe('Large');
    // The date as the browser's locale writes it (the app names no languages): 3/14/2027 in en-US.
    const written = await page.evaluate(() =>
      new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'numeric', day: 'numeric' }).format(new Date(2027, 2, 14)),
    );
    await expect(dialog.getByLabel('Due').inputValue()).resolves.toBe(written);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('[data-widget="detailView"]').getByRole('button', { name: 'Back' }).click();
    await pagerReads(page, 'thingsGrid', '1–5 of 7');
  });

  it('searches the grid and deletes from the grid with confirmation', async () => {
    const { page } = b;
    const grid = page.locator('[data-widget="thingsGrid"]');
    await grid.getByRole('searchbox').fill('Gong');
    await grid.getByRole('searchbox').press('Enter');
    await pagerReads(page, 'thingsGrid', '1–1 of 1');
    await grid.locator('tbody tr[data-guid]').first().click();
    await grid.getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Please confirm' });
    // Cancel first: nothing happens.
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    await pagerReads(page, 'thingsGrid', '1–1 of 1');
    await grid.getByRole('button', { name: 'Delete' }).click();
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await confirm.waitFor({ state: 'detached' });
    await pagerReads(page, 'thingsGrid', '0–0 of 0');
    await grid.getByText('No items found.').waitFor();
  });

  it("shows the server's refusal as a readable message: an owner with things cannot be deleted", async () => {
    const { page } = b;
    await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'Owners and tags' }).click();
    await pagerReads(page, 'ownersGrid', '1–2 of 2');
    const grid = page.locator('[data-widget="ownersGrid"]');
    await grid.locator('tbody tr[data-guid]', { hasText: 'Oscar Owner' }).click();
    await grid.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('alertdialog', { name: 'Please confirm' }).getByRole('button', { name: 'Delete' }).click();
    const message = page.getByRole('alertdialog', { name: 'Error' });
    await message.waitFor();
    await expect(message.locator('.message-text').textContent()).resolves.toBe('This owner still has things and cannot be deleted');
    await message.getByRole('button', { name: 'OK' }).click();
    await message.waitFor({ state: 'detached' });
    // Olivia owns nothing any more: she goes.
    await grid.locator('tbody tr[data-guid]', { hasText: 'Olivia Owner' }).click();
    await grid.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('alertdialog', { name: 'Please confirm' }).getByRole('button', { name: 'Delete' }).click();
    await pagerReads(page, 'ownersGrid', '1–1 of 1');
  });
});
