import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import type { Diagnostic } from '../model/diagnostics.js';
import { convertApp } from './app.js';
import { convertDomainModel } from './domain.js';
import { convertJsonStructure, convertMapping, importMappingCommits } from './integration.js';
import { menuDocuments } from './menus.js';
import { ModelIndex } from './model-index.js';
import { convertMicroflow, javaActionStub, javaScriptActionStub, STUB_MARK } from './microflows.js';
import { attributeTypes, convertLayout, convertNavigation, convertPage, convertSnippet, mainPlaceholder } from './pages.js';
import { formatReport, type ImportReport, Reporter } from './report.js';
import { imageFiles } from './pluggable-widgets.js';
import { convertScheduledEvent } from './scheduled-events.js';
import { convertODataService, convertRestService } from './services.js';
import { readProject } from './units.js';

export { formatReport, type ImportReport } from './report.js';

type Json = Record<string, unknown>;

export interface ImportOptions {
  /** Checks the written app folder (kiln check); problems it finds are taken out of the import and reported. */
  check?: (dir: string) => Promise<readonly Diagnostic[]>;
}

const NOT_IMPORTED: Record<string, string> = {
  Forms$PageTemplate: 'page templates are Studio Pro tooling',
  Forms$BuildingBlock: 'building blocks are Studio Pro tooling',
  Workflows$Workflow: 'workflows have no Kiln form',
};

/** Module folders are named after modules; a module name Kiln cannot use is reported. */
function writeYaml(file: string, data: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, stringify(data, { lineWidth: 0, aliasDuplicateObjects: false }));
}

/**
 * Imports a Mendix project (.mpr v1/v2, model.mdp or one unit) into a Kiln app folder at
 * `outDir` (replacing its modules/ and app.yaml); returns what was imported and what not.
 */
export async function importMendix(source: string, outDir: string, options: ImportOptions = {}): Promise<ImportReport> {
  const project = readProject(source);
  const index = new ModelIndex(project);
  const reporter = new Reporter(source, project.format, project.productVersion);
  const modules = index.modules.filter((m) => m !== 'System');
  const appName = str(index.ofType('Projects$Project')[0]?.doc.Name) || project.name;

  const files = new Map<string, Json>();
  files.set('app.yaml', convertApp(index, appName || 'App', modules.length ? modules : ['Main'], reporter));
  for (const m of modules.length ? modules : ['Main']) files.set(`modules/${m}/domain-model.yaml`, convertDomainModel(index, m, reporter));
  const javaActions = new Set<string>();
  const rules = new Set<string>();
  for (const d of index.documents('Microflows$Microflow')) {
    if (!modules.includes(d.module)) continue;
    files.set(`modules/${d.module}/microflows/${d.name}.yaml`, convertMicroflow(index, d.module, d.name, d.unit.doc, reporter, javaActions));
  }
  for (const d of index.documents('Microflows$Rule')) {
    // A rule is a microflow a decision calls: it shares the microflows' folder (Mendix names are unique per module).
    if (!modules.includes(d.module)) continue;
    rules.add(`modules/${d.module}/microflows/${d.name}.yaml`);
    files.set(`modules/${d.module}/microflows/${d.name}.yaml`, convertMicroflow(index, d.module, d.name, d.unit.doc, reporter, javaActions, 'rule'));
  }
  const jsActions = new Set<string>();
  for (const d of index.documents('Microflows$Nanoflow')) {
    if (!modules.includes(d.module)) continue;
    files.set(
      `modules/${d.module}/nanoflows/${d.name}.yaml`,
      convertMicroflow(index, d.module, d.name, d.unit.doc, reporter, javaActions, 'nanoflow', jsActions),
    );
  }
  const types = attributeTypes(index);
  // Imported layouts -> the Mendix name of the placeholder that became `main`.
  const layouts = new Map<string, string>();
  for (const d of index.documents('Forms$Layout')) {
    if (!modules.includes(d.module)) continue;
    const layout = convertLayout(index, d.module, d.name, d.unit.doc, reporter, types);
    if (!layout) continue;
    files.set(`modules/${d.module}/layouts/${d.name}.yaml`, layout);
    layouts.set(`${d.module}.${d.name}`, mainPlaceholder(d.unit.doc));
  }
  for (const d of index.documents('Forms$Page')) {
    if (!modules.includes(d.module)) continue;
    if (d.unit.doc.Excluded === true) {
      reporter.skip('page', `${d.module}.${d.name}`, 'excluded from the Mendix project');
      continue;
    }
    files.set(`modules/${d.module}/pages/${d.name}.yaml`, convertPage(index, d.module, d.name, d.unit.doc, reporter, types, layouts));
  }
  for (const d of index.documents('Forms$Snippet')) {
    if (!modules.includes(d.module)) continue;
    files.set(`modules/${d.module}/snippets/${d.name}.yaml`, convertSnippet(index, d.module, d.name, d.unit.doc, reporter, types));
  }
  for (const d of index.documents('ScheduledEvents$ScheduledEvent')) {
    if (!modules.includes(d.module)) continue;
    const event = convertScheduledEvent(d.module, d.name, d.unit.doc, reporter);
    if (event) files.set(`modules/${d.module}/scheduled-events/${d.name}.yaml`, event);
  }
  for (const d of index.documents('Rest$PublishedRestService')) {
    if (!modules.includes(d.module)) continue;
    const service = convertRestService(index, d.module, d.name, d.unit.doc, reporter);
    if (service) files.set(`modules/${d.module}/rest/${d.name}.yaml`, service);
  }
  for (const type of ['ODataPublish$PublishedODataService2', 'ODataPublish$PublishedODataService']) {
    for (const d of index.documents(type)) {
      if (!modules.includes(d.module)) continue;
      const service = convertODataService(d.module, d.name, d.unit.doc, reporter);
      if (service) files.set(`modules/${d.module}/odata/${d.name}.yaml`, service);
    }
  }
  // JSON structures are written as the JSON sample they hold (a root array is not a YAML mapping).
  const structures = new Map<string, unknown>();
  for (const d of index.documents('JsonStructures$JsonStructure')) {
    if (!modules.includes(d.module)) continue;
    const sample = convertJsonStructure(d.module, d.name, d.unit.doc, reporter);
    if (sample !== undefined) structures.set(`modules/${d.module}/json-structures/${d.name}.json`, sample);
  }
  const commits = importMappingCommits(index);
  for (const [type, kind] of [
    ['ImportMappings$ImportMapping', 'import'],
    ['ExportMappings$ExportMapping', 'export'],
  ] as const) {
    for (const d of index.documents(type)) {
      if (!modules.includes(d.module)) continue;
      const mapping = convertMapping(d.module, d.name, d.unit.doc, kind, commits, reporter);
      if (mapping) files.set(`modules/${d.module}/mappings/${d.name}.yaml`, mapping);
    }
  }
  menuDocuments(index).report(reporter, modules);
  const has = (kind: 'page' | 'microflow', q: string) => files.has(`modules/${q.slice(0, q.indexOf('.'))}/${kind}s/${q.slice(q.indexOf('.') + 1)}.yaml`);
  const navigation = convertNavigation(index, has, reporter);
  if (navigation) (files.get('app.yaml') as Json).navigation = navigation;
  const stubs = new Map<string, string>();
  for (const j of [...javaActions].sort()) {
    if (!modules.includes(j.slice(0, j.indexOf('.')))) continue;
    stubs.set(`modules/${j.slice(0, j.indexOf('.'))}/actions/${j.slice(j.indexOf('.') + 1)}.ts`, javaActionStub(index, j));
    reporter.count('java action', ['imported as a TypeScript action stub that fails until written'], j);
  }
  for (const d of index.documents('JavaScriptActions$JavaScriptAction')) {
    const q = `${d.module}.${d.name}`;
    if (!modules.includes(d.module)) continue;
    if (!jsActions.has(q)) {
      reporter.skip('java script action', q, 'no imported nanoflow calls it (a stub is written for each one called)');
      continue;
    }
    stubs.set(`modules/${d.module}/javascript/${d.name}.ts`, javaScriptActionStub(index, q));
    reporter.count('java script action', ['imported as a TypeScript stub for the browser that fails until written'], q);
  }
  for (const [type, why] of Object.entries(NOT_IMPORTED)) {
    for (const d of index.documents(type)) reporter.skip(kindOf(type), `${d.module}.${d.name}`, why);
  }

  const writeAll = () => {
    removeModelFiles(join(outDir, 'modules'));
    for (const [f, data] of files) writeYaml(join(outDir, f), data);
    imageFiles(index).write(outDir);
    for (const [f, sample] of structures) {
      mkdirSync(dirname(join(outDir, f)), { recursive: true });
      writeFileSync(join(outDir, f), `${JSON.stringify(sample, null, 2)}\n`);
    }
    for (const [f, code] of stubs) {
      // A stub someone has written is kept.
      const path = join(outDir, f);
      if (existsSync(path) && !readFileSync(path, 'utf8').includes(STUB_MARK)) continue;
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, code);
    }
  };
  writeAll();
  if (options.check) {
    // Whatever the checker refuses is taken out (by the path it names) and reported, until the folder passes.
    for (let round = 0; round < 8; round++) {
      const errors = (await options.check(outDir)).filter((d) => d.severity === 'error');
      if (!errors.length) break;
      let changed = false;
      // Deepest and last first, so that removing an array element does not shift the next one; one fix per microflow a round.
      const done = new Set<string>();
      errors.sort((a, b) => b.file.localeCompare(a.file) || b.path.localeCompare(a.path, 'en', { numeric: true }));
      const removed: string[] = [];
      for (const e of errors) {
        if (done.has(e.file)) continue;
        // Two problems in one element: it is removed once.
        if (removed.some((r) => `${e.file}:${e.path}.`.startsWith(`${r}.`))) continue;
        if (e.file.includes('/microflows/')) done.add(e.file);
        const at = dropAt(files, e, reporter, rules);
        if (at !== undefined) {
          removed.push(`${e.file}:${at}`);
          changed = true;
        }
      }
      if (!changed) break;
      writeAll();
    }
  }
  // A JavaScript action whose calling nanoflows were all left out by the check gets no stub.
  const called = new Set<string>();
  for (const [f, data] of files) {
    const m = /^modules\/([^/]+)\/nanoflows\//.exec(f);
    if (m) for (const name of actionNames(data)) called.add(name.includes('.') ? name : `${m[1]}.${name}`);
  }
  for (const q of jsActions) {
    const f = `modules/${q.slice(0, q.indexOf('.'))}/javascript/${q.slice(q.indexOf('.') + 1)}.ts`;
    if (called.has(q) || !stubs.has(f)) continue;
    stubs.delete(f);
    const path = join(outDir, f);
    if (existsSync(path) && readFileSync(path, 'utf8').includes(STUB_MARK)) rmSync(path);
    reporter.downgrade('java script action', q, 'not imported: the nanoflows that call it were left out', true);
  }
  // Not .json: the app folder holds model files only.
  writeFileSync(join(outDir, 'import-report.txt'), formatReport(reporter.report));
  return reporter.report;
}

/** Removes the model files (YAML) an earlier import wrote under modules/, keeping TypeScript actions. */
function removeModelFiles(dir: string): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      removeModelFiles(p);
      if (readdirSync(p).length === 0) rmSync(p, { recursive: true });
    } else if (/\.(ya?ml|json)$/i.test(name)) rmSync(p);
  }
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** The names of the actions a nanoflow body calls (anywhere in its nested activities). */
function actionNames(v: unknown): string[] {
  if (Array.isArray(v)) return v.flatMap(actionNames);
  if (!v || typeof v !== 'object') return [];
  const o = v as Json;
  const own = o.action && typeof o.action === 'object' && typeof (o.action as Json).name === 'string' ? [(o.action as Json).name as string] : [];
  return [...own, ...Object.values(o).flatMap(actionNames)];
}

function kindOf(type: string): string {
  return type
    .slice(type.indexOf('$') + 1)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

/** Removes what a diagnostic points at: a microflow's activity (or its body), an entity's member, ... */
/** Returns the path of what it removed (undefined: nothing). */
function dropAt(files: Map<string, Json>, d: Diagnostic, reporter: Reporter, rules: ReadonlySet<string>): string | undefined {
  const data = files.get(d.file);
  if (!data) return undefined;
  const whole = /^modules\/([^/]+)\/(scheduled-events|nanoflows)\/([^/]+)\.yaml$/.exec(d.file);
  if (whole) {
    // A scheduled event is one setting list, and a nanoflow runs in the browser where an error activity
    // cannot stand in for its body: one that does not check is left out whole.
    files.delete(d.file);
    reporter.downgrade(whole[2] === 'nanoflows' ? 'nanoflow' : 'scheduled event', `${whole[1]}.${whole[3]}`, `not imported: ${d.path} ${d.message}`, true);
    return '';
  }
  const m = /^modules\/([^/]+)\/(?:(microflows|pages|snippets|layouts|rest|odata|mappings)\/([^/]+)\.yaml|domain-model\.yaml)$/.exec(d.file);
  const where = m ? (m[3] ? `${m[1]}.${m[3]}` : m[1]!) : d.file;
  const path = d.path ? d.path.split('.') : [];
  const mappingKind = m?.[2] === 'mappings' ? `${String(data.kind)} mapping` : undefined;
  const service = m?.[2] === 'rest' ? 'published REST service' : m?.[2] === 'odata' ? 'published OData service' : mappingKind;
  if (service && path.length === 0) {
    files.delete(d.file);
    reporter.downgrade(service, where, `not imported: ${d.message}`, true);
    return '';
  }
  if (m?.[2] === 'layouts' && path.length <= 1) {
    // The layout as a whole is refused (no main placeholder, say): pages naming it are then shown without it.
    files.delete(d.file);
    reporter.downgrade('layout', where, `not imported: ${d.path} ${d.message}`, true);
    return '';
  }
  if (m?.[2] === 'microflows') {
    const kind = rules.has(d.file) ? 'rule' : 'microflow';
    if ((data.body as Json[] | undefined)?.[0]?.error && String(((data.body as Json[])[0]!.error as Json).message).startsWith('Imported from Mendix without')) {
      // Even the declaration (parameters, roles) does not check: the microflow is left out.
      files.delete(d.file);
      reporter.downgrade(kind, where, `not imported: ${d.path} ${d.message}`, true);
      return '';
    }
    data.body = [{ error: { message: `Imported from Mendix without its body: ${d.message.replace(/[{}]/g, '')}` } }];
    reporter.downgrade(kind, where, `body left out: ${d.path} ${d.message}`);
    return '';
  }
  const kind =
    service ??
    (m?.[2] === 'pages' ? 'page' : m?.[2] === 'snippets' ? 'snippet' : m?.[2] === 'layouts' ? 'layout' : d.file === 'app.yaml' ? 'app.yaml' : 'model element');
  // An operation's mapping that does not check: the operation stays without it (its body or answer then
  // maps by attribute names, the body committed as the mapping was), and goes only if it still does not check.
  const op = m?.[2] === 'rest' ? /^resources\.([^.]+)\.operations\.(\d+)\.(import|export)(\.mapping|\.commit)?$/.exec(d.path) : null;
  const operation = op
    ? ((data.resources as Record<string, { operations?: Json[] }> | undefined)?.[op[1]!]?.operations?.[Number(op[2])] ?? undefined)
    : undefined;
  if (op && operation && operation[op[3]!] !== undefined) {
    const mapping = (operation[op[3]!] as Json).mapping;
    // (The generic removal below would splice the operation out of its list.)
    delete operation[op[3]!];
    const label = `operation ${String(operation.method)} ${op[1]}${operation.path ? `/${String(operation.path)}` : ''}`;
    if (op[4] === '.mapping' && typeof mapping === 'string') {
      const q = mapping.includes('.') ? mapping : `${m![1]}.${mapping}`;
      const commit = files.get(`modules/${q.slice(0, q.indexOf('.'))}/mappings/${q.slice(q.indexOf('.') + 1)}.yaml`)?.commit;
      if (op[3] === 'import' && commit) operation.import = { commit };
      reporter.downgrade('published REST service', where, `${label}: ${op[3]} mapping ${mapping} left out: ${d.message}`);
    } else reporter.downgrade('published REST service', where, `${label}: ${op[3]} left out: ${d.message}`);
    return `resources.${op[1]}.operations.${op[2]}.${op[3]}`;
  }
  // Drop the smallest element the path names (an access rule, an attribute, a widget, a menu item, ...).
  for (let n = path.length; n >= 1; n--) {
    const parentPath = path.slice(0, n - 1);
    let parent: unknown = data;
    for (const p of parentPath) parent = parent && typeof parent === 'object' ? (parent as Record<string, unknown>)[p] : undefined;
    const key = path[n - 1]!;
    if (Array.isArray(parent) && /^\d+$/.test(key)) {
      parent.splice(Number(key), 1);
      reporter.downgrade(kind, where, `${path.slice(0, n).join('.')} left out: ${d.message}`);
      return path.slice(0, n).join('.');
    }
    if (
      parent &&
      typeof parent === 'object' &&
      key in parent &&
      ([
        'entities',
        'attributes',
        'associations',
        'enumerations',
        'constants',
        'userRoles',
        'manageableRoles',
        'homeByRole',
        'navigation',
        'resources',
        'entitySets',
        'parameters',
        'capabilities',
        'placeholders',
        'children',
        'convert',
        'actions',
      ].includes(parentPath.at(-1) ?? '') ||
        parentPath.length === 0)
    ) {
      delete (parent as Json)[key];
      reporter.downgrade(kind, where, `${path.slice(0, n).join('.')} left out: ${d.message}`);
      return path.slice(0, n).join('.');
    }
  }
  if (kind === 'page' || kind === 'snippet') {
    files.delete(d.file);
    reporter.downgrade(kind, where, `not imported: ${d.path} ${d.message}`, true);
    return '';
  }
  return undefined;
}
