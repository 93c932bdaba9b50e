/**
 * Syntax tree of one expression. `start`/`end` are character offsets in the
 * expression text, so that errors point at the column inside a model file.
 */
export type Node =
  | { kind: 'literal'; start: number; end: number; valueKind: 'Integer' | 'Decimal' | 'String' | 'Boolean' | 'Empty'; text: string }
  | { kind: 'variable'; start: number; end: number; name: string; path: PathSegment[] }
  | { kind: 'enumValue'; start: number; end: number; name: string }
  | { kind: 'token'; start: number; end: number; name: string }
  | { kind: 'constant'; start: number; end: number; name: string }
  | { kind: 'call'; start: number; end: number; name: string; nameEnd: number; args: Node[] }
  | { kind: 'unary'; start: number; end: number; op: '-' | 'not'; operand: Node }
  | { kind: 'binary'; start: number; end: number; op: BinaryOp; opStart: number; left: Node; right: Node }
  | { kind: 'if'; start: number; end: number; cond: Node; then: Node; else: Node };

export type BinaryOp = 'or' | 'and' | '=' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | 'div' | 'mod';

export interface PathSegment {
  readonly name: string;
  readonly start: number;
  readonly end: number;
}
