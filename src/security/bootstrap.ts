import type { Logger } from '../core/logger.js';
import type { Database } from '../data/index.js';
import { schemaLock } from '../data/dialects/ddl.js';
import { UserError } from '../model/diagnostics.js';
import type { CompiledModel } from '../model/compiled/types.js';
import { costOf, hashPassword, verifyPassword } from './password.js';
import { passwordProblems } from './password-policy.js';
import type { UserStore } from './user-store.js';

/**
 * At start-up: a System.UserRole object per user role of the model with the
 * roles it may grant (System.grantableRoles, from security.manageableRoles), then the
 * administrator (app.yaml security.adminUser), created when missing and
 * otherwise given back its role; its password is set at creation, and again
 * at every start only when it comes from the environment (KILN_ADMIN_PASSWORD),
 * so a password changed in the app survives a restart. The demo users are
 * created when missing and then left alone. Nothing happens with security off.
 */
export async function bootstrapUsers(model: CompiledModel, users: UserStore, cost: number, log: Logger): Promise<void> {
  const sec = model.security;
  if (sec.level === 'off') return;
  const roleIds = await users.ensureUserRoles([...sec.userRoles.keys()]);
  const grants = new Map([...sec.userRoles.values()].map((r) => [roleIds.get(r.name)!, r.grantableRoles.map((g) => roleIds.get(g)!)]));
  if (await users.syncGrantableRoles(grants)) log.info('grantable roles (System.grantableRoles) set from the model');
  const wanted: { name: string; password: string; roles: string[]; what: string; fromEnvironment?: boolean; entity?: string }[] = [];
  // The administrator as stored, looked up once for the check below and the set-up after it.
  let admin: { stored: Awaited<ReturnType<UserStore['findByName']>> } | undefined;
  if (sec.adminUser) {
    const a = sec.adminUser;
    admin = { stored: await users.findByName(a.name) };
    // Refused only when this password is about to be stored: at creation, or when it comes from the environment.
    const storing = a.fromEnvironment || !admin.stored;
    if (storing && sec.level === 'production' && (a.password === '' || a.password === '1')) {
      throw new UserError(
        `the administrator '${a.name}' has ${a.password === '' ? 'no password' : 'the password "1"'}: set KILN_ADMIN_PASSWORD (refused at the production security level)`,
      );
    }
    wanted.push({ name: a.name, password: a.password, roles: [a.role], what: 'administrator', fromEnvironment: a.fromEnvironment });
  }
  for (const d of sec.demoUsers)
    wanted.push({ name: d.name, password: d.password, roles: [...d.roles], what: 'demo user', ...(d.entity ? { entity: d.entity } : {}) });

  for (const w of wanted) {
    const problems = passwordProblems(sec.passwordPolicy, w.password);
    if (problems.length) {
      const fix = w.what === 'administrator' ? ' Set KILN_ADMIN_PASSWORD to one that does.' : '';
      log.warn({ user: w.name }, `the ${w.what}'s password does not meet the password policy: ${problems.join(' ')}${fix}`);
    }
    const ids = w.roles.map((r) => roleIds.get(r)).filter((x): x is bigint => x !== undefined);
    const existing = w.what === 'administrator' && admin ? admin.stored : await users.findByName(w.name);
    if (!existing) {
      await users.create({
        name: w.name,
        passwordHash: w.password ? await hashPassword(w.password, cost) : null,
        roleIds: ids,
        ...(w.entity ? { entity: w.entity } : {}),
      });
      log.info({ user: w.name, roles: w.roles }, `${w.what} created`);
      continue;
    }
    // Demo users are created once and then left alone (as in Mendix); the administrator's password
    // follows KILN_ADMIN_PASSWORD when given, and is otherwise left as the app's users changed it.
    if (w.what === 'demo user') continue;
    if (w.fromEnvironment && w.password && (!(await verifyPassword(w.password, existing.passwordHash)) || costOf(existing.passwordHash!) !== cost)) {
      await users.setPassword(existing.id, await hashPassword(w.password, cost));
      log.info({ user: w.name }, `${w.what}'s password set from the environment`);
    }
    const have = await users.roleNames(existing.id);
    if (w.roles.some((r) => !have.includes(r))) {
      const all = [...new Set([...have, ...w.roles])].map((r) => roleIds.get(r)).filter((x): x is bigint => x !== undefined);
      await users.setRoles(existing.id, all);
      log.info({ user: w.name, roles: w.roles }, `${w.what}'s roles updated`);
    }
  }
}

/**
 * Runs the start-up user set-up under the data layer's start-up lock (held by
 * one transaction on PostgreSQL and MariaDB), so that instances starting
 * together on a fresh database create the user roles and the administrator
 * once. SQLite serves one instance: no lock.
 */
export async function withStartupLock<T>(db: Database, fn: () => Promise<T>): Promise<T> {
  const lock = schemaLock(db.dialect);
  if (!lock.acquire) return fn();
  return db.transaction(async (tx) => {
    await tx.query(lock.acquire!, []);
    try {
      return await fn();
    } finally {
      if (lock.release) await tx.query(lock.release, []).catch(() => undefined);
    }
  });
}
