import type { CAssociation, CEntity } from './types.js';

const cache = new WeakMap<CEntity, readonly string[]>();

/**
 * The associations an entity's objects own (qualified names): those it or a generalization is the
 * parent of, then the ones owned by both ends where it is the child (`alsoOwns`). These are the
 * association members of the entity: in its access rules, sent with its objects, changeable on them.
 */
export function ownedAssociations(entity: CEntity): readonly string[] {
  if (!entity.alsoOwns?.length) return entity.parentOf;
  let list = cache.get(entity);
  if (!list) {
    list = [...entity.parentOf, ...entity.alsoOwns];
    cache.set(entity, list);
  }
  return list;
}

/**
 * The entity an association's value on `entity`'s objects refers to: the child when `entity` owns it
 * as the parent, the parent when it holds it from the child side (owner Both); undefined when its
 * objects do not hold it.
 */
export function referredEntity(entity: CEntity, a: CAssociation): string | undefined {
  if (entity.parentOf.includes(a.name)) return a.child;
  if (entity.alsoOwns?.includes(a.name)) return a.parent;
  return undefined;
}
