import type { CompiledModel } from '../model/compiled/types.js';
import { canCallMicroflow, canOpenPage, hasAnyRole } from './document-access.js';
import { entityAccess } from './entity-access.js';
import { hashChangedHashedStrings, usersDisabledBy } from './hashed-strings.js';
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
    async beforeCommit(objects, tx) {
      const problems = await hashChangedHashedStrings(model, objects, model.security.passwordPolicy, cost);
      if (problems.length) return problems;
      const disabled = usersDisabledBy(model, objects);
      for (const id of disabled) await mgr.endAllOf(id, tx);
      return [];
    },
  };
}
