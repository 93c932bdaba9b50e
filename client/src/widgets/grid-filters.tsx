import { useEffect, useRef, useState } from 'react';
import type { ClientAttribute, ClientColumn } from '../../../src/web-client/page-definition';
import type { FilterWire } from '../api/types';
import { fromDateInput, nextDay, parseNumber } from './format';
import { t as tr } from '../i18n/texts';

/**
 * The filter widgets in a data grid's header (Data Grid 2's text, number, date and
 * drop-down filters). Each holds what the user typed or chose and reports the
 * structured constraints it stands for; the grid sends them with its retrieve and
 * the server checks and compiles them. Nothing here builds XPath.
 */
export interface FilterInput {
  readonly operator: string;
  readonly text: string;
}

const NUMBER_OPS = [
  ['equal', '='],
  ['notEqual', '≠'],
  ['greater', '>'],
  ['greaterEqual', '≥'],
  ['smaller', '<'],
  ['smallerEqual', '≤'],
] as const;
const DATE_OPS = [
  ['on', 'dateOn'],
  ['after', 'dateAfter'],
  ['before', 'dateBefore'],
] as const;
/** An operator's caption: the number symbols as they are, the date words in the user's language. */
const opCaption = (c: string) => (c === 'dateOn' || c === 'dateAfter' || c === 'dateBefore' ? tr(c) : c);

/**
 * The constraints of one column's filter input; a number the user is still typing
 * ("1.") or an unfinished date gives none yet, and `invalid` says so.
 */
export function filterConstraints(col: ClientColumn, attr: ClientAttribute | undefined, f: FilterInput): { filters: FilterWire[]; invalid: boolean } {
  const text = f.text.trim();
  if (text === '') return { filters: [], invalid: false };
  const attribute = col.attribute;
  switch (col.filter) {
    case 'text':
      return { filters: [{ attribute, operator: 'contains', value: text }], invalid: false };
    case 'enum':
      return { filters: [{ attribute, operator: 'equal', value: text }], invalid: false };
    case 'boolean':
      return { filters: [{ attribute, operator: 'equal', value: text === 'true' }], invalid: false };
    case 'number': {
      const n = parseNumber(text, col.type);
      if (!n.ok || n.value === null) return { filters: [], invalid: true };
      return { filters: [{ attribute, operator: f.operator as FilterWire['operator'], value: n.value as string | number }], invalid: false };
    }
    case 'date': {
      // A day in the user's zone (or UTC for an attribute that is not localized): "on" is [midnight, next midnight).
      const start = fromDateInput(text, attr?.localize !== false);
      if (start === null) return { filters: [], invalid: true };
      // The next midnight in that zone: 23 or 25 hours on, when the clocks change that day.
      const next = fromDateInput(nextDay(text), attr?.localize !== false)!;
      if (f.operator === 'after') return { filters: [{ attribute, operator: 'greaterEqual', value: next }], invalid: false };
      if (f.operator === 'before') return { filters: [{ attribute, operator: 'smaller', value: start }], invalid: false };
      return {
        filters: [
          { attribute, operator: 'greaterEqual', value: start },
          { attribute, operator: 'smaller', value: next },
        ],
        invalid: false,
      };
    }
    default:
      return { filters: [], invalid: false };
  }
}

export function defaultOperator(col: ClientColumn): string {
  return col.filter === 'number' ? 'equal' : col.filter === 'date' ? 'on' : col.filter === 'text' ? 'contains' : 'equal';
}

/** One column's filter widget; text and number inputs apply after a short pause in typing (as Data Grid 2's do). */
export function ColumnFilter({
  col,
  attr,
  value,
  onChange,
}: {
  col: ClientColumn;
  attr: ClientAttribute | undefined;
  value: FilterInput;
  onChange: (f: FilterInput) => void;
}) {
  const [text, setText] = useState(value.text);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  // The latest operator: a pause in typing that ends after the user changed it must not bring the old one back.
  const latest = useRef(value);
  latest.current = value;
  useEffect(() => () => clearTimeout(timer.current), []);
  const later = (t: string) => {
    setText(t);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => onChange({ ...latest.current, text: t }), 400);
  };
  const label = tr('filterOn', col.caption);
  const invalid = filterConstraints(col, attr, { ...value, text }).invalid;
  switch (col.filter) {
    case 'text':
      return <input type="search" className="grid-filter" aria-label={label} placeholder={tr('search')} value={text} onChange={(e) => later(e.target.value)} />;
    case 'enum':
    case 'boolean': {
      const options =
        col.filter === 'enum'
          ? (attr?.values ?? [])
          : [
              { key: 'true', caption: tr('yes') },
              { key: 'false', caption: tr('no') },
            ];
      return (
        <select className="grid-filter" aria-label={label} value={value.text} onChange={(e) => onChange({ ...value, text: e.target.value })}>
          <option value="">{tr('all')}</option>
          {options.map((o) => (
            <option key={o.key} value={o.key}>
              {o.caption}
            </option>
          ))}
        </select>
      );
    }
    case 'number':
    case 'date': {
      const ops = col.filter === 'number' ? NUMBER_OPS : DATE_OPS;
      return (
        <span className="grid-filter-pair">
          <select
            className="grid-filter-op"
            aria-label={`${label}: comparison`}
            value={value.operator}
            onChange={(e) => onChange({ ...value, operator: e.target.value, text })}
          >
            {ops.map(([k, c]) => (
              <option key={k} value={k}>
                {opCaption(c)}
              </option>
            ))}
          </select>
          {col.filter === 'number' ? (
            <input
              type="text"
              inputMode="decimal"
              className="grid-filter"
              aria-label={label}
              aria-invalid={invalid || undefined}
              value={text}
              onChange={(e) => later(e.target.value)}
            />
          ) : (
            <input
              type="date"
              className="grid-filter"
              aria-label={label}
              value={text}
              onChange={(e) => {
                setText(e.target.value);
                onChange({ ...value, text: e.target.value });
              }}
            />
          )}
        </span>
      );
    }
    default:
      return null;
  }
}
