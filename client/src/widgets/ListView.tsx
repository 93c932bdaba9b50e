import { useId, useMemo, useState, type CSSProperties } from 'react';
import type { ClientListView } from '../../../src/web-client/page-definition';
import type { Guid } from '../api/types';
import { ScopeContext, useApp, useScope, useStoreVersion, type PageScope } from '../app/context';
import { ActionButton } from './Buttons';
import { Pager, SearchBar } from './list-parts';
import { useListData, type ListQuery } from './use-list-data';
import { Widgets } from './Widgets';
import './grid.css';
import { t } from '../i18n/texts';

/** List view (and template grid: several items per row): each item renders the template widgets in the item's context. */
export function ListView({ w }: { w: ClientListView }) {
  const app = useApp();
  const scope = useScope();
  useStoreVersion(app.store);
  const [q, setQ] = useState<ListQuery>({ page: 0, sort: [], search: '' });
  const [selected, setSelected] = useState<Guid | undefined>();
  const data = useListData(app, w.entity, w.source, w.pageSize, w.search, q);
  const captionId = useId();
  return (
    <section className="widget listview" aria-labelledby={captionId} data-widget={w.name} aria-busy={data.loading}>
      <div className="datagrid-head">
        <h2 id={captionId} className="widget-caption">
          {w.caption ?? w.name}
        </h2>
        {w.search.length > 0 && <SearchBar label="Search" onSearch={(s) => setQ({ ...q, page: 0, search: s })} />}
      </div>
      {w.buttons.length > 0 && (
        <div className="toolbar" role="toolbar" aria-label={t('actions')}>
          {w.buttons.map((b, i) => (
            <ActionButton
              key={i}
              button={b}
              target={{ ...(selected ? { object: selected } : {}), entity: w.entity, close: scope.close, onDone: data.reload }}
            />
          ))}
        </div>
      )}
      {data.loading && <div className="loading-bar" role="progressbar" aria-label={t('loading')} />}
      <ul
        className={w.itemsPerRow ? 'list template-grid' : 'list'}
        // biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: the ARIA listbox pattern, keyboard-selectable options
        role="listbox"
        aria-labelledby={captionId}
        style={w.itemsPerRow ? ({ '--per-row': w.itemsPerRow } as CSSProperties) : undefined}
      >
        {data.guids.map((g) => (
          <li
            key={g}
            // biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: the ARIA listbox pattern, keyboard-selectable options
            role="option"
            aria-selected={g === selected}
            tabIndex={0}
            data-guid={g}
            className={g === selected ? 'selected' : undefined}
            onClick={() => setSelected(g)}
            onKeyDown={(e) => {
              if (e.key === ' ' || e.key === 'Enter') {
                e.preventDefault();
                setSelected(g);
              }
            }}
          >
            <Item scope={scope} guid={g} entity={w.entity}>
              <Widgets widgets={w.widgets} />
            </Item>
          </li>
        ))}
        {!data.loading && data.guids.length === 0 && <li className="empty">{t('noResults')}</li>}
      </ul>
      {data.error && (
        <p className="error-text" role="alert">
          {data.error}
        </p>
      )}
      <Pager page={q.page} pageSize={w.pageSize} count={data.count} shown={data.guids.length} onPage={(p) => setQ({ ...q, page: p })} />
    </section>
  );
}

function Item({ scope, guid, entity, children }: { scope: PageScope; guid: Guid; entity: string; children: React.ReactNode }) {
  const ent = scope.page.entities[entity];
  const inner = useMemo<PageScope>(() => ({ ...scope, object: guid, ...(ent ? { entity: ent } : {}) }), [scope, guid, ent]);
  return <ScopeContext.Provider value={inner}>{children}</ScopeContext.Provider>;
}
