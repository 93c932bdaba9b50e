import { describe, expect, it } from 'vitest';
import { modelChecks } from '../../src/app/model-checks.js';
import { buildRegistry } from '../../src/client-api/registry/index.js';
import { formatDiagnostic, loadModel } from '../../src/model/index.js';
import { linkUrl } from '../../src/model/link-address.js';
import { userContextFor } from '../../src/security/contexts.js';
import { buildClientPage } from '../../src/web-client/build-page.js';
import type { ClientButtonWidget, ClientDataView, ClientImage } from '../../src/web-client/page-definition.js';
import { writeApp } from '../support/app-folder.js';

// Open-link buttons (Mendix's Open link action) and static images in layouts: what kiln check
// refuses, what the page definition carries, and the address check the browser runs too.

const APP = 'name: T\nmodules: [Shop]\nsecurity:\n  level: production\n  userRoles: { U: [Shop.User], B: [Shop.Boss] }\n';
const DOMAIN = [
  'moduleRoles: [User, Boss]',
  'entities:',
  '  Supplier:',
  '    attributes: { Name: String, Website: String, Email: String, Rating: Integer }',
  '    access:',
  '      - { roles: [Boss], read: "*", write: "*", create: true }',
  '      - { roles: [User], read: [Name] }',
].join('\n');

async function load(files: Record<string, string>) {
  const { model, diagnostics } = await loadModel(writeApp({ 'app.yaml': APP, 'modules/Shop/domain-model.yaml': DOMAIN, ...files }), { checks: modelChecks() });
  return { model, errors: diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic) };
}

describe('open link: the address', () => {
  it('opens http and https addresses, and puts https in front of one without a scheme', () => {
    expect(linkUrl('web', 'https://docs.mendix.com/refguide/')).toEqual({ url: 'https://docs.mendix.com/refguide/' });
    expect(linkUrl('web', ' http://example.com/a b ')).toEqual({ url: 'http://example.com/a%20b' });
    expect(linkUrl('web', 'www.mendix.com')).toEqual({ url: 'https://www.mendix.com/' });
  });

  it('never gives a script, data or other-scheme URL, however it is spelled', () => {
    for (const bad of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'java\tscript:alert(1)',
      ' \u0001javascript:alert(1)',
      'data:text/html,<script>1</script>',
      'vbscript:x',
      'file:///etc/passwd',
    ])
      expect(linkUrl('web', bad)).toHaveProperty('error');
    expect(linkUrl('web', '')).toEqual({ error: 'the address is empty' });
    expect(linkUrl('email', 'javascript:alert(1)')).toHaveProperty('error');
    expect(linkUrl('call', 'javascript:alert(1)')).toHaveProperty('error');
  });

  it('makes mailto:, tel: and sms: links of e-mail addresses and phone numbers', () => {
    expect(linkUrl('email', 'info@example.com')).toEqual({ url: 'mailto:info@example.com' });
    expect(linkUrl('email', 'mailto:info@example.com')).toEqual({ url: 'mailto:info@example.com' });
    expect(linkUrl('email', 'info@example.com?bcc=someone@else.com')).toHaveProperty('error');
    expect(linkUrl('call', '+31 (0)10 123-4567')).toEqual({ url: 'tel:+310101234567' });
    expect(linkUrl('text', 'tel:+31101234567')).toHaveProperty('error');
    expect(linkUrl('text', '+31101234567')).toEqual({ url: 'sms:+31101234567' });
  });
});

describe('open link: kiln check and the page definition', () => {
  it('refuses an unsafe fixed address, a non-String address attribute and an attribute outside a data widget, each at its place', async () => {
    const { errors } = await load({
      'modules/Shop/pages/P.yaml': [
        'title: P',
        'parameters: { Supplier: Shop.Supplier }',
        'widgets:',
        '  - button: { caption: Evil, action: { openLink: "javascript:alert(document.cookie)" } }',
        '  - button: { caption: Mail, action: { openLink: not-an-address, linkType: email } }',
        '  - button: { caption: Site, action: { openLink: { attribute: Website } } }',
        '  - dataView:',
        '      name: v',
        '      source: { parameter: Supplier }',
        '      widgets: [{ button: { caption: Rate, action: { openLink: { attribute: Rating } } } }]',
      ].join('\n'),
    });
    expect(errors).toEqual([
      'modules/Shop/pages/P.yaml:4 widgets.0.button.action.openLink: open link: only http and https addresses are opened, not javascript:',
      "modules/Shop/pages/P.yaml:5 widgets.1.button.action.openLink: open link: 'not-an-address' is not an e-mail address",
      'modules/Shop/pages/P.yaml:6 widgets.2.button.action.openLink.attribute: a link from an attribute must be inside a data view, list view or data grid',
      "modules/Shop/pages/P.yaml:10 widgets.3.dataView.widgets.0.button.action.openLink.attribute: the address attribute 'Rating' is Integer, not String",
    ]);
  });

  it('sends the checked URL of a fixed address, and an attribute address only to users who may read it', async () => {
    const { model, errors } = await load({
      'modules/Shop/pages/P.yaml': [
        'title: P',
        'allowedRoles: [User, Boss]',
        'parameters: { Supplier: Shop.Supplier }',
        'widgets:',
        '  - button: { caption: Docs, action: { openLink: docs.mendix.com/refguide } }',
        '  - button: { caption: Call us, action: { openLink: "+31 10 123 4567", linkType: call } }',
        '  - dataView:',
        '      name: v',
        '      source: { parameter: Supplier }',
        '      widgets: [{ button: { caption: Website, action: { openLink: { attribute: Website } } } }]',
      ].join('\n'),
    });
    expect(errors).toEqual([]);
    const registry = buildRegistry(model!);
    const as = (roles: string[]) =>
      buildClientPage(
        model!,
        registry,
        model!.pages.get('Shop.P')!,
        userContextFor(model!, {
          userId: 1n,
          userName: 'u',
          userEntity: 'System.User',
          userRoles: roles,
          anonymous: false,
          sessionId: 's',
          sessionObjectId: 2n,
        }),
      );
    const boss = as(['B']);
    expect(boss.widgets.slice(0, 2).map((w) => (w as ClientButtonWidget).button.action)).toEqual([
      { kind: 'openLink', linkType: 'web', url: 'https://docs.mendix.com/refguide' },
      { kind: 'openLink', linkType: 'call', url: 'tel:+31101234567' },
    ]);
    expect((boss.widgets[2] as ClientDataView).widgets).toEqual([
      {
        type: 'button',
        button: { caption: 'Website', action: { kind: 'openLink', linkType: 'web', attribute: 'Website' }, style: 'default', needsObject: true },
      },
    ]);
    // A user who may not read Website gets no button (and so never the address).
    expect((as(['U']).widgets[2] as ClientDataView).widgets).toEqual([]);
  });

  it('refuses an image from an attribute that is not a String or outside a data widget, and sends it only to who may read it', async () => {
    const { model, errors } = await load({
      'modules/Shop/pages/Bad.yaml':
        'title: Bad\nparameters: { Supplier: Shop.Supplier }\nwidgets:\n  - image: { attribute: Website }\n  - dataView: { name: v, source: { parameter: Supplier }, widgets: [{ image: { attribute: Rating } }] }\n',
    });
    expect(errors).toEqual([
      'modules/Shop/pages/Bad.yaml:4 widgets.0.image.attribute: an image from an attribute must be inside a data view, list view or data grid',
      "modules/Shop/pages/Bad.yaml:5 widgets.1.dataView.widgets.0.image.attribute: an image's attribute must be a String (a data: URL); 'Rating' is Integer",
    ]);
    const ok = await load({
      'modules/Shop/pages/P.yaml':
        'title: P\nallowedRoles: [User, Boss]\nparameters: { Supplier: Shop.Supplier }\nwidgets:\n  - dataView: { name: v, source: { parameter: Supplier }, widgets: [{ image: { attribute: Website, alt: Logo } }] }\n',
    });
    expect(ok.errors).toEqual([]);
    const as = (roles: string[]) =>
      buildClientPage(
        ok.model!,
        buildRegistry(ok.model!),
        ok.model!.pages.get('Shop.P')!,
        userContextFor(ok.model!, {
          userId: 1n,
          userName: 'u',
          userEntity: 'System.User',
          userRoles: roles,
          anonymous: false,
          sessionId: 's',
          sessionObjectId: 2n,
        }),
      );
    expect((as(['B']).widgets[0] as ClientDataView).widgets).toEqual([{ type: 'image', attribute: 'Website', alt: 'Logo', thumbnail: false }]);
    expect((as(['U']).widgets[0] as ClientDataView).widgets).toEqual([]);
    expect(model).toBeUndefined();
  });

  it('lets a layout hold a static image (a logo) and a fixed link, not an object image', async () => {
    const page = 'title: P\nlayout: Main\nwidgets: []\n';
    const ok = await load({
      'modules/Shop/layouts/Main.yaml':
        'widgets:\n  - image: { src: Shop/logo.svg, alt: Logo, height: 32 }\n  - button: { caption: Help, action: { openLink: "https://example.com/help" } }\n  - placeholder: { name: main }\n',
      'modules/Shop/pages/P.yaml': page,
    });
    expect(ok.errors).toEqual([]);
    const def = buildClientPage(
      ok.model!,
      buildRegistry(ok.model!),
      ok.model!.pages.get('Shop.P')!,
      userContextFor(ok.model!, {
        userId: 1n,
        userName: 'u',
        userEntity: 'System.User',
        userRoles: ['B'],
        anonymous: false,
        sessionId: 's',
        sessionObjectId: 2n,
      }),
    );
    expect(def.layout!.widgets[0] as ClientImage).toEqual({ type: 'image', src: '/images/Shop/logo.svg', alt: 'Logo', thumbnail: false, height: 32 });
    const bad = await load({
      'modules/Shop/layouts/Main.yaml': 'widgets:\n  - image: {}\n  - placeholder: { name: main }\n',
      'modules/Shop/pages/P.yaml': page,
    });
    expect(bad.errors).toEqual([
      "modules/Shop/layouts/Main.yaml:2 widgets.0.image: a layout holds navigation, placeholders, texts, static images, containers and buttons that open pages or links; 'image' belongs in a page",
    ]);
  });
});
