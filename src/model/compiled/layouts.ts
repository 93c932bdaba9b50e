import type { Diagnostic } from '../diagnostics.js';
import type { SourceFile } from '../load/source-file.js';
import { qualify } from './compile-domain.js';
import { countSidebarRegions } from './sidebar-region.js';
import type { CompiledModel, CPage } from './types.js';
import { walkPage, walkUnit, type WidgetVisit } from './widget-walk.js';

/** What a layout may hold: the frame around pages, never data (its widgets run no operation). */
const LAYOUT_WIDGETS = new Set([
  'placeholder',
  'navigationTree',
  // Fixed links to pages (a Mendix menu document's items): navigation, no data.
  'navigationList',
  'menuBar',
  'languageSelector',
  'staticText',
  'container',
  'layoutGrid',
  'groupBox',
  'tabContainer',
  'scrollContainer',
  'button',
  'sidebarToggle',
]);

const TOGGLE_WITHOUT_SIDEBAR =
  'a sidebar toggle collapses the sidebar of its layout, and this layout has none (a layout grid column holding a vertical navigationTree)';

/**
 * Layouts, placeholders and snippet calls, checked with locations: a page's layout
 * exists and has every placeholder the page fills; a layout has one `main`
 * placeholder and holds no data widget, and a sidebar toggle only with a sidebar; placeholders appear only in layouts; a
 * snippet call names an existing snippet, passes each of its parameters once, and
 * passes an object of the parameter's entity (or a specialization).
 */
export function checkLayouts(model: CompiledModel, appFile: SourceFile | undefined, out: Diagnostic[]): void {
  const layouts = model.layouts ?? new Map();
  const navLayout = model.app.navigation.layout;
  if (appFile && navLayout && !layouts.has(navLayout))
    out.push(appFile.diagnostic(['navigation', 'layout'], `unknown layout '${navLayout}'${known(layouts.keys())}`));

  const placeholdersOf = new Map<string, Set<string>>();
  for (const layout of layouts.values()) {
    const names = new Set<string>();
    const hasSidebar = countSidebarRegions(layout.def.widgets) > 0;
    walkUnit(model, layout, (v) => {
      // A static image (a logo) reads no data; an image of an object needs a data view, which a layout has not.
      const staticImage = v.kind === 'image' && typeof (v.body as { src?: unknown } | undefined)?.src === 'string';
      if (!LAYOUT_WIDGETS.has(v.kind) && !staticImage) {
        out.push(
          v.loc.file.diagnostic(
            v.loc.path,
            `a layout holds navigation, placeholders, texts, static images, containers and buttons that open pages or links; '${v.kind}' belongs in a page`,
          ),
        );
        return;
      }
      if (v.kind === 'button' && !opensPageOrCloses(v.body))
        out.push(v.loc.file.diagnostic([...v.loc.path, 'action'], 'a button in a layout may only open a page or a fixed link'));
      if (v.kind === 'sidebarToggle' && !hasSidebar) out.push(v.loc.file.diagnostic(v.loc.path, TOGGLE_WITHOUT_SIDEBAR));
      if (v.kind !== 'placeholder') return;
      const name = (v.body as { name?: unknown }).name;
      if (typeof name !== 'string') return;
      if (names.has(name)) out.push(v.loc.file.diagnostic([...v.loc.path, 'name'], `duplicate placeholder '${name}' in layout ${layout.name}`));
      names.add(name);
    });
    if (!names.has('main'))
      out.push(layout.source.file.diagnostic(['widgets'], `layout ${layout.name} has no placeholder named 'main' (where pages put their widgets)`));
    placeholdersOf.set(layout.name, names);
  }
  for (const snippet of model.snippets?.values() ?? []) {
    for (const [p, t] of Object.entries(snippet.def.parameters ?? {}))
      if (!model.entities.has(qualify(t, snippet.module))) out.push(snippet.source.file.diagnostic(['parameters', p], `unknown entity '${t}'`));
    walkUnit(model, snippet, (v) => {
      if (v.kind === 'placeholder') out.push(v.loc.file.diagnostic(v.loc.path, 'a placeholder belongs in a layout'));
      else if (v.kind === 'sidebarToggle') out.push(v.loc.file.diagnostic(v.loc.path, 'a sidebar toggle belongs in a layout'));
    });
  }

  for (const page of model.pages.values()) {
    if (page.def.layout && !layouts.has(page.layout!))
      out.push(page.source.file.diagnostic(['layout'], `unknown layout '${page.def.layout}'${known(layouts.keys())}`));
    const names = page.layout ? placeholdersOf.get(page.layout) : undefined;
    for (const name of Object.keys(page.def.placeholders ?? {})) {
      if (!page.layout) out.push(page.source.file.diagnostic(['placeholders', name], `page ${page.name} has no layout, so no placeholder '${name}'`));
      else if (names && (!names.has(name) || name === 'main'))
        out.push(
          page.source.file.diagnostic(
            ['placeholders', name],
            name === 'main'
              ? "the page's widgets fill 'main'; placeholders names the others"
              : `layout ${page.layout} has no placeholder '${name}'${known([...names].filter((n) => n !== 'main'))}`,
          ),
        );
    }
    walkPage(model, page, (v) => {
      if (v.kind === 'placeholder') out.push(v.loc.file.diagnostic(v.loc.path, 'a placeholder belongs in a layout'));
      else if (v.kind === 'sidebarToggle') out.push(v.loc.file.diagnostic(v.loc.path, 'a sidebar toggle belongs in a layout'));
      else if (v.kind === 'snippetCall') checkCall(model, page, v, out);
    });
  }
}

function checkCall(model: CompiledModel, page: CPage, v: WidgetVisit, out: Diagnostic[]): void {
  const body = v.body as { snippet?: unknown; parameters?: Record<string, unknown> };
  if (typeof body.snippet !== 'string') return;
  const at = (sub: (string | number)[], message: string) => out.push(v.loc.file.diagnostic([...v.loc.path, ...sub], message));
  const snippet = model.snippets?.get(qualify(body.snippet, v.module));
  if (!snippet) {
    at(['snippet'], `unknown snippet '${body.snippet}'${known(model.snippets?.keys() ?? [])}`);
    return;
  }
  if (v.snippets.includes(snippet.name)) {
    at(['snippet'], `snippet ${snippet.name} calls itself (through ${v.snippets.join(' -> ')})`);
    return;
  }
  const params = snippet.def.parameters ?? {};
  const args = body.parameters ?? {};
  for (const p of Object.keys(args))
    if (!Object.hasOwn(params, p)) at(['parameters', p], `snippet ${snippet.name} has no parameter '${p}'${known(Object.keys(params))}`);
  for (const [p, t] of Object.entries(params)) {
    const want = qualify(t, snippet.module);
    const arg = args[p];
    if (typeof arg !== 'string') {
      at(['parameters'], `the call of snippet ${snippet.name} must pass its parameter '${p}' (${want}): $currentObject or a page parameter`);
      continue;
    }
    let given: string | undefined;
    if (arg === '$currentObject') {
      if (!v.entity) {
        at(['parameters', p], `$currentObject: the call of snippet ${snippet.name} is not inside a data view, list view or grid`);
        continue;
      }
      given = v.entity;
    } else {
      const pt = page.def.parameters?.[arg.slice(1)];
      if (!pt) {
        at(['parameters', p], `unknown page parameter '${arg}' (use $currentObject or one of: ${Object.keys(page.def.parameters ?? {}).join(', ') || 'none'})`);
        continue;
      }
      given = qualify(pt, page.module);
    }
    if (!model.entities.get(given)?.chain.includes(want))
      at(['parameters', p], `parameter type mismatch: snippet ${snippet.name} expects ${want} for '${p}', ${arg} is a ${given}`);
  }
}

function opensPageOrCloses(button: unknown): boolean {
  const a = button && typeof button === 'object' ? (button as { action?: unknown }).action : undefined;
  return (
    !!a &&
    typeof a === 'object' &&
    (typeof (a as { open?: unknown }).open === 'string' ||
      typeof (a as { page?: unknown }).page === 'string' ||
      typeof (a as { openLink?: unknown }).openLink === 'string')
  );
}

function known(names: Iterable<string>): string {
  const list = [...names];
  return list.length ? ` (known: ${list.join(', ')})` : '';
}
