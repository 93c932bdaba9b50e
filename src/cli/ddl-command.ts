import { parseArgs } from 'node:util';
import { parseDatabaseUrl } from '../data/dialects/url.js';
import { createLogger } from '../core/logger.js';
import { formatDiagnostic, UserError } from '../model/diagnostics.js';
import { loadModel } from '../model/index.js';
import { modelChecks } from '../app/model-checks.js';
import { openDatabase } from '../data/database.js';
import { DatabaseConnectionError } from '../data/errors.js';
import { olderLine, previewSync } from '../data/schema/sync.js';

/**
 * `kiln ddl <app> --db URL`: prints the statements schema synchronisation
 * would run against that database, without running them, and what a
 * destructive change would lose. Exits with 2 when a start would refuse the
 * change (it destroys data, or the model is older than the database's and
 * cannot serve with its schema).
 */
export async function runDdl(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { db: { type: 'string' } } });
  const dir = positionals[0];
  if (!dir) throw new UserError('missing app folder: kiln ddl <app> --db URL');
  const url = values.db ?? process.env.KILN_DATABASE_URL;
  if (!url) throw new UserError('missing database: kiln ddl <app> --db URL (or set KILN_DATABASE_URL)');
  const { model, diagnostics } = await loadModel(dir, { checks: modelChecks(), parseCache: true });
  for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
  if (!model) return 1;
  // A SQLite file that does not exist yet is previewed as an empty database, without creating it.
  const parsed = await parseDatabaseUrl(url);
  const target = parsed.dialect.previewStandIn?.(parsed.target) ?? url;
  const db = await openDatabase(target, { log: createLogger('warn', process.stderr), poolSize: 1 }).catch((e) => {
    throw e instanceof DatabaseConnectionError ? new UserError(e.message) : e;
  });
  try {
    const plan = await previewSync(db, model);
    if (plan.standing.kind === 'older') {
      const { self, latest } = plan.standing;
      if (plan.incompatible.length) {
        process.stdout.write(`-- REFUSED: ${olderLine(model.app.version, plan.standing, plan.incompatible)}\n`);
        for (const w of plan.incompatible) process.stdout.write(`--   ${w}\n`);
        return 2;
      }
      process.stdout.write(
        `-- this model (version ${model.app.version}, #${self.sequence}) is older than the one that last synchronised the database (version ${latest.version}, #${latest.sequence}); a start changes nothing and serves with the newer schema\n`,
      );
      return 0;
    }
    if (plan.steps.length === 0) {
      process.stdout.write('-- the database schema matches the model; nothing to do\n');
      return 0;
    }
    for (const s of plan.steps) process.stdout.write(`${inline(s.sql, s.params)};\n`);
    if (plan.standing.kind === 'new')
      process.stdout.write(
        `-- records this model (version ${model.app.version}, fingerprint ${plan.fingerprint}) as #${plan.standing.next} in mendixsystem$modelhistory\n`,
      );
    for (const l of plan.losses) process.stdout.write(`-- DESTRUCTIVE: ${l}\n`);
    if (plan.losses.length) {
      process.stdout.write(
        '-- REFUSED: a start refuses these changes. If an entity or attribute was renamed, give it `previousName` in the model (this keeps the data); otherwise set AllowDestructiveSync to apply them, losing what is listed\n',
      );
      return 2;
    }
    return 0;
  } finally {
    await db.close();
  }
}

/** Shows parameters as literals, for reading only (the runtime binds them). */
function inline(sql: string, params: readonly unknown[]): string {
  const lit = (v: unknown) =>
    v === null || v === undefined
      ? 'NULL'
      : typeof v === 'number' || typeof v === 'bigint'
        ? String(v)
        : typeof v === 'boolean'
          ? v
            ? 'TRUE'
            : 'FALSE'
          : `'${String(v).replace(/'/g, "''")}'`;
  let i = 0;
  return sql.replace(/\$(\d+)|\?/g, (m, n: string | undefined) => (n ? lit(params[Number(n) - 1]) : i < params.length ? lit(params[i++]) : m));
}
