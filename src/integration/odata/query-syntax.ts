/**
 * The OData v4 URL query language as a syntax tree, and its parser: `$filter`
 * expressions, `$orderby`, `$select`, `$expand` with nested options. A small
 * recursive-descent parser over the URL-decoded text (OData's ABNF, the part
 * Mendix supports: no arithmetic, no `$search`, no `$apply`); a syntax error is
 * an ODataSyntaxError naming the column, answered as 400.
 */

export type Literal =
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'number'; readonly text: string }
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: 'null' }
  /** `2024-05-01T10:00:00Z` or `2024-05-01`. */
  | { readonly type: 'datetime'; readonly text: string }
  /** `Namespace.Enum'Member'`. */
  | { readonly type: 'enum'; readonly enumType: string; readonly member: string };

export type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

export type FExpr =
  | { readonly kind: 'and' | 'or'; readonly left: FExpr; readonly right: FExpr; readonly pos: number }
  | { readonly kind: 'not'; readonly operand: FExpr; readonly pos: number }
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly left: FExpr; readonly right: FExpr; readonly pos: number }
  /** A member path `Customer/Name` (a lambda variable may be its first segment). */
  | { readonly kind: 'path'; readonly segments: readonly string[]; readonly pos: number }
  /** `Orders/any(o: o/Total gt 10)`, `Orders/any()`, `Orders/all(o: ...)`. */
  | {
      readonly kind: 'lambda';
      readonly fn: 'any' | 'all';
      readonly path: readonly string[];
      readonly variable?: string;
      readonly body?: FExpr;
      readonly pos: number;
    }
  | { readonly kind: 'literal'; readonly value: Literal; readonly pos: number }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly FExpr[]; readonly pos: number };

export interface OrderItem {
  readonly path: readonly string[];
  readonly descending: boolean;
}

export interface ExpandItem {
  readonly path: readonly string[];
  readonly options: QueryOptions;
}

/** The system query options of one request (or one nested `$expand` item). */
export interface QueryOptions {
  readonly filter?: FExpr;
  readonly orderby?: readonly OrderItem[];
  readonly select?: readonly (readonly string[])[];
  readonly expand?: readonly ExpandItem[];
  readonly top?: number;
  readonly skip?: number;
  readonly count?: boolean;
}

export class ODataSyntaxError extends Error {
  constructor(
    readonly option: string,
    readonly detail: string,
    readonly position: number,
  ) {
    super(`${option}: ${detail} at position ${position + 1}`);
    this.name = 'ODataSyntaxError';
  }
}

/** Nesting depth of parentheses and expand options a request may use (a deep request must not exhaust the stack). */
const MAX_DEPTH = 32;
/** Largest text of one query option accepted. */
const MAX_OPTION_LENGTH = 8192;

type Tok =
  | { readonly t: 'id'; readonly v: string; readonly pos: number }
  | { readonly t: 'str'; readonly v: string; readonly pos: number }
  | { readonly t: 'num'; readonly v: string; readonly pos: number }
  | { readonly t: 'date'; readonly v: string; readonly pos: number }
  | { readonly t: 'enum'; readonly type: string; readonly v: string; readonly pos: number }
  | { readonly t: 'punct'; readonly v: '(' | ')' | ',' | '/' | ':' | ';' | '='; readonly pos: number }
  | { readonly t: 'end'; readonly pos: number };

const DATE_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,12})?)?(Z|[+-]\d{2}:\d{2}))?/;
const NUM_RE = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/;
const ID_RE = /^[A-Za-z_$][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*/;

function tokenize(option: string, text: string): Tok[] {
  if (text.length > MAX_OPTION_LENGTH) throw new ODataSyntaxError(option, `is longer than ${MAX_OPTION_LENGTH} characters`, 0);
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '*') {
      out.push({ t: 'id', v: '*', pos: i });
      i++;
      continue;
    }
    if ('(),/:;='.includes(c)) {
      out.push({ t: 'punct', v: c as '(', pos: i });
      i++;
      continue;
    }
    if (c === "'") {
      const { value, end } = readString(option, text, i);
      out.push({ t: 'str', v: value, pos: i });
      i = end;
      continue;
    }
    const rest = text.slice(i);
    const d = DATE_RE.exec(rest);
    if (d && (d[1] !== undefined || !/^[\d.eE]/.test(rest.slice(d[0].length)))) {
      out.push({ t: 'date', v: d[0], pos: i });
      i += d[0].length;
      continue;
    }
    const n = NUM_RE.exec(rest);
    if (n) {
      out.push({ t: 'num', v: n[0], pos: i });
      i += n[0].length;
      continue;
    }
    const id = ID_RE.exec(rest);
    if (id) {
      // `Namespace.Enum'Member'`: a qualified name directly followed by a string.
      if (text[i + id[0].length] === "'" && id[0].includes('.')) {
        const { value, end } = readString(option, text, i + id[0].length);
        out.push({ t: 'enum', type: id[0], v: value, pos: i });
        i = end;
        continue;
      }
      out.push({ t: 'id', v: id[0], pos: i });
      i += id[0].length;
      continue;
    }
    throw new ODataSyntaxError(option, `unexpected character '${c}'`, i);
  }
  out.push({ t: 'end', pos: text.length });
  return out;
}

function readString(option: string, text: string, start: number): { value: string; end: number } {
  let i = start + 1;
  let value = '';
  for (;;) {
    const j = text.indexOf("'", i);
    if (j < 0) throw new ODataSyntaxError(option, 'unterminated string', start);
    value += text.slice(i, j);
    if (text[j + 1] === "'") {
      value += "'";
      i = j + 2;
      continue;
    }
    return { value, end: j + 1 };
  }
}

const COMPARE = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const UNSUPPORTED_OPS = new Set(['add', 'sub', 'mul', 'div', 'divby', 'mod', 'has']);

class Parser {
  private i = 0;
  private depth = 0;
  constructor(
    private readonly option: string,
    private readonly toks: readonly Tok[],
  ) {}

  private peek(): Tok {
    return this.toks[this.i]!;
  }
  private next(): Tok {
    return this.toks[this.i++]!;
  }
  fail(detail: string, pos = this.peek().pos): never {
    throw new ODataSyntaxError(this.option, detail, pos);
  }
  private isPunct(v: string): boolean {
    const t = this.peek();
    return t.t === 'punct' && t.v === v;
  }
  expect(v: string): void {
    if (!this.isPunct(v)) this.fail(`expected '${v}', found ${describe(this.peek())}`);
    this.i++;
  }
  private isWord(v: string): boolean {
    const t = this.peek();
    return t.t === 'id' && t.v === v;
  }
  atEnd(): boolean {
    return this.peek().t === 'end';
  }
  end(): void {
    if (!this.atEnd()) this.fail(`unexpected ${describe(this.peek())}`);
  }
  private enter(): void {
    if (++this.depth > MAX_DEPTH) this.fail(`nested deeper than ${MAX_DEPTH} levels`);
  }

  // boolExpr := and ('or' and)*
  expr(): FExpr {
    this.enter();
    let left = this.andExpr();
    while (this.isWord('or')) {
      const pos = this.next().pos;
      left = { kind: 'or', left, right: this.andExpr(), pos };
    }
    this.depth--;
    return left;
  }
  private andExpr(): FExpr {
    let left = this.compareExpr();
    while (this.isWord('and')) {
      const pos = this.next().pos;
      left = { kind: 'and', left, right: this.compareExpr(), pos };
    }
    return left;
  }
  private compareExpr(): FExpr {
    const left = this.unary();
    const t = this.peek();
    if (t.t === 'id' && COMPARE.has(t.v)) {
      this.i++;
      return { kind: 'compare', op: t.v as CompareOp, left, right: this.unary(), pos: t.pos };
    }
    if (t.t === 'id' && t.v === 'in') {
      // `Status in ('Draft', 'Shipped')` (OData 4.01): the same as comparisons joined by `or`.
      this.i++;
      this.expect('(');
      const items: FExpr[] = [];
      do {
        if (items.length) this.i++;
        const v = this.unary();
        items.push({ kind: 'compare', op: 'eq', left, right: v, pos: t.pos });
      } while (this.isPunct(','));
      this.expect(')');
      return items.reduce((a, b) => ({ kind: 'or', left: a, right: b, pos: t.pos }));
    }
    if (t.t === 'id' && UNSUPPORTED_OPS.has(t.v)) this.fail(`the operator '${t.v}' is not supported`, t.pos);
    return left;
  }
  private unary(): FExpr {
    if (this.isWord('not')) {
      const pos = this.next().pos;
      this.enter();
      const operand = this.unary();
      this.depth--;
      return { kind: 'not', operand, pos };
    }
    return this.primary();
  }
  private primary(): FExpr {
    const t = this.peek();
    if (t.t === 'punct' && t.v === '(') {
      this.i++;
      const e = this.expr();
      this.expect(')');
      return e;
    }
    if (t.t === 'str') return this.lit({ type: 'string', value: t.v });
    if (t.t === 'num') return this.lit({ type: 'number', text: t.v });
    if (t.t === 'date') return this.lit({ type: 'datetime', text: t.v });
    if (t.t === 'enum') return this.lit({ type: 'enum', enumType: t.type, member: t.v });
    if (t.t === 'id') {
      if (t.v === 'true' || t.v === 'false') return this.lit({ type: 'boolean', value: t.v === 'true' });
      if (t.v === 'null') return this.lit({ type: 'null' });
      this.i++;
      if (this.isPunct('(') && !t.v.includes('.')) return this.call(t.v, t.pos);
      return this.pathFrom(t.v, t.pos);
    }
    return this.fail(`expected a value, a property or a function, found ${describe(t)}`);
  }
  private lit(value: Literal): FExpr {
    return { kind: 'literal', value, pos: this.next().pos };
  }
  private call(name: string, pos: number): FExpr {
    this.expect('(');
    this.enter();
    const args: FExpr[] = [];
    if (!this.isPunct(')')) {
      args.push(this.expr());
      while (this.isPunct(',')) {
        this.i++;
        args.push(this.expr());
      }
    }
    this.expect(')');
    this.depth--;
    return { kind: 'call', name, args, pos };
  }
  private pathFrom(first: string, pos: number): FExpr {
    const segments = [first];
    while (this.isPunct('/')) {
      this.i++;
      const s = this.next();
      if (s.t !== 'id') this.fail(`expected a property name after '/', found ${describe(s)}`, s.pos);
      if ((s.v === 'any' || s.v === 'all') && this.isPunct('(')) return this.lambda(s.v, segments, pos);
      segments.push(s.v);
    }
    return { kind: 'path', segments, pos };
  }
  private lambda(fn: 'any' | 'all', path: string[], pos: number): FExpr {
    this.expect('(');
    if (this.isPunct(')')) {
      this.i++;
      if (fn === 'all') this.fail('all() needs a lambda: all(x: ...)');
      return { kind: 'lambda', fn, path, pos };
    }
    const v = this.next();
    if (v.t !== 'id') this.fail(`expected a lambda variable name, found ${describe(v)}`, v.pos);
    this.expect(':');
    const body = this.expr();
    this.expect(')');
    return { kind: 'lambda', fn, path, variable: v.v, body, pos };
  }

  /** A member path `A/B/C` (no functions), for $orderby, $select and $expand. */
  memberPath(): string[] {
    const first = this.next();
    if (first.t !== 'id' || first.v.includes('.')) this.fail(`expected a property name, found ${describe(first)}`, first.pos);
    const out = [first.v];
    while (this.isPunct('/')) {
      this.i++;
      const s = this.next();
      if (s.t !== 'id' || s.v.includes('.')) this.fail(`expected a property name after '/', found ${describe(s)}`, s.pos);
      out.push(s.v);
    }
    return out;
  }

  orderby(): OrderItem[] {
    const out: OrderItem[] = [];
    do {
      if (out.length) this.i++;
      const path = this.memberPath();
      let descending = false;
      if (this.isWord('desc') || this.isWord('asc')) descending = (this.next() as { v: string }).v === 'desc';
      out.push({ path, descending });
    } while (this.isPunct(','));
    return out;
  }

  select(): string[][] {
    const out: string[][] = [];
    do {
      if (out.length) this.i++;
      out.push(this.memberPath());
    } while (this.isPunct(','));
    return out;
  }

  expand(): ExpandItem[] {
    const out: ExpandItem[] = [];
    this.enter();
    do {
      if (out.length) this.i++;
      const path = this.memberPath();
      let options: QueryOptions = {};
      if (this.isPunct('(')) {
        this.i++;
        options = this.nestedOptions();
        this.expect(')');
      }
      out.push({ path, options });
    } while (this.isPunct(','));
    this.depth--;
    return out;
  }

  /** `$select=...;$filter=...` inside an expand item. */
  private nestedOptions(): QueryOptions {
    const o: { -readonly [K in keyof QueryOptions]: QueryOptions[K] } = {};
    for (;;) {
      const name = this.next();
      if (name.t !== 'id' || !name.v.startsWith('$')) this.fail(`expected a query option such as $select or $filter, found ${describe(name)}`, name.pos);
      this.expect('=');
      switch (name.v) {
        case '$filter':
          o.filter = this.expr();
          break;
        case '$orderby':
          o.orderby = this.orderby();
          break;
        case '$select':
          o.select = this.select();
          break;
        case '$expand':
          o.expand = this.expand();
          break;
        case '$top':
        case '$skip': {
          const n = this.next();
          if (n.t !== 'num' || !/^\d+$/.test(n.v) || !Number.isSafeInteger(Number(n.v))) this.fail(`${name.v} must be a whole number >= 0`, n.pos);
          if (name.v === '$top') o.top = Number(n.v);
          else o.skip = Number(n.v);
          break;
        }
        case '$count': {
          const b = this.next();
          if (b.t !== 'id' || (b.v !== 'true' && b.v !== 'false')) this.fail('$count must be true or false', b.pos);
          o.count = b.v === 'true';
          break;
        }
        default:
          this.fail(`the query option ${name.v} is not supported inside $expand`, name.pos);
      }
      if (!this.isPunct(';')) return o;
      this.i++;
    }
  }
}

function describe(t: Tok): string {
  switch (t.t) {
    case 'end':
      return 'the end';
    case 'str':
      return 'a string';
    case 'enum':
      return 'an enumeration value';
    default:
      return `'${t.v}'`;
  }
}

function parser(option: string, text: string): Parser {
  return new Parser(option, tokenize(option, text));
}

export function parseFilter(text: string): FExpr {
  const p = parser('$filter', text);
  const e = p.expr();
  p.end();
  return e;
}

export function parseOrderBy(text: string): OrderItem[] {
  const p = parser('$orderby', text);
  const o = p.orderby();
  p.end();
  return o;
}

/** `$select` items; `*` is the path `['*']`. */
export function parseSelect(text: string): string[][] {
  const p = parser('$select', text);
  const s = p.select();
  p.end();
  return s;
}

export function parseExpand(text: string): ExpandItem[] {
  const p = parser('$expand', text);
  const e = p.expand();
  p.end();
  return e;
}

/** A `$top` / `$skip` value. */
export function parseCount(option: string, text: string): number {
  if (!/^\d{1,15}$/.test(text.trim())) throw new ODataSyntaxError(option, 'must be a whole number >= 0', 0);
  return Number(text.trim());
}
