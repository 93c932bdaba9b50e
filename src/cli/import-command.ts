import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { modelChecks } from '../app/model-checks.js';
import { formatReport, importMendix } from '../import/index.js';
import { UserError } from '../model/diagnostics.js';
import { loadModel } from '../model/index.js';

/** `kiln import <project.mpr | model.mdp> <out-dir> [--report file.json]`: a Mendix project as a Kiln app folder. */
export async function runImport(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { report: { type: 'string' } } });
  const [source, out] = positionals;
  if (!source || !out) throw new UserError('usage: kiln import <project.mpr | model.mdp> <out-dir> [--report report.json]');
  const report = await importMendix(source, out, { check: checkFolder });
  process.stdout.write(formatReport(report));
  process.stdout.write(`Report written to ${join(out, 'import-report.txt')}\n`);
  if (values.report) writeFileSync(values.report, `${JSON.stringify(report, null, 2)}\n`);
  const remaining = (await checkFolder(out)).filter((d) => d.severity === 'error');
  if (remaining.length) {
    process.stdout.write(`kiln check still finds ${remaining.length} error(s) in ${out}: run kiln check ${out}\n`);
    return 1;
  }
  return 0;
}

/** kiln check, in-process. */
export async function checkFolder(dir: string) {
  return (await loadModel(dir, { checks: modelChecks() })).diagnostics;
}
