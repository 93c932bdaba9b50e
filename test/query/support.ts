import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { loadModel } from '../../src/model/index.js';
import type { CompiledModel } from '../../src/model/compiled/types.js';
import type { UserContext } from '../../src/security/user-context.js';
import { ROOT } from '../support/cli.js';

const cache = new Map<string, CompiledModel>();

/**
 * An example's compiled model; `column`: with every Reference stored as a
 * column (`storage: column` written into a copy of its domain models), to run
 * the same queries over both storage formats.
 */
export async function exampleModel(name: 'employees' | 'sales', storage: 'table' | 'column' = 'table'): Promise<CompiledModel> {
  const key = `${name}:${storage}`;
  let m = cache.get(key);
  if (!m) {
    const dir = storage === 'table' ? join(ROOT, 'examples', name) : withColumnStorage(join(ROOT, 'examples', name));
    const { model, diagnostics } = await loadModel(dir);
    if (!model) throw new Error(`examples/${name}: ${diagnostics.map((d) => d.message).join('; ')}`);
    m = model;
    cache.set(key, m);
  }
  return m;
}

function withColumnStorage(example: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-column-'));
  cpSync(example, dir, { recursive: true });
  for (const module of readdirSync(join(dir, 'modules'))) {
    const file = join(dir, 'modules', module, 'domain-model.yaml');
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const doc = parseDocument(text);
    const assocs = doc.get('associations') as { items?: { value: { get(k: string): unknown; set(k: string, v: unknown): void } }[] } | undefined;
    for (const item of assocs?.items ?? []) if (item.value.get('type') !== 'ReferenceSet') item.value.set('storage', 'column');
    writeFileSync(file, doc.toString());
  }
  return dir;
}

/** A user of the sales example holding a user role's module roles. */
export function salesUser(model: CompiledModel, userRole: string, userId: bigint | null, timeZone = 'UTC'): UserContext {
  const r = model.security.userRoles.get(userRole);
  if (!r) throw new Error(`no user role ${userRole}`);
  return {
    userId,
    userName: `u${String(userId)}`,
    userEntity: 'Sales.Customer',
    userRoles: [userRole],
    moduleRoles: new Set(r.moduleRoles),
    sessionId: null,
    sessionObjectId: null,
    timeZone,
    applyEntityAccess: true,
    anonymous: false,
  };
}
