import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminComponent } from '../../src/admin/component.js';
import { defaultComponents } from '../../src/app/components.js';
import { modelChecks } from '../../src/app/model-checks.js';
import { startRuntime, type RunningRuntime } from '../../src/app/runtime.js';
import { createLogger } from '../../src/core/logger.js';
import { resolveSettings } from '../../src/core/settings.js';
import { loadModel } from '../../src/model/index.js';
import { SYSTEM_CONTEXT } from '../../src/security/user-context.js';
import { ROOT } from '../support/cli.js';

// biome-ignore lint/suspicious/noExplicitAny: the feedback's shape differs per action; each test reads what it checks
type Feedback = Record<string, any>;

const PASSWORD = 'admin-api-secret';
let rt: RunningRuntime;
let admin: string;
let app: string;
let shutdowns = 0;

/** One admin action as m2ee-tools sends it: POST / with JSON and the base64 password. */
async function m2ee(action: string, params?: Record<string, unknown>, opts: { password?: string; contentType?: string } = {}) {
  const res = await fetch(`${admin}/`, {
    method: 'POST',
    headers: {
      'content-type': opts.contentType ?? 'application/json',
      'x-m2ee-authentication': Buffer.from(opts.password ?? PASSWORD).toString('base64'),
    },
    body: JSON.stringify(params === undefined ? { action } : { action, params }),
  });
  return { status: res.status, body: (await res.json()) as { result: number; feedback?: Feedback; message?: string; cause?: string } };
}

const readText = (f: string) => {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return '';
  }
};

async function until(ok: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Prometheus' text format: `name{label="v",...} value` lines, comments skipped. */
function parsePrometheus(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  const out: { name: string; labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

beforeAll(async () => {
  const appDir = join(ROOT, 'examples', 'employees');
  const { model } = await loadModel(appDir, { checks: modelChecks() });
  const settings = await resolveSettings({
    cli: {
      Port: 0,
      AdminPort: 0,
      AdminApiPassword: PASSWORD,
      MetricsEnabled: true,
      HashAlgorithmCost: 4,
      LogNodeLevels: 'Security=WARNING',
      DeploymentDir: mkdtempSync(join(tmpdir(), 'kiln-admin-')),
    },
  });
  const components = [adminComponent({ env: {}, shutdown: () => shutdowns++ }), ...defaultComponents().filter((c) => c.name !== 'admin')];
  rt = await startRuntime({ appDir, model: model!, settings, components, log: createLogger('silent') });
  admin = `http://127.0.0.1:${rt.ctx.services.require('admin').port}`;
  app = `http://127.0.0.1:${rt.port}`;
}, 60000);

afterAll(async () => {
  await rt?.stop();
});

describe('the admin API over HTTP', () => {
  it('refuses a wrong, missing or plain (not base64) password with result -4 and 401', async () => {
    expect(await m2ee('echo', { echo: 'ping' }, { password: 'wrong' })).toEqual({ status: 401, body: { result: -4, message: 'forbidden' } });
    const plain = await fetch(`${admin}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-m2ee-authentication': PASSWORD },
      body: '{"action":"echo"}',
    });
    expect(plain.status).toBe(401);
    const none = await fetch(`${admin}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"action":"echo"}' });
    expect(((await none.json()) as { result: number }).result).toBe(-4);
  });

  it("answers protocol errors with Mendix's codes", async () => {
    expect((await m2ee('no_such_action', {})).body).toEqual({ result: -5, message: 'action not found.' });
    expect((await m2ee('echo', {}, { contentType: 'text/plain' })).body.result).toBe(-2);
    const get = await fetch(`${admin}/`);
    expect(((await get.json()) as { result: number }).result).toBe(-3);
    const auth = Buffer.from(PASSWORD).toString('base64');
    const bad = await fetch(`${admin}/`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-m2ee-authentication': auth }, body: '{nope' });
    expect(((await bad.json()) as { result: number }).result).toBe(-6);
    const empty = await fetch(`${admin}/`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-m2ee-authentication': auth }, body: '' });
    expect(((await empty.json()) as { result: number }).result).toBe(-1);
  });

  it('accepts params sent (m2ee-tools) or left out (the buildpack)', async () => {
    expect((await m2ee('echo', { echo: 'ping' })).body).toEqual({ result: 0, feedback: { echo: 'pong' } });
    expect((await m2ee('echo')).body).toEqual({ result: 0, feedback: { echo: 'pong' } });
  });

  it('reports status, about, the action list and an open license', async () => {
    expect((await m2ee('runtime_status', {})).body.feedback).toEqual({ status: 'running' });
    const about = (await m2ee('about', {})).body.feedback!;
    expect(about).toMatchObject({ name: 'Kiln', model_version: expect.any(String), xasid: expect.any(String) });
    expect(about.java_version).toContain('Node.js');
    const info = (await m2ee('get_admin_action_info', {})).body.feedback!.action_info;
    for (const a of ['echo', 'start', 'shutdown', 'set_log_level', 'get_license_information', 'check_health']) expect(info).toHaveProperty(a);
    const lic = (await m2ee('get_license_information', {})).body.feedback!.license;
    expect(lic.LicenseType).toBe('Open');
    expect(lic.UserLimitations[0].AmountType).toBe('Unlimited');
  });

  it('takes configuration, start (already running), DDL (none) and acknowledges the m2ee set-up actions', async () => {
    expect(
      (await m2ee('update_appcontainer_configuration', { runtime_port: 8080, runtime_listen_addresses: '*', runtime_jetty_options: {} })).body.result,
    ).toBe(0);
    expect((await m2ee('update_configuration', { DTAPMode: 'P', MicroflowConstants: {} })).body.result).toBe(0);
    expect((await m2ee('start', {})).body.result).toBe(0);
    expect((await m2ee('get_ddl_commands', { verbose: true })).body.feedback).toEqual({ ddl_commands: [], count: 0 });
    expect((await m2ee('execute_ddl_commands', {})).body.result).toBe(0);
    for (const a of ['close_stdio', 'start_logging']) expect((await m2ee(a, {})).body.result).toBe(0);
  });

  it('changes administrator passwords and lists logged-in users', async () => {
    expect((await m2ee('create_admin_user', { password: 'Another1!' })).body.result).toBe(0);
    expect((await m2ee('update_admin_user', { username: 'MxAdmin', password: 'Third1!x' })).body.result).toBe(0);
    expect((await m2ee('update_admin_user', { username: 'nobody', password: 'Third1!x' })).body.result).toBe(1);
    expect((await m2ee('update_admin_user', { password: 'Third1!x' })).body.result).toBe(1);
    const users = (await m2ee('get_logged_in_user_names', {})).body.feedback!;
    expect(users).toEqual({ count: 0, users: [] });
  });

  it('gives statistics in the shapes m2ee-tools and the buildpack read', async () => {
    const before = (await m2ee('runtime_statistics', {})).body.feedback!;
    expect(before).toMatchObject({
      cache: { total_count: 0 },
      sessions: { named_users: 0, anonymous_sessions: 0 },
      connectionbus: { select: expect.any(Number) },
    });
    expect(before.memory.used_heap).toBeGreaterThan(0);
    const server = (await m2ee('server_statistics', {})).body.feedback!;
    expect(server.threadpool).toHaveProperty('max_threads');
    expect(server.jetty).toHaveProperty('current_connections');
    expect((await m2ee('cache_statistics', {})).body.feedback).toEqual({ totals: {}, user_totals: [] });
  });

  it('lists requests in flight and interrupts one', async () => {
    expect((await m2ee('get_current_runtime_requests', {})).body.feedback).toEqual({});
    expect((await m2ee('interrupt_request', { request_id: 'none' })).body.feedback).toEqual({ result: false });
    // A request whose body is still arriving is in flight.
    const u = new URL(app);
    const req = request({
      host: u.hostname,
      port: u.port,
      method: 'POST',
      path: '/xas/',
      headers: { 'content-type': 'application/json', 'content-length': '100' },
    });
    const closed = new Promise<string>((r) => {
      req.on('error', (e) => r(e.message));
      req.on('response', (res) => r(String(res.statusCode)));
    });
    req.write('{"action":');
    let inFlight: Feedback = {};
    for (let i = 0; i < 50 && Object.keys(inFlight).length === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      inFlight = (await m2ee('get_current_runtime_requests', {})).body.feedback!;
    }
    const [id, info] = Object.entries(inFlight)[0]!;
    expect(info).toMatchObject({ type: 'CLIENT', url: '/xas/', user: '', request_duration: expect.any(Number) });
    expect((await m2ee('interrupt_request', { request_id: id })).body.feedback).toEqual({ result: true });
    expect(await closed).toMatch(/socket hang up|ECONNRESET/);
  });

  it('checks health (no health-check microflow configured: unknown)', async () => {
    expect((await m2ee('check_health', {})).body.feedback).toMatchObject({ health: 'unknown' });
  });

  it('changes log levels per node (Mendix names; former Kiln names mean the same node) at run time', async () => {
    expect((await m2ee('set_log_level', { subscriber: '*', nodes: [{ name: 'Data', level: 'DEBUG' }], force: 'true' })).body.result).toBe(0);
    expect((await m2ee('set_log_level', { subscriber: '*', node: 'Jetty', level: 'WARNING' })).body.result).toBe(0);
    expect((await m2ee('set_log_level', { subscriber: '*', node: 'Jetty', level: 'LOUD' })).body.result).toBe(1);
    expect((await m2ee('set_log_level', { subscriber: 'NoSuchSubscriber', node: 'Jetty', level: 'INFO' })).body.result).toBe(1);
    // An unknown node is refused unless force creates it (a typo is not silently kept).
    const typo = (await m2ee('set_log_level', { subscriber: '*', node: 'Jety', level: 'DEBUG' })).body;
    expect(typo).toMatchObject({ result: 1, message: expect.stringContaining("no log node named 'Jety'") });
    expect((await m2ee('set_log_level', { subscriber: '*', node: 'MyModule', level: 'DEBUG', force: true })).body.result).toBe(0);
    expect((await m2ee('set_log_level', { subscriber: '*', node: 'MyModule', level: 'INFO' })).body.result).toBe(0);
    const settings = (await m2ee('get_log_settings', { sort: 'subscriber' })).body.feedback!;
    expect(settings.ConsoleLog).toMatchObject({ ConnectionBus: 'DEBUG', Jetty: 'WARNING', Security: 'WARNING', MicroflowEngine: 'NONE' });
    expect(rt.ctx.log.child({ node: 'ConnectionBus' }).isLevelEnabled('debug')).toBe(true);
    expect(rt.ctx.log.child({ node: 'Jetty' }).isLevelEnabled('info')).toBe(false);
  });

  it('creates file and syslog subscribers with their own levels, writing to their own outputs, and removes them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-logsub-'));
    const file = join(dir, 'logs', 'm2ee.log');
    const udp = createSocket('udp4');
    const datagrams: string[] = [];
    udp.on('message', (m) => datagrams.push(m.toString('utf8')));
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
    try {
      // As m2ee-tools sends m2ee.yaml's logging section.
      const fileSub = { type: 'file', name: 'FileSubscriber', autosubscribe: 'INFO', filename: file, max_size: 10485760, max_rotation: 7 };
      expect((await m2ee('create_log_subscriber', fileSub)).body.result).toBe(0);
      expect((await m2ee('create_log_subscriber', fileSub)).body.result).toBe(3);
      const sys = {
        type: 'syslog',
        name: 'SysLogSubscriber',
        autosubscribe: 'WARNING',
        host: '127.0.0.1',
        port: udp.address().port,
        facility: 'LOCAL7',
        prefix: 'employees',
      };
      expect((await m2ee('create_log_subscriber', sys)).body.result).toBe(0);
      expect((await m2ee('create_log_subscriber', { type: 'file', name: 'Relative', filename: 'm2ee.log' })).body).toMatchObject({
        result: 1,
        message: expect.stringContaining('absolute'),
      });
      expect((await m2ee('create_log_subscriber', { type: 'carrier-pigeon', name: 'Bird' })).body.result).toBe(1);
      // One node up to TRACE for the file subscriber only.
      expect((await m2ee('set_log_level', { subscriber: 'FileSubscriber', node: 'MicroflowEngine', level: 'TRACE' })).body.result).toBe(0);
      const settings = (await m2ee('get_log_settings', {})).body.feedback!;
      expect(settings.FileSubscriber).toMatchObject({ MicroflowEngine: 'TRACE', Jetty: 'INFO' });
      expect(settings.SysLogSubscriber).toMatchObject({ MicroflowEngine: 'WARNING' });
      expect(settings.ConsoleLog).toMatchObject({ MicroflowEngine: 'NONE' });

      const mf = rt.ctx.log.child({ node: 'MicroflowEngine' });
      mf.trace('trace line');
      mf.info('info line');
      mf.error('error line');
      rt.ctx.log.child({ node: 'SystemTask' }).debug('debug line no one wants');
      await until(() => datagrams.length >= 1 && readText(file).includes('error line'));
      const lines = readText(file)
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { msg: string; node: string });
      expect(lines.map((l) => l.msg)).toEqual(['trace line', 'info line', 'error line']);
      expect(lines[0]!.node).toBe('MicroflowEngine');
      // <LOCAL7 * 8 + error 3> then the BSD timestamp, host, prefix.
      expect(datagrams).toHaveLength(1);
      expect(datagrams[0]).toMatch(/^<187>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ employees: MicroflowEngine - error line$/);

      expect((await m2ee('remove_log_subscriber', { name: 'FileSubscriber' })).body.result).toBe(0);
      expect((await m2ee('remove_log_subscriber', { name: 'FileSubscriber' })).body.result).toBe(1);
      expect((await m2ee('remove_log_subscriber', { name: 'SysLogSubscriber' })).body.result).toBe(0);
      expect((await m2ee('remove_log_subscriber', { name: 'ConsoleLog' })).body.result).toBe(1);
      mf.error('after removal');
      await new Promise((r) => setTimeout(r, 100));
      expect(readText(file)).not.toContain('after removal');
      expect(datagrams).toHaveLength(1);
      expect(Object.keys((await m2ee('get_log_settings', {})).body.feedback!)).toEqual(['ConsoleLog']);
      // Nothing wants MicroflowEngine's trace lines any more: its loggers are back at the console's level.
      expect(mf.isLevelEnabled('fatal')).toBe(false);
    } finally {
      udp.close();
    }
  });

  it('serves Prometheus metrics whose counts match the requests sent', async () => {
    const scrape = async (url: string) => parsePrometheus(await (await fetch(url)).text());
    const value = (s: ReturnType<typeof parsePrometheus>, name: string, labels: Record<string, string> = {}) =>
      s.filter((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v)).reduce((n, x) => n + x.value, 0);
    const before = await scrape(`${admin}/prometheus`);
    const N = 7;
    for (let i = 0; i < N; i++) {
      await fetch(`${app}/xas/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'no_such_action' }) });
      await fetch(`${app}/health/ready`);
    }
    for (let i = 0; i < 3; i++) await rt.ctx.services.require('microflows').runMicroflow('MyFirstModule.GetAllEmployees', {}, SYSTEM_CONTEXT);
    const after = await scrape(`${admin}/prometheus`);
    const d = (name: string, labels: Record<string, string> = {}) => value(after, name, labels) - value(before, name, labels);
    expect(d('mx_runtime_stats_handler_requests', { name: 'xas/' })).toBe(N);
    expect(d('mx_runtime_stats_handler_requests', { name: 'health/' })).toBe(N);
    expect(d('kiln_http_request_duration_seconds_count', { handler: 'xas/', action: 'no_such_action' })).toBe(N);
    // Each readiness probe runs SELECT 1, each microflow call a retrieve, in a transaction (COMMIT).
    expect(d('mx_runtime_stats_connectionbus_selects')).toBeGreaterThanOrEqual(N + 3);
    expect(d('mx_runtime_stats_connectionbus_transactions')).toBeGreaterThanOrEqual(3);
    expect(d('kiln_microflow_duration_seconds_count', { microflow: 'MyFirstModule.GetAllEmployees', outcome: 'ok' })).toBe(3);
    for (const name of [
      'mx_runtime_stats_sessions_named_users',
      'mx_runtime_stats_sessions_anonymous_sessions',
      'mx_runtime_stats_connectionbus_inserts',
      'process_cpu_user_seconds_total',
      'kiln_database_pool_size',
      'nodejs_eventloop_lag_seconds',
    ])
      expect(after.some((s) => s.name === name)).toBe(true);
    expect(after.find((s) => s.name === 'mx_runtime_stats_handler_requests')!.labels.XASId).toBeTruthy();
    // Every transaction of the workload has ended.
    expect(value(after, 'kiln_database_transactions_open')).toBe(0);
    // The app port's /metrics (MetricsEnabled) serves the same registry.
    const appScrape = await scrape(`${app}/metrics`);
    expect(value(appScrape, 'mx_runtime_stats_handler_requests', { name: 'xas/' })).toBe(value(after, 'mx_runtime_stats_handler_requests', { name: 'xas/' }));
    const stats = (await m2ee('runtime_statistics', {})).body.feedback!;
    expect(stats.requests.find((r: { name: string }) => r.name === 'xas/').value).toBeGreaterThanOrEqual(N);
  });

  it('shuts down on shutdown', async () => {
    expect((await m2ee('shutdown', {})).body.result).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(shutdowns).toBe(1);
  });
});
