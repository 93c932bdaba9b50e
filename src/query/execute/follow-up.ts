import type { CAssociation, CEntity, CompiledModel } from '../../model/compiled/types.js';
import { loadAssociation, loadSpecializationMembers as loadMembers } from '../../data/persistence/retrieve.js';
import type { MxObject } from '../../objects/mx-object.js';
import type { QueryExecutor } from './retrieve.js';

/** Reference sets of the objects: the data layer's follow-up load, one query per association (per IDS_PER_STATEMENT objects). */
export async function loadReferenceSets(db: QueryExecutor, objects: readonly MxObject[], sets: readonly CAssociation[]): Promise<void> {
  if (!objects.length) return;
  for (const r of sets) await loadAssociation(db, r, objects);
}

/** The attributes a retrieve loads of an entity's objects: every one but Binary (file contents are never sent with an object). */
const loaded = new WeakMap<CEntity, ReadonlySet<string>>();
function loadedAttributes(model: CompiledModel, name: string): ReadonlySet<string> | undefined {
  const e = model.entities.get(name);
  if (!e) return undefined;
  let s = loaded.get(e);
  if (!s) {
    s = new Set([...e.attributes.values()].filter((a) => a.type !== 'Binary').map((a) => a.name));
    loaded.set(e, s);
  }
  return s;
}

/**
 * Objects of specializations found by a query on their generalization get the
 * members their own entity adds (as Mendix does: only when every attribute is
 * wanted, in one follow-up query per specialization): the data layer's
 * follow-up load, without Binary attributes.
 */
export async function loadSpecializationMembers(db: QueryExecutor, model: CompiledModel, queried: CEntity, objects: readonly MxObject[]): Promise<void> {
  await loadMembers(db, model, queried.name, objects, { wanted: (concrete) => loadedAttributes(model, concrete) });
}
