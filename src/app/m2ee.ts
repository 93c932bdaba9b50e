import { join } from 'node:path';
import { adminComponent, adminEndpoint } from '../admin/component.js';
import { registerActions, type ReceivedConfiguration } from '../admin/actions.js';
import { AdminApi, type AdminParams, type AdminResult, fail, ok } from '../admin/api.js';
import type { Logger } from '../core/logger.js';
import type { RuntimeComponent } from '../core/runtime-context.js';
import type { Settings } from '../core/settings.js';
import { SETTINGS } from '../core/settings-registry.js';
import { openDatabase, syncSchema, DatabaseConnectionError } from '../data/index.js';
import { previewSync } from '../data/schema/sync.js';
import type { CConstant, CompiledModel } from '../model/compiled/types.js';
import { startRuntime, type RunningRuntime } from './runtime.js';
import { LOG_NODES } from '../core/log-node-names.js';

/** Mendix's `start` results (m2ee-tools' client_errno). */
const START_DB_MISSING = 2;
const START_DB_OUT_OF_DATE = 3;
const START_FAILED = 12;

export interface M2eeOptions {
  readonly appDir: string;
  readonly model: CompiledModel;
  readonly log: Logger;
  /** The settings as given (app.yaml, file, environment, flags), plus what the admin API received. */
  readonly settings: (overrides: Record<string, unknown>) => Promise<Settings>;
  readonly components: readonly RuntimeComponent[];
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface M2eeSession {
  readonly api: AdminApi;
  /** Resolves once `shutdown` was received and the runtime (if started) has stopped. */
  readonly done: Promise<void>;
  /** The runtime, once `start` has started it. */
  runtime(): RunningRuntime | undefined;
  /** Stops (a signal): the runtime if it runs, then the admin API. */
  stop(): Promise<void>;
}

/** The settings Mendix's configuration names (update_configuration, update_appcontainer_configuration, M2EE_RUNTIME_*) as Kiln's. */
export function kilnOverrides(config: ReceivedConfiguration, env: Readonly<Record<string, string | undefined>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const rt = config.runtime;
  // Kiln's own settings by name; Mendix's other keys (DTAPMode, ...) have no Kiln counterpart.
  for (const k of Object.keys(rt)) if (Object.hasOwn(SETTINGS, k)) out[k] = rt[k];
  // Mendix gives MyScheduledEvents as a list; Kiln's setting is comma-separated.
  if (Array.isArray(rt.MyScheduledEvents)) out.MyScheduledEvents = rt.MyScheduledEvents.map(String).join(',');
  const str = (k: string) => (typeof rt[k] === 'string' || typeof rt[k] === 'number' ? String(rt[k]) : undefined);
  const type = str('DatabaseType')?.toUpperCase();
  const host = str('DatabaseHost');
  const name = str('DatabaseName');
  if (rt.DatabaseUrl !== undefined) out.DatabaseUrl = rt.DatabaseUrl;
  else if (type === 'HSQLDB' || type === 'SQLITE') out.DatabaseUrl = `sqlite:${name ?? 'database.sqlite'}`;
  else if (type && host && name) {
    const scheme = type === 'POSTGRESQL' ? 'postgres' : type === 'MYSQL' || type === 'MARIADB' ? 'mysql' : type.toLowerCase();
    const user = str('DatabaseUserName');
    const password = str('DatabasePassword');
    const auth = user ? `${encodeURIComponent(user)}${password ? `:${encodeURIComponent(password)}` : ''}@` : '';
    out.DatabaseUrl = `${scheme}://${auth}${host}/${encodeURIComponent(name)}`;
  }
  const port = config.appContainer.runtime_port ?? env.M2EE_RUNTIME_PORT;
  if (port !== undefined && port !== '') out.Port = Number(port);
  const listen = config.appContainer.runtime_listen_addresses ?? env.M2EE_RUNTIME_LISTEN_ADDRESSES;
  if (typeof listen === 'string' && listen !== '') out.Host = listen === '*' ? '0.0.0.0' : listen.split(',')[0]!.trim();
  return out;
}

/** The model with MicroflowConstants from update_configuration (name → value) in place of the constants' values. */
function withConstants(model: CompiledModel, given: unknown): CompiledModel {
  if (given === null || typeof given !== 'object') return model;
  const values = given as Record<string, unknown>;
  const constants = new Map<string, CConstant>();
  for (const [name, c] of model.constants) {
    const v = values[name];
    if (v === undefined) {
      constants.set(name, c);
      continue;
    }
    const value =
      c.type === 'Integer' || c.type === 'Long'
        ? Number(v)
        : c.type === 'Boolean'
          ? v === true || String(v).toLowerCase() === 'true'
          : v === null
            ? null
            : String(v);
    constants.set(name, { ...c, value });
  }
  return { ...model, constants };
}

/**
 * Kiln started as m2ee-tools starts the Mendix runtime (M2EE_ADMIN_PORT and
 * M2EE_ADMIN_PASS set): only the admin API listens; it receives the
 * configuration, then `start` starts the runtime. A database whose schema
 * does not match the model answers `start` with result 3 ("database needs
 * synchronisation"): `get_ddl_commands` shows the statements,
 * `execute_ddl_commands` runs them, and `start` again starts. `shutdown` stops
 * it all. Undefined when the environment does not ask for this.
 */
export async function startM2ee(opts: M2eeOptions): Promise<M2eeSession | undefined> {
  const base = await opts.settings({});
  const endpoint = opts.env.M2EE_ADMIN_PORT ? adminEndpoint(base, opts.env) : undefined;
  if (!endpoint) return undefined;
  const log = opts.log.child({ node: LOG_NODES.m2ee });
  const api = new AdminApi(endpoint.password, log);
  const config: ReceivedConfiguration = { runtime: {}, appContainer: {} };
  let runtime: RunningRuntime | undefined;
  let finish: () => void = () => {};
  const done = new Promise<void>((r) => {
    finish = r;
  });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      api.status = 'stopping';
      try {
        await runtime?.stop({ timeoutMs: runtime.ctx.settings.get('ShutdownTimeout') ?? 10000 });
      } finally {
        api.status = 'stopped';
        await api.close();
        finish();
      }
    })();
    return stopping;
  };
  const current = async () => {
    const settings = await opts.settings(kilnOverrides(config, opts.env));
    const model = withConstants(opts.model, config.runtime.MicroflowConstants);
    const deploymentDir = settings.get('DeploymentDir') ?? join(opts.appDir, '.deployment');
    const url = settings.get('DatabaseUrl') ?? `sqlite:${join(deploymentDir, 'database.sqlite')}`;
    return { settings, model, url };
  };
  /** The statements the schema needs, without running them. */
  const plan = async (): Promise<string[]> => {
    const { model, url } = await current();
    const db = await openDatabase(url, { log, poolSize: 1 });
    try {
      return (await previewSync(db, model)).steps.map((s) => inline(s.sql, s.params));
    } finally {
      await db.close();
    }
  };
  registerActions(
    api,
    config,
    {
      async start(params: AdminParams): Promise<AdminResult> {
        const { settings, model } = await current();
        if (params.autocreatedb !== true) {
          let ddl: string[];
          try {
            ddl = await plan();
          } catch (e) {
            if (e instanceof DatabaseConnectionError) return fail(START_DB_MISSING, 'the database does not exist or cannot be reached', e.message);
            throw e;
          }
          if (ddl.length)
            return {
              result: START_DB_OUT_OF_DATE,
              message: 'The database has to be updated: database needs synchronisation (get_ddl_commands, execute_ddl_commands)',
              feedback: { synchronizationreason: `${ddl.length} statement(s) to run` },
            };
        }
        api.status = 'starting';
        try {
          runtime = await startRuntime({ appDir: opts.appDir, model, settings, components: withAdminApi(opts.components, api), log: opts.log });
        } catch (e) {
          api.status = 'created';
          return fail(START_FAILED, 'the runtime did not start', (e as Error).message);
        }
        return ok();
      },
      ddlCommands: plan,
      async executeDdl(): Promise<AdminResult> {
        const { settings, model, url } = await current();
        const db = await openDatabase(url, { log, poolSize: 1 });
        try {
          const r = await db.withoutTimeouts(() => syncSchema(db, model, { allowDestructive: settings.get('AllowDestructiveSync') ?? false, log }));
          return ok({ executed: r.statements.length });
        } finally {
          await db.close();
        }
      },
    },
    () => void stop(),
  );
  await api.listen(endpoint.host, endpoint.port);
  return { api, done, runtime: () => runtime, stop };
}

/** The components with the admin component taking the admin API that is already listening. */
function withAdminApi(components: readonly RuntimeComponent[], api: AdminApi): RuntimeComponent[] {
  return [adminComponent({ api }), ...components.filter((c) => c.name !== 'admin')];
}

/** A statement with its parameters as literals, for get_ddl_commands (reading only; execute_ddl_commands binds them). */
function inline(sql: string, params: readonly unknown[]): string {
  if (!params.length) return sql;
  let i = 0;
  const lit = (v: unknown) =>
    v === null || v === undefined
      ? 'NULL'
      : typeof v === 'number' || typeof v === 'bigint'
        ? String(v)
        : typeof v === 'boolean'
          ? v
            ? 'TRUE'
            : 'FALSE'
          : `'${String(v).replace(/'/g, "''")}'`;
  return sql.replace(/\?|\$\d+/g, (m) => lit(m === '?' ? params[i++] : params[Number(m.slice(1)) - 1]));
}
