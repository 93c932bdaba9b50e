import type { CompiledModel } from '../model/compiled/types.js';
import type { UserContext } from './user-context.js';

/** The association whose changes this guards: a user's roles. */
export const USER_ROLES_ASSOCIATION = 'System.UserRoles';

/** The user roles this user may give to and take from other users: the union of its roles' grantable roles. */
function grantableBy(model: CompiledModel, user: UserContext): ReadonlySet<string> {
  const out = new Set<string>();
  for (const r of user.userRoles) for (const g of model.security.userRoles.get(r)?.grantableRoles ?? []) out.add(g);
  return out;
}

/**
 * Mendix's manageable roles: a user who changes another user's roles may only
 * add or remove roles their own roles list as grantable (System.grantableRoles).
 * `changed` names the roles added or removed. Returns the refusal's message,
 * or undefined when allowed. The system context (and security below
 * production for data) is not checked, as entity access is not.
 */
export function grantRefusal(model: CompiledModel, user: UserContext, changed: readonly string[]): string | undefined {
  if (!user.applyEntityAccess || changed.length === 0) return undefined;
  const may = grantableBy(model, user);
  const refused = [...new Set(changed)].filter((r) => !may.has(r)).sort();
  if (refused.length === 0) return undefined;
  const list = refused.map((r) => `'${r}'`).join(', ');
  return `not allowed to grant or revoke the user role${refused.length > 1 ? 's' : ''} ${list}: your user roles may grant ${
    may.size ? [...may].sort().join(', ') : 'no roles'
  } (System.grantableRoles)`;
}
