export { compileExpression } from './compile.js';
export { ExactDecimal, Decimal34, type EvalContext, type Value } from './runtime.js';
export { parseTypeName, type XType } from './types.js';
export { FUNCTIONS } from './functions.js';
