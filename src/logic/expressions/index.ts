export { compileExpression, coerceValue, type CompiledExpression, type CompileEnv, type CompileOutcome, type ExpressionProblem, type PrefetchPath, type Scope, type VarInfo } from './compile.js';
export { ExpressionError, ExactDecimal, Decimal34, valueToString, isMxObject, type EvalContext, type Evaluator, type Frame, type Value } from './runtime.js';
export { T, typeToString, parseTypeName, assignable, attributeXType, isNumeric, type XType } from './types.js';
export { FUNCTIONS, UNSUPPORTED } from './functions.js';
