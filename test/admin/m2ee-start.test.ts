import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, freePort, KILN, ROOT } from '../support/cli.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';

const PASSWORD = 'm2ee-pass';
let db: TestDatabase | undefined;
afterAll(async () => {
  await db?.drop();
});

/**
 * What m2ee-tools sends (src/m2ee/client.py): POST http://127.0.0.1:<admin_port>/ with
 * Content-Type application/json, X-M2EE-Authentication base64(password) and
 * {"action", "params"} where params is always present ({} when empty).
 */
function client(port: number) {
  return async (action: string, params: Record<string, unknown> = {}) => {
    const res = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-M2EE-Authentication': Buffer.from(PASSWORD).toString('base64') },
      body: JSON.stringify({ action, params }),
    });
    expect(res.status).toBe(200);
    // biome-ignore lint/suspicious/noExplicitAny: feedback differs per action
    return (await res.json()) as { result: number; feedback?: Record<string, any>; message?: string; cause?: string };
  };
}

describe('the m2ee start sequence', () => {
  it('opens only the admin API, takes the configuration, reports and runs the DDL, starts, answers m2ee commands, and stops on shutdown', async () => {
    db = await freshDatabase('postgres');
    const u = new URL(db.url);
    const adminPort = await freePort();
    const runtimePort = await freePort();
    // As m2ee-tools launches the runtime (src/m2ee/config.py): the admin and runtime ports and addresses in the environment.
    const child = spawn(process.execPath, [KILN, 'run', join(ROOT, 'examples', 'employees')], {
      cwd: ROOT,
      env: {
        ...cleanEnv(),
        M2EE_ADMIN_PORT: String(adminPort),
        M2EE_ADMIN_PASS: PASSWORD,
        M2EE_ADMIN_LISTEN_ADDRESSES: '127.0.0.1',
        M2EE_RUNTIME_PORT: String(runtimePort),
        M2EE_RUNTIME_LISTEN_ADDRESSES: '127.0.0.1',
        KILN_DEPLOYMENT_DIR: mkdtempSync(join(tmpdir(), 'kiln-m2ee-')),
        KILN_HASH_ALGORITHM_COST: '4',
      },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const m2ee = client(adminPort);
      // 1. The runner polls echo until the runtime answers.
      const deadline = Date.now() + 30000;
      for (;;) {
        const r = await m2ee('echo', { echo: 'ping' }).catch(() => undefined);
        if (r?.result === 0) {
          expect(r.feedback).toEqual({ echo: 'pong' });
          break;
        }
        if (Date.now() > deadline) throw new Error(`the admin API did not answer:\n${output}`);
        await new Promise((res) => setTimeout(res, 200));
      }
      expect((await m2ee('runtime_status')).feedback).toEqual({ status: 'created' });
      // The app port is not open before start.
      await expect(fetch(`http://127.0.0.1:${runtimePort}/health`)).rejects.toThrow();
      // 2. Logging, as configured in m2ee.yaml.
      expect(
        (
          await m2ee('create_log_subscriber', {
            type: 'file',
            name: 'FileSubscriber',
            autosubscribe: 'INFO',
            filename: '/tmp/x.log',
            max_size: 2097152,
            max_rotation: 10,
          })
        ).result,
      ).toBe(0);
      expect((await m2ee('start_logging')).result).toBe(0);
      // 3. The app container, then the whole mxruntime map.
      expect(
        (await m2ee('update_appcontainer_configuration', { runtime_port: runtimePort, runtime_listen_addresses: '127.0.0.1', runtime_jetty_options: {} }))
          .result,
      ).toBe(0);
      expect(
        (
          await m2ee('update_configuration', {
            DTAPMode: 'P',
            DatabaseType: 'POSTGRESQL',
            DatabaseHost: `${u.hostname}:${u.port || 5432}`,
            DatabaseName: u.pathname.slice(1),
            DatabaseUserName: decodeURIComponent(u.username),
            DatabasePassword: decodeURIComponent(u.password),
            MicroflowConstants: {},
            ScheduledEventExecution: 'NONE',
          })
        ).result,
      ).toBe(0);
      // 4. start: the empty database needs synchronisation (3); m2ee shows the DDL, executes it, starts again.
      const first = await m2ee('start');
      expect(first.result).toBe(3);
      expect(first.message).toContain('database needs synchronisation');
      const ddl = (await m2ee('get_ddl_commands', { verbose: true })).feedback!;
      expect(ddl.ddl_commands.length).toBeGreaterThan(0);
      expect(ddl.ddl_commands.join('\n')).toMatch(/create table/i);
      // It runs exactly what get_ddl_commands showed (the system tables included).
      expect(await m2ee('execute_ddl_commands')).toEqual({ result: 0, feedback: { executed: ddl.ddl_commands.length } });
      expect((await m2ee('get_ddl_commands', { verbose: true })).feedback!.ddl_commands).toEqual([]);
      const second = await m2ee('start');
      expect(second).toEqual({ result: 0, feedback: {} });
      expect((await m2ee('runtime_status')).feedback).toEqual({ status: 'running' });
      const health = await fetch(`http://127.0.0.1:${runtimePort}/health`);
      expect(health.status).toBe(200);
      // 5. After start (the buildpack): administrator password, about, log levels.
      expect((await m2ee('create_admin_user', { password: 'Secret1!x' })).result).toBe(0);
      expect((await m2ee('about')).feedback!.model_version).toBeTruthy();
      expect((await m2ee('set_log_level', { subscriber: '*', nodes: [{ name: 'ConnectionBus', level: 'DEBUG' }], force: 'true' })).result).toBe(0);
      // 6. m2ee commands: status, show_current_runtime_requests, statistics, show_license_information.
      expect(typeof (await m2ee('get_current_runtime_requests')).feedback).toBe('object');
      const stats = (await m2ee('runtime_statistics')).feedback!;
      expect(stats.connectionbus.select).toBeGreaterThanOrEqual(0);
      expect((await m2ee('server_statistics')).result).toBe(0);
      expect((await m2ee('get_license_information')).feedback!.license.LicenseType).toBe('Open');
      expect((await m2ee('get_log_settings', { sort: 'subscriber' })).feedback!.FileSubscriber.ConnectionBus).toBe('DEBUG');
      // 7. shutdown: answered, then the process exits 0.
      expect((await m2ee('shutdown')).result).toBe(0);
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 120000);

  it('exits 2 when the admin port is in use, as m2ee-tools expects', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    try {
      const child = spawn(process.execPath, [KILN, 'run', join(ROOT, 'examples', 'employees')], {
        cwd: ROOT,
        env: { ...cleanEnv(), M2EE_ADMIN_PORT: String(port), M2EE_ADMIN_PASS: PASSWORD, KILN_DEPLOYMENT_DIR: mkdtempSync(join(tmpdir(), 'kiln-m2ee-')) },
        stdio: 'ignore',
      });
      expect(await new Promise((r) => child.on('exit', r))).toBe(2);
    } finally {
      taken.close();
    }
  }, 60000);
});
