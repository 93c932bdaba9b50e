import { SPECIALIZABLE_SYSTEM_ENTITIES } from '../../system-module.js';
import type { DomainContext } from './context.js';
import { qualify } from './naming.js';

/** The inheritance hierarchy: each entity's generalization, cycles removed. */
export interface Hierarchy {
  /** Entity -> its generalization (entities in a cycle have none). */
  readonly generalizationOf: Map<string, string>;
  /** The entity and its generalizations, nearest first. */
  chainOf(q: string): string[];
}

/** Generalization chains (with cycle detection), and persistability along them. */
export function resolveGeneralizations(ctx: DomainContext): Hierarchy {
  const { report, entityDefs } = ctx;
  const generalizationOf = new Map<string, string>();
  for (const [q, { inp, def, short }] of entityDefs) {
    if (!def.generalization) continue;
    const g = qualify(def.generalization, inp.module);
    if (!entityDefs.has(g)) {
      report(inp, ['entities', short, 'generalization'], `unknown entity '${def.generalization}' as generalization`);
      continue;
    }
    if (g.startsWith('System.') && inp.module !== 'System' && !SPECIALIZABLE_SYSTEM_ENTITIES.includes(g)) {
      report(inp, ['entities', short, 'generalization'], `${g} cannot be generalized (only ${SPECIALIZABLE_SYSTEM_ENTITIES.join(', ')} can)`);
      continue;
    }
    generalizationOf.set(q, g);
  }
  const inCycle = new Set<string>();
  for (const q of entityDefs.keys()) {
    const seen: string[] = [];
    let cur: string | undefined = q;
    while (cur && !seen.includes(cur)) {
      seen.push(cur);
      cur = generalizationOf.get(cur);
    }
    if (cur && cur === q) {
      inCycle.add(q);
      const { inp, short } = entityDefs.get(q)!;
      report(inp, ['entities', short, 'generalization'], `generalization cycle: ${[...seen, q].join(' -> ')}`);
    }
  }
  for (const q of inCycle) generalizationOf.delete(q);
  const chainOf = (q: string): string[] => {
    const chain: string[] = [];
    let cur: string | undefined = q;
    while (cur && !chain.includes(cur)) {
      chain.push(cur);
      cur = generalizationOf.get(cur);
    }
    return chain;
  };
  // Persistability must agree along the chain.
  for (const [q, { inp, def, short }] of entityDefs) {
    const g = generalizationOf.get(q);
    if (!g) continue;
    const gp = entityDefs.get(g)!.def.persistable ?? true;
    const p = def.persistable ?? true;
    if (gp && !p) report(inp, ['entities', short, 'persistable'], `a non-persistable entity cannot generalize the persistable entity ${g}`);
  }
  return { generalizationOf, chainOf };
}
