/**
 * A layout's sidebar regions: the layout grid columns holding a vertical `navigationTree`
 * (directly or in containers, not in a grid of their own, whose column is then the region).
 * A `sidebarToggle` collapses and expands them; `kiln check` and the page definitions agree
 * on which columns they are through this one test.
 */
export function isSidebarColumn(column: unknown): boolean {
  return holdsVerticalNavigation(column && typeof column === 'object' ? (column as { widgets?: unknown }).widgets : undefined);
}

/** How many sidebar regions the widgets hold, in document order. */
export function countSidebarRegions(widgets: unknown): number {
  let n = 0;
  forEachWidget(widgets, (kind, body) => {
    if (kind === 'layoutGrid') for (const column of columnsOf(body)) if (isSidebarColumn(column)) n++;
  });
  return n;
}

function holdsVerticalNavigation(widgets: unknown): boolean {
  let found = false;
  forEachWidget(
    widgets,
    (kind, body) => {
      if (kind === 'navigationTree' && (body as { orientation?: unknown } | undefined)?.orientation !== 'horizontal') found = true;
    },
    // A nested grid's columns are regions of their own.
    (kind) => kind !== 'layoutGrid',
  );
  return found;
}

/** Visits every widget of a list, into containers, tabs and (unless `descend` says no) grid columns. */
function forEachWidget(widgets: unknown, visit: (kind: string, body: unknown) => void, descend: (kind: string) => boolean = () => true): void {
  if (!Array.isArray(widgets)) return;
  for (const w of widgets) {
    if (!w || typeof w !== 'object') continue;
    for (const [kind, body] of Object.entries(w)) {
      visit(kind, body);
      if (!body || typeof body !== 'object' || !descend(kind)) continue;
      forEachWidget((body as { widgets?: unknown }).widgets, visit, descend);
      const tabs = (body as { tabs?: unknown }).tabs;
      if (Array.isArray(tabs)) for (const t of tabs) forEachWidget((t as { widgets?: unknown } | null)?.widgets, visit, descend);
      for (const column of columnsOf(body)) forEachWidget((column as { widgets?: unknown }).widgets, visit, descend);
    }
  }
}

function columnsOf(body: unknown): object[] {
  const rows = body && typeof body === 'object' ? (body as { rows?: unknown }).rows : undefined;
  if (!Array.isArray(rows)) return [];
  return rows.flatMap((r) => {
    const cols = r && typeof r === 'object' ? (r as { columns?: unknown }).columns : undefined;
    return Array.isArray(cols) ? cols.filter((c): c is object => !!c && typeof c === 'object') : [];
  });
}
