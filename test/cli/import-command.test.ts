import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runKiln } from '../support/cli.js';

const V1 = join(ROOT, '../shared/fixtures/mendix/mxcli-testdata/sdk-mpr-testdata/v1-project/App.mpr');

describe('kiln import (command)', () => {
  it('imports a Mendix project, prints the report, writes it as text and JSON, and the result checks', async () => {
    const out = mkdtempSync(join(tmpdir(), 'kiln-import-cli-'));
    const json = join(out, '..', `${out.split('/').at(-1)}-report.json`);
    const r = await runKiln(['import', V1, out, '--report', json]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Imported .*App\.mpr \(mpr-v1, Mendix 9\.24/);
    expect(r.stdout).toMatch(/entity\s+2\s+0\s+0/);
    expect(readFileSync(join(out, 'import-report.txt'), 'utf8')).toContain('java script action NanoflowCommons.SignIn: not imported');
    expect(JSON.parse(readFileSync(json, 'utf8')).kinds.entity).toEqual({ full: 2, partial: 0, skipped: 0 });
    const check = await runKiln(['check', out]);
    expect(check.code, check.stdout).toBe(0);
  });

  it('says how to call it when arguments are missing', async () => {
    const r = await runKiln(['import']);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain('usage: kiln import <project.mpr | model.mdp> <out-dir>');
  });
});
