import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { ClientAttribute, ClientButton, ClientColumn, ClientDataGrid } from '../../../src/web-client/page-definition';
import type { Guid } from '../api/types';
import { useApp, useScope, useStoreVersion } from '../app/context';
import { ActionButton, runButton } from './Buttons';
import { formatValue } from './format';
import { useListData, type ListQuery } from './use-list-data';
import { valueAt, valuesAt } from './values';
import { Pager, SearchBar } from './list-parts';
import { ColumnFilter, defaultOperator, filterConstraints, type FilterInput } from './grid-filters';
import { useHiddenColumns } from './grid-columns';
import { download, toCsv, toXlsx } from './grid-export';
import './grid.css';
import { t as tr } from '../i18n/texts';

/**
 * Data grid (Data Grid 2): columns, paging, sorting by a header click, a search bar,
 * filters in the column headers, single or multiple selection, a row click action,
 * columns the user shows and hides, export to CSV and Excel, buttons.
 */
export function DataGrid({ w }: { w: ClientDataGrid }) {
  const app = useApp();
  const scope = useScope();
  useStoreVersion(app.store);
  const [q, setQ] = useState<ListQuery>({ page: 0, sort: [], search: '' });
  const [selection, setSelection] = useState<readonly Guid[]>([]);
  const [inputs, setInputs] = useState<Readonly<Record<string, FilterInput>>>({});
  const [exporting, setExporting] = useState(false);
  const virtual = w.virtualScrolling === true;
  const data = useListData(app, w.entity, w.source, w.pageSize, w.search, q, virtual);
  const wrapRef = useRef<HTMLDivElement>(null);
  const endRef = useRef<HTMLTableRowElement>(null);
  const more = data.count !== undefined ? data.guids.length < data.count : data.guids.length >= (q.page + 1) * w.pageSize;
  // Virtual scrolling: when the end of the rows comes into the grid's scroll area, the next page loads (the server still pages).
  useEffect(() => {
    const end = endRef.current;
    if (!virtual || !end || data.loading || !more || data.error) return;
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          io.disconnect();
          setQ((prev) => ({ ...prev, page: prev.page + 1 }));
        }
      },
      { root: wrapRef.current, rootMargin: '0px 0px 80px 0px' },
    );
    io.observe(end);
    return () => io.disconnect();
  }, [virtual, data.loading, more, data.error]);
  const captionId = useId();
  const bodyRef = useRef<HTMLTableSectionElement>(null);
  const entity = scope.page.entities[w.entity];
  // A column's attribute: the grid entity's, or over a reference the one of the entity at the other end.
  const columnAttr = (c: ClientColumn): ClientAttribute | undefined => {
    if (!c.attribute.includes('/')) return entity?.attributes[c.attribute];
    const [, target, attr] = c.attribute.split('/') as [string, string, string];
    const other = scope.page.entities[target] ?? Object.entries(scope.page.entities).find(([n]) => n.endsWith(`.${target}`))?.[1];
    return other?.attributes[attr];
  };
  const [hidden, setHidden] = useHiddenColumns(scope.page.name, w.name, w.columns, w.columnsHidable);
  const columns = w.columns.filter((c) => !hidden.has(c.attribute));
  const hasFilters = columns.some((c) => c.filter);
  const multiple = w.selection === 'multiple';
  // The selection is of rows shown: a row that left the page (paging, filtering, deleted) is no longer selected.
  const selected = selection.filter((g) => data.guids.includes(g));
  const single = selected.length === 1 ? selected[0] : undefined;
  const target = (object: Guid | undefined) => ({
    ...(object ? { object } : {}),
    ...(multiple && !object ? { objects: selected } : {}),
    entity: w.entity,
    close: scope.close,
    onDone: data.reload,
    page: scope.page,
  });
  const openButton: ClientButton | undefined = [...w.rowButtons, ...w.buttons].find((b) => b.action.kind === 'open');
  const title = w.caption ?? entity?.name.split('.')[1] ?? w.name;

  const effectiveSort = q.sort.length > 0 ? q.sort : w.source.kind === 'database' ? w.source.sort : [];
  const sortOf = (attr: string) => effectiveSort.find(([a]) => a === attr)?.[1];
  const toggleSort = (attr: string) => {
    const cur = q.sort.length > 0 && q.sort[0]![0] === attr ? q.sort[0]![1] : sortOf(attr);
    setQ({ ...q, page: 0, sort: [[attr, cur === 'asc' ? 'desc' : 'asc']] });
  };

  // The constraints of the shown columns' filter inputs (a hidden column filters nothing); a change of them starts again at the first page.
  const filters = columns.flatMap((c) => (inputs[c.attribute] ? filterConstraints(c, columnAttr(c), inputs[c.attribute]!).filters : []));
  const filtersKey = JSON.stringify(filters);
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed on the constraints' content
  useEffect(() => {
    setQ((prev) => (JSON.stringify(prev.filters ?? []) === filtersKey ? prev : { ...prev, page: 0, filters }));
  }, [filtersKey]);
  const setFilter = (attribute: string, f: FilterInput) => setInputs((prev) => ({ ...prev, [attribute]: f }));

  const select = (g: Guid, mode: 'only' | 'toggle') => {
    if (w.selection === 'none') return;
    if (mode === 'only' || !multiple) setSelection([g]);
    else setSelection(selected.includes(g) ? selected.filter((x) => x !== g) : [...selected, g]);
  };

  const onRowKey = (e: KeyboardEvent<HTMLTableRowElement>, guid: Guid, index: number) => {
    if (e.target !== e.currentTarget) return; // keys typed into a check box or button in the row are theirs
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      const next = data.guids[index + step];
      if (next) {
        if (!multiple) select(next, 'only');
        (bodyRef.current?.querySelectorAll('tr')[index + step] as HTMLElement | undefined)?.focus();
      }
    } else if (e.key === ' ') {
      e.preventDefault();
      select(guid, 'toggle');
    } else if (e.key === 'Enter' && (w.onClick || openButton)) {
      e.preventDefault();
      select(guid, 'only');
      void runButton(app, w.onClick ?? openButton!, target(guid));
    }
  };

  const exportAs = async (kind: 'csv' | 'xlsx') => {
    setExporting(true);
    try {
      const guids = await data.everything();
      const sheet = { name: title, columns, guids, store: app.store, entity };
      const file = title.replace(/[^\p{L}\p{N} _-]+/gu, '').trim() || 'export';
      if (kind === 'csv') download(new Blob([toCsv(sheet)], { type: 'text/csv;charset=utf-8' }), `${file}.csv`);
      else download(await toXlsx(sheet), `${file}.xlsx`);
    } catch (e) {
      app.showMessage(e instanceof Error ? e.message : String(e), 'error');
    } finally {
      setExporting(false);
    }
  };

  const allOnPage = data.guids.length > 0 && data.guids.every((g) => selected.includes(g));
  const width = columns.length + (multiple ? 1 : 0) + (w.rowButtons.length > 0 ? 1 : 0);

  return (
    <section className="widget datagrid" aria-labelledby={captionId} data-widget={w.name}>
      <div className="datagrid-head">
        <h2 id={captionId} className="widget-caption">
          {title}
        </h2>
        {w.search.length > 0 && <SearchBar label={w.caption ? tr('searchIn', w.caption) : tr('search')} onSearch={(s) => setQ({ ...q, page: 0, search: s })} />}
        {(w.export || w.columnsHidable) && (
          // biome-ignore lint/a11y/useSemanticElements: a group of related controls; fieldset would need a legend box
          <div className="grid-tools" role="group" aria-label={`${title}: export and columns`}>
            {w.export && (
              <>
                <button type="button" className="btn btn-default" disabled={exporting} onClick={() => void exportAs('csv')}>
                  Export to CSV
                </button>
                <button type="button" className="btn btn-default" disabled={exporting} onClick={() => void exportAs('xlsx')}>
                  Export to Excel
                </button>
              </>
            )}
            {w.columnsHidable && <ColumnChooser w={w} hidden={hidden} onToggle={setHidden} />}
          </div>
        )}
      </div>
      {w.buttons.length > 0 && (
        <div className="toolbar" role="toolbar" aria-label={tr('actions')}>
          {w.buttons.map((b, i) => (
            <ActionButton key={i} button={b} target={target(single)} />
          ))}
        </div>
      )}
      <div className={virtual ? 'table-wrap virtual-scroll' : 'table-wrap'} aria-busy={data.loading} ref={wrapRef}>
        {data.loading && <div className="loading-bar" role="progressbar" aria-label={tr('loading')} />}
        <table className="grid" aria-rowcount={data.count ?? -1}>
          <thead>
            <tr>
              {multiple && (
                <th scope="col" className="select-cell">
                  <input
                    type="checkbox"
                    aria-label={tr('selectAllRows')}
                    checked={allOnPage}
                    onChange={(e) =>
                      setSelection(e.target.checked ? [...new Set([...selected, ...data.guids])] : selected.filter((g) => !data.guids.includes(g)))
                    }
                  />
                </th>
              )}
              {columns.map((c) => {
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
                  <span className="sr-only">{tr('actions')}</span>
                </th>
              )}
            </tr>
            {hasFilters && (
              <tr className="filter-row">
                {multiple && <td />}
                {columns.map((c) => (
                  <td key={c.attribute}>
                    {c.filter && (
                      <ColumnFilter
                        col={c}
                        attr={columnAttr(c)}
                        value={inputs[c.attribute] ?? { operator: defaultOperator(c), text: '' }}
                        onChange={(f) => setFilter(c.attribute, f)}
                      />
                    )}
                  </td>
                ))}
                {w.rowButtons.length > 0 && <td />}
              </tr>
            )}
          </thead>
          <tbody ref={bodyRef}>
            {data.guids.map((g, i) => {
              const isSelected = selected.includes(g);
              return (
                <tr
                  key={g}
                  data-guid={g}
                  tabIndex={0}
                  aria-selected={w.selection === 'none' ? undefined : isSelected}
                  className={isSelected ? 'selected' : undefined}
                  onClick={(e) => {
                    if ((e.target as HTMLElement).closest('button, input, a')) return;
                    // With check boxes and a click action, a click is the action: the selection stays the boxes'.
                    if (w.onClick && multiple) {
                      void runButton(app, w.onClick, target(g));
                      return;
                    }
                    select(g, multiple && (e.ctrlKey || e.metaKey) ? 'toggle' : 'only');
                    if (w.onClick) void runButton(app, w.onClick, target(g));
                  }}
                  onDoubleClick={(e) => {
                    if ((e.target as HTMLElement).closest('button, input, a')) return;
                    if (!w.onClick && openButton) void runButton(app, openButton, target(g));
                  }}
                  onKeyDown={(e) => onRowKey(e, g, i)}
                >
                  {multiple && (
                    <td className="select-cell">
                      <input type="checkbox" aria-label={tr('selectRow')} checked={isSelected} onChange={() => select(g, 'toggle')} />
                    </td>
                  )}
                  {columns.map((c) => (
                    <td key={c.attribute}>
                      {c.attribute.includes('/')
                        ? valuesAt(app.store, g, c.attribute)
                            .map((v) => formatValue(v, c.type, columnAttr(c)))
                            .filter((t) => t !== '')
                            .join(', ')
                        : formatValue(valueAt(app.store, g, c.attribute), c.type, columnAttr(c))}
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
              );
            })}
            {virtual && more && (
              <tr ref={endRef} className="virtual-end">
                <td colSpan={width}>{data.loading ? tr('loading') : ''}</td>
              </tr>
            )}
            {!data.loading && data.guids.length === 0 && !data.error && (
              <tr>
                <td colSpan={width} className="empty">
                  {tr('noResults')}
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
      {multiple && selected.length > 0 && (
        <p className="selection-status" aria-live="polite">
          {selected.length === 1 ? '1 row selected' : `${selected.length} rows selected`}
        </p>
      )}
      {virtual ? (
        <div className="pager">
          <span className="pager-status" aria-live="polite">
            {data.guids.length === 0 ? '0–0' : `1–${data.guids.length}`}
            {data.count !== undefined ? ` of ${data.count}` : ''}
          </span>
        </div>
      ) : (
        <Pager page={q.page} pageSize={w.pageSize} count={data.count} shown={data.guids.length} onPage={(p) => setQ({ ...q, page: p })} />
      )}
    </section>
  );
}

/** The column selector: a menu of check boxes, one per column, at least one left shown. */
function ColumnChooser({ w, hidden, onToggle }: { w: ClientDataGrid; hidden: ReadonlySet<string>; onToggle: (attribute: string, hidden: boolean) => void }) {
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const shown = useMemo(() => w.columns.filter((c) => !hidden.has(c.attribute)).length, [w.columns, hidden]);
  return (
    <div className="column-chooser">
      <button type="button" className="btn btn-default" aria-expanded={open} aria-controls={menuId} onClick={() => setOpen(!open)}>
        Columns
      </button>
      {open && (
        // biome-ignore lint/a11y/useSemanticElements: a small popover of check boxes; fieldset would need a legend box
        <div
          id={menuId}
          className="column-menu"
          role="group"
          aria-label={tr('shownColumns')}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setOpen(false);
          }}
        >
          {w.columns.map((c) => {
            const visible = !hidden.has(c.attribute);
            return (
              <label key={c.attribute}>
                <input type="checkbox" checked={visible} disabled={visible && shown === 1} onChange={() => onToggle(c.attribute, visible)} /> {c.caption}
              </label>
            );
          })}
        </div>
      )}
    </div>
  );
}
