import { formatDiagnostic } from '../model/diagnostics.js';
import { loadModel } from '../model/index.js';
import { modelChecks } from '../app/model-checks.js';
import { parseRunFlags, runSettings } from './run-flags.js';
import { startRuntime } from '../app/runtime.js';
import { defaultComponents } from '../app/components.js';
import { createLogger, logNodesOf, type Logger } from '../core/logger.js';
import { startM2ee, type M2eeSession } from '../app/m2ee.js';

/**
 * Exit codes of `kiln run` (docs/operations.md): 0 stopped cleanly after a signal,
 * 1 did not start (or failed while stopping), 3 the shut-down passed ShutdownTimeout
 * and the requests still in flight were cut off, their transactions rolled back.
 */
const EXIT_SHUTDOWN_TIMED_OUT = 3;
/** Started by m2ee-tools and its admin port is taken: 2, the code m2ee-tools reads as "admin port in use". */
const EXIT_ADMIN_PORT_IN_USE = 2;

export async function runRun(args: string[]): Promise<number> {
  const flags = await parseRunFlags('run', args);
  const dir = flags.dir;

  const { model, diagnostics } = await loadModel(dir, { checks: modelChecks(), parseCache: true });
  for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
  if (!model) {
    process.stderr.write('the model has errors; not starting\n');
    return 1;
  }
  // What the m2ee admin API receives (update_configuration) comes after the environment; flags still win.
  const settingsWith = (received: Record<string, unknown>) => runSettings(flags, model.app.settings, received);
  const settings = await settingsWith({});
  const log = createLogger(settings.get('LogLevel') ?? 'info');
  // Started by m2ee-tools (M2EE_ADMIN_PORT, M2EE_ADMIN_PASS): only the admin API listens until `start`.
  const m2ee = await startM2ee({ appDir: dir, model, log, settings: settingsWith, components: defaultComponents(), env: process.env }).catch((e: unknown) => {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    return 'admin port in use' as const;
  });
  if (m2ee === 'admin port in use') {
    process.stderr.write(`the admin port ${process.env.M2EE_ADMIN_PORT} is already in use\n`);
    return EXIT_ADMIN_PORT_IN_USE;
  }
  if (m2ee) return runM2ee(m2ee, log);
  // A signal during start-up is held until start-up has finished: schema synchronisation may be
  // running DDL that MariaDB cannot roll back, so dying half-way could leave the schema half-changed.
  // A second signal means the user really wants out.
  let heldSignal: string | undefined;
  const onEarlySignal = (sig: string) => {
    if (heldSignal) {
      log.warn({ signal: sig }, 'second signal during start-up; exiting at once');
      log.flush();
      process.exit(1);
    }
    heldSignal = sig;
    log.info({ signal: sig }, 'stopping once start-up has finished');
  };
  process.on('SIGTERM', onEarlySignal);
  process.on('SIGINT', onEarlySignal);
  let runtime: Awaited<ReturnType<typeof startRuntime>>;
  try {
    runtime = await startRuntime({ appDir: dir, model, settings, components: defaultComponents(), log });
  } finally {
    process.off('SIGTERM', onEarlySignal);
    process.off('SIGINT', onEarlySignal);
  }

  return await new Promise<number>((done) => {
    const onSignal = (sig: string) => {
      log.info({ signal: sig }, 'stopping');
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      const timeoutMs = settings.get('ShutdownTimeout') ?? 10000;
      // The process must not outlive the shut-down: whatever still holds the event loop
      // (a hung connection, a timer) would otherwise keep it, and its work, alive.
      const exit = (code: number) => {
        // Subscribers' files (create_log_subscriber) get what they still buffer.
        logNodesOf(log)?.closeSubscribers();
        log.flush();
        done(code);
        setTimeout(() => process.exit(code), 50).unref();
      };
      // Last resort if even the abort hangs: out, with the timed-out code.
      setTimeout(() => {
        log.error('shut-down did not finish after the abort; exiting');
        log.flush();
        process.exit(EXIT_SHUTDOWN_TIMED_OUT);
      }, timeoutMs + 5000).unref();
      runtime.stop({ timeoutMs }).then(
        (outcome) => {
          if (outcome === 'timed-out') {
            log.error({ exitCode: EXIT_SHUTDOWN_TIMED_OUT }, 'stopped after the shut-down timeout; in-flight transactions were rolled back');
            exit(EXIT_SHUTDOWN_TIMED_OUT);
          } else {
            log.info('stopped');
            exit(0);
          }
        },
        (e) => {
          log.error({ err: e }, 'shut-down failed');
          exit(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    if (heldSignal) onSignal(heldSignal);
  });
}

/** Until `shutdown` (or a signal): the admin API drives the runtime. Exit code 0. */
async function runM2ee(m2ee: M2eeSession, log: Logger): Promise<number> {
  const onSignal = (sig: string) => {
    log.info({ signal: sig }, 'stopping');
    void m2ee.stop();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  await m2ee.done;
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  log.info('stopped');
  logNodesOf(log)?.closeSubscribers();
  log.flush();
  setTimeout(() => process.exit(0), 50).unref();
  return 0;
}
