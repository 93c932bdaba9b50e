import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/model/index.js';
import { registryCheck } from '../../src/client-api/registry/index.js';
import { clientApiComponent } from '../../src/client-api/component.js';
import { xasComponent } from '../../src/http/xas-component.js';
import { resolveSettings } from '../../src/core/settings.js';
import { startRuntime, type RunningRuntime } from '../../src/app/runtime.js';
import { createLogger } from '../../src/core/logger.js';
import { clientComponent } from '../../src/web-client/component.js';
import { writeApp } from '../support/app-folder.js';
import { ROOT } from '../support/cli.js';

async function start(appDir: string, clientDir: string): Promise<RunningRuntime> {
  const { model } = await loadModel(appDir, { checks: [registryCheck] });
  const settings = await resolveSettings({ cli: { Port: 0, Host: '127.0.0.1', DeploymentDir: mkdtempSync(join(tmpdir(), 'kiln-dep-')) } });
  return startRuntime({
    appDir,
    model: model!,
    settings,
    components: [xasComponent(), clientApiComponent(), clientComponent({ clientDir })],
    log: createLogger('silent'),
  });
}

/** A stand-in for client/dist with a hashed asset, so the headers do not depend on a build. */
function builtClient(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-dist-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title><script type="module" src="/assets/index-AbC123.js"></script>');
  writeFileSync(join(dir, 'assets', 'index-AbC123.js'), 'console.log(1)');
  return dir;
}

const OPEN_APP = {
  'app.yaml': 'name: Open\nmodules: [M]\nsecurity: { level: "off" }\nnavigation: { home: M.Things, menu: [{ caption: Things, page: M.Things }] }\n',
  'modules/M/domain-model.yaml': 'entities:\n  Thing:\n    attributes:\n      Name: String\n',
  'modules/M/pages/Things.yaml':
    'title: Things\nwidgets:\n  - dataGrid:\n      name: grid\n      source: { xpath: //M.Thing, sort: [Name] }\n      columns: [Name]\n',
};

describe('serving the browser client', () => {
  let rt: RunningRuntime;
  let url: string;
  beforeAll(async () => {
    rt = await start(join(ROOT, 'examples', 'employees'), builtClient());
    url = `http://127.0.0.1:${rt.port}`;
  });
  afterAll(async () => {
    await rt?.stop();
  });

  it('serves index.html uncached and hashed assets for a year', async () => {
    const index = await fetch(`${url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const asset = await fetch(`${url}/assets/index-AbC123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const again = await fetch(`${url}/assets/index-AbC123.js`, { headers: { 'If-None-Match': asset.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expect((await fetch(`${url}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });

  it('gives page definitions only to a signed-in user', async () => {
    const res = await fetch(`${url}/pages/MyFirstModule.Employee_Overview.json`);
    expect(res.status).toBe(401);
    expect((await fetch(`${url}/pages/_navigation.json`)).status).toBe(401);
    expect((await fetch(`${url}/pages/..%2Fapp.json`)).status).toBe(404);
  });
});

describe('serving page definitions with security off', () => {
  let rt: RunningRuntime;
  let url: string;
  beforeAll(async () => {
    rt = await start(writeApp(OPEN_APP), builtClient());
    url = `http://127.0.0.1:${rt.port}`;
  });
  afterAll(async () => {
    await rt?.stop();
  });

  it('serves pages and navigation, revalidated with an ETag', async () => {
    const nav = await fetch(`${url}/pages/_navigation.json`);
    expect(nav.status).toBe(200);
    expect(await nav.json()).toMatchObject({ appName: 'Open', home: 'M.Things', menu: [{ caption: 'Things', page: 'M.Things' }], securityLevel: 'off' });
    const page = await fetch(`${url}/pages/M.Things.json`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('private, no-cache');
    const def = await page.json();
    expect(def).toMatchObject({ name: 'M.Things', title: 'Things', popup: false, widgets: [{ type: 'dataGrid', name: 'grid', entity: 'M.Thing' }] });
    const again = await fetch(`${url}/pages/M.Things.json`, { headers: { 'If-None-Match': page.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expect((await fetch(`${url}/pages/M.Nothing.json`)).status).toBe(404);
  });
});

describe('a runtime whose client is not built', () => {
  it('says so at / instead of failing to start', async () => {
    const rt = await start(writeApp(OPEN_APP), join(tmpdir(), 'kiln-no-such-dist'));
    try {
      const res = await fetch(`http://127.0.0.1:${rt.port}/`);
      expect(res.status).toBe(503);
      expect(await res.text()).toContain('npm run build');
    } finally {
      await rt.stop();
    }
  });
});
