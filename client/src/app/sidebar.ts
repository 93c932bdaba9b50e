import { useSyncExternalStore } from 'react';

// Whether the layout's sidebar is collapsed: one flag for the browser tab's session, so it
// stays as the user left it from page to page and over a reload, and every toggle agrees.
const KEY = 'kiln.sidebarCollapsed';
const listeners = new Set<() => void>();
let current: boolean | undefined;

function read(): boolean {
  if (current === undefined) {
    try {
      current = sessionStorage.getItem(KEY) === '1';
    } catch {
      // Storage refused (privacy settings): the sidebar starts expanded.
      current = false;
    }
  }
  return current;
}

function subscribe(onChange: () => void): () => void {
  listeners.add(onChange);
  return () => listeners.delete(onChange);
}

function setCollapsed(collapsed: boolean): void {
  current = collapsed;
  try {
    if (collapsed) sessionStorage.setItem(KEY, '1');
    else sessionStorage.removeItem(KEY);
  } catch {
    // Not remembered past this page load; the page still follows.
  }
  for (const l of listeners) l();
}

/** The sidebar's state and the function that changes it. */
export function useSidebarCollapsed(): readonly [collapsed: boolean, setCollapsed: (collapsed: boolean) => void] {
  return [useSyncExternalStore(subscribe, read), setCollapsed];
}
