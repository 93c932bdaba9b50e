import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { copyExample } from '../support/kiln-instance.js';

/**
 * A copy of examples/employees with scheduled events every second:
 * `Ticker` (microflow RecordTick: sleeps `tickMs`, then commits a Tick with the
 * time, so each completed run leaves exactly one row) and `Failing`
 * (microflow Fail: commits a Tick 'fail', then raises an error, so its work
 * is rolled back and the run recorded as Error).
 */
export function scheduledApp(opts: { tickMs?: number; overlap?: 'skip' | 'delay' } = {}): { dir: string; remove(): void } {
  const app = copyExample('employees');
  const mod = join(app.dir, 'modules', 'MyFirstModule');
  const domainFile = join(mod, 'domain-model.yaml');
  const domain = readFileSync(domainFile, 'utf8').replace(
    /^entities:\n/m,
    'entities:\n  Tick:\n    attributes:\n      Name: String\n      At: { type: DateTime, localize: false }\n',
  );
  writeFileSync(domainFile, domain);
  const tick = (name: string) => ({ create: { entity: 'MyFirstModule.Tick', set: { Name: `'${name}'`, At: '[%CurrentDateTime%]' }, commit: true, into: 'T' } });
  const microflows: Record<string, unknown> = {
    RecordTick: { body: [{ action: { name: 'MyFirstModule.Sleep', with: { Ms: String(opts.tickMs ?? 150) } } }, tick('tick')] },
    Fail: { body: [tick('fail'), { error: { message: 'the nightly import found no file' } }] },
  };
  for (const [name, def] of Object.entries(microflows)) writeFileSync(join(mod, 'microflows', `${name}.yaml`), stringify(def));
  const events = join(mod, 'scheduled-events');
  mkdirSync(events, { recursive: true });
  const every = (microflow: string) => ({ microflow, interval: { every: 1, unit: 'seconds' }, start: '2026-01-01T00:00:00Z', overlap: opts.overlap ?? 'skip' });
  writeFileSync(join(events, 'Ticker.yaml'), stringify(every('RecordTick')));
  writeFileSync(join(events, 'Failing.yaml'), stringify(every('Fail')));
  const actions = join(mod, 'actions');
  mkdirSync(actions, { recursive: true });
  writeFileSync(
    join(actions, 'Sleep.mjs'),
    "export default { parameters: { Ms: 'Integer' }, run: ({ Ms }) => new Promise((r) => setTimeout(r, Number(Ms))) };\n",
  );
  return app;
}
