import type { Diagnostic } from '../model/diagnostics.js';
import { pathToString } from '../model/diagnostics.js';
import type { CompiledModel, SourceRef } from '../model/compiled/types.js';
import { sqlite } from '../data/dialects/sqlite/index.js';
import { QueryError, XPathResolveError, XPathSyntaxError } from './errors.js';
import type { SortKey } from './oql/build.js';
import { QueryPlan } from './plan.js';

/**
 * `kiln check` for XPath: every access rule's constraint and every page data
 * source (`source: { xpath, sort }`) is parsed and resolved against the model,
 * and problems point at the line and column inside the XPath text.
 */
export function xpathModelCheck(model: CompiledModel, out: Diagnostic[]): void {
  for (const e of model.entities.values()) {
    // XPath on a non-persistable entity is already reported by the model checker.
    if (!e.persistable) continue;
    e.access.forEach((rule) => {
      if (!rule.xpath || !rule.source) return;
      check(model, out, rule.source, ['xpath'], rule.xpath, { xpath: rule.xpath, entity: e.name }, `access rule of ${e.name}`);
    });
  }
  const units = [
    ...[...model.pages.values()].map((p) => ({ name: p.name, file: p.source.file, widgets: p.def.widgets, placeholders: p.def.placeholders ?? {} })),
    // A snippet's data sources do not depend on its arguments: checked once, in its own file.
    ...[...(model.snippets?.values() ?? [])].map((s) => ({ name: s.name, file: s.source.file, widgets: s.def.widgets, placeholders: {} })),
  ];
  for (const page of units) {
    walk([page.widgets, page.placeholders], [], (source, rawPath) => {
      const path = rawPath[0] === 0 ? ['widgets', ...rawPath.slice(1)] : ['placeholders', ...rawPath.slice(1)];
      const xpath = source.xpath;
      if (typeof xpath !== 'string') return;
      const sort = normaliseSort(source.sort);
      const entity = typeof source.entity === 'string' ? source.entity : undefined;
      check(
        model,
        out,
        { file: page.file, path },
        ['xpath'],
        xpath,
        { xpath, ...(entity ? { entity } : {}), ...(sort ? { sort } : {}) },
        `data source of ${page.name}`,
        [...path, 'sort'],
      );
    });
  }
}

function check(
  model: CompiledModel,
  out: Diagnostic[],
  src: SourceRef,
  sub: (string | number)[],
  text: string,
  request: ConstructorParameters<typeof QueryPlan>[1],
  what: string,
  sortPath?: (string | number)[],
): void {
  const path = [...src.path, ...sub];
  try {
    new QueryPlan(model, request, sqlite);
  } catch (e) {
    if (e instanceof XPathSyntaxError || e instanceof XPathResolveError) {
      // Constraint text is trimmed when compiled: find where it starts in the file's value.
      const raw = valueAt(src, path);
      const lead = typeof raw === 'string' ? Math.max(0, raw.indexOf(text)) : 0;
      const loc = src.file.locateInside(path, lead + e.position);
      out.push({ severity: 'error', file: src.file.relPath, line: loc.line, column: loc.column, path: pathToString(path), message: `${what}: ${e.message}` });
      return;
    }
    if (e instanceof QueryError) {
      const p = sortPath && /sort/.test(e.message) ? sortPath : path;
      out.push(src.file.diagnostic(p, `${what}: ${e.message}`));
      return;
    }
    throw e;
  }
}

function valueAt(src: SourceRef, path: readonly (string | number)[]): unknown {
  let v: unknown = src.file.data;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

function normaliseSort(raw: unknown): SortKey[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  return raw.flatMap((s): SortKey[] => {
    if (typeof s === 'string') return [{ attribute: s }];
    if (s && typeof s === 'object' && typeof (s as { attribute?: unknown }).attribute === 'string') {
      return [{ attribute: (s as { attribute: string }).attribute, descending: !!(s as { descending?: unknown }).descending }];
    }
    return [];
  });
}

/**
 * Calls `fn` for every `source` object found in the widget tree, with its path (a copy: the walk
 * pushes and pops one array, as it visits every node of every page).
 */
function walk(node: unknown, path: (string | number)[], fn: (source: Record<string, unknown>, path: (string | number)[]) => void): void {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      path.push(i);
      walk(node[i], path, fn);
      path.pop();
    }
    return;
  }
  if (!node || typeof node !== 'object') return;
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    path.push(k);
    if (k === 'source' && v && typeof v === 'object' && !Array.isArray(v)) fn(v as Record<string, unknown>, [...path]);
    else walk(v, path, fn);
    path.pop();
  }
}
