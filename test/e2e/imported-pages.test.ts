import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFolder } from '../../src/cli/import-command.js';
import { commitObjects, createObject } from '../../src/data/index.js';
import { importMendix } from '../../src/import/index.js';
import { type MxObject, setReference, setValue } from '../../src/objects/mx-object.js';
import { writeApp } from '../support/app-folder.js';
import { screenshotPath } from './browser.js';
import { startE2eApp, type E2eApp } from './e2e-app.js';

// In real headless Chromium: the home page of the real Mendix 11.6.6 project of ../shared/fixtures,
// imported, with its images (from the project's image collections) and its Open link buttons; and
// open-link buttons whose address comes from an attribute, one of them a javascript: URL.

/** A 3 x 2 pixel PNG as a data: URL. */
const PIXEL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAEElEQVQImWNQaHCAIAY4CwAz1AVBa53OAwAAAABJRU5ErkJggg==';

const V2 = join(import.meta.dirname, '../../../shared/fixtures/mendix/mxcli-testdata/v2-minimal/minimal.mpr');

/** Waits for the image at `src` to be loaded and returns its natural and shown size. */
async function loaded(page: Page, src: string) {
  const img = page.locator(`img[src="${src}"]`).first();
  await img.waitFor();
  await page.waitForFunction((s) => (document.querySelector(`img[src="${s}"]`) as HTMLImageElement | null)?.complete === true, src);
  return img.evaluate((el: HTMLImageElement) => ({
    natural: el.naturalWidth,
    width: el.getBoundingClientRect().width,
    height: el.getBoundingClientRect().height,
  }));
}

describe('browser client: an imported Mendix home page with images and open-link buttons', { timeout: 180000 }, () => {
  let app: E2eApp;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-imported-e2e-'));
    await importMendix(V2, dir, { check: checkFolder });
    app = await startE2eApp(dir);
  }, 180000);
  afterAll(async () => {
    await app?.close();
  });

  it("shows the project's images at their size and opens the documentation links in a new tab", async () => {
    const { page, context } = app.browser;
    // The documentation site stands in for itself: the test needs no network.
    await context.route('https://docs.mendix.com/**', (r) => r.fulfill({ contentType: 'text/html', body: '<title>Mendix docs</title>' }));
    await page.goto(`${app.url}/`);
    await page.getByRole('heading', { name: 'Define and organize your data' }).waitFor();
    // An icon of 36 x 36 pixels in Mendix, the same here; a picture at its own size; the layout's logo (an SVG).
    const icon = await loaded(page, '/images/MyFirstModule/Images/_1.png');
    expect(icon.natural).toBeGreaterThan(0);
    expect([icon.width, icon.height]).toEqual([36, 36]);
    expect((await loaded(page, '/images/MyFirstModule/Images/DomainModel.png')).natural).toBeGreaterThan(36);
    expect((await loaded(page, '/images/Atlas_Core/Layout/logo.svg')).natural).toBeGreaterThan(0);
    await page.screenshot({ path: screenshotPath('imported-home.png'), fullPage: true });

    const [tab] = await Promise.all([context.waitForEvent('page'), page.getByRole('button', { name: 'Learn more' }).first().click()]);
    await tab.waitForLoadState();
    expect(tab.url()).toBe('https://docs.mendix.com/refguide/modeling/');
    // Opened without a handle back to the app (noopener).
    expect(await tab.evaluate(() => window.opener)).toBeNull();
    await tab.close();
    expect(page.url()).toContain(app.url);
  });
});

describe('browser client: open-link buttons over an attribute', { timeout: 120000 }, () => {
  let app: E2eApp;
  beforeAll(async () => {
    const dir = writeApp({
      'app.yaml': 'name: Links\nmodules: [Shop]\nsecurity: { level: off }\nnavigation: { home: Shop.Suppliers }\n',
      'modules/Shop/domain-model.yaml': 'entities:\n  Supplier:\n    attributes: { Name: String, Website: String(unlimited), Email: String }\n',
      'modules/Shop/pages/Suppliers.yaml': [
        'title: Suppliers',
        'widgets:',
        '  - listView:',
        '      name: suppliers',
        '      source: { xpath: //Shop.Supplier, sort: [Name] }',
        '      widgets:',
        '        - dynamicText: { attribute: Name }',
        '        - button: { caption: Website, action: { openLink: { attribute: Website } } }',
        '        - button: { caption: Mail, action: { openLink: { attribute: Email }, linkType: email } }',
      ].join('\n'),
    });
    app = await startE2eApp(dir);
    const objs: MxObject[] = [];
    for (const [name, site, email] of [
      ['Acme', 'https://acme.example/catalogue', 'sales@acme.example'],
      ['Mallory', 'javascript:window.__pwned=1', 'javascript:window.__pwned=2'],
    ] as const) {
      const o = await createObject(app.model, 'Shop.Supplier', app.ids);
      setValue(o, 'Name', name);
      setValue(o, 'Website', site);
      setValue(o, 'Email', email);
      objs.push(o);
    }
    await app.db.transaction((tx) => commitObjects(tx, app.model, objs));
  }, 120000);
  afterAll(async () => {
    await app?.close();
  });

  it("opens a supplier's website, and refuses a javascript: address with a message", async () => {
    const { page, context } = app.browser;
    await context.route('https://acme.example/**', (r) => r.fulfill({ contentType: 'text/html', body: '<title>Acme</title>' }));
    let tabs = 0;
    context.on('page', () => tabs++);
    await page.goto(`${app.url}/`);
    const item = (name: string) => page.locator('li', { hasText: name });
    await item('Acme').waitFor();
    const [tab] = await Promise.all([context.waitForEvent('page'), item('Acme').getByRole('button', { name: 'Website' }).click()]);
    await tab.waitForLoadState();
    expect(tab.url()).toBe('https://acme.example/catalogue');
    await tab.close();

    for (const button of ['Website', 'Mail']) {
      await item('Mallory').getByRole('button', { name: button }).click();
      const dialog = page.getByRole('alertdialog', { name: 'Error' });
      await dialog.waitFor();
      await expect(dialog.textContent()).resolves.toContain('This link cannot be opened.');
      await dialog.getByRole('button', { name: 'OK' }).click();
      await dialog.waitFor({ state: 'detached' });
    }
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(tabs).toBe(1);
    expect(page.url()).toContain(app.url);
  });
});

describe('browser client: a nanoflow with an error handler that commits through the server', { timeout: 120000 }, () => {
  let app: E2eApp;
  let guid: bigint;
  beforeAll(async () => {
    const dir = writeApp({
      'app.yaml': 'name: Notes\nmodules: [Shop]\nsecurity: { level: off }\nnavigation: { home: Shop.Notes }\n',
      'modules/Shop/domain-model.yaml':
        'entities:\n  Note:\n    attributes: { Title: String, Text: String(unlimited), Picture: String(unlimited) }\n  Folder:\n    attributes: { Name: String }\nassociations:\n  Note_Folder: { parent: Note, child: Folder }\n',
      // A data view over the object the note refers to (Mendix's data view over an association of the enclosing object).
      'modules/Shop/pages/Note_Detail.yaml': [
        'title: Note',
        'popup: true',
        'parameters: { Note: Shop.Note }',
        'widgets:',
        '  - dataView:',
        '      name: note',
        '      source: { parameter: Note }',
        '      widgets:',
        '        - dynamicText: { attribute: Title }',
        '        - dataView: { name: folder, source: { association: Note_Folder }, widgets: [{ textBox: { attribute: Name, label: Folder } }] }',
      ].join('\n'),
      // A JavaScript action that fails, as Mendix's local-storage actions do when the browser refuses them.
      'modules/Shop/javascript/ReadStored.ts': "export default function readStored(): string {\n  throw new Error('storage is not available');\n}\n",
      'modules/Shop/nanoflows/Note_Fill.yaml': [
        'parameters: { Note: Shop.Note }',
        'body:',
        '  - action: { name: ReadStored, into: Stored, returns: String }',
        '    onError:',
        '      customWithoutRollback:',
        '        - change: { object: $Note, set: { Text: "\'nothing stored\'" }, commit: true }',
        '        - return: null',
        '  - change: { object: $Note, set: { Text: $Stored }, commit: true }',
      ].join('\n'),
      'modules/Shop/nanoflows/Note_Skip.yaml': [
        'parameters: { Note: Shop.Note }',
        'body:',
        '  - action: { name: ReadStored, into: Stored, returns: String }',
        '    onError: continue',
        '  - change: { object: $Note, set: { Title: "$Note/Title + \' (checked)\'" } }',
        '  - commit: $Note',
      ].join('\n'),
      'modules/Shop/nanoflows/Note_New.yaml': [
        'returns: Note',
        'body:',
        `  - create: { entity: Shop.Note, set: { Title: "'Draft'", Picture: "'${PIXEL}'" }, into: Note }`,
        '  - return: $Note',
      ].join('\n'),
      // Mendix's nanoflow data source: the data view shows the object the nanoflow returns.
      'modules/Shop/pages/Compose.yaml': [
        'title: Compose',
        'widgets:',
        '  - dataView:',
        '      name: draft',
        '      source: { nanoflow: Note_New }',
        '      widgets: [{ textBox: { attribute: Title, label: Title } }, { textBox: { attribute: Picture, label: Picture } }, { image: { attribute: Picture, alt: Preview } }]',
        '      buttons: [{ caption: Keep, action: save }]',
      ].join('\n'),
      'modules/Shop/pages/Notes.yaml': [
        'title: Notes',
        'widgets:',
        '  - listView:',
        '      name: notes',
        '      source: { xpath: //Shop.Note }',
        '      widgets:',
        '        - dynamicText: { attribute: Title }',
        '        - button: { caption: Fill, action: { nanoflow: Note_Fill } }',
        '        - button: { caption: Check, action: { nanoflow: Note_Skip } }',
        '        - button: { caption: Details, action: { open: Note_Detail } }',
      ].join('\n'),
    });
    app = await startE2eApp(dir);
    const note = await createObject(app.model, 'Shop.Note', app.ids);
    setValue(note, 'Title', 'Groceries');
    const folder = await createObject(app.model, 'Shop.Folder', app.ids);
    setValue(folder, 'Name', 'Home');
    setReference(note, 'Shop.Note_Folder', folder.id);
    await app.db.transaction((tx) => commitObjects(tx, app.model, [note, folder]));
    guid = note.id;
  }, 120000);
  afterAll(async () => {
    await app?.close();
  });

  const stored = async () => (await app.db.query<{ title: string; text: string | null }>('SELECT "title", "text" FROM "shop$note" WHERE "id" = ?', [guid]))[0];

  it('runs the handler when the action fails and saves its change on the server; continue goes on after the failure', async () => {
    const { page } = app.browser;
    await page.goto(`${app.url}/`);
    await page.getByRole('button', { name: 'Fill' }).click();
    await expect.poll(stored).toEqual({ title: 'Groceries', text: 'nothing stored' });
    await page.getByRole('button', { name: 'Check' }).click();
    await expect.poll(stored).toEqual({ title: 'Groceries (checked)', text: 'nothing stored' });
    // Nothing was shown as an error: both failures were handled.
    expect(await page.getByRole('alertdialog').count()).toBe(0);
  });

  it('shows the object the note refers to in a data view over the association, read by its id', async () => {
    const { page } = app.browser;
    await page.goto(`${app.url}/`);
    await page.getByRole('button', { name: 'Details' }).click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.getByLabel('Folder').inputValue()).toBe('Home');
    await dialog.getByRole('button', { name: 'Close dialog' }).click();
  });

  it('shows the object a nanoflow data source makes, and saves it', async () => {
    const { page } = app.browser;
    await page.goto(`${app.url}/#/Shop.Compose`);
    const title = page.getByLabel('Title');
    await expect.poll(() => title.inputValue()).toBe('Draft');
    // The picture kept in the object as a data: URL (Mendix's image from a URL), 3 x 2 pixels.
    const preview = page.getByRole('img', { name: 'Preview' });
    await page.waitForFunction(() => (document.querySelector('img[alt="Preview"]') as HTMLImageElement | null)?.naturalWidth === 3);
    // A value that is no image as data is not shown at all (no request to another site, no script).
    await page.getByLabel('Picture').fill('javascript:alert(1)');
    await preview.waitFor({ state: 'detached' });
    await page.getByLabel('Picture').fill(PIXEL);
    await preview.waitFor();
    await title.fill('Birthday list');
    await page.getByRole('button', { name: 'Keep' }).click();
    const titles = async () => (await app.db.query<{ title: string }>('SELECT "title" FROM "shop$note" ORDER BY "id"', [])).map((r) => r.title);
    await expect.poll(titles).toEqual(['Groceries (checked)', 'Birthday list']);
  });
});
