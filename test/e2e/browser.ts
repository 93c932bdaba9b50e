import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from '../support/cli.js';

const CHROMIUM = process.env.TEST_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-artifacts');

export interface Browser {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Every response the page received (documents, scripts, styles, page definitions, /xas/ answers), for leak checks. */
  readonly responses: RecordedResponse[];
  /** Waits until every response so far has its body read into `responses`. */
  settled(): Promise<RecordedResponse[]>;
  close(): Promise<void>;
}

export interface RecordedResponse {
  readonly url: string;
  readonly status: number;
  readonly body: string;
}

/** Real headless Chromium with a fresh profile, recording the runtime's answers. */
export async function openBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'kiln-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1280, height: 860 },
    });
  } catch (e) {
    throw new Error(`cannot start Chromium at ${CHROMIUM} (install Debian's 'chromium' package or set TEST_CHROMIUM): ${(e as Error).message}`);
  }
  const page = context.pages()[0] ?? (await context.newPage());
  // Generous: the suite runs on shared machines with a load average of 8 and more.
  page.setDefaultTimeout(30000);
  const responses: RecordedResponse[] = [];
  const reading = new Set<Promise<void>>();
  context.on('response', (res) => {
    // A body that cannot be read (a redirect, a 304 without one) is recorded as empty.
    const p = res
      .body()
      .then(
        (b) => b.toString('utf8'),
        () => '',
      )
      .then((body) => {
        responses.push({ url: res.url(), status: res.status(), body });
      });
    reading.add(p);
    void p.finally(() => reading.delete(p));
  });
  if (process.env.E2E_DEBUG) {
    page.on('console', (m) => process.stderr.write(`[console] ${m.text()}\n`));
    page.on('response', (res) => {
      if (res.status() >= 400)
        res.text().then(
          (t) => process.stderr.write(`[${res.status()}] ${res.url()} ${res.request().postData() ?? ''} -> ${t}\n`),
          () => undefined,
        );
    });
  }
  return {
    context,
    page,
    responses,
    async settled() {
      while (reading.size > 0) await Promise.all([...reading]);
      return responses;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function screenshotPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

/**
 * Where a screenshot shown in docs/ goes: test-artifacts/ on every test run, docs/images/ only
 * under `npm run docs:screenshots` (KILN_DOC_IMAGES=1), so running the tests never changes the docs.
 */
export function docImagePath(name: string): string {
  if (!process.env.KILN_DOC_IMAGES) return screenshotPath(name);
  const dir = join(ROOT, 'docs', 'images');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

/**
 * Signs in through the form and waits for the signed-in shell (its Sign out button and
 * the home page's title): the sign-in form's own heading is the app's name, so waiting
 * for a heading alone can race the form.
 */
export async function signIn(page: Page, url: string, user: string, password: string, homeTitle: string): Promise<void> {
  if (!page.url().startsWith(url)) await page.goto(`${url}/`);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  await page.locator('main h1.page-title', { hasText: homeTitle }).waitFor();
}

/** Waits until the pager of a grid or list view reads exactly this ("1–20 of 45"). */
export async function pagerReads(page: Page, widget: string, text: string): Promise<void> {
  await page.waitForFunction(([w, t]) => document.querySelector(`[data-widget="${w}"] .pager-status`)?.textContent === t, [widget, text] as const);
}
