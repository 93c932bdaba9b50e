import { describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { request } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { cleanEnv, KILN, ROOT, runKiln, startKiln, freePort } from '../support/cli.js';
import { writeApp } from '../support/app-folder.js';

describe('kiln check (command)', () => {
  it('exits 0 on the examples', async () => {
    for (const app of ['examples/employees', 'examples/sales']) {
      const r = await runKiln(['check', app]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/no errors/);
    }
  });

  it('exits 1 and prints every error of a broken model', async () => {
    const dir = writeApp({
      'app.yaml': 'name: T\nmodules: [M]\n',
      'modules/M/domain-model.yaml': 'entities:\n  E:\n    attributes:\n      A: Money\n      B: Cash\n',
    });
    const r = await runKiln(['check', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("modules/M/domain-model.yaml:4 entities.E.attributes.A: unknown attribute type 'Money'");
    expect(r.stdout).toContain("modules/M/domain-model.yaml:5 entities.E.attributes.B: unknown attribute type 'Cash'");
    expect(r.stdout).toContain('2 errors');
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('says so in one line when the folder is missing', async () => {
    const r = await runKiln(['check', 'no/such/app']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('kiln check: app folder not found: no/such/app');
  });
});

describe('kiln run', () => {
  it('answers /health and exits 0 on SIGTERM within a second when idle', async () => {
    const dep = mkdtempSync(join(tmpdir(), 'kiln-dep-'));
    const k = await startKiln(['examples/employees', '--deployment-dir', dep]);
    const res = await fetch(`http://127.0.0.1:${k.port}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', app: 'Employees' });
    const t0 = Date.now();
    const code = await k.stop('SIGTERM');
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('finishes a request in flight on SIGTERM, refuses new connections, then exits 0', async () => {
    const dep = mkdtempSync(join(tmpdir(), 'kiln-dep-'));
    const k = await startKiln(['examples/employees', '--deployment-dir', dep]);
    const body = JSON.stringify({ action: 'login', params: { username: 'MxAdmin', password: 'Admin1!' } });
    const half = Math.floor(body.length / 2);
    // A login whose body arrives in two halves: the server holds it in flight while it stops.
    const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: k.port,
          method: 'POST',
          path: '/xas/',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          let text = '';
          res.on('data', (d) => {
            text += d;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, half));
      req.on('socket', (sock) =>
        sock.on('connect', () => {
          setTimeout(() => {
            k.child.kill('SIGTERM');
            setTimeout(async () => {
              // Stopping: the listener is closed, so a new connection is refused.
              await expect(fetch(`http://127.0.0.1:${k.port}/health`)).rejects.toThrow();
              req.end(body.slice(half));
            }, 300);
          }, 200);
        }),
      );
    });
    const res = await answered;
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toHaveProperty('csrftoken');
    // No second signal: a second SIGTERM during shut-down ends the process at once, by design.
    const code = k.child.exitCode ?? (await new Promise<number | null>((r) => k.child.once('exit', (c) => r(c))));
    expect(code).toBe(0);
  });

  it('holds a SIGTERM that arrives during start-up until start-up has finished, then exits 0', async () => {
    const dep = mkdtempSync(join(tmpdir(), 'kiln-dep-'));
    const child = spawn(process.execPath, [KILN, 'run', 'examples/employees', '--deployment-dir', dep, '--port', String(await freePort())], {
      cwd: ROOT,
      env: { ...cleanEnv(), KILN_HOST: '127.0.0.1' },
    });
    let out = '';
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    await new Promise<void>((resolve) => {
      const onData = (d: Buffer) => {
        out += d;
        // The database is ready, so schema synchronisation has begun; security and the rest still start.
        if (out.includes('"database ready"')) {
          child.stdout.off('data', onData);
          child.kill('SIGTERM');
          resolve();
        }
      };
      child.stdout.on('data', onData);
    });
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    expect(await exited, out).toBe(0);
    expect(out).toContain('stopping once start-up has finished');
    expect(out).toContain('"msg":"stopped"');
    // What start-up wrote is whole: the next start on the same database is clean.
    const again = await startKiln(['examples/employees', '--deployment-dir', dep]);
    expect(await again.stop()).toBe(0);
  });

  it('refuses to start a model with errors, printing the same report as check', async () => {
    const dir = writeApp({ 'app.yaml': 'name: T\nmodules: [M]\n', 'modules/M/domain-model.yaml': 'entities:\n  E:\n    attributes:\n      A: Money\n' });
    const r = await runKiln(['run', dir, '--port', String(await freePort())]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("modules/M/domain-model.yaml:4 entities.E.attributes.A: unknown attribute type 'Money'");
  });

  it('says one clear line for a missing folder, a port in use and an unknown setting', async () => {
    const missing = await runKiln(['run', 'no/such/app']);
    expect([missing.code, missing.stderr.trim()]).toEqual([1, 'kiln run: app folder not found: no/such/app']);

    const port = await freePort();
    const blocker = createServer().listen(port, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    const dep = mkdtempSync(join(tmpdir(), 'kiln-dep-'));
    const busy = await runKiln(['run', 'examples/employees', '--port', String(port), '--deployment-dir', dep], { KILN_HOST: '127.0.0.1' });
    blocker.close();
    expect(busy.code).toBe(1);
    expect(busy.stderr.trim().split('\n').pop()).toBe(`kiln run: port ${port} is already in use`);

    const unknown = await runKiln(['run', 'examples/employees', '--deployment-dir', dep], { KILN_POTR: '1' });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe('kiln run: unknown setting in environment variable KILN_POTR (known settings: see docs/settings.md)');
  });
});
