import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { commitObjects, createObject, idToDb } from '../../src/data/index.js';
import { modelChecks } from '../../src/app/model-checks.js';
import { formatDiagnostic, loadModel } from '../../src/model/index.js';
import { buildRegistry, registryCheck } from '../../src/client-api/registry/index.js';
import { userContextFor } from '../../src/security/contexts.js';
import { buildClientPage } from '../../src/web-client/build-page.js';
import { ConditionTable } from '../../src/web-client/conditions.js';
import type { ClientDataView, ClientNavigation, ClientPage } from '../../src/web-client/page-definition.js';
import { ensureTimeZones, timeZoneRow } from '../../src/web-client/time-zones.js';
import { startApp, type AppUnderTest, type XasClient } from '../client-api/harness.js';
import { ROOT } from '../support/cli.js';

// examples/sales in two languages and time zones over real HTTP: System.TimeZone seeded once,
// the user's zone (or the app's default) and the client texts in the navigation, and the
// microflow messages and validation texts of /xas/ in the user's language.

describe('time zone rows', () => {
  it('describes a zone as Mendix does: its standard offset in milliseconds, daylight saving left out', () => {
    expect(timeZoneRow('Europe/Amsterdam', 2026)).toEqual({ code: 'Europe/Amsterdam', description: '(GMT+01:00) Europe/Amsterdam', rawOffset: 3_600_000 });
    expect(timeZoneRow('America/New_York', 2026)).toEqual({ code: 'America/New_York', description: '(GMT-05:00) America/New York', rawOffset: -18_000_000 });
    // Southern hemisphere: the standard offset is July's.
    expect(timeZoneRow('Australia/Sydney', 2026).rawOffset).toBe(36_000_000);
    expect(timeZoneRow('Asia/Kolkata', 2026).description).toBe('(GMT+05:30) Asia/Kolkata');
    expect(timeZoneRow('UTC', 2026)).toEqual({ code: 'UTC', description: '(GMT+00:00) UTC', rawOffset: 0 });
  });
});

describe('kiln check of translated texts and time zones', () => {
  const check = async (edit: (dir: string) => void) => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-i18n-check-'));
    cpSync(join(ROOT, 'examples', 'sales'), dir, { recursive: true, filter: (src) => !src.includes('.deployment') });
    edit(dir);
    const { diagnostics } = await loadModel(dir, { checks: modelChecks() });
    return diagnostics.map((d) => `${d.severity} ${formatDiagnostic(d)}`);
  };
  const patch = (dir: string, rel: string, from: string, to: string) => {
    const text = readFileSync(join(dir, rel), 'utf8');
    expect(text).toContain(from);
    writeFileSync(join(dir, rel), text.replace(from, to));
  };

  it('warns of a message or validation text that lacks one of the languages, and refuses one in a language the app lacks', async () => {
    const out = await check((dir) => {
      patch(dir, 'modules/Sales/microflows/Order_Confirm.yaml', ', nl_NL: "Bestelling {1} van {2} is geen concept."', '');
      patch(dir, 'modules/Sales/domain-model.yaml', 'nl_NL: "Besteldatum is verplicht"', 'de_DE: "Bestelldatum fehlt"');
    });
    expect(out.join('\n')).toMatch(/warning [^\n]*Order_Confirm\.yaml:\d+(:\d+)? \S+: warning: no nl_NL text \(the en_US text is shown instead\)/);
    expect(out.join('\n')).toMatch(/error [^\n]*domain-model\.yaml:\d+(:\d+)? \S+: 'de_DE' is not one of the app's languages \(en_US, nl_NL\)/);
  });

  it('refuses an unknown client text, an unknown default time zone and a placeholder without a parameter in one language', async () => {
    const out = await check((dir) => {
      patch(dir, 'app.yaml', 'noResults:', 'noResult:');
      patch(dir, 'app.yaml', 'defaultTimeZone: Europe/Amsterdam', 'defaultTimeZone: Europe/Amsterdamm');
      patch(dir, 'modules/Sales/microflows/Order_Confirm.yaml', 'is geen concept.', 'is geen concept {3}.');
    });
    const text = out.join('\n');
    expect(text).toMatch(/error app\.yaml:\d+(:\d+)? clientTexts\.noResult: 'noResult' is not one of the client's texts/);
    expect(text).toMatch(/error app\.yaml:\d+(:\d+)? defaultTimeZone: unknown time zone 'Europe\/Amsterdamm'/);
    expect(text).toMatch(/error [^\n]*Order_Confirm\.yaml:\d+(:\d+)? \S+: placeholder \{3\} has no parameter \(2 given\)/);
  });
});

describe('page definitions in a language', () => {
  it("captions a save and cancel button without a caption with the client's text, and sends a nanoflow's messages in the page's language", async () => {
    const { model, diagnostics } = await loadModel(join(ROOT, 'examples', 'sales'), { checks: [registryCheck] });
    expect(diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([]);
    const mgr = userContextFor(model!, {
      userId: 1n,
      userName: 'm',
      userEntity: 'System.User',
      userRoles: ['SalesManager'],
      anonymous: false,
      sessionId: 's',
      sessionObjectId: 2n,
    });
    const page = (lang: string) =>
      buildClientPage(model!, buildRegistry(model!), model!.pages.get('Sales.OrderLine_Edit')!, mgr, ConditionTable.compile(model!, []), lang);
    const view = (p: ClientPage) => p.widgets[0] as ClientDataView;
    const nl = page('nl_NL');
    expect(view(nl).buttons?.map((b) => b.caption)).toEqual(['Check', 'Opslaan', 'Annuleren']);
    expect(JSON.stringify(nl.nanoflows?.['Sales.OrderLine_Check'])).toContain('"template":"Bestel er minstens één"');
    expect(JSON.stringify(nl.nanoflows?.['Sales.OrderLine_Check'])).toContain('"template":"{1} voor {2}"');
    const en = page('en_US');
    expect(view(en).buttons?.map((b) => b.caption)).toEqual(['Check', 'Save', 'Cancel']);
    expect(JSON.stringify(en.nanoflows?.['Sales.OrderLine_Check'])).toContain('"template":"Order at least one"');
  });
});

describe.each(['sqlite', 'postgres', 'mysql'] as const)('languages and time zones over HTTP (%s)', { timeout: 90000 }, (dialect) => {
  let app: AppUnderTest;
  let confirmed: string;
  let draft: string;
  let confirmOp: string;
  const q = (sql: string) => (dialect === 'mysql' ? sql.replace(/"/g, '`') : sql);
  const zoneCount = async () => Number((await app.db.query<{ n: unknown }>(q('SELECT COUNT(*) AS "n" FROM "system$timezone"'), []))[0]!.n);

  beforeAll(async () => {
    app = await startApp('sales', dialect, [
      { name: 'mgr', password: 'Manager-12', roles: ['SalesManager'] },
      { name: 'ny', password: 'Manager-12', roles: ['SalesManager'] },
    ]);
    const model = app.runtime.ctx.model;
    const make = async (status: string, total: string) => {
      const o = await createObject(model, 'Sales.Order', app.ids);
      o.values.set('Total', new Decimal(total));
      o.values.set('Status', status);
      // 23:30 UTC: the 11th in Amsterdam (00:30), the 10th in New York (18:30). A draft without a date fails its validation rule.
      o.values.set('OrderDate', status === 'Draft' ? null : new Date(Date.UTC(2026, 0, 10, 23, 30)));
      await app.db.transaction((tx) => commitObjects(tx, model, [o]));
      return o;
    };
    confirmed = (await make('Confirmed', '75.50')).id.toString();
    draft = (await make('Draft', '5.00')).id.toString();
    confirmOp = app.registry.forPath('Sales.Order_Overview', 'widgets/0/dataGrid/buttons/2')!.id;
    // A new database's zones are filled in the background, just after start-up.
    await vi.waitFor(
      async () => {
        if ((await zoneCount()) === 0) throw new Error('System.TimeZone is still empty');
      },
      { timeout: 30000, interval: 100 },
    );
    // ny lives in New York: their System.User_TimeZone, as an administrator would set it.
    const ny = (await app.db.query<{ id: unknown }>(q(`SELECT "id" FROM "system$user" WHERE "name" = 'ny'`), []))[0]!.id;
    const zone = (await app.db.query<{ id: unknown }>(q(`SELECT "id" FROM "system$timezone" WHERE "code" = 'America/New_York'`), []))[0]!.id;
    const tz = model.associations.get('System.User_TimeZone')!;
    await app.db.execute(q(`INSERT INTO "${tz.table}" ("${tz.parentColumn}", "${tz.childColumn}") VALUES (${dialect === 'postgres' ? '$1, $2' : '?, ?'})`), [
      idToDb(app.db.dialect, BigInt(String(ny))),
      zone,
    ]);
  }, 90000);
  afterAll(async () => {
    await app?.stop();
  });

  const signedIn = async (name: string) => {
    const c = app.client();
    await c.login(name, 'Manager-12');
    return c;
  };
  const confirm = (c: XasClient, order: string, headers: Record<string, string>) =>
    c.post({ action: 'runtimeOperation', operationId: confirmOp, params: { Order: { guid: order } }, changes: {}, objects: [] }, headers);
  const messages = (body: Record<string, unknown>) =>
    ((body.instructions ?? []) as { type: string; args: { message: string } }[]).filter((i) => i.type === 'text_message').map((i) => i.args.message);

  it('fills System.TimeZone from the IANA zones once; a later start adds none', async () => {
    const zones = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);
    expect(await zoneCount()).toBe(zones.size);
    const [ams] = await app.db.query<{ description: unknown; rawoffset: unknown }>(
      q(`SELECT "description", "rawoffset" FROM "system$timezone" WHERE "code" = 'Europe/Amsterdam'`),
      [],
    );
    expect([ams!.description, Number(ams!.rawoffset)]).toEqual(['(GMT+01:00) Europe/Amsterdam', 3_600_000]);
    expect(await ensureTimeZones(app.runtime.ctx.model, app.db, app.ids)).toBe(0);
    expect(await zoneCount()).toBe(zones.size);
    // One missing (a zone Node learnt since): only it is added.
    await app.db.execute(q(`DELETE FROM "system$timezone" WHERE "code" = 'Pacific/Apia'`), []);
    expect(await ensureTimeZones(app.runtime.ctx.model, app.db, app.ids)).toBe(1);
    expect(await zoneCount()).toBe(zones.size);
  });

  it("tells the client the user's zone (else the app's default) and the app's client texts in the user's language", async () => {
    const nav = async (c: XasClient, lang: string) => JSON.parse((await c.get(`/pages/_navigation.json?lang=${lang}`)).text) as ClientNavigation;
    const mgr = await nav(await signedIn('mgr'), 'nl_NL');
    expect([mgr.timeZone, mgr.textLanguage, mgr.clientTexts]).toEqual(['Europe/Amsterdam', 'nl_NL', { noResults: 'Nog niets te tonen.' }]);
    const ny = await nav(await signedIn('ny'), 'en_US');
    expect([ny.timeZone, ny.clientTexts]).toEqual(['America/New_York', { noResults: 'Nothing to show yet.' }]);
  });

  it("shows a microflow's message in the language the client shows, with the date in the user's zone", async () => {
    const mgr = await signedIn('mgr');
    const nl = await confirm(mgr, confirmed, { 'x-kiln-language': 'nl_NL' });
    expect([nl.status, messages(nl.body)]).toEqual([200, ['Bestelling 1 van 11-01-2026 00:30 is geen concept.']]);
    const en = await confirm(mgr, confirmed, { 'x-kiln-language': 'en_US', 'accept-language': 'nl-NL' });
    expect(messages(en.body)).toEqual(['Order 1 of 11-01-2026 00:30 is not a draft.']);
    // No choice sent: the browser's language; an unknown one: the app's default.
    expect(messages((await confirm(mgr, confirmed, { 'accept-language': 'nl-BE,nl;q=0.9' })).body)).toEqual([
      'Bestelling 1 van 11-01-2026 00:30 is geen concept.',
    ]);
    expect(messages((await confirm(mgr, confirmed, { 'x-kiln-language': 'xx_XX', 'accept-language': 'fr' })).body)).toEqual([
      'Order 1 of 11-01-2026 00:30 is not a draft.',
    ]);
    // In New York it was still the 10th.
    const ny = await signedIn('ny');
    expect(messages((await confirm(ny, confirmed, { 'x-kiln-language': 'nl_NL' })).body)).toEqual(['Bestelling 1 van 10-01-2026 18:30 is geen concept.']);
  });

  it("answers validation texts in the user's language; their stored System.User_Language when the request names none", async () => {
    const mgr = await signedIn('mgr');
    const nl = await confirm(mgr, draft, { 'x-kiln-language': 'nl_NL' });
    expect([nl.status, nl.body]).toEqual([422, { error: 'validation failed', datavalidation: { [draft]: { OrderDate: 'Besteldatum is verplicht' } } }]);
    const en = await confirm(mgr, draft, {});
    expect((en.body.datavalidation as Record<string, Record<string, string>>)[draft]).toEqual({ OrderDate: 'Order date is required' });
    // The language selector's choice is stored; a new session reads it with the user.
    expect((await mgr.send('POST', '/pages/_language', { language: 'nl_NL' }, { 'x-csrf-token': mgr.csrf })).status).toBe(204);
    const again = await signedIn('mgr');
    const stored = await confirm(again, draft, { 'accept-language': 'en-US' });
    expect((stored.body.datavalidation as Record<string, Record<string, string>>)[draft]).toEqual({ OrderDate: 'Besteldatum is verplicht' });
  });
});
