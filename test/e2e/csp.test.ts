import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startKiln, type RunningKiln } from '../support/cli.js';
import { openBrowser, signIn, type Browser } from './browser.js';

declare global {
  interface Window {
    __csp?: string[];
  }
}

/** Every Content-Security-Policy violation the page reports, from its console and its securitypolicyviolation events. */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  const console: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) console.push(m.text());
  });
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__csp!.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return async () => [...console, ...(await page.evaluate(() => window.__csp ?? []))];
}

// The browser client under its Content-Security-Policy, in real headless Chromium: signing in
// and opening pages (a data grid, a page in a pop-up, the gallery's widgets) break no rule.
describe('browser client under its Content-Security-Policy', { timeout: 120000 }, () => {
  const apps: RunningKiln[] = [];
  let b: Browser;
  beforeAll(async () => {
    const start = (app: string) => startKiln([app, '--deployment-dir', mkdtempSync(join(tmpdir(), 'kiln-e2e-csp-'))], { KILN_HASH_ALGORITHM_COST: '6' });
    apps.push(await start('examples/employees'), await start('test/e2e/gallery'));
    b = await openBrowser();
  }, 120000);
  afterAll(async () => {
    await b?.close();
    for (const k of apps) await k.stop();
  });

  it('signs in and opens pages without a single violation', async () => {
    const { page } = b;
    const violations = await watchViolations(page);
    const employees = `http://127.0.0.1:${apps[0]!.port}`;
    const res = await page.goto(`${employees}/`);
    expect(res?.headers()['content-security-policy']).toMatch(/default-src 'self'.*script-src 'self'.*style-src 'self'/);
    await signIn(page, employees, 'MxAdmin', 'Admin1!', 'Employees');
    const grid = page.locator('[data-widget="dataGrid2_1"]');
    await grid.locator('.pager-status').waitFor();
    await grid.getByRole('button', { name: 'New' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit Employee' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.locator('.field-error').first().waitFor();
    await page.keyboard.press('Escape');

    const gallery = `http://127.0.0.1:${apps[1]!.port}`;
    await page.goto(`${gallery}/`);
    await signIn(page, gallery, 'MxAdmin', 'Admin1!', 'Things');
    await page.locator('main [data-widget]').first().waitFor();
    expect(await violations()).toEqual([]);

    // The watch itself works: an inline script is refused and reported.
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.ran = true';
      document.body.append(s);
    });
    await expect.poll(violations).toEqual(expect.arrayContaining([expect.stringMatching(/script-src/)]));
    expect(await page.evaluate(() => (window as unknown as { ran?: boolean }).ran)).toBeUndefined();
  });
});
