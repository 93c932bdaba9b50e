import type { Queryable } from '../data/index.js';
import type { CompiledModel } from '../model/compiled/types.js';
import type { MxObject } from '../objects/mx-object.js';
import { canCallMicroflow, canOpenPage, hasAnyRole } from './document-access.js';
import { entityAccess } from './entity-access.js';
import { commitHookApplies, hashChangedHashedStrings, usersDisabledBy, usersWithNewPassword, type HashedStringProblem } from './hashed-strings.js';
import { hashPassword, verifyPassword } from './password.js';
import { assertPasswordAllowed, passwordProblems } from './password-policy.js';
import type { SecurityService } from './services.js';
import type { SessionManager } from './sessions/session-manager.js';

/** The 'security' service: access checks, passwords, and the hook that hashes and disables before a commit. */
export function securityService(model: CompiledModel, mgr: SessionManager, cost: number): SecurityService {
  return {
    entityAccess: (user, entity) => entityAccess(model, user, entity),
    canOpenPage: (user, page) => canOpenPage(model, user, page),
    canCallMicroflow: (user, mf) => canCallMicroflow(model, user, mf),
    hasAnyRole: (user, roles) => hasAnyRole(model, user, roles),
    passwordProblems: (pw) => passwordProblems(model.security.passwordPolicy, pw),
    async hashNewPassword(pw) {
      assertPasswordAllowed(model.security.passwordPolicy, pw);
      return hashPassword(pw, cost);
    },
    verifyPassword,
    beforeCommit(objects, tx, actingSession) {
      // Nothing to hash and nobody to sign out (no user, no HashedString among the objects): the
      // common commit gets the one settled answer, without the passes below.
      if (!commitHookApplies(model, objects)) return NO_PROBLEMS;
      return beforeCommit(objects, tx, actingSession);
    },
  };

  async function beforeCommit(objects: readonly MxObject[], tx: Queryable, actingSession: bigint | null | undefined): Promise<HashedStringProblem[]> {
    // Read before hashing: afterwards every new password looks like the runtime's own hash.
    const newPassword = usersWithNewPassword(model, objects);
    const problems = await hashChangedHashedStrings(model, objects, model.security.passwordPolicy, cost);
    if (problems.length) return problems;
    const disabled = usersDisabledBy(model, objects);
    for (const id of disabled) await mgr.endAllOf(id, tx);
    // A new password ends the user's other sessions; the session that set it (its own user's) goes on.
    for (const id of newPassword) if (!disabled.includes(id)) await mgr.endAllOf(id, tx, actingSession ?? undefined);
    return [];
  }
}

/** No problems: frozen, as it is every caller's. */
const NO_PROBLEMS: Promise<HashedStringProblem[]> = Promise.resolve(Object.freeze([]) as unknown as HashedStringProblem[]);
