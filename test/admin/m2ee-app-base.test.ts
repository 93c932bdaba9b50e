import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/model/index.js';
import { copyExample, startInstance, type KilnInstance } from '../support/kiln-instance.js';

/**
 * What the real m2ee-tools showed (docs/operations.md): its app_base holds the Mendix
 * deployment's folders next to the app, and it closes the pipe it gave the runtime's
 * output once `start` returned.
 */
describe('running under m2ee-tools', () => {
  const app = copyExample('employees');
  let kiln: KilnInstance | undefined;
  afterAll(async () => {
    await kiln?.kill();
    app.remove();
  });

  it("loads an app folder that also holds m2ee's model/, web/ and data/ folders", async () => {
    mkdirSync(join(app.dir, 'model'), { recursive: true });
    writeFileSync(join(app.dir, 'model', 'metadata.json'), JSON.stringify({ RuntimeVersion: '10.24.0' }));
    mkdirSync(join(app.dir, 'web'), { recursive: true });
    writeFileSync(join(app.dir, 'web', 'settings.json'), '{}');
    mkdirSync(join(app.dir, 'data', 'files'), { recursive: true });
    writeFileSync(join(app.dir, 'data', 'files', 'x.yaml'), 'a: 1\n');
    const r = await loadModel(app.dir);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.model?.app.name).toBe('Employees');
  });

  it('keeps running when the pipe of its output is closed', async () => {
    const deployment = join(app.dir, '.deployment-m2ee');
    kiln = await startInstance({ appDir: app.dir, db: `sqlite:${join(app.dir, 'app.db')}`, deploymentDir: deployment });
    // m2ee-tools closes its end once the runtime started: every console line after that fails to write.
    kiln.child.stdout!.destroy();
    kiln.child.stderr!.destroy();
    for (let i = 0; i < 5; i++) {
      // A failed login and a refused request each write a log line.
      const login = await fetch(`${kiln.base}/xas/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'login', params: { username: 'MxAdmin', password: 'wrong' } }),
      });
      expect(login.status).toBe(401);
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(kiln.child.exitCode).toBeNull();
    expect((await fetch(`${kiln.base}/health`)).status).toBe(200);
  });
});
