/**
 * The XPath syntax tree, as written: names are not yet resolved against the
 * model. Every node carries `pos`, the 0-based offset of its first character.
 */
export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type ArithOp = '+' | '-' | '*' | 'div';
export type AggregateFn = 'count' | 'sum' | 'avg' | 'min' | 'max';

export interface XStep {
  /** `Module.Association`, `Module.Entity`, an attribute name, or `id`. */
  readonly name: string;
  readonly predicates: readonly XExpr[];
  /** `[reversed()]` written after an association step. */
  readonly reversed: boolean;
  readonly pos: number;
}

/** A time token expression: `[%BeginOfCurrentDay%] - 3 * [%DayLength%]`. */
export interface XTokenTerm {
  readonly sign: 1 | -1;
  readonly factor: number;
  readonly token: string;
}

export type XExpr =
  | { readonly kind: 'or' | 'and'; readonly left: XExpr; readonly right: XExpr; readonly pos: number }
  | { readonly kind: 'not'; readonly operand: XExpr; readonly pos: number }
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly left: XExpr; readonly right: XExpr; readonly pos: number }
  | { readonly kind: 'arith'; readonly op: ArithOp; readonly left: XExpr; readonly right: XExpr; readonly pos: number }
  | { readonly kind: 'path'; readonly steps: readonly XStep[]; readonly pos: number }
  | { readonly kind: 'string'; readonly value: string; readonly pos: number }
  | { readonly kind: 'number'; readonly text: string; readonly pos: number }
  | { readonly kind: 'boolean'; readonly value: boolean; readonly pos: number }
  | { readonly kind: 'empty'; readonly pos: number }
  /** A token (`[%CurrentUser%]`), possibly with offsets; quoted or not. */
  | { readonly kind: 'token'; readonly base: string; readonly terms: readonly XTokenTerm[]; readonly pos: number }
  | { readonly kind: 'variable'; readonly name: string; readonly path: readonly string[]; readonly pos: number }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly XExpr[]; readonly pos: number };

/** `//Module.Entity[...][...]`, optionally inside an aggregate, optionally ending in `/Attribute`. */
export interface XQuery {
  readonly entity: string | undefined;
  readonly entityPos: number;
  readonly predicates: readonly XExpr[];
  /** Steps after the entity: `//A[...]/M.Assoc/M.B[...]` returns the B objects reached. */
  readonly path?: readonly XStep[];
  readonly aggregate?: AggregateFn;
  readonly attribute?: { readonly name: string; readonly pos: number };
  readonly text: string;
}
