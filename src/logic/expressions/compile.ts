import { Decimal } from 'decimal.js';
import type { CAttribute, CConstant, CompiledModel } from '../../model/compiled/types.js';
import type { MxObject } from '../../objects/mx-object.js';
import type { Node } from './ast.js';
import { tokenValue } from './dates.js';
import { FUNCTIONS, UNSUPPORTED, type ArgInfo } from './functions.js';
import { parseExpression, SyntaxError } from './parser.js';
import {
  checkInteger,
  Decimal34,
  ExactDecimal,
  ExpressionError,
  isMxObject,
  toBigInt,
  toDecimal,
  valueToString,
  type Evaluator,
  type Frame,
  type Value,
} from './runtime.js';
import { attributeXType, isIntegral, isLoose, isNumeric, isSubEntity, T, typeToString, widen, type XType } from './types.js';

/** A variable visible to an expression: its slot in the frame and its type. */
export interface VarInfo {
  readonly slot: number;
  readonly type: XType;
}

export interface Scope {
  lookup(name: string): VarInfo | undefined;
}

export interface CompileEnv {
  readonly model: CompiledModel;
  /** Module of the microflow, for unqualified enumeration names. */
  readonly module?: string;
  readonly scope: Scope;
}

/** An association path that must be loaded before evaluating (`$Order/Sales.Order_Customer/...`). */
export interface PrefetchPath {
  readonly slot: number;
  readonly associations: readonly string[];
}

export interface CompiledExpression {
  readonly text: string;
  readonly type: XType;
  readonly evaluate: Evaluator;
  /** Association steps to resolve into the object cache before `evaluate` runs. */
  readonly prefetch: readonly PrefetchPath[];
}

/** A problem in an expression, at character offsets in its text. */
export interface ExpressionProblem {
  readonly start: number;
  readonly end: number;
  readonly message: string;
}

export type CompileOutcome =
  | { readonly ok: true; readonly expression: CompiledExpression }
  | { readonly ok: false; readonly problems: readonly ExpressionProblem[] };

/**
 * Parses, type-checks and compiles an expression into a closure over a frame.
 * Done once when the model is compiled; evaluation never looks at text again.
 */
export function compileExpression(text: string, env: CompileEnv, expected?: XType): CompileOutcome {
  let ast: Node;
  try {
    ast = parseExpression(text);
  } catch (e) {
    if (e instanceof SyntaxError) return { ok: false, problems: [{ start: e.start, end: e.end, message: e.message }] };
    throw e;
  }
  const c = new Compiler(env);
  const r = c.node(ast);
  if (expected && c.problems.length === 0 && !fitsExpected(env.model, r.type, expected)) {
    c.problems.push({ start: ast.start, end: ast.end, message: `expected ${typeToString(expected)}, but the expression is ${typeToString(r.type)}` });
  }
  if (c.problems.length > 0) return { ok: false, problems: c.problems };
  return { ok: true, expression: { text, type: r.type, evaluate: r.ev, prefetch: c.prefetch } };
}

function fitsExpected(model: CompiledModel, t: XType, expected: XType): boolean {
  if (isLoose(t) || expected.kind === 'Unknown') return true;
  if (expected.kind === 'Decimal') return isNumeric(t);
  if (expected.kind === 'Integer' || expected.kind === 'Long') return isIntegral(t);
  if (expected.kind === 'Object' || expected.kind === 'List') return t.kind === expected.kind && isSubEntity(model, t.entity, expected.entity);
  if (expected.kind === 'Enumeration') return t.kind === 'Enumeration' && t.enumeration === expected.enumeration;
  return t.kind === expected.kind;
}

interface Compiled {
  readonly type: XType;
  readonly ev: Evaluator;
  /** DateTime read straight from an attribute that is not localized. */
  readonly utc?: boolean;
  readonly literal?: string;
}

const unknown: Compiled = { type: T.Unknown, ev: () => null };

class Compiler {
  readonly problems: ExpressionProblem[] = [];
  readonly prefetch: PrefetchPath[] = [];
  constructor(private readonly env: CompileEnv) {}

  private fail(n: { start: number; end: number }, message: string): Compiled {
    this.problems.push({ start: n.start, end: n.end, message });
    return unknown;
  }

  node(n: Node): Compiled {
    switch (n.kind) {
      case 'literal':
        return this.literal(n);
      case 'variable':
        return this.variable(n);
      case 'enumValue':
        return this.enumValue(n);
      case 'token':
        return this.token(n);
      case 'constant':
        return this.constant(n);
      case 'call':
        return this.call(n);
      case 'unary':
        return this.unary(n);
      case 'binary':
        return this.binary(n);
      case 'if':
        return this.ifElse(n);
    }
  }

  private literal(n: Extract<Node, { kind: 'literal' }>): Compiled {
    switch (n.valueKind) {
      case 'String': {
        const v = n.text;
        return { type: T.String, ev: () => v, literal: v };
      }
      case 'Boolean': {
        const v = n.text === 'true';
        return { type: T.Boolean, ev: () => v };
      }
      case 'Empty':
        return { type: T.Empty, ev: () => null };
      case 'Decimal': {
        const v = new ExactDecimal(n.text);
        return { type: T.Decimal, ev: () => v };
      }
      case 'Integer': {
        const big = BigInt(n.text);
        if (big <= 2147483647n) {
          const v = Number(big);
          return { type: T.Integer, ev: () => v };
        }
        if (big > 9223372036854775807n) return this.fail(n, `${n.text} is too large for a Long`);
        return { type: T.Long, ev: () => big };
      }
    }
  }

  /**
   * `@Module.Constant`. Read at evaluation, not folded: the compiled model holds the
   * deployment's effective value (app.yaml, then settings), which is what Mendix reads.
   */
  private constant(n: Extract<Node, { kind: 'constant' }>): Compiled {
    const model = this.env.model;
    const c = model.constants.get(n.name);
    if (!c) return this.fail(n, `unknown constant @${n.name}`);
    const name = n.name;
    const read: Evaluator = (f) => constantValue(model.constants.get(name)!, f);
    switch (c.type) {
      case 'String':
        return { type: T.String, ev: read };
      case 'Integer':
        return { type: T.Integer, ev: read };
      case 'Long':
        return { type: T.Long, ev: read };
      case 'Decimal':
        return { type: T.Decimal, ev: read };
      case 'Boolean':
        return { type: T.Boolean, ev: read };
      case 'DateTime':
        return { type: T.DateTime, ev: read, utc: true };
    }
  }

  /**
   * `lenient`: the path is compared with `empty` — an empty object along it
   * reads as empty instead of failing, as Mendix's "checking for an empty
   * object member" does (`$o/Member = empty` is true when `$o` is empty).
   */
  private variable(n: Extract<Node, { kind: 'variable' }>, lenient = false): Compiled {
    const v = this.env.scope.lookup(n.name);
    if (!v) return this.fail({ start: n.start, end: n.start + 1 + n.name.length }, `unknown variable $${n.name}`);
    const slot = v.slot;
    if (n.path.length === 0) return { type: v.type, ev: (f) => f.vars[slot]! };
    const model = this.env.model;
    let type = v.type;
    let ev: Evaluator = (f) => f.vars[slot]!;
    let what = `$${n.name}`;
    const associations: string[] = [];
    let utc = false;
    for (let i = 0; i < n.path.length; i++) {
      const seg = n.path[i]!;
      if (type.kind === 'Unknown') return unknown;
      if (type.kind !== 'Object') return this.fail(seg, `${what} is ${typeToString(type)}, not an object: it has no member '${seg.name}'`);
      const entity = model.entities.get(type.entity)!;
      const prev = ev;
      const label = what;
      if (seg.name.includes('.')) {
        const assoc = model.associations.get(seg.name);
        const target = model.entities.get(seg.name);
        if (assoc) {
          if (!entity.parentOf.includes(assoc.name)) {
            if (entity.childOf.includes(assoc.name))
              return this.fail(seg, `${assoc.name} can only be followed from its owner ${assoc.parent}, not from ${type.entity}`);
            return this.fail(seg, `${type.entity} has no association ${assoc.name}`);
          }
          associations.push(assoc.name);
          const name = assoc.name;
          if (assoc.type === 'ReferenceSet') {
            type = T.list(assoc.child);
            ev = (f) => {
              const o = prev(f);
              if (o === null) {
                if (lenient) return null;
                throw new ExpressionError(`cannot follow ${name} of an empty object (${label})`);
              }
              return f.ctx.follow(o as MxObject, name) ?? [];
            };
          } else {
            type = T.object(assoc.child);
            ev = (f) => {
              const o = prev(f);
              if (o === null) {
                if (lenient) return null;
                throw new ExpressionError(`cannot follow ${name} of an empty object (${label})`);
              }
              return f.ctx.follow(o as MxObject, name) as MxObject | null;
            };
          }
        } else if (target) {
          if (!isSubEntity(model, target.name, type.entity)) return this.fail(seg, `${target.name} is not a specialization of ${type.entity}`);
          type = T.object(target.name);
          const tn = target.name;
          ev = (f) => {
            const o = prev(f) as MxObject | null;
            if (o !== null && !model.entities.get(o.entity)?.chain.includes(tn)) throw new ExpressionError(`${label} is a ${o.entity}, not a ${tn}`);
            return o;
          };
        } else return this.fail(seg, `unknown association or entity '${seg.name}'`);
        what = `${what}/${seg.name}`;
        continue;
      }
      const attr: CAttribute | undefined = entity.attributes.get(seg.name);
      if (!attr) return this.fail(seg, `entity ${type.entity} has no attribute '${seg.name}'`);
      if (i !== n.path.length - 1) return this.fail(n.path[i + 1]!, `${what}/${seg.name} is an attribute: nothing can follow it`);
      type = attributeXType(attr.type, attr.enumeration);
      utc = attr.type === 'DateTime' && !attr.localize;
      const an = attr.name;
      ev = (f) => {
        const o = prev(f) as MxObject | null;
        if (o === null) {
          if (lenient) return null;
          throw new ExpressionError(`cannot read ${an} of an empty object (${label})`);
        }
        const val = o.values.get(an);
        return val === undefined ? null : val;
      };
    }
    if (associations.length > 0) this.prefetch.push({ slot, associations });
    return { type, ev, utc };
  }

  private enumValue(n: Extract<Node, { kind: 'enumValue' }>): Compiled {
    const parts = n.name.split('.');
    if (parts.length < 2 || parts.length > 3)
      return this.fail(n, `unknown name '${n.name}' (expected Module.Enumeration.Value, a function call, or $variable)`);
    const key = parts.pop()!;
    const enumName = parts.length === 1 && this.env.module ? `${this.env.module}.${parts[0]}` : parts.join('.');
    const e = this.env.model.enumerations.get(enumName);
    if (!e) return this.fail(n, `unknown enumeration '${parts.join('.')}'`);
    if (!e.values.some((v) => v.key === key))
      return this.fail(n, `enumeration ${enumName} has no value '${key}' (values: ${e.values.map((v) => v.key).join(', ')})`);
    return { type: T.enumeration(enumName), ev: () => key };
  }

  private token(n: Extract<Node, { kind: 'token' }>): Compiled {
    if (tokenValue(n.name, new Date(0), 'UTC') === undefined) {
      if (n.name === 'CurrentUser') return this.fail(n, '[%CurrentUser%] is for XPath; use $currentUser in expressions');
      return this.fail(n, `unknown token [%${n.name}%]`);
    }
    const name = n.name;
    return { type: T.DateTime, ev: (f) => tokenValue(name, f.ctx.now(), f.ctx.timeZone)! };
  }

  private call(n: Extract<Node, { kind: 'call' }>): Compiled {
    const def = FUNCTIONS.get(n.name);
    const nameSpan = { start: n.start, end: n.nameEnd };
    if (!def) {
      const why = UNSUPPORTED.get(n.name);
      for (const a of n.args) this.node(a);
      return this.fail(nameSpan, why ? `${n.name} is not supported: ${why}` : `unknown function '${n.name}'`);
    }
    const args = n.args.map((a) => this.node(a));
    if (args.length < def.min || args.length > def.max) {
      const range = def.min === def.max ? `${def.min}` : def.max >= 100 ? `at least ${def.min}` : `${def.min} to ${def.max}`;
      return this.fail(nameSpan, `${n.name} takes ${range} argument${def.max === 1 ? '' : 's'}, not ${args.length}`);
    }
    if (args.some((a) => a.type.kind === 'Unknown')) return unknown;
    const info: ArgInfo[] = args.map((a, i) => ({ type: a.type, utc: a.utc ?? false, node: n.args[i]!, literal: a.literal }));
    const r = def.check(info, this.env.model);
    if ('error' in r) {
      const at = r.arg !== undefined ? n.args[r.arg]! : nameSpan;
      return this.fail(at, `${n.name}: ${r.error}`);
    }
    const inner = def.build(
      args.map((a) => a.ev),
      info,
      r,
    );
    const name = n.name;
    const ev: Evaluator = (f) => {
      try {
        return inner(f);
      } catch (e) {
        if (e instanceof ExpressionError && !e.message.startsWith(`${name}`)) throw new ExpressionError(`${name}: ${e.message}`);
        throw e;
      }
    };
    return { type: r, ev };
  }

  private unary(n: Extract<Node, { kind: 'unary' }>): Compiled {
    const o = this.node(n.operand);
    if (o.type.kind === 'Unknown') return unknown;
    const oe = o.ev;
    if (n.op === 'not') {
      if (!isLoose(o.type) && o.type.kind !== 'Boolean') return this.fail(n.operand, `'not' needs a Boolean, not ${typeToString(o.type)}`);
      return { type: T.Boolean, ev: (f) => !need(oe(f), "the operand of 'not'") };
    }
    if (!isNumeric(o.type)) return this.fail(n.operand, `'-' needs a number, not ${typeToString(o.type)}`);
    return {
      type: o.type,
      ev: (f) => {
        const v = need(oe(f), "the operand of '-'");
        if (typeof v === 'number') return v === 0 ? 0 : -v;
        if (typeof v === 'bigint') return -v;
        return (v as Decimal).neg();
      },
    };
  }

  private ifElse(n: Extract<Node, { kind: 'if' }>): Compiled {
    const c = this.node(n.cond),
      a = this.node(n.then),
      b = this.node(n.else);
    if (c.type.kind !== 'Unknown' && !isLoose(c.type) && c.type.kind !== 'Boolean')
      return this.fail(n.cond, `the condition of 'if' must be Boolean, not ${typeToString(c.type)}`);
    if (a.type.kind === 'Unknown' || b.type.kind === 'Unknown') return unknown;
    let type: XType;
    if (a.type.kind === 'Empty') type = b.type;
    else if (b.type.kind === 'Empty') type = a.type;
    else if (isNumeric(a.type) && isNumeric(b.type)) type = widen(a.type, b.type);
    else if (typeToString(a.type) === typeToString(b.type)) type = a.type;
    else if ((a.type.kind === 'Object' && b.type.kind === 'Object') || (a.type.kind === 'List' && b.type.kind === 'List')) {
      const m = this.env.model;
      if (isSubEntity(m, a.type.entity, b.type.entity)) type = b.type;
      else if (isSubEntity(m, b.type.entity, a.type.entity)) type = a.type;
      else return this.fail(n, `'then' gives ${typeToString(a.type)} but 'else' gives ${typeToString(b.type)}`);
    } else return this.fail(n, `'then' gives ${typeToString(a.type)} but 'else' gives ${typeToString(b.type)}`);
    const ce = c.ev,
      ae = coerceTo(a, type),
      be = coerceTo(b, type);
    return { type, ev: (f) => (need(ce(f), "the condition of 'if'") ? ae(f) : be(f)) };
  }

  private binary(n: Extract<Node, { kind: 'binary' }>): Compiled {
    const emptyCheck = (n.op === '=' || n.op === '!=') && [n.left, n.right].some((x) => x.kind === 'literal' && x.valueKind === 'Empty');
    const side = (x: Node): Compiled => (emptyCheck && x.kind === 'variable' ? this.variable(x, true) : this.node(x));
    const l = side(n.left),
      r = side(n.right);
    if (l.type.kind === 'Unknown' || r.type.kind === 'Unknown') return unknown;
    const le = l.ev,
      re = r.ev;
    const lt = l.type,
      rt = r.type;
    const opSpan = { start: n.opStart, end: n.opStart + (n.op === 'div' && n.end > n.opStart ? 1 : n.op.length) };
    switch (n.op) {
      case 'and':
      case 'or': {
        for (const [side, t] of [
          [n.left, lt],
          [n.right, rt],
        ] as const) {
          if (!isLoose(t) && t.kind !== 'Boolean') return this.fail(side, `'${n.op}' needs Boolean operands, not ${typeToString(t)}`);
        }
        return n.op === 'and'
          ? { type: T.Boolean, ev: (f) => need(le(f), "an operand of 'and'") === true && need(re(f), "an operand of 'and'") === true }
          : { type: T.Boolean, ev: (f) => need(le(f), "an operand of 'or'") === true || need(re(f), "an operand of 'or'") === true };
      }
      case '=':
      case '!=': {
        if (!comparable(this.env.model, lt, rt)) return this.fail(opSpan, `cannot compare ${typeToString(lt)} with ${typeToString(rt)}`);
        const eq = equalityFor(lt, rt);
        return n.op === '=' ? { type: T.Boolean, ev: (f) => eq(le(f), re(f)) } : { type: T.Boolean, ev: (f) => !eq(le(f), re(f)) };
      }
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const ok =
          ((isNumeric(lt) || isLoose(lt)) && (isNumeric(rt) || isLoose(rt))) ||
          ((lt.kind === 'DateTime' || isLoose(lt)) && (rt.kind === 'DateTime' || isLoose(rt))) ||
          ((lt.kind === 'String' || isLoose(lt)) && (rt.kind === 'String' || isLoose(rt)));
        if (!ok || (isLoose(lt) && isLoose(rt))) return this.fail(opSpan, `cannot order ${typeToString(lt)} and ${typeToString(rt)} with '${n.op}'`);
        const cmp = orderFor(lt, rt);
        const test = n.op === '<' ? (c: number) => c < 0 : n.op === '<=' ? (c: number) => c <= 0 : n.op === '>' ? (c: number) => c > 0 : (c: number) => c >= 0;
        const op = n.op;
        return {
          type: T.Boolean,
          ev: (f) => {
            const a = le(f),
              b = re(f);
            if (a === null || b === null) throw new ExpressionError(`cannot compare an empty value with '${op}'`);
            return test(cmp(a, b));
          },
        };
      }
      case '+':
        if (lt.kind === 'String' || rt.kind === 'String') {
          for (const [side, t] of [
            [n.left, lt],
            [n.right, rt],
          ] as const) {
            if (t.kind === 'List' || t.kind === 'Object') return this.fail(side, `cannot concatenate ${typeToString(t)} to a string`);
          }
          return { type: T.String, ev: (f) => valueToString(le(f), f.ctx.timeZone) + valueToString(re(f), f.ctx.timeZone) };
        }
        return this.arithmetic(n, l, r, opSpan);
      default:
        return this.arithmetic(n, l, r, opSpan);
    }
  }

  private arithmetic(n: Extract<Node, { kind: 'binary' }>, l: Compiled, r: Compiled, opSpan: { start: number; end: number }): Compiled {
    const op = n.op;
    for (const [side, t] of [
      [n.left, l.type],
      [n.right, r.type],
    ] as const) {
      if (!isNumeric(t) && t.kind !== 'Empty') return this.fail(side, `'${op === 'div' ? 'div' : op}' needs numbers, not ${typeToString(t)}`);
    }
    if (l.type.kind === 'Empty' && r.type.kind === 'Empty') return this.fail(opSpan, `'${op}' needs numbers, not empty`);
    const type = op === 'div' ? T.Decimal : widen(isLoose(l.type) ? r.type : l.type, isLoose(r.type) ? l.type : r.type);
    const le = l.ev,
      re = r.ev;
    const opName = op;
    const operands = (f: Frame): [Value, Value] => {
      const a = le(f),
        b = re(f);
      if (a === null || b === null) throw new ExpressionError(`cannot compute '${opName}' with an empty operand`);
      return [a, b];
    };
    if (op === 'div') {
      return {
        type,
        ev: (f) => {
          const [a, b] = operands(f);
          const d = toDecimal(b);
          if (d.isZero()) throw new ExpressionError('division by zero');
          return new ExactDecimal(new Decimal34(toDecimal(a)).div(d));
        },
      };
    }
    if (type.kind === 'Integer') {
      switch (op) {
        case '+':
          return {
            type,
            ev: (f) => {
              const [a, b] = operands(f);
              return checkInteger((a as number) + (b as number));
            },
          };
        case '-':
          return {
            type,
            ev: (f) => {
              const [a, b] = operands(f);
              return checkInteger((a as number) - (b as number));
            },
          };
        case '*':
          return {
            type,
            ev: (f) => {
              const [a, b] = operands(f);
              return checkInteger((a as number) * (b as number));
            },
          };
        case 'mod':
          return {
            type,
            ev: (f) => {
              const [a, b] = operands(f);
              if (b === 0) throw new ExpressionError('modulo by zero');
              const m = (a as number) % (b as number);
              return m === 0 ? 0 : m;
            },
          };
      }
    }
    if (type.kind === 'Long') {
      switch (op) {
        case '+':
          return {
            type,
            ev: (f) => {
              const [a, b] = operands(f);
              return toBigInt(a) + toBigInt(b);
            },
          };
        case '-':
          return {
            type,
            ev: (f) => {
              const [a, b] = operands(f);
              return toBigInt(a) - toBigInt(b);
            },
          };
        case '*':
          return {
            type,
            ev: (f) => {
              const [a, b] = operands(f);
              return toBigInt(a) * toBigInt(b);
            },
          };
        case 'mod':
          return {
            type,
            ev: (f) => {
              const [a, b] = operands(f);
              const d = toBigInt(b);
              if (d === 0n) throw new ExpressionError('modulo by zero');
              return toBigInt(a) % d;
            },
          };
      }
    }
    switch (op) {
      case '+':
        return {
          type,
          ev: (f) => {
            const [a, b] = operands(f);
            return new ExactDecimal(toDecimal(a)).plus(toDecimal(b));
          },
        };
      case '-':
        return {
          type,
          ev: (f) => {
            const [a, b] = operands(f);
            return new ExactDecimal(toDecimal(a)).minus(toDecimal(b));
          },
        };
      case '*':
        return {
          type,
          ev: (f) => {
            const [a, b] = operands(f);
            return new ExactDecimal(toDecimal(a)).times(toDecimal(b));
          },
        };
      default:
        return {
          type,
          ev: (f) => {
            const [a, b] = operands(f);
            const d = toDecimal(b);
            if (d.isZero()) throw new ExpressionError('modulo by zero');
            return new ExactDecimal(toDecimal(a)).mod(d);
          },
        };
    }
  }
}

function need(v: Value, what: string): Value {
  if (v === null) throw new ExpressionError(`${what} is empty`);
  return v;
}

/** Converts a branch's number to the `if`'s widened type, so the result has one representation. */
function coerceTo(c: Compiled, type: XType): Evaluator {
  if (c.type.kind === type.kind || !isNumeric(type)) return c.ev;
  const e = c.ev;
  if (type.kind === 'Decimal')
    return (f) => {
      const v = e(f);
      return v === null ? null : toDecimal(v);
    };
  if (type.kind === 'Long')
    return (f) => {
      const v = e(f);
      return v === null ? null : toBigInt(v);
    };
  return e;
}

function comparable(model: CompiledModel, a: XType, b: XType): boolean {
  if (isLoose(a) || isLoose(b)) return true;
  if (isNumeric(a) && isNumeric(b)) return true;
  if (a.kind === 'Object' && b.kind === 'Object') return isSubEntity(model, a.entity, b.entity) || isSubEntity(model, b.entity, a.entity);
  if (a.kind === 'Enumeration' && b.kind === 'Enumeration') return a.enumeration === b.enumeration;
  if (a.kind === 'List' || b.kind === 'List') return false;
  return a.kind === b.kind;
}

function equalityFor(a: XType, b: XType): (x: Value, y: Value) => boolean {
  if (a.kind === 'Integer' && b.kind === 'Integer') return (x, y) => x === y;
  if (isNumeric(a) || isNumeric(b)) {
    return (x, y) => (x === null || y === null ? x === y : typeof x === 'number' && typeof y === 'number' ? x === y : toDecimal(x).eq(toDecimal(y)));
  }
  if (a.kind === 'DateTime' || b.kind === 'DateTime') return (x, y) => (x === null || y === null ? x === y : (x as Date).getTime() === (y as Date).getTime());
  if (a.kind === 'Object' || b.kind === 'Object') return (x, y) => (x === null || y === null ? x === y : isMxObject(x) && isMxObject(y) && x.id === y.id);
  return (x, y) => x === y;
}

function orderFor(a: XType, b: XType): (x: Value, y: Value) => number {
  if (a.kind === 'Integer' && b.kind === 'Integer') return (x, y) => (x as number) - (y as number);
  if (isNumeric(a) || isNumeric(b)) return (x, y) => (typeof x === 'number' && typeof y === 'number' ? x - y : toDecimal(x).cmp(toDecimal(y)));
  if (a.kind === 'DateTime' || b.kind === 'DateTime') return (x, y) => (x as Date).getTime() - (y as Date).getTime();
  return (x, y) => ((x as string) < (y as string) ? -1 : (x as string) > (y as string) ? 1 : 0);
}

/** Converts a value to the representation of a target type (assignment to a variable, attribute or parameter). */
export function coerceValue(v: Value, to: XType): Value {
  if (v === null) return null;
  switch (to.kind) {
    case 'Decimal':
      return v instanceof Decimal ? v : toDecimal(v);
    case 'Long':
      return typeof v === 'bigint' ? v : toBigInt(v);
    case 'Integer': {
      if (typeof v === 'number') return v;
      const n = Number(v as bigint);
      if (n > 2147483647 || n < -2147483648) throw new ExpressionError(`${String(v)} is out of range for an Integer`);
      return n;
    }
    default:
      return v;
  }
}

/** A constant's stored value as an expression value (Long as bigint, Decimal exact, DateTime in UTC). */
function constantValue(c: CConstant, f: Frame): Value {
  const v = c.value;
  if (v === null) return null;
  switch (c.type) {
    case 'Long':
      return BigInt(v as string);
    case 'Decimal':
      return new ExactDecimal(String(v));
    case 'DateTime':
      return v === '[%CurrentDateTime%]' ? f.ctx.now() : new Date(String(v).replace(' ', 'T').replace(/Z?$/, 'Z'));
    default:
      return v;
  }
}
