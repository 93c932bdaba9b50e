import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { adminComponent } from '../../src/admin/component.js';
import { defaultComponents } from '../../src/app/components.js';
import { modelChecks } from '../../src/app/model-checks.js';
import { startRuntime, type RunningRuntime } from '../../src/app/runtime.js';
import { createLogger } from '../../src/core/logger.js';
import { resolveSettings } from '../../src/core/settings.js';
import { loadModel } from '../../src/model/index.js';
import { copyExample } from '../support/kiln-instance.js';

const app = copyExample('employees');
const flows = join(app.dir, 'modules', 'MyFirstModule', 'microflows');
writeFileSync(join(flows, 'HealthOk.yaml'), 'returns: String\nbody:\n  - return: "\'\'"\n');
writeFileSync(join(flows, 'HealthSick.yaml'), 'returns: String\nbody:\n  - return: "\'the disk is full\'"\n');
const running: RunningRuntime[] = [];
afterAll(async () => {
  for (const rt of running) await rt.stop();
  app.remove();
});

async function checkHealth(microflow: string) {
  const { model, diagnostics } = await loadModel(app.dir, { checks: modelChecks() });
  if (!model) throw new Error(JSON.stringify(diagnostics));
  const settings = await resolveSettings({
    cli: { Port: 0, AdminPort: 0, AdminApiPassword: 'pw', HealthCheckMicroflow: microflow, DeploymentDir: mkdtempSync(join(tmpdir(), 'kiln-health-')) },
  });
  const components = [adminComponent({ env: {} }), ...defaultComponents().filter((c) => c.name !== 'admin')];
  const rt = await startRuntime({ appDir: app.dir, model, settings, components, log: createLogger('silent') });
  running.push(rt);
  const res = await fetch(`http://127.0.0.1:${rt.ctx.services.require('admin').port}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-m2ee-authentication': Buffer.from('pw').toString('base64') },
    body: JSON.stringify({ action: 'check_health', params: {} }),
  });
  return (await res.json()) as { result: number; feedback: Record<string, unknown> };
}

describe('check_health with the app health-check microflow', () => {
  it("reports healthy when it returns '', sick with its reason otherwise", async () => {
    expect(await checkHealth('MyFirstModule.HealthOk')).toEqual({ result: 0, feedback: { health: 'healthy' } });
    expect(await checkHealth('MyFirstModule.HealthSick')).toEqual({ result: 0, feedback: { health: 'sick', diagnosis: 'the disk is full' } });
  }, 60000);
});
