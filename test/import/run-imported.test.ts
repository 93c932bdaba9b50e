import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFolder } from '../../src/cli/import-command.js';
import { importMendix } from '../../src/import/index.js';
import { XasClient } from '../client-api/harness.js';
import { startInstance, type KilnInstance } from '../support/kiln-instance.js';

// The real Mendix 11.6.6 project of ../shared/fixtures, imported and run as Kiln runs any app.
const V2 = join(import.meta.dirname, '../../../shared/fixtures/mendix/mxcli-testdata/v2-minimal/minimal.mpr');

interface Operation {
  readonly operationId: string;
  readonly operationType: string;
  readonly parameters?: Record<string, unknown>;
}

describe('an imported Mendix project runs', () => {
  let kiln: KilnInstance;
  let app: string;
  let deployment: string;
  let admin: XasClient;
  beforeAll(async () => {
    app = mkdtempSync(join(tmpdir(), 'kiln-imported-'));
    await importMendix(V2, app, { check: checkFolder });
    deployment = mkdtempSync(join(tmpdir(), 'kiln-imported-dep-'));
    kiln = await startInstance({
      appDir: app,
      db: `sqlite:${join(deployment, 'app.db')}`,
      deploymentDir: deployment,
      env: { KILN_ADMIN_PASSWORD: 'Imported-Admin-1' },
    });
    // The project's security level is CheckNothing (Kiln's `off`): no login, every page open.
    admin = new XasClient(kiln.base);
  }, 180_000);
  afterAll(async () => {
    await kiln?.kill();
  });

  it('serves the client, its navigation and its pages', async () => {
    expect((await fetch(`${kiln.base}/`)).status).toBe(200);
    const get = (path: string) => fetch(`${kiln.base}${path}`);
    const nav = await get('/pages/_navigation.json');
    expect(nav.status).toBe(200);
    const navigation = (await nav.json()) as { home?: string };
    expect(navigation.home).toBe('MyFirstModule.Home_Web');
    const pages = readdirSync(join(app, 'modules')).flatMap((m) =>
      existsSync(join(app, 'modules', m, 'pages')) ? readdirSync(join(app, 'modules', m, 'pages')).map((f) => `${m}.${f.replace(/\.yaml$/, '')}`) : [],
    );
    expect(pages.length).toBe(13);
    for (const page of pages) {
      const res = await get(`/pages/${page}.json`);
      expect(res.status, page).toBe(200);
    }
    // A full page is framed by its imported layout: the navigation beside its main placeholder (the layout's
    // language selector is sent only to apps with two or more languages).
    const sessions = (await (await get('/pages/Administration.ActiveSessions.json')).json()) as { layout?: { name: string; widgets: unknown } };
    expect(sessions.layout?.name).toBe('Atlas_Core.Atlas_Default');
    const frame = JSON.stringify(sessions.layout?.widgets);
    for (const type of ['"navigationTree"', '"placeholder"']) expect(frame).toContain(type);
    // The JavaScript action stubs (modules/*/javascript) compiled at start-up: the app would not have started otherwise.
    expect(existsSync(join(app, 'modules/NanoflowCommons/javascript/SignIn.ts'))).toBe(true);
  });

  it("offers a combo box's options as Mendix does: its XPath constraint and its sort (time zones by offset)", async () => {
    const page = (await (await fetch(`${kiln.base}/pages/Administration.Account_Edit.json`)).json()) as Record<string, unknown>;
    const selectors: { association: string; sort?: [string, string][]; optionsOperationId: string }[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (o.type === 'referenceSelector' || o.type === 'referenceSetSelector') selectors.push(o as never);
        Object.values(o).forEach(walk);
      }
    };
    walk(page.widgets);
    const zone = selectors.find((s) => s.association === 'System.User_TimeZone')!;
    expect(zone.sort).toEqual([
      ['RawOffset', 'asc'],
      ['Description', 'asc'],
    ]);
    const zones = await admin.op(zone.optionsOperationId, { options: { offset: 0, amount: 200, sort: zone.sort, wantCount: false } });
    expect(zones.status).toBe(200);
    // The option shows its Description, '(GMT-11:00) Pacific/Midway': the offset in it rises down the list.
    const offsets = (zones.body.partialObjects as { attributes: { Description: { value: string } } }[]).map((o) => {
      const m = /^\(GMT([+-])(\d\d):(\d\d)\)/.exec(o.attributes.Description.value)!;
      return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
    });
    expect(offsets.length).toBe(200);
    expect(offsets[0]).toBeLessThan(0);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    // The roles offered are those the current user may grant (Mendix's constraint over System.grantableRoles): the
    // operation holds the model's XPath, never the browser's.
    const ops = JSON.parse(readFileSync(join(deployment, 'model', 'operations.json'), 'utf8')) as (Operation & { constants?: { XPath?: string } })[];
    const roles = ops.find((o) => o.operationId === selectors.find((s) => s.association === 'System.UserRoles')!.optionsOperationId)!;
    expect(roles.constants?.XPath).toBe("//System.UserRole[System.grantableRoles[reversed()]/System.UserRole/System.UserRoles = '[%CurrentUser%]']");
  });

  it('answers every retrieve of its pages that needs no page parameter', async () => {
    const ops = JSON.parse(readFileSync(join(deployment, 'model', 'operations.json'), 'utf8')) as Operation[];
    const retrieves = ops.filter((o) => o.operationType === 'retrieve' && Object.keys(o.parameters ?? {}).length === 0);
    expect(retrieves.length).toBeGreaterThanOrEqual(2);
    for (const op of retrieves) {
      const r = await admin.op(op.operationId, { options: { offset: 0, amount: 20, wantCount: true } });
      expect(r.status, JSON.stringify({ op, body: r.body })).toBe(200);
    }
  });
});
