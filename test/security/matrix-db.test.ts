import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, freshDatabase, type TestDatabase } from '../support/databases.js';
import { DEMO_USERS, login, ROLE_USER, salesCopy, startApp, type TestRuntime } from './harness.js';
import { expectMatrix } from './matrix-check.js';
import { EXPECTED_ENTITIES } from './sales-matrix.js';

/**
 * The access matrix of examples/sales for users whose roles live in the
 * database: log in over HTTP, resolve the session as a request would, and
 * check every cell against the hand-written expectation.
 */
describe.each(DIALECTS)('access matrix through login on %s', (dialect) => {
  let db: TestDatabase;
  let app: { dir: string; remove(): void };
  let t: TestRuntime;
  beforeAll(async () => {
    db = await freshDatabase(dialect);
    app = salesCopy();
    t = await startApp(app.dir, db.url);
  });
  afterAll(async () => {
    await t?.stop();
    await db?.drop();
    app?.remove();
  });

  for (const role of Object.keys(EXPECTED_ENTITIES)) {
    it(`user role ${role}`, async () => {
      const user = DEMO_USERS.find((u) => u.name === ROLE_USER[role])!;
      const r = await login(t.url, user.name, user.password);
      expect(r.status).toBe(200);
      const s = await t.sessions.resolveSessionId(r.session!.sessionId);
      expect(s?.context).toMatchObject({ userName: user.name, userRoles: [role], applyEntityAccess: true, anonymous: false });
      expectMatrix(t.rt.ctx.model, role, s!.context);
    });
  }
});
