import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, startDev } from '../support/dev-server.js';
import { type Browser, openBrowser, screenshotPath, signIn } from './browser.js';

// `kiln dev` as a developer sees it: a browser on the app while the model files are edited.

const MODULE = 'modules/MyFirstModule';

describe('kiln dev in a browser', () => {
  let dev: DevServer;
  let b: Browser;
  let url: string;
  const edit = (file: string, from: string, to: string) => {
    const path = join(dev.app, MODULE, file);
    const text = readFileSync(path, 'utf8');
    if (!text.includes(from)) throw new Error(`${file} has no '${from}'`);
    writeFileSync(path, text.replace(from, to));
  };
  const grid = () => b.page.locator('[data-widget="dataGrid2_1"]');

  beforeAll(async () => {
    dev = await startDev('employees');
    url = `http://127.0.0.1:${dev.port}`;
    b = await openBrowser();
  }, 90000);

  afterAll(async () => {
    await b?.close();
    await dev?.stop();
  });

  it('shows a new attribute and widget after a save, without a restart and still signed in', async () => {
    const { page } = b;
    const pid = dev.child.pid;
    await signIn(page, url, 'MxAdmin', 'Admin1!', 'Employees');
    await grid().locator('th', { hasText: 'Lastname' }).waitFor();
    expect(await grid().locator('th', { hasText: 'Nickname' }).count()).toBe(0);

    // The attribute first, then the widgets that show it: two saves, as an editor makes them.
    edit('domain-model.yaml', '      Jobtitle:    String\n', '      Jobtitle:    String\n      Nickname:    String\n');
    edit('pages/Employee_Overview.yaml', 'columns: [Firstname, Lastname, Jobtitle', 'columns: [Firstname, Lastname, Nickname, Jobtitle');
    edit(
      'pages/Employee_NewEdit.yaml',
      '        - textBox: { attribute: Jobtitle, label: Job title }\n',
      '        - textBox: { attribute: Jobtitle, label: Job title }\n        - textBox: { attribute: Nickname, label: Nickname }\n',
    );

    // The page reloads by itself and shows the new column.
    await grid().locator('th', { hasText: 'Nickname' }).waitFor({ timeout: 20000 });
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(dev.child.pid).toBe(pid);
    expect(dev.child.exitCode).toBeNull();

    // The new field works end to end: its column was added to the database.
    await grid().getByRole('button', { name: 'New' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit Employee' });
    await dialog.getByLabel('First name').fill('Grace');
    await dialog.getByLabel('Last name').fill('Hopper');
    await dialog.getByLabel('Nickname').fill('Amazing Grace');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await grid().locator('td', { hasText: 'Amazing Grace' }).waitFor();
  }, 90000);

  it('keeps serving through an invalid save and shows its error over the page, until a fixed save', async () => {
    const { page } = b;
    edit('domain-model.yaml', 'Nickname:    String', 'Nickname:    Strin');
    const overlay = page.locator('#kiln-dev-errors');
    await overlay.waitFor({ timeout: 20000 });
    const text = (await overlay.textContent()) ?? '';
    expect(text).toContain('the app runs the last good model');
    expect(text).toContain("unknown attribute type 'Strin'");
    expect(text).toContain('domain-model.yaml');
    await page.screenshot({ path: screenshotPath('dev-overlay.png') });

    // The last good model still answers: the grid pages and searches as before.
    await grid().getByRole('searchbox').fill('Hopper');
    await grid().getByRole('button', { name: 'Search' }).click();
    await page.waitForFunction(() => document.querySelector('[data-widget="dataGrid2_1"] .pager-status')?.textContent === '1–1 of 1');
    // A browser opened now gets the errors too.
    await page.reload();
    await overlay.waitFor();
    await grid().locator('th', { hasText: 'Nickname' }).waitFor();

    edit('domain-model.yaml', 'Nickname:    Strin', 'Nickname:    String');
    await overlay.waitFor({ state: 'detached', timeout: 20000 });
    await grid().locator('th', { hasText: 'Nickname' }).waitFor();
  }, 90000);

  it('shows a save that would destroy data as a question over the page, and reloads once it is answered in the terminal', async () => {
    const { page } = b;
    // A rename without previousName: the Nickname column (holding 'Amazing Grace') would be dropped.
    edit('domain-model.yaml', 'Nickname:    String', 'Alias:       String');
    edit('pages/Employee_Overview.yaml', 'Lastname, Nickname,', 'Lastname, Alias,');
    edit('pages/Employee_NewEdit.yaml', '{ attribute: Nickname, label: Nickname }', '{ attribute: Alias, label: Alias }');
    const overlay = page.locator('#kiln-dev-errors');
    await overlay.waitFor({ timeout: 20000 });
    const text = (await overlay.textContent()) ?? '';
    expect(text).toContain('The save waits for an answer');
    expect(text).toMatch(/nickname/i);
    expect(text).toContain('Answer y in the terminal');
    await grid().locator('td', { hasText: 'Amazing Grace' }).waitFor();

    dev.child.stdin?.write('y\n');
    await grid().locator('th', { hasText: 'Alias' }).waitFor({ timeout: 20000 });
    await overlay.waitFor({ state: 'detached' });
    expect(await grid().locator('td', { hasText: 'Amazing Grace' }).count()).toBe(0);
  }, 90000);
});
