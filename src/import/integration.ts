import { last, list, type ModelIndex, moduleOf, obj, str } from './model-index.js';
import type { Reporter } from './report.js';
import type { MxObject } from './units.js';

type Json = Record<string, unknown>;

/** A name as a mapping file takes it: short in its own module, qualified otherwise. */
const local = (module: string, q: string) => (moduleOf(q) === module ? last(q) : q);

/**
 * A Mendix JSON structure as Kiln's (`json-structures/<Name>.json`): the sample document it was
 * made from, which Kiln checks mappings against as Mendix does against the structure's elements.
 * Undefined (reported) when the snippet is not JSON.
 */
export function convertJsonStructure(module: string, name: string, doc: MxObject, reporter: Reporter): unknown {
  const where = `${module}.${name}`;
  if (doc.Excluded === true) {
    reporter.skip('json structure', where, 'excluded from the Mendix project');
    return undefined;
  }
  try {
    const sample: unknown = JSON.parse(str(doc.JsonSnippet));
    reporter.count('json structure', [], where);
    return sample;
  } catch {
    reporter.skip('json structure', where, 'its snippet is not JSON (an XML structure has no Kiln form)');
    return undefined;
  }
}

/** Mendix's commit choice of an import mapping call -> Kiln's mapping `commit`. */
function commitOf(v: unknown): true | 'withoutEvents' | undefined {
  return str(v) === 'Yes' ? true : str(v) === 'YesWithoutEvents' ? 'withoutEvents' : undefined;
}

/**
 * How each import mapping is committed. Mendix chooses it per call (a REST call's or an import
 * activity's `ImportMappingCall`, a published operation's `Commit`); a Kiln mapping commits as its
 * file says. Mapping -> the distinct choices of its calls, in the project's document order.
 */
export function importMappingCommits(index: ModelIndex): Map<string, ('Yes' | 'YesWithoutEvents' | 'No')[]> {
  const out = new Map<string, ('Yes' | 'YesWithoutEvents' | 'No')[]>();
  const add = (mapping: string, commit: unknown) => {
    if (!mapping) return;
    const c = str(commit) === 'Yes' || str(commit) === 'YesWithoutEvents' ? (str(commit) as 'Yes' | 'YesWithoutEvents') : 'No';
    const seen = out.get(mapping) ?? [];
    if (!seen.includes(c)) seen.push(c);
    out.set(mapping, seen);
  };
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) walk(x);
    else if (v && typeof v === 'object') {
      const o = v as MxObject;
      if (o.$Type === 'Microflows$ImportMappingCall') add(str(o.ReturnValueMapping ?? o.Mapping), o.Commit);
      else for (const x of Object.values(o)) walk(x);
    }
  };
  for (const d of index.documents('Microflows$Microflow')) walk(d.unit.doc.ObjectCollection);
  for (const d of index.documents('Rest$PublishedRestService'))
    for (const r of list(d.unit.doc.Resources)) for (const op of list(r.Operations)) if (str(op.ImportMapping)) add(str(op.ImportMapping), op.Commit);
  return out;
}

/** The JSON key a mapping element stands for: the last step of its path that is not `(Object)` or `(Array)`. */
function keyOf(path: string): string {
  const steps = path.split('|').filter((s) => s !== '(Object)' && s !== '(Array)');
  return steps.at(-1) ?? '';
}

/**
 * A Mendix import or export mapping (`ImportMappings$ImportMapping`, `ExportMappings$ExportMapping`)
 * as a Kiln mapping file (`mappings/<Name>.yaml`, docs/rest.md): the structure, the root entity,
 * per level the attributes by JSON key with their converter microflows, key attributes (find)
 * with what happens when none is found, nested objects and arrays over their associations, and the commit its calls ask for.
 */
export function convertMapping(
  module: string,
  name: string,
  doc: MxObject,
  kind: 'import' | 'export',
  commits: ReadonlyMap<string, readonly string[]>,
  reporter: Reporter,
): Json | undefined {
  const where = `${module}.${name}`;
  const what = `${kind} mapping`;
  if (doc.Excluded === true) {
    reporter.skip(what, where, 'excluded from the Mendix project');
    return undefined;
  }
  if (!str(doc.JsonStructure)) {
    reporter.skip(
      what,
      where,
      `it maps ${str(doc.XmlSchema) ? 'an XML schema' : str(doc.WsdlFile) ? 'a web service message' : 'no JSON structure'} (Kiln maps JSON structures)`,
    );
    return undefined;
  }
  const notes: string[] = [];
  // The root: the object element, or under a root array its object element.
  let root = list(doc.Elements)[0];
  if (root && str(root.ElementType) === 'Array' && !str(root.Entity)) root = list(root.Children)[0];
  if (!root || !str(root.Entity)) {
    reporter.skip(what, where, 'its root element maps no entity');
    return undefined;
  }
  const out: Json = { kind, structure: local(module, str(doc.JsonStructure)), entity: local(module, str(root.Entity)) };
  if (kind === 'import') {
    const choices = commits.get(where) ?? [];
    const commit = commitOf(choices[0]);
    if (commit !== undefined) out.commit = commit;
    if (choices.length > 1) notes.push(`its calls commit differently (${choices.join(', ')}); the Kiln mapping commits as the first: ${choices[0]}`);
    if (str(root.ObjectHandling) === 'Parameter')
      notes.push(`the root object is the mapping's parameter in Mendix (${str(obj(doc.ParameterType)?.Entity) || 'its parameter'}); Kiln creates it`);
  }
  Object.assign(out, level(module, root, kind, '', notes));
  reporter.count(what, notes, where);
  return out;
}

/** One object level of a mapping: attributes, find / ifNotFound and its nested levels. */
function level(module: string, el: MxObject, kind: 'import' | 'export', at: string, notes: string[]): Json {
  const out: Json = {};
  const attributes: Record<string, string> = {};
  const convert: Record<string, string> = {};
  const keys: string[] = [];
  const children: Json = {};
  if (obj(el.CustomHandlerCall)) notes.push(`${at || 'root'}: the custom handler microflow ${str(obj(el.CustomHandlerCall)?.Microflow)} left out`);
  for (const c of list(el.Children)) {
    const key = keyOf(str(c.JsonPath));
    const place = at ? `${at}.${key}` : key;
    if (str(c.$Type).endsWith('ValueMappingElement')) {
      if (!str(c.Attribute)) continue;
      attributes[key] = last(str(c.Attribute));
      if (c.IsKey === true) keys.push(last(str(c.Attribute)));
      if (str(c.Converter)) convert[key] = local(module, str(c.Converter));
      continue;
    }
    // An array element without an entity wraps the object element that maps each item.
    let child = c;
    if (str(c.ElementType) === 'Array' && !str(c.Entity)) child = list(c.Children)[0] ?? c;
    if (!str(child.Entity)) {
      if (list(child.Children).length) notes.push(`${place}: an object that maps no entity left out`);
      continue;
    }
    if (!str(child.Association)) {
      notes.push(`${place}: ${str(child.Entity)} without an association left out`);
      continue;
    }
    children[key] = {
      entity: local(module, str(child.Entity)),
      association: local(module, str(child.Association)),
      ...level(module, child, kind, place, notes),
    };
  }
  if (Object.keys(attributes).length) out.attributes = attributes;
  if (Object.keys(convert).length) out.convert = convert;
  if (kind === 'import') {
    const handling = str(el.ObjectHandling);
    if (handling === 'Find') {
      if (keys.length) {
        out.find = keys;
        const backup = str(el.ObjectHandlingBackup);
        if (backup === 'Ignore') out.ifNotFound = 'ignore';
        else if (backup === 'Error') out.ifNotFound = 'error';
      } else notes.push(`${at || 'root'}: find without key attributes creates objects`);
    }
  }
  if (Object.keys(children).length) out.children = children;
  return out;
}
