import type { Diagnostic } from '../diagnostics.js';
import { compileAccessRules } from './domain/access.js';
import { compileAssociations } from './domain/associations.js';
import { checkRedeclaredAttributes, compileOwnAttributes } from './domain/attributes.js';
import { compileConstants } from './domain/constants.js';
import { domainContext, type ModuleInput } from './domain/context.js';
import { flattenEntities } from './domain/entities.js';
import { resolveGeneralizations } from './domain/generalizations.js';
import { compileIndexes } from './domain/indexes.js';
import { collectNames } from './domain/names.js';
import { compileEventHandlers, compileValidationRules } from './domain/validation.js';
import type { CAssociation, CConstant, CEntity, CEnumeration, CEventHandler, CValidationRule } from './types.js';

export type { ModuleInput } from './domain/context.js';
export { qualify } from './domain/naming.js';

export interface DomainOutput {
  entities: Map<string, CEntity>;
  associations: Map<string, CAssociation>;
  enumerations: Map<string, CEnumeration>;
  constants: Map<string, CConstant>;
  moduleRoles: Set<string>;
  /** Members and elements whose definitions are broken (reported once, not where used). */
  broken: Set<string>;
}

/**
 * Compiles the modules' domain models, phase by phase (domain/): names,
 * constants, generalizations, own attributes, associations, entities with
 * their inheritance flattened, then per entity its validation rules, events,
 * indexes and access rules. Problems go to `out`, in that order.
 */
export function compileDomain(inputs: readonly ModuleInput[], constantOverrides: Record<string, unknown>, out: Diagnostic[]): DomainOutput {
  const ctx = domainContext(inputs, out);
  collectNames(ctx);
  compileConstants(ctx, constantOverrides);
  const hierarchy = resolveGeneralizations(ctx);
  const ownAttrs = compileOwnAttributes(ctx);
  checkRedeclaredAttributes(ctx, hierarchy, ownAttrs);
  const associations = compileAssociations(ctx);
  const entities = flattenEntities(ctx, hierarchy, ownAttrs, associations);

  // Validation, events, indexes, access (need the flattened members).
  const ownValidation = new Map<string, CValidationRule[]>();
  const ownEvents = new Map<string, CEventHandler[]>();
  for (const [q, input] of ctx.entityDefs) {
    const entity = entities.get(q)!;
    ownValidation.set(q, compileValidationRules(ctx, q, input, entity));
    ownEvents.set(q, compileEventHandlers(q, input));
    entity.indexes = compileIndexes(ctx, q, input, entity, ownAttrs.get(q) ?? []);
    entity.access = compileAccessRules(ctx, q, input, entity, associations);
  }
  // Inherited validation and events.
  for (const e of entities.values()) {
    e.validation = e.chain.flatMap((c) => ownValidation.get(c)!);
    e.events = e.chain.flatMap((c) => ownEvents.get(c)!);
  }
  return { entities, associations, enumerations: ctx.enumerations, constants: ctx.constants, moduleRoles: ctx.moduleRoles, broken: ctx.broken };
}
