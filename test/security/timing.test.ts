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
  afterAll(async () => {
    await t?.stop();
    await db?.drop();
    app?.remove();
  });

  const median = (xs: number[]) => {
    const s = [...xs].sort((x, y) => x - y);
    return s[Math.floor(s.length / 2)]!;
  };

  it('wrong password and unknown user take the same time within noise', async () => {
    const time = async (user: string) => {
      const start = performance.now();
      expect((await login(t.url, user, 'Wrong123')).status).toBe(401);
      return performance.now() - start;
    };
    // Measured in pairs, one right after the other and in alternating order, so
    // that a burst of load from other processes on this shared machine falls on
    // both members of a pair rather than on one list.
    const known: number[] = [];
    const ratios: number[] = [];
    for (let i = 0; i < 21; i++) {
      let k: number;
      let u: number;
      if (i % 2 === 0) {
        k = await time('customer');
        u = await time(`nobody${i}`);
      } else {
        u = await time(`nobody${i}`);
        k = await time('customer');
      }
      known.push(k);
      ratios.push(k / u);
    }
    const k = median(known);
    const r = median(ratios);
    // Both are dominated by the bcrypt comparison (about 100 ms at cost 10 on an
    // idle core); a missing comparison would make one of them ten times faster.
    const figures = `wrong password median ${k.toFixed(1)} ms; median ratio wrong password / unknown user ${r.toFixed(2)} (21 pairs)`;
    expect(k, figures).toBeGreaterThan(40);
    expect(r, figures).toBeGreaterThan(0.7);
    expect(r, figures).toBeLessThan(1 / 0.7);
  });
});
