import type { CAccessRule, CAssociation, CEntity, MemberRight } from '../types.js';
import type { DomainContext, EntityInput } from './context.js';
import { qualify } from './naming.js';
import { ownedAssociations } from '../owned-associations.js';

/** An entity's access rules: roles checked, read/write lists turned into a right per member. */
export function compileAccessRules(
  ctx: DomainContext,
  q: string,
  { inp, def, short }: EntityInput,
  entity: CEntity,
  associations: ReadonlyMap<string, CAssociation>,
): CAccessRule[] {
  const { report, moduleRoles } = ctx;
  const base = ['entities', short];
  const persistable = entity.persistable;
  // Both-owned associations where the entity is the child are its members too: its rules may grant them.
  const owned = ownedAssociations(entity);
  const memberNames = [...entity.attributes.keys(), ...owned.map((a) => associations.get(a)!.shortName), ...owned];
  return (def.access ?? [])
    .map((r, i): CAccessRule | undefined => {
      const path = [...base, 'access', i];
      const roles: string[] = [];
      r.roles.forEach((role, j) => {
        const qr = qualify(role, inp.module);
        if (!moduleRoles.has(qr))
          report(
            inp,
            [...path, 'roles', j],
            `unknown module role '${role}'${role.includes('.') ? '' : ` (module ${inp.module} has: ${(inp.def.moduleRoles ?? []).join(', ') || 'none'})`}`,
          );
        else if (!qr.startsWith(`${inp.module}.`))
          report(inp, [...path, 'roles', j], `access rules may only name module roles of their own module (${inp.module}), not '${role}'`);
        roles.push(qr);
      });
      const members = new Map<string, MemberRight>();
      for (const a of entity.attributes.values()) members.set(a.name, 'None');
      for (const a of owned) members.set(associations.get(a)!.name, 'None');
      const apply = (list: '*' | string[] | undefined, right: MemberRight, key: 'read' | 'write') => {
        if (list === undefined) return;
        const names = list === '*' ? [...members.keys()] : list;
        names.forEach((n, j) => {
          const target = members.has(n) ? n : owned.find((an) => associations.get(an)!.shortName === n);
          if (target === undefined || !memberNames.includes(n)) {
            report(inp, [...path, key, j], `unknown attribute or association '${n}' of ${q}`);
            return;
          }
          const attr = entity.attributes.get(target);
          if (right === 'ReadWrite' && attr && (attr.type === 'AutoNumber' || attr.system || attr.calculated)) {
            if (list !== '*')
              report(
                inp,
                [...path, key, j],
                attr.calculated
                  ? `'${n}' is calculated by ${attr.calculated} and cannot be writable`
                  : `'${n}' is maintained by the runtime and cannot be writable`,
              );
            if (members.get(target) !== 'ReadWrite') members.set(target, 'Read');
            return;
          }
          if (right === 'ReadWrite' || members.get(target) === 'None') members.set(target, right);
        });
      };
      apply(r.read, 'Read', 'read');
      apply(r.write, 'ReadWrite', 'write');
      if (r.xpath !== undefined && !persistable) report(inp, [...path, 'xpath'], 'XPath constraints are allowed on persistable entities only');
      return {
        roles,
        create: r.create ?? false,
        delete: r.delete ?? false,
        members,
        ...(r.xpath !== undefined && r.xpath.trim() !== '' ? { xpath: r.xpath.trim() } : {}),
        ...(inp.file ? { source: { file: inp.file, path } } : {}),
      };
    })
    .filter((x): x is CAccessRule => !!x);
}
