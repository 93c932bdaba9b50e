import { useId, useState } from 'react';
import { XasError, type XasClient } from '../api/xas';
import { Modal } from './Dialogs';

/** The message for a refused change: the policy's problems, a wrong current password, or the server's text. */
function changeMessage(e: unknown): string {
  if (e instanceof XasError) {
    const b = (e.body && typeof e.body === 'object' ? e.body : {}) as Record<string, unknown>;
    if (e.status === 401) return 'The current password is incorrect.';
    if (e.status === 422 && Array.isArray(b.problems)) return b.problems.filter((p) => typeof p === 'string').join(' ');
    return e.message;
  }
  return e instanceof Error ? e.message : String(e);
}

/**
 * Change one's own password (the `/xas/` action change_password): current,
 * new and repeated password, as Mendix's change-password form. The runtime
 * signs the user's other sessions out; this one goes on.
 */
export function ChangePasswordDialog({ xas, onClose, onChanged }: { xas: XasClient; onClose: () => void; onChanged: () => void }) {
  const [oldPassword, setOld] = useState('');
  const [newPassword, setNew] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const oid = useId(),
    nid = useId(),
    cid = useId(),
    eid = useId();
  const invalid = error ? true : undefined;
  return (
    <Modal title="Change password" onClose={onClose}>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          if (newPassword !== confirm) {
            setError('The new passwords are not the same.');
            return;
          }
          setBusy(true);
          setError(null);
          try {
            // A 401 here is a wrong current password, not a lost session.
            await xas.action({ action: 'change_password', params: { oldPassword, newPassword } }, { expectSession: false });
            onChanged();
          } catch (err) {
            setError(changeMessage(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <div className="field">
          <label htmlFor={oid} className="field-label">
            Current password
          </label>
          <input
            id={oid}
            type="password"
            autoComplete="current-password"
            value={oldPassword}
            onChange={(e) => setOld(e.target.value)}
            required
            aria-invalid={invalid}
            aria-describedby={error ? eid : undefined}
          />
        </div>
        <div className="field">
          <label htmlFor={nid} className="field-label">
            New password
          </label>
          <input
            id={nid}
            type="password"
            autoComplete="new-password"
            value={newPassword}
            onChange={(e) => setNew(e.target.value)}
            required
            aria-invalid={invalid}
          />
        </div>
        <div className="field">
          <label htmlFor={cid} className="field-label">
            Repeat new password
          </label>
          <input
            id={cid}
            type="password"
            autoComplete="new-password"
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
            required
            aria-invalid={invalid}
          />
        </div>
        {error && (
          <div id={eid} className="alert alert-error" role="alert">
            {error}
          </div>
        )}
        <div className="modal-footer">
          <button type="button" className="btn btn-default" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy} aria-busy={busy || undefined}>
            Change password
          </button>
        </div>
      </form>
    </Modal>
  );
}
