import { useId, useRef, useState, type KeyboardEvent } from 'react';
import type { ClientGroupBox, ClientScrollContainer, ClientTabContainer } from '../../../src/web-client/page-definition';
import { useApp, useScope, useStoreVersion } from '../app/context';
import { useSidebarCollapsed } from '../app/sidebar';
import { chooseLanguage, languageName } from '../i18n/language';
import { holds } from './conditions';
import { Widgets } from './Widgets';
import { t } from '../i18n/texts';

/** A group box: a caption over its widgets; when collapsible, the caption is a button that opens and closes it. */
export function GroupBox({ w }: { w: ClientGroupBox }) {
  const [open, setOpen] = useState(!w.collapsed);
  const bodyId = useId();
  const headId = useId();
  return (
    <section className="groupbox" aria-labelledby={w.caption ? headId : undefined}>
      {w.caption &&
        (w.collapsible ? (
          <h2 className="groupbox-header" id={headId}>
            <button type="button" className="groupbox-toggle" aria-expanded={open} aria-controls={bodyId} onClick={() => setOpen(!open)}>
              <span aria-hidden="true" className="groupbox-chevron">
                {open ? '▾' : '▸'}
              </span>
              {w.caption}
            </button>
          </h2>
        ) : (
          <h2 className="groupbox-header" id={headId}>
            {w.caption}
          </h2>
        ))}
      <div id={bodyId} className="groupbox-body" hidden={!open}>
        {open && <Widgets widgets={w.widgets} />}
      </div>
    </section>
  );
}

/**
 * Tabs as the WAI-ARIA tabs pattern: a tablist of buttons, arrow keys (and Home/End)
 * move between tabs, only the selected tab is in the Tab order, its panel follows.
 */
export function TabContainer({ w }: { w: ClientTabContainer }) {
  const app = useApp();
  const scope = useScope();
  useStoreVersion(app.store);
  const base = useId();
  const tabs = w.tabs.map((t, i) => ({ t, i })).filter(({ t }) => holds(t.visible, app.store, scope.object));
  const [selected, setSelected] = useState(0);
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  if (tabs.length === 0) return null;
  const current = tabs.find(({ i }) => i === selected) ?? tabs[0]!;
  const onKey = (e: KeyboardEvent) => {
    const at = tabs.indexOf(current);
    const to =
      e.key === 'ArrowRight'
        ? (at + 1) % tabs.length
        : e.key === 'ArrowLeft'
          ? (at - 1 + tabs.length) % tabs.length
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? tabs.length - 1
              : -1;
    if (to < 0) return;
    e.preventDefault();
    const next = tabs[to]!;
    setSelected(next.i);
    refs.current[next.i]?.focus();
  };
  return (
    <div className="tab-container" data-widget={w.name}>
      <div role="tablist" className="tab-list" onKeyDown={onKey}>
        {tabs.map(({ t, i }) => (
          <button
            key={i}
            ref={(el) => {
              refs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={`${base}-tab-${i}`}
            aria-selected={i === current.i}
            aria-controls={`${base}-panel-${i}`}
            tabIndex={i === current.i ? 0 : -1}
            className="tab"
            onClick={() => setSelected(i)}
          >
            {t.caption}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${base}-panel-${current.i}`} aria-labelledby={`${base}-tab-${current.i}`} className="tab-panel">
        <Widgets key={current.i} widgets={current.t.widgets} />
      </div>
    </div>
  );
}

/** A region of fixed height whose content scrolls; focusable so keyboard users can scroll it. */
export function ScrollContainer({ w }: { w: ClientScrollContainer }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard to scroll it
    <section className="scroll-container" tabIndex={0} aria-label="Scrollable region" style={w.height ? { maxHeight: `${w.height}px` } : undefined}>
      <Widgets widgets={w.widgets} />
    </section>
  );
}

/** The app's menu (the navigation of the signed-in user), as a layout shows it. */
export function NavigationTree({ orientation }: { orientation: 'vertical' | 'horizontal' }) {
  const app = useApp();
  const scope = useScope();
  const current = scope.page.name;
  return (
    <nav aria-label={t('mainMenu')} className={`navigation-tree navigation-${orientation}`}>
      <ul>
        {app.navigation.menu.map((m) => (
          <li key={m.page}>
            <a href={`#/${m.page}`} aria-current={current === m.page ? 'page' : undefined}>
              {m.caption}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** The button that collapses and expands the layout's sidebar (a native button: Enter and Space work). */
export function SidebarToggle({ controls }: { controls: readonly string[] }) {
  const [collapsed, setCollapsed] = useSidebarCollapsed();
  return (
    <button
      type="button"
      className="sidebar-toggle"
      aria-label={t('mainMenu')}
      aria-expanded={!collapsed}
      aria-controls={controls.join(' ')}
      onClick={() => setCollapsed(!collapsed)}
    >
      <span aria-hidden="true">☰</span>
    </button>
  );
}

/** A drop-down of the app's languages; choosing one reloads the texts in it. */
export function LanguageSelector() {
  const app = useApp();
  const id = useId();
  const nav = app.navigation;
  return (
    <div className="language-selector">
      <label htmlFor={id} className="sr-only">
        {t('language')}
      </label>
      <select
        id={id}
        value={nav.textLanguage ?? ''}
        onChange={async (e) => {
          const language = e.target.value;
          chooseLanguage(language);
          // Stored as the user's System.User_Language too (as Mendix does), so it follows them to other browsers.
          await fetch('/pages/_language', {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', ...(app.ops.xas.csrfToken ? { 'X-Csrf-Token': app.ops.xas.csrfToken } : {}) },
            body: JSON.stringify({ language }),
          }).catch(() => undefined);
          app.reload();
        }}
      >
        {nav.languages.map((l) => (
          <option key={l} value={l} lang={l.replace('_', '-')}>
            {languageName(l, nav.languages)}
          </option>
        ))}
      </select>
    </div>
  );
}
