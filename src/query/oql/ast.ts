import type { CAssociation, CAttribute } from '../../model/compiled/types.js';
import type { DatePart, ValueType } from '../../objects/value-types.js';
import type { AggregateFn, CompareOp, XTokenTerm } from '../xpath/ast.js';

export type { DatePart, ValueType };

/**
 * The OQL tree: the query in terms of the domain model (entities, attributes,
 * associations), names resolved, not yet tables and columns. The passes
 * (inheritance, security, sorting, paging) produce new trees; the SQL compiler
 * turns one into text for a dialect.
 */

/** One range variable over an entity's objects. `alias` is unique within a query. */
export interface OqlSource {
  readonly alias: string;
  readonly entity: string;
}

/** Where a parameter's value comes from; resolved per execution (tokens depend on user and time). */
export type ParamSource =
  | { readonly kind: 'literal'; readonly value: string | number | bigint | boolean | Date | null }
  | { readonly kind: 'currentUser' }
  | { readonly kind: 'currentObject' }
  | { readonly kind: 'time'; readonly base: string; readonly terms: readonly XTokenTerm[] }
  | { readonly kind: 'variable'; readonly name: string; readonly path: readonly string[]; readonly pos: number }
  /** IANA zone for date parts: explicit, or the user's. */
  | { readonly kind: 'zone'; readonly zone?: string }
  /** The zone's current UTC offset ('+01:00'), for databases without zone tables. */
  | { readonly kind: 'zoneOffset'; readonly zone?: string }
  /** A LIKE pattern built from another value: lower-cased, wildcards escaped, wrapped. */
  | { readonly kind: 'like'; readonly inner: ParamSource; readonly mode: 'contains' | 'starts-with' | 'ends-with' };

export type OqlHop =
  /** Over an association table; forward = from the parent (owner) to the child. */
  | {
      readonly kind: 'association';
      readonly association: CAssociation;
      readonly forward: boolean;
      readonly from: OqlSource;
      readonly to: OqlSource;
      readonly cast: boolean;
    }
  /** Over System.owner / System.changedBy: a BIGINT column on the declaring entity's table. */
  | { readonly kind: 'systemMember'; readonly member: 'owner' | 'changedBy'; readonly from: OqlSource; readonly to: OqlSource; readonly cast: boolean }
  /** The same object seen as a specialization (joins that entity's table on id). */
  | { readonly kind: 'cast'; readonly from: OqlSource; readonly to: OqlSource };

export type OqlExpr =
  | { readonly kind: 'attr'; readonly source: OqlSource; readonly attribute: CAttribute }
  | { readonly kind: 'id'; readonly source: OqlSource }
  | { readonly kind: 'param'; readonly source: ParamSource; readonly type: ValueType }
  | { readonly kind: 'const'; readonly value: boolean }
  /** `text`: a case-sensitive string comparison (see docs/xpath.md). */
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly left: OqlExpr; readonly right: OqlExpr; readonly text: boolean }
  | { readonly kind: 'like'; readonly operand: OqlExpr; readonly pattern: OqlExpr }
  | { readonly kind: 'isNull'; readonly operand: OqlExpr; readonly negated: boolean }
  | { readonly kind: 'and' | 'or'; readonly items: readonly OqlExpr[] }
  | { readonly kind: 'not'; readonly operand: OqlExpr }
  | { readonly kind: 'exists'; readonly hops: readonly OqlHop[]; readonly where: OqlExpr | undefined }
  | { readonly kind: 'length'; readonly operand: OqlExpr }
  | { readonly kind: 'datePart'; readonly part: DatePart; readonly operand: OqlExpr; readonly zone: ParamSource }
  | { readonly kind: 'arith'; readonly op: '+' | '-' | '*' | 'div'; readonly left: OqlExpr; readonly right: OqlExpr }
  /** The concrete entity of the source's object is one of `entities`. */
  | { readonly kind: 'typeIn'; readonly source: OqlSource; readonly entities: readonly string[] }
  /** id of the System.UserRole with this name (`[%UserRole_Name%]`). */
  | { readonly kind: 'userRole'; readonly name: string }
  /** A value reached over a path: MIN over the related objects (sorting over references). */
  | { readonly kind: 'scalar'; readonly hops: readonly OqlHop[]; readonly value: OqlExpr; readonly where?: OqlExpr };

export interface OqlOrder {
  readonly expr: OqlExpr;
  readonly descending: boolean;
}

export type OqlSelect =
  /** Objects: id, the type column when the entity has specializations, attributes, owned references. */
  | {
      readonly kind: 'objects';
      readonly attributes: readonly CAttribute[];
      readonly references: readonly CAssociation[];
      readonly withType: boolean;
      /** Conditions selected as 1/0 columns `kiln_rule<i>` (which access rules each object matches). */
      readonly flags?: readonly OqlExpr[];
    }
  | { readonly kind: 'count' }
  | { readonly kind: 'aggregate'; readonly fn: AggregateFn; readonly attribute: CAttribute };

export interface OqlQuery {
  readonly source: OqlSource;
  readonly select: OqlSelect;
  readonly where: OqlExpr | undefined;
  readonly orderBy: readonly OqlOrder[];
  /** Paging is applied at execution with validated integers. */
  readonly paged: boolean;
}
