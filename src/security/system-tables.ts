import type { CAttribute, CompiledModel } from '../model/compiled/types.js';
import type { AttributeValue } from '../objects/values.js';
import type { Dialect } from '../data/dialects/dialect.js';
import { placeholder, quoteIdentifier } from '../data/dialects/names.js';
import { fromDbValue, toDbValue } from '../data/values.js';

/**
 * Table and column names of the System entities security and sessions work
 * with (User, UserRole, Session and their associations), taken from the
 * compiled model once, with the dialect's quoting and value codecs. The SQL
 * built from them is fixed at start-up; every value is a bound parameter.
 */
export class SystemTables {
  readonly user: string;
  readonly userRole: string;
  readonly session: string;
  /** System.UserRoles: user -> user role. */
  readonly userRoles: { readonly table: string; readonly user: string; readonly role: string };
  /** System.grantableRoles: user role -> the user roles its users may grant. */
  readonly grantableRoles: { readonly table: string; readonly role: string; readonly grantable: string };
  /** System.Session_User: session -> user. */
  readonly sessionUser: { readonly table: string; readonly session: string; readonly user: string };
  /** System.User_TimeZone and System.User_Language: a user's zone and language, each a code column reached by a reference. */
  readonly userPreferences: readonly {
    readonly as: 'tz' | 'lang';
    readonly table: string;
    readonly user: string;
    readonly target: string;
    readonly targetTable: string;
    readonly code: string;
  }[];
  /** The column naming the concrete entity of a user (System.User has specializations in most apps). */
  readonly userType: string | undefined;

  constructor(
    private readonly model: CompiledModel,
    readonly dialect: Dialect,
  ) {
    const q = (n: string) => quoteIdentifier(dialect, n);
    const ent = (name: string) => {
      const e = model.entities.get(name);
      if (!e) throw new Error(`the compiled model lacks ${name}`);
      return e;
    };
    this.user = q(ent('System.User').table);
    this.userRole = q(ent('System.UserRole').table);
    this.session = q(ent('System.Session').table);
    const ur = model.associations.get('System.UserRoles')!;
    this.userRoles = { table: q(ur.table), user: q(ur.parentColumn), role: q(ur.childColumn) };
    const gr = model.associations.get('System.grantableRoles')!;
    this.grantableRoles = { table: q(gr.table), role: q(gr.parentColumn), grantable: q(gr.childColumn) };
    const su = model.associations.get('System.Session_User')!;
    this.sessionUser = { table: q(su.table), session: q(su.parentColumn), user: q(su.childColumn) };
    this.userPreferences = (
      [
        ['tz', 'System.User_TimeZone', 'System.TimeZone'],
        ['lang', 'System.User_Language', 'System.Language'],
      ] as const
    ).flatMap(([as, assocName, entityName]) => {
      const a = model.associations.get(assocName);
      const e = model.entities.get(entityName);
      const code = e?.attributes.get('Code');
      return a && e && code
        ? [{ as, table: q(a.table), user: q(a.parentColumn), target: q(a.childColumn), targetTable: q(e.table), code: q(code.column) }]
        : [];
    });
    this.userType = ent('System.User').hasTypeColumn ? q('submetaobjectname') : undefined;
  }

  private attr(entity: string, name: string): CAttribute {
    const a = this.model.entities.get(entity)?.attributes.get(name);
    if (!a) throw new Error(`the compiled model lacks ${entity}.${name}`);
    return a;
  }

  /** Quoted column of an attribute of a System entity. */
  col(entity: string, name: string): string {
    return quoteIdentifier(this.dialect, this.attr(entity, name).column);
  }

  enc(entity: string, name: string, v: AttributeValue): unknown {
    return toDbValue(this.dialect, this.attr(entity, name), v);
  }

  dec(entity: string, name: string, raw: unknown): AttributeValue {
    return fromDbValue(this.dialect, this.attr(entity, name), raw);
  }

  /** `$1, $2` or `?, ?`: placeholders numbered from `from`. */
  ph(index: number): string {
    return placeholder(this.dialect, index);
  }

  q(name: string): string {
    return quoteIdentifier(this.dialect, name);
  }
}
