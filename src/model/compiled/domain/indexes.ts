import type { CAttribute, CEntity, CIndex } from '../types.js';
import type { DomainContext, EntityInput } from './context.js';
import { defaultIndexName } from './naming.js';

/** An entity's indexes, on its own attributes. */
export function compileIndexes(
  ctx: DomainContext,
  q: string,
  { inp, def, short }: EntityInput,
  entity: CEntity,
  ownAttributes: readonly CAttribute[],
): CIndex[] {
  const { report } = ctx;
  const base = ['entities', short];
  const indexes: CIndex[] = [];
  (def.indexes ?? []).forEach((ix, i) => {
    if (!entity.persistable) report(inp, [...base, 'indexes', i], 'indexes are allowed on persistable entities only');
    const cols: CIndex['columns'][number][] = [];
    ix.attributes.forEach((a, j) => {
      const name = typeof a === 'string' ? a : a.attribute;
      const attr = ownAttributes.find((x) => x.name === name);
      if (!attr) {
        report(
          inp,
          [...base, 'indexes', i, 'attributes', j],
          entity.attributes.has(name)
            ? `index attribute '${name}' is inherited: define the index on ${entity.attributes.get(name)!.entity}`
            : `unknown attribute '${name}' of ${q}`,
        );
        return;
      }
      if (attr.calculated) report(inp, [...base, 'indexes', i, 'attributes', j], `calculated attribute '${name}' has no column to index`);
      if (attr.type === 'Binary') report(inp, [...base, 'indexes', i, 'attributes', j], `Binary attribute '${name}' cannot be indexed`);
      cols.push({ attribute: name, column: attr.column, descending: typeof a === 'string' ? false : !!a.descending });
    });
    indexes.push({
      name:
        ix.name ??
        defaultIndexName(
          entity.table,
          cols.map((c) => c.column),
        ),
      columns: cols,
    });
  });
  return indexes;
}
