import type { AttributeType } from '../../model/compiled/types.js';

/**
 * The physical schema, as the model wants it and as the system tables record
 * it: the two sides of the diff that becomes DDL. Keys are model names
 * (qualified entity / association names, attribute names), so renames can be
 * recognised through `previousKeys`.
 */
export interface ColumnDef {
  /** Attribute name, or a system key: `createdDate`, `changedDate`, `System.owner`, `System.changedBy`, `submetaobjectname`. */
  readonly key: string;
  readonly column: string;
  readonly type: AttributeType;
  /** String-like: maximum length, 0 = unlimited. */
  readonly length: number;
  readonly defaultValue: string | null;
  readonly previousKeys: readonly string[];
  /** Enumeration (model side only): the keys rows may hold. */
  readonly enumValues?: readonly string[];
  /** Metadata row id (stored side only). */
  readonly id?: string;
}

export interface IndexDef {
  readonly name: string;
  readonly columns: readonly { readonly column: string; readonly descending: boolean }[];
  readonly unique: boolean;
}

export interface TableDef {
  readonly kind: 'entity' | 'association';
  /** Qualified entity or association name. */
  readonly key: string;
  readonly table: string;
  readonly previousKeys: readonly string[];
  readonly columns: readonly ColumnDef[];
  readonly indexes: readonly IndexDef[];
  /** Entity: the generalization's key. */
  readonly superKey?: string;
  /**
   * Entity: keys of calculated attributes. They have no column; a stored column of the same key
   * (the attribute was stored before) is left alone, neither dropped nor reported.
   */
  readonly calculatedKeys?: readonly string[];
  /** Association: keys of the parent and child entities and the two columns. */
  readonly parentKey?: string;
  readonly childKey?: string;
  /** Metadata row id (stored side only). */
  readonly id?: string;
  /** Entity: short id (stored side only). */
  readonly shortId?: number;
}

/** Mendix's codes in mendixsystem$attribute.type. */
export const TYPE_CODES: Record<AttributeType, number> = {
  AutoNumber: 0,
  Integer: 3,
  Long: 4,
  Decimal: 5,
  Boolean: 10,
  DateTime: 20,
  String: 30,
  HashedString: 30,
  Enumeration: 40,
  Binary: 50,
};

export function typeOfCode(code: number): AttributeType {
  const found = (Object.entries(TYPE_CODES) as [AttributeType, number][]).find(([, c]) => c === code);
  if (!found) throw new Error(`unknown attribute type code ${code} in mendixsystem$attribute`);
  return found[0];
}
