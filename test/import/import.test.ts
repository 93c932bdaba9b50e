import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { serialize } from 'bson';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { checkFolder } from '../../src/cli/import-command.js';
import { importMendix } from '../../src/import/index.js';
import { decodeUnit, readProject, splitBsonStream } from '../../src/import/units.js';
import { loadModel } from '../../src/model/index.js';
import { modelChecks } from '../../src/app/model-checks.js';

// The real Mendix projects of ../shared/fixtures (ako/mxcli's test data, Apache-2.0), beside the clone.
const MENDIX = join(import.meta.dirname, '../../../shared/fixtures/mendix/mxcli-testdata');
const V2 = join(MENDIX, 'v2-minimal/minimal.mpr');
const V1 = join(MENDIX, 'sdk-mpr-testdata/v1-project/App.mpr');
// An import runs kiln check until the folder passes: a few seconds each on a busy machine.
const SLOW = 180_000;

type Obj = Record<string, unknown>;
const arr = (v: unknown) => (Array.isArray(v) ? (v as Obj[]) : []);

/** What the Mendix project holds, counted straight from its units. */
function sourceCounts(file: string) {
  const units = readProject(file).units.map((u) => u.doc);
  const dms = units.filter((d) => d.$Type === 'DomainModels$DomainModel');
  const entities = dms.flatMap((d) => arr(d.Entities));
  return {
    entities: entities.length,
    attributes: entities.reduce((n, e) => n + arr(e.Attributes).length, 0),
    associations: dms.reduce((n, d) => n + arr(d.Associations).length + arr(d.CrossAssociations).length, 0),
    moduleRoles: units.filter((d) => d.$Type === 'Security$ModuleSecurity').reduce((n, d) => n + arr(d.ModuleRoles).length, 0),
    userRoles: units.filter((d) => d.$Type === 'Security$ProjectSecurity').reduce((n, d) => n + arr(d.UserRoles).length, 0),
    enumerations: units.filter((d) => d.$Type === 'Enumerations$Enumeration').length,
    microflows: units.filter((d) => d.$Type === 'Microflows$Microflow').length,
    pages: units.filter((d) => d.$Type === 'Forms$Page' && d.Excluded !== true).length,
  };
}

async function importAndLoad(file: string) {
  const out = mkdtempSync(join(tmpdir(), 'kiln-import-'));
  const report = await importMendix(file, out, { check: checkFolder });
  const { model, diagnostics } = await loadModel(out, { checks: modelChecks() });
  return { out, report, model, errors: diagnostics.filter((d) => d.severity === 'error') };
}

function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

describe('kiln import: MPR v2 (Mendix 11.6.6)', () => {
  it(
    'writes an app that kiln check accepts, with every entity, attribute, association and role',
    async () => {
      const { out, report, model, errors } = await importAndLoad(V2);
      expect(errors).toEqual([]);
      expect(model).toBeDefined();
      const src = sourceCounts(V2);
      const own = [...model!.entities.values()].filter((e) => e.module !== 'System');
      expect(own.length).toBe(src.entities);
      expect(own.reduce((n, e) => n + e.ownAttributes.length, 0)).toBe(src.attributes);
      expect([...model!.associations.keys()].filter((n) => !n.startsWith('System.')).length).toBe(src.associations);
      expect([...model!.moduleRoles].filter((r) => !r.startsWith('System.')).length).toBe(src.moduleRoles);
      expect(model!.security.userRoles.size).toBe(src.userRoles);
      expect([...model!.enumerations.keys()].filter((n) => !n.startsWith('System.')).length).toBe(src.enumerations);
      expect(model!.microflows.size).toBe(src.microflows);
      expect(model!.pages.size).toBe(src.pages);
      expect(report.kinds.entity).toEqual({ full: src.entities, partial: 0, skipped: 0 });
      expect(readFileSync(join(out, 'import-report.txt'), 'utf8')).toContain('Left out or changed:');

      // Spot checks against the source model.
      const dm = parse(readFileSync(join(out, 'modules/Administration/domain-model.yaml'), 'utf8'));
      expect(dm.moduleRoles).toEqual(['Administrator', 'User']);
      expect(dm.entities.Account.generalization).toBe('System.User');
      expect(dm.entities.Account.attributes).toMatchObject({ FullName: 'String', Email: 'String', IsLocalUser: { type: 'Boolean', default: true } });
      expect(dm.entities.Account.access).toContainEqual(expect.objectContaining({ roles: ['User'], xpath: "[id='[%CurrentUser%]']" }));
      expect(dm.associations.AccountPasswordData_Account).toEqual({ parent: 'AccountPasswordData', child: 'Account' });
      const feedback = parse(readFileSync(join(out, 'modules/FeedbackModule/domain-model.yaml'), 'utf8'));
      expect(feedback.constants.LocalStorageKey).toEqual({ type: 'String', default: 'mxfeedback-form-data', exposedToClient: true });
      const atlas = parse(readFileSync(join(out, 'modules/Atlas_Web_Content/domain-model.yaml'), 'utf8'));
      expect(atlas.entities.LoginContext.persistable).toBe(false);
      const app = parse(readFileSync(join(out, 'app.yaml'), 'utf8'));
      expect(app.security.userRoles.User).toContain('Administration.User');
      expect(app.security.passwordPolicy).toEqual({ minLength: 12, requireDigit: true, requireSymbol: false, requireMixedCase: true });
      // Demo users keep their specialisation of System.User (Mendix's Administration.Account).
      expect(app.security.demoUsers).toContainEqual(expect.objectContaining({ name: 'demo_user', roles: ['User'], entity: 'Administration.Account' }));

      // A microflow with decisions, rebuilt into a structured body.
      const mf = parse(readFileSync(join(out, 'modules/Administration/microflows/ChangePassword.yaml'), 'utf8'));
      expect(mf.parameters).toEqual({ AccountPasswordData: 'Administration.AccountPasswordData' });
      expect(mf.body[0].decision.then[0].retrieve).toMatchObject({ from: '$AccountPasswordData/Administration.AccountPasswordData_Account', into: 'Account' });
      expect(mf.body[0].decision.if).toBe('$AccountPasswordData/NewPassword = $AccountPasswordData/ConfirmPassword');
      expect(mf.body[0].decision.else[0].showMessage).toEqual({ type: 'error', message: 'The new passwords do not match.' });
      // Pages: a pop-up with a data view on its parameter, inputs chosen by attribute type, footer buttons.
      const page = parse(readFileSync(join(out, 'modules/Administration/pages/Account_Edit.yaml'), 'utf8'));
      expect(page).toMatchObject({ title: 'Edit Account', allowedRoles: ['Administrator'], parameters: { Account: 'Administration.Account' }, popup: true });
      const view = page.widgets[0].layoutGrid.rows[0].columns[0].widgets[0].dataView;
      expect(view.source).toEqual({ parameter: 'Account' });
      expect(view.widgets).toContainEqual({ textBox: { attribute: 'FullName', label: 'Full name' } });
      expect(view.widgets).toContainEqual({ checkBox: { attribute: 'Blocked', label: 'Blocked' } });
      expect(view.buttons).toEqual([
        { caption: 'Save', action: 'save', style: 'primary' },
        { caption: 'Cancel', action: 'cancel' },
      ]);
      // Data Grid 2 (a pluggable widget) becomes a data grid; a column over an association keeps its path.
      const sessions = parse(readFileSync(join(out, 'modules/Administration/pages/ActiveSessions.yaml'), 'utf8'));
      const grid = sessions.widgets[1].layoutGrid.rows[0].columns[0].widgets[0].dataGrid;
      // Its sort over a reference carries over as a path, as Kiln grids sort over one reference.
      expect(grid).toMatchObject({ name: 'dataGrid21', source: { xpath: '//System.Session', sort: ['System.Session_User/System.User/Name'] }, pageSize: 20 });
      // Data Grid 2's header filters become column filters, over a reference too; over a reference set one is left out (noted).
      expect(grid.columns).toEqual([
        { attribute: 'System.Session_User/System.User/Name', caption: 'User name', filter: true },
        { attribute: 'LastActive', caption: 'Last active', filter: true },
      ]);
      expect(report.notes.filter((n: string) => n.startsWith('page Administration.ActiveSessions:') && /association|reference set/.test(n))).toEqual([]);
      expect(report.notes).toContain(
        "page Administration.Account_Overview: data grid dataGrid21: column 'Roles': its drop-down filter over a reference set or several associations left out (Kiln filters over one reference at most)",
      );
      const events = parse(readFileSync(join(out, 'modules/Administration/pages/ScheduledEvents.yaml'), 'utf8'));
      expect(events.widgets[1].layoutGrid.rows[0].columns[0].widgets[0].dataGrid.columns.map((c: Obj) => [c.attribute, c.filter])).toEqual([
        ['Name', true],
        ['Description', true],
        ['StartTime', true],
        // A custom-content column over an attribute shows the attribute (noted), with its drop-down filter.
        ['Status', true],
        ['EndTime', true],
      ]);
      // Responsive layouts become Kiln layouts (navigation, language selector from its snippet, main placeholder);
      // full pages name theirs, pop-ups keep popup: true; phone, tablet, native and pop-up layouts are reported.
      expect(sessions.layout).toBe('Atlas_Core.Atlas_Default');
      expect(page.layout).toBeUndefined();
      expect(report.kinds.layout).toEqual({ full: 3, partial: 0, skipped: 19 });
      const layout = readFileSync(join(out, 'modules/Atlas_Core/layouts/Atlas_Default.yaml'), 'utf8');
      for (const w of ['navigationTree: {}', 'languageSelector: {}', 'name: main', 'sidebarToggle: {}']) expect(layout).toContain(w);
      expect(parse(readFileSync(join(out, 'modules/Atlas_Core/layouts/Atlas_TopBar.yaml'), 'utf8')).widgets[0].container.widgets).toContainEqual(
        expect.objectContaining({ layoutGrid: expect.anything() }),
      );
      expect(readFileSync(join(out, 'modules/Atlas_Core/layouts/Atlas_TopBar.yaml'), 'utf8')).toContain('orientation: horizontal');
      expect(report.notes).toContain(
        'layout Atlas_Core.Phone_Default: not imported: a phone layout: Kiln pages are responsive, one web layout serves every screen',
      );
      expect(parse(readFileSync(join(out, 'modules/MyFirstModule/pages/Home_Web.yaml'), 'utf8')).layout).toBe('Atlas_Core.Atlas_TopBar');
      expect(grid.rowButtons).toEqual([expect.objectContaining({ action: 'delete' })]);
      // Nanoflows become nanoflow files; JavaScript actions they call become TypeScript stubs for the browser;
      // every one imports: error handlers run in the browser, a commit goes through the server, and a called
      // nanoflow's result has its return type (DS_Feedback_Populate uses SUB_Feedback_GetOrCreate's Feedback).
      expect(report.kinds.nanoflow).toEqual({ full: 13, partial: 0, skipped: 0 });
      expect(report.notes.filter((n) => n.startsWith('nanoflow ') && n.includes('not imported'))).toEqual([]);
      expect(report.kinds['java script action']).toEqual({ full: 0, partial: 12, skipped: 55 });
      const getOrCreate = parse(readFileSync(join(out, 'modules/FeedbackModule/nanoflows/SUB_Feedback_GetOrCreate.yaml'), 'utf8'));
      expect(getOrCreate.body[1].decision.then[0].onError).toEqual({
        customWithoutRollback: [{ create: { entity: 'FeedbackModule.Feedback', refresh: true, into: 'NewFeedback' } }, { return: '$NewFeedback' }],
      });
      expect(readFileSync(join(out, 'modules/FeedbackModule/nanoflows/ACT_Feedback_UploadImage.yaml'), 'utf8')).toContain('commit: true');
      expect(parse(readFileSync(join(out, 'modules/Atlas_Web_Content/nanoflows/ACT_Login.yaml'), 'utf8')).body[0]).toEqual({
        action: {
          name: 'NanoflowCommons.SignIn',
          with: { Username: '$LoginContext/Username', Password: '$LoginContext/Password' },
          into: 'StatusCode',
          returns: 'Integer',
        },
      });
      const signIn = readFileSync(join(out, 'modules/NanoflowCommons/javascript/SignIn.ts'), 'utf8');
      expect(signIn).toContain('kiln import: stub');
      expect(signIn).toContain(
        'throw new Error("The JavaScript action NanoflowCommons.SignIn was imported from Mendix without its code: write modules/NanoflowCommons/javascript/SignIn.ts")',
      );
      // A stub for each action an imported nanoflow calls.
      expect(existsSync(join(out, 'modules/FeedbackModule/javascript/JS_PopulateFeedbackMetadata.ts'))).toBe(true);
      expect(parse(readFileSync(join(out, 'modules/FeedbackModule/nanoflows/ACT_Open_Feedback_Modal.yaml'), 'utf8'))).toEqual({
        body: [{ showPage: { page: 'FeedbackModule.ShareFeedback' } }],
      });
      // Snippets become snippet files (the language selector a Kiln language selector); tab controls tab containers.
      expect(report.kinds.snippet).toEqual({ full: 4, partial: 0, skipped: 0 });
      expect(parse(readFileSync(join(out, 'modules/Atlas_Core/snippets/LanguageSelectorWidget.yaml'), 'utf8'))).toEqual({
        widgets: [{ languageSelector: {} }],
      });
      const overview = readFileSync(join(out, 'modules/Administration/pages/Account_Overview.yaml'), 'utf8');
      expect(overview).toContain('tabContainer:');
      expect(overview).toContain('caption: Local Users');
      // The users grid filters over System.grantableRoles (the roles the current user may manage): imported whole.
      const usersGrid = parse(overview).widgets[1].layoutGrid.rows[0].columns[0].widgets[0].tabContainer.tabs[0].widgets[0].dataGrid;
      expect(usersGrid.source.xpath).toContain('System.UserRoles/System.UserRole/System.grantableRoles[reversed()]/System.UserRole/System.UserRoles');
      expect(report.notes.filter((n) => n.includes('grantableRoles') || n.includes('may manage'))).toEqual([]);
      expect(app.security.manageableRoles).toEqual({ Administrator: '*', User: [] });
      // The runtime-instances page reads System.XASInstance (with its createdDate): imported whole, so 3 pages import fully.
      const runtime = parse(readFileSync(join(out, 'modules/Administration/pages/RuntimeInstances.yaml'), 'utf8'));
      const instancesGrid = runtime.widgets[1].layoutGrid.rows[0].columns[0].widgets[0].dataGrid;
      expect(instancesGrid.source.xpath).toBe('//System.XASInstance');
      expect(instancesGrid.columns.map((c: { attribute: string }) => c.attribute)).toEqual([
        'XASId',
        'createdDate',
        'AllowedNumberOfConcurrentUsers',
        'PartnerName',
        'CustomerName',
      ]);
      expect(report.notes.filter((n) => n.includes('XASInstance'))).toEqual([]);
      // Mendix's Image widget: the project's image, written to images/ (its bytes as in the image collection), sized in pixels;
      // Open link buttons keep their address. Home_Web, the pop-ups and My Account (combo box) now import fully.
      const home = readFileSync(join(out, 'modules/MyFirstModule/pages/Home_Web.yaml'), 'utf8');
      expect(home).toContain('src: MyFirstModule/Images/_1.png\n                                  width: 36\n                                  height: 36');
      expect(home).toContain('openLink: https://docs.mendix.com/refguide/modeling/');
      expect(readFileSync(join(out, 'images/MyFirstModule/Images/_1.png')).subarray(0, 8)).toEqual(Buffer.from('89504e470d0a1a0a', 'hex'));
      const failure = parse(readFileSync(join(out, 'modules/FeedbackModule/pages/PopupFailure.yaml'), 'utf8'));
      expect(JSON.stringify(failure)).toContain('{"image":{"src":"FeedbackModule/Images/Failure.png","height":240}}');
      expect(readFileSync(join(out, 'modules/Atlas_Core/layouts/Atlas_TopBar.yaml'), 'utf8')).toContain('src: Atlas_Core/Layout/logo.svg');
      expect(readFileSync(join(out, 'images/Atlas_Core/Layout/logo.svg'), 'utf8')).toMatch(/^<svg /);
      // The combo box over an association becomes the reference (set) selector of that association.
      const myAccount = JSON.stringify(parse(readFileSync(join(out, 'modules/Administration/pages/MyAccount.yaml'), 'utf8')));
      expect(myAccount).toContain('{"referenceSelector":{"association":"System.User_Language","attribute":"Description","label":"Language"}}');
      const edit = JSON.stringify(page);
      // Its options keep Mendix's XPath constraint (the roles the user may grant) and sort (time zones by offset).
      expect(edit).toContain(
        '{"referenceSetSelector":{"association":"System.UserRoles","attribute":"Name","constraint":"[System.grantableRoles[reversed()]/System.UserRole/System.UserRoles = \'[%CurrentUser%]\']","label":"User role(s)"}}',
      );
      expect(edit).toContain(
        '{"referenceSelector":{"association":"System.User_TimeZone","attribute":"Description","sort":["RawOffset","Description"],"label":"Time zone"}}',
      );
      for (const full of [
        'MyFirstModule.Home_Web',
        'FeedbackModule.PopupFailure',
        'FeedbackModule.PopupSuccess',
        'Administration.MyAccount',
        'Administration.Account_Edit',
      ])
        expect(report.notes.filter((n) => n.startsWith(`page ${full}:`))).toEqual([]);
      expect(report.notes.filter((n) => /pluggable widget com\.mendix\.widget\.web\.(image|combobox)|OpenLinkClientAction/.test(n))).toEqual([]);
      // The feedback form: a data view over the object its nanoflow data source returns, nanoflow buttons, its screenshot
      // preview from a String attribute (a data: URL); imported whole.
      const share = JSON.stringify(parse(readFileSync(join(out, 'modules/FeedbackModule/pages/ShareFeedback.yaml'), 'utf8')));
      expect(share).toContain('"source":{"nanoflow":"FeedbackModule.DS_Feedback_Populate"}');
      expect(share).toContain('"action":{"nanoflow":"FeedbackModule.ACT_SubmitFeedback"}');
      expect(share).toContain('{"image":{"attribute":"ImageB64","alt":"A Preview of the Feedback image that was from the screenshot or upload"}}');
      expect(report.notes.filter((n) => n.startsWith('page FeedbackModule.ShareFeedback:'))).toEqual([]);
      // Account_New's inner data view shows the account its AccountPasswordData refers to.
      expect(JSON.stringify(parse(readFileSync(join(out, 'modules/Administration/pages/Account_New.yaml'), 'utf8')))).toContain(
        '"source":{"association":"Administration.AccountPasswordData_Account"}',
      );
      expect(report.notes.filter((n) => n.startsWith('page Administration.Account_New:'))).toEqual([]);
      expect(report.kinds.page).toEqual({ full: 11, partial: 2, skipped: 3 });
      expect(app.navigation).toEqual({ home: 'MyFirstModule.Home_Web', menu: [{ caption: 'Home', page: 'MyFirstModule.Home_Web' }] });
      // Java actions became TypeScript stubs that fail with a clear message.
      expect(readFileSync(join(out, 'modules/FeedbackModule/actions/ValidateEmail.ts'), 'utf8')).toContain('without its code');
      // An object-type decision with a cast object and a show page in its branch, rebuilt whole.
      const manage = parse(readFileSync(join(out, 'modules/Administration/microflows/ManageMyAccount.yaml'), 'utf8'));
      expect(manage.body[0].decision.on).toBe('$currentUser');
      expect(manage.body[0].decision.cases['Administration.Account'].slice(0, 2)).toEqual([
        { cast: { object: '$currentUser', to: 'Administration.Account', into: 'Account' } },
        { showPage: { page: 'Administration.MyAccount', object: '$Account' } },
      ]);
      expect(report.notes.some((n) => n.includes('ManageMyAccount'))).toBe(false);

      // The integration layer: JSON structures (their samples), import and export mappings, and the
      // microflow that posts feedback with a REST call, imported whole and accepted by kiln check.
      const feedbackDir = join(out, 'modules/FeedbackModule');
      expect(JSON.parse(readFileSync(join(feedbackDir, 'json-structures/JSON_AppInsightsResponse.json'), 'utf8'))).toEqual({
        legacyId: 34,
        uuid: '00000000-0000-0000-0000-000000000000',
      });
      expect(JSON.parse(readFileSync(join(feedbackDir, 'json-structures/JSON_AppInsightsRequest.json'), 'utf8'))).toMatchObject({ screenWidth: 1280 });
      expect(parse(readFileSync(join(feedbackDir, 'mappings/IMM_PostResponse.yaml'), 'utf8'))).toEqual({
        kind: 'import',
        structure: 'JSON_AppInsightsResponse',
        entity: 'ResponseHelper',
        // The REST call that uses it commits "Yes without events".
        commit: 'withoutEvents',
        attributes: { uuid: 'URL' },
        // Mendix's "convert using" microflow on the value.
        convert: { uuid: 'ConvertUUIDToURL' },
      });
      const exportMapping = parse(readFileSync(join(feedbackDir, 'mappings/EXM_PostFeedback.yaml'), 'utf8'));
      expect(exportMapping).toMatchObject({ kind: 'export', structure: 'JSON_AppInsightsRequest', entity: 'Feedback' });
      expect(Object.keys(exportMapping.attributes)).toHaveLength(14);
      expect(exportMapping.attributes).toMatchObject({ projectId: 'AppID', screenWidth: 'ScreenWidth' });
      expect([...(model!.mappings?.keys() ?? [])].sort()).toEqual(['FeedbackModule.EXM_PostFeedback', 'FeedbackModule.IMM_PostResponse']);
      expect(exportMapping.convert).toEqual({ screenshot: 'ConvertBase64String' });
      expect(report.kinds['json structure']).toEqual({ full: 2, partial: 0, skipped: 0 });
      // Both mappings import whole, their converter microflows with them.
      expect(report.kinds['import mapping']).toEqual({ full: 1, partial: 0, skipped: 0 });
      expect(report.kinds['export mapping']).toEqual({ full: 1, partial: 0, skipped: 0 });
      expect(report.notes.filter((n) => n.includes('mapping FeedbackModule'))).toEqual([]);
      const post = parse(readFileSync(join(feedbackDir, 'microflows/SUB_Feedback_PostToAppInsights.yaml'), 'utf8'));
      expect(post.body[1]).toEqual({
        callRest: {
          method: 'POST',
          location: '{1}',
          params: ['$ServerLocation'],
          headers: { 'Content-Type': "'application/json'", clientidentifier: '@FeedbackModule.ClientIdentifier' },
          timeout: 10,
          exportMapping: { mapping: 'FeedbackModule.EXM_PostFeedback', value: '$Feedback' },
          response: { importMapping: 'FeedbackModule.IMM_PostResponse' },
          into: 'Response',
        },
        onError: {
          customWithoutRollback: [
            {
              log: {
                level: 'error',
                node: 'getKey(FeedbackModule.LogNodes.FeedbackModule)',
                message: 'Unable to send the feedback to App Insights',
                includeLatestStackTrace: true,
              },
            },
            { return: 'empty' },
          ],
        },
      });
      expect(post.body[2]).toEqual({ return: '$Response' });
      expect(report.notes.filter((n) => n.includes('SUB_Feedback_PostToAppInsights'))).toEqual([]);
      expect(report.kinds.microflow).toEqual({ full: src.microflows, partial: 0, skipped: 0 });
      // The two menu documents are shown only by phone and tablet layouts, which are not imported.
      expect(report.kinds['menu document']).toEqual({ full: 0, partial: 0, skipped: 2 });
      expect(report.notes.find((n) => n.startsWith('menu document Atlas_Core.Phone_Menu'))).toContain(
        'only Atlas_Core.Phone_BottomBar, Atlas_Core.Phone_Default, Atlas_Core.Phone_Sidebar show it, not imported',
      );
    },
    SLOW,
  );

  it(
    'gives the same files when the model is imported twice, keeping an action someone wrote',
    async () => {
      const { out } = await importAndLoad(V2);
      const before = files(out);
      const stub = 'modules/FeedbackModule/actions/ValidateEmail.ts';
      const written = "export default { parameters: { EmailAddress: 'String' }, returns: 'Boolean', run: () => true };\n";
      writeFileSync(join(out, stub), written);
      // A JavaScript action written in place of its stub is kept too.
      const jsStub = 'modules/NanoflowCommons/javascript/SignIn.ts';
      const jsWritten = 'export default function signIn(): number {\n  return 200;\n}\n';
      writeFileSync(join(out, jsStub), jsWritten);
      await importMendix(V2, out, { check: checkFolder });
      const after = files(out);
      expect(after[stub]).toBe(written);
      expect(after[jsStub]).toBe(jsWritten);
      for (const f of [stub, jsStub]) {
        delete before[f];
        delete after[f];
      }
      expect(after).toEqual(before);
    },
    SLOW,
  );
});

describe('kiln import: MPR v1 (Mendix 9.24)', () => {
  it('reads the units from the SQLite file and passes kiln check', async () => {
    const { report, model, errors } = await importAndLoad(V1);
    expect(errors).toEqual([]);
    expect(report.format).toBe('mpr-v1');
    expect(report.mendixVersion).toMatch(/^9\.24\./);
    const src = sourceCounts(V1);
    const own = [...model!.entities.values()].filter((e) => e.module !== 'System');
    expect(own.map((e) => e.name).sort()).toEqual(['NanoflowCommons.Geolocation', 'NanoflowCommons.Position']);
    expect(own.length).toBe(src.entities);
    expect(own.reduce((n, e) => n + e.ownAttributes.length, 0)).toBe(src.attributes);
    expect(model!.security.userRoles.size).toBe(src.userRoles);
    expect(report.kinds['java script action']?.skipped).toBe(10);
  });
});

describe('kiln import: single units and model.mdp', () => {
  it('imports one enumeration unit into module Main, captions included', async () => {
    const { out, errors } = await importAndLoad(join(MENDIX, 'sdk-mpr-testdata/enumerations/PictureQuality.mxunit'));
    expect(errors).toEqual([]);
    const dm = parse(readFileSync(join(out, 'modules/Main/domain-model.yaml'), 'utf8'));
    expect(dm.enumerations.PictureQuality).toMatchObject({ original: 'Original', high: 'High' });
  });

  it('reads a model.mdp stream (documents without array markers, named by QualifiedName)', async () => {
    const enumeration = {
      $Type: 'Enumerations$Enumeration',
      QualifiedName: 'Shop.Status',
      Name: 'Status',
      Values: [
        { $Type: 'Enumerations$EnumerationValue', Name: 'Open', Caption: { $Type: 'Texts$Text', Items: [{ LanguageCode: 'en_US', Text: 'Open order' }] } },
      ],
    };
    const constant = { $Type: 'Constants$Constant', QualifiedName: 'Shop.Limit', Name: 'Limit', Type: { $Type: 'DataTypes$IntegerType' }, DefaultValue: '5' };
    const dir = mkdtempSync(join(tmpdir(), 'kiln-mdp-'));
    const file = join(dir, 'model.mdp');
    writeFileSync(file, Buffer.concat([serialize(enumeration), serialize(constant)]));
    expect(splitBsonStream(readFileSync(file)).map((b) => decodeUnit(b, false).QualifiedName)).toEqual(['Shop.Status', 'Shop.Limit']);
    const { out, errors } = await importAndLoad(file);
    expect(errors).toEqual([]);
    const dm = parse(readFileSync(join(out, 'modules/Shop/domain-model.yaml'), 'utf8'));
    expect(dm).toEqual({ enumerations: { Status: { Open: 'Open order' } }, constants: { Limit: { type: 'Integer', default: '5' } } });
  });

  it('imports scheduled events, and leaves out one whose microflow takes a parameter', async () => {
    const flow = (name: string, parameters: Record<string, unknown>[]) => ({
      $Type: 'Microflows$Microflow',
      QualifiedName: `Shop.${name}`,
      Name: name,
      ObjectCollection: {
        $Type: 'Microflows$MicroflowObjectCollection',
        Objects: [{ $ID: 's', $Type: 'Microflows$StartEvent' }, { $ID: 'e', $Type: 'Microflows$EndEvent' }, ...parameters],
      },
      Flows: [{ $Type: 'Microflows$SequenceFlow', OriginPointer: 's', DestinationPointer: 'e', IsErrorHandler: false, CaseValues: [] }],
      MicroflowReturnType: { $Type: 'DataTypes$VoidType' },
    });
    const event = (name: string, microflow: string, extra: Record<string, unknown>) => ({
      $Type: 'ScheduledEvents$ScheduledEvent',
      QualifiedName: `Shop.${name}`,
      Name: name,
      Microflow: microflow,
      Enabled: true,
      Interval: 2,
      IntervalType: 'Hour',
      StartDateTime: String(Date.UTC(2026, 0, 1, 3, 0, 0)),
      TimeZone: 'UTC',
      ...extra,
    });
    const units = [
      flow('Nightly', []),
      flow('WithParameter', [{ $ID: 'p', $Type: 'Microflows$MicroflowParameterObject', Name: 'N', VariableType: { $Type: 'DataTypes$IntegerType' } }]),
      event('Cleanup', 'Shop.Nightly', { TimeZone: 'Server', Enabled: false }),
      event('Broken', 'Shop.WithParameter', { IntervalType: 'Day', Interval: 1 }),
    ];
    const dir = mkdtempSync(join(tmpdir(), 'kiln-mdp-'));
    const file = join(dir, 'model.mdp');
    writeFileSync(file, Buffer.concat(units.map((u) => serialize(u))));
    const { out, report, errors } = await importAndLoad(file);
    expect(errors).toEqual([]);
    expect(parse(readFileSync(join(out, 'modules/Shop/scheduled-events/Cleanup.yaml'), 'utf8'))).toEqual({
      microflow: 'Shop.Nightly',
      interval: { every: 2, unit: 'hours' },
      start: '2026-01-01T03:00:00Z',
      overlap: 'skip',
      enabled: false,
    });
    expect(existsSync(join(out, 'modules/Shop/scheduled-events/Broken.yaml'))).toBe(false);
    expect(report.kinds['scheduled event']).toEqual({ full: 0, partial: 1, skipped: 1 });
    expect(report.notes).toContain("scheduled event Shop.Cleanup: the 'server' time zone is read as UTC");
    expect(report.notes.some((n) => n.startsWith('scheduled event Shop.Broken: not imported:') && n.includes('parameter'))).toBe(true);
  });

  it('takes out what kiln check refuses, and reports it', async () => {
    // A microflow unit alone: its parameter's entity and its roles are in modules not imported.
    const { out, report, errors } = await importAndLoad(join(MENDIX, 'sdk-mpr-testdata/microflows/ChangePassword.mxunit'));
    expect(errors).toEqual([]);
    expect(report.kinds.microflow).toEqual({ full: 0, partial: 0, skipped: 1 });
    expect(report.notes).toContain(
      "microflow Main.ChangePassword: body left out: parameters.AccountPasswordData unknown entity or enumeration 'Administration.AccountPasswordData'",
    );
    expect(readdirSync(join(out, 'modules/Main'))).toEqual(['domain-model.yaml']);

    // Elements the check names by path are removed one by one, the last array element first.
    let round = 0;
    const check = async () =>
      round++ === 0
        ? [
            { severity: 'error' as const, file: 'modules/Main/domain-model.yaml', line: 1, path: 'enumerations.PictureQuality', message: 'refused' },
            { severity: 'error' as const, file: 'app.yaml', line: 1, path: 'modules.0', message: 'also refused' },
          ]
        : [];
    const dir = mkdtempSync(join(tmpdir(), 'kiln-import-'));
    const r = await importMendix(join(MENDIX, 'sdk-mpr-testdata/enumerations/PictureQuality.mxunit'), dir, { check });
    expect(parse(readFileSync(join(dir, 'modules/Main/domain-model.yaml'), 'utf8'))).toEqual({ enumerations: {} });
    expect(parse(readFileSync(join(dir, 'app.yaml'), 'utf8')).modules).toEqual([]);
    expect(r.notes).toEqual(['model element Main: enumerations.PictureQuality left out: refused', 'app.yaml app.yaml: modules.0 left out: also refused']);
  });
});
