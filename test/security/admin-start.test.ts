import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/data/index.js';
import { createLogger } from '../../src/core/logger.js';
import { hashPassword } from '../../src/security/password.js';
import { isLoopbackHost } from '../../src/security/admin-exposure.js';
import { freshDatabase, type DialectName, type TestDatabase } from '../support/databases.js';
import { login, salesCopy, startApp, type TestRuntime } from './harness.js';

// examples/sales: production level, administrator MxAdmin with the published default "Admin123!".
const DEFAULT = 'Admin123!';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function start(db: TestDatabase, settings: Record<string, unknown> = {}, env: Record<string, string> = {}): Promise<TestRuntime> {
  const app = salesCopy();
  cleanups.push(() => app.remove());
  const t = await startApp(app.dir, db.url, settings, env);
  cleanups.push(() => t.stop());
  return t;
}

/** Changes a user's password as the app would (a new bcrypt hash in System.User.Password). */
async function changePassword(url: string, user: string, password: string): Promise<void> {
  const d = await openDatabase(url, { log: createLogger('silent') });
  try {
    const p = (i: number) => (d.dialect.name === 'postgres' ? `$${i}` : '?');
    const r = await d.execute(`UPDATE "system$user" SET "password" = ${p(1)} WHERE "name" = ${p(2)}`, [await hashPassword(password, 4), user]);
    expect(r.affectedRows).toBe(1);
  } finally {
    await d.close();
  }
}

describe.each(['sqlite', 'postgres'] as DialectName[])('the administrator at start-up on %s', (dialect) => {
  it('keeps a password changed in the app across restarts; KILN_ADMIN_PASSWORD replaces it at every start', async () => {
    const db = await freshDatabase(dialect);
    cleanups.push(() => db.drop());
    const a = await start(db);
    expect((await login(a.url, 'MxAdmin', DEFAULT)).status).toBe(200);
    await a.stop();
    await changePassword(db.url, 'MxAdmin', 'Changed-in-app1');

    const b = await start(db);
    expect((await login(b.url, 'MxAdmin', DEFAULT)).status).toBe(401);
    expect((await login(b.url, 'MxAdmin', 'Changed-in-app1')).status).toBe(200);
    await b.stop();

    const c = await start(db, {}, { KILN_ADMIN_PASSWORD: 'From-env-2024' });
    expect((await login(c.url, 'MxAdmin', 'Changed-in-app1')).status).toBe(401);
    expect((await login(c.url, 'MxAdmin', 'From-env-2024')).status).toBe(200);
    await c.stop();
    // Changed in the app again: the next start with the variable set replaces it again.
    await changePassword(db.url, 'MxAdmin', 'Changed-again1');
    const d = await start(db, {}, { KILN_ADMIN_PASSWORD: 'From-env-2024' });
    expect((await login(d.url, 'MxAdmin', 'Changed-again1')).status).toBe(401);
    expect((await login(d.url, 'MxAdmin', 'From-env-2024')).status).toBe(200);
    await d.stop();
  });

  it('refuses to listen on 0.0.0.0 at the production level while the administrator has the default password', async () => {
    const db = await freshDatabase(dialect);
    cleanups.push(() => db.drop());
    const err = await start(db, { Host: '0.0.0.0' }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toBe(
      "refusing to listen on 0.0.0.0: the administrator 'MxAdmin' still has the app's published default password; " +
        'set KILN_ADMIN_PASSWORD or change the password, or listen on 127.0.0.1 (Host)',
    );
    // On 127.0.0.1 the same database starts.
    const local = await start(db, { Host: '127.0.0.1' });
    await local.stop();
    // With the password changed, or given by KILN_ADMIN_PASSWORD, it listens on every address.
    await changePassword(db.url, 'MxAdmin', 'Changed-in-app1');
    const open = await start(db, { Host: '0.0.0.0' });
    expect((await login(open.url, 'MxAdmin', 'Changed-in-app1')).status).toBe(200);
    await open.stop();
    await changePassword(db.url, 'MxAdmin', DEFAULT);
    await expect(start(db, { Host: '::' })).rejects.toThrow(/refusing to listen on ::/);
    const env = await start(db, { Host: '0.0.0.0' }, { KILN_ADMIN_PASSWORD: 'From-env-2024' });
    expect((await login(env.url, 'MxAdmin', 'From-env-2024')).status).toBe(200);
    await env.stop();
    // The default password itself in KILN_ADMIN_PASSWORD is still the published default.
    await expect(start(db, { Host: '0.0.0.0' }, { KILN_ADMIN_PASSWORD: DEFAULT })).rejects.toThrow(/still has the app's published default password/);
  });
});

describe('loopback addresses', () => {
  it('are 127.0.0.0/8, ::1 and localhost; everything else is reachable from elsewhere', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1', '0:0:0:0:0:0:0:1']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.0.2.2', 'fd00::2', 'example.com', '']) expect(isLoopbackHost(h), h).toBe(false);
  });
});
