import { createContext, useContext, useSyncExternalStore } from 'react';
import type { ClientEntity, ClientNavigation, ClientPage } from '../../../src/web-client/page-definition';
import type { Guid } from '../api/types';
import type { Operations } from '../api/operations';
import type { ObjectStore } from '../store/object-store';

export interface OpenPageOptions {
  /** Page parameters: name -> object. */
  readonly params?: Readonly<Record<string, Guid>>;
  /** Runs when the page is closed (after save or cancel). */
  readonly onClose?: () => void;
}

/** What every widget can reach: the runtime, the object store, page navigation and dialogs. */
export interface AppServices {
  readonly ops: Operations;
  readonly store: ObjectStore;
  readonly navigation: ClientNavigation;
  loadPage(name: string): Promise<ClientPage>;
  openPage(name: string, opts?: OpenPageOptions): void;
  showMessage(text: string, kind?: 'info' | 'warning' | 'error'): void;
  confirm(text: string, proceedCaption?: string): Promise<boolean>;
  /** Loads the navigation and pages again (a new language was chosen). */
  reload(): void;
}

export const AppContext = createContext<AppServices | null>(null);

export function useApp(): AppServices {
  const s = useContext(AppContext);
  if (!s) throw new Error('useApp outside the app');
  return s;
}

/** Re-renders when the object store changes. */
export function useStoreVersion(store: ObjectStore): number {
  return useSyncExternalStore(
    (l) => store.subscribe(l),
    () => store.getVersion(),
  );
}

/** Where a widget sits: its page, the page's frame, and the object of the enclosing data view or list item. */
export interface PageScope {
  readonly page: ClientPage;
  readonly params: Readonly<Record<string, Guid>>;
  /** Closes the page's frame (pop-up or full page). */
  close(): void;
  readonly object?: Guid;
  readonly entity?: ClientEntity;
  /** Validation messages of the enclosing data view, per attribute or association. */
  readonly errors?: Readonly<Record<string, string>>;
  /** Lets an input report a value it cannot parse (kept out of the object until fixed). */
  setLocalError?(member: string, message: string | null): void;
}

export const ScopeContext = createContext<PageScope | null>(null);

export function useScope(): PageScope {
  const s = useContext(ScopeContext);
  if (!s) throw new Error('widget outside a page');
  return s;
}
