import { linkUrl } from '../model/link-address.js';
import type { CEntity, CompiledModel, CPage } from '../model/compiled/types.js';
import { referredEntity } from '../model/compiled/owned-associations.js';
import { qualify } from '../model/compiled/compile-domain.js';
import type { OperationRegistry, RuntimeOperation } from '../client-api/registry/index.js';
import { entityAccess, filterable, type EntityAccess } from '../security/entity-access.js';
import { hasAnyRole } from '../security/document-access.js';
import type { UserContext } from '../security/user-context.js';
import { instantiateSnippet } from '../model/compiled/snippets.js';
import { countSidebarRegions, isSidebarColumn } from '../model/compiled/sidebar-region.js';
import { translate } from '../model/text.js';
import { clientText } from '../model/client-texts.js';
import type { ConditionTable } from './conditions.js';
import type {
  ClientButton,
  ClientButtonAction,
  ClientColumn,
  ClientCondition,
  ClientEntity,
  ClientListSource,
  ClientPage,
  ClientWidget,
} from './page-definition.js';
import { buildNanoflowPlan, reachableNanoflows } from './nanoflows.js';
import type { NanoflowPlan } from './nanoflow-plan.js';

/**
 * Turns a page of the model into what one user's browser receives: the widgets
 * with the ids of the runtime operations they run, minus everything the user's
 * module roles do not allow — attributes they cannot read (columns, inputs,
 * search fields), buttons whose operation or entity right they lack, data
 * widgets over entities or microflows they cannot use. Pure: the component
 * caches the result per page and set of module roles.
 */
export function buildClientPage(
  model: CompiledModel,
  registry: OperationRegistry,
  page: CPage,
  user: UserContext,
  conditions?: ConditionTable,
  language?: string,
  /** Where the browser loads a nanoflow's JavaScript action from. */
  jsActionUrl?: (action: string) => string | undefined,
): ClientPage {
  return new PageBuilder(model, registry, page, user, conditions, language, jsActionUrl).build();
}

const INPUTS = new Set(['textBox', 'textArea', 'numberInput', 'datePicker', 'dateTimePicker', 'richText', 'checkBox', 'radioButtons', 'dropDown']);

interface Scope {
  readonly entity?: CEntity;
  readonly widgetName?: string;
}

class PageBuilder {
  private readonly entities = new Map<string, { access: EntityAccess; extra: Set<string> }>();
  /** Module of the file whose widgets are being built (the page's, a snippet's, the layout's), for unqualified names. */
  private module: string;
  /** Snippets being expanded, against cycles (reported by kiln check). */
  private snippets: string[] = [];
  /** Nanoflows the page runs (buttons, on-change events). */
  private readonly nanoflowRoots = new Set<string>();
  /** While the layout is built: the element ids of its sidebar regions (the toggles control them all), and how many are placed. */
  private sidebars: { readonly ids: readonly string[]; placed: number } | undefined;

  constructor(
    private readonly model: CompiledModel,
    private readonly registry: OperationRegistry,
    private readonly page: CPage,
    private readonly user: UserContext,
    private readonly conditions: ConditionTable | undefined,
    private readonly language: string | undefined,
    private readonly jsActionUrl?: (action: string) => string | undefined,
  ) {
    this.module = page.module;
  }

  /** A text as the model writes it, in the requested language (else the app's default, else the first given). */
  private text(v: unknown): string | undefined {
    return translate(v, this.language, this.model.app.languages?.[0]);
  }

  build(): ClientPage {
    const params: Record<string, string> = {};
    for (const [n, e] of Object.entries(this.page.def.parameters ?? {})) params[n] = qualify(e, this.page.module);
    const widgets = this.list(this.page.def.widgets, 'widgets', {});
    const placeholders: Record<string, ClientWidget[]> = {};
    for (const [name, list] of Object.entries(this.page.def.placeholders ?? {})) placeholders[name] = this.list(list, `placeholders/${name}`, {});
    const layout = this.page.layout ? this.model.layouts?.get(this.page.layout) : undefined;
    let clientLayout: ClientPage['layout'];
    if (layout) {
      // A layout runs no operation (kiln check keeps data widgets out), so its paths need no registry.
      this.module = layout.module;
      const count = countSidebarRegions(layout.def.widgets);
      this.sidebars = { ids: Array.from({ length: count }, (_, i) => `layout-sidebar-${i + 1}`), placed: 0 };
      clientLayout = { name: layout.name, widgets: this.list(layout.def.widgets, `layout:${layout.name}`, {}) };
      this.sidebars = undefined;
      this.module = this.page.module;
    }
    const nanoflows: Record<string, NanoflowPlan> = {};
    const calls = this.registry.forPage(this.page.name);
    for (const nf of reachableNanoflows(this.model, this.nanoflowRoots)) {
      nanoflows[nf.name] = buildNanoflowPlan(
        this.model,
        nf,
        (mf) => {
          const op = calls.find((o) => o.type === 'callMicroflow' && o.microflow === mf);
          return this.allowed(op) ? op.id : undefined;
        },
        (entity) => {
          const op = calls.find((o) => o.type === 'create' && o.entity === entity);
          return this.allowed(op) && this.access(entity).canCreate ? op.id : undefined;
        },
        this.jsActionUrl,
        (nanoflow, r) => {
          const op = calls.find((o) => o.type === 'retrieve' && o.site.path.endsWith(`/retrieves/${nanoflow}/${r.at}`));
          if (!this.allowed(op)) return undefined;
          // What it retrieves is described to the client (member types for the nanoflow's expressions).
          for (const e of [r.entity, ...(this.model.entities.get(r.entity)?.allSpecializations ?? [])]) this.access(e);
          return op.id;
        },
        this.language,
        () => {
          const op = calls.find((o) => o.type === 'commit' && o.site.path.endsWith('/commits'));
          return this.allowed(op) ? op.id : undefined;
        },
      );
    }
    // After the nanoflows: the entities they retrieve are described too.
    const entities: Record<string, ClientEntity> = {};
    for (const name of this.entities.keys()) entities[name] = this.clientEntity(name);
    return {
      name: this.page.name,
      title: this.text(this.page.def.title) ?? this.page.name,
      popup: this.page.def.popup === true,
      parameters: params,
      widgets,
      ...(clientLayout ? { layout: clientLayout } : {}),
      ...(Object.keys(placeholders).length ? { placeholders } : {}),
      entities,
      ...(this.nanoflowRoots.size ? { nanoflows } : {}),
    };
  }

  private hasRoles(roles: unknown): boolean {
    if (!Array.isArray(roles)) return true;
    const q = roles.filter((r): r is string => typeof r === 'string').map((r) => qualify(r, this.module));
    return hasAnyRole(this.model, this.user, q);
  }

  /**
   * A widget's condition for the browser, `null` when it can never hold for this user
   * (roles they lack, or an expression kiln check refused): the widget is then left out.
   */
  private condition(c: unknown, scope: Scope): ClientCondition | undefined | null {
    if (!c || typeof c !== 'object') return undefined;
    const v = c as Record<string, unknown>;
    if (!this.hasRoles(v.roles)) return null;
    let expr: ClientCondition['expr'];
    if (typeof v.expression === 'string') {
      expr = this.conditions?.get(scope.entity?.name, this.module, v.expression);
      if (!expr) return null;
    }
    const attr = typeof v.attribute === 'string' && Array.isArray(v.values) ? { attribute: v.attribute, values: v.values as (string | boolean)[] } : {};
    if (attr.attribute && scope.entity && !this.access(scope.entity.name).readable(attr.attribute)) return null;
    return expr || attr.attribute ? { ...(expr ? { expr } : {}), ...attr } : undefined;
  }

  private access(entity: string): EntityAccess {
    let e = this.entities.get(entity);
    if (!e) {
      e = { access: entityAccess(this.model, this.user, entity), extra: new Set() };
      this.entities.set(entity, e);
    }
    return e.access;
  }

  private allowed(op: RuntimeOperation | undefined): op is RuntimeOperation {
    return !!op && hasAnyRole(this.model, this.user, op.allowedRoles);
  }

  private list(widgets: unknown, path: string, scope: Scope): ClientWidget[] {
    if (!Array.isArray(widgets)) return [];
    const out: ClientWidget[] = [];
    widgets.forEach((w, i) => {
      const c = this.widget(w, `${path}/${i}`, scope);
      if (c) out.push(c);
    });
    return out;
  }

  private widget(w: unknown, path: string, scope: Scope): ClientWidget | undefined {
    if (!w || typeof w !== 'object' || Array.isArray(w)) return undefined;
    const [kind] = Object.keys(w);
    if (!kind) return undefined;
    const raw = (w as Record<string, unknown>)[kind];
    const body = (raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
    const visible = this.condition(body.visible, scope);
    if (visible === null) return undefined;
    const c = this.widgetBody(kind, raw, body, `${path}/${kind}`, scope);
    return c && visible ? { ...c, visible } : c;
  }

  private widgetBody(kind: string, raw: unknown, body: Record<string, unknown>, bpath: string, scope: Scope): ClientWidget | undefined {
    switch (kind) {
      case 'dataGrid':
      case 'listView':
      case 'templateGrid':
        return this.listWidget(kind, body, bpath);
      case 'dataView':
        return this.dataView(body, bpath, scope);
      case 'button': {
        const b = this.button(body, bpath, scope);
        return b ? { type: 'button', button: b } : undefined;
      }
      case 'staticText': {
        const t = typeof raw === 'string' ? raw : (this.text(body.text) ?? this.text(body.caption) ?? '');
        const h = body.heading;
        return { type: 'staticText', text: t, ...(h === 1 || h === 2 || h === 3 ? { heading: h } : {}) };
      }
      case 'dynamicText': {
        const attribute = typeof raw === 'string' ? raw : String(body.attribute ?? '');
        if (!scope.entity || !this.readablePath(scope.entity, attribute)) return undefined;
        const label = this.text(body.label);
        return { type: 'dynamicText', attribute, ...(label ? { label } : {}) };
      }
      case 'groupBox': {
        const caption = this.text(body.caption);
        const collapsed = body.collapsed === true;
        return {
          type: 'groupBox',
          ...(caption ? { caption } : {}),
          collapsible: body.collapsible === true || collapsed,
          collapsed,
          widgets: this.list(body.widgets, `${bpath}/widgets`, scope),
        };
      }
      case 'tabContainer': {
        const tabs: Extract<ClientWidget, { type: 'tabContainer' }>['tabs'][number][] = [];
        (Array.isArray(body.tabs) ? body.tabs : []).forEach((t, i) => {
          const tab = (t && typeof t === 'object' ? t : {}) as Record<string, unknown>;
          const visible = this.condition(tab.visible, scope);
          if (visible === null) return;
          tabs.push({
            caption: this.text(tab.caption) ?? `Tab ${i + 1}`,
            ...(visible ? { visible } : {}),
            widgets: this.list(tab.widgets, `${bpath}/tabs/${i}/widgets`, scope),
          });
        });
        return tabs.length ? { type: 'tabContainer', name: String(body.name ?? 'tabContainer'), tabs } : undefined;
      }
      case 'scrollContainer':
        return {
          type: 'scrollContainer',
          ...(typeof body.height === 'number' ? { height: body.height } : {}),
          widgets: this.list(body.widgets, `${bpath}/widgets`, scope),
        };
      case 'snippetCall':
        return this.snippetCall(body, bpath, scope);
      case 'placeholder':
        return typeof body.name === 'string' ? { type: 'placeholder', name: body.name } : undefined;
      case 'navigationTree':
        return { type: 'navigationTree', orientation: body.orientation === 'horizontal' ? 'horizontal' : 'vertical' };
      case 'languageSelector':
        return (this.model.app.languages?.length ?? 0) > 1 ? { type: 'languageSelector' } : undefined;
      case 'sidebarToggle':
        return this.sidebars?.ids.length ? { type: 'sidebarToggle', controls: this.sidebars.ids } : undefined;
      case 'fileManager':
      case 'imageViewer': {
        const root = kind === 'imageViewer' ? 'System.Image' : 'System.FileDocument';
        if (!scope.entity?.chain.includes(root)) return undefined;
        const access = this.access(scope.entity.name);
        if (!access.readable('Contents')) return undefined;
        const mb = typeof body.maxFileSize === 'number' && body.maxFileSize > 0 ? body.maxFileSize : undefined;
        return {
          type: kind,
          upload: body.upload !== false && access.writable('Contents'),
          ...(this.text(body.label) ? { label: this.text(body.label)! } : {}),
          ...(mb ? { maxFileSize: Math.floor(mb * 1024 * 1024) } : {}),
        };
      }
      case 'container':
        return {
          type: 'container',
          widgets: this.list(body.widgets, `${bpath}/widgets`, scope),
          ...(typeof body.class === 'string' ? { className: body.class } : {}),
        };
      case 'layoutGrid': {
        const rows = Array.isArray(body.rows) ? body.rows : [];
        return {
          type: 'layoutGrid',
          rows: rows.map((r, ri) => {
            const cols = r && typeof r === 'object' && Array.isArray((r as { columns?: unknown }).columns) ? (r as { columns: unknown[] }).columns : [];
            return {
              columns: cols.map((c, ci) => {
                const col = (c && typeof c === 'object' ? c : {}) as Record<string, unknown>;
                const weight = typeof col.weight === 'number' && col.weight > 0 ? col.weight : Math.max(1, Math.floor(12 / Math.max(1, cols.length)));
                const tabletWeight = typeof col.tabletWeight === 'number' ? col.tabletWeight : weight;
                const phoneWeight = typeof col.phoneWeight === 'number' ? col.phoneWeight : 12;
                // Each sidebar column takes the next id: the toggles control all of them, so the order does not matter.
                const sidebar = this.sidebars && isSidebarColumn(col) ? this.sidebars.ids[this.sidebars.placed++] : undefined;
                return {
                  weight,
                  tabletWeight,
                  phoneWeight,
                  ...(sidebar ? { sidebar } : {}),
                  widgets: this.list(col.widgets, `${bpath}/rows/${ri}/columns/${ci}/widgets`, scope),
                };
              }),
            };
          }),
        };
      }
      case 'referenceSelector':
      case 'referenceSetSelector':
        return this.referenceSelector(kind, body, scope);
      case 'checkBoxSet':
        return this.referenceSelector('referenceSetSelector', body, scope);
      case 'text': {
        const params: { attribute: string; type: ClientColumn['type'] }[] = [];
        for (const p of Array.isArray(body.params) ? body.params : []) {
          const type = scope.entity && typeof p === 'string' ? this.readablePath(scope.entity, p) : undefined;
          // A parameter the user cannot read: no text at all, rather than one with a hole that tells there is something.
          if (!type) return undefined;
          params.push({ attribute: String(p), type });
        }
        return { type: 'text', text: String(body.text ?? ''), params };
      }
      case 'image': {
        const common = {
          alt: typeof body.alt === 'string' ? body.alt : '',
          thumbnail: body.thumbnail === true,
          ...(typeof body.width === 'number' ? { width: body.width } : {}),
          ...(typeof body.height === 'number' ? { height: body.height } : {}),
        };
        if (typeof body.src === 'string') return { type: 'image', src: `/images/${body.src}`, ...common };
        if (typeof body.attribute === 'string')
          return scope.entity && this.readablePath(scope.entity, body.attribute) === 'String'
            ? { type: 'image', attribute: body.attribute, ...common }
            : undefined;
        // The object's own image: only in a data view over an Image the user may read the contents of.
        if (!scope.entity?.chain.includes('System.Image') || !this.access(scope.entity.name).readable('Contents')) return undefined;
        return { type: 'image', ...common };
      }
      case 'badge': {
        const style = (['info', 'success', 'warning', 'danger'] as const).find((x) => x === body.style) ?? 'default';
        if (typeof body.attribute === 'string') {
          if (!scope.entity || !this.readablePath(scope.entity, body.attribute)) return undefined;
          return { type: 'badge', attribute: body.attribute, style };
        }
        return { type: 'badge', text: String(body.text ?? ''), style };
      }
      case 'navigationList':
      case 'menuBar': {
        const given = Array.isArray(body.items) ? (body.items as { caption?: unknown; page?: unknown }[]) : (this.model.app.navigation.menu ?? []);
        const items = given
          .filter((it): it is { caption: string; page: string } => typeof it?.caption === 'string' && typeof it?.page === 'string')
          .map((it) => ({ caption: it.caption, page: qualify(it.page, this.module) }))
          .filter((it) => this.canOpen(it.page));
        return { type: kind, items };
      }
      default:
        if (INPUTS.has(kind)) return this.input(kind as 'textBox', body, scope);
        return undefined;
    }
  }

  /** A snippet's widgets in place, as instantiated for the call (the registry walked the same widgets under the same paths). */
  private snippetCall(body: Record<string, unknown>, path: string, scope: Scope): ClientWidget | undefined {
    if (typeof body.snippet !== 'string') return undefined;
    const snippet = this.model.snippets?.get(qualify(body.snippet, this.module));
    if (!snippet || this.snippets.includes(snippet.name)) return undefined;
    const args = (body.parameters && typeof body.parameters === 'object' ? body.parameters : {}) as Record<string, string>;
    const outer = this.module;
    this.module = snippet.module;
    this.snippets.push(snippet.name);
    try {
      return { type: 'container', className: 'snippet', widgets: this.list(instantiateSnippet(snippet, args), `${path}/widgets`, scope) };
    } finally {
      this.module = outer;
      this.snippets.pop();
    }
  }

  private listWidget(kind: 'dataGrid' | 'listView' | 'templateGrid', body: Record<string, unknown>, path: string): ClientWidget | undefined {
    const op = this.registry.forPath(this.page.name, path);
    if (!this.allowed(op)) return undefined;
    const name = String(body.name ?? kind);
    let entityName: string | undefined;
    let source: ClientListSource;
    if (op.type === 'retrieve') {
      entityName = op.entity;
      source = { kind: 'database', operationId: op.id, sort: op.sort.map((s) => [s.attribute, s.descending ? 'desc' : 'asc'] as const) };
    } else if (op.type === 'callMicroflow') {
      const mf = this.model.microflows.get(op.microflow);
      entityName = (mf?.def.returns ?? '').replace(/^List of\s+/i, '').trim();
      source = { kind: 'microflow', operationId: op.id, microflow: op.microflow };
    } else return undefined;
    const entity = this.model.entities.get(entityName);
    if (!entity) return undefined;
    const access = this.access(entity.name);
    if (access.readConstraint.kind === 'none') return undefined;
    const search = (Array.isArray(body.search) ? body.search : []).filter(
      (s): s is string => typeof s === 'string' && entity.attributes.get(s)?.type === 'String' && access.readableOnEvery(s),
    ); // searchable only where readable on every object (the server refuses others)
    const pageSize = typeof body.pageSize === 'number' && body.pageSize > 0 ? body.pageSize : 20;
    const scope: Scope = { entity, widgetName: name };
    const buttons = this.buttons(body.buttons, `${path}/buttons`, scope);
    const rowButtons = this.buttons(body.rowButtons, `${path}/rowButtons`, scope);
    const captionText = this.text(body.caption);
    const caption = captionText ? { caption: captionText } : {};
    if (kind === 'listView' || kind === 'templateGrid') {
      const perRow = typeof body.itemsPerRow === 'number' ? Math.min(12, Math.max(1, Math.floor(body.itemsPerRow))) : 3;
      return {
        type: 'listView',
        ...(kind === 'templateGrid' ? { itemsPerRow: perRow } : {}),
        name,
        ...caption,
        entity: entity.name,
        source,
        pageSize,
        search,
        widgets: this.list(body.widgets, `${path}/widgets`, scope),
        buttons: [...buttons, ...rowButtons],
      };
    }
    const columns: ClientColumn[] = [];
    for (const c of Array.isArray(body.columns) ? body.columns : []) {
      const ref = typeof c === 'string' ? c : c && typeof c === 'object' ? (c as { attribute?: unknown }).attribute : undefined;
      if (typeof ref !== 'string') continue;
      const type = this.readablePath(entity, ref);
      if (!type) continue;
      const label = (c && typeof c === 'object' ? this.text((c as { caption?: unknown }).caption) : undefined) ?? humanize(ref.split('/').pop()!);
      const opts = c && typeof c === 'object' ? (c as { filter?: unknown; hidden?: unknown }) : {};
      // A filter only where the server accepts one: an attribute readable on every object (the others' values stay hidden).
      // A calculated attribute has no column: neither sorted nor filtered by the server.
      const calculated = !ref.includes('/') && !!entity.attributes.get(ref)?.calculated;
      // Over a reference: sorted and filtered where the server accepts it (association and attribute readable on every object).
      const keyed = ref.includes('/') ? this.referenceKeyed(entity, ref) : !calculated;
      const filter = opts.filter === true && keyed && (ref.includes('/') || access.readableOnEvery(ref)) ? FILTERS[type] : undefined;
      columns.push({
        attribute: ref,
        caption: label,
        type,
        sortable: keyed,
        ...(filter ? { filter } : {}),
        ...(opts.hidden === true ? { hidden: true } : {}),
      });
    }
    const selection = body.selection === 'none' || body.selection === 'multiple' ? body.selection : 'single';
    const click = body.onClick && typeof body.onClick === 'object' ? this.button(body.onClick as Record<string, unknown>, `${path}/onClick`, scope) : undefined;
    return {
      type: 'dataGrid',
      name,
      ...caption,
      entity: entity.name,
      source,
      pageSize,
      columns,
      search,
      buttons,
      rowButtons,
      selection,
      ...(click ? { onClick: click } : {}),
      columnsHidable: body.columnsHidable === true,
      export: body.export === true,
      ...(body.pagination === 'virtualScrolling' ? { virtualScrolling: true } : {}),
    };
  }

  private dataView(body: Record<string, unknown>, path: string, outer: Scope): ClientWidget | undefined {
    const source = (body.source && typeof body.source === 'object' ? body.source : {}) as Record<string, unknown>;
    if (typeof source.nanoflow === 'string') return this.nanoflowDataView(body, qualify(source.nanoflow, this.module), path);
    if (typeof source.association === 'string') return this.associationDataView(body, source.association, path, outer);
    if (typeof source.parameter !== 'string') return undefined;
    const entityName = this.page.def.parameters?.[source.parameter];
    const entity = entityName ? this.model.entities.get(qualify(entityName, this.page.module)) : undefined;
    if (!entity) return undefined;
    const access = this.access(entity.name);
    if (access.readConstraint.kind === 'none' && !access.canCreate) return undefined;
    const name = String(body.name ?? 'dataView');
    const scope: Scope = { entity, widgetName: name };
    const op = this.registry.forPath(this.page.name, path);
    const retrieve = this.allowed(op) && op.type === 'retrieve' ? { operationId: op.id } : {};
    return {
      type: 'dataView',
      name,
      entity: entity.name,
      source: { kind: 'parameter', parameter: source.parameter, ...retrieve },
      widgets: this.list(body.widgets, `${path}/widgets`, scope),
      buttons: this.buttons(body.buttons, `${path}/buttons`, scope),
    };
  }

  /** A data view over the object the enclosing one refers to: only for a user who may read the reference and the object. */
  private associationDataView(body: Record<string, unknown>, association: string, path: string, outer: Scope): ClientWidget | undefined {
    const assoc = this.model.associations.get(qualify(association, this.module));
    const target = assoc && outer.entity ? referredEntity(outer.entity, assoc) : undefined;
    const entity = target ? this.model.entities.get(target) : undefined;
    if (!assoc || !outer.entity || !entity || !this.access(outer.entity.name).readable(assoc.name)) return undefined;
    if (this.access(entity.name).readConstraint.kind === 'none') return undefined;
    this.entities.get(outer.entity.name)!.extra.add(assoc.name);
    const name = String(body.name ?? 'dataView');
    const scope: Scope = { entity, widgetName: name };
    const op = this.registry.forPath(this.page.name, path);
    return {
      type: 'dataView',
      name,
      entity: entity.name,
      source: { kind: 'association', association: assoc.name, ...(this.allowed(op) && op.type === 'retrieve' ? { operationId: op.id } : {}) },
      widgets: this.list(body.widgets, `${path}/widgets`, scope),
      buttons: this.buttons(body.buttons, `${path}/buttons`, scope),
    };
  }

  /** A data view over the object a nanoflow returns (kiln check has made sure it returns one and takes no parameters). */
  private nanoflowDataView(body: Record<string, unknown>, nanoflow: string, path: string): ClientWidget | undefined {
    const nf = this.model.nanoflows.get(nanoflow);
    const entity = nf ? this.model.entities.get(qualify(String(nf.def.returns ?? '').trim(), nf.module)) : undefined;
    if (!entity) return undefined;
    const access = this.access(entity.name);
    if (access.readConstraint.kind === 'none' && !access.canCreate) return undefined;
    this.nanoflowRoots.add(nanoflow);
    const name = String(body.name ?? 'dataView');
    const scope: Scope = { entity, widgetName: name };
    return {
      type: 'dataView',
      name,
      entity: entity.name,
      source: { kind: 'nanoflow', nanoflow },
      widgets: this.list(body.widgets, `${path}/widgets`, scope),
      buttons: this.buttons(body.buttons, `${path}/buttons`, scope),
    };
  }

  private input(kind: 'textBox', body: Record<string, unknown>, scope: Scope): ClientWidget | undefined {
    const attribute = String(body.attribute ?? '');
    if (!scope.entity || !scope.entity.attributes.has(attribute)) return undefined;
    const access = this.access(scope.entity.name);
    if (!access.readable(attribute)) return undefined;
    const editable = this.condition(body.editable, scope);
    const onChange = (body.onChange as { nanoflow?: unknown } | undefined)?.nanoflow;
    const nanoflow = typeof onChange === 'string' ? qualify(onChange, this.module) : undefined;
    if (nanoflow) this.nanoflowRoots.add(nanoflow);
    return {
      type: kind,
      attribute,
      label: this.text(body.label) ?? humanize(attribute),
      readOnly: body.readOnly === true || !access.writable(attribute) || editable === null,
      ...(editable ? { editable } : {}),
      ...(nanoflow ? { onChange: nanoflow } : {}),
    };
  }

  private referenceSelector(kind: 'referenceSelector' | 'referenceSetSelector', body: Record<string, unknown>, scope: Scope): ClientWidget | undefined {
    if (!scope.entity || typeof body.association !== 'string') return undefined;
    const assoc = this.model.associations.get(qualify(body.association, this.module));
    // From the child side too, for an association owned by both ends: the choices are then its parents.
    const end = assoc ? referredEntity(scope.entity, assoc) : undefined;
    if (!assoc || !end) return undefined;
    const access = this.access(scope.entity.name);
    if (!access.readable(assoc.name)) return undefined;
    const target = this.model.entities.get(end)!;
    const display = typeof body.attribute === 'string' ? body.attribute : ([...target.attributes.keys()][0] ?? '');
    const targetAccess = this.access(target.name);
    if (!targetAccess.readable(display)) return undefined;
    this.entities.get(scope.entity.name)!.extra.add(assoc.name);
    const options = this.registry
      .forPage(this.page.name)
      .find((op) => op.type === 'retrieve' && op.entity === target.name && op.site.widgetName === `${assoc.name}`);
    return {
      type: kind,
      association: assoc.name,
      target: target.name,
      displayAttribute: display,
      // The model's order of the choices, when the user may read what it sorts by (else by the caption).
      ...(options?.type === 'retrieve' && options.sort.every((k) => targetAccess.readable(k.attribute)) && Array.isArray(body.sort)
        ? { sort: options.sort.map((k) => [k.attribute, k.descending ? 'desc' : 'asc'] as const) }
        : {}),
      label: this.text(body.label) ?? humanize(assoc.shortName),
      readOnly: body.readOnly === true || !access.writable(assoc.name) || this.condition(body.editable, scope) === null,
      ...(() => {
        const e = this.condition(body.editable, scope);
        return e ? { editable: e } : {};
      })(),
      ...(this.allowed(options) ? { optionsOperationId: options.id } : {}),
    };
  }

  /** The type of an attribute or reference path when the user may read every step, else undefined. */
  /** A column over one reference the server sorts and filters by for this user (as client-api's referenceKey checks it). */
  private referenceKeyed(entity: CEntity, ref: string): boolean {
    const [assocName, targetName, attr] = ref.split('/') as [string, string, string];
    const assoc = this.model.associations.get(qualify(assocName, this.module));
    const target = this.model.entities.get(qualify(targetName, this.module));
    const a = target?.attributes.get(attr);
    if (assoc?.type !== 'Reference' || !target || !a || a.calculated || a.type === 'Binary' || a.type === 'HashedString') return false;
    return filterable(this.model, this.user, entity.name, assoc.name) && filterable(this.model, this.user, target.name, attr);
  }

  private readablePath(entity: CEntity, ref: string): ClientColumn['type'] | undefined {
    const parts = ref.split('/');
    if (parts.length === 1) {
      const a = entity.attributes.get(ref);
      return a && this.access(entity.name).readable(ref) ? a.type : undefined;
    }
    if (parts.length !== 3) return undefined;
    const assoc = this.model.associations.get(qualify(parts[0]!, this.module));
    const target = this.model.entities.get(qualify(parts[1]!, this.module));
    if (!assoc || !target || !this.access(entity.name).readable(assoc.name)) return undefined;
    const a = target.attributes.get(parts[2]!);
    if (!a || !this.access(target.name).readable(parts[2]!)) return undefined;
    this.entities.get(target.name)?.extra.add(parts[2]!);
    return a.type;
  }

  private buttons(list: unknown, path: string, scope: Scope): ClientButton[] {
    if (!Array.isArray(list)) return [];
    const out: ClientButton[] = [];
    list.forEach((b, i) => {
      if (!b || typeof b !== 'object') return;
      const visible = this.condition((b as Record<string, unknown>).visible, scope);
      if (visible === null) return;
      const c = this.button(b as Record<string, unknown>, `${path}/${i}`, scope);
      if (c) out.push(visible ? { ...c, visible } : c);
    });
    return out;
  }

  private button(b: Record<string, unknown>, path: string, scope: Scope): ClientButton | undefined {
    const a = b.action;
    // A save, cancel, close or delete button without a caption gets the client's own text for it, in the page's language.
    const caption =
      this.text(b.caption) ??
      (a === 'save' || a === 'cancel' || a === 'close' || a === 'delete'
        ? clientText(this.model.app.clientTexts, a, this.language ?? null, this.model.app.languages?.[0])
        : 'Button');
    const op = this.registry.forPath(this.page.name, path);
    let action: ClientButtonAction | undefined;
    let style: ClientButton['style'] = 'default';
    let needsObject = false;
    if (a === 'save') {
      if (!this.allowed(op)) return undefined;
      action = { kind: 'save', operationId: op.id, closePage: b.closePage !== false };
      style = 'primary';
    } else if (a === 'cancel') {
      action = { kind: 'cancel', ...(this.allowed(op) ? { operationId: op.id } : {}) };
    } else if (a === 'close') {
      action = { kind: 'close' };
    } else if (a === 'delete') {
      if (!this.allowed(op) || op.type !== 'delete' || !this.access(op.entity).canDelete) return undefined;
      action = { kind: 'delete', operationId: op.id };
      style = 'danger';
      needsObject = true;
    } else if (a && typeof a === 'object') {
      const o = a as Record<string, unknown>;
      if (typeof o.create === 'string') {
        if (!this.allowed(op) || op.type !== 'create' || !this.access(op.entity).canCreate) return undefined;
        const page = typeof o.page === 'string' ? qualify(o.page, this.module) : undefined;
        if (page && !this.canOpen(page)) return undefined;
        action = { kind: 'create', entity: op.entity, operationId: op.id, ...(page ? { page } : {}) };
        style = 'primary';
      } else if (typeof o.open === 'string' || typeof o.page === 'string') {
        const page = qualify(String(o.open ?? o.page), this.module);
        if (!this.canOpen(page)) return undefined;
        action = { kind: 'open', page };
        needsObject = Object.keys(this.model.pages.get(page)!.def.parameters ?? {}).length > 0;
      } else if (typeof o.nanoflow === 'string') {
        const q = qualify(o.nanoflow, this.page.module);
        const nf = this.model.nanoflows.get(q);
        if (!nf) return undefined;
        this.nanoflowRoots.add(q);
        const params = Object.entries(nf.def.parameters ?? {});
        const match = params.find(([, t]) => scope.entity && scope.entity.chain.includes(qualify(t.trim(), nf.module)));
        action = { kind: 'nanoflow', nanoflow: q, ...(match ? { parameter: match[0] } : {}) };
        needsObject = !!match;
      } else if (o.openLink !== undefined) {
        const linkType = o.linkType === 'email' || o.linkType === 'call' || o.linkType === 'text' ? o.linkType : 'web';
        if (typeof o.openLink === 'string') {
          const r = linkUrl(linkType, o.openLink);
          if ('error' in r) return undefined;
          action = { kind: 'openLink', linkType, url: r.url };
        } else {
          // The address is the shown object's: a user who cannot read it gets no button.
          const attr = (o.openLink as { attribute?: unknown } | null)?.attribute;
          if (typeof attr !== 'string' || !scope.entity || this.readablePath(scope.entity, attr) !== 'String') return undefined;
          action = { kind: 'openLink', linkType, attribute: attr };
          needsObject = true;
        }
      } else if (typeof o.microflow === 'string') {
        if (!this.allowed(op) || op.type !== 'callMicroflow') return undefined;
        const mf = this.model.microflows.get(op.microflow)!;
        const params = Object.entries(mf.def.parameters ?? {});
        const match = params.find(([, t]) => scope.entity && scope.entity.chain.includes(qualify(t.trim(), mf.module))) ?? params[0];
        action = {
          kind: 'microflow',
          microflow: op.microflow,
          operationId: op.id,
          closePage: o.closePage === true,
          ...(match ? { parameter: match[0] } : {}),
          ...(o.async === true ? { async: true } : {}),
          ...(typeof o.progressMessage === 'string' ? { progressMessage: o.progressMessage } : {}),
        };
        needsObject = !!match;
      }
    }
    if (!action) return undefined;
    if (b.style === 'primary' || b.style === 'danger' || b.style === 'default') style = b.style;
    return { caption, action, style, needsObject };
  }

  private canOpen(page: string): boolean {
    const p = this.model.pages.get(page);
    return !!p && hasAnyRole(this.model, this.user, p.allowedRoles);
  }

  private clientEntity(name: string): ClientEntity {
    const entity = this.model.entities.get(name)!;
    const access = this.access(name);
    const attributes: ClientEntity['attributes'] = {};
    const required = new Set(entity.validation.filter((v) => v.rule.kind === 'required').map((v) => v.attribute));
    for (const a of entity.attributes.values()) {
      if (!access.readable(a.name)) continue;
      const en = a.enumeration ? this.model.enumerations.get(a.enumeration) : undefined;
      (attributes as Record<string, unknown>)[a.name] = {
        name: a.name,
        type: a.type,
        length: a.length,
        writable: access.writable(a.name),
        ...(en ? { values: en.values.map((v) => ({ key: v.key, caption: (v.captions && this.text(v.captions)) ?? v.caption })) } : {}),
        ...(a.type === 'DateTime' ? { localize: a.localize } : {}),
        ...(required.has(a.name) ? { required: true } : {}),
      };
    }
    const associations: Record<string, ClientEntity['associations'][string]> = {};
    for (const q of entity.parentOf) {
      const assoc = this.model.associations.get(q)!;
      if (!access.readable(assoc.name)) continue;
      associations[assoc.name] = { name: assoc.name, type: assoc.type, parent: assoc.parent, child: assoc.child, writable: access.writable(assoc.name) };
    }
    return { name, attributes, associations, canCreate: access.canCreate, canDelete: access.canDelete };
  }
}

/** The filter widget for an attribute type; none for binary and hashed values. */
const FILTERS: Partial<Record<ClientColumn['type'], NonNullable<ClientColumn['filter']>>> = {
  String: 'text',
  Integer: 'number',
  Long: 'number',
  AutoNumber: 'number',
  Decimal: 'number',
  DateTime: 'date',
  Enumeration: 'enum',
  Boolean: 'boolean',
};

/** `DateOfBirth` -> `Date of birth`; `Firstname` stays. */
function humanize(name: string): string {
  const words = name
    .replace(/_/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(' ');
  return words.map((w, i) => (i === 0 ? w : w.toLowerCase())).join(' ');
}
