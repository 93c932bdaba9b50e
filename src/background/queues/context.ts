import type { CompiledModel } from '../../model/compiled/types.js';
import { openContext, userContextFor } from '../../security/contexts.js';
import type { UserContext } from '../../security/user-context.js';

/** Who a task runs as, stored in `contextdata`: the enqueuing user (by id, name and roles), or the system. */
interface StoredContext {
  readonly userId?: string;
  readonly userName?: string;
  readonly userEntity?: string;
  readonly userRoles?: readonly string[];
  readonly timeZone?: string;
}

/**
 * The context type and data of a task queued by `user`: Mendix runs a task in
 * an equivalent context (the same user; an anonymous user's roles; or the
 * system). Sessions are not carried: a task outlives the request.
 */
export function storeContext(user: UserContext): { type: 'User' | 'System' | 'Anonymous'; data: string } {
  if (user.userId === null && !user.applyEntityAccess && user.sessionId === null) return { type: 'System', data: '{}' };
  const data: StoredContext = {
    ...(user.userId !== null ? { userId: user.userId.toString() } : {}),
    ...(user.userName !== null ? { userName: user.userName } : {}),
    ...(user.userEntity !== null ? { userEntity: user.userEntity } : {}),
    userRoles: user.userRoles,
    timeZone: user.timeZone,
  };
  return { type: user.anonymous ? 'Anonymous' : 'User', data: JSON.stringify(data) };
}

/** The context a task runs in, rebuilt from its row against the model running now (roles it no longer has grant nothing). */
export function restoreContext(model: CompiledModel, type: string, data: string): UserContext {
  if (type === 'System') return openContext(model);
  const d = JSON.parse(data) as StoredContext;
  const ctx = userContextFor(model, {
    userId: BigInt(d.userId ?? '0'),
    userName: d.userName ?? '',
    userEntity: d.userEntity ?? 'System.User',
    userRoles: d.userRoles ?? [],
    anonymous: type === 'Anonymous',
    sessionId: null,
    sessionObjectId: null,
    ...(d.timeZone ? { timeZone: d.timeZone } : {}),
  });
  // An anonymous user's object goes with its session: the task keeps the roles, not the (possibly deleted) user.
  return type === 'Anonymous' || d.userId === undefined ? { ...ctx, userId: null, userName: null, userEntity: null } : ctx;
}
