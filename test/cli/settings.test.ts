import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, freePort, KILN, ROOT, runKiln } from '../support/cli.js';
import { writeApp } from '../support/app-folder.js';

// Settings are layered app.yaml < settings file < environment < flags (docs/settings.md).
// The port is the setting a user can see from outside, so each case asks which port answers.

function tinyApp(port: number): string {
  return writeApp({
    'app.yaml': `name: Tiny\nmodules: [M]\nsettings:\n  Port: ${port}\n  Host: 127.0.0.1\n`,
    'modules/M/domain-model.yaml': 'entities:\n  Note:\n    attributes:\n      Text: String\n',
  });
}

/** Starts `kiln run` with exactly the given arguments and returns the port that answered /health. */
async function answeringPort(args: string[], env: Record<string, string>, candidates: number[]): Promise<number> {
  const child = spawn(process.execPath, [KILN, 'run', ...args], { cwd: ROOT, env: { ...cleanEnv(), ...env } });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  try {
    const deadline = Date.now() + 60000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`kiln run exited with ${child.exitCode}:\n${out}`);
      for (const p of candidates) {
        const ok = await fetch(`http://127.0.0.1:${p}/health`).then(
          (r) => r.status === 200,
          () => false,
        );
        if (ok) return p;
      }
      if (Date.now() > deadline) throw new Error(`kiln run did not become healthy:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }
}

describe('kiln run: where settings come from', () => {
  it('lets the settings file win over app.yaml, the environment over the file, and flags over all', async () => {
    const [p1, p2, p3, p4] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const app = tinyApp(p1);
    const dep = mkdtempSync(join(tmpdir(), 'kiln-dep-'));
    const file = join(dep, 'settings.yaml');
    writeFileSync(file, `Port: ${p2}\n`);
    const all = [p1, p2, p3, p4];
    const base = [app, '--deployment-dir', dep];
    expect(await answeringPort(base, {}, all)).toBe(p1);
    expect(await answeringPort([...base, '--settings', file], {}, all)).toBe(p2);
    expect(await answeringPort([...base, '--settings', file], { KILN_PORT: String(p3) }, all)).toBe(p3);
    expect(await answeringPort([...base, '--settings', file, '--port', String(p4)], { KILN_PORT: String(p3) }, all)).toBe(p4);
  }, 120000);

  it('refuses a value of the wrong type, naming the setting and where it came from', async () => {
    const app = tinyApp(await freePort());
    const r = await runKiln(['run', app], { KILN_PORT: 'eighty' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('kiln run: setting Port in environment variable KILN_PORT must be a whole number, got "eighty"');
  });

  it('says in one line when the settings file is missing, malformed or names an unknown setting', async () => {
    const app = tinyApp(await freePort());
    const dir = mkdtempSync(join(tmpdir(), 'kiln-settings-'));
    const missing = await runKiln(['run', app, '--settings', join(dir, 'nope.yaml')]);
    expect([missing.code, missing.stderr.trim()]).toEqual([1, `kiln run: settings file not found: ${join(dir, 'nope.yaml')}`]);

    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'Port: [1, 2\n');
    const bad = await runKiln(['run', app, '--settings', broken]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toMatch(new RegExp(`^kiln run: settings file ${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is malformed: .+$`));
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);

    const typo = join(dir, 'typo.yaml');
    writeFileSync(typo, 'Prot: 8080\n');
    const unknown = await runKiln(['run', app, '--settings', typo]);
    expect([unknown.code, unknown.stderr.trim()]).toEqual([
      1,
      `kiln run: unknown setting 'Prot' in settings file ${typo} (known settings: see docs/settings.md)`,
    ]);
  });
});
