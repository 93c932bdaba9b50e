import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { buildRegistry, registryCheck } from '../../src/client-api/registry/index.js';
import { commitObjects, createObject } from '../../src/data/index.js';
import { formatDiagnostic, loadModel } from '../../src/model/index.js';
import { userContextFor } from '../../src/security/contexts.js';
import { buildClientPage } from '../../src/web-client/build-page.js';
import { ConditionTable } from '../../src/web-client/conditions.js';
import { resolveLanguage } from '../../src/web-client/language.js';
import { buildNavigation } from '../../src/web-client/navigation.js';
import type { ClientDataView, ClientPage, ClientTabContainer, ClientWidget } from '../../src/web-client/page-definition.js';
import { startApp, type AppUnderTest } from '../client-api/harness.js';
import { ROOT } from '../support/cli.js';

// Page definitions of examples/sales with its layout, tabbed order page, snippet,
// conditions and two languages; and the runtime refusing what a hidden widget would run.

async function load() {
  const { model, diagnostics } = await loadModel(join(ROOT, 'examples', 'sales'), { checks: [registryCheck] });
  expect(diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([]);
  return { model: model!, registry: buildRegistry(model!), conditions: ConditionTable.compile(model!, []) };
}
const user = (model: Parameters<typeof userContextFor>[0], roles: string[]) =>
  userContextFor(model, { userId: 1n, userName: 'u', userEntity: 'System.User', userRoles: roles, anonymous: false, sessionId: 's', sessionObjectId: 2n });

/** Every widget of a tree, depth first. */
function all(widgets: readonly ClientWidget[]): ClientWidget[] {
  return widgets.flatMap((w) => {
    const inner =
      'widgets' in w
        ? all(w.widgets)
        : w.type === 'tabContainer'
          ? w.tabs.flatMap((t) => all(t.widgets))
          : w.type === 'layoutGrid'
            ? w.rows.flatMap((r) => r.columns.flatMap((c) => all(c.widgets)))
            : [];
    return [w, ...inner];
  });
}
const orderTabs = (p: ClientPage) => (p.widgets[0] as ClientDataView).widgets[0] as ClientTabContainer;

describe('page definitions: layouts, snippets, conditions, translations', () => {
  it("puts full pages in the app's default layout with its navigation and placeholder; pop-ups stay bare", async () => {
    const { model, registry, conditions } = await load();
    const mgr = user(model, ['SalesManager']);
    const overview = buildClientPage(model, registry, model.pages.get('Sales.Order_Overview')!, mgr, conditions);
    expect(overview.layout?.name).toBe('Sales.Main');
    expect(all(overview.layout!.widgets).map((w) => w.type)).toEqual([
      'layoutGrid',
      'container',
      'navigationTree',
      'languageSelector',
      'sidebarToggle',
      'placeholder',
    ]);
    // The column holding the vertical menu is the sidebar the toggle controls.
    expect(all(overview.layout!.widgets).find((w) => w.type === 'layoutGrid')).toMatchObject({
      rows: [
        {
          columns: [
            { weight: 2, tabletWeight: 3, phoneWeight: 12, sidebar: 'layout-sidebar-1' },
            { weight: 10, tabletWeight: 9, phoneWeight: 12 },
          ],
        },
      ],
    });
    expect(all(overview.layout!.widgets).find((w) => w.type === 'sidebarToggle')).toEqual({ type: 'sidebarToggle', controls: ['layout-sidebar-1'] });
    expect(buildClientPage(model, registry, model.pages.get('Sales.Order_Edit')!, mgr, conditions).layout).toBeUndefined();
  });

  it('leaves out tabs and buttons visible only to other roles, and runs their operations only for those roles', async () => {
    const { model, registry, conditions } = await load();
    const asManager = buildClientPage(model, registry, model.pages.get('Sales.Order_Edit')!, user(model, ['SalesManager']), conditions);
    const asCustomer = buildClientPage(model, registry, model.pages.get('Sales.Order_Edit')!, user(model, ['Customer']), conditions);
    expect(orderTabs(asManager).tabs.map((t) => t.caption)).toEqual(['General', 'Summary', 'Notes']);
    expect(orderTabs(asCustomer).tabs.map((t) => t.caption)).toEqual(['General', 'Summary']);
    const confirm = (asManager.widgets[0] as ClientDataView).buttons.find((b) => b.caption === 'Confirm')!;
    expect(confirm.visible).toEqual({ attribute: 'Status', values: ['Draft'] });
    expect((asCustomer.widgets[0] as ClientDataView).buttons.map((b) => b.caption)).toEqual(['Save', 'Cancel']);
    // The microflow allows Manager and Customer; the button's operation only the Manager.
    expect(model.microflows.get('Sales.Order_Confirm')!.allowedRoles).toEqual(['Sales.Manager', 'Sales.Customer']);
    const op = registry.forPath('Sales.Order_Edit', 'widgets/0/dataView/buttons/2')!;
    expect([op.type, op.allowedRoles]).toEqual(['callMicroflow', ['Sales.Manager']]);
    // The order's retrieve reads what the conditions look at.
    expect(registry.forWidget('Sales.Order_Edit', 'orderView')!).toMatchObject({ attributes: expect.arrayContaining(['Status', 'Total']) });
  });

  it('sends conditions compiled for the browser, conditional editability, and a snippet instantiated on the order', async () => {
    const { model, registry, conditions } = await load();
    const page = buildClientPage(model, registry, model.pages.get('Sales.Order_Edit')!, user(model, ['SalesManager']), conditions);
    const general = all(orderTabs(page).tabs[0]!.widgets);
    expect(general.find((w) => w.type === 'staticText')!.visible).toEqual({
      expr: {
        op: '>',
        args: [
          { op: 'attr', name: 'Total' },
          { op: 'lit', value: 500 },
        ],
      },
    });
    expect(general.find((w) => w.type === 'numberInput')).toMatchObject({ attribute: 'Total', editable: { attribute: 'Status', values: ['Draft'] } });
    const summary = all(orderTabs(page).tabs[1]!.widgets);
    expect(summary.map((w) => w.type)).toEqual(['container', 'scrollContainer', 'container', 'dynamicText', 'dynamicText', 'dynamicText', 'staticText']);
    expect(summary.filter((w) => w.type === 'dynamicText').map((w) => 'attribute' in w && w.attribute)).toEqual(['Number', 'Status', 'Total']);
    const notes = all(orderTabs(page).tabs[2]!.widgets);
    expect(notes[0]).toMatchObject({ type: 'groupBox', caption: 'Internal', collapsible: true, collapsed: true });
  });

  it('translates titles, captions, labels and the menu into the requested language', async () => {
    const { model, registry, conditions } = await load();
    const mgr = user(model, ['SalesManager']);
    const nl = buildClientPage(model, registry, model.pages.get('Sales.Order_Edit')!, mgr, conditions, 'nl_NL');
    expect(nl.title).toBe('Bestelling');
    expect(orderTabs(nl).tabs.map((t) => t.caption)).toEqual(['Algemeen', 'Overzicht', 'Notities']);
    expect((nl.widgets[0] as ClientDataView).buttons.map((b) => b.caption)).toEqual(['Opslaan', 'Annuleren', 'Bevestigen']);
    expect(all(orderTabs(nl).tabs[0]!.widgets).flatMap((w) => ('label' in w ? [w.label] : []))).toEqual(['Besteldatum', 'Status', 'Totaal', 'Klant']);
    const nav = buildNavigation(model, mgr, null, 'nl_NL');
    expect(nav.menu.map((m) => m.caption)).toEqual(['Bestellingen', 'Klanten', 'Orderregels', 'Producten']);
    expect([nav.languages, nav.textLanguage]).toEqual([['en_US', 'nl_NL'], 'nl_NL']);
    expect(buildNavigation(model, mgr, null, 'en_US').menu.map((m) => m.caption)).toEqual(['Orders', 'Customers', 'Order lines', 'Products']);
  });

  it("chooses the language: the selector's choice, the user's, the browser's, the default", () => {
    const langs = ['en_US', 'nl_NL'];
    expect(resolveLanguage(langs, 'nl_NL', 'en_US', 'en')).toBe('nl_NL');
    expect(resolveLanguage(langs, 'xx_XX', 'nl_NL', 'en')).toBe('nl_NL');
    expect(resolveLanguage(langs, undefined, null, 'de-DE,nl;q=0.8,en;q=0.5')).toBe('nl_NL');
    expect(resolveLanguage(langs, undefined, null, 'en-GB')).toBe('en_US');
    expect(resolveLanguage(langs, undefined, null, 'fr-FR')).toBe('en_US');
    expect(resolveLanguage(langs, undefined, null, undefined)).toBe('en_US');
    expect(resolveLanguage([], 'nl_NL', null, 'nl')).toBeNull();
  });
});

describe.each(['sqlite', 'postgres', 'mysql'] as const)('the runtime serving pages with layouts, languages and a theme (%s)', { timeout: 60000 }, (dialect) => {
  let app: AppUnderTest;
  let order: string;
  beforeAll(async () => {
    app = await startApp('sales', dialect, [
      { name: 'cust', password: 'Customer-1', roles: ['Customer'] },
      { name: 'mgr', password: 'Manager-12', roles: ['SalesManager'] },
    ]);
    const model = app.runtime.ctx.model;
    const o = await createObject(model, 'Sales.Order', app.ids);
    o.values.set('Total', new Decimal('10.50'));
    o.values.set('Status', 'Draft');
    await app.db.transaction((tx) => commitObjects(tx, model, [o]));
    order = o.id.toString();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('refuses a customer the operation of a button only managers see, which a manager may run', async () => {
    const hidden = app.registry.forPath('Sales.Order_Edit', 'widgets/0/dataView/buttons/2')!;
    const cust = app.client();
    await cust.login('cust', 'Customer-1');
    const refused = await cust.op(hidden.id, { params: { Order: { guid: order } } });
    expect([refused.status, refused.body]).toEqual([403, { error: 'not allowed' }]);
    const mgr = app.client();
    await mgr.login('mgr', 'Manager-12');
    const ok = await mgr.op(hidden.id, { params: { Order: { guid: order } } });
    expect(ok.status).toBe(200);
    const status = await app.db.query<{ status: unknown }>('SELECT "status" FROM "sales$order"', []);
    expect(status[0]!.status).toBe('Confirmed');
  });

  it("stores a language selector's choice as the user's System.User_Language, with the session's CSRF token", async () => {
    const codes = await app.db.query<{ code: unknown }>('SELECT "code" FROM "system$language" ORDER BY "code"', []);
    expect(codes.map((c) => c.code)).toEqual(['en_US', 'nl_NL']);
    const anon = app.client();
    expect((await anon.send('POST', '/pages/_language', { language: 'nl_NL' })).status).toBe(401);
    const cust = app.client();
    await cust.login('cust', 'Customer-1');
    expect((await cust.send('POST', '/pages/_language', { language: 'nl_NL' })).status).toBe(403);
    const csrf = { 'x-csrf-token': cust.csrf };
    const bad = await cust.send('POST', '/pages/_language', { language: 'de_DE' }, csrf);
    expect([bad.status, JSON.parse(bad.text).error]).toEqual([400, `unknown language "de_DE": the app's languages are en_US, nl_NL`]);
    expect((await cust.send('POST', '/pages/_language', { language: 'nl_NL', pad: 'x'.repeat(2000) }, csrf)).status).toBe(413);
    expect((await cust.send('POST', '/pages/_language', { language: 'nl_NL' }, csrf)).status).toBe(204);
    // Without a choice in the request, the stored language wins over the browser's.
    const nav = JSON.parse((await cust.get('/pages/_navigation.json', { 'accept-language': 'en-US' })).text) as { language: string; textLanguage: string };
    expect([nav.language, nav.textLanguage]).toEqual(['nl_NL', 'nl_NL']);
    expect((JSON.parse((await cust.get('/pages/Sales.Order_Edit.json')).text) as ClientPage).title).toBe('Bestelling');
    // Chosen again: one reference, the new one.
    expect((await cust.send('POST', '/pages/_language', { language: 'en_US' }, csrf)).status).toBe(204);
    expect((JSON.parse((await cust.get('/pages/_navigation.json')).text) as { language: string }).language).toBe('en_US');
    expect((await app.db.query('SELECT * FROM "system$user_language"', [])).length).toBe(1);
  });

  it('answers texts in the chosen, then the browser language, and serves the theme after the client styles', async () => {
    const mgr = app.client();
    await mgr.login('mgr', 'Manager-12');
    const nl = await mgr.get('/pages/Sales.Order_Edit.json', { 'accept-language': 'nl-NL,nl;q=0.9' });
    expect(nl.status).toBe(200);
    expect((JSON.parse(nl.text) as ClientPage).title).toBe('Bestelling');
    expect(nl.headers.get('vary')).toContain('Accept-Language');
    const en = await mgr.get('/pages/Sales.Order_Edit.json?lang=en_US', { 'accept-language': 'nl-NL' });
    expect((JSON.parse(en.text) as ClientPage).title).toBe('Order');
    const nav = JSON.parse((await mgr.get('/pages/_navigation.json?lang=nl_NL')).text) as { menu: { caption: string }[]; textLanguage: string };
    expect([nav.textLanguage, nav.menu.map((m) => m.caption)]).toEqual(['nl_NL', ['Bestellingen', 'Klanten', 'Orderregels', 'Producten']]);
    const theme = await mgr.get('/theme.css');
    expect([theme.status, theme.headers.get('content-type')]).toEqual([200, 'text/css; charset=utf-8']);
    expect(theme.text).toContain('--primary: #0b6e4f');
    const shell = await mgr.get('/');
    expect(shell.text).toMatch(/<link rel="stylesheet"[^>]*assets\/[^>]*>.*<link rel="stylesheet" href="\/theme.css"><\/head>/s);
  });
});
