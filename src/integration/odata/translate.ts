import { Decimal } from 'decimal.js';
import type { CAttribute, CompiledModel } from '../../model/compiled/types.js';
import type { CODataNavigation, CODataService, CODataSet } from '../../model/compiled/odata-services.js';
import { filterable } from '../../security/entity-access.js';
import type { UserContext } from '../../security/user-context.js';
import { ODataError } from './errors.js';
import type { CompareOp, FExpr, Literal, OrderItem } from './query-syntax.js';

/**
 * OData `$filter` and `$orderby` -> Mendix XPath over the published entities,
 * so that the query engine compiles them together with the caller's entity
 * access into one SQL statement. Names are checked against what the set
 * publishes, and every property or navigation used must be readable by the
 * caller on every object it can see (otherwise the filter would reveal the
 * values it hides): 403. Literals become XPath variables (`$p0`, ...), typed by
 * the property they are compared with, so that the XPath text of a filter's
 * shape is the same for every value and its compiled plan can be reused.
 */
export interface Translated {
  /** XPath constraint, brackets included; '' = none. */
  readonly xpath: string;
  readonly variables: Record<string, unknown>;
}

interface Scope {
  readonly set: CODataSet;
  /** The lambda variable that names this scope's objects (undefined at the top: `$it`). */
  readonly variable: string | undefined;
}

type Value =
  | { readonly kind: 'attr'; readonly xpath: string; readonly attr: CAttribute }
  | { readonly kind: 'id'; readonly xpath: string }
  | { readonly kind: 'number'; readonly xpath: string }
  | { readonly kind: 'literal'; readonly value: Literal; readonly pos: number };

const XPATH_OP: Record<CompareOp, string> = { eq: '=', ne: '!=', gt: '>', ge: '>=', lt: '<', le: '<=' };
const FLIP: Record<CompareOp, CompareOp> = { eq: 'eq', ne: 'ne', gt: 'lt', ge: 'le', lt: 'gt', le: 'ge' };
const DATE_PARTS: Record<string, string> = {
  year: 'year-from-dateTime',
  month: 'month-from-dateTime',
  day: 'day-from-dateTime',
  hour: 'hours-from-dateTime',
  minute: 'minutes-from-dateTime',
  second: 'seconds-from-dateTime',
};
const STRING_TESTS: Record<string, string> = { contains: 'contains', startswith: 'starts-with', endswith: 'ends-with' };
/** OData functions Mendix does not support either: 501 rather than "unknown". */
const NOT_IMPLEMENTED = new Set([
  'concat',
  'indexof',
  'substring',
  'trim',
  'matchesPattern',
  'round',
  'floor',
  'ceiling',
  'now',
  'date',
  'time',
  'fractionalseconds',
  'totaloffsetminutes',
  'totalseconds',
  'maxdatetime',
  'mindatetime',
  'cast',
  'isof',
  'geo.distance',
  'geo.intersects',
  'geo.length',
]);

export class FilterTranslator {
  private readonly variables: Record<string, unknown> = {};
  private n = 0;

  constructor(
    private readonly model: CompiledModel,
    private readonly service: CODataService,
    private readonly user: UserContext,
  ) {}

  filter(set: CODataSet, e: FExpr): Translated {
    const xpath = this.bool(e, { set, variable: undefined });
    return { xpath: `[${xpath}]`, variables: this.variables };
  }

  /** `$orderby` items as the query engine's sort keys (paths over single-valued navigations, ending at a property). */
  orderBy(set: CODataSet, items: readonly OrderItem[]): { attribute: string; descending: boolean }[] {
    return items.map((o) => {
      const v = this.path({ set, variable: undefined }, o.path, -1, '$orderby');
      if (v.kind === 'id' && o.path[o.path.length - 1] !== 'ID')
        throw new ODataError(400, `$orderby: '${o.path.join('/')}' is a navigation property, not a value`);
      return { attribute: v.xpath, descending: o.descending };
    });
  }

  private bool(e: FExpr, scope: Scope): string {
    switch (e.kind) {
      case 'and':
      case 'or': {
        // A chain of the same operator is one group: `(a or b or c)`, not nested parentheses (XPath limits nesting).
        const items: FExpr[] = [];
        const collect = (x: FExpr): void => {
          if (x.kind === e.kind) {
            collect(x.left);
            collect(x.right);
          } else items.push(x);
        };
        collect(e);
        return `(${items.map((x) => this.bool(x, scope)).join(` ${e.kind} `)})`;
      }
      case 'not':
        return `not(${this.bool(e.operand, scope)})`;
      case 'compare':
        return this.compare(e.op, e.left, e.right, scope, e.pos);
      case 'lambda':
        return this.lambda(e, scope);
      case 'call': {
        if (STRING_TESTS[e.name]) return this.stringTest(e.name, e.args, scope, e.pos);
        this.callValue(e.name, e.args, scope, e.pos);
        return this.fail(e.pos, `${e.name}() is not a condition: compare it (${e.name}(...) eq ...)`);
      }
      case 'path': {
        const v = this.path(scope, e.segments, e.pos, '$filter');
        if (v.kind === 'attr' && v.attr.type === 'Boolean') return `${v.xpath} = true()`;
        return this.fail(e.pos, `'${e.segments.join('/')}' is not a condition: compare it with a value`);
      }
      case 'literal':
        if (e.value.type === 'boolean') return e.value.value ? 'true()' : 'false()';
        return this.fail(e.pos, 'a literal is not a condition');
    }
  }

  private compare(op: CompareOp, l: FExpr, r: FExpr, scope: Scope, pos: number): string {
    const folded = this.caseFolded(op, l, r, scope) ?? this.caseFolded(FLIP[op], r, l, scope);
    if (folded) return folded;
    let left = this.value(l, scope);
    let right = this.value(r, scope);
    if (left.kind === 'literal' && right.kind !== 'literal') {
      [left, right] = [right, left];
      op = FLIP[op];
    }
    if (left.kind === 'literal') return this.fail(pos, 'compare a property with a value: two literals are not supported');
    if (right.kind !== 'literal') return this.fail(pos, 'compare a property with a literal value: comparing two properties is not supported');
    const lit = right.value;
    if (lit.type === 'null') {
      if (op !== 'eq' && op !== 'ne') this.fail(right.pos, `null can only be compared with eq and ne`);
      return `${left.xpath} ${XPATH_OP[op]} empty`;
    }
    if (left.kind === 'id') {
      if (op !== 'eq' && op !== 'ne') this.fail(pos, 'an entity can only be compared with eq and ne');
      return `${left.xpath} ${XPATH_OP[op]} ${this.variable(this.idValue(lit, right.pos))}`;
    }
    if (left.kind === 'number') return `${left.xpath} ${XPATH_OP[op]} ${this.variable(this.integer(lit, right.pos, 'Integer'))}`;
    const attr = left.attr;
    if (attr.type === 'Boolean') {
      if (lit.type !== 'boolean') this.fail(right.pos, `${attr.name} is a Boolean: compare it with true or false`);
      if (op !== 'eq' && op !== 'ne') this.fail(pos, 'Boolean values can only be compared with eq and ne');
      return `${left.xpath} ${XPATH_OP[op]} ${lit.value ? 'true()' : 'false()'}`;
    }
    return `${left.xpath} ${XPATH_OP[op]} ${this.variable(this.literalFor(attr, lit, right.pos))}`;
  }

  /**
   * `tolower(Name) eq 'abc'`: XPath's starts-with() ignores case, so the same
   * objects are those whose Name starts with 'abc' (case-insensitively) and is
   * exactly as long - one condition the query engine compiles like any other.
   * A literal that tolower() could never produce matches nothing.
   */
  private caseFolded(op: CompareOp, l: FExpr, r: FExpr, scope: Scope): string | undefined {
    if (l.kind !== 'call' || (l.name !== 'tolower' && l.name !== 'toupper') || r.kind !== 'literal' || r.value.type !== 'string') return undefined;
    if (op !== 'eq' && op !== 'ne') throw new ODataError(501, `${l.name}() can be compared with eq and ne only`);
    const a = this.oneAttr(l.name, l.args, scope, l.pos);
    if (a.attr.type !== 'String') this.fail(l.pos, `${l.name}() needs a String property; ${a.attr.name} is ${a.attr.type}`);
    const text = r.value.value;
    const possible = l.name === 'tolower' ? text === text.toLowerCase() : text === text.toUpperCase();
    const cond = !possible
      ? 'false()'
      : text === ''
        ? `${a.xpath} = ''`
        : `(starts-with(${a.xpath}, ${this.variable(text)}) and length(${a.xpath}) = ${this.variable([...text].length)})`;
    return op === 'eq' ? cond : `not(${cond})`;
  }

  private value(e: FExpr, scope: Scope): Value {
    switch (e.kind) {
      case 'literal':
        return { kind: 'literal', value: e.value, pos: e.pos };
      case 'path':
        return this.path(scope, e.segments, e.pos, '$filter');
      case 'call': {
        const v = this.callValue(e.name, e.args, scope, e.pos);
        if (v) return v;
        return this.fail(e.pos, `${e.name}() is a condition: use it on its own, not in a comparison`);
      }
      default:
        return this.fail(e.pos, 'expected a property, a function or a literal value here');
    }
  }

  /** A function that yields a value (length, date parts); undefined for the string tests (conditions). */
  private callValue(name: string, args: readonly FExpr[], scope: Scope, pos: number): Value | undefined {
    if (STRING_TESTS[name]) return undefined;
    if (name === 'length') {
      const a = this.oneAttr(name, args, scope, pos);
      if (a.attr.type !== 'String') this.fail(pos, `length() needs a String property; ${a.attr.name} is ${a.attr.type}`);
      return { kind: 'number', xpath: `length(${a.xpath})` };
    }
    const part = DATE_PARTS[name];
    if (part) {
      const a = this.oneAttr(name, args, scope, pos);
      if (a.attr.type !== 'DateTime') this.fail(pos, `${name}() needs a DateTimeOffset property; ${a.attr.name} is ${a.attr.type}`);
      // OData's date parts are those of the value as written, which Kiln writes in UTC.
      return { kind: 'number', xpath: `${part}(${a.xpath}, 'UTC')` };
    }
    if (name === 'tolower' || name === 'toupper')
      throw new ODataError(501, `${name}() is supported compared with a string (eq, ne) and inside contains(), startswith() and endswith()`);
    if (NOT_IMPLEMENTED.has(name)) throw new ODataError(501, `the function ${name}() is not supported`);
    return this.fail(pos, `unknown function '${name}'`);
  }

  private oneAttr(name: string, args: readonly FExpr[], scope: Scope, pos: number): { xpath: string; attr: CAttribute } {
    const a = args[0];
    if (args.length !== 1 || a?.kind !== 'path') return this.fail(pos, `${name}() takes one property`);
    const v = this.path(scope, a.segments, a.pos, '$filter');
    if (v.kind !== 'attr') return this.fail(a.pos, `${name}() needs a property, not '${a.segments.join('/')}'`);
    return v;
  }

  /** contains / startswith / endswith: case-insensitive in Kiln's XPath, so tolower() and toupper() around the property change nothing. */
  private stringTest(fn: string, args: readonly FExpr[], scope: Scope, pos: number): string {
    if (args.length !== 2) this.fail(pos, `${fn}() takes a property and a string`);
    let subject = args[0]!;
    let caseFold: 'tolower' | 'toupper' | undefined;
    if (subject.kind === 'call' && (subject.name === 'tolower' || subject.name === 'toupper') && subject.args.length === 1) {
      caseFold = subject.name;
      subject = subject.args[0]!;
    }
    if (subject.kind !== 'path') return this.fail(subject.pos, `${fn}() needs a String property first`);
    const v = this.path(scope, subject.segments, subject.pos, '$filter');
    if (v.kind !== 'attr' || (v.attr.type !== 'String' && v.attr.type !== 'Enumeration'))
      return this.fail(subject.pos, `${fn}() needs a String property; '${subject.segments.join('/')}' is not one`);
    const arg = args[1]!;
    if (arg.kind !== 'literal' || arg.value.type !== 'string') return this.fail(arg.pos, `${fn}() needs a string literal second`);
    const text = arg.value.value;
    // tolower(Name) never contains an upper-case letter: the test is false for every object, as OData defines it.
    if ((caseFold === 'tolower' && text !== text.toLowerCase()) || (caseFold === 'toupper' && text !== text.toUpperCase())) return 'false()';
    return `${STRING_TESTS[fn]}(${v.xpath}, ${this.variable(text)})`;
  }

  private lambda(e: Extract<FExpr, { kind: 'lambda' }>, scope: Scope): string {
    const { steps, set } = this.navigationSteps(scope, e.path, e.pos);
    if (!e.body || !e.variable) return steps;
    if (e.variable === scope.variable || e.variable === '$it') this.fail(e.pos, `the lambda variable '${e.variable}' is already in use`);
    const inner = this.bool(e.body, { set, variable: e.variable });
    return e.fn === 'any' ? `${steps}[${inner}]` : `not(${steps}[not(${inner})])`;
  }

  /** The navigation path before any()/all(): association steps, ending at a set. */
  private navigationSteps(scope: Scope, segments: readonly string[], pos: number): { steps: string; set: CODataSet } {
    const rest = this.strip(scope, segments, pos);
    if (rest.length === 0) this.fail(pos, 'any() and all() follow a navigation property');
    let set = scope.set;
    const out: string[] = [];
    rest.forEach((name, i) => {
      const nav = set.navigations.find((n) => n.name === name);
      if (!nav) this.fail(pos, this.unknown(set, name));
      if (nav.collection && i < rest.length - 1) this.fail(pos, `'${name}' is a collection: only any() or all() can follow it`);
      this.checkNavigation(set, nav, pos);
      const target = this.setNamed(nav.target);
      out.push(`${nav.association}/${target.entity}`);
      set = target;
    });
    return { steps: out.join('/'), set };
  }

  /** A path to a property (or a single-valued navigation, or ID), with every step checked for the caller. */
  private path(scope: Scope, segments: readonly string[], pos: number, option: string): Extract<Value, { kind: 'attr' | 'id' }> {
    const rest = this.strip(scope, segments, pos);
    if (rest.length === 0) return { kind: 'id', xpath: 'id' };
    let set = scope.set;
    const out: string[] = [];
    for (let i = 0; i < rest.length; i++) {
      const name = rest[i]!;
      const last = i === rest.length - 1;
      if (name === 'ID') {
        if (!last) this.fail(pos, `'ID' has no properties`, option);
        out.push('id');
        return { kind: 'id', xpath: out.join('/') };
      }
      const prop = set.properties.find((p) => p.name === name);
      if (prop) {
        if (!last) this.fail(pos, `'${name}' is a property: it has no '${rest[i + 1]}'`, option);
        const attr = this.model.entities.get(set.entity)!.attributes.get(name)!;
        if (!filterable(this.model, this.user, set.entity, name))
          throw new ODataError(
            403,
            `${option}: you may not use the property '${name}' of ${set.typeName} (it is not readable on every ${set.typeName} you can see)`,
          );
        out.push(name);
        return { kind: 'attr', xpath: out.join('/'), attr };
      }
      const nav = set.navigations.find((n) => n.name === name);
      if (!nav) this.fail(pos, this.unknown(set, name), option);
      if (nav.collection) this.fail(pos, `'${name}' is a collection: use any() or all() to filter on it`, option);
      this.checkNavigation(set, nav, pos);
      if (last) {
        out.push(nav.association);
        return { kind: 'id', xpath: out.join('/') };
      }
      const target = this.setNamed(nav.target);
      out.push(nav.association, target.entity);
      set = target;
    }
    return this.fail(pos, 'empty path', option);
  }

  /** The segments after the scope's lambda variable (or `$it` at the top). */
  private strip(scope: Scope, segments: readonly string[], pos: number): readonly string[] {
    const first = segments[0];
    if (scope.variable === undefined) return first === '$it' ? segments.slice(1) : segments;
    if (first !== scope.variable)
      this.fail(pos, `inside the lambda, start every path with its variable '${scope.variable}' (paths to the outer entity are not supported)`);
    return segments.slice(1);
  }

  private checkNavigation(set: CODataSet, nav: CODataNavigation, pos: number): void {
    // The association is a member of its owner (parent) entity.
    const owner = nav.fromParent ? set.entity : this.setNamed(nav.target).entity;
    if (!filterable(this.model, this.user, owner, nav.association))
      throw new ODataError(403, `you may not use the navigation property '${nav.name}' of ${set.typeName}`);
    void pos;
  }

  private setNamed(name: string): CODataSet {
    return this.service.sets.find((s) => s.name === name)!;
  }

  private unknown(set: CODataSet, name: string): string {
    return `${set.typeName} has no property '${name}'`;
  }

  private variable(value: unknown): string {
    const name = `p${this.n++}`;
    this.variables[name] = value;
    return `$${name}`;
  }

  private idValue(lit: Literal, pos: number): bigint {
    if (lit.type !== 'number' || !/^\d{1,19}$/.test(lit.text)) return this.fail(pos, 'an entity is compared with its ID (a whole number)');
    return BigInt(lit.text);
  }

  private integer(lit: Literal, pos: number, what: string): number {
    if (lit.type !== 'number' || !/^-?\d{1,10}$/.test(lit.text)) return this.fail(pos, `expected a whole number (${what})`);
    const n = Number(lit.text);
    if (n < -2147483648 || n > 2147483647) this.fail(pos, `${lit.text} is out of range for ${what}`);
    return n;
  }

  /** A literal as the value of an attribute it is compared with. */
  private literalFor(attr: CAttribute, lit: Literal, pos: number): unknown {
    switch (attr.type) {
      case 'String':
        if (lit.type !== 'string') this.fail(pos, `${attr.name} is a String: compare it with a string literal ('...')`);
        return lit.value;
      case 'Enumeration': {
        const member = lit.type === 'string' ? lit.value : lit.type === 'enum' ? lit.member : undefined;
        if (member === undefined) this.fail(pos, `${attr.name} is an enumeration: compare it with one of its members`);
        const e = this.model.enumerations.get(attr.enumeration!);
        if (!e?.values.some((v) => v.key === member))
          this.fail(pos, `'${member}' is not a member of ${attr.enumeration!.split('.').pop()} (${e?.values.map((v) => v.key).join(', ')})`);
        return member;
      }
      case 'Integer':
        return this.integer(lit, pos, attr.name);
      case 'Long':
      case 'AutoNumber':
        if (lit.type !== 'number' || !/^-?\d{1,19}$/.test(lit.text)) this.fail(pos, `${attr.name} is a whole number: compare it with one`);
        {
          const b = BigInt(lit.text);
          if (b < -(2n ** 63n) || b >= 2n ** 63n) this.fail(pos, `${lit.text} is out of range for ${attr.name}`);
          return b;
        }
      case 'Decimal':
        if (lit.type !== 'number') this.fail(pos, `${attr.name} is a decimal number: compare it with a number`);
        return new Decimal(lit.text);
      case 'DateTime': {
        if (lit.type !== 'datetime') this.fail(pos, `${attr.name} is a DateTimeOffset: compare it with a date such as 2024-05-01T00:00:00Z`);
        const t = Date.parse(lit.text.length === 10 ? `${lit.text}T00:00:00Z` : lit.text);
        if (Number.isNaN(t)) this.fail(pos, `'${lit.text}' is not a valid date`);
        return new Date(t);
      }
      default:
        return this.fail(pos, `${attr.name} (${attr.type}) cannot be compared`);
    }
  }

  /** `pos` < 0: the option has no position to point at ($orderby items are checked after parsing). */
  private fail(pos: number, detail: string, option = '$filter'): never {
    throw new ODataError(400, `${option}: ${detail}${pos >= 0 ? ` (at position ${pos + 1})` : ''}`);
  }
}
