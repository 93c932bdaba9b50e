import { useEffect, useState } from 'react';
import type { ClientButton, ClientPage } from '../../../src/web-client/page-definition';
import { runNanoflow } from '../nanoflow/run';
import type { Guid, WireValidation } from '../api/types';
import { validationsOf, XasError } from '../api/xas';
import { useApp, useScope, useStoreVersion, type AppServices } from '../app/context';
import { holds } from './conditions';
import { t as tr } from '../i18n/texts';
import { linkUrl } from '../../../src/model/link-address';

export interface ButtonTarget {
  /** The object the button acts on: the grid's selection or the data view's object. */
  readonly object?: Guid;
  /** Every selected object of a grid with multiple selection (a delete removes them all). */
  readonly objects?: readonly Guid[];
  readonly entity?: string;
  /** Closes the page the button is on. */
  readonly close: () => void;
  /** Shows validation failures under the fields (data views). */
  readonly onValidation?: (v: readonly WireValidation[]) => void;
  /** Called after the action changed data (grids reload). */
  readonly onDone?: () => void;
  /** The page the button is on (its nanoflows' plans). */
  readonly page?: ClientPage;
}

/** Finds the page parameter an object of this entity goes into. */
async function parameterFor(app: AppServices, page: string, entity: string | undefined): Promise<string> {
  const def = await app.loadPage(page);
  const names = Object.keys(def.parameters);
  const match = names.find((n) => def.parameters[n] === entity);
  const name = match ?? names[0];
  if (!name) throw new Error(`page ${page} takes no object`);
  return name;
}

/** Runs one button's action; errors end up in the message dialog, validation under the fields. */
export async function runButton(app: AppServices, b: ClientButton, t: ButtonTarget): Promise<void> {
  const a = b.action;
  try {
    switch (a.kind) {
      case 'create': {
        const guid = await app.ops.create(a.operationId);
        if (a.page) {
          const param = await parameterFor(app, a.page, a.entity);
          app.openPage(a.page, {
            params: { [param]: guid },
            onClose: () => {
              if (app.store.isNew(guid)) app.store.discard(guid);
            },
          });
        }
        return;
      }
      case 'open': {
        if (!t.object) {
          app.showMessage(tr('selectFirst'), 'info');
          return;
        }
        const param = await parameterFor(app, a.page, t.entity ?? app.store.objectType(t.object));
        app.openPage(a.page, { params: { [param]: t.object } });
        return;
      }
      case 'delete': {
        const doomed = t.objects && t.objects.length > 0 ? [...t.objects] : t.object ? [t.object] : [];
        if (doomed.length === 0) {
          app.showMessage(tr('selectFirst'), 'info');
          return;
        }
        const question = doomed.length === 1 ? tr('confirmDeleteOne') : tr('confirmDeleteMany', doomed.length);
        if (!(await app.confirm(question, tr('delete')))) return;
        await app.ops.delete(a.operationId, doomed);
        t.onDone?.();
        return;
      }
      case 'save': {
        if (!t.object) return;
        t.onValidation?.([]);
        await app.ops.commit(a.operationId, [t.object]);
        t.onDone?.();
        if (a.closePage) t.close();
        return;
      }
      case 'cancel': {
        if (t.object) await app.ops.rollback(a.operationId, [t.object]);
        t.close();
        return;
      }
      case 'microflow': {
        if (a.parameter && !t.object) {
          app.showMessage(tr('selectFirst'), 'info');
          return;
        }
        const res = await app.ops.callMicroflow(a.operationId, a.parameter && t.object ? { [a.parameter]: t.object } : {}, a.async ? { async: true } : {});
        // Validation feedback of the microflow goes under the fields of the form the button is on.
        const feedback = validationsOf(res);
        if (t.onValidation) t.onValidation(feedback);
        else if (feedback.length > 0) app.showMessage(feedback.map((v) => v.message).join('\n'), 'warning');
        let closed = false;
        const opened: { page: string; params: Readonly<Record<string, Guid>> }[] = [];
        for (const ins of res.instructions ?? []) {
          const text = ins.type === 'text_message' ? ins.args?.message : undefined;
          const kind = ins.args?.type;
          if (text) app.showMessage(text, kind === 'error' ? 'error' : kind === 'warning' ? 'warning' : 'info');
          if (ins.type === 'close') closed = true;
          if (ins.type === 'open_form' && ins.args?.page) opened.push({ page: ins.args.page, params: ins.args.params ?? {} });
        }
        // The microflow may have changed anything: every list reloads.
        app.store.refresh(['*']);
        t.onDone?.();
        // Close first, then open: a microflow that closes its pop-up and shows the next page ends on that page.
        if (a.closePage || closed) t.close();
        for (const o of opened) app.openPage(o.page, { params: o.params });
        return;
      }
      case 'close':
        t.close();
        return;
      case 'openLink': {
        if (a.attribute && !t.object) {
          app.showMessage(tr('selectFirst'), 'info');
          return;
        }
        const value = a.attribute && t.object ? app.store.get(t.object, a.attribute) : a.url;
        // Checked again here: an address from an attribute is data someone typed, and may be a javascript: URL.
        const link = linkUrl(a.linkType, typeof value === 'string' ? value : '');
        if ('error' in link) {
          app.showMessage(tr('invalidLink'), 'error');
          return;
        }
        if (a.linkType === 'web') window.open(link.url, '_blank', 'noopener,noreferrer');
        else window.location.assign(link.url);
        return;
      }
      case 'nanoflow': {
        if (a.parameter && !t.object) {
          app.showMessage(tr('selectFirst'), 'info');
          return;
        }
        if (!t.page) throw new Error(`the nanoflow ${a.nanoflow} has no page to run on`);
        await runNanoflow(app, a.nanoflow, {
          page: t.page,
          args: a.parameter && t.object ? { [a.parameter]: t.object } : {},
          close: t.close,
          ...(t.onValidation ? { onValidation: t.onValidation } : {}),
        });
        t.onDone?.();
        return;
      }
    }
  } catch (e) {
    if (e instanceof XasError && e.validations.length > 0 && t.onValidation) {
      t.onValidation(e.validations);
      return;
    }
    app.showMessage(e instanceof Error ? e.message : String(e), 'error');
  }
}

export function ActionButton({ button, target: given }: { button: ClientButton; target: ButtonTarget }) {
  const app = useApp();
  const scope = useScope();
  const target = given.page ? given : { ...given, page: scope.page };
  const [busy, setBusy] = useState(false);
  useStoreVersion(app.store);
  // Conditional visibility, on the object the button acts on (re-evaluated as it changes).
  if (button.visible && !holds(button.visible, app.store, target.object)) return null;
  // Busy is announced, not disabled: a disabled button drops the keyboard focus, which a pop-up it opens must return to.
  const disabled = button.needsObject && !target.object && !(button.action.kind === 'delete' && target.objects?.length);
  const a = button.action;
  const longRunning = busy && a.kind === 'microflow' && a.async === true;
  return (
    <>
      <button
        type="button"
        className={`btn btn-${button.style}`}
        disabled={disabled}
        aria-busy={busy || undefined}
        aria-disabled={busy || undefined}
        onClick={async () => {
          if (busy) return;
          setBusy(true);
          try {
            await runButton(app, button, target);
          } finally {
            setBusy(false);
          }
        }}
      >
        {busy && <span className="spinner-inline" aria-hidden="true" />}
        {button.caption}
      </button>
      {longRunning && <LongRunningProgress message={a.kind === 'microflow' ? a.progressMessage : undefined} />}
    </>
  );
}

/** While a long-running (async) microflow runs: an indeterminate progress bar, its message and the seconds waited so far. */
function LongRunningProgress({ message }: { message: string | undefined }) {
  const [seconds, setSeconds] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setSeconds((s) => s + 1), 1000);
    return () => clearInterval(t);
  }, []);
  const text = message ?? tr('working');
  return (
    <span className="long-running" role="progressbar" aria-label={text} aria-busy="true">
      <span className="loading-bar" aria-hidden="true" />
      <span className="long-running-text">
        {text} {seconds > 0 ? `(${seconds} s)` : ''}
      </span>
    </span>
  );
}

/** A button placed as a widget on its own, acting on the enclosing data view's object. */
export function ButtonWidget({ button }: { button: ClientButton }) {
  const scope = useScope();
  return (
    <ActionButton
      button={button}
      target={{ ...(scope.object ? { object: scope.object } : {}), ...(scope.entity ? { entity: scope.entity.name } : {}), close: scope.close }}
    />
  );
}
