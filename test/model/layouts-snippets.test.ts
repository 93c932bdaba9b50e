import { describe, expect, it } from 'vitest';
import { modelChecks } from '../../src/app/model-checks.js';
import { formatDiagnostic, loadModel } from '../../src/model/index.js';
import { writeApp } from '../support/app-folder.js';

// kiln check on layouts, snippets and conditions: each mistake a person makes is
// reported with its file, line and path (and column inside an expression).

const APP = 'name: T\nmodules: [Shop]\nsecurity:\n  level: production\n  userRoles: { U: [Shop.User], B: [Shop.Boss] }\n';
const DOMAIN = [
  'moduleRoles: [User, Boss]',
  'enumerations:',
  '  State: { Open: Open, Closed: Closed }',
  'entities:',
  '  Order:',
  '    attributes: { Total: Decimal, State: Enumeration(State), Note: String }',
  '    access: [{ roles: [User, Boss], read: "*", write: "*", create: true }]',
  '  Customer:',
  '    attributes: { Name: String }',
  '    access: [{ roles: [User, Boss], read: "*" }]',
].join('\n');
const LAYOUT = 'widgets:\n  - navigationTree: {}\n  - placeholder: { name: main }\n  - placeholder: { name: header }\n';

async function check(files: Record<string, string>): Promise<string[]> {
  const { diagnostics } = await loadModel(writeApp({ 'app.yaml': APP, 'modules/Shop/domain-model.yaml': DOMAIN, ...files }), { checks: modelChecks() });
  return diagnostics.map(formatDiagnostic);
}

describe('kiln check: layouts and snippets', () => {
  it('accepts a page in a layout that fills a placeholder, with a snippet given the right object', async () => {
    const out = await check({
      'app.yaml': `${APP}languages: [en_US, nl_NL]\n`,
      'modules/Shop/layouts/Main.yaml': LAYOUT,
      'modules/Shop/snippets/Card.yaml':
        'parameters: { Order: Shop.Order }\nwidgets:\n  - dataView: { name: card, source: { parameter: Order }, widgets: [{ dynamicText: Total }] }\n',
      'modules/Shop/pages/P.yaml': [
        'title: { en_US: Orders, nl_NL: Bestellingen }',
        'allowedRoles: [User]',
        'layout: Main',
        'parameters: { Order: Shop.Order }',
        'placeholders: { header: [{ staticText: Hello }] }',
        'widgets:',
        '  - snippetCall: { snippet: Card, parameters: { Order: $Order } }',
        '  - dataView:',
        '      name: v',
        '      source: { parameter: Order }',
        '      widgets: [{ snippetCall: { snippet: Shop.Card, parameters: { Order: $currentObject } } }]',
      ].join('\n'),
    });
    expect(out).toEqual([]);
  });

  it('accepts fixed menus of pages in a layout, and names a page they link that does not exist', async () => {
    const out = await check({
      'modules/Shop/layouts/Main.yaml': `${LAYOUT}  - menuBar: { items: [{ caption: Home, page: Home }] }\n  - navigationList: { items: [{ caption: Gone, page: Shop.Gone }] }\n`,
      'modules/Shop/pages/Home.yaml': 'title: Home\nlayout: Main\nwidgets: []\n',
    });
    expect(out).toEqual(["modules/Shop/layouts/Main.yaml:6 widgets.4.navigationList.items.0.page: unknown page 'Shop.Gone'"]);
  });

  it('accepts a sidebar toggle in a layout with a sidebar; refuses one in a layout without, or outside a layout', async () => {
    const sidebar = [
      'widgets:',
      '  - sidebarToggle: {}',
      '  - layoutGrid:',
      '      rows:',
      '        - columns:',
      '            - { weight: 2, widgets: [{ container: { widgets: [{ navigationTree: {} }] } }] }',
      '            - { weight: 10, widgets: [{ placeholder: { name: main } }] }',
      '',
    ].join('\n');
    expect(await check({ 'modules/Shop/layouts/Main.yaml': sidebar })).toEqual([]);
    // A horizontal menu, or one in no grid column, is no sidebar to collapse.
    const topBar = 'widgets:\n  - navigationTree: { orientation: horizontal }\n  - sidebarToggle: {}\n  - placeholder: { name: main }\n';
    expect(await check({ 'modules/Shop/layouts/Main.yaml': topBar, 'modules/Shop/layouts/Bare.yaml': `${LAYOUT}  - sidebarToggle: {}\n` })).toEqual([
      'modules/Shop/layouts/Bare.yaml:5 widgets.3.sidebarToggle: a sidebar toggle collapses the sidebar of its layout, and this layout has none (a layout grid column holding a vertical navigationTree)',
      'modules/Shop/layouts/Main.yaml:3 widgets.1.sidebarToggle: a sidebar toggle collapses the sidebar of its layout, and this layout has none (a layout grid column holding a vertical navigationTree)',
    ]);
    expect(await check({ 'modules/Shop/pages/P.yaml': 'title: P\nwidgets:\n  - sidebarToggle: {}\n' })).toEqual([
      'modules/Shop/pages/P.yaml:3 widgets.0.sidebarToggle: a sidebar toggle belongs in a layout',
    ]);
  });

  it('reports unknown layouts, placeholders and snippets, missing main, data widgets in layouts', async () => {
    const out = await check({
      'app.yaml': `${APP}navigation: { layout: Shop.Nope }\n`,
      'modules/Shop/layouts/Main.yaml': LAYOUT,
      'modules/Shop/layouts/Bare.yaml': 'widgets:\n  - dataGrid: { name: g, source: { xpath: //Shop.Order }, columns: [Total] }\n',
      'modules/Shop/pages/A.yaml': 'title: A\nlayout: Shop.Missing\nwidgets: []\n',
      'modules/Shop/pages/B.yaml': 'title: B\nlayout: Main\nplaceholders: { footer: [] }\nwidgets:\n  - placeholder: { name: x }\n',
      'modules/Shop/pages/C.yaml': 'title: C\nwidgets:\n  - snippetCall: { snippet: Ghost }\n',
    });
    expect(out).toEqual(
      expect.arrayContaining([
        "app.yaml:6 navigation.layout: unknown layout 'Shop.Nope' (known: Shop.Bare, Shop.Main)",
        "modules/Shop/layouts/Bare.yaml:2 widgets.0.dataGrid: a layout holds navigation, placeholders, texts, static images, containers and buttons that open pages or links; 'dataGrid' belongs in a page",
        "modules/Shop/layouts/Bare.yaml:2 widgets: layout Shop.Bare has no placeholder named 'main' (where pages put their widgets)",
        "modules/Shop/pages/A.yaml:2 layout: unknown layout 'Shop.Missing' (known: Shop.Bare, Shop.Main)",
        "modules/Shop/pages/B.yaml:3 placeholders.footer: layout Shop.Main has no placeholder 'footer' (known: header)",
        'modules/Shop/pages/B.yaml:5 widgets.0.placeholder: a placeholder belongs in a layout',
        "modules/Shop/pages/C.yaml:3 widgets.0.snippetCall.snippet: unknown snippet 'Ghost'",
      ]),
    );
  });

  it('reports snippet arguments of the wrong entity, missing or unknown ones, and a snippet calling itself', async () => {
    const out = await check({
      'modules/Shop/snippets/Card.yaml': 'parameters: { Order: Shop.Order }\nwidgets:\n  - snippetCall: { snippet: Card, parameters: { Order: $Order } }\n',
      'modules/Shop/pages/P.yaml': [
        'title: P',
        'parameters: { Customer: Shop.Customer }',
        'widgets:',
        '  - snippetCall: { snippet: Card, parameters: { Order: $Customer } }',
        '  - snippetCall: { snippet: Card }',
        '  - snippetCall: { snippet: Card, parameters: { Order: $currentObject } }',
        '  - snippetCall: { snippet: Card, parameters: { Order: $Nobody, Extra: $Customer } }',
      ].join('\n'),
    });
    expect(out).toEqual(
      expect.arrayContaining([
        "modules/Shop/pages/P.yaml:4 widgets.0.snippetCall.parameters.Order: parameter type mismatch: snippet Shop.Card expects Shop.Order for 'Order', $Customer is a Shop.Customer",
        "modules/Shop/pages/P.yaml:5 widgets.1.snippetCall.parameters: the call of snippet Shop.Card must pass its parameter 'Order' (Shop.Order): $currentObject or a page parameter",
        'modules/Shop/pages/P.yaml:6 widgets.2.snippetCall.parameters.Order: $currentObject: the call of snippet Shop.Card is not inside a data view, list view or grid',
        "modules/Shop/pages/P.yaml:7 widgets.3.snippetCall.parameters.Order: unknown page parameter '$Nobody' (use $currentObject or one of: Customer)",
        "modules/Shop/pages/P.yaml:7 widgets.3.snippetCall.parameters.Extra: snippet Shop.Card has no parameter 'Extra' (known: Order)",
      ]),
    );
    const cycle = await check({
      'modules/Shop/snippets/Card.yaml': 'parameters: { Order: Shop.Order }\nwidgets:\n  - snippetCall: { snippet: Card, parameters: { Order: $Order } }\n',
      'modules/Shop/pages/P.yaml': 'title: P\nparameters: { Order: Shop.Order }\nwidgets:\n  - snippetCall: { snippet: Card, parameters: { Order: $Order } }\n',
    });
    expect(cycle).toContain('modules/Shop/snippets/Card.yaml:3 widgets.0.snippetCall.snippet: snippet Shop.Card calls itself (through Shop.Card)');
  });

  it('reports errors inside a snippet at their place in the snippet file', async () => {
    const out = await check({
      'modules/Shop/snippets/Card.yaml':
        'parameters: { Order: Shop.Order }\nwidgets:\n  - dataView:\n      name: v\n      source: { parameter: Order }\n      widgets: [{ textBox: { attribute: Missing } }]\n',
      'modules/Shop/pages/P.yaml': 'title: P\nparameters: { Order: Shop.Order }\nwidgets:\n  - snippetCall: { snippet: Card, parameters: { Order: $Order } }\n',
    });
    expect(out).toEqual(["modules/Shop/snippets/Card.yaml:6 widgets.0.dataView.widgets.0.textBox.attribute: unknown attribute 'Missing' of Shop.Order"]);
  });
});

describe('kiln check: conditional visibility and editability', () => {
  it('reports expressions that do not type-check or that the browser cannot evaluate, at their column', async () => {
    const page = (cond: string) => ({
      'modules/Shop/pages/P.yaml': `title: P\nparameters: { Order: Shop.Order }\nwidgets:\n  - dataView:\n      name: v\n      source: { parameter: Order }\n      widgets:\n        - textBox: { attribute: Note, ${cond} }\n`,
    });
    expect(await check(page('visible: { expression: "$currentObject/Total > 10 and $currentObject/State = Shop.State.Open" }'))).toEqual([]);
    expect(await check(page('visible: { expression: "$currentObject/Totl > 1" }'))).toEqual([
      expect.stringMatching(
        /^modules\/Shop\/pages\/P\.yaml:8:\d+ widgets\.0\.dataView\.widgets\.0\.textBox\.visible\.expression: visibility expression: .*Totl/,
      ),
    ]);
    expect(await check(page('visible: { expression: "length($currentObject/Note) > 3" }'))).toEqual([
      expect.stringMatching(/P\.yaml:8:\d+ .*visible\.expression: visibility expression: the function length is not evaluated in the browser/),
    ]);
    expect(await check(page('editable: { expression: "$currentObject/Total" }'))).toEqual([
      expect.stringMatching(/editable\.expression: visibility expression: .*Boolean/),
    ]);
    expect(await check(page('visible: { attribute: State, values: [Open, Shut] }'))).toEqual([
      "modules/Shop/pages/P.yaml:8 widgets.0.dataView.widgets.0.textBox.visible.values.1: 'Shut' is not a value of State (Open, Closed)",
    ]);
    expect(await check(page('visible: { attribute: Note, values: [x] }'))).toEqual([
      'modules/Shop/pages/P.yaml:8 widgets.0.dataView.widgets.0.textBox.visible.attribute: a condition by attribute value needs an Enumeration or Boolean attribute; Note is String',
    ]);
    expect(await check(page('visible: { roles: [Chief] }'))).toEqual([
      "modules/Shop/pages/P.yaml:8 widgets.0.dataView.widgets.0.textBox.visible.roles.0: unknown module role 'Chief'",
    ]);
  });
});

describe('kiln check: texts per language', () => {
  it("refuses languages the app does not name, warns of a missing one, and wants app.yaml's languages", async () => {
    const page = 'title: { en_US: Orders, nl_NL: Bestellingen }\nwidgets:\n  - staticText: { text: { en_US: Hello, de_DE: Hallo } }\n';
    expect(await check({ 'app.yaml': `${APP}languages: [en_US, nl_NL]\n`, 'modules/Shop/pages/P.yaml': page })).toEqual([
      "modules/Shop/pages/P.yaml:3 widgets.0.staticText.text.de_DE: 'de_DE' is not one of the app's languages (en_US, nl_NL)",
      'modules/Shop/pages/P.yaml:3 widgets.0.staticText.text: warning: no nl_NL text (the en_US text is shown instead)',
    ]);
    expect(await check({ 'modules/Shop/pages/P.yaml': page })).toEqual(
      expect.arrayContaining(["modules/Shop/pages/P.yaml:1 title: a text per language needs the app's languages: add languages: [...] to app.yaml"]),
    );
  });
});
