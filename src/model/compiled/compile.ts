import type { Diagnostic } from '../diagnostics.js';
import type { LoadedApp } from '../load/load-app.js';
import type { SourceFile } from '../load/source-file.js';
import { checkSchema } from '../check/schema-check.js';
import { checkReferences } from '../check/references.js';
import { refineDiagnostics } from '../check/refine.js';
import type {
  AppFile,
  DomainModelFile,
  LayoutFile,
  MappingFile,
  MicroflowFile,
  NanoflowFile,
  ODataServiceFile,
  PageFile,
  RestServiceFile,
  ScheduledEventFile,
  SecretValueDef,
  SnippetFile,
  TaskQueueFile,
} from '../schema/index.js';
import { SYSTEM_MODULE } from '../system-module.js';
import { compileDomain, qualify, type ModuleInput } from './compile-domain.js';
import { compileRestServices } from './rest-services.js';
import { compileScheduledEvents } from './scheduled-events.js';
import { compileTaskQueues } from './task-queues.js';
import { compileODataServices } from './odata-services.js';
import type { CLayout, CMicroflow, CNanoflow, CompiledModel, CPage, CSecurity, CSnippet, CUserRole } from './types.js';
import { checkLayouts } from './layouts.js';
import { checkTranslations } from './translations.js';
import { compileMappings } from './mappings.js';

/**
 * A check that a later component contributes (XPath, expressions, widgets): it
 * receives the compiled model and adds diagnostics. Kept as a list passed in, so
 * the model layer does not depend on the components that check their own text.
 */
export type ModelCheck = (model: CompiledModel, out: Diagnostic[]) => void;

export interface CompileResult {
  readonly model: CompiledModel | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

export interface CompileOptions {
  /** Environment used for secrets (`{ env: NAME }`); defaults to process.env. */
  readonly env?: Record<string, string | undefined>;
  readonly checks?: readonly ModelCheck[];
}

const DEFAULT_PASSWORD_POLICY = { minLength: 1, requireDigit: false, requireSymbol: false, requireMixedCase: false };

/**
 * Checks and compiles a loaded app. The model is returned only when there is no
 * error; every problem found is reported, none hidden behind the first.
 */
export function compileApp(loaded: LoadedApp, options: CompileOptions = {}): CompileResult {
  const diagnostics: Diagnostic[] = [...loaded.diagnostics];
  const env = options.env ?? process.env;
  const app = (loaded.app ? checkSchema(loaded.app, diagnostics) : undefined) as AppFile | undefined;

  // Each file's data with schema violations cut away: the rest is still checked.
  const valid = new Map<SourceFile, unknown>();
  for (const f of loaded.files) {
    const data = checkSchema(f, diagnostics);
    if (data !== undefined) valid.set(f, data);
  }
  const validFiles = [...valid.keys()];
  const listed = new Set(app?.modules ?? []);
  if (app) {
    app.modules.forEach((m, i) => {
      if (m === 'System') diagnostics.push(loaded.app!.diagnostic(['modules', i], 'System is built in and must not be listed'));
      else if (!loaded.moduleFolders.has(m)) diagnostics.push(loaded.app!.diagnostic(['modules', i], `module '${m}' has no folder modules/${m}/`));
    });
  }
  for (const m of loaded.moduleFolders) {
    if (app && !listed.has(m)) {
      diagnostics.push({ severity: 'error', file: `modules/${m}`, line: 0, path: '', message: `module folder '${m}' is not listed in app.yaml modules` });
    }
  }

  const inputs: ModuleInput[] = [{ module: 'System', def: SYSTEM_MODULE, file: undefined }];
  for (const m of app?.modules ?? []) {
    const f = validFiles.find((x) => x.kind === 'domain-model' && x.module === m);
    inputs.push({ module: m, def: ((f && valid.get(f)) as DomainModelFile | undefined) ?? {}, file: f });
  }
  const constantOverrides: Record<string, unknown> = { ...(app?.constants ?? {}) };
  const domain = compileDomain(inputs, constantOverrides, diagnostics);
  // Elements the schema check cut away were reported there: they are not unknown where used.
  for (const f of loaded.files) if (f.kind === 'domain-model') markCut(f, valid.get(f) as DomainModelFile | undefined, domain.broken);

  const microflows = new Map<string, CMicroflow>();
  const pages = new Map<string, CPage>();
  const nanoflows = new Map<string, CNanoflow>();
  const documents = new Map<string, string>();
  const roleList = (f: SourceFile, roles: readonly string[] | undefined): string[] => {
    const out: string[] = [];
    (roles ?? []).forEach((r, i) => {
      const q = qualify(r, f.module!);
      if (!domain.moduleRoles.has(q)) diagnostics.push(f.diagnostic(['allowedRoles', i], `unknown module role '${r}'`));
      else out.push(q);
    });
    return out;
  };
  const layouts = new Map<string, CLayout>();
  const snippets = new Map<string, CSnippet>();
  for (const f of validFiles) {
    if (f.kind === 'layout' || f.kind === 'snippet') {
      const q = `${f.module}.${f.unitName}`;
      const unit = { name: q, module: f.module!, source: { file: f, path: [] } };
      if (f.kind === 'layout') layouts.set(q, { ...unit, def: valid.get(f) as LayoutFile });
      else snippets.set(q, { ...unit, def: valid.get(f) as SnippetFile });
      continue;
    }
    if (f.kind !== 'microflow' && f.kind !== 'page' && f.kind !== 'nanoflow') continue;
    const q = `${f.module}.${f.unitName}`;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(f.unitName ?? '')) diagnostics.push(f.diagnostic([], `document name '${f.unitName}' is not a valid identifier`));
    const clash = documents.get(q) ?? (domain.entities.has(q) ? `the entity ${q}` : undefined);
    if (clash) diagnostics.push(f.diagnostic([], `duplicate name '${q}': already used by ${clash}`));
    documents.set(q, `the ${f.kind} in ${f.relPath}`);
    if (f.kind === 'microflow') {
      const def = valid.get(f) as MicroflowFile;
      microflows.set(q, {
        name: q,
        module: f.module!,
        shortName: f.unitName!,
        def,
        allowedRoles: roleList(f, def.allowedRoles),
        source: { file: f, path: [] },
      });
    } else if (f.kind === 'nanoflow') {
      const def = valid.get(f) as NanoflowFile;
      nanoflows.set(q, { name: q, module: f.module!, shortName: f.unitName!, def, source: { file: f, path: [] } });
    } else {
      const def = valid.get(f) as PageFile;
      const layout = def.layout ? qualify(def.layout, f.module!) : def.popup ? undefined : app?.navigation?.layout;
      pages.set(q, {
        name: q,
        module: f.module!,
        shortName: f.unitName!,
        def,
        allowedRoles: roleList(f, def.allowedRoles),
        source: { file: f, path: [] },
        ...(layout ? { layout } : {}),
      });
    }
  }

  const security = compileSecurity(loaded.app, app, domain.moduleRoles, domain.entities, env, diagnostics);
  const mappings = compileMappings(
    validFiles.filter((f) => f.kind === 'json-structure').map((f) => ({ file: f, def: valid.get(f) })),
    validFiles.filter((f) => f.kind === 'mapping').map((f) => ({ file: f, def: valid.get(f) as MappingFile })),
    { entities: domain.entities, associations: domain.associations, enumerations: domain.enumerations, microflows },
    diagnostics,
  );

  // REST and OData services share one URL space: a location may be taken once.
  const serviceLocations = new Map<string, string>();
  const restServices = compileRestServices(
    validFiles.filter((f) => f.kind === 'rest-service').map((f) => ({ file: f, def: valid.get(f) as RestServiceFile })),
    { entities: domain.entities, associations: domain.associations, enumerations: domain.enumerations, moduleRoles: domain.moduleRoles, microflows, mappings },
    serviceLocations,
    diagnostics,
  );
  const scheduledEvents = compileScheduledEvents(
    validFiles.filter((f) => f.kind === 'scheduled-event').map((f) => ({ file: f, def: valid.get(f) as ScheduledEventFile })),
    microflows,
    diagnostics,
    loaded.app && app?.scheduledEventTimeZone !== undefined ? { zone: app.scheduledEventTimeZone, file: loaded.app } : undefined,
  );
  const taskQueues = compileTaskQueues(
    validFiles.filter((f) => f.kind === 'task-queue').map((f) => ({ file: f, def: valid.get(f) as TaskQueueFile })),
    diagnostics,
  );
  const odataServices = compileODataServices(
    validFiles.filter((f) => f.kind === 'odata-service').map((f) => ({ file: f, def: valid.get(f) as ODataServiceFile })),
    { entities: domain.entities, associations: domain.associations, enumerations: domain.enumerations, moduleRoles: domain.moduleRoles, microflows },
    serviceLocations,
    diagnostics,
  );

  const model: CompiledModel = {
    app: {
      name: app?.name ?? 'app',
      version: app?.version ?? '0.0.0',
      modules: app?.modules ?? [],
      settings: app?.settings ?? {},
      navigation: app?.navigation ?? {},
      languages: app?.languages ?? [],
      ...(app?.defaultTimeZone ? { defaultTimeZone: app.defaultTimeZone } : {}),
      ...(app?.clientTexts ? { clientTexts: app.clientTexts } : {}),
      ...(app?.afterStartup ? { afterStartup: app.afterStartup } : {}),
      ...(app?.beforeShutdown ? { beforeShutdown: app.beforeShutdown } : {}),
    },
    security,
    entities: domain.entities,
    associations: domain.associations,
    enumerations: domain.enumerations,
    constants: domain.constants,
    moduleRoles: domain.moduleRoles,
    microflows,
    nanoflows,
    pages,
    layouts,
    snippets,
    restServices,
    mappings,
    scheduledEvents,
    taskQueues,
    odataServices,
    files: loaded.files,
  };

  if (loaded.app && app) checkNavigation(loaded.app, app, model, diagnostics);
  if (loaded.app && app) checkLifecycleMicroflows(loaded.app, app, model, diagnostics);
  checkReferences(model, diagnostics);
  checkLayouts(model, loaded.app, diagnostics);
  checkTranslations(model, loaded.app, diagnostics);
  for (const check of options.checks ?? []) check(model, diagnostics);

  const hasError = diagnostics.some((d) => d.severity === 'error');
  return { model: hasError ? undefined : model, diagnostics: refineDiagnostics(diagnostics, model, { members: domain.broken }) };
}

/** Records the entities, members and associations present in a domain model file but cut by the schema check. */
function markCut(file: SourceFile, valid: DomainModelFile | undefined, broken: Set<string>): void {
  const raw = (file.data ?? {}) as { entities?: Record<string, { attributes?: Record<string, unknown> }>; associations?: Record<string, unknown> };
  const m = file.module!;
  for (const [e, def] of Object.entries(raw.entities ?? {})) {
    const kept = valid?.entities?.[e];
    if (!kept) broken.add(`${m}.${e}`);
    for (const a of Object.keys(def?.attributes ?? {})) if (!kept?.attributes?.[a]) broken.add(`${m}.${e}.${a}`);
  }
  for (const a of Object.keys(raw.associations ?? {})) if (!valid?.associations?.[a]) broken.add(`${m}.${a}`);
}

function compileSecurity(
  file: SourceFile | undefined,
  app: AppFile | undefined,
  moduleRoles: ReadonlySet<string>,
  entities: CompiledModel['entities'],
  env: Record<string, string | undefined>,
  out: Diagnostic[],
): CSecurity {
  const sec = app?.security;
  const userRoles = new Map<string, CUserRole>();
  for (const [name, roles] of Object.entries(sec?.userRoles ?? {})) {
    roles.forEach((r, i) => {
      if (!moduleRoles.has(r))
        out.push(file!.diagnostic(['security', 'userRoles', name, i], `unknown module role '${r}'${r.includes('.') ? '' : ' (write Module.Role)'}`));
    });
    userRoles.set(name, { name, moduleRoles: roles.filter((r) => moduleRoles.has(r)), grantableRoles: [] });
  }
  for (const [name, role] of userRoles) {
    const managed = sec?.manageableRoles === undefined ? (role.moduleRoles.includes('System.Administrator') ? '*' : []) : sec.manageableRoles[name];
    const grantable = managed === '*' ? [...userRoles.keys()] : (managed ?? []).filter((r) => userRoles.has(r));
    userRoles.set(name, { ...role, grantableRoles: grantable });
  }
  for (const [name, managed] of Object.entries(sec?.manageableRoles ?? {})) {
    if (!userRoles.has(name)) out.push(file!.diagnostic(['security', 'manageableRoles', name], `unknown user role '${name}'`));
    if (managed !== '*')
      managed.forEach((r, i) => {
        if (!userRoles.has(r)) out.push(file!.diagnostic(['security', 'manageableRoles', name, i], `unknown user role '${r}'`));
      });
  }
  const level = sec?.level ?? 'off';
  if (level !== 'off' && userRoles.size === 0 && file)
    out.push(file.diagnostic(['security', 'level'], `security level '${level}' needs at least one user role`));
  let adminUser: CSecurity['adminUser'];
  if (sec?.adminUser) {
    const role = sec.adminUser.role ?? [...userRoles.keys()][0] ?? '';
    if (sec.adminUser.role && !userRoles.has(sec.adminUser.role))
      out.push(file!.diagnostic(['security', 'adminUser', 'role'], `unknown user role '${sec.adminUser.role}'`));
    const pw = sec.adminUser.password;
    const fromEnvironment = Boolean(env.KILN_ADMIN_PASSWORD) || (typeof pw === 'object' && env[pw.env] !== undefined);
    adminUser = {
      name: sec.adminUser.name,
      password: secret(pw, env, 'KILN_ADMIN_PASSWORD') ?? '',
      role,
      fromEnvironment,
      modelPassword: typeof pw === 'object' ? (pw.default ?? '') : (pw ?? ''),
    };
  }
  if (sec?.anonymousRole && !userRoles.has(sec.anonymousRole))
    out.push(file!.diagnostic(['security', 'anonymousRole'], `unknown user role '${sec.anonymousRole}'`));
  const demoUsers = (sec?.demoUsers ?? []).map((u, i) => {
    u.roles.forEach((r, j) => {
      if (!userRoles.has(r)) out.push(file!.diagnostic(['security', 'demoUsers', i, 'roles', j], `unknown user role '${r}'`));
    });
    if (u.entity !== undefined && !entities.get(u.entity)?.chain.includes('System.User')) {
      const known = entities.has(u.entity);
      out.push(
        file!.diagnostic(
          ['security', 'demoUsers', i, 'entity'],
          known ? `${u.entity} does not specialise System.User: a demo user is a System.User or a specialisation of it` : `unknown entity '${u.entity}'`,
        ),
      );
    }
    return { name: u.name, password: secret(u.password, env) ?? '', roles: u.roles, ...(u.entity !== undefined ? { entity: u.entity } : {}) };
  });
  return {
    level,
    adminUser,
    userRoles,
    ...(sec?.anonymousRole ? { anonymousRole: sec.anonymousRole } : {}),
    passwordPolicy: { ...DEFAULT_PASSWORD_POLICY, ...(sec?.passwordPolicy ?? {}) },
    demoUsers,
  };
}

/** The administrator's password comes from KILN_ADMIN_PASSWORD when set, whatever the model says. */
function secret(v: SecretValueDef | undefined, env: Record<string, string | undefined>, override?: string): string | undefined {
  if (override && env[override]) return env[override];
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  return env[v.env] ?? v.default;
}

/** `afterStartup` (no parameters, returns Boolean) and `beforeShutdown` (no parameters) name existing microflows. */
function checkLifecycleMicroflows(file: SourceFile, app: AppFile, model: CompiledModel, out: Diagnostic[]): void {
  for (const key of ['afterStartup', 'beforeShutdown'] as const) {
    const name = app[key];
    if (name === undefined) continue;
    const mf = model.microflows.get(name);
    if (!mf) {
      out.push(file.diagnostic([key], `unknown microflow '${name}' (write Module.Name)`));
      continue;
    }
    if (Object.keys(mf.def.parameters ?? {}).length > 0) out.push(file.diagnostic([key], `${key} microflow ${name} must have no parameters`));
    if (key === 'afterStartup' && mf.def.returns !== 'Boolean') out.push(file.diagnostic([key], `afterStartup microflow ${name} must return Boolean`));
  }
}

function checkNavigation(file: SourceFile, app: AppFile, model: CompiledModel, out: Diagnostic[]): void {
  const nav = app.navigation;
  if (!nav) return;
  if (nav.home && !model.pages.has(nav.home)) out.push(file.diagnostic(['navigation', 'home'], `unknown page '${nav.home}'`));
  for (const [role, page] of Object.entries(nav.homeByRole ?? {})) {
    if (!model.security.userRoles.has(role)) out.push(file.diagnostic(['navigation', 'homeByRole', role], `unknown user role '${role}'`));
    if (!model.pages.has(page)) out.push(file.diagnostic(['navigation', 'homeByRole', role], `unknown page '${page}'`));
  }
  (nav.menu ?? []).forEach((m, i) => {
    if (m.page && !model.pages.has(m.page)) out.push(file.diagnostic(['navigation', 'menu', i, 'page'], `unknown page '${m.page}'`));
    if (m.microflow && !model.microflows.has(m.microflow))
      out.push(file.diagnostic(['navigation', 'menu', i, 'microflow'], `unknown microflow '${m.microflow}'`));
  });
}
