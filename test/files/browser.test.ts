import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { openBrowser, signIn, type Browser } from '../e2e/browser.js';
import { startApp, type TestRuntime } from '../security/harness.js';
import { filesApp, newFileDocument, png } from './harness.js';

/** In headless Chromium: a manager uploads a picture with the image widget and sees its thumbnail; a file's name and size show. */
describe('browser client: file and image widgets', { timeout: 120000 }, () => {
  let db: TestDatabase;
  let app: { dir: string; remove(): void };
  let t: TestRuntime;
  let b: Browser;

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    app = filesApp();
    t = await startApp(app.dir, db.url, { FileCleanupInterval: 0 });
    await newFileDocument(t, 'Catalog.ProductPicture', '');
    await newFileDocument(t, 'Catalog.Datasheet', '');
    b = await openBrowser();
  });
  afterAll(async () => {
    await b?.close();
    await t?.stop();
    await db?.drop();
    app?.remove();
  });

  it('uploads a picture with progress and shows its thumbnail, name and size', async () => {
    const { page } = b;
    await signIn(page, t.url, 'manager', 'Manager123', 'Orders');
    await page.goto(`${t.url}/#/Catalog.Picture_Overview`);
    const picture = page.locator('.file-widget.imageViewer').first();
    await picture.getByText('No file').waitFor();
    await picture.locator('input[type=file]').setInputFiles({ name: 'red.png', mimeType: 'image/png', buffer: await png(400, 300) });
    const thumb = picture.locator('img.file-thumbnail');
    await thumb.waitFor();
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('.file-widget.imageViewer img.file-thumbnail');
      return !!img && img.complete && img.naturalWidth > 0;
    });
    const size = await thumb.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight]);
    expect(size).toEqual([100, 75]);
    await picture.locator('a.file-download', { hasText: 'red.png' }).waitFor();

    const sheet = page.locator('.file-widget.fileManager').first();
    await sheet.locator('input[type=file]').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('x'.repeat(2048)) });
    await sheet.locator('a.file-download', { hasText: 'notes.txt' }).waitFor();
    expect(await sheet.locator('.file-size').textContent()).toBe('2.0 kB');
    // A text file is not an image: the server refuses it and the widget says so.
    await picture.locator('input[type=file]').setInputFiles({ name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('not an image, just text here') });
    await picture.locator('.field-error').waitFor();
  });
});
