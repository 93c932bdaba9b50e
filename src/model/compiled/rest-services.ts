import type { Diagnostic } from '../diagnostics.js';
import type { SourceFile } from '../load/source-file.js';
import type { RestServiceFile } from '../schema/index.js';
import { qualify } from './compile-domain.js';
import type { CAssociation, CEntity, CMicroflow, SourceRef } from './types.js';
import type { CMapping } from './mappings.js';
import { compileServiceHeader, type ServiceLocations } from './service-header.js';

/** Where a published REST operation takes a microflow parameter from. */
export type RestParamSource = 'path' | 'query' | 'header' | 'body' | 'request' | 'response';

/** Mendix's HTTP message entities: a parameter of these types is the request itself, or the response the microflow fills. */
const HTTP_REQUEST = 'System.HttpRequest';
export const HTTP_RESPONSE = 'System.HttpResponse';

/** A microflow parameter's type, as far as binding it from a request needs. */
export type RestValueType =
  | { readonly kind: 'primitive'; readonly type: 'String' | 'Integer' | 'Long' | 'Decimal' | 'Boolean' | 'DateTime' }
  | { readonly kind: 'enumeration'; readonly enumeration: string }
  | { readonly kind: 'object'; readonly entity: string }
  | { readonly kind: 'list'; readonly entity: string };

export interface CRestParameter {
  /** The microflow parameter. */
  readonly name: string;
  readonly source: RestParamSource;
  /** Path segment name, query parameter or header name. */
  readonly key: string;
  readonly type: RestValueType;
  readonly required: boolean;
  readonly description?: string;
}

/** A Reference association in a JSON mapping: the nested object under `key`. */
export interface CRestNested {
  /** Qualified association name. */
  readonly association: string;
  /** JSON key: the association's short name. */
  readonly key: string;
  /** The associated (child) entity. */
  readonly entity: string;
  /** Its attributes written (export; undefined = every one). */
  readonly attributes?: readonly string[];
}

export interface CRestOperation {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly resource: string;
  /** Path below the service location: `orders` or `orders/{Number}`. */
  readonly path: string;
  /** The path's segments: literal text or a path parameter name. */
  readonly segments: readonly ({ readonly literal: string } | { readonly param: string })[];
  readonly microflow: string;
  readonly parameters: readonly CRestParameter[];
  /** Attributes an imported body object takes from its JSON keys (undefined = every writable one). */
  readonly importAttributes?: readonly string[];
  readonly importCommit: boolean | 'withoutEvents';
  /** Import mapping (Module.Name) for the body, instead of the attribute lists. */
  readonly importMapping?: string;
  /** Export mapping (Module.Name) for the result, instead of the attribute lists. */
  readonly exportMapping?: string;
  /** What the microflow returns; undefined = nothing. */
  readonly returns?: RestValueType;
  /** Attributes of returned objects written to JSON (undefined = every one). */
  readonly exportAttributes?: readonly string[];
  /** Reference associations written as nested objects, under the association's short name. */
  readonly exportAssociations: readonly CRestNested[];
  /** Reference associations set from nested JSON objects, finding the existing object by a key attribute. */
  readonly importAssociations: readonly (CRestNested & { readonly keyAttribute: string })[];
  readonly summary?: string;
  readonly description?: string;
  readonly source: SourceRef;
}

export interface CRestService {
  /** `Module.Name`. */
  readonly name: string;
  readonly module: string;
  readonly shortName: string;
  /** URL path without leading or trailing slash: `rest/orders/v1`, `rest/{Tenant}/orders/v1`. */
  readonly location: string;
  /** The location's path parameters, bound to every operation's microflow parameter of the same name. */
  readonly locationParams: readonly string[];
  readonly version: string;
  readonly description?: string;
  readonly authentication: readonly ('custom' | 'basic' | 'session')[];
  /** The custom authentication microflow (`custom`): HttpRequest/HttpResponse parameters, returns a System.User. */
  readonly authenticationMicroflow?: string;
  /** Its parameters: the request, the response, and query or header values (authenticationParameters). */
  readonly authenticationParameters?: readonly CRestParameter[];
  /** Qualified module roles. */
  readonly allowedRoles: readonly string[];
  readonly cors?: { readonly allowedOrigins: readonly string[]; readonly allowCredentials: boolean; readonly maxAge?: number };
  readonly operations: readonly CRestOperation[];
  readonly source: SourceRef;
}

const PRIMITIVES = new Set(['String', 'Integer', 'Long', 'Decimal', 'Boolean', 'DateTime']);

interface RestInput {
  readonly entities: ReadonlyMap<string, CEntity>;
  readonly associations: ReadonlyMap<string, CAssociation>;
  readonly enumerations: ReadonlyMap<string, unknown>;
  readonly moduleRoles: ReadonlySet<string>;
  readonly microflows: ReadonlyMap<string, CMicroflow>;
  readonly mappings?: ReadonlyMap<string, CMapping>;
}

/** A microflow's declared type text (`Sales.Order`, `List of Sales.Order`, `Integer`) as a REST value type; undefined when unknown. */
export function restValueType(text: string, module: string, m: Pick<RestInput, 'entities' | 'enumerations'>): RestValueType | undefined {
  const t = text.trim();
  const list = /^List of\s+(.+)$/i.exec(t);
  if (list) {
    const e = qualify(list[1]!.trim(), module);
    return m.entities.has(e) ? { kind: 'list', entity: e } : undefined;
  }
  if (PRIMITIVES.has(t)) return { kind: 'primitive', type: t as 'String' };
  const enumMatch = /^Enumeration\((.+)\)$/.exec(t);
  const q = qualify(enumMatch ? enumMatch[1]! : t, module);
  if (m.enumerations.has(q)) return { kind: 'enumeration', enumeration: q };
  if (m.entities.has(q)) return { kind: 'object', entity: q };
  return undefined;
}

/**
 * Compiles the published REST services: locations (default `rest/<name>/v1`,
 * unique, not a reserved prefix), operations (unique method and path, path
 * parameters between slashes and bound to primitive microflow parameters), the
 * binding of every microflow parameter as Mendix does it (path when the path
 * names it; body for an object or list, at most one and not on GET or DELETE;
 * query otherwise), roles, and the mapped attributes.
 */
export function compileRestServices(
  files: readonly { file: SourceFile; def: RestServiceFile }[],
  m: RestInput,
  locations: ServiceLocations,
  out: Diagnostic[],
): Map<string, CRestService> {
  const services = new Map<string, CRestService>();
  for (const { file, def } of files) {
    const header = compileServiceHeader('rest', file, def, m.moduleRoles, locations, out);
    const { name, module } = header;
    // Mendix tries the methods in this order, whatever order the file lists them in.
    const authentication = (['custom', 'basic', 'session'] as const).filter((a) => def.authentication?.includes(a));
    const authenticationMicroflow = compileAuthMicroflow(file, module, def, m, out);

    const operations: CRestOperation[] = [];
    const seen = new Map<string, string>();
    for (const [resource, res] of Object.entries(def.resources)) {
      res.operations.forEach((op, i) => {
        const at = ['resources', resource, 'operations', i];
        const c = compileOperation(file, module, resource, op, at, new Set(header.locationParams), m, out);
        if (!c) return;
        // Two operations clash when they match the same URLs: same method, same literals, parameters anywhere alike.
        const shape = `${c.method} ${c.segments.map((s) => ('literal' in s ? s.literal.toLowerCase() : '{}')).join('/')}`;
        const prev = seen.get(shape);
        if (prev) out.push(file.diagnostic(at, `${c.method} ${c.path} matches the same requests as ${prev}`));
        seen.set(shape, `${c.method} ${c.path}`);
        operations.push(c);
      });
    }
    services.set(name, {
      ...header,
      version: def.version ?? '1.0.0',
      ...(def.description !== undefined ? { description: def.description } : {}),
      authentication,
      ...(authenticationMicroflow
        ? { authenticationMicroflow: authenticationMicroflow.name, authenticationParameters: authenticationMicroflow.parameters }
        : {}),
      operations,
      source: { file, path: [] },
    });
  }
  return services;
}

/**
 * The custom authentication microflow: named exactly when `custom` is listed,
 * taking only System.HttpRequest / System.HttpResponse parameters, returning a
 * System.User (or a specialization).
 */
function compileAuthMicroflow(
  file: SourceFile,
  module: string,
  def: RestServiceFile,
  m: RestInput,
  out: Diagnostic[],
): { name: string; parameters: CRestParameter[] } | undefined {
  const custom = def.authentication?.includes('custom') ?? false;
  if (!def.authenticationMicroflow) {
    if (custom) out.push(file.diagnostic(['authentication'], 'custom authentication needs authenticationMicroflow: the microflow that finds the user'));
    return undefined;
  }
  if (!custom) {
    out.push(file.diagnostic(['authenticationMicroflow'], "authenticationMicroflow is used only with 'custom' in authentication"));
    return undefined;
  }
  const name = qualify(def.authenticationMicroflow, module);
  const mf = m.microflows.get(name);
  if (!mf) {
    out.push(file.diagnostic(['authenticationMicroflow'], `unknown microflow '${def.authenticationMicroflow}'`));
    return undefined;
  }
  let ok = true;
  const parameters: CRestParameter[] = [];
  const binds = def.authenticationParameters ?? {};
  for (const p of Object.keys(binds))
    if (!(p in (mf.def.parameters ?? {}))) out.push(file.diagnostic(['authenticationParameters', p], `${name} has no parameter '${p}'`));
  for (const [p, t] of Object.entries(mf.def.parameters ?? {})) {
    const q = qualify(t.trim(), mf.module);
    if (q === HTTP_REQUEST || q === HTTP_RESPONSE) {
      parameters.push({ name: p, source: q === HTTP_REQUEST ? 'request' : 'response', key: p, type: { kind: 'object', entity: q }, required: true });
      continue;
    }
    const type = restValueType(t, mf.module, m);
    const bind = binds[p];
    if (!type || type.kind === 'object' || type.kind === 'list' || !bind) {
      out.push(
        file.diagnostic(
          bind ? ['authenticationParameters', p] : ['authenticationMicroflow'],
          type && type.kind !== 'object' && type.kind !== 'list'
            ? `parameter ${p} of ${name} needs authenticationParameters.${p}: { source: query | header }`
            : `parameter ${p} of ${name} has type '${t}': an authentication microflow takes System.HttpRequest, System.HttpResponse and query or header values`,
        ),
      );
      ok = false;
      continue;
    }
    parameters.push({ name: p, source: bind.source, key: bind.name ?? p, type, required: bind.required ?? false });
  }
  const rt = mf.def.returns ? m.entities.get(qualify(mf.def.returns.trim(), mf.module)) : undefined;
  if (!rt || !rt.chain.includes('System.User')) {
    out.push(
      file.diagnostic(['authenticationMicroflow'], `${name} must return a System.User (or a specialization of it), not '${mf.def.returns ?? 'Nothing'}'`),
    );
    ok = false;
  }
  return ok ? { name, parameters } : undefined;
}

function compileOperation(
  file: SourceFile,
  module: string,
  resource: string,
  op: RestServiceFile['resources'][string]['operations'][number],
  at: (string | number)[],
  /** The service location's path parameters: bound like the operation's own. */
  located: ReadonlySet<string>,
  m: RestInput,
  out: Diagnostic[],
): CRestOperation | undefined {
  const sub = (op.path ?? '').replace(/^\/+|\/+$/g, '');
  const path = sub ? `${resource}/${sub}` : resource;
  const segments: ({ literal: string } | { param: string })[] = [];
  const pathParams = new Set<string>();
  let ok = true;
  for (const seg of path.split('/')) {
    const pm = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(seg);
    if (pm) {
      if (pathParams.has(pm[1]!) || located.has(pm[1]!)) {
        out.push(file.diagnostic([...at, 'path'], `path parameter {${pm[1]}} appears twice${located.has(pm[1]!) ? ' (the location has it)' : ''}`));
        ok = false;
      }
      pathParams.add(pm[1]!);
      segments.push({ param: pm[1]! });
    } else if (/[{}]/.test(seg) || seg === '') {
      out.push(file.diagnostic([...at, 'path'], `'${seg}': a path parameter is a whole segment between slashes, {Name}`));
      ok = false;
    } else segments.push({ literal: seg });
  }
  const mfName = qualify(op.microflow, module);
  const mf = m.microflows.get(mfName);
  if (!mf) {
    out.push(file.diagnostic([...at, 'microflow'], `unknown microflow '${op.microflow}'`));
    return undefined;
  }
  const parameters: CRestParameter[] = [];
  const declared = mf.def.parameters ?? {};
  for (const p of Object.keys(op.parameters ?? {}))
    if (!(p in declared)) out.push(file.diagnostic([...at, 'parameters', p], `${mfName} has no parameter '${p}'`));
  let bodies = 0;
  let bodyEntity: string | undefined;
  for (const [pname, ptext] of Object.entries(declared)) {
    const type = restValueType(ptext, mf.module, m);
    const bind = op.parameters?.[pname];
    const where = bind ? [...at, 'parameters', pname] : [...at, 'microflow'];
    if (!type) {
      out.push(file.diagnostic(where, `parameter ${pname} of ${mfName} has type '${ptext}', which a REST request cannot supply`));
      ok = false;
      continue;
    }
    if (type.kind === 'object' && (type.entity === HTTP_REQUEST || type.entity === HTTP_RESPONSE)) {
      if (bind)
        out.push(file.diagnostic(where, `parameter ${pname} is the ${type.entity === HTTP_REQUEST ? 'request' : 'response'} itself: it has no binding`));
      parameters.push({ name: pname, source: type.entity === HTTP_REQUEST ? 'request' : 'response', key: pname, type, required: true });
      continue;
    }
    const structured = type.kind === 'object' || type.kind === 'list';
    const source = bind?.source ?? (pathParams.has(pname) || (located.has(pname) && !structured) ? 'path' : structured ? 'body' : 'query');
    if (structured && source !== 'body') {
      out.push(file.diagnostic(where, `parameter ${pname} is an object or list: it can only come from the body`));
      ok = false;
    }
    if (!structured && source === 'body' && !(type.kind === 'primitive' && type.type === 'String')) {
      out.push(file.diagnostic(where, `parameter ${pname}: a body is bound to an object, a list or a String`));
      ok = false;
    }
    if (source === 'body') {
      bodies++;
      if (bodies > 1) out.push(file.diagnostic(where, `only one parameter can come from the body (${pname} is the second)`));
      if (op.method === 'GET' || op.method === 'DELETE') out.push(file.diagnostic(where, `a ${op.method} operation has no body for parameter ${pname}`));
      if (structured) bodyEntity = type.entity;
    }
    const key = bind?.name ?? pname;
    if (source === 'path' && !pathParams.has(key) && !located.has(key))
      out.push(file.diagnostic(where, `parameter ${pname} is bound to {${key}}, which neither the path nor the location has`));
    parameters.push({
      name: pname,
      source,
      key,
      type,
      required: source === 'path' || source === 'body' ? true : (bind?.required ?? false),
      ...(bind?.description !== undefined ? { description: bind.description } : {}),
    });
  }
  for (const p of pathParams)
    if (!parameters.some((x) => x.source === 'path' && x.key === p))
      out.push(file.diagnostic([...at, 'path'], `path parameter {${p}} is not a parameter of ${mfName}`));

  const checkAttrs = (list: readonly string[] | undefined, entity: string | undefined, key: string): void => {
    if (!list) return;
    const e = entity ? m.entities.get(entity) : undefined;
    if (!e) {
      out.push(file.diagnostic([...at, key], `${key} needs ${key === 'import' ? 'a body parameter' : 'a microflow that returns an object or list'}`));
      return;
    }
    list.forEach((a, i) => {
      if (!e.attributes.has(a)) out.push(file.diagnostic([...at, key, 'attributes', i], `${e.name} has no attribute '${a}'`));
    });
  };
  checkAttrs(op.import?.attributes, bodyEntity, 'import');
  if (op.import && !bodyEntity && !op.import.attributes && !op.import.mapping)
    out.push(file.diagnostic([...at, 'import'], 'import needs a body parameter of an object or list type'));
  const returns = mf.def.returns && mf.def.returns !== 'Nothing' ? restValueType(mf.def.returns, mf.module, m) : undefined;
  if (mf.def.returns && mf.def.returns !== 'Nothing' && !returns)
    out.push(file.diagnostic([...at, 'microflow'], `${mfName} returns '${mf.def.returns}', which a REST answer cannot carry`));
  checkAttrs(op.export?.attributes, returns && (returns.kind === 'object' || returns.kind === 'list') ? returns.entity : undefined, 'export');
  const nested = (defs: Record<string, unknown> | undefined, entity: string | undefined, key: 'import' | 'export'): CRestNested[] => {
    const out2: CRestNested[] = [];
    for (const [name, d] of Object.entries(defs ?? {})) {
      const where = [...at, key, 'associations', name];
      const q = qualify(name, module);
      const a = m.associations.get(q);
      const e = entity ? m.entities.get(entity) : undefined;
      if (!a || a.type !== 'Reference') {
        out.push(file.diagnostic(where, a ? `${q} is a reference set: only Reference associations are mapped` : `unknown association '${name}'`));
        continue;
      }
      if (!e || !e.chain.includes(a.parent)) {
        out.push(file.diagnostic(where, `${q} does not start at ${entity ?? 'the mapped entity'}`));
        continue;
      }
      const child = m.entities.get(a.child)!;
      const attrs = (d as { attributes?: string[] }).attributes;
      const keyAttr = (d as { key?: string }).key;
      for (const [i, at2] of (attrs ?? []).entries())
        if (!child.attributes.has(at2)) out.push(file.diagnostic([...where, 'attributes', i], `${child.name} has no attribute '${at2}'`));
      if (keyAttr !== undefined && !child.attributes.has(keyAttr)) out.push(file.diagnostic([...where, 'key'], `${child.name} has no attribute '${keyAttr}'`));
      out2.push({
        association: q,
        key: a.shortName,
        entity: child.name,
        ...(attrs ? { attributes: attrs } : {}),
        ...(keyAttr ? { keyAttribute: keyAttr } : {}),
      });
    }
    return out2;
  };
  const exportAssociations = nested(
    op.export?.associations,
    returns && (returns.kind === 'object' || returns.kind === 'list') ? returns.entity : undefined,
    'export',
  );
  const importAssociations = nested(op.import?.associations, bodyEntity, 'import') as (CRestNested & { keyAttribute: string })[];
  const bodyType = parameters.find((p) => p.source === 'body')?.type;
  const mappingFor = (key: 'import' | 'export', t: RestValueType | undefined): string | undefined => {
    const d = op[key];
    if (!d?.mapping) return undefined;
    const where = [...at, key, 'mapping'];
    if (d.attributes || d.associations || (key === 'import' && op.import?.commit !== undefined))
      out.push(
        file.diagnostic(
          where,
          `a mapping replaces ${key}.attributes, ${key}.associations${key === 'import' ? ' and import.commit (the mapping has its own commit)' : ''}`,
        ),
      );
    const q = qualify(d.mapping, module);
    const mp = m.mappings?.get(q);
    if (!mp) {
      out.push(file.diagnostic(where, `unknown mapping '${d.mapping}'`));
      return undefined;
    }
    if (mp.kind !== key) out.push(file.diagnostic(where, `${q} is an ${mp.kind} mapping`));
    const want = mp.list ? 'list' : 'object';
    if (!t || (t.kind !== 'object' && t.kind !== 'list') || t.kind !== want || !m.entities.get(t.entity)?.chain.includes(mp.root.entity))
      out.push(
        file.diagnostic(
          where,
          `${q} maps ${mp.list ? 'a list of' : 'one'} ${mp.root.entity}, but the ${key === 'import' ? 'body parameter' : 'microflow result'} is ${t ? (t.kind === 'list' ? `a list of ${t.entity}` : t.kind === 'object' ? t.entity : 'not an object') : 'missing'}`,
        ),
      );
    return q;
  };
  const importMapping = mappingFor('import', bodyType);
  const exportMapping = mappingFor('export', returns);
  if (!ok) return undefined;
  return {
    method: op.method,
    exportAssociations,
    importAssociations,
    resource,
    path,
    segments,
    microflow: mfName,
    parameters,
    ...(op.import?.attributes ? { importAttributes: op.import.attributes } : {}),
    importCommit: op.import?.commit ?? false,
    ...(importMapping ? { importMapping } : {}),
    ...(exportMapping ? { exportMapping } : {}),
    ...(returns ? { returns } : {}),
    ...(op.export?.attributes ? { exportAttributes: op.export.attributes } : {}),
    ...(op.summary !== undefined ? { summary: op.summary } : {}),
    ...(op.description !== undefined ? { description: op.description } : {}),
    source: { file, path: at },
  };
}
