import { parseArgs } from 'node:util';
import { formatDiagnostic, UserError } from '../model/diagnostics.js';
import { loadModel } from '../model/index.js';
import { modelChecks } from '../app/model-checks.js';

export async function runCheck(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const dir = positionals[0];
  if (!dir) throw new UserError('missing app folder: kiln check <app>');
  const { model, diagnostics } = await loadModel(dir, { checks: modelChecks() });
  for (const d of diagnostics) process.stdout.write(`${formatDiagnostic(d)}\n`);
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  if (!model) {
    process.stdout.write(`${errors} error${errors === 1 ? '' : 's'}${warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}\n`);
    return 1;
  }
  const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  process.stdout.write(
    `${model.app.name}: ${count(model.entities.size, 'entity', 'entities')}, ${count(model.microflows.size, 'microflow', 'microflows')}, ${count(model.pages.size, 'page', 'pages')}; no errors${warnings ? `, ${count(warnings, 'warning', 'warnings')}` : ''}\n`,
  );
  return 0;
}
