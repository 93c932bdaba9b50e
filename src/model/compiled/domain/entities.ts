import type { CAssociation, CAttribute, CEntity } from '../types.js';
import type { DomainContext } from './context.js';
import type { Hierarchy } from './generalizations.js';
import { tableName } from './naming.js';

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The entities with their inheritance flattened: attributes and system members
 * of the whole chain, the associations of the chain on either side, the
 * specializations. Validation, events, access and indexes are filled in later.
 */
export function flattenEntities(
  ctx: DomainContext,
  hierarchy: Hierarchy,
  ownAttrs: ReadonlyMap<string, CAttribute[]>,
  associations: ReadonlyMap<string, CAssociation>,
): Map<string, Mutable<CEntity>> {
  const { entityDefs } = ctx;
  const { generalizationOf, chainOf } = hierarchy;
  const entities = new Map<string, Mutable<CEntity>>();
  const specializations = new Map<string, string[]>();
  for (const [q, g] of generalizationOf) specializations.set(g, [...(specializations.get(g) ?? []), q]);
  const allSpecs = (q: string): string[] => {
    const direct = specializations.get(q) ?? [];
    return direct.flatMap((s) => [s, ...allSpecs(s)]);
  };
  for (const [q, { inp, def, short }] of entityDefs) {
    const chain = chainOf(q);
    const attributes = new Map<string, CAttribute>();
    for (const e of [...chain].reverse()) for (const a of ownAttrs.get(e) ?? []) attributes.set(a.name, a);
    const own = {
      createdDate: !!def.systemMembers?.createdDate,
      changedDate: !!def.systemMembers?.changedDate,
      owner: !!def.systemMembers?.owner,
      changedBy: !!def.systemMembers?.changedBy,
    };
    const systemMembers = { ...own };
    for (const e of chain.slice(1)) {
      const sm = entityDefs.get(e)!.def.systemMembers ?? {};
      systemMembers.createdDate ||= !!sm.createdDate;
      systemMembers.changedDate ||= !!sm.changedDate;
      systemMembers.owner ||= !!sm.owner;
      systemMembers.changedBy ||= !!sm.changedBy;
    }
    const parentOf = [...associations.values()].filter((a) => chain.includes(a.parent)).map((a) => a.name);
    const childOf = [...associations.values()].filter((a) => chain.includes(a.child)).map((a) => a.name);
    const alsoOwns = [...associations.values()].filter((a) => a.owner === 'Both' && chain.includes(a.child) && !chain.includes(a.parent)).map((a) => a.name);
    const root = chain[chain.length - 1]!;
    const entity: Mutable<CEntity> = {
      name: q,
      module: inp.module,
      shortName: short,
      persistable: def.persistable ?? true,
      table: tableName(q),
      ...(generalizationOf.get(q) ? { generalization: generalizationOf.get(q)! } : {}),
      chain,
      directSpecializations: specializations.get(q) ?? [],
      allSpecializations: allSpecs(q),
      hasTypeColumn: root === q && (specializations.get(q)?.length ?? 0) > 0,
      ownAttributes: ownAttrs.get(q) ?? [],
      attributes,
      systemMembers,
      ownSystemMembers: own,
      parentOf,
      childOf,
      alsoOwns,
      validation: [],
      events: [],
      access: [],
      indexes: [],
      ...(def.previousName ? { previousName: def.previousName } : {}),
      ...(inp.file ? { source: { file: inp.file, path: ['entities', short] } } : {}),
    };
    entities.set(q, entity);
  }
  return entities;
}
