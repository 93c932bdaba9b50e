import type { CEntity } from '../model/compiled/types.js';
import { isBcryptHash } from './password.js';
import type { UserContext } from './user-context.js';

/** The validation message a pre-hashed password from a client gets (as the policy's messages are given). */
export const PREHASHED_MESSAGE = 'The password must not be a password hash: enter the password itself.';

/** Why a client may not set a password member this way (the client API answers it before anything is applied). */
export type ClientPasswordRefusal = { readonly kind: 'own-password'; readonly message: string } | { readonly kind: 'pre-hashed'; readonly message: string };

/**
 * Checks a change a client sends for a HashedString member (on top of the
 * member's write right):
 * - the session user's own `System.User.Password` is changed only through the
 *   `change_password` action, which asks for the current password; a commit
 *   from the client may set it on other users only (administrators, by their
 *   access rights);
 * - a value that looks like a bcrypt hash is refused: a client never chooses
 *   the stored hash (it would skip the password policy). Microflows, start-up
 *   and the runtime itself are not clients: what they commit is hashed
 *   (src/security/hashed-strings.ts).
 * Undefined when the change may be applied.
 */
export function clientPasswordRefusal(user: UserContext, entity: CEntity, objectId: bigint, member: string, value: unknown): ClientPasswordRefusal | undefined {
  if (entity.attributes.get(member)?.type !== 'HashedString') return undefined;
  if (member === 'Password' && entity.chain.includes('System.User') && user.userId !== null && objectId === user.userId) {
    return {
      kind: 'own-password',
      message: 'not allowed to change your own password here: use the change_password action, which asks for the current password',
    };
  }
  if (typeof value === 'string' && isBcryptHash(value)) return { kind: 'pre-hashed', message: PREHASHED_MESSAGE };
  return undefined;
}
