import { list, type ModelIndex, obj, str, text } from './model-index.js';
import type { Reporter } from './report.js';

type Json = Record<string, unknown>;

/**
 * Mendix menu documents (`Menus$MenuDocument`). Kiln has no reusable menu: a menu bar or
 * navigation tree that shows one gets its items (`menuBar` / `navigationList` with `items`),
 * and each document is reported by whether an imported widget shows it.
 */
export class MenuDocuments {
  private readonly docs = new Map<string, { items: Json[]; notes: string[] }>();
  /** Menu documents an imported widget shows. */
  readonly used = new Set<string>();

  constructor(private readonly index: ModelIndex) {
    const pages = new Set(
      index
        .documents('Forms$Page')
        .filter((d) => d.unit.doc.Excluded !== true)
        .map((d) => `${d.module}.${d.name}`),
    );
    for (const d of index.documents('Menus$MenuDocument')) {
      const items: Json[] = [];
      const notes: string[] = [];
      const walk = (its: unknown) => {
        for (const it of list(its)) {
          const caption = text(it.Caption, index.language);
          const a = obj(it.Action);
          const page = str(obj(a?.FormSettings ?? a?.PageSettings)?.Form ?? obj(a?.FormSettings ?? a?.PageSettings)?.Page);
          // Kiln's menu widgets open pages; other actions (a microflow, a sign-out) have no item form.
          if (page && pages.has(page)) items.push({ caption, page });
          else if (page) notes.push(`item '${caption}' left out (its page ${page} is not imported)`);
          else if (a && a.$Type !== 'Forms$NoAction')
            notes.push(`item '${caption}' left out (${str(a.$Type).replace(/^Forms\$/, '')}: Kiln's menu items open pages)`);
          if (list(it.Items).length) notes.push(`sub-items of '${caption}' flattened`);
          walk(it.Items);
        }
      };
      walk(obj(d.unit.doc.ItemCollection)?.Items);
      this.docs.set(`${d.module}.${d.name}`, { items, notes });
    }
  }

  /** The items of a menu document a widget shows (marking it used); undefined when there is no such menu. */
  items(qualified: string): Json[] | undefined {
    const d = this.docs.get(qualified);
    if (!d) return undefined;
    this.used.add(qualified);
    return d.items;
  }

  /** Reports each menu document: imported into the widgets that show it, or not imported. */
  report(reporter: Reporter, modules: readonly string[]): void {
    const shownBy = this.shownBy();
    for (const d of this.index.documents('Menus$MenuDocument')) {
      if (!modules.includes(d.module)) continue;
      const q = `${d.module}.${d.name}`;
      if (this.used.has(q)) {
        reporter.count('menu document', this.docs.get(q)!.notes, q);
        continue;
      }
      const by = shownBy.get(q) ?? [];
      reporter.skip(
        'menu document',
        q,
        `${by.length ? `only ${by.join(', ')} show${by.length === 1 ? 's' : ''} it, not imported` : 'no widget shows it'} (Kiln has no menu document: the menu bars and navigation trees that show one get its items)`,
      );
    }
  }

  /** Menu document -> the layouts, pages and snippets with a widget that shows it. */
  private shownBy(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    const walk = (v: unknown, where: string): void => {
      if (Array.isArray(v)) for (const x of v) walk(x, where);
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (o.$Type === 'Forms$MenuDocumentSource' && typeof o.Menu === 'string') {
          const by = out.get(o.Menu) ?? [];
          if (!by.includes(where)) by.push(where);
          out.set(o.Menu, by);
        } else for (const x of Object.values(o)) walk(x, where);
      }
    };
    for (const type of ['Forms$Layout', 'Forms$Page', 'Forms$Snippet']) for (const d of this.index.documents(type)) walk(d.unit.doc, `${d.module}.${d.name}`);
    return out;
  }
}

const cache = new WeakMap<ModelIndex, MenuDocuments>();

/** The project's menu documents (one instance per index, shared by the layouts, pages and snippets converted). */
export function menuDocuments(index: ModelIndex): MenuDocuments {
  let m = cache.get(index);
  if (!m) {
    m = new MenuDocuments(index);
    cache.set(index, m);
  }
  return m;
}
