import { useEffect, useMemo } from 'react';
import type { ClientPage } from '../../../src/web-client/page-definition';
import type { Guid } from '../api/types';
import { Widgets } from '../widgets/Widgets';
import { ScopeContext, useApp, type PageScope } from './context';
import { Modal } from './Dialogs';

/** An open page: its definition, the objects passed to it, and what to do when it closes. */
export interface Frame {
  readonly id: number;
  readonly def: ClientPage;
  readonly params: Readonly<Record<string, Guid>>;
  readonly onClose?: () => void;
}

/** Renders a page as a full page or, when the model says so, as a pop-up. */
export function PageFrame({ frame, onClose }: { frame: Frame; onClose: () => void }) {
  const app = useApp();
  const scope: PageScope = useMemo(() => ({ page: frame.def, params: frame.params, close: onClose }), [frame, onClose]);
  useEffect(() => {
    if (!frame.def.popup) document.title = `${frame.def.title} – ${app.navigation.appName}`;
  }, [frame.def, app.navigation.appName]);
  const body = (
    <ScopeContext.Provider value={scope}>
      <div className="page" data-page={frame.def.name}>
        <Widgets widgets={frame.def.widgets} />
      </div>
    </ScopeContext.Provider>
  );
  // A full page in a layout: the layout's widgets, its placeholders filled with the page's (main shows the title).
  if (frame.def.layout && !frame.def.popup)
    return (
      <ScopeContext.Provider value={scope}>
        <div className="layout" data-layout={frame.def.layout.name} data-page={frame.def.name}>
          <Widgets widgets={frame.def.layout.widgets} />
        </div>
      </ScopeContext.Provider>
    );
  if (frame.def.popup) {
    // Closing a pop-up without saving drops the changes it made (Mendix: cancel).
    const dismiss = () => {
      for (const g of Object.values(frame.params)) if (app.store.isDirty(g)) app.store.discard(g);
      onClose();
    };
    return (
      <Modal title={frame.def.title} onClose={dismiss}>
        {body}
      </Modal>
    );
  }
  return (
    <>
      <h1 className="page-title">{frame.def.title}</h1>
      {body}
    </>
  );
}
