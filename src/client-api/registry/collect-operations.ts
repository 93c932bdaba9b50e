import { type LinkType, linkUrl } from '../../model/link-address.js';
import type { Diagnostic } from '../../model/diagnostics.js';
import { referredEntity } from '../../model/compiled/owned-associations.js';
import type { CAttribute, CEntity, CompiledModel, CPage } from '../../model/compiled/types.js';
import { qualify } from '../../model/compiled/compile-domain.js';
import { instantiateSnippet } from '../../model/compiled/snippets.js';
import type { SourceFile } from '../../model/load/source-file.js';
import { operationId } from './operation-id.js';
import { nanoflowActivities } from '../../model/compiled/nanoflow-activities.js';
import { nanoflowRetrieves, type NanoflowRetrieve } from '../../model/compiled/nanoflow-retrieves.js';
import type { OperationConstants, OperationParameters, OperationSite, OperationType, RetrieveOperation, RuntimeOperation, SortKey, UsedPath } from './types.js';

/**
 * Walks every page's widgets and derives the runtime operations they use:
 *
 * | widget                                   | operation |
 * | ---------------------------------------- | --------- |
 * | dataGrid / listView / dataView `source: {xpath}` | retrieve (XPath, UsedAttributes, UsedAssociations, PageName, WidgetName) |
 * | dataView `source: {parameter}`            | retrieve of the parameter object by id |
 * | any `source: {microflow}`                | callMicroflow (MicroflowName) |
 * | button `{create: Entity}`                | create (ObjectType) |
 * | button `save` / `cancel`                 | commit / rollback (Objects: AnyObjectList) |
 * | button `delete`                          | delete (Objects: [Entity]) |
 * | button `{microflow: Name}`               | callMicroflow |
 * | referenceSelector / referenceSetSelector | retrieve of the objects to choose from (WidgetName Page.Assoc) |
 * | grid `rowButtons` as `buttons`           | as above |
 *
 * `{open: Page}` needs no server operation. Problems are reported as diagnostics
 * at the widget's location.
 */
export function collectOperations(model: CompiledModel, out: Diagnostic[]): RuntimeOperation[] {
  const ops: RuntimeOperation[] = [];
  for (const page of [...model.pages.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const walker = new PageWalker(model, page, ops, out);
    walker.walkList(page.def.widgets, ['widgets'], {});
    for (const [name, list] of Object.entries(page.def.placeholders ?? {})) walker.walkList(list, ['placeholders', name], {});
  }
  return ops;
}

interface Scope {
  /** Entity of the enclosing data widget. */
  readonly entity?: string;
  readonly widgetName?: string;
  /** Collects attributes / paths used by inputs inside a list view or data view. */
  readonly used?: UsedCollector;
  /** Module roles of the conditional visibility around the widget: its operations are only theirs. */
  readonly roles?: readonly string[];
}

interface UsedCollector {
  readonly entity: CEntity;
  readonly attributes: string[];
  readonly paths: UsedPath[];
  /** Owned associations shown as they are (reference-set selectors). */
  readonly references: string[];
}

const DATA_WIDGETS = new Set(['dataGrid', 'listView', 'templateGrid', 'dataView']);
/** How many objects a reference selector offers (one page, sorted by the shown attribute). */
const SELECTOR_OPTIONS = 200;

/** The retrieve of one object by the id a parameter carries (a page parameter's, or the reference of the enclosing object). */
function oneById(entity: string, byParameter: string) {
  return { entity, xpath: `//${entity}`, constraint: '', sort: [], attributes: [], paths: [], searchAttributes: [], pageSize: 1, byParameter };
}

/** Where the widgets being walked are written: the page's file, or a snippet's inside a call. */
interface Unit {
  readonly file: SourceFile;
  readonly module: string;
  /** Length of the page-rooted path that maps to `['widgets']` in the snippet's file (0 for the page). */
  readonly prefixLength: number;
  readonly snippets: readonly string[];
}

class PageWalker {
  private unit: Unit;

  constructor(
    private readonly model: CompiledModel,
    private readonly page: CPage,
    private readonly ops: RuntimeOperation[],
    private readonly out: Diagnostic[],
  ) {
    this.unit = { file: page.source.file, module: page.module, prefixLength: 0, snippets: [] };
  }

  private get module(): string {
    return this.unit.module;
  }

  private error(path: readonly (string | number)[], message: string): void {
    const u = this.unit;
    this.out.push(u.file.diagnostic(u.prefixLength ? ['widgets', ...path.slice(u.prefixLength)] : path, message));
  }

  /** The snippet's widgets as instantiated for this call, walked as if they stood in the call. */
  private snippetCall(body: Record<string, unknown>, path: (string | number)[], scope: Scope): void {
    if (typeof body.snippet !== 'string') return;
    const snippet = this.model.snippets?.get(qualify(body.snippet, this.module));
    // Unknown snippets and cycles are reported by the model's layout check.
    if (!snippet || this.unit.snippets.includes(snippet.name)) return;
    const args = (body.parameters && typeof body.parameters === 'object' ? body.parameters : {}) as Record<string, string>;
    const outer = this.unit;
    this.unit = { file: snippet.source.file, module: snippet.module, prefixLength: path.length + 1, snippets: [...outer.snippets, snippet.name] };
    try {
      this.walkList(instantiateSnippet(snippet, args), [...path, 'widgets'], scope);
    } finally {
      this.unit = outer;
    }
  }

  /** The page's roles, narrowed to those of the conditional visibility around the widget. */
  private roles(base: readonly string[], scope: Scope): readonly string[] {
    return scope.roles ? base.filter((r) => scope.roles!.includes(r)) : base;
  }

  /** Attributes a condition reads are read with the object, so the browser can evaluate it. */
  private useConditions(used: UsedCollector, body: Record<string, unknown>): void {
    const conds = [body.visible, body.editable, ...(Array.isArray(body.tabs) ? body.tabs.map((t) => (t as { visible?: unknown })?.visible) : [])];
    for (const c of conds) {
      if (!c || typeof c !== 'object') continue;
      const { attribute, expression } = c as { attribute?: unknown; expression?: unknown };
      const names = typeof attribute === 'string' ? [attribute] : [];
      if (typeof expression === 'string') for (const m of expression.matchAll(/\$currentObject\/([A-Za-z_]\w*)/g)) names.push(m[1]!);
      for (const a of names) if (used.entity.attributes.has(a) && !used.attributes.includes(a)) used.attributes.push(a);
    }
  }

  /** A widget visible only to some module roles: everything inside runs only for them. */
  private narrowed(body: unknown, scope: Scope): Scope {
    const v = body && typeof body === 'object' ? (body as { visible?: { roles?: unknown } }).visible : undefined;
    if (!v || !Array.isArray(v.roles)) return scope;
    const roles = v.roles.filter((r): r is string => typeof r === 'string').map((r) => qualify(r, this.module));
    return { ...scope, roles: scope.roles ? roles.filter((r) => scope.roles!.includes(r)) : roles };
  }

  walkList(list: unknown, path: (string | number)[], scope: Scope): void {
    if (!Array.isArray(list)) return;
    list.forEach((w, i) => {
      this.walkWidget(w, [...path, i], scope);
    });
  }

  private walkWidget(widget: unknown, path: (string | number)[], outerScope: Scope): void {
    if (!widget || typeof widget !== 'object' || Array.isArray(widget)) return;
    const [kind] = Object.keys(widget);
    if (kind === undefined) return;
    const body = (widget as Record<string, unknown>)[kind];
    const bpath = [...path, kind];
    const scope = this.narrowed(body, outerScope);
    if (scope.used && body && typeof body === 'object') this.useConditions(scope.used, body as Record<string, unknown>);
    if (kind === 'snippetCall' && body && typeof body === 'object') {
      this.snippetCall(body as Record<string, unknown>, bpath, scope);
      return;
    }
    if (DATA_WIDGETS.has(kind) && body && typeof body === 'object') {
      this.dataWidget(kind, body as Record<string, unknown>, bpath, scope);
      return;
    }
    if (kind === 'button' && body && typeof body === 'object') {
      this.button((body as Record<string, unknown>).action, [...bpath, 'action'], bpath, scope);
      return;
    }
    if ((kind === 'referenceSelector' || kind === 'referenceSetSelector' || kind === 'checkBoxSet') && body && typeof body === 'object') {
      this.selector(kind === 'checkBoxSet' ? 'referenceSetSelector' : kind, body as Record<string, unknown>, bpath, scope);
      return;
    }
    if (kind === 'text' && body && typeof body === 'object' && scope.used) {
      // Text with parameters: each parameter is read with the object.
      const params = (body as { params?: unknown }).params;
      if (Array.isArray(params)) for (const [i, p] of params.entries()) if (typeof p === 'string') this.useRef(scope.used, p, [...bpath, 'params', i]);
      return;
    }
    if (kind === 'image' && body && typeof body === 'object' && typeof (body as { attribute?: unknown }).attribute === 'string') {
      // An image whose address is a String attribute (a data: URL): read with the object.
      const attr = (body as { attribute: string }).attribute;
      if (!scope.used) this.error([...bpath, 'attribute'], 'an image from an attribute must be inside a data view, list view or data grid');
      else if (scope.used.entity.attributes.has(attr) && scope.used.entity.attributes.get(attr)!.type !== 'String')
        this.error(
          [...bpath, 'attribute'],
          `an image's attribute must be a String (a data: URL); '${attr}' is ${scope.used.entity.attributes.get(attr)!.type}`,
        );
      else this.useRef(scope.used, attr, [...bpath, 'attribute']);
      return;
    }
    const ownImage = kind === 'image' && !!body && typeof body === 'object' && typeof (body as { src?: unknown }).src !== 'string';
    if ((kind === 'fileManager' || kind === 'imageViewer' || ownImage) && scope.used) {
      // File widgets show the name and size and build the download URL from changedDate.
      const used = scope.used;
      if (ownImage) this.widgetFits(kind, body as Record<string, unknown>, bpath, scope);
      if (used.entity.chain.includes('System.FileDocument'))
        for (const a of ['Name', 'Size', 'HasContents', 'changedDate'])
          if (used.entity.attributes.has(a) && !used.attributes.includes(a)) used.attributes.push(a);
      return;
    }
    if (body && typeof body === 'object') {
      const b = body as Record<string, unknown>;
      if (scope.used && typeof b.attribute === 'string') this.useMember(scope.used, b, bpath);
      this.widgetFits(kind, b, bpath, scope);
      const onChange = b.onChange as { nanoflow?: unknown } | undefined;
      if (onChange && typeof onChange.nanoflow === 'string')
        this.nanoflow(onChange.nanoflow, [...bpath, 'onChange', 'nanoflow'], [...bpath, 'onChange'], scope.widgetName, scope);
      // Layout widgets (containers, layout grids): walk every nested list of widgets.
      for (const [k, v] of Object.entries(b)) {
        if (Array.isArray(v))
          v.forEach((x, i) => {
            this.walkNested(x, [...bpath, k, i], scope);
          });
      }
    }
  }

  /** Something inside a layout widget: a widget, or a row/column/tab object holding widgets. */
  private walkNested(x: unknown, path: (string | number)[], outer: Scope): void {
    if (!x || typeof x !== 'object' || Array.isArray(x)) return;
    const keys = Object.keys(x);
    if (keys.length === 1 && !Array.isArray((x as Record<string, unknown>)[keys[0]!])) {
      this.walkWidget(x, path, outer);
      return;
    }
    const scope = this.narrowed(x, outer);
    for (const [k, v] of Object.entries(x))
      if (Array.isArray(v))
        v.forEach((y, i) => {
          this.walkNested(y, [...path, k, i], scope);
        });
  }

  private dataWidget(kind: string, body: Record<string, unknown>, path: (string | number)[], outer: Scope): void {
    const name = typeof body.name === 'string' ? body.name : undefined;
    if (!name) this.error(path, `${kind} needs a name (it names the widget's runtime operation)`);
    const widgetName = name ?? `${kind}${path.join('_')}`;
    const source = body.source as Record<string, unknown> | undefined;
    const spath = [...path, 'source'];
    let entity: CEntity | undefined;
    let retrieve: Omit<RetrieveOperation, 'id' | 'type' | 'parameters' | 'constants' | 'allowedRoles' | 'allowedUserRoleSets' | 'site'> | undefined;
    let byParameter: string | undefined;
    let microflow: string | undefined;
    let nanoflow: string | undefined;
    if (!source || typeof source !== 'object') {
      this.error(spath, `${kind} '${widgetName}' needs a source: {xpath}, {microflow} or {parameter}`);
      return;
    }
    if (typeof source.xpath === 'string') {
      const m = /^\s*\/\/([A-Za-z_]\w*\.[A-Za-z_]\w*)\s*(.*)$/s.exec(source.xpath);
      if (!m) {
        this.error([...spath, 'xpath'], `XPath '${source.xpath}' must start with //Module.Entity`);
        return;
      }
      entity = this.model.entities.get(m[1]!);
      if (!entity) {
        this.error([...spath, 'xpath'], `unknown entity '${m[1]}'`);
        return;
      }
      retrieve = {
        entity: entity.name,
        xpath: source.xpath.trim(),
        constraint: m[2]!.trim(),
        sort: this.sortKeys(entity, source.sort, [...spath, 'sort']),
        attributes: [],
        paths: [],
        searchAttributes: [],
        pageSize: typeof body.pageSize === 'number' ? body.pageSize : 20,
      };
    } else if (typeof source.parameter === 'string') {
      byParameter = source.parameter;
      const type = this.page.def.parameters?.[source.parameter];
      entity = type ? this.model.entities.get(qualify(type, this.page.module)) : undefined;
      if (!entity) {
        this.error([...spath, 'parameter'], `unknown page parameter '${source.parameter}'`);
        return;
      }
      retrieve = oneById(entity.name, byParameter);
    } else if (typeof source.microflow === 'string') {
      microflow = qualify(source.microflow, this.module);
      const mf = this.model.microflows.get(microflow);
      if (!mf) {
        this.error([...spath, 'microflow'], `unknown microflow '${source.microflow}'`);
        return;
      }
      const ret = (mf.def.returns ?? '').replace(/^List of\s+/i, '').trim();
      entity = this.model.entities.get(ret);
    } else if (typeof source.association === 'string') {
      // A data view over the object the enclosing object refers to: the enclosing retrieve carries the reference,
      // this one reads the object by its id (under the user's access rules) when the client does not hold it.
      const assoc = this.model.associations.get(qualify(source.association, this.module));
      const target = assoc && outer.used ? referredEntity(outer.used.entity, assoc) : undefined;
      if (kind !== 'dataView') this.error([...spath, 'association'], `only a data view's source may be an association; a ${kind} needs {xpath} or {microflow}`);
      else if (!outer.used) this.error([...spath, 'association'], 'a data view over an association must be inside a data view, list view or data grid');
      else if (!assoc) this.error([...spath, 'association'], `unknown association '${source.association}'`);
      else if (assoc.type !== 'Reference' || !target)
        this.error([...spath, 'association'], `${assoc.name} must be a Reference of ${outer.used.entity.name} (it is a ${assoc.type} of ${assoc.parent})`);
      if (kind !== 'dataView' || !outer.used || !assoc || assoc.type !== 'Reference' || !target) return;
      if (!outer.used.references.includes(assoc.name)) outer.used.references.push(assoc.name);
      entity = this.model.entities.get(target);
      byParameter = assoc.name;
      retrieve = oneById(target, byParameter);
    } else if (typeof source.nanoflow === 'string') {
      // A data view whose object a nanoflow makes in the browser (Mendix's nanoflow data source).
      nanoflow = qualify(source.nanoflow, this.module);
      const nf = this.model.nanoflows.get(nanoflow);
      const ret = (nf?.def.returns ?? '').trim();
      entity = nf && !/^List of/i.test(ret) ? this.model.entities.get(qualify(ret, nf.module)) : undefined;
      if (kind !== 'dataView') this.error([...spath, 'nanoflow'], `only a data view's source may be a nanoflow; a ${kind} needs {xpath} or {microflow}`);
      else if (!nf) this.error([...spath, 'nanoflow'], `unknown nanoflow '${source.nanoflow}'`);
      else if (!entity) this.error([...spath, 'nanoflow'], `the nanoflow ${nanoflow} must return an object (it returns ${ret || 'nothing'})`);
      else if (Object.keys(nf.def.parameters ?? {}).length)
        this.error(
          [...spath, 'nanoflow'],
          `the nanoflow ${nanoflow} of a data view's source takes no parameters (it has ${Object.keys(nf.def.parameters ?? {}).join(', ')})`,
        );
      else this.nanoflow(nanoflow, [...spath, 'nanoflow'], path, widgetName, outer);
      if (kind !== 'dataView' || !nf || !entity) return;
    } else {
      this.error(spath, `${kind} '${widgetName}' needs a source: {xpath}, {microflow} or {parameter}`);
      return;
    }

    const used: UsedCollector | undefined = entity ? { entity, attributes: [], paths: [], references: [] } : undefined;
    if (used) {
      if (Array.isArray(body.columns)) {
        body.columns.forEach((c, i) => {
          const ref =
            typeof c === 'string'
              ? c
              : c && typeof c === 'object' && typeof (c as { attribute?: unknown }).attribute === 'string'
                ? (c as { attribute: string }).attribute
                : undefined;
          if (ref === undefined)
            this.error([...path, 'columns', i], 'a column is an attribute name, a path Module.Assoc/Module.Entity/Attr, or {attribute, caption}');
          else {
            this.useRef(used, ref, [...path, 'columns', i]);
            if (c && typeof c === 'object' && (c as { filter?: unknown }).filter === true)
              this.columnFilter(used.entity, ref, [...path, 'columns', i, 'filter']);
          }
        });
      }
      this.walkList(body.widgets, [...path, 'widgets'], { entity: entity!.name, widgetName, used, ...(outer.roles ? { roles: outer.roles } : {}) });
    }
    if (retrieve && used) {
      const search: string[] = [];
      if (Array.isArray(body.search)) {
        body.search.forEach((s, i) => {
          if (typeof s !== 'string' || !used.entity.attributes.has(s))
            this.error([...path, 'search', i], `unknown attribute '${String(s)}' of ${used.entity.name}`);
          else if (used.entity.attributes.get(s)!.calculated)
            this.error([...path, 'search', i], `calculated attribute '${s}' of ${used.entity.name} cannot be searched (it has no column)`);
          else search.push(s);
        });
      }
      const r = {
        ...retrieve,
        attributes: used.attributes,
        paths: used.paths,
        searchAttributes: search,
        ...(used.references.length ? { references: used.references } : {}),
      };
      const qa = (a: string) => `${r.entity}/${used.entity.attributes.get(a)!.qualifiedName}`;
      const constants: OperationConstants = {
        UsedAttributes: [
          ...r.attributes.map(qa),
          ...r.paths.map((p) => `${r.entity}/${p.association}/${p.entity}/${this.model.entities.get(p.entity)!.attributes.get(p.attribute)!.qualifiedName}`),
        ],
        XPath: r.xpath,
        UsedAssociations: [...new Set([...r.paths.map((p) => p.association), ...used.references])],
        PageName: this.page.name,
        WidgetName: `${this.page.name}.${widgetName}`,
      };
      const parameters: OperationParameters = byParameter ? { [byParameter]: [r.entity] } : {};
      this.add({ type: 'retrieve', ...r, parameters, constants }, path, widgetName, this.roles(this.page.allowedRoles, outer));
    } else if (microflow) {
      this.callMicroflow(microflow, path, widgetName, outer);
    }

    // A row click runs an action as a button would (Data Grid 2's onClick).
    const onClick = body.onClick;
    if (onClick && typeof onClick === 'object') {
      const bp = [...path, 'onClick'];
      this.button((onClick as Record<string, unknown>).action, [...bp, 'action'], bp, { entity: entity?.name, widgetName });
    }
    for (const key of ['buttons', 'rowButtons'] as const) {
      const list = body[key];
      if (!Array.isArray(list)) continue;
      list.forEach((b, i) => {
        const bp = [...path, key, i];
        const bscope = this.narrowed(b, outer);
        this.button(b && typeof b === 'object' ? (b as Record<string, unknown>).action : undefined, [...bp, 'action'], bp, {
          entity: entity?.name,
          widgetName,
          ...(bscope.roles ? { roles: bscope.roles } : {}),
        });
      });
    }
  }

  /** The newer widgets need an attribute of their kind, or an Image to show. */
  private widgetFits(kind: string, b: Record<string, unknown>, path: (string | number)[], scope: Scope): void {
    const want: Record<string, string> = { dateTimePicker: 'DateTime', richText: 'String' };
    const type = scope.used && typeof b.attribute === 'string' ? scope.used.entity.attributes.get(b.attribute)?.type : undefined;
    if (want[kind] && type && type !== want[kind])
      this.error([...path, 'attribute'], `a ${kind} needs a ${want[kind]} attribute; '${String(b.attribute)}' is ${type}`);
    if (kind === 'image' && typeof b.src !== 'string' && !scope.used?.entity.chain.includes('System.Image'))
      this.error(path, 'an image without src shows the Image of the data view or list it is in: put it in one over an Image, or give it a src');
  }

  /** A column filter works on an attribute of the grid's entity or over one reference, of a type a filter widget exists for. */
  private columnFilter(entity: CEntity, ref: string, path: (string | number)[]): void {
    const type = ref.includes('/') ? this.referenceAttribute(entity, ref, path, 'filtered')?.type : entity.attributes.get(ref)?.type;
    if (type === 'Binary' || type === 'HashedString') this.error(path, `a ${type} attribute cannot be filtered`);
  }

  /**
   * The attribute at the end of a path `Assoc/Entity/Attr` a grid sorts or filters by: over a
   * reference (a reference set is neither, as in Mendix), to a stored attribute. The path's own
   * errors are the column's (useRef); only what makes a shown path no key is reported here.
   */
  private referenceAttribute(entity: CEntity, ref: string, path: (string | number)[], verb: string): CAttribute | undefined {
    const [assocName, entityName, attr, ...rest] = ref.split('/');
    const assoc = this.model.associations.get(qualify(assocName!, this.module));
    const target = this.model.entities.get(qualify(entityName ?? '', this.module));
    const a = target?.attributes.get(attr ?? '');
    if (rest.length || !assoc || !a || !entity.chain.includes(assoc.parent) || !target!.chain.includes(assoc.child)) return undefined;
    if (assoc.type !== 'Reference') {
      this.error(path, `'${ref}' goes over the reference set ${assoc.name}: only a path over a reference can be ${verb}`);
      return undefined;
    }
    if (a.calculated) {
      this.error(path, `calculated attribute '${attr}' of ${target!.name} cannot be ${verb} (it has no column)`);
      return undefined;
    }
    return a;
  }

  /**
   * A reference selector (Reference) or reference-set selector (ReferenceSet) in a data
   * view: the shown attribute of the other end is read with the object (a Reference
   * only: a path is one reference step), and the objects to choose from come from a
   * retrieve of their own, named after the association (the page definition finds it so).
   */
  private selector(kind: 'referenceSelector' | 'referenceSetSelector', body: Record<string, unknown>, path: (string | number)[], scope: Scope): void {
    if (typeof body.association !== 'string') {
      this.error(path, `${kind} needs an association`);
      return;
    }
    const assoc = this.model.associations.get(qualify(body.association, this.module));
    if (!assoc) {
      this.error([...path, 'association'], `unknown association '${body.association}'`);
      return;
    }
    const want = kind === 'referenceSelector' ? 'Reference' : 'ReferenceSet';
    if (assoc.type !== want) {
      this.error([...path, 'association'], `a ${kind} needs a ${want}; '${assoc.name}' is a ${assoc.type}`);
      return;
    }
    // In a data view of the child of an association owned by both ends, the choices are its parents.
    const fromChild = !!scope.used?.entity.alsoOwns?.includes(assoc.name);
    const target = this.model.entities.get(fromChild ? assoc.parent : assoc.child);
    if (!target) return;
    const display = typeof body.attribute === 'string' ? body.attribute : [...target.attributes.keys()][0];
    if (!display || !target.attributes.has(display)) {
      this.error([...path, 'attribute'], `unknown attribute '${String(display)}' of ${target.name}`);
      return;
    }
    if (scope.used && assoc.type === 'Reference') this.useRef(scope.used, `${assoc.name}/${target.name}/${display}`, [...path, 'association']);
    else if (scope.used && referredEntity(scope.used.entity, assoc) && !scope.used.references.includes(assoc.name)) scope.used.references.push(assoc.name);
    if (!target.persistable) return;
    const constraint = typeof body.constraint === 'string' ? body.constraint.trim() : '';
    const xpath = `//${target.name}${constraint}`;
    const sort = this.sortKeys(target, body.sort, [...path, 'sort']);
    const constants: OperationConstants = {
      UsedAttributes: [`${target.name}/${target.attributes.get(display)!.qualifiedName}`],
      XPath: xpath,
      UsedAssociations: [],
      PageName: this.page.name,
      WidgetName: `${this.page.name}.${assoc.name}`,
    };
    this.add(
      {
        type: 'retrieve',
        entity: target.name,
        xpath,
        constraint,
        sort: sort.length ? sort : [{ attribute: display, descending: false }],
        attributes: [display],
        paths: [],
        searchAttributes: [],
        pageSize: SELECTOR_OPTIONS,
        parameters: {},
        constants,
      },
      path,
      assoc.name,
      this.roles(this.page.allowedRoles, scope),
    );
  }

  private button(action: unknown, apath: (string | number)[], path: (string | number)[], scope: Scope): void {
    if (action === 'save')
      this.add(
        { type: 'commit', parameters: { Objects: ['AnyObjectList'] }, constants: {} },
        path,
        scope.widgetName,
        this.roles(this.page.allowedRoles, scope),
      );
    else if (action === 'cancel')
      this.add(
        { type: 'rollback', parameters: { Objects: ['AnyObjectList'] }, constants: {} },
        path,
        scope.widgetName,
        this.roles(this.page.allowedRoles, scope),
      );
    else if (action === 'delete') {
      if (!scope.entity) {
        this.error(apath, 'a delete button must be inside a data grid, list view or data view');
        return;
      }
      this.add(
        { type: 'delete', entity: scope.entity, parameters: { Objects: [`[${scope.entity}]`] }, constants: {} },
        path,
        scope.widgetName,
        this.roles(this.page.allowedRoles, scope),
      );
    } else if (action && typeof action === 'object') {
      const a = action as Record<string, unknown>;
      if (typeof a.create === 'string') {
        const e = this.model.entities.get(qualify(a.create, this.module));
        if (!e) {
          this.error([...apath, 'create'], `unknown entity '${a.create}'`);
          return;
        }
        this.add(
          { type: 'create', entity: e.name, parameters: {}, constants: { ObjectType: e.name } },
          path,
          scope.widgetName,
          this.roles(this.page.allowedRoles, scope),
        );
      } else if (typeof a.microflow === 'string') {
        const mf = qualify(a.microflow, this.module);
        if (!this.model.microflows.has(mf)) {
          this.error([...apath, 'microflow'], `unknown microflow '${a.microflow}'`);
          return;
        }
        this.callMicroflow(mf, path, scope.widgetName, scope);
      } else if (typeof a.nanoflow === 'string') {
        this.nanoflow(a.nanoflow, [...apath, 'nanoflow'], path, scope.widgetName, scope);
      } else if (a.openLink !== undefined) {
        this.openLink(a, apath, scope);
      } else if (typeof a.open !== 'string' && typeof a.page !== 'string') {
        this.error(
          apath,
          `unknown button action ${JSON.stringify(action)}: use save, cancel, delete, {create: Entity}, {open: Page}, {microflow: Name} or {openLink}`,
        );
      }
    } else if (action !== undefined && action !== 'close') {
      this.error(
        apath,
        `unknown button action ${JSON.stringify(action)}: use save, cancel, delete, {create: Entity}, {open: Page}, {microflow: Name} or {openLink}`,
      );
    }
  }

  /**
   * An open-link button runs no operation: a fixed address must give a safe link now, and one
   * read from a String attribute is retrieved with the object (and checked again in the browser).
   */
  private openLink(a: Record<string, unknown>, apath: (string | number)[], scope: Scope): void {
    const type = (a.linkType ?? 'web') as LinkType;
    if (typeof a.openLink === 'string') {
      const r = linkUrl(type, a.openLink);
      if ('error' in r) this.error([...apath, 'openLink'], `open link: ${r.error}`);
      return;
    }
    const attr = (a.openLink as { attribute?: unknown } | null)?.attribute;
    if (typeof attr !== 'string') return;
    if (!scope.used) {
      this.error([...apath, 'openLink', 'attribute'], 'a link from an attribute must be inside a data view, list view or data grid');
      return;
    }
    const at = scope.used.entity.attributes.get(attr);
    if (at && at.type !== 'String') {
      this.error([...apath, 'openLink', 'attribute'], `the address attribute '${attr}' is ${at.type}, not String`);
      return;
    }
    this.useRef(scope.used, attr, [...apath, 'openLink', 'attribute']);
  }

  /**
   * A nanoflow run from the page (a button, an on-change event): it runs in the browser,
   * so it needs no operation of its own, but each microflow it calls (also through the
   * nanoflows it calls) does: one callMicroflow operation per microflow, at the nanoflow's site.
   */
  private nanoflow(name: string, npath: (string | number)[], path: (string | number)[], widgetName: string | undefined, scope: Scope): void {
    const q = qualify(name, this.page.module);
    if (!this.model.nanoflows.has(q)) {
      this.error(npath, `unknown nanoflow '${name}'`);
      return;
    }
    const seen = new Set<string>();
    const visit = (nf: string) => {
      if (seen.has(nf)) return;
      seen.add(nf);
      const def = this.model.nanoflows.get(nf)!;
      for (const r of nanoflowRetrieves(this.model, def)) this.nanoflowRetrieve(nf, r, path, scope);
      for (const { a, key } of nanoflowActivities(def.def.body, [])) {
        if (key === 'create') {
          // A create in the browser is the server's create operation (it hands out the id and the signature).
          const e = this.model.entities.get(qualify(String((a.create as { entity?: unknown }).entity), def.module));
          if (
            e &&
            !this.ops.some((o) => o.type === 'create' && o.entity === e.name && o.site.page === this.page.name && o.site.path.startsWith(path.join('/')))
          )
            this.add(
              { type: 'create', entity: e.name, parameters: {}, constants: { ObjectType: e.name } },
              [...path, 'creates', e.name],
              widgetName,
              this.roles(this.page.allowedRoles, scope),
            );
          continue;
        }
        if (key === 'commit' || ((key === 'create' || key === 'change') && (a[key] as { commit?: unknown }).commit)) {
          // A commit in the browser is the page's commit operation, as a save button's (one per nanoflow site).
          if (!this.ops.some((o) => o.type === 'commit' && o.site.page === this.page.name && o.site.path === [...path, 'commits'].join('/')))
            this.add(
              { type: 'commit', parameters: { Objects: ['AnyObjectList'] }, constants: {} },
              [...path, 'commits'],
              widgetName,
              this.roles(this.page.allowedRoles, scope),
            );
          if (key === 'commit') continue;
        }
        if (key !== 'call') continue;
        const target = (a.call as { microflow?: unknown }).microflow;
        if (typeof target !== 'string') continue;
        const t = qualify(target, def.module);
        if (this.model.microflows.has(t)) {
          if (
            !this.ops.some((o) => o.type === 'callMicroflow' && o.microflow === t && o.site.page === this.page.name && o.site.path.startsWith(path.join('/')))
          )
            this.callMicroflow(t, [...path, 'calls', t], widgetName, scope);
        } else if (this.model.nanoflows.has(t)) visit(t);
      }
    };
    visit(q);
  }

  /**
   * A nanoflow's retrieve from the database (or over an association the client does not
   * hold): a retrieve operation with the nanoflow's XPath, every attribute and owned
   * association of the entity (the nanoflow's expressions may read any; the server sends
   * the readable ones), one per page and activity.
   */
  private nanoflowRetrieve(nf: string, r: NanoflowRetrieve, path: (string | number)[], scope: Scope): void {
    const site = [...path, 'retrieves', nf, r.at];
    if (this.ops.some((o) => o.type === 'retrieve' && o.site.page === this.page.name && o.site.path.endsWith(`/retrieves/${nf}/${r.at}`))) return;
    const entity = this.model.entities.get(r.entity)!;
    const attributes = [...entity.attributes.keys()];
    const parameters: Record<string, string[]> = {};
    for (const v of r.variables) parameters[v] = ['Any'];
    this.add(
      {
        type: 'retrieve',
        entity: r.entity,
        xpath: r.xpath,
        constraint: r.xpath.slice(2 + r.entity.length),
        sort: r.sort,
        attributes,
        paths: [],
        references: entity.parentOf,
        searchAttributes: [],
        pageSize: 0,
        variables: r.variables,
        parameters,
        constants: {
          XPath: r.xpath,
          UsedAttributes: attributes.map((a) => `${r.entity}/${entity.attributes.get(a)!.qualifiedName}`),
          PageName: this.page.name,
        },
      },
      site,
      // No widget name: forWidget() looks data sources up by it, and this operation is none.
      undefined,
      this.roles(this.page.allowedRoles, scope),
    );
  }

  private callMicroflow(name: string, path: (string | number)[], widgetName: string | undefined, scope: Scope): void {
    const mf = this.model.microflows.get(name)!;
    const parameters: Record<string, string[]> = {};
    for (const [p, t] of Object.entries(mf.def.parameters ?? {})) {
      const list = /^List of\s+(.+)$/i.exec(t.trim());
      parameters[p] = [list ? `[${list[1]!.trim()}]` : t.trim()];
    }
    this.add({ type: 'callMicroflow', microflow: name, parameters, constants: { MicroflowName: name } }, path, widgetName, this.roles(mf.allowedRoles, scope));
  }

  private sortKeys(entity: CEntity, sort: unknown, path: (string | number)[]): SortKey[] {
    if (sort === undefined) return [];
    if (!Array.isArray(sort)) {
      this.error(path, 'sort must be a list of attribute names or {attribute, descending}');
      return [];
    }
    const keys: SortKey[] = [];
    sort.forEach((s, i) => {
      const k =
        typeof s === 'string'
          ? { attribute: s, descending: false }
          : s && typeof s === 'object' && typeof (s as { attribute?: unknown }).attribute === 'string'
            ? { attribute: (s as { attribute: string }).attribute, descending: (s as { descending?: unknown }).descending === true }
            : undefined;
      if (!k) this.error([...path, i], 'a sort key is an attribute name or {attribute, descending}');
      else if (k.attribute.includes('/')) {
        // Over a reference: kept qualified, as the query engine resolves it.
        const probe: UsedCollector = { entity, attributes: [], paths: [], references: [] };
        const before = this.out.length;
        this.useRef(probe, k.attribute, [...path, i]);
        const p = probe.paths[0];
        const a = p && this.out.length === before ? this.referenceAttribute(entity, k.attribute, [...path, i], 'sorted') : undefined;
        if (a?.type === 'Binary' || a?.type === 'HashedString') this.error([...path, i], `a ${a.type} attribute cannot be sorted`);
        else if (p && a) keys.push({ attribute: `${p.association}/${p.entity}/${p.attribute}`, descending: k.descending });
      } else if (!entity.attributes.has(k.attribute)) this.error([...path, i], `unknown attribute '${k.attribute}' of ${entity.name}`);
      else keys.push(k);
    });
    return keys;
  }

  /** An input widget inside a list view / data view: `{attribute}` or `{association, attribute}`. */
  private useMember(used: UsedCollector, body: Record<string, unknown>, path: (string | number)[]): void {
    const attr = body.attribute as string;
    if (typeof body.association === 'string')
      this.useRef(used, `${body.association}/${this.childOf(body.association) ?? '?'}/${attr}`, [...path, 'association']);
    else this.useRef(used, attr, [...path, 'attribute']);
  }

  private childOf(association: string): string | undefined {
    return this.model.associations.get(qualify(association, this.module))?.child;
  }

  /** `Attr` or `Module.Assoc/Module.Entity/Attr` on the widget's entity. */
  private useRef(used: UsedCollector, ref: string, path: (string | number)[]): void {
    const parts = ref.split('/');
    if (parts.length === 1) {
      if (!used.entity.attributes.has(ref)) {
        this.error(path, `unknown attribute '${ref}' of ${used.entity.name}`);
        return;
      }
      if (!used.attributes.includes(ref)) used.attributes.push(ref);
      return;
    }
    if (parts.length !== 3) {
      this.error(path, `'${ref}' must be an attribute or one reference step: Module.Assoc/Module.Entity/Attr`);
      return;
    }
    const [assocName, entityName, attr] = parts as [string, string, string];
    const assoc = this.model.associations.get(qualify(assocName, this.module));
    if (!assoc) {
      this.error(path, `unknown association '${assocName}'`);
      return;
    }
    // A reference, or a reference set (a grid's column then lists every associated object's value).
    if (!used.entity.chain.includes(assoc.parent)) {
      this.error(path, `'${assocName}' is not a reference or reference set from ${used.entity.name}`);
      return;
    }
    const target = this.model.entities.get(qualify(entityName, this.module));
    if (!target || !target.chain.includes(assoc.child)) {
      this.error(path, `'${entityName}' is not the entity at the other end of ${assoc.name}`);
      return;
    }
    if (!target.attributes.has(attr)) {
      this.error(path, `unknown attribute '${attr}' of ${target.name}`);
      return;
    }
    if (!used.paths.some((p) => p.association === assoc.name && p.entity === target.name && p.attribute === attr)) {
      used.paths.push({ association: assoc.name, entity: target.name, attribute: attr });
    }
  }

  private add(
    op: { type: OperationType; parameters: OperationParameters; constants: OperationConstants } & Record<string, unknown>,
    path: (string | number)[],
    widgetName: string | undefined,
    allowedRoles: readonly string[],
  ): void {
    const site: OperationSite = { page: this.page.name, path: path.join('/'), ...(widgetName ? { widgetName } : {}) };
    const id = operationId({ type: op.type, page: site.page, path: site.path, constants: op.constants, parameters: op.parameters });
    const roles = [...allowedRoles];
    const allowedUserRoleSets = [...this.model.security.userRoles.values()]
      .filter((ur) => ur.moduleRoles.some((r) => roles.includes(r)))
      .map((ur) => [ur.name]);
    this.ops.push({ ...op, id, allowedRoles: roles, allowedUserRoleSets, site } as unknown as RuntimeOperation);
  }
}
