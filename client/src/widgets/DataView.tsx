import { useEffect, useMemo, useState } from 'react';
import type { ClientDataView, ClientWidget } from '../../../src/web-client/page-definition';
import type { WireValidation } from '../api/types';
import { ScopeContext, useApp, useScope, useStoreVersion, type PageScope } from '../app/context';
import { ActionButton } from './Buttons';
import { Widgets } from './Widgets';
import { t } from '../i18n/texts';

/**
 * Data view: a form over one object, the page parameter Mendix passes in. The
 * object comes from the object store (the grid already fetched it), so opening
 * the page costs no request. Validation failures show under their fields.
 */
export function DataView({ w }: { w: ClientDataView }) {
  const app = useApp();
  const scope = useScope();
  useStoreVersion(app.store);
  const object = scope.params[w.source.parameter];
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const entity = scope.page.entities[w.entity];
  const [loadError, setLoadError] = useState<string | null>(null);
  const held = object ? app.store.has(object) : false;
  const members = useMemo(() => shownMembers(w.widgets), [w.widgets]);
  const complete = object ? !app.store.lacks(object, members) : false;

  // Normally the object is already here with every value the form shows (the grid
  // fetched it, or it was just created); otherwise it is retrieved by id through the
  // data view's own operation, once.
  useEffect(() => {
    if (!object || complete || !w.source.operationId) return;
    let cancelled = false;
    app.ops
      .retrieve(
        w.source.operationId,
        { offset: 0, amount: 1, sort: [], wantCount: false, extraXpath: '', filters: [] },
        { [w.source.parameter]: { guid: object } },
      )
      .then(
        (r) => {
          if (!cancelled && r.guids.length === 0) setLoadError(t('itemGone'));
        },
        (e: unknown) => {
          if (!cancelled) setLoadError(e instanceof Error ? e.message : String(e));
        },
      );
    return () => {
      cancelled = true;
    };
  }, [app, object, complete, w.source.operationId, w.source.parameter]);

  const onValidation = (list: readonly WireValidation[]) => {
    const byMember: Record<string, string> = {};
    const other: string[] = [];
    for (const v of list) {
      const member = v.attribute ?? v.member;
      if (member && !(v.guid && object && v.guid !== object)) byMember[member] = byMember[member] ? `${byMember[member]} ${v.message}` : v.message;
      else other.push(v.message);
    }
    setErrors(byMember);
    setGeneral(other);
  };

  const inner: PageScope = useMemo(
    () => ({
      ...scope,
      ...(object ? { object } : {}),
      ...(entity ? { entity } : {}),
      errors: { ...errors, ...localErrors },
      setLocalError: (member: string, message: string | null) =>
        setLocalErrors((le) => {
          const next = { ...le };
          if (message) next[member] = message;
          else delete next[member];
          return next;
        }),
    }),
    [scope, object, entity, errors, localErrors],
  );

  if (!object || !held) {
    if (object && w.source.operationId && !loadError)
      return (
        <p className="muted" role="status">
          <span className="spinner-inline" aria-hidden="true" /> {t('loading')}
        </p>
      );
    return (
      <p className="error-text" role="alert">
        {loadError ?? t('itemGone')}
      </p>
    );
  }
  const hasLocalErrors = Object.keys(localErrors).length > 0;
  return (
    <ScopeContext.Provider value={inner}>
      <form
        className="widget dataview"
        data-widget={w.name}
        noValidate
        onSubmit={(e) => e.preventDefault()}
        aria-busy={!complete && w.source.operationId && !loadError ? true : undefined}
      >
        {!complete && w.source.operationId && !loadError && <div className="loading-bar" role="progressbar" aria-label={t('loading')} />}
        {general.length > 0 && (
          <div className="alert alert-error" role="alert">
            {general.map((m, i) => (
              <p key={i}>{m}</p>
            ))}
          </div>
        )}
        <Widgets widgets={w.widgets} />
        {w.buttons.length > 0 && (
          <div className="dataview-footer">
            {w.buttons.map((b, i) => (
              <ActionButton
                key={i}
                button={b.action.kind === 'save' && hasLocalErrors ? { ...b, action: { kind: 'close' }, caption: b.caption } : b}
                target={{
                  object,
                  entity: w.entity,
                  close: scope.close,
                  onValidation,
                  ...(b.action.kind === 'save' && hasLocalErrors ? { close: () => app.showMessage('Correct the marked fields first.', 'warning') } : {}),
                }}
              />
            ))}
          </div>
        )}
      </form>
    </ScopeContext.Provider>
  );
}

/** Members of the data view's object its widgets show (references and reference sets by association). */
function shownMembers(widgets: readonly ClientWidget[]): string[] {
  const out: string[] = [];
  for (const w of widgets) {
    switch (w.type) {
      case 'textBox':
      case 'textArea':
      case 'numberInput':
      case 'datePicker':
      case 'checkBox':
      case 'radioButtons':
      case 'dropDown':
        out.push(w.attribute);
        break;
      case 'dynamicText':
        if (!w.attribute.includes('/')) out.push(w.attribute);
        break;
      case 'referenceSelector':
      case 'referenceSetSelector':
        out.push(w.association);
        break;
      case 'container':
        out.push(...shownMembers(w.widgets));
        break;
      case 'layoutGrid':
        for (const r of w.rows) for (const c of r.columns) out.push(...shownMembers(c.widgets));
        break;
      default:
        break;
    }
  }
  return out;
}
