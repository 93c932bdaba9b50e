import { useCallback, useEffect, useRef, useState } from 'react';
import type { ClientListSource } from '../../../src/web-client/page-definition';
import type { FilterWire, Guid } from '../api/types';
import { guidsOf } from '../api/operations';
import type { AppServices } from '../app/context';
import { xpathString } from './format';

export interface ListQuery {
  readonly page: number;
  readonly sort: readonly (readonly [string, 'asc' | 'desc'])[];
  readonly search: string;
  /** Column filters (Data Grid 2): sent as structured constraints, checked by the server. */
  readonly filters?: readonly FilterWire[];
}

export interface ListData {
  readonly guids: readonly Guid[];
  readonly count: number | undefined;
  readonly loading: boolean;
  readonly error: string | null;
  reload(): void;
  /** Every object of the list under the current search, filters and sort (up to the server's 10000). */
  everything(): Promise<readonly Guid[]>;
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
  /** Virtual scrolling: pages up to `q.page` are all shown, the next one loaded and appended. */
  accumulate = false,
): ListData {
  const [state, setState] = useState<{ guids: readonly Guid[]; count: number | undefined; loading: boolean; error: string | null }>({
    guids: [],
    count: undefined,
    loading: true,
    error: null,
  });
  const [tick, setTick] = useState(0);
  const all = useRef<Guid[] | null>(null);
  /** Virtual scrolling: the query (without its page) and the page last loaded, so that the next page is appended. */
  const loaded = useRef<{ key: string; page: number } | null>(null);
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

  /** Objects of the list for this query: one page (`offset`, `amount`) or, with amount -1, all of them (up to the server's bound). */
  const fetchList = async (query: ListQuery, offset: number, amount: number): Promise<{ guids: Guid[]; count: number | undefined }> => {
    if (source.kind === 'database') {
      const terms = query.search.trim() ? searchAttrs.map((a) => `contains(${a}, ${xpathString(query.search.trim())})`) : [];
      return app.ops.retrieve(source.operationId, {
        offset,
        amount,
        sort: query.sort.length > 0 ? query.sort : source.sort,
        wantCount: amount >= 0,
        extraXpath: terms.length > 0 ? `[${terms.join(' or ')}]` : '',
        filters: query.filters ?? [],
      });
    }
    if (!all.current) {
      const res = await app.ops.callMicroflow(source.operationId, {}, { dataSource: true });
      all.current = guidsOf(res.actionResult) ?? [];
    }
    let list = all.current.filter((g) => app.store.has(g));
    const needle = query.search.trim().toLowerCase();
    if (needle)
      list = list.filter((g) =>
        searchAttrs.some((a) =>
          String(app.store.get(g, a) ?? '')
            .toLowerCase()
            .includes(needle),
        ),
      );
    for (const f of query.filters ?? []) list = list.filter((g) => passes(app.store.get(g, f.attribute), f));
    for (const [attr, dir] of [...query.sort].reverse()) {
      list = [...list].sort((x, y) => compare(app.store.get(x, attr), app.store.get(y, attr)) * (dir === 'desc' ? -1 : 1));
    }
    return { guids: amount < 0 ? list : list.slice(offset, offset + amount), count: list.length };
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed on the operation and the query's values (sort and filters by content), not on object identities that change every render
  useEffect(() => {
    let cancelled = false;
    setState((s) => ({ ...s, loading: true, error: null }));
    // Virtual scrolling keeps the rows loaded so far: the next page is appended; any other change
    // (sort, search, filters, a reload) loads the rows shown so far again, from the first.
    const key = JSON.stringify([source.operationId, q.search, q.sort, q.filters ?? [], tick]);
    const append = accumulate && loaded.current?.key === key && q.page === loaded.current.page + 1;
    const [offset, amount] = !accumulate ? [q.page * pageSize, pageSize] : append ? [q.page * pageSize, pageSize] : [0, (q.page + 1) * pageSize];
    fetchList(q, offset, amount).then(
      (r) => {
        if (cancelled) return;
        if (accumulate) loaded.current = { key, page: q.page };
        setState((s) => ({
          guids: append ? [...s.guids, ...r.guids.filter((g) => !s.guids.includes(g))] : r.guids,
          count: r.count,
          loading: false,
          error: null,
        }));
      },
      (e: unknown) => {
        if (!cancelled) setState((s) => ({ ...s, loading: false, error: e instanceof Error ? e.message : String(e) }));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [app, source.operationId, pageSize, q.page, q.search, JSON.stringify(q.sort), JSON.stringify(q.filters ?? []), tick, accumulate]);

  /** Every object of the list as filtered and sorted now (an export). */
  const everything = () => fetchList(q, 0, -1).then((r) => r.guids);

  return { ...state, reload, everything };
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

/** A column filter applied in the browser (a list from a microflow holds every object already). */
function passes(v: unknown, f: FilterWire): boolean {
  const empty = v === null || v === undefined || v === '';
  if (f.operator === 'empty') return empty;
  if (f.operator === 'notEmpty') return !empty;
  if (empty) return f.operator === 'notEqual';
  const text = String(v).toLowerCase();
  const want = String(f.value ?? '').toLowerCase();
  const c = compare(v, f.value);
  switch (f.operator) {
    case 'contains':
      return text.includes(want);
    case 'startsWith':
      return text.startsWith(want);
    case 'endsWith':
      return text.endsWith(want);
    case 'equal':
      return c === 0;
    case 'notEqual':
      return c !== 0;
    case 'greater':
      return c > 0;
    case 'greaterEqual':
      return c >= 0;
    case 'smaller':
      return c < 0;
    case 'smallerEqual':
      return c <= 0;
  }
}
