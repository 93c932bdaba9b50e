import { Decimal } from 'decimal.js';
import type { CAttribute, CEntity, CompiledModel } from '../../model/compiled/types.js';
import { DURATION_UNITS, periodToken } from '../../objects/time-tokens.js';
import { XPathResolveError } from '../errors.js';
import type { CompareOp, XExpr, XStep } from '../xpath/ast.js';
import type { DatePart, OqlExpr, OqlHop, OqlSource, ParamSource, ValueType } from './ast.js';

/**
 * Resolves XPath constraints against the model into OQL expressions: attribute
 * names to attributes, association steps to hops with their direction, values
 * to typed parameters. Every problem is an XPathResolveError at its position.
 */
export class Resolver {
  /**
   * Variables (`name` or `name/Member`) that are empty in this execution: Mendix
   * reads `[A = $V]` with an empty $V as `[A = empty]` (for an association: no
   * related object), so plans get a variant per set of empty variables.
   */
  nullVariables: ReadonlySet<string> = new Set();

  constructor(
    readonly model: CompiledModel,
    readonly xpath: string,
    public aliasCount = 0,
  ) {}

  fail(pos: number, msg: string): never {
    throw new XPathResolveError(msg, pos, this.xpath);
  }

  newSource(entity: string): OqlSource {
    this.aliasCount++;
    return { alias: `t${this.aliasCount}`, entity };
  }

  entity(name: string, pos: number): CEntity {
    const e = this.model.entities.get(name);
    if (!e) this.fail(pos, `unknown entity '${name}'`);
    return e;
  }

  /** AND of constraint predicates over `source`. */
  constraint(preds: readonly XExpr[], source: OqlSource): OqlExpr | undefined {
    const items = preds.map((p) => this.bool(p, source));
    return and(items);
  }

  /** An expression in a boolean position. */
  bool(x: XExpr, src: OqlSource): OqlExpr {
    switch (x.kind) {
      case 'or':
      case 'and': {
        const l = this.bool(x.left, src);
        const r = this.bool(x.right, src);
        return x.kind === 'and' ? and([l, r])! : or([l, r]);
      }
      case 'not':
        return { kind: 'not', operand: this.bool(x.operand, src) };
      case 'boolean':
        return { kind: 'const', value: x.value };
      case 'compare':
        return this.compare(x.op, x.left, x.right, src, x.pos);
      case 'call':
        return this.boolCall(x.name, x.args, src, x.pos);
      case 'path': {
        const hops: OqlHop[] = [];
        const filters: OqlExpr[] = [];
        const end = this.walk(x.steps, src, hops, filters);
        if (end.kind === 'attr') {
          if (end.attr.type !== 'Boolean')
            this.fail(x.pos, `'${end.attr.name}' is ${end.attr.type}: a constraint needs a comparison here (e.g. ${end.attr.name} = ...)`);
          return wrap(hops, filters, {
            kind: 'compare',
            op: '=',
            left: { kind: 'attr', source: end.source, attribute: end.attr },
            right: param({ kind: 'literal', value: true }, 'Boolean'),
            text: false,
          });
        }
        if (end.kind === 'id') this.fail(x.pos, "'id' needs a comparison (id = ...)");
        if (hops.length === 0) this.fail(x.pos, 'a path used as a constraint must follow an association');
        return { kind: 'exists', hops, where: and(filters) };
      }
      default:
        return this.fail(x.pos, `expected a constraint (a comparison, a path or a function such as contains()), found ${describeX(x)}`);
    }
  }

  private boolCall(name: string, args: readonly XExpr[], src: OqlSource, pos: number): OqlExpr {
    if (name === 'contains' || name === 'starts-with' || name === 'ends-with') {
      if (args.length !== 2) this.fail(pos, `${name}() takes two arguments: an attribute and a string`);
      const hops: OqlHop[] = [];
      const filters: OqlExpr[] = [];
      const subject = this.value(args[0]!, src, hops, filters, undefined);
      if (subject.type !== 'String' && subject.type !== 'Enumeration') this.fail(args[0]!.pos, `${name}() needs a String attribute, not ${subject.type}`);
      const arg = args[1]!;
      let cond: OqlExpr;
      if (arg.kind === 'string' && arg.value === '') {
        // Mendix: an empty search string matches every object whose attribute has a value.
        cond = { kind: 'isNull', operand: subject.expr, negated: true };
      } else {
        const v = this.paramSource(arg, 'String', src);
        cond = { kind: 'like', operand: subject.expr, pattern: param({ kind: 'like', inner: v, mode: name }, 'String') };
      }
      return wrap(hops, filters, cond);
    }
    if (name === 'reversed') this.fail(pos, 'reversed() is written after an association step: [Module.Assoc[reversed()] = ...]');
    if (DATE_FUNCTIONS[name] || name === 'length' || name === 'string-length') this.fail(pos, `${name}() returns a number: compare it (${name}(...) = ...)`);
    return this.fail(pos, `unknown function '${name}' (expected contains, starts-with, ends-with, not, true, false, length, string-length or a date function)`);
  }

  private compare(op: CompareOp, left: XExpr, right: XExpr, src: OqlSource, pos: number): OqlExpr {
    // Put the side that refers to the model on the left.
    if (!refersToModel(left) && refersToModel(right)) {
      [left, right] = [right, left];
      op = flip(op);
    }
    if (!refersToModel(left)) this.fail(pos, 'a comparison needs an attribute, association or id on one side');
    const hops: OqlHop[] = [];
    const filters: OqlExpr[] = [];
    // A path ending at an association or entity compares object ids.
    const l = this.value(left, src, hops, filters, undefined);
    const emptyVariable = right.kind === 'variable' && this.nullVariables.has(variableKey(right.name, right.path));
    if (right.kind === 'empty' || emptyVariable) {
      if (op !== '=' && op !== '!=') {
        if (emptyVariable) return { kind: 'const', value: false };
        this.fail(right.pos, `only = and != can compare with empty, not ${op}`);
      }
      if (l.objectEnd && hops.length > 0) {
        // [Assoc = empty]: no related object; [Assoc != empty]: some related object.
        const ex: OqlExpr = { kind: 'exists', hops, where: and(filters) };
        return op === '=' ? { kind: 'not', operand: ex } : ex;
      }
      return wrap(hops, filters, { kind: 'isNull', operand: l.expr, negated: op === '!=' });
    }
    const r = this.value(right, src, hops, filters, l.type);
    if (
      l.expr.kind === 'attr' &&
      l.expr.attribute.enumeration &&
      r.expr.kind === 'param' &&
      r.expr.source.kind === 'literal' &&
      typeof r.expr.source.value === 'string'
    ) {
      const en = this.model.enumerations.get(l.expr.attribute.enumeration);
      const keys = en?.values.map((v) => v.key) ?? [];
      if (!keys.includes(r.expr.source.value))
        this.fail(right.pos, `'${r.expr.source.value}' is not a value of ${l.expr.attribute.enumeration} (expected one of ${keys.join(', ')})`);
    }
    if (l.type !== r.type && !compatible(l.type, r.type)) this.fail(right.pos, `cannot compare ${l.type} with ${r.type}`);
    if ((l.type === 'Boolean' || l.type === 'Id' || l.type === 'Enumeration') && op !== '=' && op !== '!=') {
      if (l.type !== 'Enumeration') this.fail(pos, `${l.type === 'Id' ? 'objects' : 'Boolean values'} can only be compared with = and !=`);
    }
    const text = l.type === 'String' && r.type === 'String';
    return wrap(hops, filters, { kind: 'compare', op, left: l.expr, right: r.expr, text });
  }

  /**
   * A value: attribute over a path (hops and step filters go to the caller's lists),
   * a literal, token or variable (typed by `expected`), or a number function.
   */
  value(
    x: XExpr,
    src: OqlSource,
    hops: OqlHop[],
    filters: OqlExpr[],
    expected: ValueType | undefined,
  ): { expr: OqlExpr; type: ValueType; objectEnd?: boolean } {
    switch (x.kind) {
      case 'path': {
        const end = this.walk(x.steps, src, hops, filters);
        if (end.kind === 'attr') {
          if (end.attr.type === 'Binary' || end.attr.type === 'HashedString')
            this.fail(x.pos, `${end.attr.type} attribute '${end.attr.name}' cannot be used in a constraint`);
          return { expr: { kind: 'attr', source: end.source, attribute: end.attr }, type: attrValueType(end.attr) };
        }
        return { expr: { kind: 'id', source: end.source }, type: 'Id', objectEnd: end.kind === 'object' };
      }
      case 'call': {
        if (x.name === 'length' || x.name === 'string-length') {
          if (x.args.length !== 1) this.fail(x.pos, `${x.name}() takes one String attribute`);
          const v = this.value(x.args[0]!, src, hops, filters, undefined);
          if (v.type !== 'String') this.fail(x.args[0]!.pos, `${x.name}() needs a String attribute, not ${v.type}`);
          return { expr: { kind: 'length', operand: v.expr }, type: 'Integer' };
        }
        const part = DATE_FUNCTIONS[x.name];
        if (part) {
          if (x.args.length < 1 || x.args.length > 2) this.fail(x.pos, `${x.name}() takes a DateTime attribute and optionally a time zone`);
          const v = this.value(x.args[0]!, src, hops, filters, undefined);
          if (v.type !== 'DateTime') this.fail(x.args[0]!.pos, `${x.name}() needs a DateTime attribute, not ${v.type}`);
          let zone: ParamSource = { kind: 'zone' };
          const z = x.args[1];
          if (z) {
            if (z.kind !== 'string') this.fail(z.pos, "the time zone must be a string such as 'Europe/Amsterdam' or 'UTC'");
            if (!validZone(z.value)) this.fail(z.pos, `unknown time zone '${z.value}'`);
            zone = { kind: 'zone', zone: z.value };
          } else {
            // Non-localized attributes are shown in UTC, so their parts are taken in UTC.
            const attr = v.expr.kind === 'attr' ? v.expr.attribute : undefined;
            if (attr && !attr.localize) zone = { kind: 'zone', zone: 'UTC' };
          }
          return { expr: { kind: 'datePart', part, operand: v.expr, zone }, type: 'Integer' };
        }
        if (x.name === 'true' || x.name === 'false') return { expr: param({ kind: 'literal', value: x.name === 'true' }, 'Boolean'), type: 'Boolean' };
        return this.fail(x.pos, `unknown function '${x.name}' in a value position`);
      }
      case 'arith': {
        // Only constant arithmetic (folded here): Mendix has no arithmetic on attributes in
        // constraints, and a database-side computation would differ per database.
        const n = this.fold(x);
        const type = expected && isNumeric(expected) ? expected : n.isInteger() ? 'Long' : 'Decimal';
        return { expr: param({ kind: 'literal', value: this.literal(n.toFixed(), type, x.pos, false) }, type), type };
      }
      case 'token': {
        if (x.base.startsWith('UserRole_') && x.terms.length === 0) {
          if (expected !== undefined && expected !== 'Id') this.fail(x.pos, `[%${x.base}%] is a user role object, not a ${expected}`);
          const roleName = x.base.slice('UserRole_'.length);
          // Studio Pro creates one such token per user role of the app: any other name is a typo.
          if (!this.model.security.userRoles.has(roleName)) {
            const roles = [...this.model.security.userRoles.keys()];
            this.fail(
              x.pos,
              `unknown user role '${roleName}' in [%${x.base}%] (${roles.length ? `the app has: ${roles.join(', ')}` : 'the app has no user roles'})`,
            );
          }
          return { expr: { kind: 'userRole', name: roleName }, type: 'Id' };
        }
        const type = expected ?? tokenType(x.base);
        return { expr: param(this.paramSource(x, type, src), type), type };
      }
      case 'boolean':
        return { expr: param({ kind: 'literal', value: x.value }, 'Boolean'), type: 'Boolean' };
      default: {
        const type = expected ?? (x.kind === 'number' ? (x.text.includes('.') ? 'Decimal' : 'Long') : 'String');
        return { expr: param(this.paramSource(x, type, src), type), type };
      }
    }
  }

  private fold(x: XExpr): Decimal {
    if (x.kind === 'number') return new Decimal(x.text);
    if (x.kind !== 'arith') this.fail(x.pos, 'arithmetic is only possible between numbers here (compute other values before the retrieve)');
    const l = this.fold(x.left);
    const r = this.fold(x.right);
    switch (x.op) {
      case '+':
        return l.plus(r);
      case '-':
        return l.minus(r);
      case '*':
        return l.times(r);
      case 'div':
        if (r.isZero()) this.fail(x.pos, 'division by zero');
        return l.dividedBy(r);
    }
  }

  /** A literal, token or variable as a parameter source, checked against the type it will be bound as. */
  paramSource(x: XExpr, type: ValueType, _src: OqlSource): ParamSource {
    switch (x.kind) {
      case 'string':
        return { kind: 'literal', value: this.literal(x.value, type, x.pos, true) };
      case 'number':
        return { kind: 'literal', value: this.literal(x.text, type, x.pos, false) };
      case 'boolean':
        if (type !== 'Boolean') this.fail(x.pos, `expected a ${type} value, found ${x.value}()`);
        return { kind: 'literal', value: x.value };
      case 'variable':
        // Only the variable's own members are at hand when the query runs (nothing is fetched
        // to evaluate a constraint), as in Studio Pro: retrieve the related object first.
        if (x.path.length > 1)
          this.fail(
            x.pos,
            `$${x.name}/${x.path.join('/')}: a variable in XPath takes one step ($${x.name}/Attribute or $${x.name}/Module.Association); retrieve the related object into a variable first`,
          );
        return { kind: 'variable', name: x.name, path: x.path, pos: x.pos };
      case 'token': {
        const b = x.base;
        if (b === 'CurrentUser' || b === 'CurrentObject') {
          if (x.terms.length) this.fail(x.pos, `[%${b}%] takes no offsets`);
          if (type !== 'Id') this.fail(x.pos, `[%${b}%] is an object: compare it with an association or id, not a ${type}`);
          return { kind: b === 'CurrentUser' ? 'currentUser' : 'currentObject' };
        }
        if (!isTimeToken(b)) this.fail(x.pos, `unknown token [%${b}%]`);
        if (b.endsWith('Length')) this.fail(x.pos, `[%${b}%] is a duration: add it to a date token ('[%CurrentDateTime%] + 1 * [%${b}%]')`);
        for (const t of x.terms)
          if (!DURATION_TOKENS.includes(t.token))
            this.fail(x.pos, `[%${t.token}%] is not a duration token (expected one of ${DURATION_TOKENS.map((d) => `[%${d}%]`).join(', ')})`);
        if (type !== 'DateTime') this.fail(x.pos, `[%${b}%] is a date and time, not a ${type}`);
        return { kind: 'time', base: b, terms: x.terms };
      }
      case 'empty':
        return { kind: 'literal', value: null };
      default:
        return this.fail(x.pos, `expected a value (a string, number, token or variable), found ${describeX(x)}`);
    }
  }

  /** Validates and converts a literal for its target type at compile time. */
  private literal(text: string, type: ValueType, pos: number, quoted: boolean): string | number | bigint | boolean | Date {
    switch (type) {
      case 'String':
        return text;
      case 'Enumeration':
        return text;
      case 'Integer':
      case 'Long': {
        if (!/^-?[0-9]+$/.test(text.trim())) this.fail(pos, `'${text}' is not a whole number`);
        const v = BigInt(text.trim());
        if (type === 'Integer') {
          if (v < -2147483648n || v > 2147483647n) this.fail(pos, `${text} does not fit an Integer (32-bit)`);
          return Number(v);
        }
        // Checked here, at its position, rather than refused by the database at the first request.
        if (v < -(2n ** 63n) || v >= 2n ** 63n) this.fail(pos, `${text} does not fit a Long (64-bit)`);
        return v;
      }
      case 'Decimal': {
        const t = text.trim();
        if (!/^-?[0-9]+(\.[0-9]+)?$/.test(t)) this.fail(pos, `'${text}' is not a decimal number`);
        // Decimal columns hold 20 digits before the point (DECIMAL(28,8)).
        if (
          t
            .replace(/^-/, '')
            .split('.')[0]!
            .replace(/^0+(?=.)/, '').length > 20
        )
          this.fail(pos, `${text} has more than 20 digits before the decimal point (a Decimal holds 20)`);
        return t;
      }
      case 'Boolean':
        if (text === 'true' || text === 'false') return text === 'true';
        return this.fail(pos, `expected true() or false(), found ${quoted ? `'${text}'` : text}`);
      case 'DateTime': {
        const d = /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?)?Z?$/.test(text)
          ? new Date(`${text.replace(' ', 'T')}${text.length === 10 ? 'T00:00:00' : ''}${text.endsWith('Z') ? '' : 'Z'}`)
          : undefined;
        // Date() rolls '2024-02-31' over to 2 March: the day must survive the round trip.
        if (!d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== text.slice(0, 10))
          this.fail(pos, `'${text}' is not a date (use a token such as '[%CurrentDateTime%]' or 'yyyy-mm-dd[ hh:mm[:ss]]' in UTC)`);
        return d;
      }
      case 'Id':
        if (!/^[0-9]{1,20}$/.test(text)) this.fail(pos, `'${text}' is not an object id`);
        return BigInt(text);
    }
  }

  /**
   * Walks the steps of a path from `src`: associations become hops (their step
   * predicates filters on the reached source); ends at an attribute, `id` or an object.
   */
  walk(
    steps: readonly XStep[],
    src: OqlSource,
    hops: OqlHop[],
    filters: OqlExpr[],
  ): { kind: 'attr'; source: OqlSource; attr: CAttribute } | { kind: 'id'; source: OqlSource } | { kind: 'object'; source: OqlSource } {
    let cur = src;
    for (let i = 0; i < steps.length; i++) {
      const last = i === steps.length - 1;
      const entity = this.model.entities.get(cur.entity)!;
      const s = shortAssociation(steps[i]!, entity);
      if (!s.name.includes('.')) {
        if (s.reversed) this.fail(s.pos, 'reversed() applies to association steps only');
        if (s.predicates.length) this.fail(s.pos, `'${s.name}' is an attribute: constraints go after an entity or association step`);
        if (!last) this.fail(steps[i + 1]!.pos, `'${s.name}' is an attribute and must be the last step of the path`);
        if (s.name === 'id' || s.name === 'ID') return { kind: 'id', source: cur };
        const attr = entity.attributes.get(s.name);
        if (!attr) {
          const hint = [...entity.attributes.keys()].find((a) => a.toLowerCase() === s.name.toLowerCase());
          this.fail(s.pos, `unknown attribute '${s.name}' of ${entity.name}${hint ? ` (did you mean '${hint}'?)` : ''}`);
        }
        // No column holds it (Mendix cannot query calculated attributes either).
        if (attr.calculated)
          this.fail(s.pos, `attribute '${s.name}' of ${entity.name} is calculated (by ${attr.calculated}): it cannot be used in XPath or sorting`);
        return { kind: 'attr', source: cur, attr };
      }
      if (this.model.entities.has(s.name)) {
        this.fail(s.pos, `expected an association from ${entity.name} here, found the entity '${s.name}'`);
      }
      const hop = this.hop(s, cur, entity);
      hops.push(hop);
      cur = hop.to;
      // Optional entity step: the association's other end or one of its specializations.
      const nx = steps[i + 1];
      let endPreds = s.predicates;
      if (nx && nx.name.includes('.') && this.model.entities.has(nx.name)) {
        const target = this.model.entities.get(nx.name)!;
        const end = this.model.entities.get(hop.to.entity)!;
        if (nx.reversed) this.fail(nx.pos, 'reversed() applies to association steps only');
        if (target.name !== end.name) {
          if (!target.chain.includes(end.name)) {
            if (end.chain.includes(target.name)) {
              /* a generalization of the end: no narrowing */
            } else {
              this.fail(nx.pos, `the association ${hopName(hop)} leads to ${end.name}, not ${target.name}`);
            }
          } else {
            const to = this.newSource(target.name);
            const narrowed = { ...hop, to, cast: true } as OqlHop;
            hops[hops.length - 1] = narrowed;
            cur = to;
          }
        }
        endPreds = [...s.predicates, ...nx.predicates];
        i++;
      }
      for (const p of endPreds) filters.push(this.bool(p, cur));
    }
    return { kind: 'object', source: cur };
  }

  private hop(s: XStep, from: OqlSource, entity: CEntity): OqlHop {
    if (s.name === 'System.owner' || s.name === 'System.changedBy') {
      const member = s.name === 'System.owner' ? 'owner' : 'changedBy';
      if (!entity.systemMembers[member]) this.fail(s.pos, `${entity.name} does not store ${s.name} (switch on systemMembers.${member})`);
      if (s.reversed) this.fail(s.pos, `reversed() applies to self-associations only`);
      return { kind: 'systemMember', member, from, to: this.newSource('System.User'), cast: false };
    }
    const a = this.model.associations.get(s.name);
    if (!a) this.fail(s.pos, `unknown association '${s.name}'${hintAssociation(this.model, entity, s.name)}`);
    const isParent = entity.chain.includes(a.parent);
    const isChild = entity.chain.includes(a.child);
    if (!isParent && !isChild) this.fail(s.pos, `the association ${a.name} (${a.parent} -> ${a.child}) does not start or end at ${entity.name}`);
    if (s.reversed && !(isParent && isChild)) this.fail(s.pos, `reversed() applies to self-associations only; ${a.name} connects ${a.parent} and ${a.child}`);
    const forward = isParent && isChild ? !s.reversed : isParent;
    return { kind: 'association', association: a, forward, from, to: this.newSource(forward ? a.child : a.parent), cast: false };
  }
}

/**
 * A step written with an association's short name (`Member_User`), as access rules and
 * pages allow: the entity's own association of that name, when it has no attribute so named.
 */
function shortAssociation(s: XStep, entity: CEntity): XStep {
  if (s.name.includes('.') || s.name === 'id' || s.name === 'ID' || entity.attributes.has(s.name)) return s;
  const matches = [...new Set([...entity.parentOf, ...entity.childOf])].filter((a) => a.slice(a.indexOf('.') + 1) === s.name);
  return matches.length === 1 ? { ...s, name: matches[0]! } : s;
}

function hopName(h: OqlHop): string {
  return h.kind === 'association' ? h.association.name : h.kind === 'systemMember' ? `System.${h.member}` : 'cast';
}

function hintAssociation(model: CompiledModel, entity: CEntity, name: string): string {
  const all = [...entity.parentOf, ...entity.childOf];
  const near = all.find((a) => a.toLowerCase() === name.toLowerCase() || a.split('.')[1] === name);
  if (near) return ` (did you mean '${near}'?)`;
  if (model.entities.has(name)) return '';
  return all.length ? ` (${entity.name} has: ${all.join(', ')})` : ` (${entity.name} has no associations)`;
}

export function variableKey(name: string, path: readonly string[]): string {
  return [name, ...path].join('/');
}

function param(source: ParamSource, type: ValueType): OqlExpr {
  return { kind: 'param', source, type };
}

export function and(items: readonly (OqlExpr | undefined)[]): OqlExpr | undefined {
  const flat: OqlExpr[] = [];
  for (const i of items) {
    if (!i) continue;
    if (i.kind === 'const' && i.value) continue;
    if (i.kind === 'and') flat.push(...i.items);
    else flat.push(i);
  }
  if (flat.some((i) => i.kind === 'const' && !i.value)) return { kind: 'const', value: false };
  if (flat.length === 0) return undefined;
  return flat.length === 1 ? flat[0]! : { kind: 'and', items: flat };
}

export function or(items: readonly OqlExpr[]): OqlExpr {
  const flat: OqlExpr[] = [];
  for (const i of items) {
    if (i.kind === 'const' && !i.value) continue;
    if (i.kind === 'or') flat.push(...i.items);
    else flat.push(i);
  }
  if (flat.some((i) => i.kind === 'const' && i.value)) return { kind: 'const', value: true };
  if (flat.length === 0) return { kind: 'const', value: false };
  return flat.length === 1 ? flat[0]! : { kind: 'or', items: flat };
}

function wrap(hops: OqlHop[], filters: OqlExpr[], cond: OqlExpr): OqlExpr {
  if (hops.length === 0 && filters.length === 0) return cond;
  return { kind: 'exists', hops, where: and([...filters, cond]) };
}

function refersToModel(x: XExpr): boolean {
  if (x.kind === 'path') return true;
  if (x.kind === 'call') return x.args.some(refersToModel);
  if (x.kind === 'arith') return refersToModel(x.left) || refersToModel(x.right);
  return false;
}

function flip(op: CompareOp): CompareOp {
  return op === '<' ? '>' : op === '>' ? '<' : op === '<=' ? '>=' : op === '>=' ? '<=' : op;
}

export function attrValueType(a: CAttribute): ValueType {
  switch (a.type) {
    case 'AutoNumber':
      return 'Long';
    case 'HashedString':
      return 'String';
    case 'Binary':
      return 'String';
    default:
      return a.type;
  }
}

function isNumeric(t: ValueType): boolean {
  return t === 'Integer' || t === 'Long' || t === 'Decimal';
}
function compatible(a: ValueType, b: ValueType): boolean {
  if (isNumeric(a) && isNumeric(b)) return true;
  return (a === 'String' && b === 'Enumeration') || (a === 'Enumeration' && b === 'String');
}

function tokenType(base: string): ValueType {
  if (base === 'CurrentUser' || base === 'CurrentObject') return 'Id';
  return 'DateTime';
}

const DURATION_TOKENS = Object.keys(DURATION_UNITS);
function isTimeToken(b: string): boolean {
  return b === 'CurrentDateTime' || DURATION_TOKENS.includes(b) || periodToken(b) !== undefined;
}

const DATE_FUNCTIONS: Record<string, DatePart | undefined> = {
  'year-from-dateTime': 'year',
  'month-from-dateTime': 'month',
  'day-from-dateTime': 'day',
  'hours-from-dateTime': 'hours',
  'minutes-from-dateTime': 'minutes',
  'seconds-from-dateTime': 'seconds',
  'quarter-from-dateTime': 'quarter',
  'day-of-year-from-dateTime': 'day-of-year',
  'week-from-dateTime': 'week',
  'weekday-from-dateTime': 'weekday',
};

function validZone(z: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: z });
    return true;
  } catch {
    return false;
  }
}

function describeX(x: XExpr): string {
  switch (x.kind) {
    case 'string':
      return `the string '${x.value}'`;
    case 'number':
      return `the number ${x.text}`;
    case 'variable':
      return `$${x.name}`;
    case 'token':
      return `the token [%${x.base}%]`;
    case 'empty':
      return 'empty';
    case 'call':
      return `${x.name}()`;
    default:
      return `a ${x.kind}`;
  }
}
