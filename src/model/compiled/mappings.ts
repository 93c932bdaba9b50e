import type { Diagnostic } from '../diagnostics.js';
import type { SourceFile } from '../load/source-file.js';
import type { MappingFile } from '../schema/index.js';
import { qualify } from './compile-domain.js';
import type { CAssociation, CAttribute, CEntity, CEnumeration, CMicroflow, SourceRef } from './types.js';

/** A converter microflow on an attribute mapping, and the JSON side of the value it converts. */
export interface CMappingConverter {
  readonly microflow: string;
  /**
   * The value as JSON holds it: the converter's parameter (import) or result (export), as an
   * attribute of that type so that one reader and writer of JSON values serves both.
   */
  readonly json: CAttribute;
}

/** One object level of a mapping: a JSON object <-> an object of `entity`. */
export interface CMappingNode {
  readonly entity: string;
  /** JSON key -> attribute name, with the microflow that converts the value on its way. */
  readonly attributes: readonly { readonly key: string; readonly attribute: string; readonly convert?: CMappingConverter }[];
  /** Import: key attributes that find an existing object (empty = always create). */
  readonly find: readonly string[];
  readonly ifNotFound: 'create' | 'error' | 'ignore';
  readonly children: readonly CMappingChild[];
}

export interface CMappingChild {
  /** JSON key of the nested object or array. */
  readonly key: string;
  /** The sample holds an array here: the JSON value is a list of objects. */
  readonly list: boolean;
  readonly association: string;
  /** The parent entity owns the association (set it on the parent); otherwise each nested object owns it. */
  readonly forward: boolean;
  readonly referenceSet: boolean;
  readonly node: CMappingNode;
}

export interface CMapping {
  readonly name: string;
  readonly kind: 'import' | 'export';
  readonly structure: string;
  /** The sample's root is an array: the mapping maps a list. */
  readonly list: boolean;
  readonly commit: boolean | 'withoutEvents';
  readonly root: CMappingNode;
  readonly source: SourceRef;
}

interface MappingInput {
  readonly entities: ReadonlyMap<string, CEntity>;
  readonly associations: ReadonlyMap<string, CAssociation>;
  readonly enumerations: ReadonlyMap<string, CEnumeration>;
  readonly microflows: ReadonlyMap<string, CMicroflow>;
}

/** A mapping level as written (the schema's recursive type, spelled out). */
interface NodeDef {
  readonly attributes?: Readonly<Record<string, string>>;
  readonly convert?: Readonly<Record<string, string>>;
  readonly find?: readonly string[];
  readonly ifNotFound?: 'create' | 'error' | 'ignore';
  readonly children?: Readonly<Record<string, NodeDef & { readonly entity: string; readonly association: string }>>;
}
type Path = (string | number)[];

/** What kind of JSON value a sample holds, for messages and type checks. */
function jsonKind(v: unknown): 'text' | 'number' | 'boolean' | 'null' | 'object' | 'array' {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'string') return 'text';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'boolean';
  return 'object';
}

/** Can a sample value of this kind hold the attribute's values (as Mendix's JSON mappings write them)? */
function fits(attr: CAttribute, kind: ReturnType<typeof jsonKind>): boolean {
  if (kind === 'null') return true;
  switch (attr.type) {
    case 'Integer':
    case 'Long':
    case 'AutoNumber':
      return kind === 'number';
    case 'Decimal':
      return kind === 'number' || kind === 'text';
    case 'Boolean':
      return kind === 'boolean';
    case 'Binary':
      return false;
    default:
      return kind === 'text';
  }
}

/**
 * Compiles the import and export mappings against their JSON structures: every
 * JSON key must be in the sample at that place, every attribute exist and fit
 * the sample's value, every association connect the two entities (a JSON array
 * needs a reference set or the nested entity owning a reference), `find`
 * attributes be mapped. Errors are located in the mapping file.
 */
export function compileMappings(
  structures: readonly { file: SourceFile; def: unknown }[],
  files: readonly { file: SourceFile; def: MappingFile }[],
  m: MappingInput,
  out: Diagnostic[],
): Map<string, CMapping> {
  const samples = new Map(structures.map((s) => [`${s.file.module}.${s.file.unitName}`, s.def]));
  const result = new Map<string, CMapping>();
  for (const { file, def } of files) {
    const module = file.module!;
    const name = `${module}.${file.unitName}`;
    const structure = qualify(def.structure, module);
    if (!samples.has(structure)) {
      out.push(file.diagnostic(['structure'], `unknown JSON structure '${def.structure}' (modules/<Module>/json-structures/<Name>.json)`));
      continue;
    }
    let sample = samples.get(structure);
    const list = Array.isArray(sample);
    if (list) sample = (sample as unknown[])[0];
    if (jsonKind(sample) !== 'object') {
      out.push(file.diagnostic(['structure'], `${structure} must hold a JSON object or an array of objects at its root`));
      continue;
    }
    const entity = qualify(def.entity, module);
    if (!m.entities.has(entity)) {
      out.push(file.diagnostic(['entity'], `unknown entity '${def.entity}'`));
      continue;
    }
    if (def.kind === 'export' && def.commit !== undefined) out.push(file.diagnostic(['commit'], 'commit is for import mappings'));
    const errors = out.length;
    const root = compileNode(file, module, def as NodeDef, entity, sample as Record<string, unknown>, '$', [], def.kind, m, out);
    if (out.length > errors) continue;
    result.set(name, { name, kind: def.kind, structure, list, commit: def.commit ?? false, root, source: { file, path: [] } });
  }
  return result;
}

function compileNode(
  file: SourceFile,
  module: string,
  def: NodeDef,
  entityName: string,
  sample: Record<string, unknown>,
  jsonPath: string,
  at: Path,
  kind: 'import' | 'export',
  m: MappingInput,
  out: Diagnostic[],
): CMappingNode {
  const entity = m.entities.get(entityName)!;
  const attributes: { key: string; attribute: string }[] = [];
  for (const [key, attrName] of Object.entries(def.attributes ?? {})) {
    const where = [...at, 'attributes', key];
    if (!Object.hasOwn(sample, key)) {
      out.push(
        file.diagnostic(where, `'${key}' is not in the JSON structure at ${jsonPath} (it has ${Object.keys(sample).join(', ') || 'no keys'})`, 'error', {
          atKey: true,
        }),
      );
      continue;
    }
    const attr = entity.attributes.get(attrName);
    if (!attr) {
      out.push(file.diagnostic(where, `${entity.name} has no attribute '${attrName}'`));
      continue;
    }
    const k = jsonKind(sample[key]);
    const via = def.convert?.[key];
    if (via !== undefined) {
      const convert = converter(file, [...at, 'convert', key], via, module, entity, attr, k, `${jsonPath}.${key}`, kind, m, out);
      if (kind === 'import' && (attr.type === 'AutoNumber' || attr.system))
        out.push(file.diagnostic(where, `${entity.name}.${attrName} cannot be set by an import`));
      attributes.push({ key, attribute: attrName, ...(convert ? { convert } : {}) });
      continue;
    }
    if (!fits(attr, k))
      out.push(
        file.diagnostic(
          where,
          `${entity.name}.${attrName} is ${attr.type}, but the structure has ${k === 'array' || k === 'object' ? `an ${k}` : k} at ${jsonPath}.${key}`,
        ),
      );
    if (kind === 'import' && (attr.type === 'AutoNumber' || attr.system))
      out.push(file.diagnostic(where, `${entity.name}.${attrName} cannot be set by an import`));
    attributes.push({ key, attribute: attrName });
  }
  for (const key of Object.keys(def.convert ?? {}))
    if (!Object.hasOwn(def.attributes ?? {}, key))
      out.push(
        file.diagnostic([...at, 'convert', key], `'${key}' is not one of the mapped attributes: a converter converts an attribute's value`, 'error', {
          atKey: true,
        }),
      );
  const find = def.find ?? [];
  find.forEach((a, i) => {
    if (!attributes.some((x) => x.attribute === a))
      out.push(file.diagnostic([...at, 'find', i], `find uses '${a}', which is not one of the mapped attributes`));
  });
  if (kind === 'export' && def.find) out.push(file.diagnostic([...at, 'find'], 'find is for import mappings'));
  const children: CMappingChild[] = [];
  for (const [key, c] of Object.entries(def.children ?? {})) {
    const where = [...at, 'children', key];
    if (!Object.hasOwn(sample, key)) {
      out.push(
        file.diagnostic(where, `'${key}' is not in the JSON structure at ${jsonPath} (it has ${Object.keys(sample).join(', ') || 'no keys'})`, 'error', {
          atKey: true,
        }),
      );
      continue;
    }
    let nested = sample[key];
    const isList = Array.isArray(nested);
    if (isList) nested = (nested as unknown[])[0];
    if (jsonKind(nested) !== 'object') {
      out.push(file.diagnostic(where, `the structure has ${jsonKind(nested)} at ${jsonPath}.${key}: nested mappings need an object or an array of objects`));
      continue;
    }
    const childEntity = qualify(c.entity, module);
    const child = m.entities.get(childEntity);
    if (!child) {
      out.push(file.diagnostic([...where, 'entity'], `unknown entity '${c.entity}'`));
      continue;
    }
    const assocName = qualify(c.association, module);
    const a = m.associations.get(assocName);
    if (!a) {
      out.push(file.diagnostic([...where, 'association'], `unknown association '${c.association}'`));
      continue;
    }
    const forward = entity.chain.includes(a.parent) && child.chain.includes(a.child);
    const reverse = entity.chain.includes(a.child) && child.chain.includes(a.parent);
    if (!forward && !reverse) {
      out.push(file.diagnostic([...where, 'association'], `${assocName} does not connect ${entity.name} and ${child.name}`));
      continue;
    }
    const referenceSet = a.type === 'ReferenceSet';
    if (isList && forward && !referenceSet)
      out.push(
        file.diagnostic(
          [...where, 'association'],
          `${jsonPath}.${key} is an array, but ${entity.name} holds one ${child.name} over ${assocName}: use a reference set, or an association ${child.name} owns`,
        ),
      );
    if (!isList && reverse && !referenceSet && kind === 'export')
      out.push(
        file.diagnostic(
          [...where, 'association'],
          `${jsonPath}.${key} is one object, but ${assocName} may give ${entity.name} many ${child.name} objects: make it an array`,
        ),
      );
    const node = compileNode(file, module, c, childEntity, nested as Record<string, unknown>, `${jsonPath}.${key}${isList ? '[]' : ''}`, where, kind, m, out);
    children.push({ key, list: isList, association: assocName, forward, referenceSet, node });
  }
  return { entity: entity.name, attributes, find, ifNotFound: def.ifNotFound ?? 'create', children };
}

/** A value type a converter's parameter or result may have: a primitive or an enumeration. */
interface ValueType {
  readonly type: 'String' | 'Integer' | 'Long' | 'Decimal' | 'Boolean' | 'DateTime' | 'Enumeration';
  readonly enumeration?: string;
}
const PRIMITIVES = new Set(['String', 'Integer', 'Long', 'Decimal', 'Boolean', 'DateTime']);

function valueType(text: string | undefined, module: string, m: MappingInput): ValueType | undefined {
  const t = (text ?? '').trim();
  if (PRIMITIVES.has(t)) return { type: t as ValueType['type'] };
  const e = /^Enumeration\((.+)\)$/.exec(t);
  const q = qualify(e ? e[1]! : t, module);
  return m.enumerations.has(q) ? { type: 'Enumeration', enumeration: q } : undefined;
}

/** The type a microflow value of the attribute has (AutoNumber is a Long, a HashedString a String). */
function attributeValueType(a: CAttribute): ValueType | undefined {
  if (a.type === 'AutoNumber') return { type: 'Long' };
  if (a.type === 'HashedString') return { type: 'String' };
  if (a.type === 'Enumeration') return { type: 'Enumeration', ...(a.enumeration ? { enumeration: a.enumeration } : {}) };
  return PRIMITIVES.has(a.type) ? { type: a.type as ValueType['type'] } : undefined;
}

const label = (t: ValueType | undefined, written: string | undefined) => (t ? (t.enumeration ?? t.type) : `'${written ?? 'Nothing'}'`);

/**
 * Checks a converter microflow against the attribute and the sample's value: one parameter;
 * import: parameter of the JSON value's type, result of the attribute's type; export the other
 * way round. Returns it with its JSON side as an attribute of that type.
 */
function converter(
  file: SourceFile,
  where: Path,
  written: string,
  module: string,
  entity: CEntity,
  attr: CAttribute,
  k: ReturnType<typeof jsonKind>,
  jsonPath: string,
  kind: 'import' | 'export',
  m: MappingInput,
  out: Diagnostic[],
): CMappingConverter | undefined {
  const name = qualify(written, module);
  const mf = m.microflows.get(name);
  if (!mf) {
    out.push(file.diagnostic(where, `unknown microflow '${written}'`));
    return undefined;
  }
  const params = Object.values(mf.def.parameters ?? {});
  if (params.length !== 1) {
    out.push(file.diagnostic(where, `${name} must have one parameter (the value to convert), not ${params.length}`));
    return undefined;
  }
  const param = valueType(params[0], mf.module, m);
  const result = valueType(mf.def.returns, mf.module, m);
  const [jsonSide, attrSide] = kind === 'import' ? [param, result] : [result, param];
  const [jsonWritten, attrWritten] = kind === 'import' ? [params[0], mf.def.returns] : [mf.def.returns, params[0]];
  const [jsonVerb, attrVerb] = kind === 'import' ? ['takes', 'returns'] : ['returns', 'takes'];
  const want = attributeValueType(attr);
  let ok = true;
  if (!want || !attrSide || attrSide.type !== want.type || attrSide.enumeration !== want.enumeration) {
    out.push(file.diagnostic(where, `${name} ${attrVerb} ${label(attrSide, attrWritten)}, but ${entity.name}.${attr.name} is ${label(want, attr.type)}`));
    ok = false;
  }
  const json: CAttribute | undefined = jsonSide && {
    name: attr.name,
    qualifiedName: name,
    entity: entity.name,
    type: jsonSide.type,
    length: 0,
    ...(jsonSide.enumeration ? { enumeration: jsonSide.enumeration } : {}),
    defaultValue: null,
    localize: false,
    column: '',
    system: false,
  };
  if (!json || !fits(json, k)) {
    out.push(
      file.diagnostic(
        where,
        `${name} ${jsonVerb} ${label(jsonSide, jsonWritten)}, but the structure has ${k === 'array' || k === 'object' ? `an ${k}` : k} at ${jsonPath}`,
      ),
    );
    ok = false;
  }
  return ok && json ? { microflow: name, json } : undefined;
}
