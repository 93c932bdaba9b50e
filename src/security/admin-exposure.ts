import { isIP } from 'node:net';
import { UserError } from '../model/diagnostics.js';
import type { CompiledModel } from '../model/compiled/types.js';
import { verifyPassword } from './password.js';
import type { UserStore } from './user-store.js';

/** Whether the HTTP server bound to `host` is reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h) || /^0*:0*:0*:0*:0*:0*:0*:0*1$/.test(h);
  return false;
}

/**
 * At the production security level, refuses to listen on an address other
 * machines can reach while the administrator can still sign in with the
 * password published in the model (app.yaml): one line that names the fix.
 * Runs after the administrator is set up, before the server listens.
 */
export async function refuseExposedDefaultAdmin(model: CompiledModel, users: UserStore, host: string): Promise<void> {
  const a = model.security.adminUser;
  if (model.security.level !== 'production' || !a || !a.modelPassword || isLoopbackHost(host)) return;
  const stored = await users.findByName(a.name);
  if (!stored?.passwordHash || !(await verifyPassword(a.modelPassword, stored.passwordHash))) return;
  throw new UserError(
    `refusing to listen on ${host}: the administrator '${a.name}' still has the app's published default password; ` +
      'set KILN_ADMIN_PASSWORD or change the password, or listen on 127.0.0.1 (Host)',
  );
}
