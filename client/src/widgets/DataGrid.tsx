import { useId, useRef, useState, type KeyboardEvent } from 'react';
import type { ClientButton, ClientDataGrid } from '../../../src/web-client/page-definition';
import type { Guid } from '../api/types';
import { useApp, useScope, useStoreVersion } from '../app/context';
import { ActionButton, runButton } from './Buttons';
import { formatValue } from './format';
import { useListData, type ListQuery } from './use-list-data';
import { valueAt, valuesAt } from './values';
import { Pager, SearchBar } from './list-parts';

/** Data grid: columns, paging, sorting by a header click, a search bar, selection, buttons. */
export function DataGrid({ w }: { w: ClientDataGrid }) {
  const app = useApp();
  const scope = useScope();
  useStoreVersion(app.store);
  const [q, setQ] = useState<ListQuery>({ page: 0, sort: [], search: '' });
  const [selected, setSelected] = useState<Guid | undefined>(undefined);
  const data = useListData(app, w.entity, w.source, w.pageSize, w.search, q);
  const captionId = useId();
  const bodyRef = useRef<HTMLTableSectionElement>(null);
  const entity = scope.page.entities[w.entity];
  const sel = selected && data.guids.includes(selected) ? selected : undefined;
  const target = (object: Guid | undefined) => ({ ...(object ? { object } : {}), entity: w.entity, close: scope.close, onDone: data.reload });
  const openButton: ClientButton | undefined = [...w.rowButtons, ...w.buttons].find((b) => b.action.kind === 'open');

  const effectiveSort = q.sort.length > 0 ? q.sort : w.source.kind === 'database' ? w.source.sort : [];
  const sortOf = (attr: string) => effectiveSort.find(([a]) => a === attr)?.[1];
  const toggleSort = (attr: string) => {
    const cur = q.sort.length > 0 && q.sort[0]![0] === attr ? q.sort[0]![1] : sortOf(attr);
    setQ({ ...q, page: 0, sort: [[attr, cur === 'asc' ? 'desc' : 'asc']] });
  };

  const onRowKey = (e: KeyboardEvent<HTMLTableRowElement>, guid: Guid, index: number) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = data.guids[index + (e.key === 'ArrowDown' ? 1 : -1)];
      if (next) {
        setSelected(next);
        (bodyRef.current?.querySelectorAll('tr')[index + (e.key === 'ArrowDown' ? 1 : -1)] as HTMLElement | undefined)?.focus();
      }
    } else if (e.key === ' ') {
      e.preventDefault();
      setSelected(guid);
    } else if (e.key === 'Enter' && openButton) {
      e.preventDefault();
      setSelected(guid);
      void runButton(app, openButton, target(guid));
    }
  };

  return (
    <section className="widget datagrid" aria-labelledby={captionId} data-widget={w.name}>
      <div className="datagrid-head">
        <h2 id={captionId} className="widget-caption">
          {w.caption ?? entity?.name.split('.')[1] ?? w.name}
        </h2>
        {w.search.length > 0 && <SearchBar label={`Search ${w.caption ?? ''}`.trim()} onSearch={(s) => setQ({ ...q, page: 0, search: s })} />}
      </div>
      {w.buttons.length > 0 && (
        <div className="toolbar" role="toolbar" aria-label="Actions">
          {w.buttons.map((b, i) => (
            <ActionButton key={i} button={b} target={target(sel)} />
          ))}
        </div>
      )}
      <div className="table-wrap" aria-busy={data.loading}>
        {data.loading && <div className="loading-bar" role="progressbar" aria-label="Loading" />}
        <table className="grid" aria-rowcount={data.count ?? -1}>
          <thead>
            <tr>
              {w.columns.map((c) => {
                const dir = sortOf(c.attribute);
                return (
                  <th key={c.attribute} scope="col" aria-sort={dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : 'none'}>
                    {c.sortable ? (
                      <button type="button" className="sort-button" onClick={() => toggleSort(c.attribute)}>
                        {c.caption}
                        <span className="sort-mark" aria-hidden="true">
                          {dir === 'asc' ? ' ▲' : dir === 'desc' ? ' ▼' : ''}
                        </span>
                      </button>
                    ) : (
                      c.caption
                    )}
                  </th>
                );
              })}
              {w.rowButtons.length > 0 && (
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody ref={bodyRef}>
            {data.guids.map((g, i) => (
              <tr
                key={g}
                data-guid={g}
                tabIndex={0}
                aria-selected={g === sel}
                className={g === sel ? 'selected' : undefined}
                onClick={() => setSelected(g)}
                onDoubleClick={() => {
                  if (openButton) void runButton(app, openButton, target(g));
                }}
                onKeyDown={(e) => onRowKey(e, g, i)}
              >
                {w.columns.map((c) => (
                  <td key={c.attribute}>
                    {c.attribute.includes('/')
                      ? valuesAt(app.store, g, c.attribute)
                          .map((v) => formatValue(v, c.type, entity?.attributes[c.attribute]))
                          .filter((t) => t !== '')
                          .join(', ')
                      : formatValue(valueAt(app.store, g, c.attribute), c.type, entity?.attributes[c.attribute])}
                  </td>
                ))}
                {w.rowButtons.length > 0 && (
                  <td className="row-buttons">
                    {w.rowButtons.map((b, j) => (
                      <ActionButton key={j} button={b} target={target(g)} />
                    ))}
                  </td>
                )}
              </tr>
            ))}
            {!data.loading && data.guids.length === 0 && !data.error && (
              <tr>
                <td colSpan={w.columns.length + (w.rowButtons.length > 0 ? 1 : 0)} className="empty">
                  No items found.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {data.error && (
        <p className="error-text" role="alert">
          {data.error}{' '}
          <button type="button" className="link" onClick={data.reload}>
            Try again
          </button>
        </p>
      )}
      <Pager page={q.page} pageSize={w.pageSize} count={data.count} shown={data.guids.length} onPage={(p) => setQ({ ...q, page: p })} />
    </section>
  );
}
