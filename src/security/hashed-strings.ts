import type { CompiledModel } from '../model/compiled/types.js';
import type { MxObject } from '../objects/mx-object.js';
import { idToGuid } from '../objects/values.js';
import { hashPassword, isBcryptHash } from './password.js';
import { passwordProblems, type PasswordPolicy } from './password-policy.js';

/** Ids of System.User objects (or specializations) these objects deactivate or block. */
export function usersDisabledBy(model: CompiledModel, objects: readonly MxObject[]): bigint[] {
  return objects.filter((o) => o.state === 'persisted' && model.entities.get(o.entity)?.chain.includes('System.User')
    && ((o.changed.has('Active') && o.values.get('Active') === false) || (o.changed.has('Blocked') && o.values.get('Blocked') === true)))
    .map((o) => o.id);
}

export interface HashedStringProblem {
  readonly objectId: bigint;
  readonly entity: string;
  readonly guid: string;
  readonly member: string;
  readonly message: string;
}

/**
 * Before a commit: every HashedString attribute set since load (a password
 * typed in a form, set by a microflow) is checked against the password policy
 * and replaced by its bcrypt hash, so that no plain password reaches the
 * database. A value that already is a bcrypt hash is left as it is (hashed by
 * the runtime before). Returns the policy problems, one per attribute (the
 * commit must then fail with them as validation feedback); objects with a
 * problem are left unhashed.
 */
export async function hashChangedHashedStrings(model: CompiledModel, objects: readonly MxObject[], policy: PasswordPolicy, cost: number): Promise<HashedStringProblem[]> {
  const problems: HashedStringProblem[] = [];
  for (const o of objects) {
    const entity = model.entities.get(o.entity);
    if (!entity) continue;
    for (const name of o.changed) {
      const attr = entity.attributes.get(name);
      if (attr?.type !== 'HashedString') continue;
      const v = o.values.get(name);
      if (typeof v !== 'string' || isBcryptHash(v)) continue;
      const found = passwordProblems(policy, v);
      if (found.length) { problems.push({ objectId: o.id, entity: o.entity, guid: idToGuid(o.id), member: name, message: found.join(' ') }); continue; }
      o.values.set(name, await hashPassword(v, cost));
    }
  }
  return problems;
}
