import type { CAttribute, CompiledModel } from '../model/compiled/types.js';
import { filterable } from '../security/entity-access.js';
import type { UserContext } from '../security/user-context.js';
import { malformed } from './errors.js';
import type { RetrieveOperation } from './registry/types.js';

/** A sort or filter key over one reference, as the query engine takes it (qualified). */
export interface ReferenceKey {
  /** `Module.Assoc/Module.Entity/Attr`. */
  readonly path: string;
  readonly attribute: CAttribute;
}

/**
 * A client's sort or filter key `Assoc/Entity/Attr` (as the page's column names it, short
 * or qualified) over a reference the operation shows, checked as a key on an attribute of
 * the grid's own entity is: the user must read the association on every object of the
 * grid's entity and the attribute on every object at the other end (otherwise the order
 * or the filter would reveal values hidden from them). A reference set is no key: Mendix
 * neither sorts nor filters a grid over one.
 */
export function referenceKey(model: CompiledModel, op: RetrieveOperation, user: UserContext, key: string, field: string, verb: string): ReferenceKey {
  const [assoc, entity, attr, ...rest] = key.split('/');
  const named = (qualified: string, name: string | undefined) => qualified === name || qualified.endsWith(`.${name}`);
  const p = rest.length ? undefined : op.paths.find((x) => named(x.association, assoc) && named(x.entity, entity) && x.attribute === attr);
  const attribute = p && model.associations.get(p.association)?.type === 'Reference' ? model.entities.get(p.entity)?.attributes.get(p.attribute) : undefined;
  if (!p || !attribute) throw malformed(field, `cannot ${verb} on '${key}'`);
  if (attribute.calculated) throw malformed(field, `cannot ${verb} on '${key}': it is calculated when read, not stored`);
  if (!filterable(model, user, op.entity, p.association) || !filterable(model, user, p.entity, p.attribute))
    throw malformed(field, `cannot ${verb} on '${key}': it is not readable on every object you can see`);
  return { path: `${p.association}/${p.entity}/${p.attribute}`, attribute };
}
