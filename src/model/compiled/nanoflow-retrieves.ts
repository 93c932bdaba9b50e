import { qualify } from './compile-domain.js';
import type { CNanoflow, CompiledModel } from './types.js';
import { nanoflowActivities } from './nanoflow-activities.js';

/**
 * The retrieves of a nanoflow as the browser runs them. A retrieve from the database
 * is a runtime operation of the page (the server runs its XPath with the user's entity
 * access; the browser only sends the values of the XPath's variables). A retrieve by
 * association reads the reference the client holds when it follows the association from
 * its owner; otherwise (the other side, or a reference the client does not hold) it is
 * the same kind of operation, `//Other[Module.Assoc = $Object]`. Shared by the operation
 * registry (which registers the operations) and the plan builder (which names them).
 */
export interface NanoflowRetrieve {
  /** The activity's path in the nanoflow file, `body.2` (the key of its operation). */
  readonly at: string;
  /** The retrieved entity (qualified). */
  readonly entity: string;
  /** The operation's XPath, `//Module.Entity[...]`. */
  readonly xpath: string;
  readonly sort: readonly { readonly attribute: string; readonly descending: boolean }[];
  /** Variables of the XPath (without `$`): the browser sends their values as the operation's parameters. */
  readonly variables: readonly string[];
  /** By association: the association, and whether it is followed from its owner (the client may hold it). */
  readonly association?: { readonly name: string; readonly fromOwner: boolean; readonly object: string };
}

/** Variables of an XPath text (`$Name`, `$Name/Member`), in order of first use. */
export function xpathVariables(xpath: string): { name: string; path: boolean }[] {
  const out = new Map<string, boolean>();
  for (const m of xpath.replace(/'(?:[^']|'')*'|"[^"]*"/g, '').matchAll(/\$([A-Za-z_]\w*)(\/)?/g)) out.set(m[1]!, (out.get(m[1]!) ?? false) || m[2] === '/');
  return [...out].map(([name, path]) => ({ name, path }));
}

export function nanoflowRetrieves(model: CompiledModel, nf: CNanoflow): NanoflowRetrieve[] {
  const types = variableEntities(model, nf);
  const out: NanoflowRetrieve[] = [];
  for (const { a, key, path } of nanoflowActivities(nf.def.body, ['body'])) {
    if (key !== 'retrieve') continue;
    const d = a.retrieve as { from?: unknown; xpath?: unknown; sort?: unknown };
    const from = typeof d.from === 'string' ? d.from.trim() : '';
    const at = path.join('.');
    const assoc = /^\$(\w+)\/(.+)$/.exec(from);
    if (assoc) {
      const association = model.associations.get(qualify(assoc[2]!.trim(), nf.module));
      const objectEntity = model.entities.get(types.get(assoc[1]!) ?? '');
      if (!association || !objectEntity || association.parent === association.child) continue;
      const fromOwner = objectEntity.chain.includes(association.parent);
      const entity = fromOwner ? association.child : association.parent;
      out.push({
        at,
        entity,
        xpath: `//${entity}[${association.name} = $Object]`,
        sort: [],
        variables: ['Object'],
        association: { name: association.name, fromOwner, object: assoc[1]! },
      });
      continue;
    }
    const entity = model.entities.get(qualify(from, nf.module));
    if (!entity) continue;
    const constraint = typeof d.xpath === 'string' ? d.xpath.trim() : '';
    const sort = (Array.isArray(d.sort) ? d.sort : []).map((s) => {
      const [attribute, dir] = String(s).trim().split(/\s+/);
      return { attribute: attribute!, descending: /^desc/i.test(dir ?? '') };
    });
    out.push({ at, entity: entity.name, xpath: `//${entity.name}${constraint}`, sort, variables: xpathVariables(constraint).map((v) => v.name) });
  }
  return out;
}

/** The entity of each object or list variable of a nanoflow, in the order its activities declare them. */
function variableEntities(model: CompiledModel, nf: CNanoflow): Map<string, string> {
  const vars = new Map<string, string>();
  const entityOf = (type: unknown, module: string): string | undefined => {
    if (typeof type !== 'string') return undefined;
    const e = model.entities.get(qualify(type.replace(/^List of\s+/i, '').trim(), module));
    return e?.name;
  };
  const set = (name: unknown, entity: string | undefined) => {
    if (typeof name === 'string' && entity) vars.set(name, entity);
  };
  for (const [n, t] of Object.entries(nf.def.parameters ?? {})) set(n, entityOf(t, nf.module));
  for (const { a, key } of nanoflowActivities(nf.def.body, [])) {
    const d = a[key] as Record<string, unknown>;
    if (!d || typeof d !== 'object') continue;
    const ref = (v: unknown) => (typeof v === 'string' ? vars.get(v.replace(/^\$/, '').trim()) : undefined);
    switch (key) {
      case 'create':
      case 'createList':
        set(d.into, entityOf(d.entity, nf.module));
        break;
      case 'retrieve': {
        const from = String(d.from ?? '').trim();
        const assoc = /^\$(\w+)\/(.+)$/.exec(from);
        if (!assoc) set(d.into, entityOf(from, nf.module));
        else {
          const as = model.associations.get(qualify(assoc[2]!.trim(), nf.module));
          const own = vars.get(assoc[1]!);
          if (as && own) set(d.into, model.entities.get(own)?.chain.includes(as.parent) ? as.child : as.parent);
        }
        break;
      }
      case 'loop':
        set(d.as, ref(d.over));
        break;
      case 'listOperation':
        set(d.into, ref(d.list));
        break;
      case 'createVariable':
        set(d.name, entityOf(d.type, nf.module));
        break;
      case 'cast':
        set(d.into, entityOf(d.to, nf.module));
        break;
      case 'call': {
        const target = qualify(String(d.microflow ?? ''), nf.module);
        const callee = model.microflows.get(target) ?? model.nanoflows.get(target);
        if (callee) set(d.into, entityOf(callee.def.returns, callee.module));
        break;
      }
    }
  }
  return vars;
}
