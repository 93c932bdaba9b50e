import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { loadModel, formatDiagnostic } from '../../src/model/index.js';
import { modelChecks } from '../../src/app/model-checks.js';
import { resolveSettings } from '../../src/core/settings.js';
import { startRuntime, type RunningRuntime } from '../../src/app/runtime.js';
import { defaultComponents } from '../../src/app/components.js';
import { createLogger } from '../../src/core/logger.js';
import type { Database, IdGenerator } from '../../src/data/index.js';
import type { OperationRegistry } from '../../src/client-api/registry/types.js';
import { freshDatabase, type DialectName, type TestDatabase } from '../support/databases.js';
import { ROOT } from '../support/cli.js';

/** A statement the database saw, without transaction control. */
export interface Captured {
  sql: string;
  params: readonly unknown[];
}

export interface AppUnderTest {
  readonly runtime: RunningRuntime;
  readonly base: string;
  readonly db: Database;
  readonly ids: IdGenerator;
  readonly registry: OperationRegistry;
  readonly database: TestDatabase;
  /** Starts capturing statements (BEGIN/COMMIT/ROLLBACK/SAVEPOINT left out); returns the list being filled. */
  capture(): Captured[];
  stopCapture(): void;
  /** The runtime's log lines so far (JSON, error level and above unless settings.LogLevel says otherwise; also written to stdout). */
  logLines(): Record<string, unknown>[];
  client(): XasClient;
  /** Starts another instance of the same app on the same database (a cluster of two); stopped with the app. */
  anotherInstance(): Promise<{ base: string; client(): XasClient }>;
  stop(): Promise<void>;
}

/**
 * Runs an example app in-process on a fresh database, listening on a free
 * port, with extra demo users (for the role tests) added to a copy of its
 * app.yaml. Requests go over real HTTP.
 */
export async function startApp(
  example: 'employees' | 'sales',
  dialect: DialectName,
  demoUsers: { name: string; password: string; roles: string[] }[] = [],
  settings: Record<string, unknown> = {},
  patchAppYaml?: (text: string) => string,
  /** Rewrites the database URL the runtime uses (e.g. through a proxy); the test database itself is unchanged. */
  viaUrl?: (url: string) => string,
  /** Files written over the copied example (relative path -> text), e.g. a changed microflow. */
  files: Record<string, string> = {},
): Promise<AppUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), `kiln-${example}-`));
  cpSync(join(ROOT, 'examples', example), dir, { recursive: true, filter: (src) => !src.includes('.deployment') });
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  if (demoUsers.length) {
    const appFile = join(dir, 'app.yaml');
    const text = readFileSync(appFile, 'utf8').replace(
      /\nsecurity:\n/,
      `\nsecurity:\n  demoUsers:\n${demoUsers.map((u) => `    - { name: ${u.name}, password: "${u.password}", roles: [${u.roles.join(', ')}] }`).join('\n')}\n`,
    );
    writeFileSync(appFile, text);
  }
  if (patchAppYaml) writeFileSync(join(dir, 'app.yaml'), patchAppYaml(readFileSync(join(dir, 'app.yaml'), 'utf8')));
  const { model, diagnostics } = await loadModel(dir, { checks: modelChecks() });
  if (!model) throw new Error(diagnostics.map(formatDiagnostic).join('\n'));
  const database = await freshDatabase(dialect);
  const settingsFor = (deploymentDir: string) =>
    resolveSettings({
      cli: {
        DatabaseUrl: viaUrl ? viaUrl(database.url) : database.url,
        Port: 0,
        Host: '127.0.0.1',
        DeploymentDir: deploymentDir,
        HashAlgorithmCost: 4,
        ...settings,
      },
    });
  const s = await settingsFor(join(dir, '.deployment'));
  const lines: string[] = [];
  const logStream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      process.stdout.write(chunk, () => done());
    },
  });
  const runtime = await startRuntime({
    appDir: dir,
    model,
    settings: s,
    components: defaultComponents(),
    log: createLogger(String(settings.LogLevel ?? 'error'), logStream),
  });
  const others: RunningRuntime[] = [];
  const db = runtime.ctx.services.get('db') as Database;
  let captured: Captured[] = [];
  let unsubscribe: (() => void) | undefined;
  const base = `http://127.0.0.1:${runtime.port}`;
  return {
    runtime,
    base,
    db,
    database,
    ids: runtime.ctx.services.get('ids') as IdGenerator,
    registry: runtime.ctx.services.get('operations') as OperationRegistry,
    capture() {
      unsubscribe?.();
      captured = [];
      unsubscribe = db.onStatement((sql, params) => {
        if (/^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|START TRANSACTION)/i.test(sql)) return;
        // MariaDB's SELECTs quote with backticks: one shape for the assertions.
        captured.push({ sql: sql.replace(/`/g, '"'), params });
      });
      return captured;
    },
    stopCapture() {
      unsubscribe?.();
      unsubscribe = undefined;
    },
    logLines: () =>
      lines
        .join('')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    client: () => new XasClient(base),
    async anotherInstance() {
      const rt = await startRuntime({
        appDir: dir,
        model,
        settings: await settingsFor(join(dir, `.deployment${others.length + 2}`)),
        components: defaultComponents(),
        log: createLogger('error'),
      });
      others.push(rt);
      const b = `http://127.0.0.1:${rt.port}`;
      return { base: b, client: () => new XasClient(b) };
    },
    async stop() {
      unsubscribe?.();
      for (const o of others) await o.stop();
      await runtime.stop();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface XasResult {
  status: number;
  body: Record<string, unknown>;
}

/** A browser-like client: keeps the session cookie and sends the CSRF token. */
export class XasClient {
  private cookie = '';
  csrf = '';

  constructor(readonly base: string) {}

  /** The same browser session talking to another instance (behind a load balancer). */
  on(base: string): XasClient {
    const c = new XasClient(base);
    c.cookie = this.cookie;
    c.csrf = this.csrf;
    return c;
  }

  async post(body: unknown, headers: Record<string, string> = {}): Promise<XasResult> {
    const res = await fetch(`${this.base}/xas/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(this.csrf ? { 'x-csrf-token': this.csrf } : {}),
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) {
      const m = /XASSESSIONID=([^;]*)/.exec(setCookie);
      if (m) this.cookie = m[1] ? `XASSESSIONID=${m[1]}` : '';
    }
    // An anonymous session started by this request (its first data request) answers its token here, as the browser client reads it.
    const token = res.headers.get('x-csrf-token');
    if (token) this.csrf = token;
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  /** A GET in this session (page definitions, navigation). */
  get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; text: string }> {
    return this.send('GET', path, undefined, headers);
  }

  /** Any request in this session (the cookie only: the caller adds the CSRF header when it should). */
  async send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; text: string }> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { ...(this.cookie ? { cookie: this.cookie } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  async login(username: string, password: string): Promise<void> {
    const r = await this.post({ action: 'login', params: { username, password } });
    if (r.status !== 200) throw new Error(`login as ${username} failed: ${r.status} ${JSON.stringify(r.body)}`);
    this.csrf = String(r.body.csrftoken);
  }

  op(operationId: string, rest: Record<string, unknown> = {}): Promise<XasResult> {
    return this.post({ action: 'runtimeOperation', operationId, params: {}, changes: {}, objects: [], ...rest });
  }
}

/** Statement kinds in order: SELECT, INSERT, UPDATE, DELETE. */
export function kinds(c: readonly Captured[]): string[] {
  return c.map((s) => s.sql.trim().split(/\s+/)[0]!.toUpperCase());
}

/** Columns set by an UPDATE statement. */
export function updatedColumns(sql: string): string[] {
  const m = /\bSET\s+(.*?)\s+WHERE\b/is.exec(sql);
  if (!m) return [];
  return [...m[1]!.matchAll(/"([^"]+)"\s*=/g)].map((x) => x[1]!);
}
