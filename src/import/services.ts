import { dataType } from './domain.js';
import { last, list, type ModelIndex, moduleOf, obj, str, strings } from './model-index.js';
import type { Reporter } from './report.js';
import type { MxObject } from './units.js';

type Json = Record<string, unknown>;

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** A module role as the service file names it: short in its own module, qualified otherwise. */
const role = (module: string, q: string) => (moduleOf(q) === module ? last(q) : q);

/** A URL path as Kiln's location takes it: no leading or trailing slash. */
const trimSlashes = (p: string) => p.replace(/^\/+|\/+$/g, '');

/** Mendix's CORS configuration (origins as one comma separated text) -> Kiln's `cors`. */
function cors(c: MxObject | undefined): Json | undefined {
  if (!c) return undefined;
  const origins = (Array.isArray(c.AllowedOrigins) ? strings(c.AllowedOrigins) : str(c.AllowedOrigins).split(',')).map((o) => o.trim()).filter(Boolean);
  if (!origins.length) return undefined;
  const maxAge = Number(c.MaxAge);
  return { allowedOrigins: origins, ...(c.AllowAuthentication === true ? { allowCredentials: true } : {}), ...(maxAge > 0 ? { maxAge } : {}) };
}

/** Parameter name -> Kiln type of each microflow of the project, to bind operation parameters. */
function microflowParameters(index: ModelIndex): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const d of index.documents('Microflows$Microflow')) {
    const params = new Map<string, string>();
    for (const o of list(obj(d.unit.doc.ObjectCollection)?.Objects))
      if (o.$Type === 'Microflows$MicroflowParameter' || o.$Type === 'Microflows$MicroflowParameterObject')
        params.set(str(o.Name), dataType(obj(o.VariableType)) ?? 'String');
    out.set(`${d.module}.${d.name}`, params);
  }
  return out;
}

/**
 * A Mendix published REST service (`Rest$PublishedRestService`) as a Kiln REST service file
 * (`rest/<Name>.yaml`, docs/rest.md): location, version, authentication, roles, CORS, and per
 * resource its operations with their microflows and the parameter bindings that differ from
 * Kiln's defaults, and the operation's JSON import and export mappings (imported as mapping files).
 */
export function convertRestService(index: ModelIndex, module: string, name: string, doc: MxObject, reporter: Reporter): Json | undefined {
  const where = `${module}.${name}`;
  if (doc.Excluded === true) {
    reporter.skip('published REST service', where, 'excluded from the Mendix project');
    return undefined;
  }
  const notes: string[] = [];
  const mfParams = microflowParameters(index);
  const mappings = [...index.documents('ImportMappings$ImportMapping'), ...index.documents('ExportMappings$ExportMapping')];
  const jsonMappings = new Set(mappings.filter((d) => str(d.unit.doc.JsonStructure) && d.unit.doc.Excluded !== true).map((d) => `${d.module}.${d.name}`));
  const why = (q: string) => (mappings.some((d) => `${d.module}.${d.name}` === q) ? 'not a JSON mapping' : 'not in the project');
  const out: Json = {};
  if (trimSlashes(str(doc.Path))) out.location = trimSlashes(str(doc.Path));
  if (str(doc.Version)) out.version = str(doc.Version);
  const description = str(doc.Description) || str(doc.Documentation);
  if (description) out.description = description;
  const auth = strings(doc.AuthenticationTypes).map((t) => t.toLowerCase());
  const kinds = ['custom', 'basic', 'session'].filter((k) => auth.includes(k));
  for (const t of auth) if (!kinds.includes(t)) notes.push(`authentication ${t} left out`);
  if (kinds.length) out.authentication = kinds;
  if (kinds.includes('custom') && str(doc.AuthenticationMicroflow)) out.authenticationMicroflow = str(doc.AuthenticationMicroflow);
  const roles = strings(doc.AllowedRoles).map((q) => role(module, q));
  if (roles.length) out.allowedRoles = roles;
  const c = cors(obj(doc.CorsConfiguration));
  if (c) out.cors = c;
  // Service parameters: a path parameter is a {Name} segment of the location, bound by Kiln to every operation's
  // microflow parameter of that name; a query parameter is Kiln's default binding by name; a header one is
  // bound on each operation whose microflow takes a parameter of its name.
  const headers: string[] = [];
  const location = String(out.location ?? '');
  for (const p of list(doc.Parameters)) {
    const pname = str(p.Name);
    const source = str(p.ParameterType).toLowerCase();
    if (source === 'path' && !location.split('/').includes(`{${pname}}`))
      notes.push(`service parameter {${pname}} left out: the location ${location || '(default)'} does not have it`);
    else if (source === 'header') headers.push(pname);
    else if (source !== 'path' && source !== 'query') notes.push(`service parameter ${pname} (${source || 'no type'}) left out`);
  }
  const resources: Json = {};
  for (const r of list(doc.Resources)) {
    const rname = str(r.Name).replace(/[^A-Za-z0-9_-]/g, '_') || 'resource';
    if (rname !== str(r.Name)) notes.push(`resource '${str(r.Name)}' named ${rname} (Kiln resource names are letters, digits, _ and -)`);
    const operations: Json[] = [];
    for (const o of list(r.Operations)) {
      const method = str(o.HttpMethod).toUpperCase();
      const label = `${method} ${str(r.Name)}/${trimSlashes(str(o.Path))}`;
      if (!METHODS.has(method)) {
        notes.push(`operation ${label} left out (Kiln publishes GET, POST, PUT, PATCH and DELETE)`);
        continue;
      }
      const microflow = str(o.Microflow);
      if (!microflow) {
        notes.push(`operation ${label} left out (no microflow)`);
        continue;
      }
      const op: Json = { method, ...(trimSlashes(str(o.Path)) ? { path: trimSlashes(str(o.Path)) } : {}), microflow };
      if (str(o.Summary)) op.summary = str(o.Summary);
      if (str(o.Documentation)) op.description = str(o.Documentation);
      const types = mfParams.get(microflow);
      const parameters: Json = {};
      for (const p of list(o.Parameters)) {
        const mfParam = last(str(p.MicroflowParameter)) || str(p.Name);
        const source = str(p.ParameterType).toLowerCase();
        const renamed = str(p.Name) !== '' && str(p.Name) !== mfParam;
        const rename = renamed ? { name: str(p.Name) } : {};
        const description = str(p.Description) ? { description: str(p.Description) } : {};
        if (source === 'header' || (source === 'query' && (renamed || str(p.Description)))) parameters[mfParam] = { source, ...rename, ...description };
        // An object body is Kiln's default; a String parameter from the body is said so.
        else if (source === 'body' && types?.get(mfParam) === 'String') parameters[mfParam] = { source: 'body', ...description };
        else if (source === 'path' && renamed)
          notes.push(`operation ${label}: path parameter {${str(p.Name)}} must be named as its microflow parameter ${mfParam}`);
        else if (source === 'form') notes.push(`operation ${label}: form parameter ${str(p.Name)} left out (Kiln takes no multipart bodies yet)`);
      }
      for (const h of headers) if (types?.has(h) && !parameters[h]) parameters[h] = { source: 'header' };
      if (Object.keys(parameters).length) op.parameters = parameters;
      // A JSON mapping is imported as a Kiln mapping file (integration.ts); an XML one has no Kiln form.
      if (str(o.ImportMapping)) {
        if (jsonMappings.has(str(o.ImportMapping))) op.import = { mapping: str(o.ImportMapping) };
        else
          notes.push(
            `operation ${label}: import mapping ${str(o.ImportMapping)} left out (${why(str(o.ImportMapping))}; Kiln maps the body by attribute names)`,
          );
      }
      if (str(o.ExportMapping)) {
        if (jsonMappings.has(str(o.ExportMapping))) op.export = { mapping: str(o.ExportMapping) };
        else
          notes.push(
            `operation ${label}: export mapping ${str(o.ExportMapping)} left out (${why(str(o.ExportMapping))}; Kiln maps the result by attribute names)`,
          );
      }
      operations.push(op);
    }
    if (operations.length) resources[rname] = { ...(str(r.Documentation) ? { description: str(r.Documentation) } : {}), operations };
    else notes.push(`resource '${str(r.Name)}' left out (no operation Kiln can publish)`);
  }
  out.resources = resources;
  if (str(doc.Documentation) && out.description !== str(doc.Documentation)) out.documentation = str(doc.Documentation);
  reporter.count('published REST service', notes, where);
  return out;
}

/** Mendix's change modes: from the database (Kiln's capability), by a microflow (no Kiln form), or not supported. */
function changeMode(mode: MxObject | undefined, what: string, notes: string[], set: string): boolean {
  const type = str(mode?.$Type);
  if (type.endsWith('ChangeSource')) return true;
  if (type.endsWith('CallMicroflowToChange'))
    notes.push(`entity set ${set}: ${what} by microflow ${str(mode?.Microflow)} left out (Kiln ${what}s in the database)`);
  return false;
}

/**
 * A Mendix published OData service (`ODataPublish$PublishedODataService2`) as a Kiln OData
 * service file (`odata/<Name>.yaml`, docs/odata.md): location, version, namespace,
 * authentication, roles, each entity set with its entity, published attributes and
 * associations, capabilities and paging, and the published microflows as actions.
 */
export function convertODataService(module: string, name: string, doc: MxObject, reporter: Reporter): Json | undefined {
  const where = `${module}.${name}`;
  if (doc.Excluded === true) {
    reporter.skip('published OData service', where, 'excluded from the Mendix project');
    return undefined;
  }
  const notes: string[] = [];
  const out: Json = {};
  if (trimSlashes(str(doc.Path))) out.location = trimSlashes(str(doc.Path));
  if (str(doc.Version)) out.version = str(doc.Version);
  if (str(doc.Namespace)) out.namespace = str(doc.Namespace);
  const description = str(doc.Description) || str(doc.Summary);
  if (description) out.description = description;
  const auth = strings(doc.AuthenticationTypes).map((t) => t.toLowerCase());
  const kinds = ['basic', 'session'].filter((k) => auth.includes(k));
  for (const t of auth) if (!kinds.includes(t)) notes.push(`authentication ${t} left out (Kiln's OData services take basic and session)`);
  if (kinds.length) out.authentication = kinds;
  const roles = strings(doc.AllowedRoles).map((q) => role(module, q));
  if (roles.length) out.allowedRoles = roles;
  const c = cors(obj(doc.CorsConfiguration));
  if (c) out.cors = c;
  const types = new Map(list(doc.EntityTypes).map((t) => [str(t.$ID), t]));
  const sets: Json = {};
  for (const s of list(doc.EntitySets)) {
    const setName = str(s.ExposedName);
    const type = types.get(str(s.EntityTypePointer)) ?? list(doc.EntityTypes).find((t) => str(t.ExposedName) === setName);
    const entity = str(type?.Entity);
    if (!type || !entity) {
      notes.push(`entity set ${setName} left out (its entity type is not in the service)`);
      continue;
    }
    const read = obj(s.ReadMode);
    if (str(read?.$Type).endsWith('CallMicroflowToRead')) {
      notes.push(`entity set ${setName} left out: it is read by microflow ${str(read?.Microflow)} (Kiln reads published sets from the database)`);
      continue;
    }
    const set: Json = { entity };
    if (str(type.ExposedName) && str(type.ExposedName) !== last(entity)) set.exposedName = str(type.ExposedName);
    if (str(type.Description) || str(type.Summary)) set.description = str(type.Description) || str(type.Summary);
    const attributes: string[] = [];
    const associations: Json = {};
    for (const m of list(type.ChildMembers ?? type.Members)) {
      const mt = str(m.$Type);
      if (mt.endsWith('PublishedId')) continue;
      if (mt.endsWith('PublishedAttribute')) {
        const a = last(str(m.Attribute));
        attributes.push(a);
        if (str(m.ExposedName) && str(m.ExposedName) !== a) notes.push(`entity set ${setName}: attribute ${a} published as ${a}, not ${str(m.ExposedName)}`);
      } else if (mt.endsWith('PublishedAssociationEnd')) {
        const assoc = str(m.Association);
        associations[moduleOf(assoc) === module ? last(assoc) : assoc] = str(m.ExposedName) || last(assoc);
      } else notes.push(`entity set ${setName}: member ${str(m.ExposedName) || mt} left out`);
    }
    if (attributes.length) set.attributes = attributes;
    if (Object.keys(associations).length) set.associations = associations;
    const capabilities: Json = {};
    if (changeMode(obj(s.InsertMode), 'insert', notes, setName)) capabilities.insertable = true;
    if (changeMode(obj(s.UpdateMode), 'update', notes, setName)) capabilities.updatable = true;
    if (changeMode(obj(s.DeleteMode), 'delete', notes, setName)) capabilities.deletable = true;
    const query = obj(s.QueryOptions);
    if (query?.Countable === false) capabilities.countable = false;
    if (query?.TopSupported === false || query?.SkipSupported === false) capabilities.topSkip = false;
    if (Object.keys(capabilities).length) set.capabilities = capabilities;
    const pageSize = Number(s.PageSize);
    if (s.UsePaging === true && pageSize >= 1) set.pageSize = Math.min(pageSize, 100000);
    sets[setName] = set;
  }
  out.entitySets = sets;
  // Published microflows are OData actions in Mendix and in Kiln (POST <location>/<Name>, parameters from the JSON body).
  const actions: Json = {};
  for (const m of list(doc.Microflows)) {
    const exposed = str(m.ExposedName) || last(str(m.Microflow));
    if (!str(m.Microflow) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(exposed)) {
      notes.push(`published microflow ${exposed || '(unnamed)'} left out (${str(m.Microflow) ? 'not a name Kiln can publish' : 'no microflow'})`);
      continue;
    }
    const description = str(m.Description) || str(m.Summary);
    actions[exposed] = { microflow: str(m.Microflow), ...(description ? { description } : {}) };
    for (const p of list(m.Parameters)) {
      const own = last(str(p.Name ?? p.MicroflowParameter));
      if (own && str(p.ExposedName) && str(p.ExposedName) !== own)
        notes.push(`action ${exposed}: parameter ${own} is sent under its own name, not ${str(p.ExposedName)}`);
    }
  }
  if (Object.keys(actions).length) out.actions = actions;
  if (str(doc.Documentation)) out.documentation = str(doc.Documentation);
  reporter.count('published OData service', notes, where);
  return out;
}
