import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FaultClient } from '../faults/fault-client.js';
import { cleanEnv, freePort, KILN, ROOT } from '../support/cli.js';
import { listenToDev as listen, until } from '../support/dev-server.js';

const DM = 'modules/MyFirstModule/domain-model.yaml';

describe('kiln dev', () => {
  it('swaps in a valid save (schema synchronised, browsers told to reload) and keeps serving through an invalid one', async () => {
    const app = mkdtempSync(join(tmpdir(), 'kiln-dev-'));
    cpSync(join(ROOT, 'examples', 'employees'), app, { recursive: true });
    const dep = mkdtempSync(join(tmpdir(), 'kiln-dep-'));
    const port = await freePort();
    const child = spawn(process.execPath, [KILN, 'dev', app, '--port', String(port), '--deployment-dir', dep], {
      cwd: ROOT,
      env: { ...cleanEnv(), KILN_HOST: '127.0.0.1', KILN_HASH_ALGORITHM_COST: '4' },
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    try {
      await until('health', async () => ((await fetch(`http://127.0.0.1:${port}/health`)).status === 200 ? true : undefined));
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toContain('<meta name="kiln-dev" content="1">');
      let sse = listen(port);
      await until('first event', () => sse.events[0]);
      expect(sse.events[0]).toEqual({ version: 1, errors: '' });

      const client = new FaultClient(`http://127.0.0.1:${port}`);
      expect((await client.login('MxAdmin', 'Admin1!')).status).toBe(200);
      const page = () => fetch(`http://127.0.0.1:${port}/pages/MyFirstModule.Employee_Overview.json`, { headers: { cookie: client.cookie } });

      const dm = join(app, DM);
      writeFileSync(dm, readFileSync(dm, 'utf8').replace('      Jobtitle:    String\n', '      Jobtitle:    String\n      Nickname:    String\n'));
      const overview = join(app, 'modules/MyFirstModule/pages/Employee_Overview.yaml');
      writeFileSync(overview, readFileSync(overview, 'utf8').replace('columns: [Firstname, Lastname', 'columns: [Nickname, Firstname, Lastname'));
      await until('reload', () => (out.includes('model reloaded') ? true : undefined));
      expect(out).toContain('add column myfirstmodule$employee.nickname');
      sse.close();
      sse = listen(port);
      await until('new version', () => sse.events.find((e) => e.version === 2));
      // The session survives the swap; the new attribute is there for the page.
      const def = await page();
      expect(def.status).toBe(200);
      expect(JSON.stringify(await def.json())).toContain('Nickname');

      writeFileSync(dm, readFileSync(dm, 'utf8').replace('Nickname:    String', 'Nickname:    Strin'));
      const bad = await until('errors', () => sse.events.find((e) => e.errors !== ''));
      expect(bad.version).toBe(2);
      expect(bad.errors).toContain("unknown attribute type 'Strin'");
      expect(out).toContain('the app keeps running the last good model');
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
      sse.close();
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.on('exit', r));
    }
  }, 60000);
});
