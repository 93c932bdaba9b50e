import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FaultClient } from '../faults/fault-client.js';
import { runKiln, startKiln } from '../support/cli.js';

describe('kiln new', () => {
  it('writes a starter app that checks clean, runs, and whose pages render for a demo user', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'kiln-new-')), 'my-tasks');
    const r = await runKiln(['new', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('created MyTasks');
    const c = await runKiln(['check', dir]);
    expect(c.stdout).toContain('MyTasks: 1 entity, 1 microflow, 2 pages; no errors');

    const dep = mkdtempSync(join(tmpdir(), 'kiln-dep-'));
    const k = await startKiln([dir, '--deployment-dir', dep], { KILN_HASH_ALGORITHM_COST: '4' });
    try {
      const base = `http://127.0.0.1:${k.port}`;
      const client = new FaultClient(base);
      expect((await client.login('demo_user', 'Demo1234!')).status).toBe(200);
      for (const page of ['Tasks.Task_Overview', 'Tasks.Task_Edit']) {
        const res = await fetch(`${base}/pages/${page}.json`, { headers: { cookie: client.cookie } });
        expect(res.status, page).toBe(200);
        expect(JSON.stringify(await res.json())).toContain('Title');
      }
    } finally {
      expect(await k.stop()).toBe(0);
    }
  }, 60000);

  it('refuses a folder that is not empty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-new-'));
    writeFileSync(join(dir, 'x.txt'), 'x');
    const r = await runKiln(['new', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is not empty');
  });
});
