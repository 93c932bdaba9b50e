import { last, list, type ModelIndex, moduleOf, obj, str, strings, text } from './model-index.js';
import type { Reporter } from './report.js';
import type { MxObject } from './units.js';

type Json = Record<string, unknown>;

/** The Kiln attribute type of a Mendix attribute type, with notes for what changed. */
function attributeType(t: MxObject | undefined, notes: string[]): Json {
  const type = str(t?.$Type)
    .replace(/^DomainModels\$/, '')
    .replace(/AttributeType$/, '');
  switch (type) {
    case 'String': {
      const length = Number(t?.Length ?? 200);
      return { type: 'String', ...(length === 200 ? {} : { length: length === 0 ? 'unlimited' : length }) };
    }
    case 'Integer':
    case 'Long':
    case 'Decimal':
    case 'Boolean':
    case 'AutoNumber':
    case 'Binary':
    case 'HashedString':
      return { type };
    case 'DateTime':
      return { type: 'DateTime', ...(t?.LocalizeDate === false ? { localize: false } : {}) };
    case 'Enumeration':
      return { type: 'Enumeration', enumeration: str(t?.Enumeration) };
    case 'Float':
    case 'Currency':
      notes.push(`${type} attribute imported as Decimal`);
      return { type: 'Decimal' };
    default:
      notes.push(`attribute type ${type || 'unknown'} imported as String`);
      return { type: 'String' };
  }
}

function defaultValue(type: Json, raw: string): unknown {
  if (raw === '') return undefined;
  switch (type.type) {
    case 'Boolean':
      return raw.toLowerCase() === 'true';
    case 'Integer':
    case 'Long':
    case 'Decimal':
      return raw;
    case 'AutoNumber':
    case 'Binary':
    case 'HashedString':
      return undefined;
    default:
      return raw;
  }
}

const DELETE: Record<string, string> = { DeleteMeButKeepReferences: 'keep', DeleteMeAndReferences: 'cascade' };

function deleteBehavior(behavior: string, message: unknown, language: string): unknown {
  if (DELETE[behavior]) return DELETE[behavior];
  if (behavior === 'DeleteMeIfNoReferences') return { prevent: text(message, language) || 'The object cannot be deleted: other objects refer to it.' };
  return undefined;
}

const EVENT: Record<string, string> = { Create: 'create', Commit: 'commit', Delete: 'delete', RollBack: 'rollback', Rollback: 'rollback' };

/** Converts one module's domain model, enumerations, constants and module roles into its domain-model.yaml. */
export function convertDomainModel(index: ModelIndex, module: string, reporter: Reporter): Json {
  const out: Json = {};
  const lang = index.language;

  const security = index.documents('Security$ModuleSecurity').find((d) => d.module === module);
  const roles = list(security?.unit.doc.ModuleRoles).map((r) => str(r.Name));
  if (roles.length) out.moduleRoles = roles;

  const enums: Json = {};
  for (const e of index.documents('Enumerations$Enumeration').filter((d) => d.module === module)) {
    const values: Json = {};
    for (const v of list(e.unit.doc.Values)) values[str(v.Name)] = text(v.Caption, lang) || str(v.Name);
    enums[e.name] = values;
    reporter.count('enumeration', [], `${module}.${e.name}`);
  }
  if (Object.keys(enums).length) out.enumerations = enums;

  const constants: Json = {};
  for (const c of index.documents('Constants$Constant').filter((d) => d.module === module)) {
    const type = dataType(obj(c.unit.doc.Type));
    if (!type || type.startsWith('List of') || type.includes('.')) {
      reporter.skip('constant', `${module}.${c.name}`, `constant type ${type ?? str(obj(c.unit.doc.Type)?.$Type)} has no Kiln form`);
      continue;
    }
    const raw = str(c.unit.doc.DefaultValue);
    constants[c.name] = {
      type,
      default: type === 'Boolean' ? raw.toLowerCase() === 'true' : raw === '' && type !== 'String' ? null : raw,
      ...(c.unit.doc.ExposedToClient === true ? { exposedToClient: true } : {}),
    };
    reporter.count('constant', [], `${module}.${c.name}`);
  }
  if (Object.keys(constants).length) out.constants = constants;

  const dm = index.documents('DomainModels$DomainModel').find((d) => d.module === module)?.unit.doc;
  if (!dm) return out;
  const entityNames = new Map<string, string>();
  const attributeNames = new Map<string, string>();
  for (const e of list(dm.Entities)) {
    entityNames.set(str(e.$ID), str(e.Name));
    for (const a of list(e.Attributes)) attributeNames.set(str(a.$ID), str(a.Name));
  }

  // Which entity may name an association in its access rules: its parent, and its child too when owned by both (Mendix keeps member accesses on both sides then).
  const associationEnds = new Map<string, { parent: string; child: string; both: boolean }>();
  for (const a of [...list(dm.Associations), ...list(dm.CrossAssociations)]) {
    associationEnds.set(`${module}.${str(a.Name)}`, {
      parent: entityNames.get(str(a.ParentPointer)) ?? str(a.Parent),
      child: entityNames.get(str(a.ChildPointer)) ?? str(a.Child ?? a.ChildPointer),
      both: str(a.Owner) === 'Both',
    });
  }

  const entities: Json = {};
  for (const e of list(dm.Entities)) {
    const name = str(e.Name);
    const notes: string[] = [];
    const entity: Json = {};
    const gen = obj(e.MaybeGeneralization);
    if (gen?.$Type === 'DomainModels$Generalization') {
      const g = str(gen.Generalization);
      if (g.startsWith('System.') && !['System.User', 'System.FileDocument', 'System.Image'].includes(g)) {
        notes.push(`generalization ${g} left out: Kiln specializes only System.User, System.FileDocument and System.Image`);
      } else entity.generalization = g;
    } else if (gen) {
      if (gen.Persistable === false) entity.persistable = false;
      const sm: Json = {};
      if (gen.HasCreatedDateAttr === true) sm.createdDate = true;
      if (gen.HasChangedDateAttr === true) sm.changedDate = true;
      if (gen.HasOwnerAttr === true) sm.owner = true;
      if (gen.HasChangedByAttr === true) sm.changedBy = true;
      if (Object.keys(sm).length) entity.systemMembers = sm;
    }
    if (str(e.Source) && str(e.Source) !== 'None')
      notes.push(`external source (${str(obj(e.Source)?.$Type) || str(e.Source)}) left out: imported as a local entity`);

    const attrs: Json = {};
    // Calculated attributes are never writable in Kiln (nor in Mendix): left out of imported write lists.
    const calculated = new Set<string>();
    for (const a of list(e.Attributes)) {
      const aNotes: string[] = [];
      const spec = attributeType(obj(a.NewType) ?? obj(a.Type), aNotes);
      const value = obj(a.Value);
      if (value?.$Type === 'DomainModels$CalculatedValue') {
        const microflow = str(value.Microflow);
        if (microflow) {
          spec.calculated = microflow;
          calculated.add(str(a.Name));
        } else aNotes.push('calculated by no microflow in Mendix: imported as a stored attribute');
      } else {
        const d = defaultValue(spec, str(value?.DefaultValue));
        if (d !== undefined) spec.default = d;
      }
      if (str(a.Documentation)) spec.documentation = str(a.Documentation);
      for (const n of aNotes) notes.push(`attribute ${str(a.Name)}: ${n}`);
      const keys = Object.keys(spec);
      attrs[str(a.Name)] = keys.length === 1 ? spec.type : spec;
    }
    if (Object.keys(attrs).length) entity.attributes = attrs;

    const rules: Json[] = [];
    for (const r of list(e.ValidationRules)) {
      const attr = last(str(r.Attribute) || attributeNames.get(str(r.Attribute)) || '');
      const message = text(r.ErrorMessage, lang) || `${attr} is not valid`;
      const info = obj(r.RuleInfo);
      const kind = str(info?.$Type).replace(/^DomainModels\$/, '');
      if (kind === 'RequiredRuleInfo') rules.push({ attribute: attr, required: message });
      else if (kind === 'UniqueRuleInfo') rules.push({ attribute: attr, unique: message });
      else if (kind === 'MaxLengthRuleInfo') rules.push({ attribute: attr, maxLength: { length: Number(info?.MaxLength ?? 1), message } });
      else if (kind === 'RangeRuleInfo') {
        const range: Json = { message };
        const type = str(info?.TypeOfRange);
        const useMin = type === 'GreaterThanOrEqualTo' || type === 'Between' || info?.UseMinValue === true;
        const useMax = type === 'SmallerThanOrEqualTo' || type === 'Between' || info?.UseMaxValue === true;
        const num = (v: unknown) => (str(v) !== '' && !Number.isNaN(Number(v)) ? Number(v) : str(v));
        if (useMin) range.min = num(info?.MinValue);
        if (useMax) range.max = num(info?.MaxValue);
        rules.push({ attribute: attr, range });
      } else if (kind === 'RegExRuleInfo') {
        const regexName = str(info?.RegularExpression);
        const doc = index.documents('RegularExpressions$RegularExpression').find((d) => `${d.module}.${d.name}` === regexName);
        if (doc) rules.push({ attribute: attr, regex: { pattern: str(doc.unit.doc.RegEx ?? doc.unit.doc.Regex), message } });
        else notes.push(`validation rule on ${attr}: regular expression ${regexName} not found, left out`);
      } else notes.push(`validation rule on ${attr}: ${kind || 'unknown'} has no Kiln form, left out`);
    }
    if (rules.length) entity.validation = rules;

    const events: Json[] = [];
    for (const ev of list(e.Events)) {
      const event = EVENT[str(ev.Event)];
      const microflow = str(ev.Microflow);
      if (!event || !microflow) {
        notes.push(`event handler ${str(ev.Moment)} ${str(ev.Event)} left out`);
        continue;
      }
      events.push({
        moment: str(ev.Moment).toLowerCase() === 'after' ? 'after' : 'before',
        event,
        microflow,
        ...(ev.RaiseErrorOnFalse === false ? { raiseErrorOnFalse: false } : {}),
        ...(ev.PassEventObject === false ? { passEventObject: false } : {}),
      });
    }
    if (events.length) entity.events = events;

    const access: Json[] = [];
    for (const r of list(e.AccessRules)) {
      const rolesOf = strings(r.AllowedModuleRoles);
      const own = rolesOf.filter((q) => moduleOf(q) === module).map(last);
      if (own.length < rolesOf.length) notes.push(`access rule: roles of other modules left out (${rolesOf.filter((q) => moduleOf(q) !== module).join(', ')})`);
      if (!own.length) continue;
      const read: string[] = [];
      const write: string[] = [];
      for (const m of list(r.MemberAccesses)) {
        const member = str(m.Attribute) ? last(str(m.Attribute)) : str(m.Association) ? memberName(str(m.Association), module) : '';
        if (!member) continue;
        const ends = str(m.Association) ? associationEnds.get(str(m.Association)) : undefined;
        if (ends && ends.child === name && ends.parent !== name && !ends.both) {
          // Only an association owned by both ends is a member of its child entity.
          if (str(m.AccessRights) !== 'None') notes.push(`access rule: ${member} left out (${name} is its child and it is not owned by both ends)`);
          continue;
        }
        const rights = str(m.AccessRights);
        if (rights === 'ReadOnly' || rights === 'ReadWrite') read.push(member);
        if (rights === 'ReadWrite' && !calculated.has(member)) write.push(member);
      }
      const rule: Json = { roles: own };
      if (r.AllowCreate === true) rule.create = true;
      if (r.AllowDelete === true) rule.delete = true;
      const dflt = str(r.DefaultMemberAccessRights);
      if (dflt === 'ReadWrite') {
        rule.read = '*';
        rule.write = '*';
      } else {
        if (dflt === 'ReadOnly') rule.read = '*';
        else if (read.length) rule.read = read;
        if (write.length) rule.write = write;
      }
      if (str(r.XPathConstraint)) rule.xpath = str(r.XPathConstraint);
      if (str(r.Documentation)) rule.documentation = str(r.Documentation);
      access.push(rule);
    }
    if (access.length) entity.access = access;

    const indexes: Json[] = [];
    for (const ix of list(e.Indexes)) {
      const attributes = list(ix.Attributes).map((ia) => {
        const a = attributeNames.get(str(ia.AttributePointer)) ?? last(str(ia.Attribute));
        return ia.Ascending === false ? { attribute: a, descending: true } : a;
      });
      if (attributes.length) indexes.push({ attributes });
    }
    if (indexes.length) entity.indexes = indexes;
    if (str(e.Documentation)) entity.documentation = str(e.Documentation);
    entities[name] = entity;
    reporter.count('entity', notes, `${module}.${name}`);
  }
  if (Object.keys(entities).length) out.entities = entities;

  const assocs: Json = {};
  const all = [...list(dm.Associations), ...list(dm.CrossAssociations)];
  for (const a of all) {
    const name = str(a.Name);
    const notes: string[] = [];
    const parent = entityNames.get(str(a.ParentPointer)) ?? str(a.Parent);
    const child = entityNames.get(str(a.ChildPointer)) ?? str(a.Child ?? a.ChildPointer);
    if (!parent || !child) {
      reporter.skip('association', `${module}.${name}`, 'an end entity was not found');
      continue;
    }
    const assoc: Json = {};
    if (str(a.Type) === 'ReferenceSet') assoc.type = 'ReferenceSet';
    assoc.parent = parent;
    assoc.child = child;
    if (str(a.Owner) === 'Both') assoc.owner = 'Both';
    const db = obj(a.DeleteBehavior);
    if (db) {
      const p = deleteBehavior(str(db.ParentDeleteBehavior), db.ParentErrorMessage, lang);
      const c = deleteBehavior(str(db.ChildDeleteBehavior), db.ChildErrorMessage, lang);
      const behavior: Json = {};
      if (p && p !== 'keep') behavior.parent = p;
      if (c && c !== 'keep') behavior.child = c;
      if (Object.keys(behavior).length) assoc.deleteBehavior = behavior;
    }
    if (str(a.StorageFormat) === 'Column') notes.push('stored as a column in Mendix; Kiln stores it in an association table');
    if (str(a.Documentation)) assoc.documentation = str(a.Documentation);
    assocs[name] = assoc;
    reporter.count('association', notes, `${module}.${name}`);
  }
  if (Object.keys(assocs).length) out.associations = assocs;
  return out;
}

/** An association's name as a member: short in its own module, qualified elsewhere. */
function memberName(q: string, module: string): string {
  return moduleOf(q) === module ? last(q) : q;
}

/** A Mendix `DataTypes$...` as a Kiln type name. */
export function dataType(t: MxObject | undefined): string | undefined {
  const type = str(t?.$Type).replace(/^DataTypes\$/, '');
  switch (type) {
    case 'StringType':
      return 'String';
    case 'IntegerType':
      return 'Integer';
    case 'LongType':
      return 'Long';
    case 'DecimalType':
    case 'FloatType':
      return 'Decimal';
    case 'BooleanType':
      return 'Boolean';
    case 'DateTimeType':
      return 'DateTime';
    case 'EnumerationType':
      return str(t?.Enumeration);
    case 'ObjectType':
      return str(t?.Entity);
    case 'ListType':
      return `List of ${str(t?.Entity)}`;
    case 'VoidType':
    case '':
      return undefined;
    default:
      return undefined;
  }
}
