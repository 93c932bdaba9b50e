import type { DeleteBehaviorDef } from '../../schema/index.js';
import type { CAssociation, DeleteBehavior } from '../types.js';
import type { DomainContext } from './context.js';
import { associationColumns, qualify, tableName } from './naming.js';

/** Associations: ends resolved, persistability checked, table and columns named. */
export function compileAssociations(ctx: DomainContext): Map<string, CAssociation> {
  const { report, entityDefs } = ctx;
  const associations = new Map<string, CAssociation>();
  for (const inp of ctx.inputs) {
    for (const [name, def] of Object.entries(inp.def.associations ?? {})) {
      const q = `${inp.module}.${name}`;
      const path = ['associations', name];
      ctx.claim(inp, path, q, 'association');
      const parent = qualify(def.parent, inp.module);
      const child = qualify(def.child, inp.module);
      let ok = true;
      if (!entityDefs.has(parent)) {
        report(inp, [...path, 'parent'], `unknown entity '${def.parent}'`);
        ok = false;
      }
      if (!entityDefs.has(child)) {
        report(inp, [...path, 'child'], `unknown entity '${def.child}'`);
        ok = false;
      }
      if (!ok) {
        for (const end of [parent, child]) ctx.broken.add(`${end}.${name}`).add(`${end}.${q}`);
        ctx.broken.add(q);
        continue;
      }
      const pDef = entityDefs.get(parent)!.def;
      const cDef = entityDefs.get(child)!.def;
      if ((pDef.persistable ?? true) !== (cDef.persistable ?? true) && (pDef.persistable ?? true)) {
        report(inp, path, `a persistable entity (${parent}) cannot own an association to a non-persistable entity (${child})`);
      }
      const type = def.type ?? 'Reference';
      const storage = def.storage ?? 'table';
      if (storage === 'column' && type === 'ReferenceSet') {
        report(inp, [...path, 'storage'], 'a ReferenceSet is stored in an association table; storage: column is for a Reference only');
      }
      const asColumn = storage === 'column' && type === 'Reference';
      // Column storage (Mendix's format Column): a column named as the association table would be, on the parent's table.
      const { parentColumn, childColumn } = asColumn ? { parentColumn: 'id', childColumn: tableName(q) } : associationColumns(parent, child);
      associations.set(q, {
        name: q,
        module: inp.module,
        shortName: name,
        type,
        parent,
        child,
        owner: def.owner ?? 'Default',
        onDeleteParent: deleteBehavior(def.deleteBehavior?.parent),
        onDeleteChild: deleteBehavior(def.deleteBehavior?.child),
        storage: asColumn ? 'column' : 'table',
        table: asColumn ? tableName(parent) : tableName(q),
        parentColumn,
        childColumn,
        ...(def.previousName ? { previousName: def.previousName } : {}),
        ...(inp.file ? { source: { file: inp.file, path } } : {}),
      });
    }
  }
  return associations;
}

function deleteBehavior(def: DeleteBehaviorDef | undefined): DeleteBehavior {
  if (def === undefined || def === 'keep') return { kind: 'keep' };
  if (def === 'cascade') return { kind: 'cascade' };
  return { kind: 'prevent', message: def.prevent };
}
