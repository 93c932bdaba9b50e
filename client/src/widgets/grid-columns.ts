import { useCallback, useState } from 'react';
import type { ClientColumn } from '../../../src/web-client/page-definition';

/**
 * The columns a user chose to hide in one grid (Data Grid 2's column selector),
 * kept in localStorage per page and grid so the choice outlives a reload. Only
 * attribute names are stored; a name no longer in the grid is ignored.
 */
export function useHiddenColumns(
  page: string,
  grid: string,
  columns: readonly ClientColumn[],
  enabled: boolean,
): [ReadonlySet<string>, (attribute: string, hidden: boolean) => void] {
  const key = `kiln.grid.${page}.${grid}.hidden`;
  const [hidden, setHidden] = useState<ReadonlySet<string>>(() => {
    const defaults = new Set(columns.filter((c) => c.hidden).map((c) => c.attribute));
    if (!enabled) return new Set();
    try {
      const stored: unknown = JSON.parse(localStorage.getItem(key) ?? 'null');
      return Array.isArray(stored) ? new Set(stored.filter((s): s is string => typeof s === 'string')) : defaults;
    } catch {
      return defaults; // storage unavailable or unreadable: the model's choice
    }
  });
  const set = useCallback(
    (attribute: string, hide: boolean) => {
      setHidden((prev) => {
        const next = new Set(prev);
        if (hide) next.add(attribute);
        else next.delete(attribute);
        try {
          localStorage.setItem(key, JSON.stringify([...next]));
        } catch {
          // storage full or blocked: the choice lasts for this page only
        }
        return next;
      });
    },
    [key],
  );
  return [hidden, set];
}
