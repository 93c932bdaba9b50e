import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ClientNavigation, ClientPage } from '../../../src/web-client/page-definition';
import { Operations } from '../api/operations';
import { XasClient, XasError, type ConnectionState } from '../api/xas';
import { chosenLanguage, forgetLanguage, localeOf } from '../i18n/language';
import { ObjectStore } from '../store/object-store';
import { setFormatLocale, setFormatTimeZone } from '../widgets/format';
import { setClientTexts, t } from '../i18n/texts';
import { AppContext, type AppServices, type OpenPageOptions } from './context';
import { ChangePasswordDialog } from './ChangePassword';
import { ConfirmDialog, MessageDialog, type ConfirmState, type MessageState } from './Dialogs';
import { Login } from './Login';
import { PageFrame, type Frame } from './PageFrame';

type Phase = { kind: 'starting' } | { kind: 'login' } | { kind: 'ready'; nav: ClientNavigation; keepAliveMs: number } | { kind: 'failed'; message: string };

/** Used when the runtime does not say (half of Mendix's default session timeout of 10 minutes). */
const DEFAULT_KEEPALIVE_MS = 5 * 60 * 1000;

export function App() {
  const xas = useMemo(() => new XasClient(), []);
  const store = useMemo(() => new ObjectStore(), []);
  const ops = useMemo(() => new Operations(xas, store), [xas, store]);
  const [phase, setPhase] = useState<Phase>({ kind: 'starting' });
  const [connection, setConnection] = useState<ConnectionState>({ online: true });
  const [busy, setBusy] = useState(0);

  const start = useCallback(async () => {
    // Until the navigation says: the language chosen before, else the browser's (the sign-in page).
    setClientTexts(chosenLanguage() ?? navigator.language);
    try {
      // The session's CSRF token (a new tab has none yet); no session -> 401 -> sign-in.
      let keepAliveMs = DEFAULT_KEEPALIVE_MS;
      try {
        const sd = await xas.action<{ csrftoken?: string; keepAliveInterval?: number }>({ action: 'get_session_data' });
        // No token (an anonymous app before its first data request): forget one left from an ended session.
        if (sd) xas.setCsrfToken(sd.csrftoken ?? null);
        // The runtime says how often an open page must show it is alive (half its session timeout).
        if (typeof sd?.keepAliveInterval === 'number' && sd.keepAliveInterval > 0) keepAliveMs = sd.keepAliveInterval;
      } catch (e) {
        if (e instanceof XasError && e.status === 401) {
          setPhase({ kind: 'login' });
          return;
        }
        // A runtime without get_session_data: the navigation below decides.
      }
      // A language chosen in a language selector; without one the runtime picks (user, browser, default).
      const chosen = chosenLanguage();
      const nav = await xas.getJson<ClientNavigation>(`/pages/_navigation.json${chosen ? `?lang=${encodeURIComponent(chosen)}` : ''}`);
      const tag = localeOf(nav.textLanguage);
      setFormatLocale(tag);
      setFormatTimeZone(nav.timeZone);
      setClientTexts(nav.textLanguage, nav.clientTexts);
      xas.setLanguage(nav.textLanguage);
      if (tag) document.documentElement.lang = tag;
      setPhase({ kind: 'ready', nav, keepAliveMs });
    } catch (e) {
      if (e instanceof XasError && e.status === 401) setPhase({ kind: 'login' });
      else setPhase({ kind: 'failed', message: e instanceof Error ? e.message : String(e) });
    }
  }, [xas]);

  useEffect(() => {
    void start();
  }, [start]);
  // Stable, so the shell's services (and the page shown) survive the app's re-renders.
  const reload = useCallback(() => void start(), [start]);
  useEffect(() => xas.onConnection(setConnection), [xas]);
  useEffect(() => xas.onBusy(setBusy), [xas]);
  useEffect(
    () =>
      xas.onSessionLost(() => {
        store.clear();
        xas.setCsrfToken(null);
        setPhase({ kind: 'login' });
      }),
    [xas, store],
  );

  return (
    <>
      {busy > 0 && <div className="global-progress" role="progressbar" aria-label={t('loading')} />}
      {!connection.online && (
        <div className="connection-banner" role="alert">
          {t('connectionLost', Math.ceil(connection.retryInMs / 1000), connection.attempt)}
        </div>
      )}
      {phase.kind === 'starting' && (
        <div className="splash" role="status">
          <span className="spinner" aria-hidden="true" />
          {t('loading')}
        </div>
      )}
      {phase.kind === 'failed' && (
        <div className="splash" role="alert">
          <p>{phase.message}</p>
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => {
              setPhase({ kind: 'starting' });
              void start();
            }}
          >
            {t('tryAgain')}
          </button>
        </div>
      )}
      {/* A login starts a new session (new id): objects signed for the one before are refused, so the client forgets them (as Mendix clears its state). */}
      {phase.kind === 'login' && (
        <Login
          xas={xas}
          appName={document.title}
          onLoggedIn={() => {
            store.clear();
            forgetLanguage();
            setPhase({ kind: 'starting' });
            void start();
          }}
        />
      )}
      {phase.kind === 'ready' && (
        <Shell
          key={phase.nav.textLanguage ?? ''}
          onReload={reload}
          nav={phase.nav}
          keepAliveMs={phase.keepAliveMs}
          ops={ops}
          store={store}
          onLogout={async () => {
            try {
              await xas.action({ action: 'logout' });
            } catch {
              /* the session may be gone already */
            }
            store.clear();
            forgetLanguage();
            xas.setCsrfToken(null);
            history.replaceState(null, '', '#');
            setPhase({ kind: 'login' });
          }}
        />
      )}
    </>
  );
}

function pageFromHash(): string | null {
  const m = /^#\/([\w.]+)$/.exec(location.hash);
  return m ? m[1]! : null;
}

function Shell({
  nav,
  keepAliveMs,
  ops,
  store,
  onLogout,
  onReload,
}: {
  nav: ClientNavigation;
  keepAliveMs: number;
  ops: Operations;
  store: ObjectStore;
  onLogout: () => void;
  onReload: () => void;
}) {
  const [frames, setFrames] = useState<Frame[]>([]);
  const [messages, setMessages] = useState<MessageState[]>([]);
  const [confirm, setConfirm] = useState<ConfirmState | null>(null);
  const [changingPassword, setChangingPassword] = useState(false);
  const nextId = useRef(1);
  const cache = useRef(new Map<string, Promise<ClientPage>>());

  useEffect(() => {
    document.title = nav.appName;
  }, [nav.appName]);
  useEffect(() => {
    // Without a session (anonymous, nothing done yet) there is nothing to keep alive.
    const t = setInterval(() => {
      if (ops.xas.hasSession) ops.xas.action({ action: 'keepalive' }).catch(() => undefined);
    }, keepAliveMs);
    return () => clearInterval(t);
  }, [ops, keepAliveMs]);

  const services: AppServices = useMemo(() => {
    const loadPage = (name: string) => {
      let p = cache.current.get(name);
      if (!p) {
        // Texts in the navigation's language, so menu and pages agree.
        p = ops.xas.getJson<ClientPage>(`/pages/${encodeURIComponent(name)}.json${nav.textLanguage ? `?lang=${nav.textLanguage}` : ''}`);
        cache.current.set(name, p);
        p.catch(() => cache.current.delete(name));
      }
      return p;
    };
    const s: AppServices = {
      ops,
      store,
      navigation: nav,
      loadPage,
      openPage(name: string, opts: OpenPageOptions = {}) {
        loadPage(name).then(
          (def) => {
            const frame: Frame = { id: nextId.current++, def, params: opts.params ?? {}, ...(opts.onClose ? { onClose: opts.onClose } : {}) };
            setFrames((fs) => (def.popup ? [...fs, frame] : [...fs.filter((f) => !f.def.popup), frame]));
          },
          (e: unknown) => s.showMessage(e instanceof Error ? e.message : String(e), 'error'),
        );
      },
      showMessage(text, kind = 'info') {
        setMessages((m) => [...m, { text, kind }]);
      },
      confirm(text, proceed = t('ok')) {
        return new Promise<boolean>((resolve) => setConfirm({ text, proceed, resolve }));
      },
      reload: onReload,
    };
    return s;
  }, [ops, store, nav, onReload]);

  // Top-level pages follow the address (#/Module.Page), so back and reload work.
  useEffect(() => {
    const go = () => {
      const target = pageFromHash() ?? nav.home;
      if (!target) return;
      services.loadPage(target).then(
        (def) => {
          setFrames([{ id: nextId.current++, def, params: {} }]);
        },
        (e: unknown) =>
          services.showMessage(
            e instanceof XasError && e.status === 404 ? `The page ${target} does not exist or you may not open it.` : String((e as Error).message ?? e),
            'error',
          ),
      );
    };
    go();
    window.addEventListener('hashchange', go);
    return () => window.removeEventListener('hashchange', go);
  }, [nav.home, services]);

  const close = (id: number) =>
    setFrames((fs) => {
      const f = fs.find((x) => x.id === id);
      f?.onClose?.();
      const rest = fs.filter((x) => x.id !== id);
      return rest.length > 0 ? rest : fs;
    });

  const fullPages = frames.filter((f) => !f.def.popup);
  const current = fullPages[fullPages.length - 1];
  const popups = frames.filter((f) => f.def.popup);

  return (
    <AppContext.Provider value={services}>
      <a className="skip-link" href="#main">
        {t('skipToContent')}
      </a>
      <header className="topbar">
        <a className="brand" href={nav.home ? `#/${nav.home}` : '#'}>
          {nav.appName}
        </a>
        {/* A page in a layout shows the navigation where its layout puts it. */}
        {!current?.def.layout && (
          <nav aria-label={t('mainMenu')} className="menu">
            <ul>
              {nav.menu.map((m) => (
                <li key={m.page}>
                  <a href={`#/${m.page}`} aria-current={current?.def.name === m.page ? 'page' : undefined}>
                    {m.caption}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <div className="user">
          {nav.userName && <span className="user-name">{nav.userName}</span>}
          {/* Anonymous users (named Anonymous_<uuid> by the runtime) have no password to change. */}
          {nav.securityLevel !== 'off' && nav.userName && !nav.userName.startsWith('Anonymous_') && (
            <button type="button" className="btn btn-default" onClick={() => setChangingPassword(true)}>
              {t('changePassword')}
            </button>
          )}
          {nav.securityLevel !== 'off' && (
            <button type="button" className="btn btn-default" onClick={onLogout}>
              {t('signOut')}
            </button>
          )}
        </div>
      </header>
      <main id="main" className="content" tabIndex={-1}>
        {current ? <PageFrame key={current.id} frame={current} onClose={() => close(current.id)} /> : <p className="muted">{t('noPage')}</p>}
      </main>
      {popups.map((f) => (
        <PageFrame key={f.id} frame={f} onClose={() => close(f.id)} />
      ))}
      {messages[0] && <MessageDialog message={messages[0]} onClose={() => setMessages((m) => m.slice(1))} />}
      {confirm && <ConfirmDialog confirm={confirm} onDone={() => setConfirm(null)} />}
      {changingPassword && (
        <ChangePasswordDialog
          xas={ops.xas}
          onClose={() => setChangingPassword(false)}
          onChanged={() => {
            setChangingPassword(false);
            services.showMessage('Your password was changed. Your other sessions were signed out.');
          }}
        />
      )}
    </AppContext.Provider>
  );
}
