import { countSidebarRegions } from '../model/compiled/sidebar-region.js';
import { dataType } from './domain.js';
import { type MenuDocuments, menuDocuments } from './menus.js';
import { last, list, type ModelIndex, moduleOf, obj, str, strings, text } from './model-index.js';
import { associationType, convertCombobox, convertImage, type PluggableContext, widgetProps } from './pluggable-widgets.js';
import type { Reporter } from './report.js';
import type { MxObject } from './units.js';

type Json = Record<string, unknown>;

const NUMERIC = new Set(['Integer', 'Long', 'Decimal', 'Float', 'Currency', 'AutoNumber']);

/** Data Grid 2's header filter widgets, by the kind of filter Kiln shows. */
const FILTERS: Record<string, string> = {
  'com.mendix.widget.web.datagridtextfilter.DatagridTextFilter': 'text',
  'com.mendix.widget.web.datagridnumberfilter.DatagridNumberFilter': 'number',
  'com.mendix.widget.web.datagriddatefilter.DatagridDateFilter': 'date',
  'com.mendix.widget.web.datagriddropdownfilter.DatagridDropdownFilter': 'drop-down',
};

/** In a layout: placeholders are kept, and snippet calls are replaced by the snippet's widgets (a Kiln layout holds no snippet call). */
interface LayoutContext {
  snippet: (qualified: string) => MxObject | undefined;
  /** The Mendix name of the placeholder that becomes Kiln's `main`. */
  main: string;
  /** Snippets being expanded (a snippet that calls itself is not expanded again). */
  expanding: string[];
}

/** Mendix page widgets -> Kiln widgets; what has no Kiln widget is left out and noted. */
class PageConverter implements PluggableContext {
  readonly notes: string[] = [];

  private readonly language: string;

  constructor(
    readonly index: ModelIndex,
    private readonly attributeTypes: Map<string, string>,
    private readonly layout?: LayoutContext,
    private readonly menus?: MenuDocuments,
  ) {
    this.language = index.language;
  }

  /**
   * A menu bar or navigation tree: over the app's navigation, Kiln's `navigationTree`; over a menu
   * document, that menu's items in a `menuBar` (horizontal) or `navigationList` (vertical).
   */
  private menu(w: MxObject, horizontal: boolean): Json[] {
    const source = obj(w.MenuSource);
    if (source?.$Type === 'Forms$MenuDocumentSource') {
      const items = this.menus?.items(str(source.Menu));
      if (!items) {
        this.notes.push(`${str(w.Name)}: its menu ${str(source.Menu)} is not in the project, left out`);
        return [];
      }
      return [horizontal ? { menuBar: { items } } : { navigationList: { items } }];
    }
    return [{ navigationTree: horizontal ? { orientation: 'horizontal' } : {} }];
  }

  template(t: unknown): string {
    const o = obj(t);
    return o?.$Type === 'Forms$ClientTemplate' ? text(o.Template, this.language) : text(o, this.language);
  }

  widgets(ws: unknown): Json[] {
    return list(ws).flatMap((w) => this.widget(w));
  }

  private buttons(ws: unknown): Json[] {
    return list(ws)
      .filter((w) => w.$Type === 'Forms$ActionButton')
      .flatMap((w) => this.widget(w))
      .map((b) => b.button as Json);
  }

  /** A member path as Kiln columns take it: `Attr`, or `Module.Assoc/Module.Entity/Attr` over associations. */
  private memberPath(ref: MxObject | undefined): string | undefined {
    const attr = str(ref?.Attribute);
    if (!attr) return undefined;
    const steps = list(obj(ref?.EntityRef)?.Steps);
    return [...steps.map((st) => `${str(st.Association)}/${str(st.DestinationEntity)}`), last(attr)].join('/');
  }

  /** What a Kiln grid sorts and filters by: an attribute, or one step over a reference (not a reference set, as in Mendix). */
  private keyPath(ref: MxObject | undefined): string | undefined {
    const steps = list(obj(ref?.EntityRef)?.Steps);
    if (steps.length > 1 || (steps.length === 1 && associationType(this.index, str(steps[0]!.Association)) !== 'Reference')) return undefined;
    return this.memberPath(ref);
  }

  /** Data Grid 2 (a pluggable widget): its properties are found by their keys in the widget's type. */
  private dataGrid(w: MxObject): Json[] {
    const props = widgetProps(w);
    const top = props(obj(w.Object));
    const src = obj(top.get('datasource')?.DataSource);
    const entity = str(obj(src?.EntityRef)?.Entity);
    if (src?.$Type !== 'CustomWidgets$CustomWidgetXPathSource' || !entity) {
      this.notes.push(`data grid ${str(w.Name)}: its source (${str(src?.$Type) || 'none'}) has no Kiln form, left out`);
      return [];
    }
    const sort = list(obj(src.SortBar)?.SortItems).flatMap((s) => {
      const a = this.keyPath(obj(s.AttributeRef));
      if (!a) {
        this.notes.push(`data grid ${str(w.Name)}: sorting over a reference set or several associations (${str(obj(s.AttributeRef)?.Attribute)}) left out`);
        return [];
      }
      return [str(s.SortOrder) === 'Descending' ? { attribute: a, descending: true } : a];
    });
    const columns: unknown[] = [];
    const rowButtons: Json[] = [];
    for (const col of list(top.get('columns')?.Objects)) {
      const c = props(col);
      const header = this.template(c.get('header')?.TextTemplate).trim();
      const as = str(c.get('showContentAs')?.PrimitiveValue);
      const path = this.memberPath(obj(c.get('attribute')?.AttributeRef));
      if (as === 'customContent') {
        const buttons = this.buttons(c.get('content')?.Widgets);
        rowButtons.push(...buttons);
        if (buttons.length) continue;
        if (!path) {
          this.notes.push(`data grid ${str(w.Name)}: custom column '${header}' left out`);
          continue;
        }
        // A custom column over an attribute (which Mendix sorts and filters it by) shows that attribute's value.
        this.notes.push(`data grid ${str(w.Name)}: custom column '${header}' shows its attribute's value`);
      }
      if (!path) {
        this.notes.push(`data grid ${str(w.Name)}: column '${header}' without an attribute left out`);
        continue;
      }
      if (as === 'dynamicText' && this.template(c.get('dynamicText')?.TextTemplate).trim() !== '{1}')
        this.notes.push(`data grid ${str(w.Name)}: column '${header}' shows its attribute without the text around it`);
      const filter = this.columnFilter(str(w.Name), header, obj(c.get('attribute')?.AttributeRef), c.get('filter')?.Widgets);
      columns.push(filter ? { attribute: path, ...(header ? { caption: header } : {}), filter: true } : header ? { attribute: path, caption: header } : path);
    }
    const pageSize = Number(top.get('pageSize')?.PrimitiveValue);
    return [
      {
        dataGrid: {
          name: str(w.Name),
          source: { xpath: `//${entity}${str(src.XPathConstraint)}`, ...(sort.length ? { sort } : {}) },
          ...(pageSize > 0 ? { pageSize } : {}),
          columns,
          ...(rowButtons.length ? { rowButtons } : {}),
        },
      },
    ];
  }

  /**
   * A Data Grid 2 column's header filter (text, number, date or drop-down filter widget) becomes
   * `filter: true`: Kiln picks the filter by the attribute's type, as Mendix's filters require of it.
   */
  private columnFilter(grid: string, header: string, ref: MxObject | undefined, widgets: unknown): boolean {
    const filter = list(widgets).find((f) => FILTERS[str(obj(f.Type)?.WidgetId)]);
    for (const f of list(widgets))
      if (f !== filter) this.notes.push(`data grid ${grid}: column '${header}': ${str(obj(f.Type)?.WidgetId) || str(f.$Type)} in its header left out`);
    if (!filter) return false;
    const kind = FILTERS[str(obj(filter.Type)?.WidgetId)]!;
    if (!this.keyPath(ref)) {
      this.notes.push(
        `data grid ${grid}: column '${header}': its ${kind} filter over a reference set or several associations left out (Kiln filters over one reference at most)`,
      );
      return false;
    }
    const type = this.attributeTypes.get(str(ref?.Attribute));
    const kilnKind = !type ? kind : type === 'String' ? 'text' : NUMERIC.has(type) ? 'number' : type === 'DateTime' ? 'date' : 'drop-down';
    if (kilnKind !== kind)
      this.notes.push(`data grid ${grid}: column '${header}': its ${kind} filter is a ${kilnKind} filter in Kiln (by the attribute's type)`);
    if (type === 'Binary' || type === 'HashedString') {
      this.notes.push(`data grid ${grid}: column '${header}': a filter on a ${type} attribute left out`);
      return false;
    }
    return true;
  }

  private action(a: MxObject | undefined, caption: string): unknown {
    const type = str(a?.$Type).replace(/^Forms\$/, '');
    switch (type) {
      case 'SaveChangesClientAction':
        return 'save';
      case 'CancelChangesClientAction':
        return 'cancel';
      case 'ClosePageClientAction':
        return 'close';
      case 'DeleteClientAction':
        return 'delete';
      case 'MicroflowAction': {
        const mf = str(obj(a?.MicroflowSettings)?.Microflow);
        return mf ? { microflow: mf } : undefined;
      }
      case 'FormAction': {
        const page = str(obj(a?.FormSettings)?.Form);
        return page ? { open: page } : undefined;
      }
      case 'CreateObjectClientAction': {
        const entity = str(obj(a?.EntityRef)?.Entity);
        const page = str(obj(a?.PageSettings)?.Form);
        return entity && page ? { create: entity, page } : undefined;
      }
      case 'CallNanoflowClientAction': {
        // Kiln passes the data view's (or selected) object to the nanoflow's object parameter, as Mendix's default mapping does.
        const nf = str(a?.Nanoflow);
        return nf ? { nanoflow: nf } : undefined;
      }
      case 'OpenLinkClientAction': {
        const address = obj(a?.Address);
        const linkType = ({ Email: 'email', Call: 'call', Text: 'text' } as Record<string, string>)[str(a?.LinkType)];
        const ref = obj(address?.AttributeRef);
        if (address?.IsDynamic === true && (!str(ref?.Attribute) || obj(ref?.EntityRef))) {
          this.notes.push(`button '${caption}': its link address over an association has no Kiln form, left out`);
          return undefined;
        }
        // kiln check refuses an address that gives no safe link (a javascript: URL, say): the button is then left out, reported.
        const openLink = address?.IsDynamic === true ? { attribute: last(str(ref?.Attribute)) } : str(address?.Value);
        return { openLink, ...(linkType ? { linkType } : {}) };
      }
      case 'NoAction':
        return undefined;
      default:
        this.notes.push(`button '${caption}': ${type || 'its action'} has no Kiln button action, left out`);
        return undefined;
    }
  }

  private widget(w: MxObject): Json[] {
    const type = str(w.$Type).replace(/^Forms\$/, '');
    const label = this.template(w.LabelTemplate);
    const attrQ = str(obj(w.AttributeRef)?.Attribute);
    const input = (kind: string): Json[] => {
      if (!attrQ || obj(obj(w.AttributeRef)?.EntityRef)) {
        this.notes.push(`${type} ${str(w.Name)}: an attribute over an association path has no Kiln input, left out`);
        return [];
      }
      return [{ [kind]: { attribute: last(attrQ), ...(label ? { label } : {}), ...(str(w.Editable) === 'Never' ? { readOnly: true } : {}) } }];
    };
    switch (type) {
      case 'DivContainer':
        return [{ container: { widgets: this.widgets(w.Widgets) } }];
      case 'ScrollContainer':
        return this.scrollContainer(w);
      case 'Placeholder':
        if (!this.layout) break;
        return [{ placeholder: { name: str(w.Name) === this.layout.main ? 'main' : str(w.Name) } }];
      case 'NavigationTree':
        return this.menu(w, false);
      case 'MenuBar':
        return this.menu(w, true);
      case 'SimpleMenuBar':
        return this.menu(w, str(w.Orientation) !== 'Vertical');
      case 'SidebarToggleButton':
        // Collapses the layout's sidebar (convertLayout takes it out again if the layout has none).
        if (this.layout) return [{ sidebarToggle: {} }];
        this.notes.push(`sidebar toggle ${str(w.Name)} left out (Kiln's sidebar toggle belongs in a layout)`);
        return [];
      case 'GroupBox': {
        const caption = this.template(w.Caption) || text(w.Caption, this.language);
        const collapsible = str(w.Collapsible);
        return [
          {
            groupBox: {
              ...(caption ? { caption } : {}),
              ...(/^Yes/.test(collapsible) ? { collapsible: true } : {}),
              ...(collapsible === 'YesInitiallyCollapsed' ? { collapsed: true } : {}),
              widgets: this.widgets(w.Widgets),
            },
          },
        ];
      }
      case 'TabContainer':
      case 'TabControl': {
        const tabs = list(w.TabPages).map((p) => ({ caption: text(p.Caption, this.language) || str(p.Name), widgets: this.widgets(p.Widgets) }));
        return tabs.length ? [{ tabContainer: { tabs } }] : [];
      }
      case 'SnippetCallWidget': {
        const call = obj(w.FormCall);
        const snippet = str(call?.Form);
        if (!snippet) return [];
        if (this.layout) return this.expandSnippet(snippet);
        // A parameter is filled from a page parameter, or from the enclosing data view's object.
        const parameters: Json = {};
        for (const m of list(call?.ParameterMappings)) {
          const v = obj(m.Variable);
          parameters[last(str(m.Parameter))] = str(v?.PageParameter) ? `$${str(v?.PageParameter)}` : '$currentObject';
        }
        return [{ snippetCall: { snippet, ...(Object.keys(parameters).length ? { parameters } : {}) } }];
      }
      case 'LayoutGrid':
        return [
          {
            layoutGrid: {
              rows: list(w.Rows).map((r) => {
                const cols = list(r.Columns);
                return {
                  columns: cols.map((c) => {
                    const weight = Number(c.Weight);
                    return { weight: weight >= 1 && weight <= 12 ? weight : Math.max(1, Math.floor(12 / cols.length)), widgets: this.widgets(c.Widgets) };
                  }),
                };
              }),
            },
          },
        ];
      case 'DataView': {
        const src = obj(w.DataSource);
        const param = str(obj(src?.SourceVariable)?.PageParameter);
        const buttons = this.buttons(w.FooterWidgets);
        // A nanoflow data source runs in the browser when the data view appears (one without parameters, as Kiln's).
        if (src?.$Type === 'Forms$NanoflowSource' && str(src.Nanoflow) && !list(src.ParameterMappings).length)
          return [
            {
              dataView: {
                name: str(w.Name),
                source: { nanoflow: str(src.Nanoflow) },
                widgets: this.widgets(w.Widgets),
                ...(buttons.length ? { buttons } : {}),
              },
            },
          ];
        // Over the enclosing object's reference (one step, no variable): the object it points to.
        const steps = list(obj(src?.EntityRef)?.Steps);
        if (src?.$Type === 'Forms$DataViewSource' && !param && !obj(src.SourceVariable) && steps.length === 1 && str(steps[0]?.Association))
          return [
            {
              dataView: {
                name: str(w.Name),
                source: { association: str(steps[0]?.Association) },
                widgets: this.widgets(w.Widgets),
                ...(buttons.length ? { buttons } : {}),
              },
            },
          ];
        if (src?.$Type !== 'Forms$DataViewSource' || !param) {
          const what =
            src?.$Type === 'Forms$DataViewSource' && list(obj(src.EntityRef)?.Steps).length
              ? `an association of the enclosing object (${list(obj(src.EntityRef)?.Steps)
                  .map((st) => str(st.Association))
                  .join('/')})`
              : src?.$Type === 'Forms$NanoflowSource'
                ? 'a nanoflow with parameters'
                : str(src?.$Type) || 'none';
          this.notes.push(`data view ${str(w.Name)}: its source (${what}) has no Kiln form, left out`);
          return [];
        }
        return [{ dataView: { name: str(w.Name), source: { parameter: param }, widgets: this.widgets(w.Widgets), ...(buttons.length ? { buttons } : {}) } }];
      }
      case 'ListView': {
        const src = obj(w.DataSource);
        const entity = str(obj(src?.EntityRef)?.Entity) || str(src?.Entity);
        if (src?.$Type !== 'Forms$ListViewXPathSource' || !entity) {
          this.notes.push(`list view ${str(w.Name)}: its source (${str(src?.$Type) || 'none'}) has no Kiln form, left out`);
          return [];
        }
        const sort = list(obj(src?.SortBar)?.SortItems).map((s) => {
          const a = last(str(obj(s.AttributeRef)?.Attribute));
          return str(s.SortOrder) === 'Descending' ? { attribute: a, descending: true } : a;
        });
        return [
          {
            listView: {
              name: str(w.Name),
              source: { xpath: `//${entity}${str(src.XPathConstraint)}`, ...(sort.length ? { sort } : {}) },
              ...(Number(w.PageSize) > 0 ? { pageSize: Number(w.PageSize) } : {}),
              widgets: this.widgets(w.Widgets),
            },
          },
        ];
      }
      case 'TextBox':
        return input(NUMERIC.has(this.attributeTypes.get(attrQ) ?? '') ? 'numberInput' : 'textBox');
      case 'TextArea':
        return input('textArea');
      case 'DatePicker':
        return input('datePicker');
      case 'CheckBox':
        return input('checkBox');
      case 'RadioButtonGroup':
      case 'RadioButtons':
        return input(this.attributeTypes.get(attrQ) === 'Boolean' ? 'checkBox' : 'radioButtons');
      case 'DropDown':
        return input('dropDown');
      case 'ReferenceSelector':
      case 'ReferenceSetSelector': {
        const path = obj(obj(w.AttributeRef)?.EntityRef);
        const assoc = str(list(path?.Steps)[0]?.Association);
        if (!assoc || !attrQ) {
          this.notes.push(`${type} ${str(w.Name)}: association not found, left out`);
          return [];
        }
        return [
          {
            [type === 'ReferenceSelector' ? 'referenceSelector' : 'referenceSetSelector']: {
              association: assoc,
              attribute: last(attrQ),
              ...(label ? { label } : {}),
            },
          },
        ];
      }
      case 'Label':
        return [{ staticText: { text: text(w.Caption, this.language) } }];
      case 'Title':
        return [{ staticText: { text: text(w.Caption, this.language), heading: 1 } }];
      case 'DynamicText': {
        const content = obj(w.Content);
        const params = list(content?.Parameters);
        const t = this.template(content);
        const attr = str(obj(params[0]?.AttributeRef)?.Attribute);
        if (params.length === 1 && attr && t.trim() === '{1}' && !obj(obj(params[0]?.AttributeRef)?.EntityRef))
          return [{ dynamicText: { attribute: last(attr) } }];
        if (params.length) this.notes.push(`text ${str(w.Name)}: parameters of '${t}' left out (shown as written)`);
        const heading = /^H([1-3])$/.exec(str(w.RenderMode));
        return [{ staticText: { text: t, ...(heading ? { heading: Number(heading[1]) } : {}) } }];
      }
      case 'ActionButton': {
        const caption = this.template(w.CaptionTemplate) || text(w.Tooltip, this.language) || str(w.Name);
        const action = this.action(obj(w.Action), caption);
        if (action === undefined) return [];
        const style = buttonStyle(str(w.ButtonStyle));
        return [{ button: { caption, action, ...(style ? { style } : {}) } }];
      }
      case 'CustomWidgets$CustomWidget':
        if (str(obj(w.Type)?.WidgetId) === 'com.mendix.widget.web.datagrid.Datagrid') return this.dataGrid(w);
        if (/languageselector/i.test(str(obj(w.Type)?.WidgetId))) return [{ languageSelector: {} }];
        if (str(obj(w.Type)?.WidgetId) === 'com.mendix.widget.web.image.Image') return convertImage(this, w);
        if (str(obj(w.Type)?.WidgetId) === 'com.mendix.widget.web.combobox.Combobox') return convertCombobox(this, w);
        this.notes.push(`pluggable widget ${str(obj(w.Type)?.WidgetId) || '?'} ${str(w.Name)} left out (no Kiln widget yet)`);
        return [];
      default:
        break;
    }
    this.notes.push(`${str(w.$Type).replace('$', ' ')} ${str(w.Name)} left out (no Kiln widget yet)`);
    return [];
  }

  /**
   * A Mendix scroll container has regions (top, left, center, right, bottom): the top and bottom
   * regions become rows above and below, left/center/right the columns of a layout grid (a
   * region in pixels gets the columns of a 1200 px wide page, a region in percent its share of 12).
   */
  private scrollContainer(w: MxObject): Json[] {
    const region = (key: string) => obj(w[key]);
    const center = region('CenterRegion');
    if (!center) return [{ scrollContainer: { widgets: this.widgets(w.Widgets) } }];
    const columns: Json[] = [];
    const side = (key: string) => {
      const r = region(key);
      if (!r) return 0;
      const ws = this.widgets(r.Widgets);
      if (!ws.length) return 0;
      const size = Number(r.Size);
      const weight = Math.min(4, Math.max(1, Math.round(str(r.SizeMode) === 'Percentage' ? (size * 12) / 100 : size / 100) || 3));
      columns.push({ weight, widgets: ws });
      return weight;
    };
    const left = side('Left');
    const main = { weight: 12, widgets: this.widgets(center.Widgets) };
    columns.push(main);
    const right = side('Right');
    main.weight = 12 - left - right;
    const top = this.widgets(region('Top')?.Widgets);
    const bottom = this.widgets(region('Bottom')?.Widgets);
    const middle: Json[] = columns.length === 1 ? main.widgets : [{ layoutGrid: { rows: [{ columns }] } }];
    return [{ container: { widgets: [...top, ...middle, ...bottom] } }];
  }

  /** A snippet called from a layout: its widgets in place of the call (it has no parameters there). */
  private expandSnippet(snippet: string): Json[] {
    const doc = this.layout?.snippet(snippet);
    if (!doc || this.layout!.expanding.includes(snippet)) {
      this.notes.push(`snippet call ${snippet} left out (the snippet is not in the project)`);
      return [];
    }
    this.layout!.expanding.push(snippet);
    try {
      return this.widgets(doc.Widgets);
    } finally {
      this.layout!.expanding.pop();
    }
  }
}

/**
 * The placeholder of a Mendix layout that becomes Kiln's `main` (where a page's widgets go):
 * the one named Main, as Atlas names it, or else the first one (a scroll container's center region first).
 */
export function mainPlaceholder(layout: MxObject): string {
  const names: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as MxObject;
      if (o.$Type === 'Forms$Placeholder') names.push(str(o.Name));
      // A scroll container's center region first: that is where a layout puts its content.
      walk(o.CenterRegion);
      for (const [k, x] of Object.entries(o)) if (k !== 'CenterRegion') walk(x);
    }
  };
  walk(obj(layout.Content)?.Widgets);
  // A layout based on a master layout holds its widgets, and its own placeholders, in the master's arguments.
  for (const a of list(obj(obj(layout.Content)?.LayoutCall)?.Arguments)) walk(a.Widgets);
  return names.find((n) => n.toLowerCase() === 'main') ?? names[0] ?? 'Main';
}

/** A Mendix page as a Kiln page file: title, roles, parameters, pop-up or not, widgets. */
export function convertPage(
  index: ModelIndex,
  module: string,
  name: string,
  doc: MxObject,
  reporter: Reporter,
  attributeTypes: Map<string, string>,
  layouts: ReadonlyMap<string, string> = new Map(),
): Json {
  const conv = new PageConverter(index, attributeTypes, undefined, menuDocuments(index));
  const out: Json = { title: text(doc.Title, index.language) || name };
  const roles = strings(doc.AllowedModuleRoles).map((q) => (moduleOf(q) === module ? last(q) : q));
  if (roles.length) out.allowedRoles = roles;
  const params: Json = {};
  for (const p of list(doc.Parameters)) {
    const t = dataType(obj(p.ParameterType));
    if (t?.includes('.') && !t.startsWith('List of')) params[str(p.Name)] = t;
    else conv.notes.push(`parameter ${str(p.Name)} of type ${t ?? 'unknown'} left out: Kiln page parameters are objects`);
  }
  if (Object.keys(params).length) out.parameters = params;
  const call = obj(doc.FormCall);
  const layout = str(call?.Form);
  if (/popup/i.test(layout)) out.popup = true;
  else if (layouts.has(layout)) out.layout = layout;
  else if (layout) conv.notes.push(`layout ${layout} not imported: shown in the app's default frame`);
  // Each argument fills a placeholder of the layout (`Module.Layout.Placeholder`): the main one holds the page's widgets.
  const placeholders: Json = {};
  out.widgets = [];
  for (const a of list(call?.Arguments)) {
    const target = last(str(a.Parameter)) === layouts.get(layout) ? 'main' : last(str(a.Parameter));
    const widgets = conv.widgets(a.Widgets);
    if (target === 'main' || !out.layout) (out.widgets as Json[]).push(...widgets);
    else if (widgets.length) placeholders[target] = widgets;
  }
  if (Object.keys(placeholders).length) out.placeholders = placeholders;
  reporter.count('page', conv.notes, `${module}.${name}`);
  return out;
}

/**
 * A Mendix layout as a Kiln layout file (`layouts/<Name>.yaml`): its widgets with the
 * placeholders, the navigation (tree or menu bar) and the snippets it calls expanded in place.
 * Only responsive (web) layouts have a Kiln form: Kiln pages are responsive, and pop-ups are
 * never framed; undefined for the others (reported).
 */
export function convertLayout(
  index: ModelIndex,
  module: string,
  name: string,
  doc: MxObject,
  reporter: Reporter,
  attributeTypes: Map<string, string>,
): Json | undefined {
  const where = `${module}.${name}`;
  const content = obj(doc.Content);
  const type = str(content?.LayoutType);
  if (doc.Excluded === true) {
    reporter.skip('layout', where, 'excluded from the Mendix project');
    return undefined;
  }
  if (type !== 'Responsive') {
    const why: Record<string, string> = {
      ModalPopup: 'a pop-up layout: Kiln shows pop-up pages in its own dialog (the page keeps popup: true)',
      Popup: 'a pop-up layout: Kiln shows pop-up pages in its own dialog (the page keeps popup: true)',
      Phone: 'a phone layout: Kiln pages are responsive, one web layout serves every screen',
      Tablet: 'a tablet layout: Kiln pages are responsive, one web layout serves every screen',
      Default: 'a native mobile layout: Kiln has no native client',
    };
    reporter.skip('layout', where, why[type] ?? `a ${type || 'layout of unknown type'} layout has no Kiln form`);
    return undefined;
  }
  const notes: string[] = [];
  let widgets = layoutWidgets(index, doc, attributeTypes, notes, [where]);
  if (countSidebarRegions(widgets) === 0) {
    const before = JSON.stringify(widgets);
    widgets = withoutSidebarToggles(widgets) as Json[];
    if (JSON.stringify(widgets) !== before)
      notes.push('sidebar toggle left out: the layout has no sidebar for it (a layout grid column holding a vertical navigation tree)');
  }
  reporter.count('layout', notes, where);
  return { widgets, ...(str(doc.Documentation) ? { documentation: str(doc.Documentation) } : {}) };
}

/**
 * A layout's Kiln widgets. A layout based on a master layout (Mendix's layout call) becomes one
 * flat layout, as Kiln layouts have no master: the master's widgets, each of its placeholders
 * replaced by what this layout puts there (its own placeholders among them); a placeholder of
 * the master this layout leaves empty stays empty, as in Mendix.
 */
function layoutWidgets(index: ModelIndex, doc: MxObject, attributeTypes: Map<string, string>, notes: string[], chain: string[]): Json[] {
  const content = obj(doc.Content);
  const snippets = new Map(index.documents('Forms$Snippet').map((d) => [`${d.module}.${d.name}`, d.unit.doc]));
  const conv = new PageConverter(index, attributeTypes, { snippet: (q) => snippets.get(q), main: mainPlaceholder(doc), expanding: [] }, menuDocuments(index));
  const own = conv.widgets(content?.Widgets);
  const call = obj(content?.LayoutCall);
  const masterName = str(call?.Layout);
  let widgets = own;
  if (masterName) {
    const master = index.documents('Forms$Layout').find((d) => `${d.module}.${d.name}` === masterName)?.unit.doc;
    const masterType = str(obj(master?.Content)?.LayoutType);
    if (!master || chain.includes(masterName) || masterType !== 'Responsive') {
      notes.push(
        `its master layout ${masterName} left out (${!master ? 'not in the project' : chain.includes(masterName) ? 'it calls itself' : `a ${masterType || 'non-web'} layout`})`,
      );
      for (const a of list(call?.Arguments)) widgets = [...widgets, ...conv.widgets(a.Widgets)];
    } else {
      const masterMain = mainPlaceholder(master);
      const filled = new Map<string, Json[]>();
      for (const a of list(call?.Arguments)) {
        const target = last(str(a.Parameter));
        filled.set(target === masterMain ? 'main' : target, conv.widgets(a.Widgets));
      }
      const base = layoutWidgets(index, master, attributeTypes, notes, [...chain, masterName]);
      widgets = [...fillPlaceholders(base, filled), ...own];
    }
  }
  notes.push(...conv.notes);
  return widgets;
}

/** The widgets with each `placeholder` replaced by the widgets given for its name (none when not given). */
function fillPlaceholders(widgets: Json[], filled: ReadonlyMap<string, Json[]>): Json[] {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v))
      return v.flatMap((w) => {
        const name = w && typeof w === 'object' && 'placeholder' in w ? str(obj((w as Json).placeholder)?.name) : undefined;
        return name === undefined ? [walk(w)] : (filled.get(name) ?? []);
      });
    if (!v || typeof v !== 'object') return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
  };
  return walk(widgets) as Json[];
}

/** The widgets without their sidebar toggles, at any depth. */
function withoutSidebarToggles(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((w) => !(w && typeof w === 'object' && 'sidebarToggle' in w)).map(withoutSidebarToggles);
  if (!v || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withoutSidebarToggles(x)]));
}

/** A Mendix snippet as a Kiln snippet file: its object parameters and widgets. */
export function convertSnippet(index: ModelIndex, module: string, name: string, doc: MxObject, reporter: Reporter, attributeTypes: Map<string, string>): Json {
  const conv = new PageConverter(index, attributeTypes, undefined, menuDocuments(index));
  const out: Json = {};
  const params: Json = {};
  for (const p of list(doc.Parameters)) {
    const t = dataType(obj(p.ParameterType));
    if (t?.includes('.') && !t.startsWith('List of')) params[str(p.Name)] = t;
    else conv.notes.push(`parameter ${str(p.Name)} of type ${t ?? 'unknown'} left out: Kiln snippet parameters are objects`);
  }
  if (Object.keys(params).length) out.parameters = params;
  out.widgets = conv.widgets(doc.Widgets);
  reporter.count('snippet', conv.notes, `${module}.${name}`);
  return out;
}

/** Qualified attribute name -> Mendix attribute type (String, Integer, ...), for choosing input widgets. */
export function attributeTypes(index: ModelIndex): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of index.documents('DomainModels$DomainModel')) {
    for (const e of list(d.unit.doc.Entities)) {
      for (const a of list(e.Attributes)) {
        const t = str(obj(a.NewType ?? a.Type)?.$Type)
          .replace(/^DomainModels\$/, '')
          .replace(/AttributeType$/, '');
        out.set(`${d.module}.${str(e.Name)}.${str(a.Name)}`, t);
      }
    }
  }
  return out;
}

/** app.yaml navigation from the responsive profile: home page, home pages by role, menu (pages and microflows imported). */
export function convertNavigation(index: ModelIndex, has: (kind: 'page' | 'microflow', q: string) => boolean, reporter: Reporter): Json | undefined {
  const nav = index.ofType('Navigation$NavigationDocument')[0];
  if (!nav) return undefined;
  const profile = list(nav.doc.Profiles).find((p) => str(p.Kind) === 'Responsive' || /responsive/i.test(str(p.Name))) ?? list(nav.doc.Profiles)[0];
  if (!profile) return undefined;
  const notes: string[] = [];
  const out: Json = {};
  const home = obj(profile.HomePage);
  if (str(home?.Page) && has('page', str(home?.Page))) out.home = str(home?.Page);
  else if (str(home?.Page) || str(home?.Microflow)) notes.push(`home ${str(home?.Page) || str(home?.Microflow)} left out (not imported or a microflow)`);
  const byRole: Record<string, string> = {};
  for (const r of list(profile.RoleBasedHomePages)) {
    if (str(r.Page) && has('page', str(r.Page))) byRole[str(r.UserRole)] = str(r.Page);
    else notes.push(`home of role ${str(r.UserRole)} left out`);
  }
  if (Object.keys(byRole).length) out.homeByRole = byRole;
  const menu: Json[] = [];
  const walk = (items: unknown) => {
    for (const it of list(items)) {
      const caption = text(it.Caption, index.language);
      const a = obj(it.Action);
      const page = str(obj(a?.FormSettings)?.Form);
      const mf = str(obj(a?.MicroflowSettings)?.Microflow);
      if (page && has('page', page)) menu.push({ caption, page });
      else if (mf && has('microflow', mf)) menu.push({ caption, microflow: mf });
      else if (page || mf || a?.$Type !== 'Forms$NoAction') notes.push(`menu item '${caption}' left out`);
      if (list(it.Items).length) notes.push(`sub-items of menu item '${caption}' flattened`);
      walk(it.Items);
    }
  };
  walk(obj(profile.Menu)?.Items);
  if (menu.length) out.menu = menu;
  const others = list(nav.doc.Profiles).filter((p) => p !== profile);
  if (others.length) notes.push(`navigation profiles ${others.map((p) => str(p.Name)).join(', ')} left out (Kiln has one navigation)`);
  reporter.count('navigation', notes, str(profile.Name) || 'Responsive');
  return Object.keys(out).length ? out : undefined;
}

/** Kiln's button styles are default, primary and danger: Mendix's Success and Primary look like a primary action, Danger and Warning like a dangerous one. */
function buttonStyle(mendix: string): 'primary' | 'danger' | undefined {
  switch (mendix.toLowerCase()) {
    case 'primary':
    case 'success':
      return 'primary';
    case 'danger':
    case 'warning':
      return 'danger';
    default:
      return undefined;
  }
}
