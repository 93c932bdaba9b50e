import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '../../src/model/index.js';
import { passwordProblems } from '../../src/security/password-policy.js';
import { ROOT } from '../support/cli.js';

/**
 * A newcomer signs in to an example with the administrator the README names;
 * that default must be one the example's own password policy accepts, or
 * every start (and every test) warns about it.
 */
describe('example apps', () => {
  for (const [example, password] of [
    ['employees', 'Admin1!'],
    ['sales', 'Admin123!'],
  ] as const) {
    it(`${example}: the administrator's default password is the documented one and meets the app's policy`, async () => {
      const { model, diagnostics } = await loadModel(join(ROOT, 'examples', example), { env: {} });
      expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const sec = model!.security;
      expect(sec.adminUser).toMatchObject({ name: 'MxAdmin', password });
      expect(passwordProblems(sec.passwordPolicy, password)).toEqual([]);
    });
  }

  it('the README gives those credentials', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('| `examples/employees` | `MxAdmin` | `Admin1!` |');
    expect(readme).toContain('| `examples/sales` | `MxAdmin` | `Admin123!` |');
  });
});
