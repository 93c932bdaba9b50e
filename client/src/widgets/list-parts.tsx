import { useId, useState } from 'react';
import { t } from '../i18n/texts';

/** Search bar over the list's string attributes; searching is explicit (Enter or the button). */
export function SearchBar({ label, onSearch }: { label: string; onSearch: (text: string) => void }) {
  const [text, setText] = useState('');
  const id = useId();
  return (
    // biome-ignore lint/a11y/useSemanticElements: <search> is not yet in every supported browser; role=search on a form is equivalent
    <form
      role="search"
      className="searchbar"
      onSubmit={(e) => {
        e.preventDefault();
        onSearch(text);
      }}
    >
      <label htmlFor={id} className="sr-only">
        {label}
      </label>
      <input
        id={id}
        type="search"
        placeholder={t('search')}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value === '') onSearch('');
        }}
      />
      <button type="submit" className="btn btn-default">
        {t('search')}
      </button>
    </form>
  );
}

/** Paging: where we are, first / previous / next / last. */
export function Pager({
  page,
  pageSize,
  count,
  shown,
  onPage,
}: {
  page: number;
  pageSize: number;
  count: number | undefined;
  shown: number;
  onPage: (p: number) => void;
}) {
  const from = shown === 0 ? 0 : page * pageSize + 1;
  const to = page * pageSize + shown;
  const last = count !== undefined ? Math.max(0, Math.ceil(count / pageSize) - 1) : undefined;
  const hasNext = last !== undefined ? page < last : shown === pageSize;
  return (
    <nav className="pager" aria-label={t('pages')}>
      <span className="pager-status" aria-live="polite">
        {count !== undefined ? t('pagerRangeOf', from, to, count) : t('pagerRange', from, to)}
      </span>
      <button type="button" className="btn btn-default" onClick={() => onPage(0)} disabled={page === 0} aria-label={t('firstPage')}>
        «
      </button>
      <button type="button" className="btn btn-default" onClick={() => onPage(page - 1)} disabled={page === 0} aria-label={t('previousPage')}>
        ‹
      </button>
      <button type="button" className="btn btn-default" onClick={() => onPage(page + 1)} disabled={!hasNext} aria-label={t('nextPage')}>
        ›
      </button>
      {last !== undefined && (
        <button type="button" className="btn btn-default" onClick={() => onPage(last)} disabled={page >= last} aria-label={t('lastPage')}>
          »
        </button>
      )}
    </nav>
  );
}
