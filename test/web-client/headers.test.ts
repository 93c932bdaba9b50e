import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/model/index.js';
import { registryCheck } from '../../src/client-api/registry/index.js';
import { clientApiComponent } from '../../src/client-api/component.js';
import { xasComponent } from '../../src/http/xas-component.js';
import { resolveSettings } from '../../src/core/settings.js';
import { startRuntime, type RunningRuntime } from '../../src/app/runtime.js';
import { createLogger } from '../../src/core/logger.js';
import { clientComponent } from '../../src/web-client/component.js';
import { ROOT } from '../support/cli.js';

const running: RunningRuntime[] = [];
afterAll(async () => {
  for (const rt of running) await rt.stop();
});

async function start(settings: Record<string, unknown> = {}): Promise<string> {
  const appDir = join(ROOT, 'examples', 'employees');
  const { model } = await loadModel(appDir, { checks: [registryCheck] });
  const dir = mkdtempSync(join(tmpdir(), 'kiln-dist-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title><script type="module" src="/assets/index-AbC123.js"></script>');
  writeFileSync(join(dir, 'assets', 'index-AbC123.js'), 'console.log(1)');
  const s = await resolveSettings({ cli: { Port: 0, Host: '127.0.0.1', DeploymentDir: mkdtempSync(join(tmpdir(), 'kiln-dep-')), ...settings } });
  const rt = await startRuntime({
    appDir,
    model: model!,
    settings: s,
    components: [xasComponent(), clientApiComponent(), clientComponent({ clientDir: dir })],
    log: createLogger('silent'),
  });
  running.push(rt);
  return `http://127.0.0.1:${rt.port}`;
}

const xas = (url: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/xas/`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ action: 'no_such_action' }) });

/** The directives of a Content-Security-Policy header, by name. */
function csp(h: Headers): Map<string, string> {
  return new Map(
    (h.get('content-security-policy') ?? '')
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => {
        const [name, ...values] = d.split(/\s+/);
        return [name!, values.join(' ')];
      }),
  );
}

describe('security headers over HTTP', () => {
  it('gives the client page a strict Content-Security-Policy, no framing and a same-origin referrer', async () => {
    const url = await start();
    for (const path of ['/', '/index.html', '/assets/index-AbC123.js']) {
      const res = await fetch(`${url}${path}`);
      expect(res.status, path).toBe(200);
      expect(Object.fromEntries(csp(res.headers)), path).toEqual({
        'default-src': "'self'",
        'script-src': "'self'",
        'style-src': "'self'",
        'img-src': "'self' data:",
        'font-src': "'self'",
        'connect-src': "'self'",
        'object-src': "'none'",
        'base-uri': "'self'",
        'form-action': "'self'",
        'frame-ancestors': "'none'",
      });
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('same-origin');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('strict-transport-security')).toBeNull();
    }
  });

  it('sends nosniff, no framing and a deny-all policy with /xas/ JSON, page definitions, /health and errors', async () => {
    const url = await start();
    const answers = [
      await xas(url),
      await fetch(`${url}/pages/MyFirstModule.Employee_Overview.json`),
      await fetch(`${url}/health`),
      await fetch(`${url}/no/such/file`),
      await fetch(`${url}/xas/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' }),
    ];
    for (const res of answers) {
      expect(res.headers.get('x-content-type-options'), res.url).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), res.url).toBe('DENY');
      expect(res.headers.get('referrer-policy'), res.url).toBe('same-origin');
      expect(csp(res.headers).get('default-src'), res.url).toBe("'none'");
      expect(csp(res.headers).get('frame-ancestors'), res.url).toBe("'none'");
      expect(res.headers.get('strict-transport-security'), res.url).toBeNull();
    }
    expect(answers.map((r) => r.status)).toEqual([400, 401, 200, 404, 400]);
  });

  it('sends HSTS only for https: X-Forwarded-Proto counts only with TrustProxy', async () => {
    const direct = await start();
    expect((await fetch(`${direct}/`, { headers: { 'x-forwarded-proto': 'https' } })).headers.get('strict-transport-security')).toBeNull();
    expect((await xas(direct, { 'x-forwarded-proto': 'https' })).headers.get('strict-transport-security')).toBeNull();

    const proxied = await start({ TrustProxy: true });
    for (const res of [await fetch(`${proxied}/`, { headers: { 'x-forwarded-proto': 'https' } }), await xas(proxied, { 'x-forwarded-proto': 'https' })]) {
      expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    }
    // Plain http through the proxy: no HSTS.
    expect((await fetch(`${proxied}/`, { headers: { 'x-forwarded-proto': 'http' } })).headers.get('strict-transport-security')).toBeNull();
    expect((await fetch(`${proxied}/`)).headers.get('strict-transport-security')).toBeNull();
  });
});
