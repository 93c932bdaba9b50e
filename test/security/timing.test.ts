import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { login, salesCopy, startApp, type TestRuntime } from './harness.js';

/**
 * A wrong password for an existing user and any password for an unknown user
 * take the same time: both cost one bcrypt comparison at the configured cost.
 */
describe('login timing', () => {
  let db: TestDatabase;
  let app: { dir: string; remove(): void };
  let t: TestRuntime;
  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    app = salesCopy();
    t = await startApp(app.dir, db.url, { HashAlgorithmCost: 10, LoginMaxAttempts: 1000 });
  });
  afterAll(async () => { await t?.stop(); await db?.drop(); app?.remove(); });

  const median = (xs: number[]) => { const s = [...xs].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]!; };

  it('wrong password and unknown user take the same time within noise', async () => {
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 15; i++) {
      for (const [list, user] of [[known, 'customer'], [unknown, `nobody${i}`]] as const) {
        const start = performance.now();
        expect((await login(t.url, user, 'Wrong123')).status).toBe(401);
        list.push(performance.now() - start);
      }
    }
    const k = median(known);
    const u = median(unknown);
    // Both are dominated by the bcrypt comparison (about 100 ms at cost 10 on an
    // idle core); a missing comparison would make one of them ten times faster.
    // The machine is shared, so the bound leaves room for noise.
    const figures = `wrong password ${k.toFixed(1)} ms, unknown user ${u.toFixed(1)} ms (medians of 15)`;
    expect(Math.min(k, u), figures).toBeGreaterThan(40);
    expect(Math.abs(k - u) / Math.max(k, u), figures).toBeLessThan(0.3);
  });
});
