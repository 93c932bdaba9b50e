import type { CAssociation, CEntity, CompiledModel } from '../../model/compiled/types.js';
import type { QueryPlan } from '../plan.js';
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

/** The associations owned by both ends that a plan's objects hold from the child side and that it asks for (all, or those it names). */
const childSide = new WeakMap<QueryPlan, readonly CAssociation[]>();
function childSideAssociations(model: CompiledModel, plan: QueryPlan): readonly CAssociation[] {
  let list = childSide.get(plan);
  if (!list) {
    const wanted = plan.request.attributes;
    list = (plan.entity.alsoOwns ?? [])
      .map((n) => model.associations.get(n)!)
      .filter((a) => model.entities.get(a.parent)?.persistable)
      .filter((a) => !wanted || wanted.includes(a.name) || wanted.includes(a.shortName));
    childSide.set(plan, list);
  }
  return list;
}

/** Objects of a retrieve get the parent ids of the Both-owned associations they hold from the child side: one query per association. */
export async function loadChildSideReferences(db: QueryExecutor, model: CompiledModel, plan: QueryPlan, objects: readonly MxObject[]): Promise<void> {
  if (!objects.length || !plan.entity.alsoOwns?.length) return;
  for (const a of childSideAssociations(model, plan)) await loadAssociation(db, a, objects, true);
}
