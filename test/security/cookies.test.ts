import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { login, salesCopy, startApp, type TestRuntime } from './harness.js';

let db: TestDatabase;
let app: { dir: string; remove(): void };
let t: TestRuntime;

beforeAll(async () => {
  db = await freshDatabase('sqlite');
  app = salesCopy();
  t = await startApp(app.dir, db.url, { TrustProxy: true });
});
afterAll(async () => { await t?.stop(); await db?.drop(); app?.remove(); });

describe('session cookie behind a proxy (TrustProxy)', () => {
  it('is Secure when the proxy says https, and not when it says http', async () => {
    const https = await login(t.url, 'customer', 'Customer123', { 'x-forwarded-proto': 'https' });
    expect(https.setCookie).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
    const http = await login(t.url, 'customer', 'Customer123', { 'x-forwarded-proto': 'http' });
    expect(http.setCookie).not.toMatch(/Secure/);
  });
});
