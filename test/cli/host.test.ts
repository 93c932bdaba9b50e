import { mkdtempSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, runKiln, startKiln } from '../support/cli.js';

/** An address of this machine that other machines can reach, if it has one. */
function externalIPv4(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

describe('kiln run: listening address', () => {
  it("listens on 127.0.0.1 by default, and the README's http://localhost:<port>/ answers", async () => {
    const dep = mkdtempSync(join(tmpdir(), 'kiln-dep-'));
    // No KILN_HOST: the default, as in the README's first command (an undefined value leaves the variable out).
    const k = await startKiln(['examples/employees', '--deployment-dir', dep], { KILN_HOST: undefined as unknown as string });
    try {
      const health = await fetch(`http://localhost:${k.port}/health`);
      expect(health.status).toBe(200);
      expect((await fetch(`http://localhost:${k.port}/`)).status).toBe(200);
      const external = externalIPv4();
      if (external) await expect(fetch(`http://${external}:${k.port}/health`)).rejects.toThrow();
    } finally {
      expect(await k.stop()).toBe(0);
    }
  });

  it('refuses 0.0.0.0 at the production level while the administrator has the default password: one line, exit 1', async () => {
    const dep = mkdtempSync(join(tmpdir(), 'kiln-dep-'));
    const port = await freePort();
    const r = await runKiln(['run', 'examples/employees', '--deployment-dir', dep, '--port', String(port)], {
      KILN_HOST: '0.0.0.0',
      KILN_HASH_ALGORITHM_COST: '4',
    });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      "kiln run: refusing to listen on 0.0.0.0: the administrator 'MxAdmin' still has the app's published default password; " +
        'set KILN_ADMIN_PASSWORD or change the password, or listen on 127.0.0.1 (Host)',
    );
    // With KILN_ADMIN_PASSWORD it starts on every address.
    const k = await startKiln(['examples/employees', '--deployment-dir', dep], {
      KILN_HOST: '0.0.0.0',
      KILN_ADMIN_PASSWORD: 'Not-the-default1',
      KILN_HASH_ALGORITHM_COST: '4',
    });
    expect(await k.stop()).toBe(0);
  });
});
