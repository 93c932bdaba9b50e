import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_CONTEXT } from '../../src/security/user-context.js';
import { startApp, type AppUnderTest } from '../client-api/harness.js';

/** Built-in System actions (Mendix's System Java actions), on examples/sales with its real users. */
const CHECK = `
parameters: { UserName: String, Password: String }
returns: Boolean
body:
  - action: { name: System.VerifyPassword, with: { userName: $UserName, password: $Password }, into: Ok }
  - return: $Ok`;

describe('System.VerifyPassword', () => {
  let app: AppUnderTest;
  beforeAll(async () => {
    app = await startApp('sales', 'sqlite', [{ name: 'mgr', password: 'Manager-12', roles: ['SalesManager'] }], {}, undefined, undefined, {
      'modules/Sales/microflows/CheckPassword.yaml': CHECK,
    });
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
  });
  const check = async (UserName: string, Password: string) =>
    (await app.runtime.ctx.services.require('microflows').runMicroflow('Sales.CheckPassword', { UserName, Password }, SYSTEM_CONTEXT)).value;

  it('is true for the user password and false otherwise', async () => {
    expect(await check('mgr', 'Manager-12')).toBe(true);
    expect(await check('mgr', 'manager-12')).toBe(false);
    expect(await check('nobody', 'Manager-12')).toBe(false);
    expect(await check('', '')).toBe(false);
  });
});
