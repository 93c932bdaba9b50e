import type { OqlExpr, OqlHop, OqlQuery, OqlSource, ParamSource } from './ast.js';

/**
 * OQL as text, in the style of Mendix OQL (`alias/Attribute`, paths over
 * associations), for `kiln explain` and for tests that read the tree.
 */
export function printOql(q: OqlQuery): string {
  const main = q.source;
  let select: string;
  const s = q.select;
  if (s.kind === 'count') select = 'COUNT(*)';
  else if (s.kind === 'aggregate') select = `${s.fn.toUpperCase()}(${main.alias}/${s.attribute.name})`;
  else {
    const cols = [`${main.alias}/ID`];
    if (s.withType) cols.push(`${main.alias}/SubMetaObjectName`);
    for (const a of s.attributes) cols.push(`${main.alias}/${a.name}`);
    for (const r of s.references) cols.push(`${main.alias}/${r.name}`);
    select = cols.join(', ');
  }
  let out = `SELECT ${select} FROM ${main.entity} AS ${main.alias}`;
  if (q.where) out += ` WHERE ${expr(q.where)}`;
  if (q.orderBy.length) out += ` ORDER BY ${q.orderBy.map((o) => `${expr(o.expr)} ${o.descending ? 'DESC' : 'ASC'}`).join(', ')}`;
  if (q.paged) out += ' [LIMIT/OFFSET per request]';
  return out;
}

function src(s: OqlSource): string {
  return s.alias;
}

function hop(h: OqlHop): string {
  switch (h.kind) {
    case 'association':
      return `${src(h.from)}/${h.association.name}${h.forward ? '' : '[reversed]'}/${h.to.entity} AS ${h.to.alias}`;
    case 'systemMember':
      return `${src(h.from)}/System.${h.member}/${h.to.entity} AS ${h.to.alias}`;
    case 'cast':
      return `${src(h.from)} AS ${h.to.entity} ${h.to.alias}`;
  }
}

function param(p: ParamSource): string {
  switch (p.kind) {
    case 'literal':
      return p.value === null
        ? 'NULL'
        : typeof p.value === 'string'
          ? `'${p.value.replace(/'/g, "''")}'`
          : p.value instanceof Date
            ? `'${p.value.toISOString()}'`
            : String(p.value);
    case 'currentUser':
      return '[%CurrentUser%]';
    case 'currentObject':
      return '[%CurrentObject%]';
    case 'time':
      return `'[%${p.base}%]${p.terms.map((t) => ` ${t.sign > 0 ? '+' : '-'} ${t.factor} * [%${t.token}%]`).join('')}'`;
    case 'variable':
      return `$${[p.name, ...p.path].join('/')}`;
    case 'zone':
      return p.zone ? `'${p.zone}'` : '[%UserTimeZone%]';
    case 'zoneOffset':
      return `offset(${p.zone ?? '[%UserTimeZone%]'})`;
    case 'like':
      return `${p.mode}(${param(p.inner)})`;
  }
}

function expr(e: OqlExpr): string {
  switch (e.kind) {
    case 'attr':
      return `${src(e.source)}/${e.attribute.name}`;
    case 'id':
      return `${src(e.source)}/ID`;
    case 'param':
      return param(e.source);
    case 'const':
      return e.value ? 'TRUE' : 'FALSE';
    case 'compare':
      return `${expr(e.left)} ${e.op} ${expr(e.right)}`;
    case 'like':
      return `${expr(e.operand)} ILIKE ${expr(e.pattern)}`;
    case 'isNull':
      return `${expr(e.operand)} IS ${e.negated ? 'NOT ' : ''}NULL`;
    case 'and':
    case 'or':
      return `(${e.items.map(expr).join(e.kind === 'and' ? ' AND ' : ' OR ')})`;
    case 'not':
      return `NOT (${expr(e.operand)})`;
    case 'exists':
      return `EXISTS (FROM ${e.hops.map(hop).join(', ')}${e.where ? ` WHERE ${expr(e.where)}` : ''})`;
    case 'scalar':
      return `(SELECT MIN(${expr(e.value)}) FROM ${e.hops.map(hop).join(', ')}${e.where ? ` WHERE ${expr(e.where)}` : ''})`;
    case 'length':
      return `LENGTH(${expr(e.operand)})`;
    case 'datePart':
      return `DATEPART(${e.part.toUpperCase()}, ${expr(e.operand)}, ${param(e.zone)})`;
    case 'arith':
      return `(${expr(e.left)} ${e.op === 'div' ? ':' : e.op} ${expr(e.right)})`;
    case 'typeIn':
      return `${src(e.source)}/SubMetaObjectName IN (${e.entities.map((t) => `'${t}'`).join(', ')})`;
    case 'userRole':
      return `'[%UserRole_${e.name}%]'`;
  }
}
