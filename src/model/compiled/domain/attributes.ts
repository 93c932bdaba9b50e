import { RESERVED_MEMBER_NAMES } from '../../system-module.js';
import { DEFAULT_STRING_LENGTH, normaliseAttributeSpec, normaliseDefault, parseAttributeType } from '../attribute-types.js';
import type { CAttribute } from '../types.js';
import type { DomainContext } from './context.js';
import type { Hierarchy } from './generalizations.js';
import { attributeColumn, qualify } from './naming.js';

/** Each entity's own attributes (system dates included), checked; entity -> attributes. */
export function compileOwnAttributes(ctx: DomainContext): Map<string, CAttribute[]> {
  const { enumerations } = ctx;
  const ownAttrs = new Map<string, CAttribute[]>();
  for (const [q, { inp, def, short }] of ctx.entityDefs) {
    const list: CAttribute[] = [];
    const persistable = def.persistable ?? true;
    const columns = new Map<string, string>();
    for (const [aname, adef] of Object.entries(def.attributes ?? {})) {
      const path = ['entities', short, 'attributes', aname];
      // An attribute whose definition is broken still exists for the checker: its uses are not errors too.
      const report = (inp: Parameters<DomainContext['report']>[0], p: Parameters<DomainContext['report']>[1], message: string) => {
        ctx.broken.add(`${q}.${aname}`);
        ctx.report(inp, p, message);
      };
      const spec = normaliseAttributeSpec(adef);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(aname)) {
        report(inp, path, `attribute name '${aname}' is not a valid identifier`);
        continue;
      }
      if (RESERVED_MEMBER_NAMES.includes(aname.toLowerCase())) {
        report(inp, path, `attribute name '${aname}' clashes with a system member (${RESERVED_MEMBER_NAMES.join(', ')}); use systemMembers to switch those on`);
        continue;
      }
      const parsed = parseAttributeType(spec.type);
      if ('error' in parsed) {
        report(inp, typeof adef === 'string' ? path : [...path, 'type'], parsed.error);
        continue;
      }
      let length = 0;
      if (parsed.type === 'String' || parsed.type === 'HashedString') {
        const l = spec.length ?? parsed.length ?? DEFAULT_STRING_LENGTH;
        length = l === 'unlimited' ? 0 : l;
      } else if (spec.length !== undefined) report(inp, [...path, 'length'], `length applies to String attributes only, not ${parsed.type}`);
      if (spec.localize !== undefined && parsed.type !== 'DateTime')
        report(inp, [...path, 'localize'], `localize applies to DateTime attributes only, not ${parsed.type}`);
      let enumeration: string | undefined;
      if (parsed.type === 'Enumeration') {
        const e = spec.enumeration ?? parsed.enumeration;
        if (!e) {
          report(inp, path, `Enumeration attribute '${aname}' names no enumeration (write Enumeration(Module.Enum) or enumeration: Module.Enum)`);
          continue;
        }
        enumeration = qualify(e, inp.module);
        const en = enumerations.get(enumeration);
        if (!en) {
          report(inp, spec.enumeration ? [...path, 'enumeration'] : path, `unknown enumeration '${e}'`);
          continue;
        }
        length = Math.max(1, ...en.values.map((v) => v.key.length));
      } else if (spec.enumeration !== undefined)
        report(inp, [...path, 'enumeration'], `enumeration applies to Enumeration attributes only, not ${parsed.type}`);
      if (!persistable && (parsed.type === 'AutoNumber' || parsed.type === 'Binary')) {
        report(inp, path, `${parsed.type} attributes are allowed on persistable entities only`);
      }
      const enumKeys = enumeration ? enumerations.get(enumeration)?.values.map((v) => v.key) : undefined;
      let defaultValue: CAttribute['defaultValue'] = defaultFor(parsed.type);
      if (spec.default !== undefined) {
        const norm = normaliseDefault(parsed.type, spec.default, enumKeys);
        if ('error' in norm) report(inp, [...path, 'default'], norm.error);
        else defaultValue = norm.value;
      }
      let calculated: string | undefined;
      if (spec.calculated !== undefined) {
        calculated = qualify(spec.calculated, inp.module);
        // Mendix offers no calculated value for these: an AutoNumber is a database sequence, Binary and HashedString are never sent.
        if (parsed.type === 'AutoNumber' || parsed.type === 'Binary' || parsed.type === 'HashedString')
          report(inp, [...path, 'calculated'], `${parsed.type} attributes cannot be calculated`);
        // Not a broken attribute: its uses are still checked.
        if (spec.default !== undefined) ctx.report(inp, [...path, 'default'], `calculated attribute '${aname}' has no default: its microflow gives its value`);
        if (spec.previousName !== undefined) ctx.report(inp, [...path, 'previousName'], `calculated attribute '${aname}' has no column to rename`);
      }
      const column = attributeColumn(aname);
      const clash = columns.get(column);
      if (clash) report(inp, path, `attributes '${clash}' and '${aname}' map to the same column '${column}' (names are case-insensitive in the database)`);
      columns.set(column, aname);
      list.push({
        name: aname,
        qualifiedName: `${q}.${aname}`,
        entity: q,
        type: parsed.type,
        length,
        ...(enumeration ? { enumeration } : {}),
        defaultValue,
        localize: parsed.type === 'DateTime' ? (spec.localize ?? true) : false,
        column,
        ...(spec.previousName ? { previousName: spec.previousName } : {}),
        system: false,
        ...(calculated ? { calculated } : {}),
        ...(inp.file ? { source: { file: inp.file, path } } : {}),
      });
    }
    const sm = def.systemMembers ?? {};
    if (sm.createdDate) list.push(systemAttr(q, 'createdDate'));
    if (sm.changedDate) list.push(systemAttr(q, 'changedDate'));
    ownAttrs.set(q, list);
  }
  return ownAttrs;
}

/** Attributes that redeclare an inherited name. */
export function checkRedeclaredAttributes(ctx: DomainContext, hierarchy: Hierarchy, ownAttrs: ReadonlyMap<string, readonly CAttribute[]>): void {
  for (const [q, { inp, short }] of ctx.entityDefs) {
    const chain = hierarchy.chainOf(q).slice(1);
    for (const a of ownAttrs.get(q) ?? []) {
      if (a.system) continue;
      for (const g of chain) {
        if ((ownAttrs.get(g) ?? []).some((b) => b.name.toLowerCase() === a.name.toLowerCase())) {
          ctx.report(inp, ['entities', short, 'attributes', a.name], `attribute '${a.name}' is already defined by the generalization ${g}`);
        }
      }
    }
  }
}

function systemAttr(entity: string, name: 'createdDate' | 'changedDate'): CAttribute {
  return {
    name,
    qualifiedName: `${entity}.${name}`,
    entity,
    type: 'DateTime',
    length: 0,
    defaultValue: null,
    localize: true,
    column: attributeColumn(name),
    system: true,
  };
}

function defaultFor(type: CAttribute['type']): CAttribute['defaultValue'] {
  switch (type) {
    case 'Integer':
      return 0;
    case 'Long':
    case 'Decimal':
      return '0';
    case 'Boolean':
      return false;
    default:
      return null;
  }
}
