import type { MxObject, MxProject, MxUnit } from './units.js';

/** Reading helpers over the plain BSON data. */
export const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
export const list = (v: unknown): MxObject[] => (Array.isArray(v) ? (v.filter((x) => x && typeof x === 'object') as MxObject[]) : []);
export const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
export const obj = (v: unknown): MxObject | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as MxObject) : undefined);
/** The short name of a qualified one (`Mod.Entity.Attr` -> `Attr`). */
export const last = (q: string): string => q.slice(q.lastIndexOf('.') + 1);
/** The module of a qualified name. */
export const moduleOf = (q: string): string => q.slice(0, q.indexOf('.'));

/** The text of a `Texts$Text` in the given language (or the first one present). */
export function text(v: unknown, language: string): string {
  const items = list(obj(v)?.Items);
  const t = items.find((i) => i.LanguageCode === language) ?? items.find((i) => str(i.Text) !== '') ?? items[0];
  return str(t?.Text);
}

/** Units by module: follows ContainerID up to the Projects$ModuleImpl (or, in model.mdp, the QualifiedName). */
export class ModelIndex {
  readonly byId = new Map<string, MxUnit>();
  readonly modules: string[] = [];
  readonly language: string;
  private readonly moduleCache = new Map<string, string | undefined>();

  constructor(readonly project: MxProject) {
    for (const u of project.units) this.byId.set(u.id, u);
    for (const u of project.units) if (u.doc.$Type === 'Projects$ModuleImpl') this.modules.push(str(u.doc.Name));
    for (const u of project.units) {
      const q = str(u.doc.QualifiedName);
      if (project.format === 'mdp' && q.includes('.') && !this.modules.includes(moduleOf(q)) && moduleOf(q) !== 'System') this.modules.push(moduleOf(q));
    }
    // A single unit names no module: it is imported into `Main`.
    if (project.format === 'unit') this.modules.push('Main');
    this.modules.sort();
    const settings = this.ofType('Settings$ProjectSettings')[0];
    const lang = list(settings?.doc.Settings).find((s) => s.$Type === 'Settings$LanguageSettings');
    this.language = str(lang?.DefaultLanguageCode) || 'en_US';
  }

  ofType(type: string): MxUnit[] {
    return this.project.units.filter((u) => u.doc.$Type === type);
  }

  /** The module a unit belongs to. */
  moduleOf(u: MxUnit): string | undefined {
    const q = str(u.doc.QualifiedName);
    if (this.project.format === 'unit') return 'Main';
    if (this.project.format === 'mdp') return q.includes('.') ? moduleOf(q) : undefined;
    if (this.moduleCache.has(u.id)) return this.moduleCache.get(u.id);
    let m: string | undefined;
    if (u.doc.$Type === 'Projects$ModuleImpl') m = str(u.doc.Name);
    else if (u.containerId && u.containerId !== u.id) {
      const parent = this.byId.get(u.containerId);
      m = parent ? this.moduleOf(parent) : undefined;
    }
    this.moduleCache.set(u.id, m);
    return m;
  }

  /** Units of a type, with their module, sorted by module and name (a stable order: an import twice gives the same files). */
  documents(type: string): { module: string; name: string; unit: MxUnit }[] {
    const out: { module: string; name: string; unit: MxUnit }[] = [];
    for (const u of this.ofType(type)) {
      const module = this.moduleOf(u);
      if (!module) continue;
      const name = str(u.doc.Name) || last(str(u.doc.QualifiedName));
      out.push({ module, name, unit: u });
    }
    return out.sort((a, b) => a.module.localeCompare(b.module) || a.name.localeCompare(b.name));
  }
}
