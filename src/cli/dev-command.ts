import { type FSWatcher, readFileSync, watch } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { defaultComponents } from '../app/components.js';
import { DevState, devComponent } from '../app/dev.js';
import { modelChecks } from '../app/model-checks.js';
import { startRuntime } from '../app/runtime.js';
import { createLogger } from '../core/logger.js';
import { resolveSettings } from '../core/settings.js';
import { countDiagnostics, renderDiagnostic, wantsColor } from '../model/diagnostic-render.js';
import { type Diagnostic, UserError } from '../model/diagnostics.js';
import { type CompiledModel, loadModel } from '../model/index.js';

/**
 * `kiln dev <app>`: runs the app (embedded database unless --db), watches its
 * model files, checks each save and, when the model is valid, swaps it in: the
 * runtime is rebuilt in this process on the same port and database (schema
 * synchronised, sessions kept, as they live in the database) and the open
 * browsers reload their page. While the model has errors the last good model
 * keeps serving, and the errors are shown in the terminal and over the page.
 */
export async function runDev(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      db: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'deployment-dir': { type: 'string' },
      settings: { type: 'string' },
    },
  });
  const dir = positionals[0];
  if (!dir) throw new UserError('missing app folder: kiln dev <app>');
  if (!(await stat(dir).catch(() => undefined))?.isDirectory()) throw new UserError(`app folder not found: ${dir}`);
  if (values.port !== undefined && !/^\d+$/.test(values.port)) throw new UserError(`--port must be a number, got '${values.port}'`);

  const color = wantsColor(process.stdout);
  const print = (ds: readonly Diagnostic[]) => {
    const source = (f: string) => {
      try {
        return readFileSync(join(dir, f), 'utf8');
      } catch {
        return undefined;
      }
    };
    return ds.map((d) => renderDiagnostic(d, source, color)).join('\n');
  };
  const check = async (): Promise<{ model: CompiledModel | undefined; report: string }> => {
    const { model, diagnostics } = await loadModel(dir, { checks: modelChecks(), parseCache: true });
    const report = diagnostics.length ? `${print(diagnostics)}\n${countDiagnostics(diagnostics).text}` : '';
    return { model, report };
  };

  let first = await check();
  if (first.report) process.stdout.write(`${first.report}\n`);
  // Without a valid model there is nothing to serve yet: wait for a save that fixes it.
  // A fresh watcher per wait: editors (and sed -i) replace files, and on Linux a replaced file is no longer watched.
  let watcher: FSWatcher | undefined;
  const saved = () =>
    new Promise<void>((r) => {
      watcher = watch(dir, { recursive: true }, (_e, file) => {
        const f = String(file ?? '')
          .split(sep)
          .join('/');
        if (f.startsWith('.') || f.includes('/.') || f.includes('node_modules') || !/\.(ya?ml|json)$/i.test(f)) return;
        watcher?.close();
        // Editors write in several steps: let them finish.
        setTimeout(r, 80);
      });
    });
  while (!first.model) {
    process.stdout.write('waiting for a save that fixes the model…\n');
    await saved();
    first = await check();
    if (first.report) process.stdout.write(`${first.report}\n`);
  }

  const model = first.model;
  const settings = await resolveSettings({
    // Every save is a new model version: in development the sessions stay (a setting may still say otherwise).
    app: { ClearSessionsOnNewModel: false, ...model.app.settings },
    ...(values.settings ? { file: values.settings } : {}),
    env: process.env,
    cli: {
      ...(values.db !== undefined ? { DatabaseUrl: values.db } : {}),
      ...(values.port !== undefined ? { Port: Number(values.port) } : {}),
      ...(values.host !== undefined ? { Host: values.host } : {}),
      ...(values['deployment-dir'] !== undefined ? { DeploymentDir: resolve(values['deployment-dir']) } : {}),
    },
  });
  const log = createLogger(settings.get('LogLevel') ?? 'info');
  const state = new DevState();
  const start = (m: CompiledModel, port?: number) =>
    startRuntime({
      appDir: dir,
      model: m,
      settings: port === undefined ? settings : withPort(settings, port),
      components: [devComponent(state), ...defaultComponents()],
      log,
    });
  let runtime = await start(model);
  const port = runtime.port;
  log.info({ port }, `kiln dev: watching ${dir}; open http://localhost:${port}/`);

  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await saved();
      if (stopped) break;
      const t0 = Date.now();
      const next = await check();
      if (!next.model) {
        state.errors = next.report;
        state.broadcast();
        process.stdout.write(`${next.report}\nthe app keeps running the last good model\n`);
        continue;
      }
      if (next.report) process.stdout.write(`${next.report}\n`);
      state.errors = '';
      state.closeAll();
      await runtime.stop({ timeoutMs: 2000 });
      try {
        runtime = await start(next.model, port);
        state.version++;
        log.info({ ms: Date.now() - t0 }, 'model reloaded');
      } catch (e) {
        // E.g. a schema change the database refuses: back to the last good model.
        state.errors = `the new model could not start: ${(e as Error).message}`;
        process.stdout.write(`${state.errors}\n`);
        runtime = await start(model, port);
      }
    }
  })();

  return await new Promise<number>((done) => {
    const onSignal = () => {
      stopped = true;
      watcher?.close();
      state.closeAll();
      void loop.catch(() => undefined);
      runtime.stop({ timeoutMs: settings.get('ShutdownTimeout') ?? 10000 }).then(
        () => {
          log.flush();
          done(0);
          setTimeout(() => process.exit(0), 50).unref();
        },
        () => done(1),
      );
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
}

/** The same settings with the port fixed (a restart keeps the port the first start got, also for Port 0). */
function withPort<S extends { get(k: 'Port'): number | undefined }>(settings: S, port: number): S {
  return new Proxy(settings, {
    get(target, prop, receiver) {
      if (prop === 'get') return (k: string) => (k === 'Port' ? port : (target as unknown as { get(k: string): unknown }).get(k));
      return Reflect.get(target, prop, receiver);
    },
  });
}
