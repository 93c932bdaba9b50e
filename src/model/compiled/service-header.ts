import type { Diagnostic } from '../diagnostics.js';
import type { SourceFile } from '../load/source-file.js';
import { qualify } from './compile-domain.js';

/** What every published service (REST, OData) declares about itself, compiled the same way. */
export interface CServiceHeader {
  /** `Module.Name`. */
  readonly name: string;
  readonly module: string;
  readonly shortName: string;
  /** URL path without leading or trailing slash. */
  readonly location: string;
  /** REST: the path parameters of the location (`rest/{Tenant}/v1` -> Tenant), passed to every operation's microflow that takes one of that name. */
  readonly locationParams: readonly string[];
  /** Qualified module roles. */
  readonly allowedRoles: readonly string[];
  readonly cors?: { readonly allowedOrigins: readonly string[]; readonly allowCredentials: boolean; readonly maxAge?: number };
}

interface ServiceHeaderDef {
  readonly location?: string;
  readonly allowedRoles?: readonly string[];
  readonly authentication?: readonly string[];
  readonly cors?: { readonly allowedOrigins: string[]; readonly allowCredentials?: boolean; readonly maxAge?: number };
}

/** First path segments no service may take: the runtime's own handlers (Mendix reserves the same). */
const RUNTIME_PATHS = ['api-doc', 'rest-doc', 'odata-doc', 'xas', 'p', 'reload', 'file', 'ws', 'ws-doc', 'health', 'pages', 'assets', 'link'];

/**
 * Locations of every published service of the app, whatever its kind: a REST
 * and an OData service must not answer the same URLs either.
 */
export type ServiceLocations = Map<string, string>;

/**
 * Compiles a service's name, location (default `<kind>/<name>/v1`; path
 * segments; not a runtime path nor the other kind's prefix; unique among all
 * services), allowed roles, and CORS, with located diagnostics.
 */
export function compileServiceHeader(
  kind: 'rest' | 'odata',
  file: SourceFile,
  def: ServiceHeaderDef,
  moduleRoles: ReadonlySet<string>,
  locations: ServiceLocations,
  out: Diagnostic[],
): CServiceHeader {
  const module = file.module!;
  const shortName = file.unitName!;
  const name = `${module}.${shortName}`;
  const location = (def.location ?? `${kind}/${shortName.toLowerCase()}/v1`).replace(/^\/+|\/+$/g, '');
  // A REST location may hold path parameters after its first segment, as a Mendix service's parameters do.
  const segment = kind === 'rest' ? '([A-Za-z0-9_\\-.~]+|\\{[A-Za-z_][A-Za-z0-9_]*\\})' : '[A-Za-z0-9_\\-.~]+';
  if (!new RegExp(`^[A-Za-z0-9_\\-.~]+(\\/${segment})*$`).test(location))
    out.push(
      file.diagnostic(
        ['location'],
        `location '${location}' must be path segments of letters, digits, '-', '_', '.' or '~' separated by '/'${kind === 'rest' ? ', or path parameters {Name} after the first' : ''}`,
      ),
    );
  const locationParams = kind === 'rest' ? [...location.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((x) => x[1]!) : [];
  if (new Set(locationParams).size !== locationParams.length) out.push(file.diagnostic(['location'], 'a path parameter appears twice in the location'));
  const first = location.split('/')[0]!.toLowerCase();
  const otherKind = kind === 'rest' ? 'odata' : 'rest';
  if (RUNTIME_PATHS.includes(first) || first === otherKind)
    out.push(file.diagnostic(['location'], `location must not start with '${first}/': that path belongs to the runtime`));
  // Two locations that differ only in their parameters' names answer the same URLs.
  const shape = location.toLowerCase().replace(/\{[^}]*\}/g, '{}');
  const other = locations.get(shape);
  if (other) out.push(file.diagnostic(['location'], `location '${location}' is already used by the service ${other}`));
  else locations.set(shape, name);

  const allowedRoles: string[] = [];
  (def.allowedRoles ?? []).forEach((r, i) => {
    const q = qualify(r, module);
    if (!moduleRoles.has(q)) out.push(file.diagnostic(['allowedRoles', i], `unknown module role '${r}'`));
    else allowedRoles.push(q);
  });
  if ((def.authentication ?? []).length > 0 && (def.allowedRoles ?? []).length === 0)
    out.push(file.diagnostic(['authentication'], 'a service that requires authentication needs allowedRoles: the module roles that may call it'));
  if (def.cors?.allowCredentials && def.cors.allowedOrigins.includes('*'))
    out.push(
      file.diagnostic(
        ['cors', 'allowedOrigins'],
        "allowCredentials needs explicit origins: '*' with credentials would let any site call the service as its user",
      ),
    );
  return {
    name,
    module,
    shortName,
    location,
    locationParams,
    allowedRoles,
    ...(def.cors
      ? {
          cors: {
            allowedOrigins: def.cors.allowedOrigins,
            allowCredentials: def.cors.allowCredentials ?? false,
            ...(def.cors.maxAge !== undefined ? { maxAge: def.cors.maxAge } : {}),
          },
        }
      : {}),
  };
}
