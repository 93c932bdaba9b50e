import { useEffect, useMemo, useRef, useState } from 'react';
import type { ClientDataView, ClientWidget } from '../../../src/web-client/page-definition';
import type { Guid, WireValidation } from '../api/types';
import { isObject } from '../nanoflow/evaluate';
import { runNanoflow } from '../nanoflow/run';
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
  const src = w.source;
  const operationId = src.kind === 'nanoflow' ? undefined : src.operationId;
  // What the retrieve by id names the object (a page parameter, or the association it is reached by).
  const parameter = src.kind === 'parameter' ? src.parameter : src.kind === 'association' ? src.association : undefined;
  const made = useNanoflowObject(src.kind === 'nanoflow' ? src.nanoflow : undefined);
  const referred = src.kind === 'association' && scope.object ? app.store.get(scope.object, src.association) : undefined;
  const object =
    src.kind === 'parameter'
      ? scope.params[src.parameter]
      : src.kind === 'association'
        ? typeof referred === 'string' && referred !== ''
          ? referred
          : undefined
        : made.guid;
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
    if (!object || complete || !operationId || parameter === undefined) return;
    let cancelled = false;
    app.ops.retrieve(operationId, { offset: 0, amount: 1, sort: [], wantCount: false, extraXpath: '', filters: [] }, { [parameter]: { guid: object } }).then(
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
  }, [app, object, complete, operationId, parameter]);

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
    // Still coming: the object by id, the nanoflow's object, or the reference the enclosing object is being read with.
    if ((object && operationId && !loadError) || made.running || (src.kind === 'association' && referred === undefined))
      return (
        <p className="muted" role="status">
          <span className="spinner-inline" aria-hidden="true" /> {t('loading')}
        </p>
      );
    return (
      <p className="error-text" role="alert">
        {loadError ?? made.error ?? t('itemGone')}
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
        aria-busy={!complete && operationId && !loadError ? true : undefined}
      >
        {!complete && operationId && !loadError && <div className="loading-bar" role="progressbar" aria-label={t('loading')} />}
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

/** The object a data view's nanoflow returns: the nanoflow runs in the browser once, when the data view appears. */
function useNanoflowObject(nanoflow: string | undefined): { guid?: Guid; error?: string; running: boolean } {
  const app = useApp();
  const scope = useScope();
  const [state, setState] = useState<{ guid?: Guid; error?: string; running: boolean }>({ running: nanoflow !== undefined });
  // The page's scope changes identity as the page renders; the nanoflow must still run once (it may create objects).
  const scopeRef = useRef(scope);
  scopeRef.current = scope;
  useEffect(() => {
    if (!nanoflow) return;
    let cancelled = false;
    const { page, close } = scopeRef.current;
    runNanoflow(app, nanoflow, { page, args: {}, close: () => close() }).then(
      (r) => {
        if (!cancelled) setState(isObject(r) ? { guid: r.guid, running: false } : { error: t('itemGone'), running: false });
      },
      (e: unknown) => {
        if (!cancelled) setState({ error: e instanceof Error ? e.message : String(e), running: false });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [app, nanoflow]);
  return state;
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
      case 'dataView':
        // A data view over this object's reference needs the reference.
        if (w.source.kind === 'association') out.push(w.source.association);
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
