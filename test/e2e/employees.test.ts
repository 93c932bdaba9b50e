import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startKiln, type RunningKiln } from '../support/cli.js';
import { openBrowser, pagerReads, screenshotPath, signIn, type Browser } from './browser.js';
import { apiLogin, createObject, operations } from './seed.js';

// The seeds' CRUD scenario (seed 004) in real headless Chromium against `kiln run examples/employees`.

const FIRST = [
  'Ada',
  'Bram',
  'Cleo',
  'Dirk',
  'Eva',
  'Finn',
  'Gina',
  'Hugo',
  'Ines',
  'Jop',
  'Kim',
  'Lars',
  'Mira',
  'Nils',
  'Olga',
  'Piet',
  'Quinn',
  'Rosa',
  'Sem',
  'Tess',
  'Ugo',
  'Vera',
  'Wim',
  'Xena',
  'Yara',
  'Zeno',
  'Anouk',
  'Bas',
  'Carla',
  'Daan',
  'Elif',
  'Femke',
  'Gijs',
  'Hanna',
  'Ivo',
  'Jade',
  'Koen',
  'Lotte',
  'Maud',
  'Noor',
  'Otto',
  'Pien',
  'Ruben',
  'Sara',
  'Tijn',
];
const DEPARTMENTS = ['Sales', 'Finance', 'Expert services'];

async function rows(page: Page, grid: string): Promise<string[][]> {
  return page
    .locator(`[data-widget="${grid}"] tbody tr[data-guid]`)
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
}

describe('browser client: employees (seed 004 CRUD)', { timeout: 120000 }, () => {
  let kiln: RunningKiln;
  let b: Browser;
  let url: string;
  const deployment = mkdtempSync(join(tmpdir(), 'kiln-e2e-emp-'));

  beforeAll(async () => {
    // A low bcrypt cost: the suite runs many logins on a shared machine.
    kiln = await startKiln(['examples/employees', '--deployment-dir', deployment], { KILN_HASH_ALGORITHM_COST: '6' });
    url = `http://127.0.0.1:${kiln.port}`;
    const admin = await apiLogin(url, 'MxAdmin', 'Admin1!');
    const ops = operations(deployment);
    for (let i = 0; i < 45; i++) {
      await createObject(admin, ops, 'MyFirstModule.Employee', {
        Firstname: FIRST[i],
        Lastname: `Lastname${String(45 - i).padStart(2, '0')}`,
        Jobtitle: i % 2 ? 'Engineer' : 'Accountant',
        Department: DEPARTMENTS[i % 3],
        DateOfBirth: Date.UTC(1980 + (i % 20), i % 12, 1 + (i % 28)),
      });
    }
    b = await openBrowser();
  }, 120000);
  afterAll(async () => {
    await b?.close();
    await kiln?.stop();
  });

  it('refuses a wrong password with a readable message, then signs in to the home page', async () => {
    const { page } = b;
    await page.goto(`${url}/`);
    await page.getByLabel('User name').fill('MxAdmin');
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'The username or password you entered is incorrect.' }).waitFor();
    await page.getByLabel('Password').fill('Admin1!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    // The sign-in form's own heading is the app name ("Employees"), so wait for the signed-in shell's menu instead.
    await page.getByRole('navigation', { name: 'Main menu' }).locator('a[aria-current="page"]', { hasText: 'Employees' }).waitFor();
    await page.locator('main h1.page-title', { hasText: 'Employees' }).waitFor();
  });

  it('pages through 45 employees, sorted by first name', async () => {
    const { page } = b;
    await page.waitForFunction(() => document.querySelector('[data-widget="dataGrid2_1"] .pager-status')?.textContent === '1–20 of 45');
    const first = await rows(page, 'dataGrid2_1');
    expect(first).toHaveLength(20);
    expect(first[0]![0]).toBe('Ada');
    const names = [...FIRST].sort((x, y) => x.localeCompare(y));
    expect(first.map((r) => r[0])).toEqual(names.slice(0, 20));
    const grid = page.locator('[data-widget="dataGrid2_1"]');
    await grid.getByRole('button', { name: 'Next page' }).click();
    await page.waitForFunction(() => document.querySelector('[data-widget="dataGrid2_1"] .pager-status')?.textContent === '21–40 of 45');
    await grid.getByRole('button', { name: 'Next page' }).click();
    await page.waitForFunction(() => document.querySelector('[data-widget="dataGrid2_1"] .pager-status')?.textContent === '41–45 of 45');
    expect((await rows(page, 'dataGrid2_1')).map((r) => r[0])).toEqual(names.slice(40));
    await expect(grid.getByRole('button', { name: 'Next page' }).isDisabled()).resolves.toBe(true);
    await grid.getByRole('button', { name: 'First page' }).click();
    await page.waitForFunction(() => document.querySelector('[data-widget="dataGrid2_1"] .pager-status')?.textContent === '1–20 of 45');
  });

  it('sorts by clicking a column header, ascending then descending', async () => {
    const { page } = b;
    const grid = page.locator('[data-widget="dataGrid2_1"]');
    await grid.getByRole('button', { name: 'Lastname' }).click();
    await page.waitForFunction(() => document.querySelector('[data-widget="dataGrid2_1"] th[aria-sort="ascending"]')?.textContent?.startsWith('Lastname'));
    await page.waitForFunction(() => document.querySelector('[data-widget="dataGrid2_1"] tbody tr td:nth-child(2)')?.textContent === 'Lastname01');
    await grid.getByRole('button', { name: 'Lastname' }).click();
    await page.waitForFunction(() => document.querySelector('[data-widget="dataGrid2_1"] tbody tr td:nth-child(2)')?.textContent === 'Lastname45');
    await expect(grid.locator('th[aria-sort="descending"]').textContent()).resolves.toContain('Lastname');
  });

  it('searches over the string attributes', async () => {
    const { page } = b;
    const grid = page.locator('[data-widget="dataGrid2_1"]');
    await grid.getByRole('searchbox').fill('Lastname07');
    await grid.getByRole('button', { name: 'Search' }).click();
    await page.waitForFunction(() => document.querySelector('[data-widget="dataGrid2_1"] .pager-status')?.textContent === '1–1 of 1');
    expect((await rows(page, 'dataGrid2_1'))[0]!.slice(0, 2)).toEqual([FIRST[38], 'Lastname07']);
    await grid.getByRole('searchbox').fill('');
    await page.waitForFunction(() => document.querySelector('[data-widget="dataGrid2_1"] .pager-status')?.textContent === '1–20 of 45');
  });

  it('creates an employee in the pop-up, after a validation message under the empty field', async () => {
    const { page } = b;
    const grid = page.locator('[data-widget="dataGrid2_1"]');
    await grid.getByRole('button', { name: 'New' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit Employee' });
    await dialog.waitFor();
    await dialog.getByLabel('First name').fill('Zora');
    // The entity's rule (Lastname required) is the server's: its message appears under the field.
    await dialog.getByRole('button', { name: 'Save' }).click();
    const lastName = dialog.getByLabel('Last name');
    await dialog.locator('.field-error', { hasText: 'Last name is required' }).waitFor();
    await expect(lastName.getAttribute('aria-invalid')).resolves.toBe('true');
    const describedBy = await lastName.getAttribute('aria-describedby');
    await expect(page.locator(`[id="${describedBy}"]`).textContent()).resolves.toBe('Last name is required');
    await page.screenshot({ path: screenshotPath('employees-validation.png') });
    await lastName.fill('Aardvark');
    await dialog.getByLabel('Job title').fill('Tester');
    await dialog.getByLabel('Date of birth').fill('1990-05-17');
    const commit = page.waitForRequest((r) => r.url().endsWith('/xas/') && (r.postData() ?? '').includes('"Objects"'));
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    // The new object travels with the signature the server gave it, the user's values as changes (seed 004, 4.2).
    const sent = JSON.parse((await commit).postData()!) as {
      objects: { guid: string; hash?: string }[];
      changes: Record<string, Record<string, { value: unknown }>>;
    };
    expect(sent.objects).toHaveLength(1);
    expect(sent.objects[0]!.hash).toEqual(expect.any(String));
    expect(sent.changes[sent.objects[0]!.guid]).toMatchObject({ Firstname: { value: 'Zora' }, Lastname: { value: 'Aardvark' }, Jobtitle: { value: 'Tester' } });
    await page.waitForFunction(() => / of 46$/.test(document.querySelector('[data-widget="dataGrid2_1"] .pager-status')?.textContent ?? ''));
    // Sorted by Lastname descending: one more click sorts ascending, Aardvark comes first.
    await grid.getByRole('button', { name: 'Lastname' }).click();
    await page.waitForFunction(() => document.querySelector('[data-widget="dataGrid2_1"] tbody tr td:nth-child(2)')?.textContent === 'Aardvark');
    const [row] = await rows(page, 'dataGrid2_1');
    expect(row!.slice(0, 3)).toEqual(['Zora', 'Aardvark', 'Tester']);
    expect(row![4]).toContain('1990');
  });

  it('runs the GetAllEmployees microflow grid: every employee in one call, paged and sorted in the browser', async () => {
    const { page } = b;
    const grid = page.locator('[data-widget="allEmployeesGrid"]');
    await grid.getByRole('heading', { name: 'All employees (from a microflow)' }).waitFor();
    // Reloaded after the commit above: 46 now.
    await pagerReads(page, 'allEmployeesGrid', '1–20 of 46');
    const calls: string[] = [];
    const onRequest = (r: { url(): string; postData(): string | null }) => {
      if (r.url().includes('/xas')) calls.push(r.postData() ?? '');
    };
    page.on('request', onRequest);
    await grid.getByRole('button', { name: 'Last page' }).click();
    await pagerReads(page, 'allEmployeesGrid', '41–46 of 46');
    await grid.getByRole('button', { name: 'Firstname' }).click();
    await page.waitForFunction(
      () =>
        document.querySelector('[data-widget="allEmployeesGrid"] .pager-status')?.textContent === '1–20 of 46' &&
        document.querySelector('[data-widget="allEmployeesGrid"] tbody tr td')?.textContent === 'Ada',
    );
    await grid.getByRole('button', { name: 'Firstname' }).click();
    await page.waitForFunction(() => document.querySelector('[data-widget="allEmployeesGrid"] tbody tr td')?.textContent === 'Zora');
    await expect(grid.locator('th[aria-sort="descending"]').textContent()).resolves.toContain('Firstname');
    page.off('request', onRequest);
    // Paging and sorting a microflow's list needs no request.
    expect(calls).toEqual([]);
  });

  it('moves through the grid with the keyboard; Enter opens the edit page, Escape closes it', async () => {
    const { page } = b;
    const grid = page.locator('[data-widget="dataGrid2_1"]');
    const firstRow = grid.locator('tbody tr[data-guid]').first();
    await firstRow.focus();
    await page.keyboard.press('ArrowDown');
    const second = grid.locator('tbody tr[data-guid]').nth(1);
    await page.waitForFunction(() => document.activeElement === document.querySelectorAll('[data-widget="dataGrid2_1"] tbody tr[data-guid]')[1]);
    await expect(second.getAttribute('aria-selected')).resolves.toBe('true');
    const name = (await second.locator('td').first().textContent())!;
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Edit Employee' });
    await dialog.waitFor();
    await expect(dialog.getByLabel('First name').inputValue()).resolves.toBe(name);
    // Focus moved into the dialog.
    await page.waitForFunction(() => document.querySelector('[role="dialog"]')?.contains(document.activeElement) === true);
    await expect(page.evaluate(() => (document.activeElement as HTMLInputElement).value)).resolves.toBe(name);
    // Tab stays inside the dialog: backwards past its first control (the close button) to its last.
    await page.keyboard.press('Shift+Tab');
    await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Close dialog');
    await page.keyboard.press('Shift+Tab');
    await page.waitForFunction(
      () => document.activeElement?.textContent === 'Cancel' && document.querySelector('[role="dialog"]')?.contains(document.activeElement) === true,
    );
    await page.keyboard.press('Tab');
    await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Close dialog');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.activeElement === document.querySelectorAll('[data-widget="dataGrid2_1"] tbody tr[data-guid]')[1]);
    // Space selects the focused row.
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Space');
    await page.waitForFunction(() => document.querySelectorAll('[data-widget="dataGrid2_1"] tbody tr[data-guid]')[0]?.getAttribute('aria-selected') === 'true');
  });

  it('edits an employee with the values the grid already holds, without a new retrieve', async () => {
    const { page } = b;
    const grid = page.locator('[data-widget="dataGrid2_1"]');
    await grid.locator('tbody tr[data-guid]').first().click();
    const requests: string[] = [];
    const onRequest = (r: { url(): string; postData(): string | null }) => {
      if (r.url().includes('/xas')) requests.push(r.postData() ?? '');
    };
    page.on('request', onRequest);
    await grid.getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit Employee' });
    await dialog.waitFor();
    await expect(dialog.getByLabel('First name').inputValue()).resolves.toBe('Zora');
    // The app names no languages: the date as the browser's locale writes it (5/17/1990 in en-US).
    const written = await page.evaluate(() =>
      new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'numeric', day: 'numeric' }).format(new Date(1990, 4, 17)),
    );
    await expect(dialog.getByLabel('Date of birth').inputValue()).resolves.toBe(written);
    expect(requests).toEqual([]);
    await dialog.getByLabel('Job title').fill('Lead tester');
    await page.screenshot({ path: screenshotPath('employees-edit.png') });
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    page.off('request', onRequest);
    // The commit carried only the change (seed 004, 4.3), then the grid reloaded.
    const commit = JSON.parse(requests[0]!) as { changes: Record<string, Record<string, { value: unknown }>>; objects: unknown[] };
    expect(Object.values(commit.changes)).toEqual([{ Jobtitle: { value: 'Lead tester' } }]);
    expect(commit.objects).toEqual([]);
    await page.waitForFunction(() => document.querySelector('[data-widget="dataGrid2_1"] tbody tr td:nth-child(3)')?.textContent === 'Lead tester');
  });

  it('deletes an employee after confirmation and refreshes the grid', async () => {
    const { page } = b;
    const grid = page.locator('[data-widget="dataGrid2_1"]');
    await grid.locator('tbody tr[data-guid]').first().click();
    await grid.getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Please confirm' });
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await confirm.waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.querySelector('[data-widget="dataGrid2_1"] .pager-status')?.textContent === '1–20 of 45');
    await page.waitForFunction(() => document.querySelector('[data-widget="dataGrid2_1"] tbody tr td:nth-child(2)')?.textContent === 'Lastname01');
    await page.screenshot({ path: screenshotPath('employees-overview.png'), fullPage: true });
  });

  it('shows a loading indicator while a request is under way', async () => {
    const { page } = b;
    const grid = page.locator('[data-widget="dataGrid2_1"]');
    // Hold the next retrieve until the indicator has been seen (no timing involved).
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let seen!: () => void;
    const arrived = new Promise<void>((r) => {
      seen = r;
    });
    await page.route(
      '**/xas/',
      async (route) => {
        seen();
        await held;
        await route.continue();
      },
      { times: 1 },
    );
    await grid.getByRole('button', { name: 'Next page' }).click();
    await arrived;
    await grid.locator('.table-wrap[aria-busy="true"] [role="progressbar"]').waitFor();
    await page.getByRole('progressbar', { name: 'Loading' }).first().waitFor();
    release();
    await pagerReads(page, 'dataGrid2_1', '21–40 of 45');
    await grid.locator('.table-wrap[aria-busy="false"]').waitFor();
    expect(await grid.getByRole('progressbar').count()).toBe(0);
  });

  it('says when the connection is lost and retries until it is back', async () => {
    const { page, context } = b;
    const grid = page.locator('[data-widget="dataGrid2_1"]');
    await context.setOffline(true);
    await grid.getByRole('button', { name: 'First page' }).click();
    const banner = page.getByRole('alert').filter({ hasText: 'The connection to the server is lost' });
    await banner.waitFor();
    await expect(banner.textContent()).resolves.toMatch(/Retrying in \d+ s/);
    await context.setOffline(false);
    // The held request goes through on a retry: the page arrives and the banner goes.
    await pagerReads(page, 'dataGrid2_1', '1–20 of 45');
    await banner.waitFor({ state: 'detached', timeout: 60000 });
  });

  it('shows a readable message for a page that does not exist', async () => {
    const { page } = b;
    await page.evaluate(() => {
      location.hash = '#/MyFirstModule.NoSuchPage';
    });
    const message = page.getByRole('alertdialog', { name: 'Error' });
    await message.waitFor();
    await expect(message.textContent()).resolves.toContain('The page MyFirstModule.NoSuchPage does not exist or you may not open it.');
    await message.getByRole('button', { name: 'OK' }).click();
    await message.waitFor({ state: 'detached' });
    await page.evaluate(() => {
      location.hash = '#/MyFirstModule.Employee_Overview';
    });
    await pagerReads(page, 'dataGrid2_1', '1–20 of 45');
  });

  it('signs out', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('User name').waitFor();
  });

  it('returns to the sign-in form when the session has ended', async () => {
    const { page, context } = b;
    await signIn(page, url, 'MxAdmin', 'Admin1!', 'Employees');
    await pagerReads(page, 'dataGrid2_1', '1–20 of 45');
    await context.clearCookies();
    await page.locator('[data-widget="dataGrid2_1"]').getByRole('button', { name: 'Next page' }).click();
    await page.getByLabel('User name').waitFor();
    await expect(page.getByRole('button', { name: 'Sign out' }).count()).resolves.toBe(0);
  });
});
