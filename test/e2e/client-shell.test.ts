import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKiln, type RunningKiln } from '../support/cli.js';
import { openBrowser, screenshotPath, type Browser } from './browser.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The browser client as served by `kiln run`, in real headless Chromium.
describe('browser client: start-up', () => {
  let kiln: RunningKiln;
  let b: Browser;
  beforeAll(async () => {
    kiln = await startKiln(['examples/employees', '--deployment-dir', mkdtempSync(join(tmpdir(), 'kiln-e2e-'))]);
    b = await openBrowser();
  });
  afterAll(async () => { await b?.close(); await kiln?.stop(); });

  it('shows an accessible sign-in form to a visitor without a session', async () => {
    const { page } = b;
    await page.goto(`http://127.0.0.1:${kiln.port}/`);
    const user = page.getByLabel('User name');
    await user.waitFor();
    expect(await user.evaluate((el) => el === document.activeElement)).toBe(true);
    await expect(page.getByLabel('Password').getAttribute('type')).resolves.toBe('password');
    await expect(page.getByRole('button', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: screenshotPath('login.png') });
  });
});
