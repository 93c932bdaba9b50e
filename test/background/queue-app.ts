import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { defaultComponents } from '../../src/app/components.js';
import { startRuntime, type RunningRuntime } from '../../src/app/runtime.js';
import { createLogger } from '../../src/core/logger.js';
import { resolveSettings } from '../../src/core/settings.js';
import { loadModel } from '../../src/model/index.js';
import { ROOT } from '../support/cli.js';

/**
 * A copy of examples/employees with task queues: Work (`threads` per instance),
 * Shared (scope cluster), and microflows that queue tasks:
 * - Enqueue(N, From): N calls of Task(From..From+N-1) in queue Work; commits.
 * - EnqueueThenFail(N): queues N tasks, then raises an error (rolls back).
 * - Task(Number): sleeps `taskSleepMs`, then records an Employee 'task <Number>'.
 * - EnqueueFlaky(Key, Exponential): one Flaky task with 2 retries, 0.3 s apart (doubling when exponential).
 * - Flaky(Key): counts its attempt (action Attempt, per process) and fails until the third.
 * - EnqueueForObject(Name): commits an Employee, queues ForObject with it; also with an uncommitted one (UncommittedArg).
 * - EnqueueSlow(Ms, Count, Gate) / Slow(Ms, Gate): tasks for the shut-down test that wait Ms, then until the
 *   file Gate exists (when given); records 'slow done'.
 * - LongRunning: sleeps `longRunningMs`, records 'long running', returns a String; the page LongJob's
 *   button calls it asynchronously (long-running microflow) with a progress message.
 */
export function queueApp(opts: { threads?: number; taskSleepMs?: number; longRunningMs?: number } = {}): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-queues-'));
  cpSync(join(ROOT, 'examples', 'employees'), dir, { recursive: true, filter: (src) => !src.includes('.deployment') });
  const appFile = join(dir, 'app.yaml');
  const app = parse(readFileSync(appFile, 'utf8')) as Record<string, unknown>;
  delete app.$schema;
  const nav = app.navigation as { menu: unknown[] };
  nav.menu.push({ caption: 'Long job', page: 'MyFirstModule.LongJob' });
  writeFileSync(appFile, stringify(app));
  const mod = join(dir, 'modules', 'MyFirstModule');
  mkdirSync(join(mod, 'task-queues'), { recursive: true });
  writeFileSync(join(mod, 'task-queues', 'Work.yaml'), stringify({ threads: opts.threads ?? 4, scope: 'instance' }));
  writeFileSync(join(mod, 'task-queues', 'Shared.yaml'), stringify({ threads: 2, scope: 'cluster' }));
  const mf = join(mod, 'microflows');
  mkdirSync(mf, { recursive: true });
  const record = (what: string) => ({ create: { entity: 'MyFirstModule.Employee', set: { Lastname: what }, commit: true, into: 'E' } });
  const files: Record<string, unknown> = {
    Enqueue: {
      parameters: { N: 'Integer', From: 'Integer' },
      body: [
        { createVariable: { name: 'I', type: 'Integer', value: '0' } },
        {
          while: {
            condition: '$I < $N',
            body: [
              { call: { microflow: 'MyFirstModule.Task', with: { Number: '$From + $I' }, queue: 'Work' } },
              { changeVariable: { name: 'I', value: '$I + 1' } },
            ],
          },
        },
      ],
    },
    EnqueueThenFail: {
      parameters: { N: 'Integer' },
      body: [{ call: { microflow: 'Enqueue', with: { N: '$N', From: '100000' } } }, { error: { message: 'the caller failed after queueing' } }],
    },
    Task: {
      parameters: { Number: 'Integer' },
      body: [{ action: { name: 'MyFirstModule.Sleep', with: { Ms: String(opts.taskSleepMs ?? 0) } } }, record("'task ' + toString($Number)")],
    },
    EnqueueFlaky: {
      parameters: { Key: 'String', Exponential: 'Boolean' },
      body: [
        {
          decision: {
            if: '$Exponential',
            // biome-ignore lint/suspicious/noThenProperty: the model format's branch key (if/then/else), never awaited
            then: [{ call: { microflow: 'Flaky', with: { Key: '$Key' }, queue: 'Work', retry: { attempts: 2, interval: 0.3, backoff: 'exponential' } } }],
            else: [{ call: { microflow: 'Flaky', with: { Key: '$Key' }, queue: 'Work', delay: 0.2, retry: { attempts: 2, interval: 0.3 } } }],
          },
        },
      ],
    },
    Flaky: {
      parameters: { Key: 'String' },
      body: [
        { action: { name: 'MyFirstModule.Attempt', with: { Key: '$Key' }, into: 'N', returns: 'Integer' } },
        record("'flaky ' + $Key + ' attempt ' + toString($N)"),
        // biome-ignore lint/suspicious/noThenProperty: the model format's branch key (if/then/else), never awaited
        { decision: { if: '$N < 3', then: [{ error: { message: 'attempt {1} failed', params: ['toString($N)'] } }] } },
      ],
    },
    EnqueueAlwaysFails: {
      body: [{ call: { microflow: 'AlwaysFails', queue: 'Work', retry: { attempts: 1, interval: 0.1 } } }],
    },
    AlwaysFails: { body: [{ error: { message: 'nothing works' } }] },
    EnqueueForObject: {
      parameters: { Name: 'String' },
      body: [
        { create: { entity: 'MyFirstModule.Employee', set: { Lastname: '$Name' }, commit: true, into: 'E' } },
        { call: { microflow: 'ForObject', with: { Employee: '$E' }, queue: 'Shared' } },
      ],
    },
    UncommittedArg: {
      body: [
        { create: { entity: 'MyFirstModule.Employee', set: { Lastname: "'never'" }, into: 'E' } },
        { call: { microflow: 'ForObject', with: { Employee: '$E' }, queue: 'Shared' } },
      ],
    },
    ForObject: {
      parameters: { Employee: 'MyFirstModule.Employee' },
      body: [{ change: { object: '$Employee', set: { Jobtitle: "'done by ' + $currentUser/Name" }, commit: true } }],
    },
    EnqueueSlow: {
      parameters: { Ms: 'Integer', Count: 'Integer', Gate: 'String' },
      body: [
        { createVariable: { name: 'I', type: 'Integer', value: '0' } },
        {
          while: {
            condition: '$I < $Count',
            body: [{ call: { microflow: 'Slow', with: { Ms: '$Ms', Gate: '$Gate' }, queue: 'Work' } }, { changeVariable: { name: 'I', value: '$I + 1' } }],
          },
        },
      ],
    },
    Slow: {
      parameters: { Ms: 'Integer', Gate: 'String' },
      body: [{ action: { name: 'MyFirstModule.Sleep', with: { Ms: '$Ms', Gate: '$Gate' } } }, record("'slow done'")],
    },
    LongRunning: {
      returns: 'String',
      allowedRoles: ['User', 'Admin'],
      body: [
        { action: { name: 'MyFirstModule.Sleep', with: { Ms: String(opts.longRunningMs ?? 1500) } } },
        record("'long running'"),
        { return: "'finished the long job'" },
      ],
    },
  };
  for (const [name, def] of Object.entries(files)) writeFileSync(join(mf, `${name}.yaml`), stringify(def));
  writeFileSync(
    join(mod, 'pages', 'LongJob.yaml'),
    stringify({
      title: 'Long job',
      allowedRoles: ['User', 'Admin'],
      widgets: [
        { button: { caption: 'Run the long job', action: { microflow: 'MyFirstModule.LongRunning', async: true, progressMessage: 'Crunching numbers' } } },
      ],
    }),
  );
  const actions = join(mod, 'actions');
  mkdirSync(actions, { recursive: true });
  // Sleep waits Ms, then (with a Gate path) until that file exists: a test holds tasks running as long as it needs.
  writeFileSync(
    join(actions, 'Sleep.mjs'),
    [
      "import { existsSync } from 'node:fs';",
      'const pause = (ms) => new Promise((r) => setTimeout(r, ms));',
      "export default { parameters: { Ms: 'Integer', Gate: 'String' }, run: async ({ Ms, Gate }) => {",
      '  await pause(Number(Ms));',
      '  for (let i = 0; Gate && !existsSync(Gate) && i < 1200; i++) await pause(50);',
      '} };',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(actions, 'Attempt.mjs'),
    "const seen = new Map();\nexport default { parameters: { Key: 'String' }, returns: 'Integer', run: ({ Key }) => { const n = (seen.get(Key) ?? 0) + 1; seen.set(Key, n); return n; } };\n",
  );
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A runtime in this process with every component but the task queues: it queues tasks, never runs one. */
export async function enqueuer(appDir: string, dbUrl: string, interval = 1000): Promise<{ rt: RunningRuntime; stop(): Promise<void> }> {
  const { model, diagnostics } = await loadModel(appDir);
  if (!model) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  const deploymentDir = mkdtempSync(join(tmpdir(), 'kiln-enqueuer-'));
  const settings = await resolveSettings({
    app: model.app.settings,
    cli: {
      DatabaseUrl: dbUrl,
      Port: 0,
      Host: '127.0.0.1',
      DeploymentDir: deploymentDir,
      HashAlgorithmCost: 4,
      ClusterManagerActionInterval: interval,
      IsClusterSlave: true,
    },
  });
  const rt = await startRuntime({
    appDir,
    model,
    settings,
    components: defaultComponents().filter((c) => c.name !== 'task-queues'),
    log: createLogger('warn'),
  });
  return {
    rt,
    async stop() {
      await rt.stop();
      rmSync(deploymentDir, { recursive: true, force: true });
    },
  };
}
