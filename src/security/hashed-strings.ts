import type { CompiledModel } from '../model/compiled/types.js';
import type { MxObject } from '../objects/mx-object.js';
import { idToGuid } from '../objects/values.js';
import { hashPassword } from './password.js';
import { passwordProblems, type PasswordPolicy } from './password-policy.js';

const concerned = new WeakMap<CompiledModel, Map<string, boolean>>();

/**
 * Whether the commit hook has anything to look at in these objects: one of them is a
 * System.User (or a specialization: deactivated, blocked, a new password) or has HashedString
 * attributes. Most commits have neither; the answer per entity is worked out once per model.
 */
export function commitHookApplies(model: CompiledModel, objects: readonly MxObject[]): boolean {
  let byEntity = concerned.get(model);
  if (byEntity === undefined) {
    byEntity = new Map();
    concerned.set(model, byEntity);
  }
  for (let i = 0; i < objects.length; i++) {
    const name = objects[i]!.entity;
    let c = byEntity.get(name);
    if (c === undefined) {
      const e = model.entities.get(name);
      c = e !== undefined && (e.chain.includes('System.User') || [...e.attributes.values()].some((a) => a.type === 'HashedString'));
      byEntity.set(name, c);
    }
    if (c) return true;
  }
  return false;
}

/** Ids of System.User objects (or specializations) these objects deactivate or block. */
export function usersDisabledBy(model: CompiledModel, objects: readonly MxObject[]): bigint[] {
  return objects
    .filter(
      (o) =>
        o.state === 'persisted' &&
        model.entities.get(o.entity)?.chain.includes('System.User') &&
        ((o.changed.has('Active') && o.values.get('Active') === false) || (o.changed.has('Blocked') && o.values.get('Blocked') === true)),
    )
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
 * The hashes this runtime made for an object's members in hashChangedHashedStrings.
 * A commit of the client API runs the hook twice (the client API's commit, then the
 * microflow engine's): a value found here is the runtime's own hash and is not hashed again.
 */
const ownHashes = new WeakMap<MxObject, Map<string, string>>();

function isOwnHash(o: MxObject, member: string, v: unknown): boolean {
  return ownHashes.get(o)?.get(member) === v;
}

/**
 * Ids of persisted System.User objects (or specializations) whose Password
 * this commit sets to a new value (not yet hashed by the runtime): their
 * other sessions end once the commit's hashing succeeded.
 */
export function usersWithNewPassword(model: CompiledModel, objects: readonly MxObject[]): bigint[] {
  return objects
    .filter(
      (o) =>
        o.state === 'persisted' &&
        model.entities.get(o.entity)?.chain.includes('System.User') &&
        o.changed.has('Password') &&
        !isOwnHash(o, 'Password', o.values.get('Password')),
    )
    .map((o) => o.id);
}

/**
 * Before a commit: every HashedString attribute set since load (a password
 * typed in a form, set by a microflow) is checked against the password policy
 * and replaced by its bcrypt hash, so that no plain password reaches the
 * database. Every value is taken as a password, also one that looks like a
 * bcrypt hash: nothing stores a hash it was given through a commit (the
 * client API refuses such values from clients before they get here,
 * src/security/client-passwords.ts). Only the runtime's own hashes, made by an
 * earlier run of this hook on the same object, are left as they are. Returns
 * the policy problems, one per attribute (the commit must then fail with them
 * as validation feedback); objects with a problem are left unhashed.
 */
export async function hashChangedHashedStrings(
  model: CompiledModel,
  objects: readonly MxObject[],
  policy: PasswordPolicy,
  cost: number,
): Promise<HashedStringProblem[]> {
  const problems: HashedStringProblem[] = [];
  for (const o of objects) {
    const entity = model.entities.get(o.entity);
    if (!entity) continue;
    for (const name of o.changed) {
      const attr = entity.attributes.get(name);
      if (attr?.type !== 'HashedString') continue;
      const v = o.values.get(name);
      if (typeof v !== 'string' || isOwnHash(o, name, v)) continue;
      const found = passwordProblems(policy, v);
      if (found.length) {
        problems.push({ objectId: o.id, entity: o.entity, guid: idToGuid(o.id), member: name, message: found.join(' ') });
        continue;
      }
      const hash = await hashPassword(v, cost);
      o.values.set(name, hash);
      let own = ownHashes.get(o);
      if (!own) ownHashes.set(o, (own = new Map()));
      own.set(name, hash);
    }
  }
  return problems;
}
