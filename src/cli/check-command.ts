import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { countDiagnostics, githubAnnotation, renderDiagnostic, wantsColor } from '../model/diagnostic-render.js';
import { UserError } from '../model/diagnostics.js';
import { loadModel } from '../model/index.js';
import { modelChecks } from '../app/model-checks.js';

const FORMATS = ['text', 'json', 'github'] as const;

/**
 * `kiln check <app> [--format text|json|github]`: text is for people (a code
 * frame under each problem, colours on a terminal), json for editors and tools,
 * github for annotations in GitHub Actions.
 */
export async function runCheck(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { format: { type: 'string', default: 'text' } } });
  const dir = positionals[0];
  if (!dir) throw new UserError('missing app folder: kiln check <app> [--format text|json|github]');
  const format = values.format as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) throw new UserError(`unknown format '${values.format}' (expected ${FORMATS.join(', ')})`);
  const { model, diagnostics } = await loadModel(dir, { checks: modelChecks(), parseCache: true });
  const { errors, warnings, text } = countDiagnostics(diagnostics);
  const appEntities = model ? [...model.entities.values()].filter((e) => e.module !== 'System').length : 0;
  if (format === 'json') {
    const summary = model
      ? { app: model.app.name, entities: appEntities, microflows: model.microflows.size, pages: model.pages.size, errors, warnings }
      : { errors, warnings };
    process.stdout.write(`${JSON.stringify({ ...summary, diagnostics }, null, 2)}\n`);
    return model ? 0 : 1;
  }
  if (format === 'github') {
    for (const d of diagnostics) process.stdout.write(`${githubAnnotation(d, relative(process.cwd(), join(dir, d.file)) || d.file)}\n`);
    process.stdout.write(`${text}\n`);
    return model ? 0 : 1;
  }
  const color = wantsColor(process.stdout);
  const sources = new Map<string, string | undefined>();
  const source = (file: string) => {
    if (!sources.has(file)) sources.set(file, readText(join(dir, file)));
    return sources.get(file);
  };
  for (const d of diagnostics) process.stdout.write(`${renderDiagnostic(d, source, color)}\n`);
  if (!model) {
    process.stdout.write(`${text}\n`);
    return 1;
  }
  const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  process.stdout.write(
    `${model.app.name}: ${count(appEntities, 'entity', 'entities')}, ${count(model.microflows.size, 'microflow', 'microflows')}, ${count(model.pages.size, 'page', 'pages')}; no errors${warnings ? `, ${count(warnings, 'warning', 'warnings')}` : ''}\n`,
  );
  return 0;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
