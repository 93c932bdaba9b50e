import type { Diagnostic } from '../diagnostics.js';
import type { SourceFile } from '../load/source-file.js';
import type { MappingFile } from '../schema/index.js';
import { qualify } from './compile-domain.js';
import type { CAssociation, CAttribute, CEntity, SourceRef } from './types.js';

/** One object level of a mapping: a JSON object <-> an object of `entity`. */
export interface CMappingNode {
  readonly entity: string;
  /** JSON key -> attribute name. */
  readonly attributes: readonly { readonly key: string; readonly attribute: string }[];
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
}

/** A mapping level as written (the schema's recursive type, spelled out). */
interface NodeDef {
  readonly attributes?: Readonly<Record<string, string>>;
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
