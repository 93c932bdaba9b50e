import { join } from 'node:path';
import { loadModel } from '../../src/model/index.js';
import type { CompiledModel } from '../../src/model/compiled/types.js';
import type { UserContext } from '../../src/security/user-context.js';
import { ROOT } from '../support/cli.js';

const cache = new Map<string, CompiledModel>();

export async function exampleModel(name: 'employees' | 'sales'): Promise<CompiledModel> {
  let m = cache.get(name);
  if (!m) {
    const { model, diagnostics } = await loadModel(join(ROOT, 'examples', name));
    if (!model) throw new Error(`examples/${name}: ${diagnostics.map((d) => d.message).join('; ')}`);
    m = model;
    cache.set(name, m);
  }
  return m;
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
