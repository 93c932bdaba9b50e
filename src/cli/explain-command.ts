import { parseArgs } from 'node:util';
import { formatDiagnostic, UserError } from '../model/diagnostics.js';
import { loadModel } from '../model/index.js';
import type { UserContext } from '../security/user-context.js';
import { SYSTEM_CONTEXT } from '../security/user-context.js';
import { defaultDialectName, dialectNames, listOf, loadDialect } from '../data/dialects/registry.js';
import { XPathResolveError, XPathSyntaxError } from '../query/errors.js';
import { compileQuery, explain } from '../query/index.js';

const USAGE = `kiln explain <app> "<xpath>" [--role <UserRole>] [--db ${dialectNames.join('|')}] [--entity Module.Entity] [--amount N] [--offset N] [--count]`;

/**
 * `kiln explain`: the OQL (after inheritance and entity access for a user role)
 * and the SQL a retrieve runs, without a database.
 */
export async function runExplain(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      db: { type: 'string', default: defaultDialectName },
      entity: { type: 'string' },
      amount: { type: 'string' },
      offset: { type: 'string' },
      count: { type: 'boolean', default: false },
    },
  });
  const [dir, xpath] = positionals;
  if (!dir || xpath === undefined) throw new UserError(`missing arguments: ${USAGE}`);
  const dialect = dialectNames.includes(values.db) ? await loadDialect(values.db) : undefined;
  if (!dialect) throw new UserError(`unknown database '${values.db}' (expected ${listOf('names')})`);
  const { model, diagnostics } = await loadModel(dir);
  if (!model) {
    for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
    return 1;
  }
  let user: UserContext | null = null;
  if (values.role) {
    const role = model.security.userRoles.get(values.role);
    if (!role) throw new UserError(`unknown user role '${values.role}' (the app has: ${[...model.security.userRoles.keys()].join(', ') || 'none'})`);
    user = { ...SYSTEM_CONTEXT, userRoles: [values.role], moduleRoles: new Set(role.moduleRoles), applyEntityAccess: true };
  }
  const num = (s: string | undefined, name: string) => {
    if (s === undefined) return undefined;
    if (!/^\d+$/.test(s)) throw new UserError(`--${name} must be a whole number`);
    return Number(s);
  };
  try {
    const amount = num(values.amount, 'amount');
    const offset = num(values.offset, 'offset');
    const plan = compileQuery(
      model,
      {
        xpath,
        ...(values.entity ? { entity: values.entity } : {}),
        ...(amount !== undefined ? { amount } : {}),
        ...(offset !== undefined ? { offset } : {}),
        wantCount: values.count,
      },
      dialect,
    );
    const ex = explain(plan, user);
    const who = user ? `user role ${values.role} (${[...user.moduleRoles].join(', ')})` : 'no user (entity access not applied; use --role)';
    process.stdout.write(`-- ${who}, ${dialect.name}\n-- OQL\n${ex.oql}\n-- SQL\n${ex.sql.join(';\n')};\n`);
    return 0;
  } catch (e) {
    if (e instanceof XPathSyntaxError || e instanceof XPathResolveError) {
      process.stderr.write(`${xpath}\n${' '.repeat(e.position)}^\n${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
