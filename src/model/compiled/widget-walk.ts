import type { SourceFile } from '../load/source-file.js';
import { qualify } from './compile-domain.js';
import { instantiateSnippet } from './snippets.js';
import type { CompiledModel, CPage, SourceRef } from './types.js';

/** One widget met while walking a page, with where it is written and the object it sits in. */
export interface WidgetVisit {
  readonly kind: string;
  /** The widget's body (a string for the short forms `staticText: Hello`). */
  readonly body: unknown;
  /** Path from the page's root, through snippet calls (`widgets/0/snippetCall/widgets/1/...`): the path the registry and page definitions use. */
  readonly path: readonly (string | number)[];
  /** Where the widget is written: the page's, layout's or snippet's file and the path in it. */
  readonly loc: SourceRef;
  /** Module of the file that holds it (for unqualified names). */
  readonly module: string;
  /** Entity of the enclosing data view, list item or grid row. */
  readonly entity?: string;
  /** Snippets being expanded around it, outermost first. */
  readonly snippets: readonly string[];
}

interface Ctx {
  readonly page?: CPage;
  readonly file: SourceFile;
  readonly module: string;
  /** Path in `file` that corresponds to `prefix` of the page-rooted path. */
  readonly base: readonly (string | number)[];
  readonly prefixLength: number;
  readonly entity?: string;
  readonly snippets: readonly string[];
}

/** Data widgets: their own widgets sit in the objects they show. */
const DATA = new Set(['dataGrid', 'listView', 'dataView']);
/** Deep enough for any real nesting of snippets; a cycle is reported before. */
const MAX_SNIPPET_DEPTH = 16;

/**
 * Walks every widget of a page (its content and placeholder widgets), into containers,
 * data widgets and snippet calls (the snippet's widgets as instantiated for the call),
 * telling each visit the entity of its context object. Used by the checks that need
 * that context (snippet arguments, conditions) and by the page definitions' conditions.
 */
export function walkPage(model: CompiledModel, page: CPage, visit: (v: WidgetVisit) => void): void {
  const ctx: Ctx = { page, file: page.source.file, module: page.module, base: [], prefixLength: 0, snippets: [] };
  walkList(model, page.def.widgets, ['widgets'], ctx, visit);
  for (const [name, list] of Object.entries(page.def.placeholders ?? {})) walkList(model, list, ['placeholders', name], ctx, visit);
}

/** Walks a layout's or snippet's own widgets (no page; snippet calls are not expanded). */
export function walkUnit(
  model: CompiledModel,
  unit: { module: string; source: SourceRef; def: { widgets: unknown[] } },
  visit: (v: WidgetVisit) => void,
): void {
  const ctx: Ctx = { file: unit.source.file, module: unit.module, base: [], prefixLength: 0, snippets: ['*'] };
  walkList(model, unit.def.widgets, ['widgets'], ctx, visit);
}

function walkList(model: CompiledModel, list: unknown, path: (string | number)[], ctx: Ctx, visit: (v: WidgetVisit) => void): void {
  if (!Array.isArray(list)) return;
  list.forEach((w, i) => {
    walkWidget(model, w, [...path, i], ctx, visit);
  });
}

function walkWidget(model: CompiledModel, w: unknown, path: (string | number)[], ctx: Ctx, visit: (v: WidgetVisit) => void): void {
  if (!w || typeof w !== 'object' || Array.isArray(w)) return;
  const [kind] = Object.keys(w);
  if (!kind) return;
  const body = (w as Record<string, unknown>)[kind];
  const bpath = [...path, kind];
  const loc: SourceRef = { file: ctx.file, path: [...ctx.base, ...bpath.slice(ctx.prefixLength)] };
  visit({ kind, body, path: bpath, loc, module: ctx.module, ...(ctx.entity ? { entity: ctx.entity } : {}), snippets: ctx.snippets });
  if (!body || typeof body !== 'object' || Array.isArray(body)) return;
  const b = body as Record<string, unknown>;
  if (kind === 'snippetCall') {
    if (!ctx.page || ctx.snippets.length >= MAX_SNIPPET_DEPTH || typeof b.snippet !== 'string') return;
    const snippet = model.snippets?.get(qualify(b.snippet, ctx.module));
    if (!snippet || ctx.snippets.includes(snippet.name)) return;
    const args = (b.parameters && typeof b.parameters === 'object' ? b.parameters : {}) as Record<string, string>;
    const inner: Ctx = {
      ...ctx,
      file: snippet.source.file,
      module: snippet.module,
      base: ['widgets'],
      prefixLength: bpath.length + 1,
      snippets: [...ctx.snippets, snippet.name],
    };
    walkList(model, instantiateSnippet(snippet, args), [...bpath, 'widgets'], inner, visit);
    return;
  }
  if (DATA.has(kind)) {
    const entity = sourceEntity(model, ctx, b.source);
    const inner: Ctx = { ...ctx, ...(entity ? { entity } : {}) };
    walkList(model, b.widgets, [...bpath, 'widgets'], inner, visit);
    for (const key of ['buttons', 'rowButtons'])
      if (Array.isArray(b[key]))
        (b[key] as unknown[]).forEach((x, i) => {
          walkWidget(model, { button: x }, [...bpath, key, i], inner, visit);
        });
    return;
  }
  // Containers, group boxes, tabs, layout grids: every nested list of widgets.
  for (const [k, v] of Object.entries(b))
    if (Array.isArray(v))
      v.forEach((x, i) => {
        walkNested(model, x, [...bpath, k, i], ctx, visit);
      });
}

/** A widget, or a row/column/tab object that holds lists of widgets. */
function walkNested(model: CompiledModel, x: unknown, path: (string | number)[], ctx: Ctx, visit: (v: WidgetVisit) => void): void {
  if (!x || typeof x !== 'object' || Array.isArray(x)) return;
  const keys = Object.keys(x);
  const only = keys.length === 1 ? (x as Record<string, unknown>)[keys[0]!] : undefined;
  if (keys.length === 1 && !Array.isArray(only)) {
    walkWidget(model, x, path, ctx, visit);
    return;
  }
  for (const [k, v] of Object.entries(x))
    if (Array.isArray(v))
      v.forEach((y, i) => {
        walkNested(model, y, [...path, k, i], ctx, visit);
      });
}

/** The entity a data widget's source yields: `//Module.Entity...`, a page parameter, a microflow's result. */
function sourceEntity(model: CompiledModel, ctx: { page?: CPage; module: string }, source: unknown): string | undefined {
  if (!source || typeof source !== 'object') return undefined;
  const s = source as Record<string, unknown>;
  if (typeof s.xpath === 'string') {
    const m = /^\s*\/\/([A-Za-z_]\w*\.[A-Za-z_]\w*)/.exec(s.xpath);
    return m && model.entities.has(m[1]!) ? m[1] : undefined;
  }
  if (typeof s.parameter === 'string') {
    const t = ctx.page?.def.parameters?.[s.parameter];
    const q = t ? qualify(t, ctx.page!.module) : undefined;
    return q && model.entities.has(q) ? q : undefined;
  }
  if (typeof s.microflow === 'string') {
    const mf = model.microflows.get(qualify(s.microflow, ctx.module));
    const ret = (mf?.def.returns ?? '').replace(/^List of\s+/i, '').trim();
    return model.entities.has(ret) ? ret : undefined;
  }
  return undefined;
}
