import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startKiln, type RunningKiln } from '../support/cli.js';
import { openBrowser, screenshotPath, type Browser } from './browser.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const WRONG = 'The username or password you entered is incorrect.';
const BLOCKED = 'This account is blocked after too many failed sign-in attempts. Try again later or ask an administrator.';

/** Submits the sign-in form and waits for the runtime's answer and the message it leads to. */
async function attempt(page: Page, password: string, message: string): Promise<number> {
  await page.getByLabel('User name').fill('MxAdmin');
  await page.getByLabel('Password').fill(password);
  const answer = page.waitForResponse((r) => r.url().endsWith('/xas/') && (r.request().postData() ?? '').includes('"login"'));
  await page.getByRole('button', { name: 'Sign in' }).click();
  const status = (await answer).status();
  await page.getByRole('alert').filter({ hasText: message }).waitFor();
  return status;
}

// The browser client as served by `kiln run`, in real headless Chromium.
describe('browser client: start-up and sign-in', { timeout: 120000 }, () => {
  let kiln: RunningKiln;
  let b: Browser;
  beforeAll(async () => {
    // Its own runtime: this test blocks the administrator.
    kiln = await startKiln(['examples/employees', '--deployment-dir', mkdtempSync(join(tmpdir(), 'kiln-e2e-'))], { KILN_HASH_ALGORITHM_COST: '6' });
    b = await openBrowser();
  });
  afterAll(async () => {
    await b?.close();
    await kiln?.stop();
  });

  it('shows an accessible sign-in form to a visitor without a session', async () => {
    const { page } = b;
    await page.goto(`http://127.0.0.1:${kiln.port}/`);
    const user = page.getByLabel('User name');
    await user.waitFor();
    expect(await user.evaluate((el) => el === document.activeElement)).toBe(true);
    await expect(page.getByLabel('Password').getAttribute('type')).resolves.toBe('password');
    await expect(page.getByRole('button', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Employees');
    await page.screenshot({ path: screenshotPath('login.png') });
  });

  it('says the account is blocked after three wrong passwords, and then refuses even the right one', async () => {
    const { page } = b;
    expect(await attempt(page, 'wrong-1', WRONG)).toBe(401);
    expect(await attempt(page, 'wrong-2', WRONG)).toBe(401);
    // The third refusal blocks the account (LoginMaxAttempts 3).
    expect(await attempt(page, 'wrong-3', BLOCKED)).toBe(401);
    // The right password is refused now too: the runtime did block the account.
    expect(await attempt(page, 'Admin1!', BLOCKED)).toBe(401);
    const password = page.getByLabel('Password');
    await expect(password.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.getByRole('button', { name: 'Sign out' }).count()).resolves.toBe(0);
    await page.screenshot({ path: screenshotPath('login-blocked.png') });
  });
});
