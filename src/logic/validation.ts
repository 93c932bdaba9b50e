import { Decimal } from 'decimal.js';
import { placeholder, quoteIdentifier } from '../data/dialects/names.js';
import { idFromDb, toDbValue } from '../data/values.js';
import type { CAttribute, CEntity, CValidationRule } from '../model/compiled/types.js';
import type { MxObject } from '../objects/mx-object.js';
import type { AttributeValue } from '../objects/values.js';
import type { FeedbackItem } from './engine/errors.js';
import type { LogicSession } from './engine/session.js';

/**
 * Validation rules at commit, as Mendix runs them: every failure is collected,
 * one message per member in the order the attributes are declared; the unique
 * rules are database checks and run last, only once every other rule passed.
 */
export async function validateObjects(session: LogicSession, objects: readonly MxObject[]): Promise<FeedbackItem[]> {
  const model = session.model;
  const failures: FeedbackItem[] = [];
  const uniques: [MxObject, CEntity, CValidationRule][] = [];
  for (const o of objects) {
    const entity = model.entities.get(o.entity);
    if (!entity || entity.validation.length === 0) continue;
    const rules = rulesInOrder(entity);
    // Members that failed a rule already (one message per member); made at the first failure.
    let failed: Set<string> | undefined;
    for (let i = 0; i < rules.length; i++) {
      const { rule, attr } = rules[i]!;
      if (failed?.has(rule.attribute)) continue;
      if (rule.rule.kind === 'unique') {
        uniques.push([o, entity, rule]);
        continue;
      }
      if (!attr) continue;
      if (!passes(o, entity, attr, rule)) {
        (failed ??= new Set()).add(rule.attribute);
        failures.push({ objectId: o.id, entity: o.entity, member: rule.attribute, message: session.text(rule.message) });
      }
    }
  }
  if (failures.length > 0 || uniques.length === 0) return failures;
  // Unique: against the database and against the other objects of this commit.
  const seen = new Map<string, bigint>();
  const committing = new Set(objects.map((o) => o.id));
  for (const [o, entity, rule] of uniques) {
    const attr = entity.attributes.get(rule.attribute)!;
    const v = o.values.get(attr.name) ?? null;
    if (v === null) continue;
    const key = `${attr.qualifiedName}\u0000${uniqueKey(v)}`;
    const other = seen.get(key);
    if (other !== undefined && other !== o.id) {
      failures.push({ objectId: o.id, entity: o.entity, member: rule.attribute, message: session.text(rule.message) });
      continue;
    }
    seen.set(key, o.id);
    if (session.tx && (await existsOther(session, attr, v, committing)))
      failures.push({ objectId: o.id, entity: o.entity, member: rule.attribute, message: session.text(rule.message) });
  }
  return failures;
}

interface OrderedRule {
  readonly rule: CValidationRule;
  /** The rule's attribute; undefined when the entity has none of that name (the rule is skipped). */
  readonly attr: CAttribute | undefined;
}

const ordered = new WeakMap<CEntity, readonly OrderedRule[]>();

/**
 * An entity's rules in the order its attributes are declared (a stable sort: rules of one
 * attribute keep theirs), with their attributes: worked out once per entity, not on every commit.
 */
function rulesInOrder(entity: CEntity): readonly OrderedRule[] {
  let rules = ordered.get(entity);
  if (rules === undefined) {
    const order = [...entity.attributes.keys()];
    rules = [...entity.validation]
      .sort((a, b) => order.indexOf(a.attribute) - order.indexOf(b.attribute))
      .map((rule) => ({ rule, attr: entity.attributes.get(rule.attribute) }));
    ordered.set(entity, rules);
  }
  return rules;
}

function uniqueKey(v: AttributeValue): string {
  if (v instanceof Date) return String(v.getTime());
  if (v instanceof Decimal) return v.toFixed();
  return String(v);
}

async function existsOther(session: LogicSession, attr: CAttribute, v: AttributeValue, exclude: ReadonlySet<bigint>): Promise<boolean> {
  const tx = session.sql();
  const d = tx.dialect;
  const table = session.model.entities.get(attr.entity)!.table;
  const rows = await tx.query<Record<string, unknown>>(
    `SELECT ${quoteIdentifier(d, 'id')} AS id FROM ${quoteIdentifier(d, table)} WHERE ${quoteIdentifier(d, attr.column)} = ${placeholder(d, 1)}`,
    [toDbValue(d, attr, v)],
  );
  return rows.some((r) => !exclude.has(idFromDb(r.id)));
}

function isEmpty(v: AttributeValue | undefined): boolean {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
}

function passes(o: MxObject, entity: CEntity, attr: CAttribute, rule: CValidationRule): boolean {
  const v = o.values.get(attr.name);
  switch (rule.rule.kind) {
    case 'required':
      return !isEmpty(v);
    case 'maxLength':
      return isEmpty(v) || String(v).length <= rule.rule.length;
    case 'regex': {
      if (isEmpty(v)) return true;
      return new RegExp(`^(?:${rule.rule.pattern})$`).test(String(v));
    }
    case 'range': {
      if (v === null || v === undefined) return true;
      const { min, max } = rule.rule;
      const bound = (b: string | number | undefined): AttributeValue | undefined => {
        if (b === undefined) return undefined;
        if (typeof b === 'string' && entity.attributes.has(b)) return o.values.get(b) ?? null;
        if (attr.type === 'DateTime') return new Date(String(b));
        return typeof b === 'number' ? b : b;
      };
      const lo = bound(min),
        hi = bound(max);
      return (lo === undefined || lo === null || compare(v, lo) >= 0) && (hi === undefined || hi === null || compare(v, hi) <= 0);
    }
    default:
      return true;
  }
}

function compare(a: AttributeValue, b: AttributeValue): number {
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  const x = new Decimal(a instanceof Decimal ? a : String(a));
  return x.cmp(new Decimal(b instanceof Decimal ? b : String(b)));
}
