import type { CompiledModel } from '../model/compiled/types.js';
import { userContextFor } from './contexts.js';
import { isBlocked, type LoginPolicy } from './login-rules.js';
import type { UserContext } from './user-context.js';
import type { UserStore } from './user-store.js';

/**
 * The context of a user that a published service's custom authentication
 * microflow returned, without a session. The user is read again from the
 * database: an inactive, blocked or anonymous user is refused (undefined), as
 * Basic authentication refuses them; web service users are what it is for.
 */
export function serviceUserResolver(model: CompiledModel, users: UserStore, policy: LoginPolicy): (userId: bigint) => Promise<UserContext | undefined> {
  return async (userId) => {
    const user = await users.findById(userId);
    if (!user || !user.active || user.isAnonymous || isBlocked(user, new Date(), policy)) return undefined;
    return userContextFor(model, {
      userId: user.id,
      userName: user.name,
      userEntity: user.entity,
      userRoles: await users.roleNames(user.id),
      anonymous: false,
      sessionId: null,
      sessionObjectId: null,
    });
  };
}
