import type { Diagnostic } from '../diagnostics.js';
import type { CompiledModel } from '../compiled/types.js';
import { closestName } from './suggest.js';

const ATTRIBUTE_TYPES = ['String', 'Integer', 'Long', 'Decimal', 'Boolean', 'DateTime', 'Enumeration', 'AutoNumber', 'Binary', 'HashedString'];

/**
 * Names whose definitions are broken: they still exist for the checker (with an
 * error type), so references to them add no follow-on errors.
 */
export interface BrokenNames {
  /** Qualified members, `Module.Entity.Member`, and qualified elements, `Module.Name`. */
  readonly members: ReadonlySet<string>;
}

/**
 * The last step of a check: drops duplicates and follow-on errors, adds a code
 * and a "did you mean" to each diagnostic that lacks one, and orders them root
 * cause first (files that do not parse, then schema violations, then the domain
 * models the other files depend on, then the rest), by file and line within each.
 */
export function refineDiagnostics(ds: readonly Diagnostic[], model: CompiledModel | undefined, broken: BrokenNames): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of ds) {
    const key = `${d.severity}|${d.file}|${d.line}|${d.column ?? ''}|${d.path}|${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // The same message at the same place said twice in other words (e.g. a sort's own error and its data source's).
    if (model && isFollowOn(d, model, broken)) continue;
    out.push(enrich(d, model));
  }
  // "data source of P: cannot sort on 'X': unknown attribute 'X' of E" repeats "unknown attribute 'X' of E" said at the same line.
  const inner = new Set(out.map((d) => `${d.file}|${d.line}|${d.message}`));
  const kept = out.filter((d) => {
    const m = /: ([^:]+)$/.exec(d.message);
    return !(m && m[1] !== d.message && inner.has(`${d.file}|${d.line}|${m[1]}`));
  });
  return kept.sort((a, b) => rank(a) - rank(b) || (a.file === b.file ? a.line - b.line || (a.column ?? 0) - (b.column ?? 0) : a.file < b.file ? -1 : 1));
}

function rank(d: Diagnostic): number {
  if (d.code === 'yaml-syntax' || d.code === 'duplicate-key' || d.code === 'file') return 0;
  if (d.code?.startsWith('schema-')) return 1;
  if (/(^|\/)domain-model\.(ya?ml|json)$/i.test(d.file) || d.file === 'app.yaml') return 2;
  return 3;
}

/** A reference to a member or element whose own definition is already reported. */
function isFollowOn(d: Diagnostic, model: CompiledModel, broken: BrokenNames): boolean {
  if (broken.members.size === 0) return false;
  for (const m of d.message.matchAll(/'([\w.]+)' of ([\w.]+)/g)) {
    const entity = model.entities.get(m[2]!);
    const owners = entity ? [...entity.chain, ...specialisations(model, m[2]!)] : [m[2]!];
    if (owners.some((o) => broken.members.has(`${o}.${m[1]}`))) return true;
  }
  for (const m of d.message.matchAll(/'([A-Za-z_]\w*\.[A-Za-z_]\w*)'/g)) if (broken.members.has(m[1]!)) return true;
  return false;
}

function specialisations(model: CompiledModel, entity: string): string[] {
  return [...model.entities.values()].filter((e) => e.chain.includes(entity)).map((e) => e.name);
}

const UNKNOWN = /^(?:.*: )?unknown ([a-z ]+?) '([^']+)'(?: of ([\w.]+))?/;

function enrich(d: Diagnostic, model: CompiledModel | undefined): Diagnostic {
  const m = UNKNOWN.exec(d.message);
  const code = d.code ?? (m ? `unknown-${m[1]!.replace(/ /g, '-')}` : d.line === 0 && d.path === '' ? 'file' : 'model');
  if (d.suggestion !== undefined || d.message.includes('did you mean') || !m) return { ...d, code };
  const [, what, name, owner] = m as unknown as [string, string, string, string | undefined];
  const module = /^modules\/([^/]+)\//.exec(d.file)?.[1];
  const candidates = model ? candidatesFor(what, name, owner, module, model) : what === 'attribute type' ? ATTRIBUTE_TYPES : [];
  const suggestion = closestName(name, candidates);
  return suggestion ? { ...d, code, suggestion } : { ...d, code };
}

function candidatesFor(what: string, name: string, owner: string | undefined, module: string | undefined, model: CompiledModel): string[] {
  const named = (qualified: Iterable<string>) => {
    const all = [...qualified];
    if (name.includes('.')) return all;
    const inModule = module ? all.filter((q) => q.startsWith(`${module}.`)) : all;
    return inModule.map((q) => q.slice(q.indexOf('.') + 1));
  };
  switch (what) {
    case 'attribute type':
    case 'type':
      return ATTRIBUTE_TYPES;
    case 'entity':
      return named(model.entities.keys());
    case 'entity or enumeration':
      return named([...model.entities.keys(), ...model.enumerations.keys()]);
    case 'enumeration':
      return named(model.enumerations.keys());
    case 'page':
      return named(model.pages.keys());
    case 'microflow':
      return named(model.microflows.keys());
    case 'module role':
      return named(model.moduleRoles);
    case 'user role':
      return [...model.security.userRoles.keys()];
    case 'association':
      return named(model.associations.keys());
    default: {
      const entity = owner ? model.entities.get(owner) : undefined;
      if (!entity) return [];
      const assocs = [...entity.parentOf, ...entity.childOf];
      return [...entity.attributes.keys(), ...assocs, ...assocs.map((a) => a.slice(a.indexOf('.') + 1))];
    }
  }
}
