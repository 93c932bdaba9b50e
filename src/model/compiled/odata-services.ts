import type { Diagnostic } from '../diagnostics.js';
import type { SourceFile } from '../load/source-file.js';
import type { ODataServiceFile } from '../schema/index.js';
import { qualify } from './compile-domain.js';
import { restValueType, type RestValueType } from './rest-services.js';
import { compileServiceHeader, type ServiceLocations } from './service-header.js';
import type { CAssociation, CEntity, CMicroflow } from './types.js';

/** A published attribute: the property has the attribute's name. */
export interface CODataProperty {
  readonly name: string;
}

/** A published association, seen from one entity set. */
export interface CODataNavigation {
  /** Navigation property name. */
  readonly name: string;
  /** Qualified association name. */
  readonly association: string;
  /** The entity set at the other end (in the same service). */
  readonly target: string;
  /** The set's entity is the association's parent (owner): it holds the reference. */
  readonly fromParent: boolean;
  /** Many entities at the other end: a reference set, or a Reference followed from its child. */
  readonly collection: boolean;
}

export interface CODataCapabilities {
  readonly readable: boolean;
  readonly insertable: boolean;
  readonly updatable: boolean;
  readonly deletable: boolean;
  readonly countable: boolean;
  readonly topSkip: boolean;
}

export interface CODataSet {
  /** Entity set name, the URL segment. */
  readonly name: string;
  /** Qualified entity. */
  readonly entity: string;
  /** Entity type name in $metadata. */
  readonly typeName: string;
  readonly description?: string;
  readonly properties: readonly CODataProperty[];
  readonly navigations: readonly CODataNavigation[];
  readonly capabilities: CODataCapabilities;
  readonly pageSize?: number;
}

/** A microflow exposed as an OData action (`POST <location>/<name>`). */
export interface CODataAction {
  readonly name: string;
  readonly microflow: string;
  readonly description?: string;
  /** Microflow parameters in order: primitives and enumerations, from the JSON body. */
  readonly parameters: readonly { readonly name: string; readonly type: RestValueType }[];
  /** Undefined: the microflow returns nothing (204). Objects and lists are of a published set's entity. */
  readonly returns?: RestValueType;
  /** The entity set of a returned object or list. */
  readonly returnSet?: string;
}

export interface CODataService {
  /** `Module.Name`. */
  readonly name: string;
  readonly module: string;
  readonly shortName: string;
  /** URL path without leading or trailing slash: `odata/sales/v1`. */
  readonly location: string;
  readonly version: string;
  readonly namespace: string;
  readonly description?: string;
  readonly authentication: readonly ('basic' | 'session')[];
  /** Qualified module roles. */
  readonly allowedRoles: readonly string[];
  readonly cors?: { readonly allowedOrigins: readonly string[]; readonly allowCredentials: boolean; readonly maxAge?: number };
  readonly sets: readonly CODataSet[];
  readonly actions: readonly CODataAction[];
}

interface ODataInput {
  readonly entities: ReadonlyMap<string, CEntity>;
  readonly associations: ReadonlyMap<string, CAssociation>;
  readonly enumerations: ReadonlyMap<string, unknown>;
  readonly moduleRoles: ReadonlySet<string>;
  readonly microflows: ReadonlyMap<string, CMicroflow>;
}

/**
 * Compiles the published OData services: location (default `odata/<name>/v1`,
 * unique, not a runtime path), entity sets (persistable entity, exposed names
 * unique, attributes that a property can carry), navigation properties (the
 * association touches the entity, the other end is published in the service),
 * roles. Every problem is a located diagnostic.
 */
export function compileODataServices(
  files: readonly { file: SourceFile; def: ODataServiceFile }[],
  m: ODataInput,
  locations: ServiceLocations,
  out: Diagnostic[],
): Map<string, CODataService> {
  const services = new Map<string, CODataService>();
  for (const { file, def } of files) {
    const header = compileServiceHeader('odata', file, def, m.moduleRoles, locations, out);
    const { name, module } = header;
    const authentication = [...new Set(def.authentication ?? [])];

    // Entities first: navigation properties point at the sets of the other end.
    const entitySets = Object.entries(def.entitySets);
    const setOf = new Map<string, string>();
    const typeNames = new Map<string, string>();
    const resolved = new Map<string, CEntity>();
    for (const [setName, s] of entitySets) {
      const at = ['entitySets', setName];
      const q = qualify(s.entity, module);
      const e = m.entities.get(q);
      if (!e) {
        out.push(file.diagnostic([...at, 'entity'], `unknown entity '${s.entity}'`));
        continue;
      }
      if (!e.persistable) {
        out.push(file.diagnostic([...at, 'entity'], `${q} is not persistable: only persistable entities can be published`));
        continue;
      }
      resolved.set(setName, e);
      if (!setOf.has(q)) setOf.set(q, setName);
      const typeName = s.exposedName ?? e.shortName;
      const prev = typeNames.get(typeName);
      if (prev)
        out.push(file.diagnostic([...at, s.exposedName ? 'exposedName' : 'entity'], `the exposed name '${typeName}' is already used by the set ${prev}`));
      typeNames.set(typeName, setName);
    }

    const sets: CODataSet[] = [];
    for (const [setName, s] of entitySets) {
      const e = resolved.get(setName);
      if (!e) continue;
      const at = ['entitySets', setName];
      const publishable = (a: string) => {
        const attr = e.attributes.get(a);
        return attr && attr.type !== 'Binary' && attr.type !== 'HashedString';
      };
      const properties: CODataProperty[] = [];
      if (s.attributes) {
        s.attributes.forEach((a, i) => {
          const attr = e.attributes.get(a);
          if (!attr) out.push(file.diagnostic([...at, 'attributes', i], `${e.name} has no attribute '${a}'`));
          else if (!publishable(a)) out.push(file.diagnostic([...at, 'attributes', i], `${attr.type} attribute '${a}' cannot be published`));
          else if (a === 'ID') out.push(file.diagnostic([...at, 'attributes', i], "an attribute named 'ID' clashes with the key property ID"));
          else properties.push({ name: a });
        });
      } else {
        for (const a of e.attributes.keys()) if (publishable(a) && a !== 'ID') properties.push({ name: a });
      }
      const navigations: CODataNavigation[] = [];
      for (const [assocName, navName] of Object.entries(s.associations ?? {})) {
        const where = [...at, 'associations', assocName];
        const q = qualify(assocName, module);
        const a = m.associations.get(q);
        if (!a) {
          out.push(file.diagnostic(where, `unknown association '${assocName}'`));
          continue;
        }
        if (a.parent === a.child) {
          out.push(file.diagnostic(where, `${q} associates ${a.parent} with itself: self-associations are not published yet`));
          continue;
        }
        const fromParent = e.chain.includes(a.parent);
        if (!fromParent && !e.chain.includes(a.child)) {
          out.push(file.diagnostic(where, `${q} does not touch ${e.name} (it associates ${a.parent} with ${a.child})`));
          continue;
        }
        const otherEntity = fromParent ? a.child : a.parent;
        const target = setOf.get(otherEntity) ?? [...resolved].find(([, x]) => x.chain.includes(otherEntity))?.[0];
        if (!target) {
          out.push(file.diagnostic(where, `${otherEntity} (the other end of ${q}) is not published in this service: add an entity set for it`));
          continue;
        }
        if (properties.some((p) => p.name === navName) || navName === 'ID' || navigations.some((n) => n.name === navName)) {
          out.push(file.diagnostic(where, `the navigation property name '${navName}' is already used on ${setName}`));
          continue;
        }
        navigations.push({ name: navName, association: q, target, fromParent, collection: a.type === 'ReferenceSet' || !fromParent });
      }
      const c = s.capabilities ?? {};
      sets.push({
        name: setName,
        entity: e.name,
        typeName: s.exposedName ?? e.shortName,
        ...(s.description !== undefined ? { description: s.description } : {}),
        properties,
        navigations,
        capabilities: {
          readable: c.readable ?? true,
          insertable: c.insertable ?? false,
          updatable: c.updatable ?? false,
          deletable: c.deletable ?? false,
          countable: c.countable ?? true,
          topSkip: c.topSkip ?? true,
        },
        ...(s.pageSize !== undefined ? { pageSize: s.pageSize } : {}),
      });
    }
    const actions: CODataAction[] = [];
    for (const [actionName, a] of Object.entries(def.actions ?? {})) {
      const at = ['actions', actionName];
      if (resolved.has(actionName)) {
        out.push(file.diagnostic(at, `'${actionName}' is already the name of an entity set`));
        continue;
      }
      const mfName = qualify(a.microflow, module);
      const mf = m.microflows.get(mfName);
      if (!mf) {
        out.push(file.diagnostic([...at, 'microflow'], `unknown microflow '${a.microflow}'`));
        continue;
      }
      let ok = true;
      const parameters: { name: string; type: RestValueType }[] = [];
      for (const [pname, ptext] of Object.entries(mf.def.parameters ?? {})) {
        const type = restValueType(ptext, mf.module, m);
        if (!type || type.kind === 'object' || type.kind === 'list') {
          out.push(
            file.diagnostic([...at, 'microflow'], `parameter ${pname} of ${mfName} has type '${ptext}': an action takes primitive and enumeration parameters`),
          );
          ok = false;
        } else parameters.push({ name: pname, type });
      }
      const rt = mf.def.returns && mf.def.returns !== 'Nothing' ? restValueType(mf.def.returns, mf.module, m) : undefined;
      if (mf.def.returns && mf.def.returns !== 'Nothing' && !rt) {
        out.push(file.diagnostic([...at, 'microflow'], `${mfName} returns '${mf.def.returns}', which an action cannot answer`));
        ok = false;
      }
      let returnSet: string | undefined;
      if (rt && (rt.kind === 'object' || rt.kind === 'list')) {
        returnSet = setOf.get(rt.entity);
        if (!returnSet) {
          out.push(file.diagnostic([...at, 'microflow'], `${mfName} returns ${rt.entity}, which this service does not publish: add an entity set for it`));
          ok = false;
        }
      }
      if (!ok) continue;
      actions.push({
        name: actionName,
        microflow: mfName,
        ...(a.description !== undefined ? { description: a.description } : {}),
        parameters,
        ...(rt ? { returns: rt } : {}),
        ...(returnSet ? { returnSet } : {}),
      });
    }
    services.set(name, {
      ...header,
      version: def.version ?? '1.0.0',
      namespace: def.namespace ?? 'DefaultNamespace',
      ...(def.description !== undefined ? { description: def.description } : {}),
      authentication,
      sets,
      actions,
    });
  }
  return services;
}
