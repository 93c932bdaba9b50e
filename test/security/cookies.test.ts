import type { FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCookie, SESSION_COOKIE } from '../../src/security/sessions/cookies.js';
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
afterAll(async () => {
  await t?.stop();
  await db?.drop();
  app?.remove();
});

describe('session cookie behind a proxy (TrustProxy)', () => {
  it('is Secure when the proxy says https, and not when it says http', async () => {
    const https = await login(t.url, 'customer', 'Customer123', { 'x-forwarded-proto': 'https' });
    expect(https.setCookie).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
    const http = await login(t.url, 'customer', 'Customer123', { 'x-forwarded-proto': 'http' });
    expect(http.setCookie).not.toMatch(/Secure/);
  });
});

describe('reading the session cookie from the Cookie header', () => {
  const read = (cookie: string | undefined) => readCookie({ headers: { cookie } } as unknown as FastifyRequest, SESSION_COOKIE);
  it('finds it among other cookies, by its exact name, decoded', () => {
    expect(read(undefined)).toBeUndefined();
    expect(read('XASSESSIONID=abc')).toBe('abc');
    expect(read('a=1; XASSESSIONID= abc ;b=2')).toBe('abc');
    expect(read('XXASSESSIONID=no; XASSESSIONIDX=no; flag; XASSESSIONID=yes')).toBe('yes');
    expect(read('XASSESSIONID=a%20b%3Dc')).toBe('a b=c');
    expect(read('XASSESSIONID=bad%zz')).toBeUndefined();
    expect(read('XASSESSIONID=')).toBe('');
    expect(read('other=1; flag')).toBeUndefined();
  });
});
