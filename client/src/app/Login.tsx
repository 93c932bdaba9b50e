import { useId, useRef, useState } from 'react';
import { XasError, type XasClient } from '../api/xas';
import { t } from '../i18n/texts';

/** The messages a person sees at sign-in. */

/**
 * Consecutive refusals after which the runtime blocks an account (LoginMaxAttempts,
 * default 3). The runtime answers every refused sign-in the same way, so that nobody
 * learns whether a name exists or is blocked; the client counts the refusals of one
 * name itself and from this many on says the account is blocked.
 */
const BLOCK_AFTER = 3;

/** Picks the message for a refused login: blocked accounts say so, anything else is a wrong password. */
function loginMessage(e: unknown): string {
  if (e instanceof XasError) {
    const b = (e.body && typeof e.body === 'object' ? e.body : {}) as Record<string, unknown>;
    const text = [b.reason, b.code, b.error, b.message].filter((x) => typeof x === 'string').join(' ');
    if (e.status === 423 || /block/i.test(text)) return typeof b.message === 'string' && /block/i.test(b.message) ? b.message : t('blocked');
    if (e.status === 401 || e.status === 403) return t('wrongPassword');
    return e.message;
  }
  return e instanceof Error ? e.message : String(e);
}

export function Login({ xas, appName, onLoggedIn }: { xas: XasClient; appName: string; onLoggedIn: () => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const refusals = useRef<{ name: string; count: number }>({ name: '', count: 0 });
  const uid = useId();
  const pid = useId();
  const eid = useId();

  return (
    <main className="login-screen">
      <form
        className="login-card"
        aria-labelledby={`${uid}-title`}
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            const res = await xas.action<{ csrftoken?: string }>({ action: 'login', params: { username, password } }, { expectSession: false });
            xas.setCsrfToken(res?.csrftoken ?? null);
            onLoggedIn();
          } catch (err) {
            const message = loginMessage(err);
            const name = username.trim().toLowerCase();
            if (message === t('wrongPassword')) {
              refusals.current = { name, count: refusals.current.name === name ? refusals.current.count + 1 : 1 };
            }
            setError(message === t('wrongPassword') && refusals.current.count >= BLOCK_AFTER ? t('blocked') : message);
            setPassword('');
          } finally {
            setBusy(false);
          }
        }}
      >
        <h1 id={`${uid}-title`}>{appName || t('signIn')}</h1>
        <p className="muted">{t('signInToContinue')}</p>
        <div className="field">
          <label htmlFor={uid} className="field-label">
            {t('userName')}
          </label>
          {/* biome-ignore lint/a11y/noAutofocus: the login page's only task is this field */}
          <input id={uid} name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required autoFocus />
        </div>
        <div className="field">
          <label htmlFor={pid} className="field-label">
            {t('password')}
          </label>
          <input
            id={pid}
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
            aria-describedby={error ? eid : undefined}
            aria-invalid={error ? true : undefined}
          />
        </div>
        {error && (
          <div id={eid} className="alert alert-error" role="alert">
            {error}
          </div>
        )}
        <button type="submit" className="btn btn-primary btn-block" disabled={busy} aria-busy={busy || undefined}>
          {busy && <span className="spinner-inline" aria-hidden="true" />}
          {t('signIn')}
        </button>
      </form>
    </main>
  );
}
