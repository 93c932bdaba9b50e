import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { UserError } from '../model/diagnostics.js';
import type { CompiledModel } from '../model/compiled/types.js';
import { buildHttpServer, type HttpState } from '../http/server.js';
import { createLogger, type Logger } from '../core/logger.js';
import { LOG_NODES } from '../core/log-node-names.js';
import type { RuntimeComponent, RuntimeContext } from '../core/runtime-context.js';
import { ServiceRegistry } from '../core/services.js';
import type { Settings } from '../core/settings.js';

export interface RunningRuntime {
  readonly ctx: RuntimeContext;
  readonly server: FastifyInstance;
  readonly port: number;
  /**
   * Stops accepting requests, waits for those in flight, then stops the
   * components in reverse order. With `timeoutMs`, once it passes the
   * components' `abort` rolls back in-flight work (no stuck request commits
   * later), open connections are closed and the outcome is 'timed-out'.
   * Called again, returns the first call's promise.
   */
  stop(opts?: StopOptions): Promise<StopOutcome>;
}

export interface StopOptions {
  /** How long to wait for requests in flight (the ShutdownTimeout setting); default: as long as they take. */
  readonly timeoutMs?: number;
  /** After an abort: how long each further step (requests answering, components stopping) may take. Default 1000 ms. */
  readonly graceMs?: number;
}

/** 'stopped': every request in flight finished; 'timed-out': some were cut off and their transactions rolled back. */
export type StopOutcome = 'stopped' | 'timed-out';

export interface StartOptions {
  readonly appDir: string;
  readonly model: CompiledModel;
  readonly settings: Settings;
  readonly components: readonly RuntimeComponent[];
  readonly log?: Logger;
}

/** Default deployment folder: `.deployment` inside the app (git-ignored). */
function defaultDeploymentDir(appDir: string): string {
  return resolve(appDir, '.deployment');
}

/**
 * Starts the components in order (each may provide services and routes), then
 * listens, then reports ready: /health answers 200 only once every component,
 * the database included, is up. A failing component stops the ones already
 * started and the error propagates.
 */
export async function startRuntime(opts: StartOptions): Promise<RunningRuntime> {
  const log = opts.log ?? createLogger(opts.settings.get('LogLevel') ?? 'info');
  const coreLog = log.child({ node: LOG_NODES.core });
  const deploymentDir = resolve(opts.settings.get('DeploymentDir') ?? defaultDeploymentDir(opts.appDir));
  await mkdir(deploymentDir, { recursive: true });
  const ctx: RuntimeContext = { appDir: resolve(opts.appDir), deploymentDir, model: opts.model, settings: opts.settings, log, services: new ServiceRegistry() };
  const state: HttpState = { ready: false, stopping: false };
  const started: RuntimeComponent[] = [];
  const stopComponents = async () => {
    for (const c of [...started].reverse()) {
      try {
        await c.stop?.(ctx);
      } catch (e) {
        coreLog.error({ err: e, component: c.name }, 'component failed to stop');
      }
    }
    started.length = 0;
  };
  try {
    for (const c of opts.components) {
      await c.start?.(ctx);
      started.push(c);
    }
  } catch (e) {
    await stopComponents();
    throw e;
  }
  const server = await buildHttpServer(ctx, opts.components, state);
  const port = opts.settings.get('Port') ?? 8080;
  const host = opts.settings.get('Host') ?? '127.0.0.1';
  try {
    await server.listen({ port, host });
  } catch (e) {
    await stopComponents();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UserError(`port ${port} is already in use`);
    if (code === 'EACCES') throw new UserError(`no permission to listen on port ${port}`);
    throw e;
  }
  const address = server.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  for (const c of opts.components) await c.ready?.(ctx);
  state.ready = true;
  coreLog.info({ port: actualPort, app: opts.model.app.name }, `${opts.model.app.name} is running on port ${actualPort}`);

  let stopping: Promise<StopOutcome> | undefined;
  return {
    ctx,
    server,
    port: actualPort,
    stop(stopOpts: StopOptions = {}) {
      stopping ??= (async (): Promise<StopOutcome> => {
        state.stopping = true;
        const closed = server.close();
        const { timeoutMs, graceMs = 1000 } = stopOpts;
        if (timeoutMs === undefined || (await within(closed, timeoutMs))) {
          await stopComponents();
          return 'stopped';
        }
        coreLog.error({ timeoutMs }, `shut-down timed out after ${timeoutMs} ms with requests in flight; rolling back their transactions`);
        for (const c of [...started].reverse()) {
          try {
            await c.abort?.(ctx);
          } catch (e) {
            coreLog.error({ err: e, component: c.name }, 'component failed to abort');
          }
        }
        // The aborted requests now fail and answer; keep-alive connections that fall idle are
        // closed as they do, and whatever still hangs after graceMs is cut off.
        const graceEnd = Date.now() + graceMs;
        let done = false;
        while (!done && Date.now() < graceEnd) {
          server.server.closeIdleConnections();
          done = await within(closed, Math.min(50, graceEnd - Date.now()));
        }
        if (!done) server.server.closeAllConnections();
        if (!(await within(stopComponents(), graceMs))) coreLog.error('components did not stop in time after the abort');
        return 'timed-out';
      })();
      return stopping;
    },
  };
}

/** True when `p` settles within `ms` (its rejection counts as settled). */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((r) => {
    timer = setTimeout(() => r(false), ms);
  });
  try {
    return await Promise.race([
      p.then(
        () => true,
        () => true,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
