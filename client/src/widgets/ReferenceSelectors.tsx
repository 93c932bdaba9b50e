import { useEffect, useId, useState } from 'react';
import type { ClientReferenceSelector } from '../../../src/web-client/page-definition';
import type { Guid } from '../api/types';
import { useApp, useScope } from '../app/context';
import { Field } from './inputs';
import { holds } from './conditions';
import { t } from '../i18n/texts';

/**
 * Reference selector (a drop-down of the objects at the other end of a Reference)
 * and reference-set selector (a check list for a ReferenceSet). The options come
 * from the retrieve operation the page definition names for the widget.
 */
export function ReferenceSelector({ w }: { w: ClientReferenceSelector }) {
  const app = useApp();
  const scope = useScope();
  const id = useId();
  const [options, setOptions] = useState<Guid[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const guid = scope.object;
  const assoc = scope.entity?.associations[w.association];

  useEffect(() => {
    if (!w.optionsOperationId) return;
    let cancelled = false;
    app.ops
      .retrieve(w.optionsOperationId, {
        offset: 0,
        amount: 200,
        sort: w.sort ? w.sort.map(([a, d]) => [a, d]) : [[w.displayAttribute, 'asc']],
        wantCount: false,
        extraXpath: '',
        filters: [],
      })
      .then(
        (r) => {
          if (!cancelled) setOptions(r.guids);
        },
        (e: unknown) => {
          if (!cancelled) setLoadError(e instanceof Error ? e.message : String(e));
        },
      );
    return () => {
      cancelled = true;
    };
  }, [app, w.optionsOperationId, w.displayAttribute, w.sort]);

  if (!guid || !assoc) return null;
  const readOnly = w.readOnly || !assoc.writable || !w.optionsOperationId || !holds(w.editable, app.store, scope.object);
  const error = scope.errors?.[w.association] ?? loadError ?? undefined;
  const value = app.store.get(guid, w.association);
  const caption = (g: Guid) => String(app.store.get(g, w.displayAttribute) ?? g);

  if (w.type === 'referenceSelector') {
    const current = typeof value === 'string' && value !== '' ? value : '';
    const list = options ?? [];
    const all = current && !list.includes(current) ? [current, ...list] : list;
    return (
      <Field id={id} label={w.label} error={error}>
        <select
          id={id}
          value={current}
          disabled={readOnly}
          aria-busy={options === null && !!w.optionsOperationId}
          onChange={(e) => app.store.set(guid, w.association, e.target.value === '' ? null : e.target.value)}
        >
          <option value=""></option>
          {all.map((g) => (
            <option key={g} value={g}>
              {caption(g)}
            </option>
          ))}
        </select>
      </Field>
    );
  }
  const chosen = new Set(Array.isArray(value) ? value.map(String) : []);
  const all = [...new Set([...chosen, ...(options ?? [])])];
  return (
    <Field id={id} label={w.label} error={error} group>
      <div className="checklist">
        {all.map((g) => (
          <label key={g} className="check">
            <input
              type="checkbox"
              checked={chosen.has(g)}
              disabled={readOnly}
              onChange={(e) => {
                const next = new Set(chosen);
                if (e.target.checked) next.add(g);
                else next.delete(g);
                app.store.set(guid, w.association, [...next]);
              }}
            />
            {caption(g)}
          </label>
        ))}
        {all.length === 0 && <span className="muted">{options === null && w.optionsOperationId ? t('loading') : t('none')}</span>}
      </div>
    </Field>
  );
}
