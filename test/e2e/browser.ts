import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from '../support/cli.js';

export const CHROMIUM = process.env.TEST_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = join(ROOT, 'test-artifacts');

export interface Browser {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Every body the runtime sent (page definitions and /xas/ answers), for leak checks. */
  readonly bodies: string[];
  close(): Promise<void>;
}

/** Real headless Chromium with a fresh profile, recording the runtime's answers. */
export async function openBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'kiln-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 860 },
    });
  } catch (e) {
    throw new Error(`cannot start Chromium at ${CHROMIUM} (install Debian's 'chromium' package or set TEST_CHROMIUM): ${(e as Error).message}`);
  }
  const page = context.pages()[0] ?? await context.newPage();
  page.setDefaultTimeout(15000);
  const bodies: string[] = [];
  page.on('response', (res) => {
    const u = new URL(res.url());
    if (u.pathname.startsWith('/xas') || u.pathname.startsWith('/pages/')) res.text().then((t) => bodies.push(t), () => undefined);
  });
  if (process.env.E2E_DEBUG) {
    page.on('console', (m) => process.stderr.write(`[console] ${m.text()}\n`));
    page.on('response', (res) => { if (res.status() >= 400) res.text().then((t) => process.stderr.write(`[${res.status()}] ${res.url()} ${res.request().postData() ?? ''} -> ${t}\n`), () => undefined); });
  }
  return {
    context, page, bodies,
    async close() { await context.close(); rmSync(profile, { recursive: true, force: true }); },
  };
}

export function screenshotPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}
