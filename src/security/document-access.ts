import type { CompiledModel } from '../model/compiled/types.js';
import type { UserContext } from './user-context.js';

/**
 * Page and microflow access by allowed module roles. With security off
 * everything is allowed; at prototype and production a user needs one of the
 * document's allowed roles. Microflow roles are checked for calls from the
 * client only (a microflow calling another is never checked), and page access
 * decides what the client may open; neither is a substitute for entity access.
 */
export function canOpenPage(model: CompiledModel, user: UserContext, page: string): boolean {
  const p = model.pages.get(page);
  if (!p) return false;
  return allowed(model, user, p.allowedRoles);
}

export function canCallMicroflow(model: CompiledModel, user: UserContext, microflow: string): boolean {
  const m = model.microflows.get(microflow);
  if (!m) return false;
  return allowed(model, user, m.allowedRoles);
}

/** For runtime operations and other entry points that carry their own allowed module roles. */
export function hasAnyRole(model: CompiledModel, user: UserContext, allowedRoles: readonly string[]): boolean {
  return allowed(model, user, allowedRoles);
}

function allowed(model: CompiledModel, user: UserContext, roles: readonly string[]): boolean {
  if (model.security.level === 'off') return true;
  return roles.some((r) => user.moduleRoles.has(r));
}
