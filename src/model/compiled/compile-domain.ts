import type { Diagnostic } from '../diagnostics.js';
import type { SourceFile } from '../load/source-file.js';
import type { DomainModelFile, EntityDef, DeleteBehaviorDef } from '../schema/index.js';
import { RESERVED_MEMBER_NAMES, SPECIALIZABLE_SYSTEM_ENTITIES } from '../system-module.js';
import { DEFAULT_STRING_LENGTH, normaliseAttributeSpec, normaliseDefault, parseAttributeType } from './attribute-types.js';
import type {
  CAccessRule, CAssociation, CAttribute, CConstant, CEntity, CEnumeration, CEventHandler, CIndex,
  CValidationRule, DeleteBehavior, MemberRight,
} from './types.js';

/** A module's domain model with the file it came from (undefined file = built in). */
export interface ModuleInput {
  readonly module: string;
  readonly def: DomainModelFile;
  readonly file: SourceFile | undefined;
}

export interface DomainOutput {
  entities: Map<string, CEntity>;
  associations: Map<string, CAssociation>;
  enumerations: Map<string, CEnumeration>;
  constants: Map<string, CConstant>;
  moduleRoles: Set<string>;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Resolves `Name` (in `module`) or `Module.Name` to a qualified name. */
export function qualify(name: string, module: string): string {
  return name.includes('.') ? name : `${module}.${name}`;
}

export function tableName(qualified: string): string {
  return qualified.replace('.', '$').toLowerCase();
}

export function compileDomain(inputs: readonly ModuleInput[], constantOverrides: Record<string, unknown>, out: Diagnostic[]): DomainOutput {
  const report = (inp: ModuleInput, path: (string | number)[], message: string) => {
    if (inp.file) out.push(inp.file.diagnostic(path, message));
    else out.push({ severity: 'error', file: `<built-in ${inp.module}>`, line: 0, path: path.join('.'), message });
  };

  const enumerations = new Map<string, CEnumeration>();
  const constants = new Map<string, CConstant>();
  const moduleRoles = new Set<string>();
  const entityDefs = new Map<string, { inp: ModuleInput; def: EntityDef; short: string }>();
  const elementNames = new Map<string, string>(); // qualified element -> kind, for clash detection

  // Pass 1: names.
  for (const inp of inputs) {
    const roles = inp.def.moduleRoles ?? [];
    roles.forEach((r, i) => {
      const q = `${inp.module}.${r}`;
      if (moduleRoles.has(q)) report(inp, ['moduleRoles', i], `duplicate module role '${r}'`);
      moduleRoles.add(q);
    });
    for (const [name, values] of Object.entries(inp.def.enumerations ?? {})) {
      const q = `${inp.module}.${name}`;
      claim(inp, ['enumerations', name], q, 'enumeration');
      const vals = Object.entries(values).map(([key, v]) => (typeof v === 'string' ? { key, caption: v } : { key, caption: v.caption, ...(v.image ? { image: v.image } : {}) }));
      if (vals.length === 0) report(inp, ['enumerations', name], `enumeration '${name}' has no values`);
      for (const v of vals) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(v.key)) report(inp, ['enumerations', name, v.key], `enumeration key '${v.key}' is not a valid identifier`);
      enumerations.set(q, { name: q, values: vals });
    }
    for (const [name, def] of Object.entries(inp.def.entities ?? {})) {
      const q = `${inp.module}.${name}`;
      claim(inp, ['entities', name], q, 'entity');
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) report(inp, ['entities', name], `entity name '${name}' is not a valid identifier`);
      entityDefs.set(q, { inp, def, short: name });
    }
  }

  function claim(inp: ModuleInput, path: (string | number)[], q: string, kind: string): void {
    const prev = elementNames.get(q);
    if (prev) report(inp, path, `duplicate name '${q}': already used by ${prev}`);
    else elementNames.set(q, `the ${kind} ${q}`);
  }

  // Constants, with overrides from app.yaml.
  for (const inp of inputs) {
    for (const [name, def] of Object.entries(inp.def.constants ?? {})) {
      const q = `${inp.module}.${name}`;
      const type = def.type as CConstant['type'];
      if (!['String', 'Integer', 'Long', 'Decimal', 'Boolean', 'DateTime'].includes(type)) {
        report(inp, ['constants', name, 'type'], `unknown constant type '${def.type}' (expected String, Integer, Long, Decimal, Boolean or DateTime)`);
        continue;
      }
      const raw = Object.hasOwn(constantOverrides, q) ? constantOverrides[q] : def.default;
      const norm = normaliseDefault(type, raw, undefined);
      if ('error' in norm) { report(inp, ['constants', name, 'default'], `constant ${q}: ${norm.error}`); continue; }
      constants.set(q, { name: q, type, value: norm.value, exposedToClient: def.exposedToClient ?? false });
    }
  }

  // Generalization chains (with cycle detection).
  const generalizationOf = new Map<string, string>();
  for (const [q, { inp, def, short }] of entityDefs) {
    if (!def.generalization) continue;
    const g = qualify(def.generalization, inp.module);
    if (!entityDefs.has(g)) { report(inp, ['entities', short, 'generalization'], `unknown entity '${def.generalization}' as generalization`); continue; }
    if (g.startsWith('System.') && inp.module !== 'System' && !SPECIALIZABLE_SYSTEM_ENTITIES.includes(g)) {
      report(inp, ['entities', short, 'generalization'], `${g} cannot be generalized (only ${SPECIALIZABLE_SYSTEM_ENTITIES.join(', ')} can)`);
      continue;
    }
    generalizationOf.set(q, g);
  }
  const inCycle = new Set<string>();
  for (const q of entityDefs.keys()) {
    const seen: string[] = [];
    let cur: string | undefined = q;
    while (cur && !seen.includes(cur)) { seen.push(cur); cur = generalizationOf.get(cur); }
    if (cur && cur === q) {
      inCycle.add(q);
      const { inp, short } = entityDefs.get(q)!;
      report(inp, ['entities', short, 'generalization'], `generalization cycle: ${[...seen, q].join(' -> ')}`);
    }
  }
  for (const q of inCycle) generalizationOf.delete(q);
  const chainOf = (q: string): string[] => {
    const chain: string[] = [];
    let cur: string | undefined = q;
    while (cur && !chain.includes(cur)) { chain.push(cur); cur = generalizationOf.get(cur); }
    return chain;
  };
  // Persistability must agree along the chain.
  for (const [q, { inp, def, short }] of entityDefs) {
    const g = generalizationOf.get(q);
    if (!g) continue;
    const gp = entityDefs.get(g)!.def.persistable ?? true;
    const p = def.persistable ?? true;
    if (gp && !p) report(inp, ['entities', short, 'persistable'], `a non-persistable entity cannot generalize the persistable entity ${g}`);
  }

  // Own attributes.
  const ownAttrs = new Map<string, CAttribute[]>();
  for (const [q, { inp, def, short }] of entityDefs) {
    const list: CAttribute[] = [];
    const persistable = def.persistable ?? true;
    const columns = new Map<string, string>();
    for (const [aname, adef] of Object.entries(def.attributes ?? {})) {
      const path = ['entities', short, 'attributes', aname];
      const spec = normaliseAttributeSpec(adef);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(aname)) { report(inp, path, `attribute name '${aname}' is not a valid identifier`); continue; }
      if (RESERVED_MEMBER_NAMES.includes(aname.toLowerCase())) {
        report(inp, path, `attribute name '${aname}' clashes with a system member (${RESERVED_MEMBER_NAMES.join(', ')}); use systemMembers to switch those on`);
        continue;
      }
      const parsed = parseAttributeType(spec.type);
      if ('error' in parsed) { report(inp, typeof adef === 'string' ? path : [...path, 'type'], parsed.error); continue; }
      let length = 0;
      if (parsed.type === 'String' || parsed.type === 'HashedString') {
        const l = spec.length ?? parsed.length ?? DEFAULT_STRING_LENGTH;
        length = l === 'unlimited' ? 0 : l;
      } else if (spec.length !== undefined) report(inp, [...path, 'length'], `length applies to String attributes only, not ${parsed.type}`);
      if (spec.localize !== undefined && parsed.type !== 'DateTime') report(inp, [...path, 'localize'], `localize applies to DateTime attributes only, not ${parsed.type}`);
      let enumeration: string | undefined;
      if (parsed.type === 'Enumeration') {
        const e = spec.enumeration ?? parsed.enumeration;
        if (!e) { report(inp, path, `Enumeration attribute '${aname}' names no enumeration (write Enumeration(Module.Enum) or enumeration: Module.Enum)`); continue; }
        enumeration = qualify(e, inp.module);
        const en = enumerations.get(enumeration);
        if (!en) { report(inp, spec.enumeration ? [...path, 'enumeration'] : path, `unknown enumeration '${e}'`); continue; }
        length = Math.max(1, ...en.values.map((v) => v.key.length));
      } else if (spec.enumeration !== undefined) report(inp, [...path, 'enumeration'], `enumeration applies to Enumeration attributes only, not ${parsed.type}`);
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
      const column = aname.toLowerCase();
      const clash = columns.get(column);
      if (clash) report(inp, path, `attributes '${clash}' and '${aname}' map to the same column '${column}' (names are case-insensitive in the database)`);
      columns.set(column, aname);
      list.push({
        name: aname, qualifiedName: `${q}.${aname}`, entity: q, type: parsed.type, length,
        ...(enumeration ? { enumeration } : {}),
        defaultValue, localize: parsed.type === 'DateTime' ? (spec.localize ?? true) : false,
        column, ...(spec.previousName ? { previousName: spec.previousName } : {}), system: false,
        ...(inp.file ? { source: { file: inp.file, path } } : {}),
      });
    }
    const sm = def.systemMembers ?? {};
    if (sm.createdDate) list.push(systemAttr(q, 'createdDate'));
    if (sm.changedDate) list.push(systemAttr(q, 'changedDate'));
    ownAttrs.set(q, list);
  }

  // Attributes that redeclare an inherited name.
  for (const [q, { inp, short }] of entityDefs) {
    const chain = chainOf(q).slice(1);
    for (const a of ownAttrs.get(q) ?? []) {
      if (a.system) continue;
      for (const g of chain) {
        if ((ownAttrs.get(g) ?? []).some((b) => b.name.toLowerCase() === a.name.toLowerCase())) {
          report(inp, ['entities', short, 'attributes', a.name], `attribute '${a.name}' is already defined by the generalization ${g}`);
        }
      }
    }
  }

  // Associations.
  const associations = new Map<string, CAssociation>();
  for (const inp of inputs) {
    for (const [name, def] of Object.entries(inp.def.associations ?? {})) {
      const q = `${inp.module}.${name}`;
      const path = ['associations', name];
      claim(inp, path, q, 'association');
      const parent = qualify(def.parent, inp.module);
      const child = qualify(def.child, inp.module);
      let ok = true;
      if (!entityDefs.has(parent)) { report(inp, [...path, 'parent'], `unknown entity '${def.parent}'`); ok = false; }
      if (!entityDefs.has(child)) { report(inp, [...path, 'child'], `unknown entity '${def.child}'`); ok = false; }
      if (!ok) continue;
      const pDef = entityDefs.get(parent)!.def; const cDef = entityDefs.get(child)!.def;
      if ((pDef.persistable ?? true) !== (cDef.persistable ?? true) && (pDef.persistable ?? true)) {
        report(inp, path, `a persistable entity (${parent}) cannot own an association to a non-persistable entity (${child})`);
      }
      const self = parent === child;
      const pc = `${tableName(parent)}id${self ? '1' : ''}`;
      const cc = `${tableName(child)}id${self ? '2' : ''}`;
      associations.set(q, {
        name: q, module: inp.module, shortName: name, type: def.type ?? 'Reference', parent, child,
        owner: def.owner ?? 'Default',
        onDeleteParent: deleteBehavior(def.deleteBehavior?.parent),
        onDeleteChild: deleteBehavior(def.deleteBehavior?.child),
        table: tableName(q), parentColumn: pc, childColumn: cc,
        ...(def.previousName ? { previousName: def.previousName } : {}),
        ...(inp.file ? { source: { file: inp.file, path } } : {}),
      });
    }
  }

  // Entities.
  const entities = new Map<string, CEntity>();
  const specializations = new Map<string, string[]>();
  for (const [q, g] of generalizationOf) specializations.set(g, [...(specializations.get(g) ?? []), q]);
  const allSpecs = (q: string): string[] => {
    const direct = specializations.get(q) ?? [];
    return direct.flatMap((s) => [s, ...allSpecs(s)]);
  };
  for (const [q, { inp, def, short }] of entityDefs) {
    const chain = chainOf(q);
    const attributes = new Map<string, CAttribute>();
    for (const e of [...chain].reverse()) for (const a of ownAttrs.get(e) ?? []) attributes.set(a.name, a);
    const own = { createdDate: !!def.systemMembers?.createdDate, changedDate: !!def.systemMembers?.changedDate, owner: !!def.systemMembers?.owner, changedBy: !!def.systemMembers?.changedBy };
    const systemMembers = { ...own };
    for (const e of chain.slice(1)) {
      const sm = entityDefs.get(e)!.def.systemMembers ?? {};
      systemMembers.createdDate ||= !!sm.createdDate; systemMembers.changedDate ||= !!sm.changedDate;
      systemMembers.owner ||= !!sm.owner; systemMembers.changedBy ||= !!sm.changedBy;
    }
    const parentOf = [...associations.values()].filter((a) => chain.includes(a.parent)).map((a) => a.name);
    const childOf = [...associations.values()].filter((a) => chain.includes(a.child)).map((a) => a.name);
    const root = chain[chain.length - 1]!;
    const entity: Mutable<CEntity> = {
      name: q, module: inp.module, shortName: short, persistable: def.persistable ?? true, table: tableName(q),
      ...(generalizationOf.get(q) ? { generalization: generalizationOf.get(q)! } : {}),
      chain, directSpecializations: specializations.get(q) ?? [], allSpecializations: allSpecs(q),
      hasTypeColumn: root === q && (specializations.get(q)?.length ?? 0) > 0,
      ownAttributes: ownAttrs.get(q) ?? [], attributes, systemMembers, ownSystemMembers: own,
      parentOf, childOf, validation: [], events: [], access: [], indexes: [],
      ...(def.previousName ? { previousName: def.previousName } : {}),
      ...(inp.file ? { source: { file: inp.file, path: ['entities', short] } } : {}),
    };
    entities.set(q, entity);
  }

  // Validation, events, indexes, access (need the flattened members).
  for (const [q, { inp, def, short }] of entityDefs) {
    const entity = entities.get(q)! as Mutable<CEntity>;
    const base = ['entities', short];
    const persistable = entity.persistable;
    const ownValidation: CValidationRule[] = [];
    (def.validation ?? []).forEach((v, i) => {
      const path = [...base, 'validation', i];
      const attr = entity.attributes.get(v.attribute);
      if (!attr) { report(inp, [...path, 'attribute'], `unknown attribute '${v.attribute}' of ${q}`); return; }
      if (!persistable) report(inp, path, 'validation rules are allowed on persistable entities only');
      const kinds = (['required', 'unique', 'range', 'regex', 'maxLength'] as const).filter((k) => v[k] !== undefined);
      if (kinds.length !== 1) { report(inp, path, `a validation rule has exactly one of required, unique, range, regex, maxLength (found ${kinds.length === 0 ? 'none' : kinds.join(', ')})`); return; }
      const src = inp.file ? { source: { file: inp.file, path } } : {};
      if (v.required !== undefined) ownValidation.push({ attribute: v.attribute, rule: { kind: 'required' }, message: v.required, ...src });
      if (v.unique !== undefined) ownValidation.push({ attribute: v.attribute, rule: { kind: 'unique' }, message: v.unique, ...src });
      if (v.range) {
        if (!['Integer', 'Long', 'Decimal', 'DateTime', 'AutoNumber'].includes(attr.type)) report(inp, [...path, 'range'], `a range rule needs a number or date attribute; ${v.attribute} is ${attr.type}`);
        if (v.range.min === undefined && v.range.max === undefined) report(inp, [...path, 'range'], 'a range rule needs min, max or both');
        ownValidation.push({ attribute: v.attribute, rule: { kind: 'range', ...(v.range.min !== undefined ? { min: v.range.min } : {}), ...(v.range.max !== undefined ? { max: v.range.max } : {}) }, message: v.range.message, ...src });
      }
      if (v.regex) {
        try { new RegExp(v.regex.pattern); } catch (e) { report(inp, [...path, 'regex', 'pattern'], `invalid regular expression: ${(e as Error).message}`); }
        if (attr.type !== 'String') report(inp, [...path, 'regex'], `a regular expression rule needs a String attribute; ${v.attribute} is ${attr.type}`);
        ownValidation.push({ attribute: v.attribute, rule: { kind: 'regex', pattern: v.regex.pattern }, message: v.regex.message, ...src });
      }
      if (v.maxLength) {
        if (attr.type !== 'String') report(inp, [...path, 'maxLength'], `a maximum length rule needs a String attribute; ${v.attribute} is ${attr.type}`);
        ownValidation.push({ attribute: v.attribute, rule: { kind: 'maxLength', length: v.maxLength.length }, message: v.maxLength.message, ...src });
      }
    });
    (entity as unknown as { ownValidation: CValidationRule[] }).ownValidation = ownValidation;
    const ownEvents: CEventHandler[] = (def.events ?? []).map((e) => ({
      moment: e.moment, event: e.event, microflow: qualify(e.microflow, inp.module),
      raiseErrorOnFalse: e.raiseErrorOnFalse ?? true, passEventObject: e.passEventObject ?? !(e.moment === 'before' && e.event === 'create'), entity: q,
    }));
    (entity as unknown as { ownEvents: CEventHandler[] }).ownEvents = ownEvents;

    const indexes: CIndex[] = [];
    (def.indexes ?? []).forEach((ix, i) => {
      if (!persistable) report(inp, [...base, 'indexes', i], 'indexes are allowed on persistable entities only');
      const cols: CIndex['columns'][number][] = [];
      ix.attributes.forEach((a, j) => {
        const name = typeof a === 'string' ? a : a.attribute;
        const attr = (ownAttrs.get(q) ?? []).find((x) => x.name === name);
        if (!attr) { report(inp, [...base, 'indexes', i, 'attributes', j], entity.attributes.has(name) ? `index attribute '${name}' is inherited: define the index on ${entity.attributes.get(name)!.entity}` : `unknown attribute '${name}' of ${q}`); return; }
        if (attr.type === 'Binary') report(inp, [...base, 'indexes', i, 'attributes', j], `Binary attribute '${name}' cannot be indexed`);
        cols.push({ attribute: name, column: attr.column, descending: typeof a === 'string' ? false : !!a.descending });
      });
      indexes.push({ name: ix.name ?? `idx_${entity.table}_${cols.map((c) => c.column).join('_')}`, columns: cols });
    });
    entity.indexes = indexes;

    const memberNames = [...entity.attributes.keys(), ...entity.parentOf.map((a) => associations.get(a)!.shortName), ...entity.parentOf];
    entity.access = (def.access ?? []).map((r, i): CAccessRule | undefined => {
      const path = [...base, 'access', i];
      const roles: string[] = [];
      r.roles.forEach((role, j) => {
        const qr = qualify(role, inp.module);
        if (!moduleRoles.has(qr)) report(inp, [...path, 'roles', j], `unknown module role '${role}'${role.includes('.') ? '' : ` (module ${inp.module} has: ${(inp.def.moduleRoles ?? []).join(', ') || 'none'})`}`);
        else if (!qr.startsWith(`${inp.module}.`)) report(inp, [...path, 'roles', j], `access rules may only name module roles of their own module (${inp.module}), not '${role}'`);
        roles.push(qr);
      });
      const members = new Map<string, MemberRight>();
      for (const a of entity.attributes.values()) members.set(a.name, 'None');
      for (const a of entity.parentOf) members.set(associations.get(a)!.name, 'None');
      const apply = (list: '*' | string[] | undefined, right: MemberRight, key: 'read' | 'write') => {
        if (list === undefined) return;
        const names = list === '*' ? [...members.keys()] : list;
        names.forEach((n, j) => {
          const target = members.has(n) ? n : entity.parentOf.find((an) => associations.get(an)!.shortName === n);
          if (target === undefined || !memberNames.includes(n)) {
            report(inp, [...path, key, j], `unknown attribute or association '${n}' of ${q}`);
            return;
          }
          const attr = entity.attributes.get(target);
          if (right === 'ReadWrite' && attr && (attr.type === 'AutoNumber' || attr.system)) {
            if (list !== '*') report(inp, [...path, key, j], `'${n}' is maintained by the runtime and cannot be writable`);
            if (members.get(target) !== 'ReadWrite') members.set(target, 'Read');
            return;
          }
          if (right === 'ReadWrite' || members.get(target) === 'None') members.set(target, right);
        });
      };
      apply(r.read, 'Read', 'read');
      apply(r.write, 'ReadWrite', 'write');
      if (r.xpath !== undefined && !persistable) report(inp, [...path, 'xpath'], 'XPath constraints are allowed on persistable entities only');
      return {
        roles, create: r.create ?? false, delete: r.delete ?? false, members,
        ...(r.xpath !== undefined && r.xpath.trim() !== '' ? { xpath: r.xpath.trim() } : {}),
        ...(inp.file ? { source: { file: inp.file, path } } : {}),
      };
    }).filter((x): x is CAccessRule => !!x);
  }
  // Inherited validation and events.
  for (const e of entities.values()) {
    const m = e as Mutable<CEntity>;
    m.validation = e.chain.flatMap((c) => (entities.get(c) as unknown as { ownValidation: CValidationRule[] }).ownValidation);
    m.events = e.chain.flatMap((c) => (entities.get(c) as unknown as { ownEvents: CEventHandler[] }).ownEvents);
  }
  for (const e of entities.values()) {
    delete (e as unknown as { ownValidation?: unknown }).ownValidation;
    delete (e as unknown as { ownEvents?: unknown }).ownEvents;
  }
  return { entities, associations, enumerations, constants, moduleRoles };
}

function systemAttr(entity: string, name: 'createdDate' | 'changedDate'): CAttribute {
  return {
    name, qualifiedName: `${entity}.${name}`, entity, type: 'DateTime', length: 0, defaultValue: null,
    localize: true, column: name.toLowerCase(), system: true,
  };
}

function defaultFor(type: CAttribute['type']): CAttribute['defaultValue'] {
  switch (type) {
    case 'Integer': return 0;
    case 'Long': case 'Decimal': return '0';
    case 'Boolean': return false;
    default: return null;
  }
}

function deleteBehavior(def: DeleteBehaviorDef | undefined): DeleteBehavior {
  if (def === undefined || def === 'keep') return { kind: 'keep' };
  if (def === 'cascade') return { kind: 'cascade' };
  return { kind: 'prevent', message: def.prevent };
}
