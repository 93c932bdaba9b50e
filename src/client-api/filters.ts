import type { FilterOperator, FilterWire } from '../http/xas-wire.js';
import type { CAttribute, CompiledModel } from '../model/compiled/types.js';
import type { AttributeValue } from '../objects/values.js';
import { filterable } from '../security/entity-access.js';
import type { UserContext } from '../security/user-context.js';
import { malformed } from './errors.js';
import { referenceKey } from './reference-paths.js';
import { valueFromJson } from './protocol/values.js';
import type { RetrieveOperation } from './registry/types.js';

/**
 * Column filters of a data grid (Data Grid 2's text, number, date and drop-down
 * filters), sent as structured constraints, never as XPath text. Each is checked
 * here — an attribute the widget shows or searches, readable on every object the
 * user can see, an operator that fits its type, a value of its type — and turned
 * into an XPath constraint over variables (`$KilnFilter0`), so the value is a bound
 * parameter and the compiled plan is shared by every value of the same filter shape.
 */
export interface CompiledFilters {
  /** `[...][...]`, one predicate per filter, or '' for none. */
  readonly xpath: string;
  /** Variable values by name (without `$`). */
  readonly variables: Readonly<Record<string, AttributeValue>>;
}

const NONE: CompiledFilters = { xpath: '', variables: {} };

const TEXT: readonly FilterOperator[] = ['contains', 'startsWith', 'endsWith', 'equal', 'notEqual', 'empty', 'notEmpty'];
const ORDERED: readonly FilterOperator[] = ['equal', 'notEqual', 'greater', 'greaterEqual', 'smaller', 'smallerEqual', 'empty', 'notEmpty'];
const CHOICE: readonly FilterOperator[] = ['equal', 'notEqual', 'empty', 'notEmpty'];

const OPERATORS: Readonly<Record<string, readonly FilterOperator[]>> = {
  String: TEXT,
  Integer: ORDERED,
  Long: ORDERED,
  AutoNumber: ORDERED,
  Decimal: ORDERED,
  DateTime: ORDERED,
  Enumeration: CHOICE,
  Boolean: ['equal', 'notEqual'],
};

const COMPARE: Partial<Record<FilterOperator, string>> = {
  equal: '=',
  notEqual: '!=',
  greater: '>',
  greaterEqual: '>=',
  smaller: '<',
  smallerEqual: '<=',
};
const FUNCTION: Partial<Record<FilterOperator, string>> = { contains: 'contains', startsWith: 'starts-with', endsWith: 'ends-with' };

export function compileFilters(model: CompiledModel, op: RetrieveOperation, user: UserContext, filters: readonly FilterWire[]): CompiledFilters {
  if (filters.length === 0) return NONE;
  const entity = model.entities.get(op.entity)!;
  // Only what the widget itself shows or searches: a filter is no way to probe other members.
  const offered = new Set([...op.attributes, ...op.searchAttributes]);
  const predicates: string[] = [];
  const variables: Record<string, AttributeValue> = {};
  filters.forEach((f, i) => {
    const field = `options.filters.${i}`;
    let attr: CAttribute | undefined;
    let member = f.attribute;
    if (f.attribute.includes('/')) {
      // Over a reference the grid shows (a column `Assoc/Entity/Attr`): the path goes into the XPath as it is.
      const key = referenceKey(model, op, user, f.attribute, `${field}.attribute`, 'filter');
      attr = key.attribute;
      member = key.path;
    } else {
      attr = entity.attributes.get(f.attribute);
      if (!attr || !offered.has(f.attribute)) throw malformed(`${field}.attribute`, `cannot filter on '${f.attribute}'`);
      if (attr.calculated) throw malformed(`${field}.attribute`, `cannot filter on '${f.attribute}': it is calculated when read, not stored`);
      // Readable on some objects only (per-object member rights): a filter would reveal the others' values.
      if (!filterable(model, user, op.entity, f.attribute))
        throw malformed(`${field}.attribute`, `cannot filter on '${f.attribute}': it is not readable on every object you can see`);
    }
    const allowed = OPERATORS[attr.type] ?? [];
    if (!allowed.includes(f.operator))
      throw malformed(
        `${field}.operator`,
        allowed.length ? `'${f.operator}' does not apply to ${attr.type} (use ${allowed.join(', ')})` : `${attr.type} attributes cannot be filtered`,
      );
    if (f.operator === 'empty' || f.operator === 'notEmpty') {
      predicates.push(`[${member} ${f.operator === 'empty' ? '=' : '!='} empty]`);
      return;
    }
    const value = filterValue(model, attr, f.value, `${field}.value`);
    if (value === null) throw malformed(`${field}.value`, `is required for '${f.operator}'`);
    const name = `KilnFilter${i}`;
    variables[name] = value;
    const fn = FUNCTION[f.operator];
    predicates.push(fn ? `[${fn}(${member}, $${name})]` : `[${member} ${COMPARE[f.operator]} $${name}]`);
  });
  return { xpath: predicates.join(''), variables };
}

/** A filter value by the attribute's type; a text filter may be longer than the attribute (it then finds nothing). */
function filterValue(model: CompiledModel, attr: CAttribute, v: unknown, field: string): AttributeValue {
  if (attr.type === 'String') {
    if (typeof v !== 'string') throw malformed(field, 'must be a string');
    return v === '' ? null : v;
  }
  if (attr.type === 'AutoNumber') return valueFromJson(model, { ...attr, type: 'Long' }, v, field);
  return valueFromJson(model, attr, v, field);
}
