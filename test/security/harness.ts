import { cpSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { loadModel } from '../../src/model/index.js';
import { resolveSettings } from '../../src/core/settings.js';
import { startRuntime, type RunningRuntime } from '../../src/app/runtime.js';
import { defaultComponents } from '../../src/app/components.js';
import { createLogger } from '../../src/core/logger.js';
import type { XasDispatcher } from '../../src/http/xas.js';
import { SESSIONS_SERVICE, type SessionsService } from '../../src/security/services.js';
import { ROOT } from '../support/cli.js';

/** Users the tests log in as, one per user role of examples/sales (password meets its policy). */
export const DEMO_USERS = [
  { name: 'admin2', password: 'Admin2-pass', roles: ['Administrator'] },
  { name: 'manager', password: 'Manager123', roles: ['SalesManager'] },
  { name: 'customer', password: 'Customer123', roles: ['Customer'] },
  { name: 'inactive', password: 'Inactive123', roles: ['Customer'] },
  { name: 'service', password: 'Service123', roles: ['Customer'] },
];
export const ROLE_USER: Record<string, string> = { Administrator: 'admin2', SalesManager: 'manager', Customer: 'customer' };

/**
 * A copy of examples/sales with demo users and the given security changes, in
 * a temporary folder (the example itself stays untouched).
 */
export function salesCopy(security: Record<string, unknown> = {}): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-sales-'));
  cpSync(join(ROOT, 'examples', 'sales'), dir, { recursive: true, filter: (src) => !src.includes('.deployment') });
  const appFile = join(dir, 'app.yaml');
  const app = parse(readFileSync(appFile, 'utf8')) as Record<string, Record<string, unknown>>;
  app.security = { ...app.security, demoUsers: DEMO_USERS, ...security };
  delete (app as Record<string, unknown>).$schema;
  writeFileSync(appFile, stringify(app));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TestRuntime {
  readonly rt: RunningRuntime;
  readonly url: string;
  readonly sessions: SessionsService;
  readonly xas: XasDispatcher;
  stop(): Promise<void>;
}

/** Starts the runtime in this process on the app folder and database, with test-sized settings. */
export async function startApp(appDir: string, dbUrl: string, settings: Record<string, unknown> = {}, env: Record<string, string> = {}): Promise<TestRuntime> {
  const { model, diagnostics } = await loadModel(appDir, { env });
  if (!model) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  const deploymentDir = mkdtempSync(join(tmpdir(), 'kiln-deploy-'));
  const s = await resolveSettings({
    app: model.app.settings,
    // Tests log in many times from one address: the login throttle gets a wide budget unless a test sets its own.
    cli: { DatabaseUrl: dbUrl, Port: 0, Host: '127.0.0.1', DeploymentDir: deploymentDir, HashAlgorithmCost: 4, LoginThrottleAttempts: 1000, ...settings },
  });
  const rt = await startRuntime({ appDir, model, settings: s, components: defaultComponents(), log: createLogger('warn') });
  return {
    rt,
    url: `http://127.0.0.1:${rt.port}`,
    sessions: rt.ctx.services.get(SESSIONS_SERVICE) as SessionsService,
    xas: rt.ctx.services.get('xas') as XasDispatcher,
    async stop() {
      await rt.stop();
      rmSync(deploymentDir, { recursive: true, force: true });
    },
  };
}

export interface XasResponse {
  status: number;
  body: Record<string, unknown>;
  setCookie: string | null;
}

/** POST /xas/ as the browser client does. */
export async function xas(url: string, body: unknown, headers: Record<string, string> = {}): Promise<XasResponse> {
  const res = await fetch(`${url}/xas/`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, setCookie: res.headers.get('set-cookie') };
}

export interface LoggedIn {
  cookie: string;
  csrf: string;
  sessionId: string;
}

export async function login(
  url: string,
  username: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<XasResponse & { session?: LoggedIn }> {
  const r = await xas(url, { action: 'login', params: { username, password } }, headers);
  if (r.status !== 200) return r;
  const m = /XASSESSIONID=([^;]*)/.exec(r.setCookie ?? '');
  if (!m) throw new Error(`login answered 200 without a session cookie: ${r.setCookie}`);
  return { ...r, session: { cookie: `XASSESSIONID=${m[1]}`, csrf: String(r.body.csrftoken), sessionId: decodeURIComponent(m[1]!) } };
}

export function authHeaders(s: LoggedIn): Record<string, string> {
  return { cookie: s.cookie, 'x-csrf-token': s.csrf };
}

/**
 * A state-changing test action that answers who the session belongs to
 * (registered by the tests only): shows that the guard let a request through
 * with the session it resolved.
 */
export function registerWhoAmI(t: TestRuntime): void {
  if (t.xas.get('test_whoami')) return;
  t.xas.register('test_whoami', {
    requiresCsrf: true,
    async handler(_body, request) {
      const c = await t.sessions.contextOf(request);
      return { user: c?.userName ?? null, roles: c?.userRoles ?? [] };
    },
  });
}
