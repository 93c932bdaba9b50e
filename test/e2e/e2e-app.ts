import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultComponents } from '../../src/app/components.js';
import { modelChecks } from '../../src/app/model-checks.js';
import { startRuntime, type RunningRuntime } from '../../src/app/runtime.js';
import { createLogger } from '../../src/core/logger.js';
import { resolveSettings } from '../../src/core/settings.js';
import { commitObjects, createObject, idFromDb, type Database, type IdGenerator } from '../../src/data/index.js';
import { formatDiagnostic, loadModel, type CompiledModel } from '../../src/model/index.js';
import { setReference, setValue } from '../../src/objects/mx-object.js';
import { hashPassword } from '../../src/security/password.js';
import { freshDatabase } from '../support/databases.js';
import { openBrowser, type Browser } from './browser.js';

/** An app served in-process on a fresh SQLite database, with real headless Chromium beside it. */
export interface E2eApp {
  readonly rt: RunningRuntime;
  readonly url: string;
  readonly model: CompiledModel;
  readonly db: Database;
  readonly ids: IdGenerator;
  readonly browser: Browser;
  /** Closes the browser, stops the runtime and drops the database. */
  close(): Promise<void>;
}

/** Starts the app in `appDir` (checked as `kiln run` checks it) and opens the browser. */
export async function startE2eApp(appDir: string): Promise<E2eApp> {
  const { model, diagnostics } = await loadModel(appDir, { checks: modelChecks() });
  if (!model) throw new Error(diagnostics.map(formatDiagnostic).join('\n'));
  const database = await freshDatabase('sqlite');
  const settings = await resolveSettings({
    cli: { DatabaseUrl: database.url, Port: 0, Host: '127.0.0.1', DeploymentDir: mkdtempSync(join(tmpdir(), 'kiln-e2e-')), HashAlgorithmCost: 4 },
  });
  let rt: RunningRuntime | undefined;
  let browser: Browser | undefined;
  try {
    rt = await startRuntime({ appDir, model, settings, components: defaultComponents(), log: createLogger('warn') });
    browser = await openBrowser();
  } catch (e) {
    await rt?.stop();
    await database.drop();
    throw e;
  }
  const running = rt;
  const b = browser;
  return {
    rt: running,
    url: `http://127.0.0.1:${running.port}`,
    model,
    db: running.ctx.services.get('db') as Database,
    ids: running.ctx.services.get('ids') as IdGenerator,
    browser: b,
    async close() {
      await b.close();
      await running.stop();
      await database.drop();
    },
  };
}

/** examples/sales' customers: users with the Customer role and the password `Customer-1`, by name → id. */
export async function seedSalesCustomers(app: E2eApp, customers: readonly (readonly [name: string, company: string])[]): Promise<Map<string, bigint>> {
  const roles = await app.db.query<{ id: unknown; name: unknown }>('SELECT "id", "name" FROM "system$userrole"', []);
  const customerRole = idFromDb(roles.find((r) => r.name === 'Customer')!.id as never);
  const ids = new Map<string, bigint>();
  for (const [name, company] of customers) {
    const c = await createObject(app.model, 'Sales.Customer', app.ids);
    const values: Record<string, unknown> = {
      Name: name,
      Password: await hashPassword('Customer-1', 4),
      Active: true,
      Blocked: false,
      FailedLogins: 0,
      WebServiceUser: false,
      IsAnonymous: false,
      CompanyName: company,
      FullName: `${company} buyer`,
      Email: `buyer@${name}.example`,
    };
    for (const [k, v] of Object.entries(values)) setValue(c, k, v as never);
    setReference(c, 'System.UserRoles', [customerRole]);
    await app.db.transaction((tx) => commitObjects(tx, app.model, [c]));
    ids.set(name, c.id);
  }
  return ids;
}
