import { useEffect, useId, useRef, type ReactNode } from 'react';
import { t } from '../i18n/texts';

/** A modal dialog: labelled, focus moves in, Escape closes, Tab stays inside. */
export function Modal({
  title,
  onClose,
  children,
  role = 'dialog',
  className,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  role?: 'dialog' | 'alertdialog';
  className?: string;
}) {
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    const el = ref.current;
    const first =
      el?.querySelector<HTMLElement>('[data-autofocus]') ??
      el?.querySelector<HTMLElement>(
        '.modal-body input:not([readonly]):not([disabled]), .modal-body select:not([disabled]), .modal-body textarea:not([readonly]), .modal-body button:not([disabled])',
      );
    (first ?? el)?.focus();
    return () => {
      previous?.focus?.();
    };
  }, []);
  return (
    <div className="modal-backdrop">
      {/* biome-ignore lint/a11y/noStaticElementInteractions lint/a11y/useAriaPropsSupportedByRole: role is 'dialog' or 'alertdialog', passed in */}
      <div
        ref={ref}
        className={`modal ${className ?? ''}`}
        role={role}
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
          }
          if (e.key === 'Tab' && ref.current) {
            const items = [
              ...ref.current.querySelectorAll<HTMLElement>(
                'button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex="0"]',
              ),
            ];
            const firstEl = items[0],
              lastEl = items[items.length - 1];
            if (e.shiftKey && document.activeElement === firstEl) {
              e.preventDefault();
              lastEl?.focus();
            } else if (!e.shiftKey && document.activeElement === lastEl) {
              e.preventDefault();
              firstEl?.focus();
            }
          }
        }}
      >
        <div className="modal-header">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="close-x" aria-label={t('closeDialog')} onClick={onClose}>
            ×
          </button>
        </div>
        <div className="modal-body">{children}</div>
      </div>
    </div>
  );
}

export interface MessageState {
  readonly text: string;
  readonly kind: 'info' | 'warning' | 'error';
}

export function MessageDialog({ message, onClose }: { message: MessageState; onClose: () => void }) {
  const title = message.kind === 'error' ? t('error') : message.kind === 'warning' ? t('warning') : t('information');
  return (
    <Modal title={title} onClose={onClose} role="alertdialog" className={`message message-${message.kind}`}>
      <p className="message-text">{message.text}</p>
      <div className="modal-footer">
        <button type="button" className="btn btn-primary" data-autofocus onClick={onClose}>
          {t('ok')}
        </button>
      </div>
    </Modal>
  );
}

export interface ConfirmState {
  readonly text: string;
  readonly proceed: string;
  readonly resolve: (ok: boolean) => void;
}

export function ConfirmDialog({ confirm, onDone }: { confirm: ConfirmState; onDone: () => void }) {
  const finish = (ok: boolean) => {
    confirm.resolve(ok);
    onDone();
  };
  return (
    <Modal title={t('pleaseConfirm')} onClose={() => finish(false)} role="alertdialog">
      <p className="message-text">{confirm.text}</p>
      <div className="modal-footer">
        <button type="button" className="btn btn-default" data-autofocus onClick={() => finish(false)}>
          {t('cancel')}
        </button>
        <button type="button" className="btn btn-danger" onClick={() => finish(true)}>
          {confirm.proceed}
        </button>
      </div>
    </Modal>
  );
}
