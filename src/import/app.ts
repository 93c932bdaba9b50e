import { list, type ModelIndex, obj, str, strings } from './model-index.js';
import type { Reporter } from './report.js';

type Json = Record<string, unknown>;

const LEVEL: Record<string, string> = { CheckNothing: 'off', CheckFormsAndMicroflows: 'prototype', CheckEverything: 'production' };

/** app.yaml: name, modules, security (level, user roles, admin, guest, password policy, demo users). */
export function convertApp(index: ModelIndex, name: string, modules: string[], reporter: Reporter): Json {
  const app: Json = { name, modules };
  const sec = index.ofType('Security$ProjectSecurity')[0]?.doc;
  if (!sec) return app;
  const notes: string[] = [];
  const security: Json = { level: LEVEL[str(sec.SecurityLevel)] ?? 'production' };
  const userRoles: Record<string, string[]> = {};
  const manageable: Record<string, '*' | string[]> = {};
  // Manageable roles name user roles (by name; a GUID is looked up too).
  const roleName = new Map(list(sec.UserRoles).flatMap((r) => [[str(r.Name), str(r.Name)] as const, [str(r.GUID ?? r.$ID), str(r.Name)] as const]));
  for (const r of list(sec.UserRoles)) {
    userRoles[str(r.Name)] = strings(r.ModuleRoles).filter((q) => {
      const known = q.startsWith('System.') || modules.includes(q.slice(0, q.indexOf('.')));
      if (!known) notes.push(`user role ${str(r.Name)}: module role ${q} of a module not imported left out`);
      return known;
    });
    if (r.ManageAllRoles === true) manageable[str(r.Name)] = '*';
    else {
      const names = strings(r.ManageableRoles).map((x) => roleName.get(x) ?? roleName.get(x.slice(x.lastIndexOf('.') + 1)));
      if (names.some((x) => x === undefined)) notes.push(`user role ${str(r.Name)}: manageable roles that name no user role left out`);
      manageable[str(r.Name)] = names.filter((x): x is string => x !== undefined);
    }
    if (r.ManageUsersWithoutRoles === true)
      notes.push(`user role ${str(r.Name)}: managing users without roles is not imported (Kiln checks the roles changed)`);
  }
  if (Object.keys(userRoles).length) security.userRoles = userRoles;
  // Every role's entry is written, so that the imported app says exactly what Mendix's did (no Kiln default applies).
  if (Object.keys(manageable).length) security.manageableRoles = manageable;
  if (str(sec.AdminUserName)) {
    security.adminUser = {
      name: str(sec.AdminUserName),
      password: { env: 'KILN_ADMIN_PASSWORD', ...(str(sec.AdminPassword) ? { default: str(sec.AdminPassword) } : {}) },
      ...(str(sec.AdminUserRole) && userRoles[str(sec.AdminUserRole)] ? { role: str(sec.AdminUserRole) } : {}),
    };
  }
  if (sec.EnableGuestAccess === true && str(sec.GuestUserRole)) security.anonymousRole = str(sec.GuestUserRole);
  const pp = obj(sec.PasswordPolicySettings);
  if (pp) {
    security.passwordPolicy = {
      minLength: Math.max(1, Number(pp.MinimumLength ?? 1)),
      requireDigit: pp.RequireDigit === true,
      requireSymbol: pp.RequireSymbol === true,
      requireMixedCase: pp.RequireMixedCase === true,
    };
  }
  if (sec.EnableDemoUsers === true) {
    const demo = list(sec.DemoUsers).map((u) => {
      const entity = str(u.Entity);
      // Kept when its module is imported (kiln check then proves it a specialisation of System.User).
      const keep = entity !== '' && entity !== 'System.User' && modules.includes(entity.slice(0, entity.indexOf('.')));
      if (entity && entity !== 'System.User' && !keep)
        notes.push(`demo user ${str(u.UserName)}: created as System.User, not ${entity} (its module is not imported)`);
      return {
        name: str(u.UserName),
        password: str(u.Password),
        roles: strings(u.UserRoles).filter((r) => userRoles[r]),
        ...(keep ? { entity } : {}),
      };
    });
    if (demo.length) security.demoUsers = demo;
  }
  app.security = security;
  reporter.count('project security', notes, name);
  return app;
}
