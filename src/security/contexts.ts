import type { CompiledModel } from '../model/compiled/types.js';
import type { UserContext } from './user-context.js';

/** The module roles granted by a set of user roles (unknown user roles grant nothing). */
export function moduleRolesOf(model: CompiledModel, userRoles: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const r of userRoles) for (const m of model.security.userRoles.get(r)?.moduleRoles ?? []) out.add(m);
  return out;
}

export interface SessionUser {
  readonly userId: bigint;
  readonly userName: string;
  readonly userEntity: string;
  readonly userRoles: readonly string[];
  readonly anonymous: boolean;
  readonly sessionId: string | null;
  readonly sessionObjectId: bigint | null;
  readonly timeZone?: string;
  readonly language?: string;
}

/**
 * The context of a logged-in (or anonymous) user. Entity access applies at
 * the production level only: prototype checks pages and microflows but leaves
 * data open, as Mendix's "prototype/demo" level does.
 */
export function userContextFor(model: CompiledModel, u: SessionUser): UserContext {
  return {
    userId: u.userId,
    userName: u.userName,
    userEntity: u.userEntity,
    userRoles: [...u.userRoles].sort(),
    moduleRoles: moduleRolesOf(model, u.userRoles),
    sessionId: u.sessionId,
    sessionObjectId: u.sessionObjectId,
    // The user's System.User_TimeZone, else app.yaml's defaultTimeZone, else UTC.
    timeZone: u.timeZone ?? model.app.defaultTimeZone ?? 'UTC',
    ...(u.timeZone || model.app.defaultTimeZone ? { timeZoneKnown: true } : {}),
    ...(u.language && model.app.languages?.includes(u.language) ? { language: u.language } : {}),
    applyEntityAccess: model.security.level === 'production',
    anonymous: u.anonymous,
  };
}

/**
 * Security off: there is no login, every request runs with every module role
 * and without entity access.
 */
export function openContext(model: CompiledModel): UserContext {
  return {
    userId: null,
    userName: null,
    userEntity: null,
    userRoles: [...model.security.userRoles.keys()],
    moduleRoles: new Set(model.moduleRoles),
    sessionId: null,
    sessionObjectId: null,
    timeZone: model.app.defaultTimeZone ?? 'UTC',
    ...(model.app.defaultTimeZone ? { timeZoneKnown: true } : {}),
    applyEntityAccess: false,
    anonymous: true,
  };
}
