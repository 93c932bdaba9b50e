import type { BinaryOp, Node, PathSegment } from './ast.js';
import { SyntaxError, tokenize, type Token } from './lexer.js';

export { SyntaxError };

/**
 * Recursive-descent parser. Precedence, loosest first:
 * `if … then … else`, `or`, `and`, `not`, comparisons, `+ -`, `* div : mod`, unary `-`.
 */
export function parseExpression(text: string): Node {
  const p = new Parser(tokenize(text));
  const node = p.expression();
  const t = p.peek();
  if (t.type !== 'eof') throw new SyntaxError(`unexpected '${t.text}' after the end of the expression`, t.start, t.end);
  return node;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  peek(): Token {
    return this.tokens[this.i]!;
  }
  private next(): Token {
    return this.tokens[this.i++]!;
  }
  private is(type: Token['type'], text?: string): boolean {
    const t = this.peek();
    return t.type === type && (text === undefined || t.text === text);
  }
  private expect(type: Token['type'], text: string, what: string): Token {
    const t = this.peek();
    if (t.type !== type || t.text !== text) {
      throw new SyntaxError(`expected ${what}${t.type === 'eof' ? ' but the expression ends' : `, found '${t.text}'`}`, t.start, Math.max(t.end, t.start + 1));
    }
    return this.next();
  }

  expression(): Node {
    if (this.is('keyword', 'if')) {
      const start = this.next().start;
      const cond = this.expression();
      this.expect('keyword', 'then', "'then'");
      const then = this.expression();
      if (!this.is('keyword', 'else')) {
        const t = this.peek();
        throw new SyntaxError("'if … then …' needs an 'else' branch", t.start, Math.max(t.end, t.start + 1));
      }
      this.next();
      const els = this.expression();
      return { kind: 'if', start, end: els.end, cond, then, else: els };
    }
    return this.or();
  }

  private binaryLevel(ops: readonly string[], nextLevel: () => Node): Node {
    let left = nextLevel();
    for (;;) {
      const t = this.peek();
      if ((t.type === 'op' || t.type === 'keyword') && ops.includes(t.text)) {
        this.next();
        const right = nextLevel();
        const op = (t.text === ':' ? 'div' : t.text) as BinaryOp;
        left = { kind: 'binary', op, opStart: t.start, left, right, start: left.start, end: right.end };
      } else return left;
    }
  }

  private or = (): Node => this.binaryLevel(['or'], this.and);
  private and = (): Node => this.binaryLevel(['and'], this.not);
  private not = (): Node => {
    if (this.is('keyword', 'not')) {
      const t = this.next();
      const operand = this.not();
      return { kind: 'unary', op: 'not', operand, start: t.start, end: operand.end };
    }
    return this.comparison();
  };
  private comparison = (): Node => this.binaryLevel(['=', '!=', '<', '<=', '>', '>='], this.additive);
  private additive = (): Node => this.binaryLevel(['+', '-'], this.multiplicative);
  private multiplicative = (): Node => this.binaryLevel(['*', 'div', ':', 'mod'], this.unary);
  private unary = (): Node => {
    if (this.is('op', '-')) {
      const t = this.next();
      const operand = this.unary();
      return { kind: 'unary', op: '-', operand, start: t.start, end: operand.end };
    }
    return this.primary();
  };

  private primary(): Node {
    const t = this.next();
    switch (t.type) {
      case 'number':
        return { kind: 'literal', valueKind: /[.eE]/.test(t.text) ? 'Decimal' : 'Integer', text: t.text, start: t.start, end: t.end };
      case 'string':
        return { kind: 'literal', valueKind: 'String', text: t.value, start: t.start, end: t.end };
      case 'token':
        return { kind: 'token', name: t.value, start: t.start, end: t.end };
      case 'constant':
        return { kind: 'constant', name: t.value, start: t.start, end: t.end };
      case 'variable': {
        const path: PathSegment[] = [];
        let end = t.end;
        while (this.is('op', '/')) {
          const slash = this.next();
          const seg = this.peek();
          if (seg.type !== 'name' && seg.type !== 'keyword')
            throw new SyntaxError("expected an attribute or association name after '/'", slash.start, slash.end);
          this.next();
          path.push({ name: seg.text, start: seg.start, end: seg.end });
          end = seg.end;
        }
        return { kind: 'variable', name: t.value, path, start: t.start, end };
      }
      case 'keyword':
        if (t.text === 'true' || t.text === 'false') return { kind: 'literal', valueKind: 'Boolean', text: t.text, start: t.start, end: t.end };
        if (t.text === 'empty') return { kind: 'literal', valueKind: 'Empty', text: t.text, start: t.start, end: t.end };
        // `not(x)` is written as a function in Mendix; the prefix form is handled above.
        throw new SyntaxError(`unexpected '${t.text}'`, t.start, t.end);
      case 'name': {
        if (this.is('op', '(')) {
          this.next();
          const args: Node[] = [];
          if (!this.is('op', ')')) {
            for (;;) {
              args.push(this.expression());
              if (this.is('op', ',')) {
                this.next();
                continue;
              }
              break;
            }
          }
          const close = this.expect('op', ')', `')' to close the call of ${t.text}`);
          return { kind: 'call', name: t.text, nameEnd: t.end, args, start: t.start, end: close.end };
        }
        return { kind: 'enumValue', name: t.text, start: t.start, end: t.end };
      }
      case 'op':
        if (t.text === '(') {
          const inner = this.expression();
          const close = this.expect('op', ')', "')'");
          return { ...inner, start: t.start, end: close.end } as Node;
        }
        throw new SyntaxError(`unexpected '${t.text}'`, t.start, t.end);
      case 'eof':
        throw new SyntaxError('the expression is incomplete', t.start, t.start);
    }
  }
}
