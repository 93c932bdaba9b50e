import type { CompiledModel } from '../../model/compiled/types.js';

/**
 * Static types of the expression language. `Empty` is the type of the literal
 * `empty` (assignable to everything); `Unknown` stands in after an error so one
 * mistake is reported once, not again by every enclosing operator.
 */
export type XType =
  | { readonly kind: 'Boolean' | 'Integer' | 'Long' | 'Decimal' | 'String' | 'DateTime' | 'Nothing' | 'Empty' | 'Unknown' | 'Binary' }
  | { readonly kind: 'Enumeration'; readonly enumeration: string }
  | { readonly kind: 'Object'; readonly entity: string }
  | { readonly kind: 'List'; readonly entity: string };

const simple = <K extends 'Boolean' | 'Integer' | 'Long' | 'Decimal' | 'String' | 'DateTime' | 'Nothing' | 'Empty' | 'Unknown' | 'Binary'>(kind: K) =>
  ({ kind }) as const;
export const T = {
  Boolean: simple('Boolean'),
  Integer: simple('Integer'),
  Long: simple('Long'),
  Decimal: simple('Decimal'),
  String: simple('String'),
  DateTime: simple('DateTime'),
  Nothing: simple('Nothing'),
  Empty: simple('Empty'),
  Unknown: simple('Unknown'),
  Binary: simple('Binary'),
  enumeration: (enumeration: string): XType => ({ kind: 'Enumeration', enumeration }),
  object: (entity: string): XType => ({ kind: 'Object', entity }),
  list: (entity: string): XType => ({ kind: 'List', entity }),
} as const;

export function typeToString(t: XType): string {
  switch (t.kind) {
    case 'Enumeration':
      return t.enumeration;
    case 'Object':
      return t.entity;
    case 'List':
      return `List of ${t.entity}`;
    case 'Empty':
      return 'empty';
    default:
      return t.kind;
  }
}

export const isNumeric = (t: XType): boolean => t.kind === 'Integer' || t.kind === 'Long' || t.kind === 'Decimal';
export const isIntegral = (t: XType): boolean => t.kind === 'Integer' || t.kind === 'Long';
/** Unknown and Empty fit anywhere: the first to avoid cascades, the second because `empty` is every type's empty value. */
export const isLoose = (t: XType): boolean => t.kind === 'Unknown' || t.kind === 'Empty';

/** Numeric widening: Integer -> Long -> Decimal. */
export function widen(a: XType, b: XType): XType {
  if (a.kind === 'Decimal' || b.kind === 'Decimal') return T.Decimal;
  if (a.kind === 'Long' || b.kind === 'Long') return T.Long;
  return T.Integer;
}

/** Is `entity` the same as or a specialization of `target`? */
export function isSubEntity(model: CompiledModel, entity: string, target: string): boolean {
  if (entity === target) return true;
  return model.entities.get(entity)?.chain.includes(target) ?? false;
}

/** Can a value of type `from` be stored where `to` is expected (variable, parameter, attribute, return)? */
export function assignable(model: CompiledModel, from: XType, to: XType): boolean {
  if (isLoose(from) || to.kind === 'Unknown') return true;
  switch (to.kind) {
    case 'Decimal':
      return isNumeric(from);
    case 'Long':
      return isIntegral(from);
    case 'Integer':
      return isIntegral(from);
    case 'Enumeration':
      return from.kind === 'Enumeration' && from.enumeration === to.enumeration;
    case 'Object':
      return from.kind === 'Object' && isSubEntity(model, from.entity, to.entity);
    case 'List':
      return from.kind === 'List' && isSubEntity(model, from.entity, to.entity);
    case 'Nothing':
      return true;
    default:
      return from.kind === to.kind;
  }
}

/**
 * Parses a data type as written in model files: Boolean, Integer, Long, Decimal,
 * String, DateTime, Nothing, Module.Enum, Module.Entity, "List of Module.Entity".
 * Returns an error message for unknown names.
 */
export function parseTypeName(model: CompiledModel, text: string, module?: string): XType | string {
  const s = text.trim();
  const list = /^List\s+of\s+(.+)$/i.exec(s);
  if (list) {
    const inner = parseTypeName(model, list[1]!, module);
    if (typeof inner === 'string') return inner;
    if (inner.kind !== 'Object') return `a list holds objects, not ${typeToString(inner)}`;
    return T.list(inner.entity);
  }
  switch (s) {
    case 'Boolean':
    case 'Integer':
    case 'Long':
    case 'Decimal':
    case 'String':
    case 'DateTime':
    case 'Nothing':
    case 'Binary':
      return simple(s);
    case 'Void':
      return T.Nothing;
  }
  const q = s.includes('.') ? s : module ? `${module}.${s}` : s;
  if (model.entities.has(q)) return T.object(q);
  if (model.enumerations.has(q)) return T.enumeration(q);
  return `unknown type '${s}'`;
}

/** The expression type of an attribute. */
export function attributeXType(attrType: string, enumeration?: string): XType {
  switch (attrType) {
    case 'AutoNumber':
      return T.Long;
    case 'HashedString':
      return T.String;
    case 'Enumeration':
      return T.enumeration(enumeration ?? '');
    case 'Binary':
      return T.Binary;
    default:
      return simple(attrType as 'String');
  }
}
