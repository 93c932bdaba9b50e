import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ROOT } from '../support/cli.js';

/**
 * A copy of examples/employees with the cluster's microflows: Startup (the
 * after-startup microflow: records a Employee "startup" and returns
 * `startupResult`), Shutdown (records "shutdown"), Exclusive (marked
 * disallowConcurrentExecution with a message) and ExclusiveAlt (run instead
 * when ExclusiveOther is already running).
 */
export function clusterApp(opts: { startupResult?: string; startupSleepMs?: number; afterStartup?: string | null; beforeShutdown?: string | null } = {}): {
  dir: string;
  remove(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-cluster-'));
  cpSync(join(ROOT, 'examples', 'employees'), dir, { recursive: true, filter: (src) => !src.includes('.deployment') });
  const appFile = join(dir, 'app.yaml');
  const app = parse(readFileSync(appFile, 'utf8')) as Record<string, unknown>;
  delete app.$schema;
  if (opts.afterStartup !== null) app.afterStartup = opts.afterStartup ?? 'MyFirstModule.Startup';
  if (opts.beforeShutdown !== null) app.beforeShutdown = opts.beforeShutdown ?? 'MyFirstModule.Shutdown';
  writeFileSync(appFile, stringify(app));
  const mf = join(dir, 'modules', 'MyFirstModule', 'microflows');
  mkdirSync(mf, { recursive: true });
  const record = (what: string) => ({ create: { entity: 'MyFirstModule.Employee', set: { Lastname: `'${what}'` }, commit: true, into: 'E' } });
  const files: Record<string, unknown> = {
    Startup: {
      returns: 'Boolean',
      body: [
        { action: { name: 'MyFirstModule.Sleep', with: { Ms: String(opts.startupSleepMs ?? 0) } } },
        record('startup'),
        { return: opts.startupResult ?? 'true' },
      ],
    },
    Shutdown: { body: [record('shutdown')] },
    Exclusive: {
      returns: 'String',
      allowedRoles: ['Admin'],
      disallowConcurrentExecution: { message: 'Already running elsewhere' },
      body: [{ return: "'ran'" }],
    },
    ExclusiveOther: {
      parameters: { Text: 'String' },
      returns: 'String',
      disallowConcurrentExecution: { microflow: 'ExclusiveAlt' },
      body: [{ return: "'ran ' + $Text" }],
    },
    ExclusiveAlt: { parameters: { Text: 'String' }, returns: 'String', body: [{ return: "'alternative ' + $Text" }] },
  };
  for (const [name, def] of Object.entries(files)) writeFileSync(join(mf, `${name}.yaml`), stringify(def));
  // A page with a button that calls Exclusive, so that the client API can call it over HTTP.
  writeFileSync(
    join(dir, 'modules', 'MyFirstModule', 'pages', 'Cluster.yaml'),
    stringify({
      title: 'Cluster',
      allowedRoles: ['Admin'],
      widgets: [{ button: { caption: 'Run', action: { microflow: 'MyFirstModule.Exclusive' } } }],
    }),
  );
  // The running instances as System.XASInstance objects, for administrators.
  writeFileSync(
    join(dir, 'modules', 'MyFirstModule', 'pages', 'Instances.yaml'),
    stringify({
      title: 'Instances',
      allowedRoles: ['Admin', 'User'],
      widgets: [
        {
          dataGrid: {
            name: 'instancesGrid',
            source: { xpath: '//System.XASInstance', sort: ['StartedAt'] },
            columns: ['XASId', 'LastUpdate', 'StartedAt', 'Address', 'ModelVersion', 'createdDate'],
          },
        },
      ],
    }),
  );
  const actions = join(dir, 'modules', 'MyFirstModule', 'actions');
  mkdirSync(actions, { recursive: true });
  writeFileSync(
    join(actions, 'Sleep.mjs'),
    "export default { parameters: { Ms: 'Integer' }, run: ({ Ms }) => new Promise((r) => setTimeout(r, Number(Ms))) };\n",
  );
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
