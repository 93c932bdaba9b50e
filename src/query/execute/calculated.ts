import type { CAttribute, CompiledModel } from '../../model/compiled/types.js';
import type { MxObject } from '../../objects/mx-object.js';
import type { UserContext } from '../../security/user-context.js';
import type { QueryPlan } from '../plan.js';
import type { QueryExecutor } from './retrieve.js';

/**
 * Computes calculated attributes (Mendix: a microflow gives the value each
 * time the object is read; no column holds it). The query engine's port: the
 * microflow engine provides it for the model it runs (see `provideCalculator`),
 * and every retrieve — the client API's, microflows', published services',
 * file access — fills the values after reading its rows.
 */
export interface AttributeCalculator {
  /**
   * Sets `attributes` (calculated attributes of the objects' entities) on the objects, in the reader's
   * security context, on the same connection or transaction the objects were read with.
   */
  calculate(db: QueryExecutor, user: UserContext, objects: readonly MxObject[], attributes: (entity: string) => readonly CAttribute[]): Promise<void>;
}

const calculators = new WeakMap<CompiledModel, AttributeCalculator>();

/** Registers the calculator for a model (the microflow engine does at start-up). */
export function provideCalculator(model: CompiledModel, calculator: AttributeCalculator): void {
  calculators.set(model, calculator);
}

const byEntity = new WeakMap<CompiledModel, Map<string, readonly CAttribute[]>>();

/** The calculated attributes of an entity (inherited included), looked up once per model and entity. */
export function calculatedAttributes(model: CompiledModel, entity: string): readonly CAttribute[] {
  let m = byEntity.get(model);
  if (!m) {
    m = new Map();
    byEntity.set(model, m);
  }
  let list = m.get(entity);
  if (!list) {
    list = [...(model.entities.get(entity)?.attributes.values() ?? [])].filter((a) => a.calculated !== undefined);
    m.set(entity, list);
  }
  return list;
}

/** Whether any entity of the model has a calculated attribute (a retrieve of a model without any costs nothing). */
const anyCalculated = new WeakMap<CompiledModel, boolean>();
export function hasCalculated(model: CompiledModel): boolean {
  let b = anyCalculated.get(model);
  if (b === undefined) {
    b = [...model.entities.values()].some((e) => [...e.attributes.values()].some((a) => a.calculated !== undefined));
    anyCalculated.set(model, b);
  }
  return b;
}

/** The calculated attributes a plan asks for: all of them, or those its attribute list names. */
const wantedByPlan = new WeakMap<QueryPlan, ReadonlySet<string> | 'all'>();
function wanted(plan: QueryPlan): ReadonlySet<string> | 'all' {
  let w = wantedByPlan.get(plan);
  if (w === undefined) {
    const list = plan.request.attributes;
    // Attribute names, or Mendix's `Module.Entity/Module.Entity.Attr`: the last dotted part is the name.
    w = list
      ? new Set(
          list.map(
            (raw) =>
              raw
                .slice(raw.lastIndexOf('/') + 1)
                .split('.')
                .pop()!,
          ),
        )
      : 'all';
    wantedByPlan.set(plan, w);
  }
  return w;
}

/** Fills the calculated attributes a retrieve read (a no-op when the model has none or the plan asks for none). */
export async function fillCalculated(db: QueryExecutor, model: CompiledModel, plan: QueryPlan, user: UserContext, objects: readonly MxObject[]): Promise<void> {
  if (objects.length === 0 || !hasCalculated(model)) return;
  const w = wanted(plan);
  const attributes = (entity: string) => {
    const all = calculatedAttributes(model, entity);
    return w === 'all' ? all : all.filter((a) => w.has(a.name));
  };
  if (!objects.some((o) => attributes(o.entity).length > 0)) return;
  const calculator = calculators.get(model);
  // No engine (a tool that only reads, a test without logic): the values stay empty rather than wrong.
  if (!calculator) return;
  await calculator.calculate(db, user, objects, attributes);
}
