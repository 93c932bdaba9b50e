import { readFileSync } from 'node:fs';
import { memoryUsage } from 'node:process';
import { placeholder } from '../data/index.js';
import { isAbsolute } from 'node:path';
import { consoleOutput, fileOutput, syslogFacility, syslogOutput } from '../core/log-outputs.js';
import { mendixLevel, pinoLevel, type LogOutput } from '../core/logger.js';
import type { RuntimeContext } from '../core/runtime-context.js';
import { SystemTables } from '../security/system-tables.js';
import { SYSTEM_CONTEXT } from '../security/user-context.js';
import { type AdminApi, type AdminParams, type AdminResult, fail, ok } from './api.js';
import type { SessionCounts } from './metrics.js';

/** What the m2ee start sequence does (kiln run with the admin API waiting for `start`); absent when the runtime started on its own. */
export interface StartHooks {
  /** Starts the runtime with the configuration received so far. */
  start(params: AdminParams): Promise<AdminResult>;
  /** The DDL the schema needs (the database "needs synchronisation"). */
  ddlCommands(): Promise<string[]>;
  executeDdl(): Promise<AdminResult>;
}

/** The configuration received through update_configuration and update_appcontainer_configuration. */
export interface ReceivedConfiguration {
  runtime: Record<string, unknown>;
  appContainer: Record<string, unknown>;
}

const KILN_VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
})();

/** Mendix's result code for start when the runtime is in a state that cannot start. */
const START_INVALID_STATE = 6;

function running(api: AdminApi): RuntimeContext | undefined {
  return api.status === 'running' ? api.ctx : undefined;
}

async function sessionCounts(ctx: RuntimeContext): Promise<SessionCounts | undefined> {
  const db = ctx.services.get('db');
  if (!db) return undefined;
  const sys = new SystemTables(ctx.model, db.dialect);
  const anon = sys.col('System.User', 'IsAnonymous');
  const rows = await db.query<{ anon: unknown; sessions: unknown; users: unknown }>(
    `SELECT u.${anon} AS anon, COUNT(*) AS sessions, COUNT(DISTINCT u.id) AS users FROM ${sys.session} s JOIN ${sys.sessionUser.table} su ON su.${sys.sessionUser.session} = s.id JOIN ${sys.user} u ON u.id = su.${sys.sessionUser.user} GROUP BY u.${anon}`,
    [],
  );
  let namedUsers = 0;
  let namedUserSessions = 0;
  let anonymousSessions = 0;
  for (const r of rows) {
    if (sys.dec('System.User', 'IsAnonymous', r.anon) === true) anonymousSessions += Number(r.sessions);
    else {
      namedUsers += Number(r.users);
      namedUserSessions += Number(r.sessions);
    }
  }
  return { namedUsers, namedUserSessions, anonymousSessions };
}

export { sessionCounts };

async function setPassword(ctx: RuntimeContext, userName: string, password: string): Promise<AdminResult> {
  const db = ctx.services.require('db');
  const security = ctx.services.require('security');
  const problems = security.passwordProblems(password);
  if (problems.length) return fail(1, 'the password does not meet the password policy', problems.join(' '));
  const sys = new SystemTables(ctx.model, db.dialect);
  const hash = await security.hashNewPassword(password);
  const { affectedRows } = await db.execute(
    `UPDATE ${sys.user} SET ${sys.col('System.User', 'Password')} = ${placeholder(db.dialect, 1)} WHERE ${sys.col('System.User', 'Name')} = ${placeholder(db.dialect, 2)}`,
    [hash, userName],
  );
  if (affectedRows === 0) return fail(1, `there is no user '${userName}'`);
  return ok();
}

/** The log levels to set: `{node, level}` or `{nodes: [{name, level}]}`. */
function levelChanges(params: AdminParams): { name: string; level: string }[] {
  if (Array.isArray(params.nodes))
    return (params.nodes as unknown[]).map((n) => {
      const o = (n ?? {}) as { name?: unknown; level?: unknown };
      return { name: String(o.name ?? ''), level: String(o.level ?? '') };
    });
  return [{ name: String(params.node ?? ''), level: String(params.level ?? '') }];
}

/** Registers every action m2ee-tools and the Cloud Foundry buildpack send. */
export function registerActions(api: AdminApi, config: ReceivedConfiguration, hooks: StartHooks | undefined, shutdown: () => void): void {
  const a = api.actions;
  a.set('echo', () => ok({ echo: 'pong' }));
  a.set('runtime_status', () => ok({ status: api.status }));
  a.set('about', () =>
    ok({
      name: 'Kiln',
      version: KILN_VERSION,
      build: KILN_VERSION,
      vendor: 'Kiln (open source, Apache-2.0)',
      copyright: 'Kiln contributors',
      java_version: `Node.js ${process.version}`,
      xasid: api.xasId,
      model_version: api.ctx?.model.app.version ?? '',
      model_name: api.ctx?.model.app.name ?? '',
    }),
  );
  a.set('get_admin_action_info', () => ok({ action_info: Object.fromEntries([...a.keys()].sort().map((k) => [k, { name: k }])) }));
  a.set('update_appcontainer_configuration', (p) => {
    Object.assign(config.appContainer, p);
    return ok();
  });
  a.set('update_configuration', (p) => {
    Object.assign(config.runtime, p);
    return ok();
  });
  for (const noop of ['close_stdio', 'start_logging', 'add_mime_type', 'set_jetty_options', 'createruntime', 'update_custom_configuration'])
    a.set(noop, () => ok());
  a.set('start', async (p) => {
    if (api.status === 'running') return ok();
    if (!hooks || api.status !== 'created') return fail(START_INVALID_STATE, `the runtime cannot start while it is ${api.status}`);
    return hooks.start(p);
  });
  a.set('get_ddl_commands', async () => {
    const ddl = hooks && api.status === 'created' ? await hooks.ddlCommands() : [];
    return ok({ ddl_commands: ddl, count: ddl.length });
  });
  a.set('execute_ddl_commands', async () => (hooks && api.status === 'created' ? hooks.executeDdl() : ok()));
  a.set('shutdown', () => {
    // Answer first: the process stops right after.
    setTimeout(shutdown, 10).unref();
    return ok();
  });
  a.set('create_admin_user', async (p) => {
    const ctx = running(api);
    if (!ctx) return fail(2, 'the runtime is not running');
    const name = typeof p.username === 'string' ? p.username : ctx.model.security.adminUser?.name;
    if (!name) return fail(1, 'the app has no administrator');
    return setPassword(ctx, name, String(p.password ?? ''));
  });
  a.set('update_admin_user', async (p) => {
    const ctx = running(api);
    if (!ctx) return fail(2, 'the runtime is not running');
    if (typeof p.username !== 'string') return fail(1, 'username is required');
    return setPassword(ctx, p.username, String(p.password ?? ''));
  });
  a.set('get_logged_in_user_names', async (p) => {
    const ctx = running(api);
    const db = ctx?.services.get('db');
    if (!ctx || !db) return ok({ count: 0, users: [] });
    const sys = new SystemTables(ctx.model, db.dialect);
    const name = sys.col('System.User', 'Name');
    const rows = await db.query<{ name: string }>(
      `SELECT DISTINCT u.${name} AS name FROM ${sys.session} s JOIN ${sys.sessionUser.table} su ON su.${sys.sessionUser.session} = s.id JOIN ${sys.user} u ON u.id = su.${sys.sessionUser.user} WHERE u.${sys.col('System.User', 'IsAnonymous')} = ${placeholder(db.dialect, 1)} ORDER BY u.${name}`,
      [sys.enc('System.User', 'IsAnonymous', false)],
    );
    const limit = Number(p.limit);
    const users = rows.map((r) => r.name);
    return ok({ count: users.length, users: Number.isInteger(limit) && limit > 0 ? users.slice(0, limit) : users });
  });
  a.set('runtime_statistics', async () => {
    const m = api.metrics;
    const ctx = api.ctx;
    const s = ctx ? await sessionCounts(ctx).catch(() => undefined) : undefined;
    const mem = memoryUsage();
    return ok({
      requests: [...(m?.handlers ?? [])].map(([name, h]) => ({ name, value: h.value, last_request_timestamp: h.lastRequestTimestamp })),
      cache: { total_count: 0 },
      sessions: {
        named_users: s?.namedUsers ?? 0,
        named_user_sessions: s?.namedUserSessions ?? 0,
        anonymous_sessions: s?.anonymousSessions ?? 0,
        user_sessions: {},
      },
      connectionbus: { ...(m?.connectionBus ?? { select: 0, insert: 0, update: 0, delete: 0, transaction: 0 }) },
      memory: {
        used_heap: mem.heapUsed,
        committed_heap: mem.heapTotal,
        max_heap: mem.heapTotal,
        used_nonheap: mem.external,
        committed_nonheap: mem.external,
        max_nonheap: mem.external,
        rss: mem.rss,
        memorypools: [],
      },
    });
  });
  a.set('server_statistics', async () => {
    const server = api.ctx ? api.appServer : undefined;
    const connections = server ? await new Promise<number>((r) => server.getConnections((_e: Error | null, n: number) => r(n ?? 0))) : 0;
    return ok({
      jetty: { current_connections: connections, max_connections: 0, max_idle_time_s: 0, requests_active_max: api.inFlight.size },
      threadpool: {
        min_threads: 1,
        max_threads: 1,
        threads: 1,
        idle_threads: api.inFlight.size === 0 ? 1 : 0,
        threads_priority: 5,
        max_queued: -1,
        max_idle_time_s: 0,
        max_stop_time_s: 0,
      },
    });
  });
  // Kiln keeps no object cache on the server: its state lives in the client and the database.
  a.set('cache_statistics', () => ok({ totals: {}, user_totals: [] }));
  a.set('get_current_runtime_requests', async () => {
    const now = Date.now();
    const out: Record<string, unknown> = {};
    const userOf = api.ctx?.services.get('requestUser');
    for (const [id, r] of [...api.inFlight]) {
      const user = userOf ? await userOf(r.request).catch(() => null) : null;
      const body = r.request.body as { action?: unknown; operationId?: unknown } | undefined;
      const isXas = r.request.url.startsWith('/xas/');
      out[id] = {
        request_duration: now - r.startedAt,
        type: isXas ? 'CLIENT' : 'CUSTOM',
        user: user ?? '',
        action_stack: isXas && typeof body?.action === 'string' ? [{ type: String(body.action), name: String(body.operationId ?? body.action) }] : [],
        url: r.request.url,
      };
    }
    return ok(out);
  });
  a.set('interrupt_request', (p) => {
    const r = api.inFlight.get(String(p.request_id ?? ''));
    // Cutting the connection aborts the request's signal: its transaction is rolled back, never committed.
    if (r) r.request.raw.socket.destroy();
    return ok({ result: r !== undefined });
  });
  a.set('check_health', async () => {
    const ctx = running(api);
    if (!ctx) return fail(3, 'the runtime is not running');
    const name = ctx.settings.get('HealthCheckMicroflow');
    if (!name) return ok({ health: 'unknown', diagnosis: 'no health check microflow is configured (HealthCheckMicroflow)' });
    try {
      const r = await ctx.services.require('microflows').runMicroflow(name, {}, SYSTEM_CONTEXT);
      return r.value === null || r.value === '' ? ok({ health: 'healthy' }) : ok({ health: 'sick', diagnosis: String(r.value) });
    } catch (e) {
      return ok({ health: 'sick', diagnosis: (e as Error).message });
    }
  });
  a.set('get_log_settings', () => {
    const nodes = api.logNodes();
    const out: Record<string, Record<string, string>> = {};
    for (const name of nodes?.subscriberNames() ?? []) out[name] = nodes?.levels(name) ?? {};
    return ok(out);
  });
  a.set('set_log_level', (p) => {
    const nodes = api.logNodes();
    if (!nodes) return fail(1, 'log levels cannot be changed on this logger');
    const changes = levelChanges(p);
    // m2ee-tools names a subscriber, or '*' for all of them.
    const subscriber = typeof p.subscriber === 'string' && p.subscriber !== '*' && p.subscriber !== '' ? p.subscriber : undefined;
    if (subscriber !== undefined && !nodes.subscriberNames().includes(subscriber)) return fail(1, `there is no log subscriber named '${subscriber}'`);
    for (const c of changes) if (!c.name || !pinoLevel(c.level)) return fail(1, `invalid log node or level: '${c.name}' '${c.level}'`);
    // Mendix 6+: an unknown node is an error unless `force` asks to create it (m2ee-tools sends it to set levels before start).
    const force = p.force === true || p.force === 'true';
    if (!force) for (const c of changes) if (!nodes.hasNode(c.name)) return fail(1, `there is no log node named '${c.name}' (send force: true to create it)`);
    for (const c of changes) nodes.setLevel(c.name, c.level, subscriber);
    return ok({ nodes: Object.fromEntries(changes.map((c) => [c.name, mendixLevel(pinoLevel(c.level)!)])) });
  });
  a.set('create_log_subscriber', (p) => {
    const nodes = api.logNodes();
    if (!nodes) return fail(1, 'log subscribers cannot be added to this logger');
    const made = subscriberOutput(p);
    if (typeof made === 'string') return fail(1, made);
    const added = nodes.addSubscriber(made.name, made.type, made.output, made.level);
    if (added === 'added') return ok();
    made.output.close?.();
    return added === 'exists' ? fail(3, `a log subscriber named '${made.name}' already exists`) : fail(1, `invalid autosubscribe level '${made.level}'`);
  });
  a.set('remove_log_subscriber', (p) => {
    const name = String(p.name ?? '');
    if (!api.logNodes()?.removeSubscriber(name)) return fail(1, `there is no log subscriber named '${name}' (the console cannot be removed)`);
    return ok();
  });
  a.set('get_license_information', () =>
    ok({
      license: {
        LicenseID: 'open-source',
        LicenseType: 'Open',
        RuntimeMode: 'Production',
        Company: 'Kiln is open source (Apache-2.0): no license is needed and no user limits apply',
        SeparateAnonymousUsers: true,
        UserLimitations: [
          { LimitationType: 'Named', AmountType: 'Unlimited', NumberOfAllowedUsers: 0 },
          { LimitationType: 'Concurrent', AmountType: 'Unlimited', NumberOfAllowedUsers: 0 },
        ],
      },
    }),
  );
  a.set('set_license', () => ok());
}

/**
 * The output of a subscriber m2ee-tools creates (m2ee.yaml's `logging:` entries):
 * `file` (filename, max_size, max_rotation), `console`, `syslog` (host, port, facility,
 * prefix); every one with a name and an `autosubscribe` level (INFO when absent).
 * A string says what is wrong.
 */
function subscriberOutput(p: AdminParams): { name: string; type: string; level: string; output: LogOutput } | string {
  const name = typeof p.name === 'string' ? p.name.trim() : '';
  if (!name) return 'a log subscriber needs a name';
  if (name === '*') return "'*' means every subscriber; it cannot name one";
  const type = typeof p.type === 'string' ? p.type : '';
  const level = typeof p.autosubscribe === 'string' ? p.autosubscribe : 'INFO';
  if (!pinoLevel(level)) return `invalid autosubscribe level '${level}'`;
  const int = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined);
  if (type === 'file') {
    if (typeof p.filename !== 'string' || !isAbsolute(p.filename)) return 'a file subscriber needs an absolute filename';
    return { name, type, level, output: fileOutput(p.filename, int(p.max_size), int(p.max_rotation) ?? 7) };
  }
  if (type === 'console') return { name, type, level, output: consoleOutput() };
  if (type === 'syslog') {
    const facility = syslogFacility(typeof p.facility === 'string' ? p.facility : 'LOCAL0');
    if (facility === undefined) return `unknown syslog facility '${String(p.facility)}' (LOCAL0 … LOCAL7, USER, DAEMON, …)`;
    const port = int(p.port) ?? 514;
    if (port < 1 || port > 65535) return `invalid syslog port '${String(p.port)}'`;
    const host = typeof p.host === 'string' && p.host ? p.host : '127.0.0.1';
    return { name, type, level, output: syslogOutput(host, port, facility, typeof p.prefix === 'string' && p.prefix ? p.prefix : 'kiln') };
  }
  return `unknown log subscriber type '${type}' (file, console or syslog)`;
}
