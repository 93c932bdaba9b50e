/**
 * What the runtime sends the browser client for one page (GET /pages/<Module.Page>.json):
 * the page's widgets with the ids of the runtime operations they may run, and the
 * metadata of the attributes the user may see. Built per set of module roles, so an
 * attribute the user cannot read, a page the user cannot open or an operation the
 * user cannot run never appears in it. Shared by the server (src/web-client) and the
 * browser (client/): types only, no imports.
 */

/**
 * A subset of the expression language the browser evaluates (visibility and
 * editability), compiled from the model's expression text at start-up: literals,
 * attributes of the context object, comparisons, arithmetic, and/or/not, empty.
 */
export type ClientExpr =
  | { readonly op: 'lit'; readonly value: string | number | boolean | null }
  | { readonly op: 'attr'; readonly name: string }
  | { readonly op: 'not'; readonly arg: ClientExpr }
  | { readonly op: 'and' | 'or' | '=' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | 'div'; readonly args: readonly [ClientExpr, ClientExpr] };

/** A widget's visibility or an input's editability: every part given must hold (roles are decided by the server). */
export interface ClientCondition {
  readonly expr?: ClientExpr;
  readonly attribute?: string;
  readonly values?: readonly (string | boolean)[];
}
import type { NanoflowPlan } from './nanoflow-plan.js';

export type ClientAttributeType = 'String' | 'Integer' | 'Long' | 'Decimal' | 'Boolean' | 'DateTime' | 'Enumeration' | 'AutoNumber' | 'Binary' | 'HashedString';

export interface ClientAttribute {
  readonly name: string;
  readonly type: ClientAttributeType;
  /** Maximum length of a String (0 = unlimited). */
  readonly length: number;
  readonly writable: boolean;
  /** Enumeration values in model order. */
  readonly values?: readonly { readonly key: string; readonly caption: string }[];
  /** DateTime: shown in the user's zone (false = as UTC, e.g. birthdays). */
  readonly localize?: boolean;
  /** A required validation rule exists (the server still decides). */
  readonly required?: boolean;
}

export interface ClientAssociation {
  readonly name: string;
  readonly type: 'Reference' | 'ReferenceSet';
  readonly parent: string;
  readonly child: string;
  readonly writable: boolean;
}

export interface ClientEntity {
  readonly name: string;
  /** Readable attributes only, by name. */
  readonly attributes: Readonly<Record<string, ClientAttribute>>;
  /** Readable associations the entity owns, by qualified name. */
  readonly associations: Readonly<Record<string, ClientAssociation>>;
  readonly canCreate: boolean;
  readonly canDelete: boolean;
}

export type ClientButtonAction =
  | { readonly kind: 'create'; readonly entity: string; readonly page?: string; readonly operationId: string }
  | { readonly kind: 'open'; readonly page: string }
  | { readonly kind: 'delete'; readonly operationId: string }
  | { readonly kind: 'save'; readonly operationId: string; readonly closePage: boolean }
  | { readonly kind: 'cancel'; readonly operationId?: string }
  | {
      readonly kind: 'microflow';
      readonly microflow: string;
      readonly operationId: string;
      readonly parameter?: string;
      readonly closePage: boolean;
      /** Long-running: called asynchronously, the client polls for the answer and shows progress. */
      readonly async?: boolean;
      readonly progressMessage?: string;
    }
  | { readonly kind: 'close' }
  | { readonly kind: 'nanoflow'; readonly nanoflow: string; readonly parameter?: string }
  /** Open a link: `url` (checked by kiln check) or the address in the object's String `attribute` (checked in the browser). */
  | { readonly kind: 'openLink'; readonly linkType: 'web' | 'email' | 'call' | 'text'; readonly url?: string; readonly attribute?: string };

export interface ClientButton {
  readonly caption: string;
  readonly action: ClientButtonAction;
  readonly style: 'primary' | 'default' | 'danger';
  /** The button acts on an object (the grid's selection, the data view's object). */
  readonly needsObject: boolean;
  readonly visible?: ClientCondition;
}

export interface ClientColumn {
  /** Attribute name, or a path `Module.Assoc/Module.Entity/Attr` over a reference. */
  readonly attribute: string;
  readonly caption: string;
  readonly type: ClientAttributeType;
  readonly sortable: boolean;
  /** The filter widget in the header (Data Grid 2): by the attribute's type; absent = none. */
  readonly filter?: 'text' | 'number' | 'date' | 'enum' | 'boolean';
  /** Hidden until the user shows it (columnsHidable). */
  readonly hidden?: boolean;
}

export type ClientListSource =
  | { readonly kind: 'database'; readonly operationId: string; readonly sort: readonly (readonly [string, 'asc' | 'desc'])[] }
  | { readonly kind: 'microflow'; readonly operationId: string; readonly microflow: string };

export interface ClientDataGrid {
  readonly type: 'dataGrid';
  readonly name: string;
  readonly caption?: string;
  readonly entity: string;
  readonly source: ClientListSource;
  readonly pageSize: number;
  readonly columns: readonly ClientColumn[];
  /** String attributes the search bar looks in. */
  readonly search: readonly string[];
  readonly buttons: readonly ClientButton[];
  readonly rowButtons: readonly ClientButton[];
  /** Rows the user can select: none, one, or several (check boxes). */
  readonly selection: 'none' | 'single' | 'multiple';
  /** Runs when a row is clicked, on that row's object. */
  readonly onClick?: ClientButton;
  /** The user chooses the shown columns (kept in localStorage). */
  readonly columnsHidable: boolean;
  /** Export to CSV and Excel of what the grid shows. */
  readonly export: boolean;
  /** Virtual scrolling (Mendix's `pagination: virtualScrolling`): the next page loads as the user scrolls, instead of paging buttons. */
  readonly virtualScrolling?: boolean;
}

export interface ClientListView {
  readonly type: 'listView';
  readonly name: string;
  readonly caption?: string;
  readonly entity: string;
  readonly source: ClientListSource;
  readonly pageSize: number;
  readonly search: readonly string[];
  /** Widgets rendered per item, in the item's context. */
  readonly widgets: readonly ClientWidget[];
  readonly buttons: readonly ClientButton[];
  /** A template grid: this many items side by side. */
  readonly itemsPerRow?: number;
}

export interface ClientDataView {
  readonly type: 'dataView';
  readonly name: string;
  readonly entity: string;
  /** `operationId`: retrieve of the parameter object, for when the client does not hold it already. */
  readonly source:
    | { readonly kind: 'parameter'; readonly parameter: string; readonly operationId?: string }
    /** The object the nanoflow returns, run in the browser when the data view appears. */
    | { readonly kind: 'nanoflow'; readonly nanoflow: string }
    /** The object the enclosing object's Reference points to; `operationId` retrieves it by id when the client lacks it. */
    | { readonly kind: 'association'; readonly association: string; readonly operationId?: string };
  readonly widgets: readonly ClientWidget[];
  readonly buttons: readonly ClientButton[];
}

export interface ClientInput {
  readonly type: 'textBox' | 'textArea' | 'numberInput' | 'datePicker' | 'dateTimePicker' | 'richText' | 'checkBox' | 'radioButtons' | 'dropDown';
  readonly attribute: string;
  readonly label: string;
  readonly readOnly: boolean;
  /** Editable only while this holds (on top of readOnly). */
  readonly editable?: ClientCondition;
  /** Nanoflow run (with the object) after the user changed the value; its plan is in the page's `nanoflows`. */
  readonly onChange?: string;
}

export interface ClientReferenceSelector {
  readonly type: 'referenceSelector' | 'referenceSetSelector';
  readonly association: string;
  /** Entity at the other end. */
  readonly target: string;
  /** Attribute of the target shown as the option's caption. */
  readonly displayAttribute: string;
  /** The order of the choices the model gives (absent: by the caption). */
  readonly sort?: readonly (readonly [string, 'asc' | 'desc'])[];
  readonly label: string;
  readonly readOnly: boolean;
  readonly editable?: ClientCondition;
  /** Retrieve of the selectable objects; absent = the user cannot list them. */
  readonly optionsOperationId?: string;
}

export interface ClientStaticText {
  readonly type: 'staticText';
  readonly text: string;
  readonly heading?: 1 | 2 | 3;
}
export interface ClientDynamicText {
  readonly type: 'dynamicText';
  readonly attribute: string;
  readonly label?: string;
}
/**
 * A FileDocument's contents in a data view over it (`fileManager`), or an
 * Image's (`imageViewer`, showing its thumbnail): the name and size, a
 * download link, and an upload control when the user may write the contents.
 */
export interface ClientFileWidget {
  readonly type: 'fileManager' | 'imageViewer';
  readonly label?: string;
  readonly upload: boolean;
  /** Bytes; the server's FileUploadMaxSize applies as well. */
  readonly maxFileSize?: number;
}
export interface ClientButtonWidget {
  readonly type: 'button';
  readonly button: ClientButton;
}
export interface ClientContainer {
  readonly type: 'container';
  readonly widgets: readonly ClientWidget[];
  readonly className?: string;
}
export interface ClientLayoutGrid {
  readonly type: 'layoutGrid';
  readonly rows: readonly {
    readonly columns: readonly {
      readonly weight: number;
      readonly tabletWeight: number;
      readonly phoneWeight: number;
      /** In a layout: the element id of this column when it is a sidebar region (it holds the vertical navigation). */
      readonly sidebar?: string;
      readonly widgets: readonly ClientWidget[];
    }[];
  }[];
}
export interface ClientGroupBox {
  readonly type: 'groupBox';
  readonly caption?: string;
  readonly collapsible: boolean;
  readonly collapsed: boolean;
  readonly widgets: readonly ClientWidget[];
}
export interface ClientTabContainer {
  readonly type: 'tabContainer';
  readonly name: string;
  readonly tabs: readonly { readonly caption: string; readonly visible?: ClientCondition; readonly widgets: readonly ClientWidget[] }[];
}
export interface ClientScrollContainer {
  readonly type: 'scrollContainer';
  readonly height?: number;
  readonly widgets: readonly ClientWidget[];
}
/** In a layout: where the page's widgets (`main`) or its placeholder widgets go. */
export interface ClientPlaceholder {
  readonly type: 'placeholder';
  readonly name: string;
}
export interface ClientNavigationTree {
  readonly type: 'navigationTree';
  readonly orientation: 'vertical' | 'horizontal';
}
export interface ClientLanguageSelector {
  readonly type: 'languageSelector';
}
/** A button that collapses and expands the layout's sidebar regions (their element ids). */
export interface ClientSidebarToggle {
  readonly type: 'sidebarToggle';
  readonly controls: readonly string[];
}

/** Text with parameters: `{1}`, `{2}` filled from the context object's attributes (readable ones only: otherwise no widget). */
export interface ClientText {
  readonly type: 'text';
  readonly text: string;
  readonly params: readonly { readonly attribute: string; readonly type: ClientAttributeType }[];
}
/** An image: a static file of the app (`/images/...`) or the context Image object's contents (`/file`). */
export interface ClientImage {
  readonly type: 'image';
  /** A static image's URL; absent: the context object's. */
  readonly src?: string;
  /** A String attribute of the context object holding the image as a data: URL (checked in the browser). */
  readonly attribute?: string;
  readonly alt: string;
  readonly thumbnail: boolean;
  readonly width?: number;
  readonly height?: number;
}
export interface ClientBadge {
  readonly type: 'badge';
  readonly attribute?: string;
  readonly text?: string;
  readonly style: 'default' | 'info' | 'success' | 'warning' | 'danger';
}
/** Links to pages (navigation list, menu bar); pages the user may not open are left out. */
export interface ClientNavWidget {
  readonly type: 'navigationList' | 'menuBar';
  readonly items: readonly { readonly caption: string; readonly page: string }[];
}

export type ClientWidget = (
  | ClientDataGrid
  | ClientListView
  | ClientDataView
  | ClientInput
  | ClientReferenceSelector
  | ClientStaticText
  | ClientDynamicText
  | ClientFileWidget
  | ClientButtonWidget
  | ClientContainer
  | ClientLayoutGrid
  | ClientGroupBox
  | ClientTabContainer
  | ClientScrollContainer
  | ClientPlaceholder
  | ClientNavigationTree
  | ClientLanguageSelector
  | ClientSidebarToggle
  | ClientText
  | ClientImage
  | ClientBadge
  | ClientNavWidget
) & { readonly visible?: ClientCondition };

export interface ClientPage {
  readonly name: string;
  readonly title: string;
  /** The layout the page is shown in: its widgets, with placeholders the page fills. */
  readonly layout?: { readonly name: string; readonly widgets: readonly ClientWidget[] };
  /** Widgets for the layout's placeholders other than main, by name. */
  readonly placeholders?: Readonly<Record<string, readonly ClientWidget[]>>;
  readonly popup: boolean;
  /** Page parameters: name -> entity. */
  readonly parameters: Readonly<Record<string, string>>;
  readonly widgets: readonly ClientWidget[];
  /** Metadata of every entity the page shows, filtered to what the user may read. */
  readonly entities: Readonly<Record<string, ClientEntity>>;
  /** The nanoflows the page runs (and those they call), by qualified name. */
  readonly nanoflows?: Readonly<Record<string, NanoflowPlan>>;
}

/** GET /pages/_navigation.json: the menu and home page of the signed-in user. */
export interface ClientNavigation {
  readonly appName: string;
  readonly appVersion: string;
  readonly home: string | null;
  readonly menu: readonly { readonly caption: string; readonly page: string }[];
  /** app.yaml languages, the default first; empty when the app names none. */
  readonly languages: readonly string[];
  /** The user's language (System.User_Language), when set and one of languages. */
  readonly language: string | null;
  /** The language the texts of this answer are in (null: the app names no languages). */
  readonly textLanguage: string | null;
  /**
   * The IANA zone dates are shown and edited in: the user's System.User_TimeZone, else
   * app.yaml's defaultTimeZone; null: the browser's own zone.
   */
  readonly timeZone: string | null;
  /** app.yaml's clientTexts in textLanguage: they replace the client's built-in texts of the same key. */
  readonly clientTexts: Readonly<Record<string, string>>;
  readonly userName: string | null;
  readonly roles: readonly string[];
  readonly securityLevel: 'off' | 'prototype' | 'production';
}
