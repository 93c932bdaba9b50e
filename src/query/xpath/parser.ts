import { XPathSyntaxError } from '../errors.js';
import type { AggregateFn, CompareOp, XExpr, XQuery, XStep, XTokenTerm } from './ast.js';
import { tokenize, type Tok, type TokKind } from './lexer.js';

const AGGREGATES: readonly string[] = ['count', 'sum', 'avg', 'min', 'max'];

/**
 * How deep expressions may nest (parentheses, function arguments, predicates,
 * unary minus). Far beyond any model's XPath; bounds the parser's recursion
 * (and that of everything walking the tree) for XPath that comes from clients.
 */
export const MAX_XPATH_NESTING = 100;

const DESCRIBE: Record<TokKind, string> = {
  dslash: "'//'",
  slash: "'/'",
  lbrack: "'['",
  rbrack: "']'",
  lparen: "'('",
  rparen: "')'",
  comma: "','",
  op: 'an operator',
  plus: "'+'",
  minus: "'-'",
  star: "'*'",
  string: 'a string',
  number: 'a number',
  name: 'a name',
  variable: 'a variable',
  token: 'a token',
  eof: 'the end of the XPath',
};

function describe(t: Tok): string {
  if (t.kind === 'eof') return 'the end of the XPath';
  if (t.kind === 'string') return `the string '${t.value}'`;
  if (t.kind === 'token') return `the token [%${t.value}%]`;
  if (t.kind === 'variable') return `$${t.value}`;
  return `'${t.value}'`;
}

/**
 * Recursive-descent parser for Mendix XPath. Precedence, loosest first:
 * or, and, comparison, + -, * div, unary minus, primary.
 */
class Parser {
  private i = 0;
  private depth = 0;
  constructor(
    private readonly text: string,
    private readonly toks: Tok[],
  ) {}

  private get cur(): Tok {
    return this.toks[this.i]!;
  }
  /** The current token's kind (a method, so that TypeScript does not narrow it across next()). */
  private k(): TokKind {
    return this.toks[this.i]!.kind;
  }
  private peek(k = 1): Tok {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)]!;
  }
  private next(): Tok {
    const t = this.cur;
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  fail(expected: string[], at: Tok = this.cur): never {
    const exp = expected.length === 1 ? expected[0]! : `${expected.slice(0, -1).join(', ')} or ${expected[expected.length - 1]}`;
    throw new XPathSyntaxError(`expected ${exp}, found ${describe(at)}`, at.pos, this.text, expected);
  }

  private expect(kind: TokKind, what = DESCRIBE[kind]): Tok {
    if (this.k() !== kind) this.fail([what]);
    return this.next();
  }

  private isName(value: string): boolean {
    return this.k() === 'name' && this.cur.value === value;
  }

  query(): XQuery {
    const t = this.cur;
    if (t.kind === 'name' && AGGREGATES.includes(t.value) && this.peek().kind === 'lparen') {
      this.next();
      this.next();
      const inner = this.plainQuery();
      if (t.value !== 'count' && !inner.attribute) {
        throw new XPathSyntaxError(`${t.value}() needs an attribute: //Module.Entity[...]/Attribute`, this.cur.pos, this.text, ["'/'"]);
      }
      this.expect('rparen');
      this.expect('eof');
      return { ...inner, aggregate: t.value as AggregateFn };
    }
    const q = this.plainQuery();
    this.expect('eof');
    return q;
  }

  private plainQuery(): XQuery {
    this.expect('dslash');
    const name = this.cur;
    if (name.kind !== 'name' || !name.value.includes('.')) this.fail(['an entity name (Module.Entity)']);
    this.next();
    const predicates = this.predicates();
    let attribute: XQuery['attribute'];
    const path: XStep[] = [];
    while (this.k() === 'slash') {
      this.next();
      if (this.k() !== 'name') this.fail(['an association, entity or attribute name']);
      if (!this.cur.value.includes('.')) {
        const a = this.next();
        attribute = { name: a.value, pos: a.pos };
        break;
      }
      path.push(this.step());
    }
    return { entity: name.value, entityPos: name.pos, predicates, ...(path.length ? { path } : {}), ...(attribute ? { attribute } : {}), text: this.text };
  }

  /** Constraint only (what Studio Pro stores): `[...][...]`, possibly empty. */
  constraint(): XQuery {
    const predicates = this.predicates();
    if (this.k() !== 'eof') this.fail(this.toks.length === 1 || predicates.length === 0 ? ["'['", "'//'"] : ["'['"]);
    return { entity: undefined, entityPos: 0, predicates, text: this.text };
  }

  private predicates(): XExpr[] {
    const out: XExpr[] = [];
    while (this.k() === 'lbrack') {
      this.next();
      if (this.k() === 'rbrack') this.fail(['a constraint']);
      out.push(this.expr());
      this.expect('rbrack');
    }
    return out;
  }

  expr(): XExpr {
    this.enter();
    try {
      return this.or();
    } finally {
      this.depth--;
    }
  }

  /** One level deeper; a syntax error at the current token beyond MAX_XPATH_NESTING. */
  private enter(): void {
    if (++this.depth > MAX_XPATH_NESTING) {
      throw new XPathSyntaxError(
        `nested deeper than ${MAX_XPATH_NESTING} levels (parentheses, functions, predicates or unary minus)`,
        this.cur.pos,
        this.text,
        [],
      );
    }
  }

  private or(): XExpr {
    let left = this.and();
    while (this.isName('or')) {
      const pos = this.next().pos;
      left = { kind: 'or', left, right: this.and(), pos };
    }
    return left;
  }

  private and(): XExpr {
    let left = this.comparison();
    while (this.isName('and')) {
      const pos = this.next().pos;
      left = { kind: 'and', left, right: this.comparison(), pos };
    }
    return left;
  }

  private comparison(): XExpr {
    const left = this.additive();
    if (this.k() === 'op') {
      const op = this.next();
      const right = this.additive();
      return { kind: 'compare', op: op.value as CompareOp, left, right, pos: op.pos };
    }
    return left;
  }

  private additive(): XExpr {
    let left = this.multiplicative();
    while (this.k() === 'plus' || this.k() === 'minus') {
      const op = this.next();
      left = { kind: 'arith', op: op.kind === 'plus' ? '+' : '-', left, right: this.multiplicative(), pos: op.pos };
    }
    return left;
  }

  private multiplicative(): XExpr {
    let left = this.unary();
    while (this.k() === 'star' || this.isName('div')) {
      const op = this.next();
      left = { kind: 'arith', op: op.kind === 'star' ? '*' : 'div', left, right: this.unary(), pos: op.pos };
    }
    return left;
  }

  private unary(): XExpr {
    if (this.k() === 'minus') {
      const m = this.next();
      if (this.k() === 'number') {
        const n = this.next();
        return { kind: 'number', text: `-${n.value}`, pos: m.pos };
      }
      this.enter();
      try {
        return { kind: 'arith', op: '-', left: { kind: 'number', text: '0', pos: m.pos }, right: this.unary(), pos: m.pos };
      } finally {
        this.depth--;
      }
    }
    return this.primary();
  }

  private primary(): XExpr {
    const t = this.cur;
    switch (t.kind) {
      case 'lparen': {
        this.next();
        const e = this.expr();
        this.expect('rparen');
        return e;
      }
      case 'string': {
        this.next();
        if (t.value.trimStart().startsWith('[%')) return parseTokenString(t.value, t.pos + 1, this.text);
        return { kind: 'string', value: t.value, pos: t.pos };
      }
      case 'number':
        this.next();
        return { kind: 'number', text: t.value, pos: t.pos };
      case 'token':
        this.next();
        return parseTokenString(`[%${t.value}%]`, t.pos, this.text);
      case 'variable': {
        this.next();
        const path: string[] = [];
        while (this.k() === 'slash') {
          this.next();
          path.push(this.expect('name', 'an attribute or association name').value);
        }
        return { kind: 'variable', name: t.value, path, pos: t.pos };
      }
      case 'name':
        return this.nameStart();
      default:
        return this.fail(['an attribute, a path, a value or a function']);
    }
  }

  private nameStart(): XExpr {
    const t = this.cur;
    if (this.peek().kind === 'lparen') {
      this.next();
      this.next();
      const args: XExpr[] = [];
      if (this.k() !== 'rparen') {
        args.push(this.expr());
        while (this.k() === 'comma') {
          this.next();
          args.push(this.expr());
        }
      }
      this.expect('rparen', args.length > 0 ? "',' or ')'" : "')'");
      if (t.value === 'true' || t.value === 'false') {
        if (args.length) throw new XPathSyntaxError(`${t.value}() takes no arguments`, t.pos, this.text, ["')'"]);
        return { kind: 'boolean', value: t.value === 'true', pos: t.pos };
      }
      if (t.value === 'not') {
        if (args.length !== 1) throw new XPathSyntaxError('not() takes exactly one constraint', t.pos, this.text, ['one constraint']);
        return { kind: 'not', operand: args[0]!, pos: t.pos };
      }
      return { kind: 'call', name: t.value, args, pos: t.pos };
    }
    if (t.value === 'NULL' || t.value === 'empty') {
      this.next();
      return { kind: 'empty', pos: t.pos };
    }
    // `not Total > 1`: not is a function; an attribute named not would be followed by an operator.
    if (t.value === 'not' && ['name', 'string', 'token', 'variable', 'number'].includes(this.peek().kind)) this.fail(["'(' after not"], this.peek());
    if (t.value === 'true' || t.value === 'false') this.fail([`'${t.value}()'`]);
    return this.path();
  }

  private path(): XExpr {
    const pos = this.cur.pos;
    const steps: XStep[] = [this.step()];
    while (this.k() === 'slash') {
      this.next();
      if (this.k() !== 'name') this.fail(['an association, entity or attribute name']);
      steps.push(this.step());
    }
    return { kind: 'path', steps, pos };
  }

  private step(): XStep {
    const t = this.next();
    let reversed = false;
    const predicates: XExpr[] = [];
    while (this.k() === 'lbrack') {
      // [reversed()] flips an association step; anything else filters the step.
      if (this.peek().kind === 'name' && this.peek().value === 'reversed' && this.peek(2).kind === 'lparen' && this.peek(3).kind === 'rparen') {
        this.next();
        this.next();
        this.next();
        this.next();
        this.expect('rbrack');
        reversed = true;
        continue;
      }
      this.next();
      if (this.k() === 'rbrack') this.fail(['a constraint']);
      predicates.push(this.expr());
      this.expect('rbrack');
    }
    return { name: t.value, predicates, reversed, pos: t.pos };
  }
}

/**
 * A string holding tokens: `[%CurrentUser%]` or `[%BeginOfCurrentDay%] - 3 * [%DayLength%]`.
 * `pos` is the offset of the string's first character in the XPath.
 */
function parseTokenString(s: string, pos: number, text: string): XExpr {
  let i = 0;
  const ws = () => {
    while (s[i] === ' ' || s[i] === '\t') i++;
  };
  const err = (msg: string, expected: string[]): never => {
    throw new XPathSyntaxError(msg, pos + i, text, expected);
  };
  const token = (): string => {
    ws();
    if (!s.startsWith('[%', i)) err("expected a token such as '[%DayLength%]'", ['a token']);
    const close = s.indexOf('%]', i + 2);
    if (close < 0) err("unterminated token: expected '%]'", ["'%]'"]);
    const name = s.slice(i + 2, close);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) err(`'${name}' is not a token name`, ['a token name']);
    i = close + 2;
    return name;
  };
  const number = (): number | undefined => {
    ws();
    const m = /^[0-9]+(\.[0-9]+)?/.exec(s.slice(i));
    if (!m) return undefined;
    i += m[0].length;
    return Number(m[0]);
  };
  const base = token();
  const terms: XTokenTerm[] = [];
  for (;;) {
    ws();
    if (i >= s.length) break;
    const c = s[i];
    if (c !== '+' && c !== '-') err("expected '+' or '-' between tokens", ["'+'", "'-'"]);
    i++;
    let factor = number();
    let tok: string;
    if (factor !== undefined) {
      ws();
      if (s[i] !== '*') err("expected '*' after the number", ["'*'"]);
      i++;
      tok = token();
    } else {
      tok = token();
      ws();
      if (s[i] === '*') {
        i++;
        factor = number();
        if (factor === undefined) err("expected a number after '*'", ['a number']);
      }
    }
    terms.push({ sign: c === '+' ? 1 : -1, factor: factor ?? 1, token: tok });
  }
  return { kind: 'token', base, terms, pos };
}

/** Parses either a full query or a constraint-only text (`[...]`, as pages and access rules store it). */
export function parseXPath(text: string): XQuery {
  const toks = tokenize(text);
  const p = new Parser(text, toks);
  const first = toks[0]!;
  if (first.kind === 'dslash' || (first.kind === 'name' && AGGREGATES.includes(first.value))) return p.query();
  return p.constraint();
}
