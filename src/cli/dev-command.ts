import { type FSWatcher, readdirSync, readFileSync, statSync, watch } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { defaultComponents } from '../app/components.js';
import { DevState, devComponent } from '../app/dev.js';
import { modelChecks } from '../app/model-checks.js';
import { startRuntime } from '../app/runtime.js';
import { createLogger } from '../core/logger.js';
import type { Settings } from '../core/settings.js';
import type { SettingName } from '../core/settings-registry.js';
import type { Database } from '../data/database.js';
import { previewSync } from '../data/schema/sync.js';
import { DestructiveQuestion } from './dev-question.js';
import { parseRunFlags, runSettings } from './run-flags.js';
import { countDiagnostics, renderDiagnostic, wantsColor } from '../model/diagnostic-render.js';
import type { Diagnostic } from '../model/diagnostics.js';
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
  const flags = await parseRunFlags('dev', args);
  const dir = flags.dir;

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
  // Every save is a new model version: in development the sessions stay (a setting may still say otherwise).
  const settings = await runSettings(flags, model.app.settings, {}, { ClearSessionsOnNewModel: false });
  const log = createLogger(settings.get('LogLevel') ?? 'info');
  const state = new DevState();
  const start = (m: CompiledModel, port?: number, allowDestructive = false) =>
    startRuntime({
      appDir: dir,
      model: m,
      settings: withOverrides(settings, { ...(port === undefined ? {} : { Port: port }), ...(allowDestructive ? { AllowDestructiveSync: true } : {}) }),
      components: [devComponent(state), ...defaultComponents()],
      log,
    });
  let runtime = await start(model);
  let good = model;
  const port = runtime.port;
  log.info({ port }, `kiln dev: watching ${dir}; open http://localhost:${port}/`);
  const acceptAll = flags.acceptDestructive || settings.get('AllowDestructiveSync') === true;

  /** Stops the running model and starts `next`; back to the last good one when `next` cannot start. */
  const swap = async (next: CompiledModel, t0: number, allowDestructive: boolean) => {
    state.errors = '';
    state.destructive = '';
    state.closeAll();
    await runtime.stop({ timeoutMs: 2000 });
    try {
      runtime = await start(next, port, allowDestructive);
      good = next;
      state.version++;
      log.info({ ms: Date.now() - t0 }, 'model reloaded');
    } catch (e) {
      // E.g. a schema change the database refuses: back to the last good model.
      state.errors = `the new model could not start: ${(e as Error).message}`;
      process.stdout.write(`${state.errors}\n`);
      runtime = await start(good, port);
    }
  };

  // A valid model whose schema change would destroy data waits here for the developer's answer.
  let pending: { model: CompiledModel; t0: number } | undefined;
  const ask = new DestructiveQuestion(process.stdin, process.stdout, (yes) => {
    const p = pending;
    pending = undefined;
    if (!p) return Promise.resolve();
    if (yes) {
      process.stdout.write('applying the schema change\n');
      return serial(() => swap(p.model, p.t0, true));
    }
    state.destructive = '';
    state.broadcast();
    process.stdout.write('not applied: the app keeps running the last good model (save again to be asked again)\n');
    return Promise.resolve();
  });

  const onSave = async () => {
    const t0 = Date.now();
    pending = undefined;
    ask.cancel();
    const next = await check();
    if (!next.model) {
      state.errors = next.report;
      state.destructive = '';
      state.broadcast();
      process.stdout.write(`${next.report}\nthe app keeps running the last good model\n`);
      return;
    }
    if (next.report) process.stdout.write(`${next.report}\n`);
    const losses = acceptAll ? [] : await lossesOf(runtime.ctx.services.require('db'), next.model);
    if (!losses.length) return swap(next.model, t0, acceptAll);
    pending = { model: next.model, t0 };
    state.errors = '';
    state.destructive = `This save would destroy data:\n${losses.map((l) => `  - ${l}`).join('\n')}`;
    state.broadcast();
    ask.ask(losses);
  };

  // Saves and answers are handled one at a time, in order.
  let chain: Promise<void> = Promise.resolve();
  const serial = (f: () => Promise<void>) => {
    chain = chain.then(f).catch((e: unknown) => log.error({ err: e }, 'kiln dev: reload failed'));
    return chain;
  };

  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await saved();
      if (stopped) break;
      // A save made while the last one was checked or swapped in found no watcher: check again at once.
      for (let since = Date.now(); !stopped; ) {
        await serial(onSave);
        if (newestModelFile(dir) < since) break;
        since = Date.now();
      }
    }
  })();

  return await new Promise<number>((done) => {
    const onSignal = () => {
      stopped = true;
      watcher?.close();
      ask.close();
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

/** When a model file (YAML, JSON; outside dot-folders and node_modules) was last changed, in epoch ms. */
function newestModelFile(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const rel = relative(dir, join(e.parentPath, e.name));
    if (!e.isFile() || !/\.(ya?ml|json)$/i.test(e.name) || rel.split(sep).some((p) => p.startsWith('.') || p === 'node_modules')) continue;
    try {
      newest = Math.max(newest, statSync(join(e.parentPath, e.name)).mtimeMs);
    } catch {
      // Gone between the listing and the stat: the next save tells.
    }
  }
  return newest;
}

/**
 * What a model's schema change would destroy on the running database (empty when nothing).
 * The live-instance window is 0: the only instance is this process, which stops before the
 * change runs, so removals are not deferred for it (expand/contract is for clusters).
 */
async function lossesOf(db: Database, next: CompiledModel): Promise<readonly string[]> {
  try {
    return (await previewSync(db, next, 0)).losses;
  } catch {
    // Whatever the preview cannot plan, the start reports (and falls back to the last good model).
    return [];
  }
}

/** The same settings with some values fixed (a restart keeps the port the first start got, also for Port 0). */
function withOverrides<S extends Settings>(settings: S, fixed: Readonly<Partial<Record<SettingName, unknown>>>): S {
  return new Proxy(settings, {
    get(target, prop, receiver) {
      if (prop === 'get') return (k: SettingName) => (Object.hasOwn(fixed, k) ? fixed[k] : target.get(k));
      return Reflect.get(target, prop, receiver);
    },
  });
}
