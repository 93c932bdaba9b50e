import { useCallback, useEffect, useRef, useState } from 'react';
import type { ClientListSource } from '../../../src/web-client/page-definition';
import type { Guid } from '../api/types';
import { guidsOf } from '../api/operations';
import type { AppServices } from '../app/context';
import { xpathString } from './format';

export interface ListQuery {
  readonly page: number;
  readonly sort: readonly (readonly [string, 'asc' | 'desc'])[];
  readonly search: string;
}

export interface ListData {
  readonly guids: readonly Guid[];
  readonly count: number | undefined;
  readonly loading: boolean;
  readonly error: string | null;
  reload(): void;
}

/**
 * Loads one page of a list widget. A database source asks the server for the
 * page (offset, amount, sort, search as extra XPath, with the count); a microflow
 * source returns every object at once, after which paging, sorting and searching
 * happen in the client without further requests (seed 004, 5.1).
 */
export function useListData(
  app: AppServices,
  entity: string,
  source: ClientListSource,
  pageSize: number,
  searchAttrs: readonly string[],
  q: ListQuery,
): ListData {
  const [state, setState] = useState<{ guids: readonly Guid[]; count: number | undefined; loading: boolean; error: string | null }>({
    guids: [],
    count: undefined,
    loading: true,
    error: null,
  });
  const [tick, setTick] = useState(0);
  const all = useRef<Guid[] | null>(null);
  const reload = useCallback(() => {
    all.current = null;
    setTick((t) => t + 1);
  }, []);

  useEffect(
    () =>
      app.store.onRefresh((entities) => {
        if (entities.has(entity) || entities.has('*')) reload();
      }),
    [app, entity, reload],
  );

  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed on the operation and the query's values (sort by content), not on object identities that change every render
  useEffect(() => {
    let cancelled = false;
    setState((s) => ({ ...s, loading: true, error: null }));
    (async () => {
      if (source.kind === 'database') {
        const terms = q.search.trim() ? searchAttrs.map((a) => `contains(${a}, ${xpathString(q.search.trim())})`) : [];
        const { guids, count } = await app.ops.retrieve(source.operationId, {
          offset: q.page * pageSize,
          amount: pageSize,
          sort: q.sort.length > 0 ? q.sort : source.sort,
          wantCount: true,
          extraXpath: terms.length > 0 ? `[${terms.join(' or ')}]` : '',
        });
        return { guids, count };
      }
      if (!all.current) {
        const res = await app.ops.callMicroflow(source.operationId, {}, { dataSource: true });
        all.current = guidsOf(res.actionResult) ?? [];
      }
      let list = all.current.filter((g) => app.store.has(g));
      const needle = q.search.trim().toLowerCase();
      if (needle)
        list = list.filter((g) =>
          searchAttrs.some((a) =>
            String(app.store.get(g, a) ?? '')
              .toLowerCase()
              .includes(needle),
          ),
        );
      for (const [attr, dir] of [...q.sort].reverse()) {
        list = [...list].sort((x, y) => compare(app.store.get(x, attr), app.store.get(y, attr)) * (dir === 'desc' ? -1 : 1));
      }
      return { guids: list.slice(q.page * pageSize, (q.page + 1) * pageSize), count: list.length };
    })().then(
      (r) => {
        if (!cancelled) setState({ guids: r.guids, count: r.count, loading: false, error: null });
      },
      (e: unknown) => {
        if (!cancelled) setState((s) => ({ ...s, loading: false, error: e instanceof Error ? e.message : String(e) }));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [app, source.operationId, pageSize, q.page, q.search, JSON.stringify(q.sort), tick]);

  return { ...state, reload };
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined || a === '') return -1;
  if (b === null || b === undefined || b === '') return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const na = Number(a),
    nb = Number(b);
  if (typeof a === 'string' && typeof b === 'string' && /^-?\d+(\.\d+)?$/.test(a) && /^-?\d+(\.\d+)?$/.test(b)) return na - nb;
  return String(a).localeCompare(String(b));
}
